import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Whether the server can listen where it is told to, tried before anything starts: a port in use is one sentence,
/// not the cancellation errors of every service that started meanwhile.
public enum ListeningPort {
    public static func checkAvailable(host: String, port: Int) async throws {
        do {
            // As the HTTP server binds: with SO_REUSEADDR, so a port left in TIME_WAIT is not taken for one in use.
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw StartupRefusal("Port \(port) on \(host) is already in use; stop what listens there, or give this server another --port.")
        } catch {
            throw StartupRefusal("Cannot listen on port \(port) on \(host): \(error).")
        }
    }
}
