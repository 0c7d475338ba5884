import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksTestSupport
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Testing
@testable import GlobalStacksServer

/// What a client connection may hold, tried from outside with raw sockets against a live server. One test at a time:
/// a raw socket's reads block a thread of the concurrency pool (two on a 2-core host), and two tests blocking both
/// left their in-process servers' handlers no thread to answer on.
@Suite("Connection limits", .serialized)
struct ConnectionLimitTests {
    static let healthz = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"

    @Test func anOversizedRequestHeadIsAnswered431AndTheConnectionClosed() async throws {
        try await TestServer.run(.sqlite, .live) { api, _ in
            let port = try #require(api.client.port)
            let limit = ConnectionSettings.maximumRequestHeadBytes
            let oversized = [
                "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Large: \(String(repeating: "a", count: limit + 1024))\r\n\r\n",
                "GET /healthz?q=\(String(repeating: "b", count: limit + 1024)) HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: localhost\r\nCookie: \(String(repeating: "c=d; ", count: limit / 5 + 200))\r\n\r\n",
            ]
            for request in oversized {
                let connection = try RawConnection(port: port)
                connection.send(request)
                let (text, closed) = await connection.readUntilClosed(timeout: .seconds(20))
                #expect(text.hasPrefix("HTTP/1.1 431"), "\(text.prefix(200))")
                #expect(text.contains(#"{"message":"#) && closed)
            }
            // Just under the limit is still served.
            let connection = try RawConnection(port: port)
            connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Large: \(String(repeating: "a", count: limit - 1024))\r\n\r\n")
            #expect(await connection.readResponse(timeout: .seconds(10))?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    /// A connection that sends nothing is closed at the first-request timeout; one that starts a head and does not finish it
    /// is answered 408 at the head timeout. Prompt clients are not affected.
    @Test func silentAndUnfinishedConnectionsAreClosed() async throws {
        let configure: (inout ServerConfiguration) -> Void = {
            $0.connections.requestHeadTimeout = .seconds(1)
            $0.connections.firstRequestTimeout = .seconds(4)
            $0.connections.idleTimeout = .seconds(2)
        }
        try await TestServer.run(.sqlite, .live, configure: configure) { api, _ in
            let port = try #require(api.client.port)
            let silent = try RawConnection(port: port)
            let dripping = try RawConnection(port: port)
            dripping.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            let unfinished = await dripping.readUntilClosed(timeout: .seconds(20))
            #expect(unfinished.text.hasPrefix("HTTP/1.1 408") && unfinished.closed, "\(unfinished.text.prefix(200))")
            let idle = await silent.readUntilClosed(timeout: .seconds(20))
            #expect(idle.text.isEmpty && idle.closed, "\(idle.text.prefix(200))")
            // A prompt client is not affected, also when it waits a while before its first request and between requests.
            let prompt = try RawConnection(port: port)
            try await Task.sleep(for: .milliseconds(1_500))
            prompt.send(Self.healthz)
            #expect(await prompt.readResponse(timeout: .seconds(20))?.hasPrefix("HTTP/1.1 200") == true)
            try await Task.sleep(for: .milliseconds(1_500))
            prompt.send(Self.healthz)
            #expect(await prompt.readResponse(timeout: .seconds(20))?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    /// Connections past the cap are answered 503 and closed at once; the server keeps answering on the connections it
    /// holds, its agents stay connected, and once the flood is gone new connections are served again.
    @Test(.timeLimit(.minutes(2))) func aFloodPastTheCapLeavesTheServerAnsweringAndItsAgentsConnected() async throws {
        let cap = 24
        try await TestServer.run(.sqlite, .live, configure: { $0.connections.maximumConnections = cap }) { api, _ in
            let port = try #require(api.client.port)
            let (admin, agentID, key) = try await AgentGatewayTests.enrolledAgent(api)
            let (agentUp, markAgentUp) = AsyncStream.makeStream(of: Void.self)
            let (floodOver, markFloodOver) = AsyncStream.makeStream(of: Void.self)
            let agent = Task {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/v1/agents/connect", configuration: .init(additionalHeaders: [.authorization: "Bearer \(key)"]),
                    logger: Logger(label: "gstacks.test.agent")
                ) { _, outbound, _ in
                    let heartbeat = AgentMessage.heartbeat(HeartbeatMessage(status: "online", activeSessions: 0, capacity: nil))
                    try await outbound.write(.text(String(decoding: try AgentProtocol.encode(heartbeat), as: UTF8.self)))
                    markAgentUp.finish()
                    for await _ in floodOver {}
                    // Still the same connection after the flood: a heartbeat goes through.
                    try await outbound.write(.text(String(decoding: try AgentProtocol.encode(heartbeat), as: UTF8.self)))
                }
            }
            for await _ in agentUp {}
            let held = try RawConnection(port: port)
            held.send(Self.healthz)
            #expect(await held.readResponse(timeout: .seconds(20))?.hasPrefix("HTTP/1.1 200") == true)

            var flood = try (0..<(cap * 3)).map { _ in try RawConnection(port: port) }
            var refused = 0
            for connection in flood.suffix(cap) {
                let (text, closed) = await connection.readUntilClosed(timeout: .seconds(5))
                if text.hasPrefix("HTTP/1.1 503") && closed { refused += 1 }
            }
            #expect(refused == cap, "every connection past the cap is refused at once")
            held.send(Self.healthz)
            #expect(await held.readResponse(timeout: .seconds(20))?.hasPrefix("HTTP/1.1 200") == true, "a held connection is still served")

            // Once the flood is gone new connections are served again, and the agent never left.
            flood.removeAll()
            var status: [String: Any] = [:]
            for _ in 0..<50 where status["status"] as? String != "online" {
                try await Task.sleep(for: .milliseconds(100))
                status = (try? await AgentGatewayTests.agentStatus(api, agentID, admin)) ?? [:]
            }
            #expect(status["status"] as? String == "online", "\(status)")
            markFloodOver.finish()
            try await agent.value
            let metrics = try await api.request(.get, "/metrics")
            #expect(String(decoding: metrics.body, as: UTF8.self).contains("gstacks_connections_refused_total"))
        }
    }

    /// A flood of connections that send nothing, from one address, takes that address's share of the places, not all
    /// of them: past it they are answered 429 at once, a client from another address is served, and the silent ones are
    /// closed at the first-request timeout, long before the idle timeout of a kept-alive connection.
    @Test(.timeLimit(.minutes(2))) func aFloodOfIdleConnectionsFromOneAddressLeavesOtherAddressesServed() async throws {
        let (cap, share) = (48, 16)
        let configure: (inout ServerConfiguration) -> Void = {
            $0.connections.maximumConnections = cap
            $0.connections.maximumConnectionsPerAddress = share
            $0.connections.firstRequestTimeout = .seconds(3)
        }
        try await TestServer.run(.sqlite, .live, configure: configure) { api, _ in
            let port = try #require(api.client.port)
            let start = ContinuousClock.now
            let flood = try (0..<cap).map { _ in try RawConnection(port: port, from: "127.0.0.2") }
            let other = try RawConnection(port: port, from: "127.0.0.3")
            other.send(Self.healthz)
            let answer = await other.readResponse(timeout: .seconds(20))
            #expect(answer?.hasPrefix("HTTP/1.1 200") == true, "\(answer?.prefix(200) ?? "no answer")")

            var (refused, closedSilently) = (0, 0)
            for connection in flood {
                let (text, closed) = await connection.readUntilClosed(timeout: .seconds(30))
                if text.hasPrefix("HTTP/1.1 429") && text.contains(#"{"message":"#) && closed { refused += 1 }
                if text.isEmpty && closed { closedSilently += 1 }
            }
            #expect(refused == cap - share, "every connection past the address's share is refused at once")
            #expect(closedSilently == share, "the silent connections are closed without an answer")
            #expect(ContinuousClock.now - start < .seconds(30), "silent connections are closed long before the 75 s idle timeout")
        }
    }

    @Test func theConnectionCapKeepsAReserveOfDescriptors() {
        #expect(DescriptorLimit.connectionCap(forDescriptorLimit: 1024) == 896)
        #expect(DescriptorLimit.connectionCap(forDescriptorLimit: 20_000) == 18_000)
        #expect(DescriptorLimit.connectionCap(forDescriptorLimit: 100) == 16)
    }
}
