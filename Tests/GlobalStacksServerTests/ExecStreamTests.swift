import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GlobalStacksClient
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
        let id = try await SandboxDataPlaneTests.running(installation)

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
}
