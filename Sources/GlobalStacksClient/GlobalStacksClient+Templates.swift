import Foundation
import GlobalStacksContract
import OpenAPIRuntime

extension GlobalStacksClient {
    public typealias Template = Components.Schemas.Template
    public typealias TemplateBuild = Components.Schemas.TemplateBuild
    public typealias WarmPool = Components.Schemas.WarmPool

    public func templates() async throws -> [Template] {
        try await call { try await client.listTemplates().ok.body.json.items }
    }

    /// Deletes every version of a template, or one; refused while sandboxes use it.
    public func deleteTemplate(_ name: String, version: Int? = nil, platform: Bool = false) async throws -> [Template] {
        try await call {
            try await client.deleteTemplate(path: .init(templateName: name), query: .init(version: version, platform: platform ? true : nil)).ok.body.json.items
        }
    }

    public func setWarmPool(_ template: String, size: Int) async throws -> WarmPool {
        try await call { try await client.setTemplateWarmPool(path: .init(templateName: template), body: .json(.init(size: size))).ok.body.json }
    }

    /// Uploads a build context (a tar archive); answers its digest.
    public func uploadTemplateContext(_ archive: Data) async throws -> String {
        try await call { try await client.uploadTemplateContext(body: .binary(HTTPBody(archive))).ok.body.json.digest }
    }

    public func buildTemplate(name: String, definition: String, contextDigest: String?, platform: Bool = false) async throws -> TemplateBuild {
        try await call {
            try await client.createTemplateBuild(body: .json(.init(
                name: name, definition: definition, contextDigest: contextDigest, platform: platform ? true : nil
            ))).accepted.body.json
        }
    }

    public func templateBuilds() async throws -> [TemplateBuild] {
        try await call { try await client.listTemplateBuilds().ok.body.json.items }
    }

    public func templateBuild(_ id: String) async throws -> TemplateBuild {
        try await call { try await client.getTemplateBuild(path: .init(buildId: id)).ok.body.json }
    }

    /// The build's log from `offset` on, the build now, and the offset to ask from next.
    public func templateBuildLog(_ id: String, from offset: Int) async throws -> (text: String, build: TemplateBuild, nextOffset: Int) {
        let log = try await call { try await client.getTemplateBuildLog(path: .init(buildId: id), query: .init(offset: offset)).ok.body.json }
        return (log.text, log.build, log.nextOffset)
    }

    /// Follows a build's log until it is finished, handing each new piece to `print`; answers the finished build.
    public func followTemplateBuild(_ id: String, print: (String) -> Void) async throws -> TemplateBuild {
        var offset = 0
        while true {
            let (text, build, next) = try await templateBuildLog(id, from: offset)
            if !text.isEmpty { print(text) }
            offset = next
            if build.status == .succeeded || build.status == .failed {
                // What was written between the read and the status.
                let (rest, finished, _) = try await templateBuildLog(id, from: offset)
                if !rest.isEmpty { print(rest) }
                return finished
            }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    public func snapshotSandbox(_ id: String, name: String) async throws -> TemplateBuild {
        try await call { try await client.snapshotSandbox(path: .init(sandboxId: id), body: .json(.init(name: name))).accepted.body.json }
    }
}
