import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird
import NIOCore

/// `…/sandboxes/{id}/files?path=dir`: a directory of the sandbox's workspace (`/workspace` unless asked), a file's
/// download, and an upload into the directory (a `multipart/form-data` form, streamed through to the agent like the
/// v1 API's upload, under the server's limit per file).
extension ConsoleController {
    func addSandboxFileRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("t/:external_id/sandboxes/:sandbox_id/files") { request, context in
            try await sandboxFiles(request, SandboxPageAddress(context))
        }
        console.get("t/:external_id/sandboxes/:sandbox_id/files/download") { request, context in
            try await downloadSandboxFile(request, SandboxPageAddress(context))
        }
        console.post("t/:external_id/sandboxes/:sandbox_id/files") { request, context in
            try await uploadSandboxFile(request, SandboxPageAddress(context))
        }
    }

    func sandboxFiles(
        _ request: Request, _ address: SandboxPageAddress, message: String? = nil, notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let directory = SandboxFilesPage.directory(request.uri.queryParameters["path"].map(String.init))
        return try await shellPage(request, route: Self.tenantRoute(request, externalID: address.externalID)) { page in
            let id: SandboxID = try pathID(address.sandboxID, "sandbox")
            let sandbox = try await useCases.sandboxes.sandbox(id, caller: page.caller)
            var listing: DirectoryListing?
            var problem = message
            var answer = status
            do {
                listing = try await useCases.workspace.files(in: directory, of: id, caller: page.caller)
            } catch let error as DomainError where Self.isFixable(error) || error.kind == .notFound {
                // The sandbox is there (it was just read): a missing directory or a stopped sandbox is said on the page,
                // with the refusal's status.
                problem = problem ?? error.message
                if answer == .ok { answer = ErrorResponse(error).status }
            }
            return ConsoleResponse.page(renderer.render("sandbox-files", SandboxFilesPage(
                chrome: page.chrome("Files of \(sandbox.spec.name ?? "sandbox")"), sandbox: SandboxView(sandbox, base: ShellNavigation.tenantEntry(page.context.tenant!), agentName: nil),
                directory: directory, listing: listing, message: problem,
                // Only a file that is there now: a crafted link cannot make the page say something was uploaded.
                notice: notice ?? request.uri.queryParameters["uploaded"].map(String.init).flatMap { name in
                    listing?.entries.contains { $0.name == name } == true ? "Uploaded \(name)." : nil
                }, address: address,
                maximumFileSize: ConsoleFormat.bytes(useCases.workspace.maximumFileBytes)
            )), status: answer)
        }
    }

    func downloadSandboxFile(_ request: Request, _ address: SandboxPageAddress) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let caller = try await tenantCaller(request, visitor: visitor, externalID: address.externalID)
        let path = request.uri.queryParameters["path"].map(String.init) ?? ""
        let bytes = try await useCases.workspace.download(path, of: try pathID(address.sandboxID, "sandbox"), caller: caller)
        let name = SandboxFilesPage.attachmentName(path)
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/octet-stream", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(name)\"",
            ],
            body: ResponseBody { writer in
                for try await chunk in bytes { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            }
        )
    }

    func uploadSandboxFile(_ request: Request, _ address: SandboxPageAddress) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let caller = try await tenantCaller(request, visitor: visitor, externalID: address.externalID)
        let upload = try await MultipartUpload.begin(request)
        try visitor.checkForgery(request, formToken: upload.fields[ConsoleCSRF.fieldName])
        let directory = SandboxFilesPage.directory(request.uri.queryParameters["path"].map(String.init))
        guard let name = upload.fileName else { throw UnprocessableForm(message: "Choose a file to upload.") }
        let target = directory == "/" ? "/\(name)" : "\(directory)/\(name)"
        do {
            let entry = try await useCases.workspace.upload(
                target, expectedBytes: nil, from: upload.fileBytes, of: try pathID(address.sandboxID, "sandbox"), caller: caller
            )
            return ConsoleResponse.redirect(to: SandboxFilesPage.listing(address, directory) + "&uploaded=" + SandboxFilesPage.query(entry.name))
        } catch let error as DomainError where Self.isFixable(error) || error.kind == .notFound {
            return try await sandboxFiles(request, address, message: error.message, status: ErrorResponse(error).status)
        }
    }
}
