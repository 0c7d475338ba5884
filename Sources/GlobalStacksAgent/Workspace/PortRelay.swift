import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain

/// `gstacks sandbox-port-relay <port>` (a hidden subcommand of the agent's own binary): connects to a TCP port on
/// loopback and copies the connection to and from its stdin and stdout, so that `open_port` can run it as an
/// interactive exec. The agent starts it inside the sandbox's network namespace (`SandboxIsolation.portRelayArgv`),
/// where loopback is the sandbox's own. Plain blocking I/O on two threads: a relay carries one connection.
public enum PortRelay {
    public static let subcommand = "sandbox-port-relay"

    /// This process's executable as a path (the `gstacks` binary, also when the agent is embedded in `gstacks server`),
    /// resolved once when the agent starts; nil when /proc is not there to say.
    public static func ownExecutable() -> String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/") else { return nil }
        return path
    }

    /// Connects, then copies both ways; returns the process's exit code: 0 once the port's side closed the connection,
    /// `SandboxPort.nothingListensExitCode` (with the reason on stderr) when nothing listens, 1 when stdout broke.
    public static func run(port: Int) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let socket: Int32
        switch connect(port: port) {
        case .success(let connected):
            socket = connected
        case .failure(let refusal):
            FileHandle.standardError.write(Data((refusal.description + "\n").utf8))
            return Int32(SandboxPort.nothingListensExitCode)
        }
        // Stdin to the connection; its end half-closes the connection's sending side (an HTTP/1.0 request ends so).
        let sending = Thread {
            copy(from: 0, to: socket)
            shutdown(socket, Int32(SHUT_WR))
        }
        sending.stackSize = 128 << 10
        sending.start()
        // The connection to stdout, until the port's side closes it (or resets it: closed all the same).
        return copy(from: socket, to: 1) ? 0 : 1
    }

    /// Why a connection could not be made, in words for the person who asked for the port.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// A connected socket to 127.0.0.1:`port`, else [::1]:`port`.
    public static func connect(port: Int) -> Result<Int32, Refusal> {
        guard SandboxPort.valid.contains(port) else { return .failure(Refusal(description: "port must be 1 to 65535, not \(port)")) }
        var v4 = sockaddr_in()
        v4.sin_family = sa_family_t(AF_INET)
        v4.sin_port = in_port_t(UInt16(port).bigEndian)
        v4.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = in_port_t(UInt16(port).bigEndian)
        v6.sin6_addr = in6addr_loopback
        var errors: [Int32] = []
        for family in [AF_INET, AF_INET6] {
            let attempt = family == AF_INET
                ? withUnsafePointer(to: &v4) { tryConnect(family, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                : withUnsafePointer(to: &v6) { tryConnect(family, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            switch attempt {
            case .connected(let socket): return .success(socket)
            case .failed(let code): errors.append(code)
            }
        }
        // Refused (or no IPv6 loopback at all): nothing listens. Anything else is said as well.
        let unusual = errors.filter { ![ECONNREFUSED, EADDRNOTAVAIL, EAFNOSUPPORT, ENETUNREACH].contains($0) }
        let detail = unusual.first.map { " (\(String(cString: strerror($0))))" } ?? ""
        return .failure(Refusal(description: "nothing listens on port \(port) inside the sandbox\(detail)"))
    }

    private enum Attempt {
        case connected(Int32)
        /// With the error number.
        case failed(Int32)
    }

    private static func tryConnect<Address>(_ family: Int32, _ address: UnsafePointer<Address>, _ length: socklen_t) -> Attempt {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failed(errno) }
        let result = address.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        guard result == 0 else {
            let code = errno
            close(fd)
            return .failed(code)
        }
        return .connected(fd)
    }

    /// Copies until end of file or an error on either side; true at end of file (or a reset connection).
    @discardableResult
    private static func copy(from source: Int32, to destination: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return errno == ECONNRESET }
            if count == 0 { return true }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(destination, $0.baseAddress! + offset, count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
        }
    }
}
