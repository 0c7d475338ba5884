import Foundation
import GlobalStacksDomain
import Hummingbird
import NIOCore
import Testing
@testable import GlobalStacksServer

/// The E2B edge's own rules, without a server: paths into the workspace, sandbox host names, list filters, states,
/// Connect's framing and error codes.
@Suite("E2B edge mapping")
struct E2BMappingTests {
    @Test func envdPathsStayInTheWorkspace() throws {
        #expect(try EnvdPath("notes/a.txt").relative == "notes/a.txt")
        #expect(try EnvdPath("/workspace").relative == ".")
        #expect(try EnvdPath("/workspace/a/b").relative == "a/b")
        #expect(try EnvdPath("/home/user/a").relative == "a" && EnvdPath("/home/user/a").absolute("a") == "/home/user/a")
        #expect(try EnvdPath(nil).relative == ".")
        #expect(try EnvdPath("/workspace/x").absolute("x/y") == "/workspace/x/y")
        for outside in ["/etc/passwd", "/workspacex/a", "/home/userx", "/"] {
            #expect(throws: DomainError.self, "\(outside)") { try EnvdPath(outside) }
        }
    }

    @Test func sandboxHostNamesNameAPortAndASandbox() {
        let id = SandboxID.generate()
        let found = SandboxHostRouter.address("8000-\(id).Sandboxes.Example.com", domain: "sandboxes.example.com")
        #expect(found?.0 == 8000 && found?.1 == id)
        #expect(SandboxHostRouter.address("49983-\(id).sandboxes.example.com", domain: "sandboxes.example.com")?.0 == 49_983)
        #expect(SandboxHostRouter.address("3000-\(id).sb.test:8080", domain: "sb.test")?.0 == 3000, "a Host with the server's port")
        for host in ["8000-\(id).example.com", "0-\(id).d.test", "70000-\(id).d.test", "8000-not-an-id.d.test", "\(id).d.test", "d.test"] {
            #expect(SandboxHostRouter.address(host, domain: "d.test") == nil, "\(host)")
        }
    }

    @Test func templatesAreListedByNameAndVersion() throws {
        let template = Template(
            id: .generate(), tenantID: nil, name: try Slug(validating: "python-data"), version: 3,
            digest: ContentDigest("sha256:" + String(repeating: "a", count: 64))!, sizeBytes: 50 << 20, config: TemplateConfig(), buildID: .generate(),
            createdBy: .generate(), createdAt: Date(timeIntervalSince1970: 0)
        )
        let listed = E2BMapping.template(template)
        #expect(listed.templateID == "python-data" && listed.aliases == ["python-data", "python-data:3"] && listed.names == ["python-data:3"])
        #expect(listed.public && listed.diskSizeMB == 50 && listed.buildStatus == "ready")
    }

    @Test func listMetadataIsDecodedTwiceAsTheSDKEncodesIt() throws {
        #expect(try E2BListQuery.metadata("a%2520b=c%2526d&x=y") == ["a b": "c&d", "x": "y"])
        #expect(try E2BListQuery.metadata("team=data") == ["team": "data"])
        #expect(throws: DomainError.self) { try E2BListQuery.metadata("novalue") }
        #expect(throws: DomainError.self) { try E2BListQuery.metadata("=v") }
    }

    @Test func onlyRunningAndPausedSandboxesAreVisible() {
        #expect(E2BMapping.state(.running) == "running" && E2BMapping.state(.starting) == "running")
        #expect(E2BMapping.state(.hibernated) == "paused" && E2BMapping.state(.hibernating) == "paused")
        for gone in [SandboxState.stopping, .stopped, .failed, .terminated] {
            #expect(E2BMapping.state(gone) == nil)
        }
    }

    @Test func connectEnvelopesAndErrors() throws {
        var envelope = ConnectProtocol.envelope(Envd.Empty())
        #expect(envelope.readInteger(as: UInt8.self) == 0 && envelope.readInteger(as: UInt32.self) == 2 && envelope.readString(length: 2) == "{}")
        var end = ConnectProtocol.endOfStream(DomainError.notFound("gone"))
        #expect(end.readInteger(as: UInt8.self) == 2)
        let length = Int(end.readInteger(as: UInt32.self) ?? 0)
        let body = try JSONSerialization.jsonObject(with: Data((end.readString(length: length) ?? "").utf8)) as? [String: [String: String]]
        #expect(body == ["error": ["code": "not_found", "message": "gone"]])
        #expect(ConnectError(DomainError.conflict("x already exists.")).code == "already_exists")
        #expect(ConnectError(DomainError.invalidInput("bad")).status == .badRequest)
        #expect(ConnectError(DomainError.unauthenticated("who")).status == .unauthorized)
        #expect(ConnectError(HTTPError(.contentTooLarge)).code == "resource_exhausted")
    }

    @Test func processEndsReadAsGoReportsThem() {
        let exited = EnvdProcessEvent.End(ExecResult(exitCode: 3, signal: nil, timedOut: false, stdoutTruncated: false, stderrTruncated: false, durationMilliseconds: 1), error: nil)
        #expect(exited.exitCode == 3 && exited.exited && exited.status == "exit status 3" && exited.error == "exit status 3")
        let killed = EnvdProcessEvent.End(ExecResult(exitCode: nil, signal: "SIGKILL", timedOut: false, stdoutTruncated: false, stderrTruncated: false, durationMilliseconds: 1), error: nil)
        #expect(killed.exitCode == -1 && !killed.exited && killed.status == "signal: SIGKILL")
        #expect(Envd.EntryInfo.permissions(.directory, mode: 0o755) == "drwxr-xr-x" && Envd.EntryInfo.permissions(.file, mode: 0o644) == "-rw-r--r--")
    }
}

@Suite("Sandbox port proxy rules")
struct SandboxPortProxyRulesTests {
    @Test func ourSecretsAndCookiesNeverReachTheSandbox() {
        #expect(SandboxPortProxy.isOurs("gsk_abc") && SandboxPortProxy.isOurs("gsx_abc") && SandboxPortProxy.isOurs("gse_abc"))
        #expect(!SandboxPortProxy.isOurs("eyJhbGciOi.app-token"))
        #expect(SandboxPortProxy.isForeignCookie("globalstacks_session=x; Path=/"))
        #expect(SandboxPortProxy.isForeignCookie("theme=dark; Domain=sb.test"))
        #expect(!SandboxPortProxy.isForeignCookie("theme=dark; Path=/; HttpOnly"))
    }
}
