import Foundation
#if canImport(Glibc)
// `stat`'s and `timeval`'s members (see DiskUsage).
import CoreFoundation
import Glibc
#endif
import Synchronization

/// The only way out of an extension's sandbox, which has a network namespace of its own with loopback alone. It
/// listens inside that namespace (on 127.0.0.1, `HTTP_PROXY`/`HTTPS_PROXY` point there) and connects out from the
/// agent's, admitting exactly the `host:port` pairs the release declares and the tenant consented to: HTTP `CONNECT`
/// (TLS and anything else) and absolute-form plain HTTP requests. Everything else is answered 403 with the reason:
/// an undeclared name or port, an IP address, and unless the agent allows it (tests), a name that resolves to a
/// loopback, link-local or unspecified address (the agent's own services, cloud metadata). With an API credential,
/// the control plane's own address (as the agent reaches it) is admitted too, exactly.
final class EgressProxy: Sendable {
    static let port: UInt16 = 3128
    static let maximumHeadBytes = 16 << 10
    static let connectTimeoutSeconds = 10
    /// Connections one invocation may have open at once (each holds threads of the agent).
    static let maximumConnections = 64

    private let listener: Int32
    private let allowed: Set<String>
    private let allowLoopback: Bool
    /// `host:port` of the control plane, admitted as it is (the agent's own configured address).
    private let controlPlane: String?
    private let open = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)

    /// Starts serving connections accepted on `listener` (made inside the sandbox's namespace).
    init(listener: Int32, allowed: [String], allowLoopback: Bool, controlPlane: String?) {
        self.listener = listener
        self.allowed = Set(allowed.map { $0.lowercased() })
        self.allowLoopback = allowLoopback
        self.controlPlane = controlPlane
        let thread = Thread { [self] in self.acceptLoop() }
        thread.stackSize = 128 << 10
        thread.start()
    }

    /// Stops accepting and cuts every connection still open.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        open.withLock { fds in
            for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            // Each connection counts its client and upstream sockets.
            guard open.withLock({ $0.count }) < Self.maximumConnections * 2 else {
                Self.refuse(client, 429, "This invocation has \(Self.maximumConnections) connections open already.")
                close(client)
                continue
            }
            track(client)
            let thread = Thread { [self] in
                self.serve(client)
            }
            thread.stackSize = 128 << 10
            thread.start()
        }
    }

    private func track(_ fd: Int32) {
        open.withLock { _ = $0.insert(fd) }
        if stopped.load(ordering: .acquiring) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func finish(_ fds: Int32...) {
        open.withLock { open in
            for fd in fds where fd >= 0 { open.remove(fd) }
        }
        for fd in fds where fd >= 0 { close(fd) }
    }

    private func serve(_ client: Int32) {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let (head, rest) = Self.readHead(client) else {
            Self.refuse(client, 400, "The egress proxy expects an HTTP request (CONNECT host:port, or an absolute http:// URL).")
            return finish(client)
        }
        var zero = timeval(tv_sec: 0, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &zero, socklen_t(MemoryLayout<timeval>.size))
        let request: EgressRequest
        switch EgressRequest.parse(head) {
        case .failure(let invalid):
            Self.refuse(client, 400, invalid.reason)
            return finish(client)
        case .success(let parsed):
            request = parsed
        }
        let toControlPlane = controlPlane == "\(request.host):\(request.port)"
        if !toControlPlane, let refusal = EgressRule.refusal(host: request.host, port: request.port, allowed: allowed) {
            Self.refuse(client, 403, refusal)
            return finish(client)
        }
        let upstream: Int32
        switch Self.connect(request.host, request.port, allowLoopback: allowLoopback || toControlPlane) {
        case .failure(let reason):
            Self.refuse(client, reason.status, reason.message)
            return finish(client)
        case .success(let fd):
            upstream = fd
        }
        track(upstream)
        let opening: [UInt8] = request.isTunnel ? Array("HTTP/1.1 200 Connection Established\r\n\r\n".utf8) : []
        guard Self.writeAll(client, opening), Self.writeAll(upstream, request.forwardedHead + rest) else {
            return finish(client, upstream)
        }
        let done = Atomic<Int>(0)
        for (from, to) in [(client, upstream), (upstream, client)] {
            let pump = Thread { [self] in
                Self.copy(from: from, to: to)
                shutdown(to, Int32(SHUT_WR))
                if done.add(1, ordering: .acquiringAndReleasing).newValue == 2 { self.finish(client, upstream) }
            }
            pump.stackSize = 128 << 10
            pump.start()
        }
    }

    // MARK: Sockets

    private static func readHead(_ fd: Int32) -> (head: [UInt8], rest: [UInt8])? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while data.count < maximumHeadBytes {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            data += buffer[0..<count]
            if let range = data.firstRange(of: end) {
                return (Array(data[..<range.upperBound]), Array(data[range.upperBound...]))
            }
        }
        return nil
    }

    private struct ConnectFailure: Error {
        let status: Int
        let message: String
    }

    private static func connect(_ host: String, _ port: Int, allowLoopback: Bool) -> Result<Int32, ConnectFailure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
            return .failure(ConnectFailure(status: 502, message: "\(host) does not resolve."))
        }
        defer { freeaddrinfo(first) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        var refusedAddress: String?
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            guard let address = entry.pointee.ai_addr else { continue }
            if !allowLoopback, let text = EgressRule.internalAddress(address) {
                refusedAddress = text
                continue
            }
            let fd = socket(entry.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            var timeout = timeval(tv_sec: connectTimeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if Glibc.connect(fd, address, entry.pointee.ai_addrlen) == 0 {
                var none = timeval(tv_sec: 0, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
                return .success(fd)
            }
            close(fd)
        }
        if let refusedAddress {
            return .failure(ConnectFailure(status: 403, message: "\(host) resolves to \(refusedAddress), an address of this host or its link; extensions never reach those."))
        }
        return .failure(ConnectFailure(status: 502, message: "Could not connect to \(host):\(port)."))
    }

    private static func copy(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 32 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0, writeAll(to, Array(buffer[0..<count])) else { return }
        }
    }

    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private static func refuse(_ fd: Int32, _ status: Int, _ reason: String) {
        let phrase = switch status {
        case 403: "Forbidden"
        case 400: "Bad Request"
        case 429: "Too Many Requests"
        default: "Bad Gateway"
        }
        let body = "GlobalStacks egress: \(reason)\n"
        writeAll(fd, Array("HTTP/1.1 \(status) \(phrase)\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
    }
}
