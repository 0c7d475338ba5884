import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GlobalStacksClient
import Testing

/// The real `gstacks server` binary on a loopback port, for tests of process behaviour (signals, crashes).
final class ServerProcess: @unchecked Sendable {
    static let binary = ContractTests.repository.appendingPathComponent(".build/debug/gstacks").path
    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    /// Cookies are sent only as given: a shared cookie store would mix up servers that run side by side
    /// (cookies do not distinguish ports).
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        return URLSession(configuration: configuration)
    }()

    let process = Process()
    let output = Pipe()
    let port: Int

    /// Starts `gstacks server --port <port, random by default> <arguments>` and waits (≤ 30 s, for a loaded CI
    /// machine) until /readyz answers 200.
    init(_ arguments: [String], environment: [String: String] = [:], port: Int? = nil) async throws {
        let port = port ?? Self.freePort()
        self.port = port
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["server", "--port", "\(port)"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        for _ in 0..<300 {
            try await Task.sleep(for: .milliseconds(100))
            guard process.isRunning else {
                Issue.record("gstacks server on port \(port) exited during start-up: \(printed.suffix(2_000))")
                return
            }
            if let (_, response) = try? await Self.session.data(from: url("/readyz")), (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
        }
        Issue.record("gstacks server on port \(port) did not become ready")
    }

    /// A loopback port free right now, chosen by the kernel (a random one may be taken, e.g. as the local port
    /// of one of the many client connections a test run makes).
    static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : Int.random(in: 20_000...30_000)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// Everything the process printed so far (call after it stopped).
    var printed: String { String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    /// The typed client of this server's API, not signed in (`signIn(email:password:)` returns one that is).
    var client: GlobalStacksClient { GlobalStacksClient(serverURL: URL(string: "http://127.0.0.1:\(port)")!) }

    /// The setup token the server printed on an empty database (read without blocking a thread, whole: up to the
    /// character after it), and all it printed up to then.
    func setupToken() async throws -> (token: String, printed: String) {
        let descriptor = output.fileHandleForReading.fileDescriptor
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(descriptor, F_SETFL, flags) }
        var text = ""
        for _ in 0..<100 {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = read(descriptor, &buffer, buffer.count)
            if count > 0 { text += String(decoding: buffer[..<count], as: UTF8.self) }
            if let token = text.range(of: #"gss_[A-Za-z0-9_-]+(?=[^A-Za-z0-9_-])"#, options: .regularExpression) { return (String(text[token]), text) }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no setup token in the server's output: \(text.suffix(2_000))")
        throw CancellationError()
    }

    func stop(signal: Int32) async throws {
        kill(process.processIdentifier, signal)
        for _ in 0..<100 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
