import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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
    init(_ arguments: [String], environment: [String: String] = [:], port: Int = Int.random(in: 41_000...49_000)) async throws {
        self.port = port
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["server", "--port", "\(port)"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        for _ in 0..<300 {
            try await Task.sleep(for: .milliseconds(100))
            if let (_, response) = try? await Self.session.data(from: url("/readyz")), (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
        }
        Issue.record("gstacks server on port \(port) did not become ready")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// Everything the process printed so far (call after it stopped).
    var printed: String { String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    /// A JSON request; returns the status, the JSON object answered and the Set-Cookie header.
    @discardableResult
    func request(_ method: String, _ path: String, json: String? = nil, cookie: String? = nil) async throws -> (status: Int, json: [String: Any], setCookie: String?) {
        var request = URLRequest(url: url(path))
        request.httpMethod = method
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        let (data, response) = try await Self.session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (http.statusCode, object, http.value(forHTTPHeaderField: "Set-Cookie"))
    }

    /// Signs in and returns the `Cookie` header value.
    func signIn(_ email: String, _ password: String) async throws -> String {
        let reply = try await request("POST", "/v1/auth/session", json: #"{"strategy":"password","loginName":"\#(email)","password":"\#(password)"}"#)
        let setCookie = try #require(reply.setCookie, "sign-in answered \(reply.status)")
        return String(try #require(setCookie.split(separator: ";").first))
    }

    func stop(signal: Int32) async throws {
        kill(process.processIdentifier, signal)
        for _ in 0..<100 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
