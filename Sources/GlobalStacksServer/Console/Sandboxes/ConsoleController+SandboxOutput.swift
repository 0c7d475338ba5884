import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// `…/sandboxes/{id}/output.json?offset=N`: the sandbox's output from byte N on, one bounded piece per answer, as
/// the page's `pre[data-follow]` polls it: `{"text": "...", "offset": N, "more": true}` (`more`: there is more
/// already, ask again at once).
extension ConsoleController {
    func addSandboxOutputRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("t/:external_id/sandboxes/:sandbox_id/output.json") { request, context in
            try await sandboxOutput(request, SandboxPageAddress(context))
        }
    }

    func sandboxOutput(_ request: Request, _ address: SandboxPageAddress) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let caller = try await tenantCaller(request, visitor: visitor, externalID: address.externalID)
        let id: SandboxID = try pathID(address.sandboxID, "sandbox")
        guard let offset = Int64(request.uri.queryParameters["offset"].map(String.init) ?? "0"), offset >= 0 else {
            throw DomainError.invalidInput("offset must be a byte count, 0 or more.")
        }
        return try ConsoleResponse.json(try await readOutputPiece(id, from: offset, caller: caller))
    }

    /// One piece of the output from `offset`, cut before a character split at its end (the next piece starts there).
    func readOutputPiece(_ id: SandboxID, from offset: Int64, caller: Caller) async throws -> OutputPiece {
        let maximum = WorkspaceService.maximumOutputPieceBytes
        var bytes: [UInt8] = []
        for try await chunk in try await useCases.workspace.output(of: id, fromByte: offset, maximumBytes: maximum, caller: caller) {
            bytes += chunk
        }
        let full = bytes.count >= maximum
        let whole = full ? OutputPiece.completeCharacters(bytes) : bytes[...]
        return OutputPiece(text: String(decoding: whole, as: UTF8.self), offset: offset + Int64(whole.count), more: full)
    }
}

struct OutputPiece: Encodable {
    let text: String
    let offset: Int64
    let more: Bool

    /// The bytes without a UTF-8 sequence cut short at the end.
    static func completeCharacters(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        guard !bytes.isEmpty else { return [] }
        // A lead byte within the last three whose sequence does not fit is where the piece ends.
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            if byte & 0b1100_0000 == 0b1000_0000 { continue }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            return length > back ? bytes[..<(bytes.count - back)] : bytes[...]
        }
        return bytes[...]
    }
}
