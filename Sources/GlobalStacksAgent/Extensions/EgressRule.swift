import Foundation

/// One request to the egress proxy: where it goes and the head to send there.
struct EgressRequest: Equatable {
    let host: String
    let port: Int
    /// `CONNECT`: a tunnel (the proxy answers 200, then copies bytes both ways).
    let isTunnel: Bool
    /// What goes to the upstream first: nothing for a tunnel, the request in origin form otherwise.
    let forwardedHead: [UInt8]

    /// Why a request cannot be served.
    struct Invalid: Error, Equatable {
        let reason: String
    }

    /// `CONNECT host:port HTTP/1.1`, or `METHOD http://host[:port]/path HTTP/1.1` (proxy headers dropped).
    static func parse(_ head: [UInt8]) -> Result<EgressRequest, Invalid> {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let words = lines.first?.split(separator: " ", omittingEmptySubsequences: false).map(String.init) ?? []
        guard words.count == 3, words[2].hasPrefix("HTTP/1.") else { return .failure(Invalid(reason: "The request line is not HTTP/1.x.")) }
        let (method, target, version) = (words[0], words[1], words[2])
        if method == "CONNECT" {
            guard let (host, port) = authority(target, defaultPort: nil) else { return .failure(Invalid(reason: "CONNECT needs host:port.")) }
            return .success(EgressRequest(host: host, port: port, isTunnel: true, forwardedHead: []))
        }
        guard target.lowercased().hasPrefix("http://") else {
            return .failure(Invalid(reason: "Send an absolute http:// URL, or CONNECT host:port for anything else (https)."))
        }
        let afterScheme = target.dropFirst(7)
        let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        guard let (host, port) = authority(String(afterScheme[..<slash]), defaultPort: 80) else { return .failure(Invalid(reason: "The URL names no host.")) }
        let path = slash == afterScheme.endIndex ? "/" : String(afterScheme[slash...])
        lines[0] = "\(method) \(path) \(version)"
        lines = lines.filter { line in
            let name = line.split(separator: ":", maxSplits: 1).first?.lowercased() ?? ""
            return name != "proxy-connection" && name != "proxy-authorization"
        }
        return .success(EgressRequest(host: host, port: port, isTunnel: false, forwardedHead: Array(lines.joined(separator: "\r\n").utf8)))
    }

    private static func authority(_ text: String, defaultPort: Int?) -> (String, Int)? {
        let host: Substring
        var port = defaultPort
        if text.hasPrefix("[") {
            // An IPv6 literal: refused later as an IP address, but parsed so the refusal names it.
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) } else if !rest.isEmpty { return nil }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = Int(text[text.index(after: colon)...])
        } else {
            host = Substring(text)
        }
        guard !host.isEmpty, let port, (1...65_535).contains(port) else { return nil }
        return (host.lowercased(), port)
    }
}

/// What the egress proxy admits (docs/broker.md, "Egress").
enum EgressRule {
    /// Why `host:port` is refused, or nil when it is one of the `allowed` pairs (lower-case `host:port`).
    static func refusal(host: String, port: Int, allowed: Set<String>) -> String? {
        if isIPAddress(host) {
            return "\(host) is an IP address; extensions reach declared host names only."
        }
        guard allowed.contains("\(host):\(port)") else {
            let declared = allowed.sorted()
            return "\(host):\(port) is not among the hosts this extension declares and the tenant consented to (\(declared.isEmpty ? "none" : declared.joined(separator: ", ")))."
        }
        return nil
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
            // 2130706433, 0x7f.1, 127.1: numeric forms resolvers accept too.
            || (host.first?.isNumber == true && host.allSatisfy { $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X" })
    }

    /// The address as text when it is loopback, link-local or unspecified (this host, its link, cloud metadata).
    static func internalAddress(_ address: UnsafePointer<sockaddr>) -> String? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var raw = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            let value = UInt32(bigEndian: raw.s_addr)
            let isInternal = value >> 24 == 127 || value >> 16 == 0xA9FE || value >> 24 == 0
            guard isInternal else { return nil }
            inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
        case AF_INET6:
            var raw = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            let bytes = withUnsafeBytes(of: raw) { Array($0) }
            let loopback = bytes == [UInt8](repeating: 0, count: 15) + [1]
            let unspecified = bytes.allSatisfy { $0 == 0 }
            let linkLocal = bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80
            let mappedV4Internal = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
                && (bytes[12] == 127 || bytes[12] == 0 || (bytes[12] == 169 && bytes[13] == 254))
            guard loopback || unspecified || linkLocal || mappedV4Internal else { return nil }
            inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
        default:
            return "an address of family \(address.pointee.sa_family)"
        }
        return String(cString: text)
    }
}
