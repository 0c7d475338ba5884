import Foundation
import FoundationNetworking
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Testing

/// `GET /v1/sandboxes/{id}/exec/stream` through a real server and agent: stdin from the client, output as it is
/// written, and a terminal a test drives like a person at a shell.
@Suite("Streaming exec end to end", .serialized)
struct ExecStreamTests {
    /// What the server sent: output by channel, then the final message.
    actor Transcript {
        var stdout = ""
        var stderr = ""
        /// The final message's `type`, `exitCode` and text.
        var final: (type: String?, exitCode: Int?, text: String) = (nil, nil, "")

        func append(_ channel: UInt8, _ text: String) {
            if channel == 2 { stderr += text } else { stdout += text }
        }

        func finish(_ text: String) {
            let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            final = (object["type"] as? String, object["exitCode"] as? Int, text)
        }
    }

    static func connect(
        _ installation: SandboxEndToEndTests.Installation, _ sandboxID: String, start: String,
        _ conversation: @escaping @Sendable (WebSocketOutboundWriter, Transcript) async throws -> Void
    ) async throws -> Transcript {
        guard case .session(let cookie) = installation.api.credential else { throw CancellationError() }
        let transcript = Transcript()
        let url = "ws://127.0.0.1:\(installation.server.port)/v1/sandboxes/\(sandboxID)/exec/stream"
        try await WebSocketClient.connect(
            url: url, configuration: .init(additionalHeaders: [.cookie: "globalstacks_session=\(cookie)"]), logger: Logger(label: "test")
        ) { inbound, outbound, _ in
            try await outbound.write(.text(start))
            let talking = Task { try await conversation(outbound, transcript) }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                switch message {
                case .binary(var buffer):
                    let channel: UInt8 = buffer.readInteger() ?? 0
                    await transcript.append(channel, buffer.readString(length: buffer.readableBytes) ?? "")
                case .text(let text):
                    await transcript.finish(text)
                }
            }
            talking.cancel()
        }
        return transcript
    }

    /// Waits (≤ 10 s) until the output holds `text`.
    static func await(_ text: String, in transcript: Transcript) async throws {
        for _ in 0..<200 where !(await transcript.stdout.contains(text)) {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func aStreamingExecTakesStdinAndATestDrivesATerminal() async throws {
        let installation = try await SandboxEndToEndTests.Installation.start(.sqlite)
        let id = try await SandboxWorkspaceTests.running(installation)

        let piped = try await Self.connect(installation, id, start: #"{"command":["/bin/sh","-c","read line; echo got:$line; echo err >&2; cat; exit 4"]}"#) { outbound, transcript in
            try await outbound.write(.binary(ByteBuffer(string: "hello\n")))
            try await Self.await("got:hello", in: transcript)
            try await outbound.write(.binary(ByteBuffer(string: "echoed by cat\n")))
            try await outbound.write(.text(#"{"type":"eof"}"#))
        }
        let (pipedOut, pipedErr, pipedFinal) = (await piped.stdout, await piped.stderr, await piped.final)
        #expect(pipedOut == "got:hello\nechoed by cat\n" && pipedErr == "err\n", "\(pipedOut) \(pipedErr) \(pipedFinal.text)")
        #expect(pipedFinal.type == "exit" && pipedFinal.exitCode == 4, "\(pipedFinal.text)")

        let shell = try await Self.connect(installation, id, start: #"{"command":["/bin/sh"],"tty":{"columns":100,"rows":30}}"#) { outbound, transcript in
            try await outbound.write(.binary(ByteBuffer(string: "stty size; echo term=$TERM; test -t 0 && echo on-a-terminal\n")))
            try await Self.await("on-a-terminal\r\n", in: transcript)
            try await outbound.write(.text(#"{"type":"resize","columns":120,"rows":40}"#))
            try await Task.sleep(for: .milliseconds(100))
            try await outbound.write(.binary(ByteBuffer(string: "stty size\n")))
            try await Self.await("40 120", in: transcript)
            try await outbound.write(.binary(ByteBuffer(string: "exit 7\n")))
        }
        let output = await shell.stdout
        #expect(output.contains("30 100") && output.contains("term=xterm-256color") && output.contains("on-a-terminal\r\n"), "\(output)")
        #expect(output.contains("40 120"), "the resize reached the terminal: \(output)")
        let shellFinal = await shell.final
        #expect(shellFinal.exitCode == 7, "\(shellFinal.text)")

        let history = try await installation.api.execHistory(id)
        #expect(history.map(\.command) == [["/bin/sh"], ["/bin/sh", "-c", "read line; echo got:$line; echo err >&2; cat; exit 4"]])
        #expect(history.map(\.exitCode) == [7, 4])

        // Without credentials, or without the upgrade, plain HTTP says why.
        let address = URL(string: "http://127.0.0.1:\(installation.server.port)/v1/sandboxes/\(id)/exec/stream")!
        let (anonymousBody, anonymous) = try await URLSession.shared.data(from: address)
        #expect((anonymous as? HTTPURLResponse)?.statusCode == 401, "\(String(decoding: anonymousBody, as: UTF8.self))")
        guard case .session(let cookie) = installation.api.credential else { return }
        var request = URLRequest(url: address)
        request.setValue("globalstacks_session=\(cookie)", forHTTPHeaderField: "Cookie")
        let (body, plain) = try await URLSession.shared.data(for: request)
        #expect((plain as? HTTPURLResponse)?.statusCode == 400 && String(decoding: body, as: UTF8.self).contains("WebSocket upgrade"))
        // A page of another origin cannot use the visitor's session cookie to open a shell.
        request.setValue("https://elsewhere.example", forHTTPHeaderField: "Origin")
        let (_, foreign) = try await URLSession.shared.data(for: request)
        #expect((foreign as? HTTPURLResponse)?.statusCode == 403)
    }

    /// A request sent as written (an upgrade by hand, or what no URL type lets through, such as `%zz`) on a
    /// connection of its own: the answer's status and body (a 101 has none).
    static func send(
        _ port: Int, _ target: String, _ headers: [String], method: String = "GET", upgrade: Bool = false
    ) async throws -> (status: Int, body: String) {
        let connection = try RawConnection(port: port)
        let upgrading = upgrade ? ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="] : ["Connection: close"]
        connection.send((["\(method) \(target) HTTP/1.1", "Host: 127.0.0.1:\(port)"] + upgrading + headers).joined(separator: "\r\n") + "\r\n\r\n")
        let text = try #require(await connection.readResponse(timeout: .seconds(10)), "an answer to \(target)")
        let status = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? "")
    }

    /// Revoking an API key, signing out and demoting a member each refuse the very next upgrade, as the API does at
    /// once, even when a plain request of the same credential was answered a moment before; and every refused upgrade
    /// says why with the status and message the same request gets without the upgrade.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func aRevokedSignedOutOrDemotedCallerIsRefusedAtTheNextUpgrade(_ engine: TestEngine) async throws {
        var flags = ["--data-dir", LifecycleTests.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning", "--embedded-agent"]
        if engine == .postgres { flags += ["--database-url", try await TestDatabase.make(.postgres).location] }
        let server = try await ServerProcess(flags, environment: LifecycleTests.admin)
        let root = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
        // A business organization (nobody can be invited into a personal one) with Bo as an admin, who may exec.
        let acme = try await root.createOrganization(name: "Acme").id
        try await root.activateOrganization(acme)
        let tenant = try await root.createTenant(name: "Prod", slug: "prod").id
        try await root.activateTenant(tenant)
        let boID = try await root.createUser(email: "bo@example.com", displayName: "Bo", password: "bo-password-123").id
        let invitation = try await root.invite(email: "bo@example.com", role: "admin")
        let bo = try await server.client.signIn(email: "bo@example.com", password: "bo-password-123")
        try await bo.acceptInvitation(token: try #require(invitation.acceptUrl?.components(separatedBy: "/invitations/").last?.components(separatedBy: "/").first))
        try await bo.activateOrganization(acme)
        try await bo.activateTenant(tenant)
        var created: String?
        for _ in 0..<300 where created == nil {  // refused (409) until the embedded agent is online
            created = try? await root.createSandbox(command: ["sleep", "600"]).id
            if created == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let id = try #require(created, "the embedded agent came online")
        var state = try await root.sandbox(id).state
        for _ in 0..<300 where state != .running {
            try await Task.sleep(for: .milliseconds(100))
            state = try await root.sandbox(id).state
        }
        try #require(state == .running)
        let stream = "/v1/sandboxes/\(id)/exec/stream"

        /// Upgrades once (it works), asks without the upgrade (any cache of callers now holds this one), makes the
        /// change, and upgrades again at once: that answer.
        func upgrade(_ credential: String, after change: () async throws -> Void) async throws -> (status: Int, body: String) {
            #expect(try await Self.send(server.port, stream, [credential], upgrade: true).status == 101, "\(credential.prefix(30)) may open a stream")
            #expect(try await Self.send(server.port, stream, [credential]).status == 400, "without the upgrade: the missing upgrade is all that is wrong")
            try await change()
            return try await Self.send(server.port, stream, [credential], upgrade: true)
        }

        let (key, secret) = try await root.createApiKey(name: "shell")
        try await root.with(.bearer(secret)).activateTenant(tenant)
        let revoked = try await upgrade("Authorization: Bearer \(secret)") { try await root.revokeApiKey(key.id) }
        #expect(revoked.status == 401 && revoked.body.contains("This API key is not valid"), "\(revoked)")
        #expect(try await Self.send(server.port, "/v1/sandboxes/\(id)", ["Authorization: Bearer \(secret)"]).status == 401, "as the API answers")

        let leaving = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
        try await leaving.activateOrganization(acme)
        try await leaving.activateTenant(tenant)
        guard case .session(let cookie) = leaving.credential else { throw CancellationError() }
        let signedOut = try await upgrade("Cookie: globalstacks_session=\(cookie)") { try await leaving.signOut() }
        #expect(signedOut.status == 401 && signedOut.body.contains("Your session has ended"), "\(signedOut)")

        guard case .session(let boCookie) = bo.credential else { throw CancellationError() }
        let demoted = try await upgrade("Cookie: globalstacks_session=\(boCookie)") { _ = try await root.setMemberRole(boID, role: "member") }
        #expect(demoted.status == 403 && demoted.body.contains("Only the sandbox's creator and the organization's owners and admins"), "\(demoted)")

        // The other refusals say why as well: no credential, no such sandbox, a sandbox that does not run.
        guard case .session(let rootCookie) = root.credential else { throw CancellationError() }
        let anonymous = try await Self.send(server.port, stream, [], upgrade: true)
        #expect(anonymous.status == 401 && anonymous.body.contains("Sign in first"), "\(anonymous)")
        let unknown = try await Self.send(server.port, "/v1/sandboxes/\(UUID().uuidString.lowercased())/exec/stream", ["Cookie: globalstacks_session=\(rootCookie)"], upgrade: true)
        #expect(unknown.status == 404 && unknown.body.hasPrefix(#"{"message":"No sandbox"#), "\(unknown)")
        _ = try await root.stopSandbox(id)
        let stopped = try await Self.send(server.port, stream, ["Cookie: globalstacks_session=\(rootCookie)"], upgrade: true)
        #expect(stopped.status == 409 && stopped.body.hasPrefix(#"{"message":"#), "\(stopped)")
        try await server.stop(signal: SIGTERM)
    }
}
