import Foundation
@testable import GlobalStacksDomain
import Testing

/// The Dockerfile subset a template definition is written in: what each instruction becomes, and refusals that say
/// which line and why.
@Suite("Domain: template definitions (Dockerfile subset)")
struct DockerfileTests {
    @Test func aDefinitionBecomesABaseStepsAndTheTemplatesSettings() throws {
        let definition = try Dockerfile.parse("""
            # syntax is ignored as a comment
            FROM debian:bookworm
            ENV PIP_NO_CACHE_DIR=1 GREETING="hello world"
            RUN apt-get update && \\
                apt-get install -y hello
            WORKDIR /srv
            WORKDIR app
            COPY ./requirements.txt src/ ./
            USER 1000:1000
            RUN ["pip", "install", "-r", "requirements.txt"]
            ENV MODE debug
            CMD ["python3", "-m", "http.server", "8000"]
            HEALTHCHECK --interval=5s CMD curl -f http://localhost:8000/
            """)
        #expect(definition.base == .debian("bookworm"))
        #expect(definition.steps.count == 3)
        #expect(definition.steps[0].action == .run("apt-get update && apt-get install -y hello"), "continuation lines are joined")
        #expect(definition.steps[0].environment == ["PIP_NO_CACHE_DIR": "1", "GREETING": "hello world"] && definition.steps[0].user == "root")
        #expect(definition.steps[1].action == .copy(sources: ["requirements.txt", "src/"], destination: "./"))
        #expect(definition.steps[1].workingDirectory == "/srv/app", "a relative WORKDIR joins the one before")
        #expect(definition.steps[2].action == .run("pip install -r requirements.txt") && definition.steps[2].user == "1000")
        #expect(definition.config.environment == ["PIP_NO_CACHE_DIR": "1", "GREETING": "hello world", "MODE": "debug"])
        #expect(definition.config.workingDirectory == "/srv/app" && definition.config.user == "1000")
        #expect(definition.config.command == ["python3", "-m", "http.server", "8000"])
        #expect(definition.config.readyCommand == ["/bin/sh", "-c", "curl -f http://localhost:8000/"])
        #expect(definition.needsContext)
    }

    @Test func aTemplateCanBeTheBaseAndShellFormsRunThroughTheShell() throws {
        let definition = try Dockerfile.parse("from python-data:3\nrun echo 'it''s'\ncmd sleep infinity\n")
        #expect(definition.base == .template(.name(try Slug(validating: "python-data"), version: 3)))
        #expect(definition.steps.map(\.action) == [.run("echo 'it''s'")])
        #expect(definition.config.command == ["/bin/sh", "-c", "sleep infinity"])
        #expect(!definition.needsContext)
        let digest = "sha256:" + String(repeating: "a", count: 64)
        #expect(try Dockerfile.parse("FROM \(digest)").base == .template(.digest(ContentDigest(digest)!)))
    }

    @Test(arguments: [
        ("", "empty"),
        ("RUN true", "starts with FROM"),
        ("FROM debian:sid", "is not one a build can start from"),
        ("FROM scratch", "FROM scratch"),
        ("FROM base", "default root"),
        ("FROM debian:bookworm AS build", "one image"),
        ("FROM debian:bookworm\nFROM debian:bookworm", "Line 2: Only one FROM"),
        ("FROM debian:bookworm\nADD https://x/y /y", "Line 2: ADD is not supported"),
        ("FROM debian:bookworm\nEXPOSE 80", "EXPOSE is not supported"),
        ("FROM debian:bookworm\nCOPY ../secret /s", "relative, without '..'"),
        ("FROM debian:bookworm\nCOPY /etc/passwd /p", "relative, without '..'"),
        ("FROM debian:bookworm\nCOPY --chown=1:1 a /a", "--chown=1:1 is not supported"),
        ("FROM debian:bookworm\nCOPY a", "sources and a destination"),
        ("FROM debian:bookworm\nENV 1BAD=x", "must be letters"),
        ("FROM debian:bookworm\nENV A=\"open", "unterminated quote"),
        ("FROM debian:bookworm\nWORKDIR /a/../b", "may not contain '..'"),
        ("FROM debian:bookworm\nUSER root;rm", "USER takes a user name"),
        ("FROM debian:bookworm\nCMD [\"a\", 1]", "JSON array of strings"),
        ("FROM debian:bookworm\nHEALTHCHECK curl x", "HEALTHCHECK takes CMD"),
        ("FROM debian:bookworm\nRUN", "RUN needs arguments"),
    ])
    func whatIsNotSupportedIsRefusedWithItsLine(text: String, words: String) {
        do {
            _ = try Dockerfile.parse(text)
            Issue.record("accepted: \(text)")
        } catch let error as DomainError {
            #expect(error.kind == .invalidInput && error.message.contains(words), "\(error.message)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func definitionsHaveLimits() throws {
        #expect(throws: DomainError.self) { try Dockerfile.parse("FROM debian:bookworm\n" + String(repeating: "RUN true\n", count: 65)) }
        #expect(throws: DomainError.self) { try Dockerfile.parse("FROM debian:bookworm\n" + String(repeating: "# comment\n", count: 8_000)) }
        #expect(throws: DomainError.self) { try Dockerfile.parse("FROM debian:bookworm\nRUN echo \u{01}") }
        // A lone continuation: blanks, not a crash.
        #expect(try Dockerfile.parse("FROM debian:bookworm\n\\\n\n  \\\n").steps.isEmpty)
        #expect(try Dockerfile.parse("FROM debian:bookworm\n\\").steps.isEmpty)
    }

    @Test func templateReferencesNameAVersionADigestOrTheHostsRoot() throws {
        #expect(try TemplateReference.parse("base") == nil)
        #expect(try TemplateReference.parse("tools") == .name(try Slug(validating: "tools"), version: nil))
        #expect(try TemplateReference.parse("tools:2") == .name(try Slug(validating: "tools"), version: 2))
        for bad in ["tools:0", "tools:x", "Tools", "sha256:abc", "a b"] {
            #expect(throws: DomainError.self, "\(bad)") { try TemplateReference.parse(bad) }
        }
    }

    @Test func aBuildsStatusMovesOnlyForward() {
        #expect(TemplateBuildStatus.queued.canTransition(to: .running) && TemplateBuildStatus.queued.canTransition(to: .failed))
        #expect(!TemplateBuildStatus.queued.canTransition(to: .succeeded), "nothing succeeds without running")
        #expect(!TemplateBuildStatus.succeeded.canTransition(to: .failed) && !TemplateBuildStatus.failed.canTransition(to: .running))
    }
}
