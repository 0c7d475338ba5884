import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird
import NIOCore

/// `GET /v1/broker/artifacts/{digest}`: where an agent fetches the artifact of the invocation it was sent, with the
/// credential that came with it (`Authorization: Bearer gsa_…`, valid for that digest until the invocation's
/// deadline). Not part of the public API: no person's credential opens it, and the grant opens nothing else.
struct ArtifactEndpoint {
    let grants: ArtifactGrants
    let content: any ContentStore

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/v1/broker/artifacts/:digest") { request, context -> Response in
            let text = context.parameters.get("digest") ?? ""
            let token = BearerToken.parse(request.headers[.authorization]) ?? ""
            guard let digest = try? ContentDigest.parse(text, field: "digest"), grants.permits(token, digest: digest, for: .invocation, at: Date()) else {
                throw DomainError.unauthenticated("This artifact is fetched with the credential its invocation sent to the agent, before that invocation's deadline.")
            }
            guard let bytes = try await content.get(digest) else {
                throw DomainError.notFound("No content \(digest) is stored here; is content.dir shared by every replica?")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }
}
