import Foundation
@testable import GlobalStacksAgent
import Testing

/// What the egress proxy admits and how it reads a request, without sockets.
@Suite("Egress rules")
struct EgressRuleTests {
    static let allowed: Set<String> = ["api.example.com:443", "status.example.com:8080"]

    @Test func onlyDeclaredNamesAndPortsPass() {
        #expect(EgressRule.refusal(host: "api.example.com", port: 443, allowed: Self.allowed) == nil)
        #expect(EgressRule.refusal(host: "api.example.com", port: 80, allowed: Self.allowed)?.contains("not among") == true)
        #expect(EgressRule.refusal(host: "evil.example.com", port: 443, allowed: Self.allowed)?.contains("not among") == true)
        for ip in ["127.0.0.1", "10.0.0.8", "::1", "2130706433", "0x7f.1", "127.1", "169.254.169.254"] {
            #expect(EgressRule.refusal(host: ip, port: 443, allowed: Self.allowed)?.contains("IP address") == true, "\(ip)")
        }
        #expect(!EgressRule.isIPAddress("1password.com") && !EgressRule.isIPAddress("deadbeef.example"))
    }

    @Test func loopbackLinkLocalAndUnspecifiedAddressesAreInternal() {
        func isInternal(_ text: String) -> Bool {
            var hints = addrinfo()
            hints.ai_flags = AI_NUMERICHOST
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(text, nil, &hints, &result) == 0, let first = result else { return false }
            defer { freeaddrinfo(first) }
            return EgressRule.internalAddress(first.pointee.ai_addr) != nil
        }
        for address in ["127.0.0.1", "127.8.9.1", "169.254.169.254", "0.0.0.0", "::1", "::", "fe80::1", "::ffff:127.0.0.1"] {
            #expect(isInternal(address), "\(address)")
        }
        for address in ["93.184.216.34", "10.1.2.3", "2606:2800:220:1::1"] {
            #expect(!isInternal(address), "\(address)")
        }
    }

    @Test func requestsAreReadAsTunnelsOrAbsoluteForm() throws {
        let tunnel = try EgressRequest.parse(Array("CONNECT API.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n".utf8)).get()
        #expect(tunnel.host == "api.example.com" && tunnel.port == 443 && tunnel.isTunnel && tunnel.forwardedHead.isEmpty)
        let plain = try EgressRequest.parse(Array("GET http://status.example.com:8080/health?x=1 HTTP/1.1\r\nHost: status.example.com\r\nProxy-Connection: keep-alive\r\n\r\n".utf8)).get()
        #expect(plain.host == "status.example.com" && plain.port == 8080 && !plain.isTunnel)
        #expect(String(decoding: plain.forwardedHead, as: UTF8.self) == "GET /health?x=1 HTTP/1.1\r\nHost: status.example.com\r\n\r\n")
        #expect(try EgressRequest.parse(Array("GET http://a.example.com HTTP/1.1\r\n\r\n".utf8)).get().port == 80)
        for bad in ["GET /relative HTTP/1.1\r\n\r\n", "CONNECT nohost HTTP/1.1\r\n\r\n", "CONNECT a.example.com:99999 HTTP/1.1\r\n\r\n", "garbage\r\n\r\n"] {
            #expect(throws: EgressRequest.Invalid.self, "\(bad)") { try EgressRequest.parse(Array(bad.utf8)).get() }
        }
    }
}
