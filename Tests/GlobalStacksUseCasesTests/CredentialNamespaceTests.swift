import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Testing

/// A tenant admin's credential references stay inside the tenant's namespace: its variables, its directory.
@Suite("Credential namespace")
struct CredentialNamespaceTests {
    @Test func referencesOutsideTheTenantsNamespaceAreRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-namespace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("tnt-a"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let namespace = CredentialNamespace(credentialsDirectory: directory.path, tenantExternalID: "tnt-a")
        #expect(namespace.environmentPrefix == "GSTACKS_CREDENTIAL_TNT_A_")
        let tenantDirectory = try #require(namespace.tenantDirectory)

        try namespace.check(reference: "env:GSTACKS_CREDENTIAL_TNT_A_TOKEN", files: ["\(tenantDirectory)/groups.json"])
        try namespace.check(reference: "file:\(tenantDirectory)/token", files: [])
        #expect(throws: DomainError.self, "another tenant's variable") { try namespace.check(reference: "env:GSTACKS_CREDENTIAL_TNT_B_TOKEN", files: []) }
        #expect(throws: DomainError.self, "another tenant's file") { try namespace.check(reference: "file:\(directory.path)/tnt-b/token", files: []) }
        #expect(throws: DomainError.self, "a way out") { try namespace.check(reference: nil, files: ["\(tenantDirectory)/../tnt-b/groups.json"]) }
        #expect(throws: DomainError.self, "a relative path") { try namespace.check(reference: "file:token", files: []) }

        let withoutDirectory = CredentialNamespace(credentialsDirectory: nil, tenantExternalID: "tnt-a")
        #expect(throws: DomainError.invalidInput("The server has no credentials directory (--credentials-dir), so connections cannot use files.")) {
            try withoutDirectory.check(reference: "file:/etc/token", files: [])
        }
    }
}
