import Crypto
import Foundation
import Hummingbird
import NIOCore

/// The console's own stylesheet and script, compiled into the binary and served with a validator so browsers keep
/// them. Debian's xterm.js (`libjs-xterm`) is served from the system when installed: a dependency, not a copy.
enum ConsoleAssets {
    static let xtermDirectory = "/usr/share/javascript/xterm"

    static func addRoutes(to console: RouterGroup<AppRequestContext>) {
        let stylesheet = Asset(body: Asset.stylesheet, contentType: "text/css; charset=utf-8")
        let script = Asset(body: Asset.script, contentType: "text/javascript; charset=utf-8")
        let terminal = Asset(body: Asset.terminal, contentType: "text/javascript; charset=utf-8")
        console.get("assets/console.css") { request, _ in stylesheet.response(request) }
        console.get("assets/console.js") { request, _ in script.response(request) }
        console.get("assets/terminal.js") { request, _ in terminal.response(request) }
        console.get("assets/xterm/:file") { request, context -> Response in
            // Only the two files the terminal page loads, from the system's copy.
            let file = context.parameters.get("file") ?? ""
            guard ["xterm.js", "xterm.css"].contains(file),
                  let data = FileManager.default.contents(atPath: "\(xtermDirectory)/\(file)") ?? FileManager.default.contents(atPath: "\(xtermDirectory)/lib/\(file)")
                    ?? FileManager.default.contents(atPath: "\(xtermDirectory)/css/\(file)")
            else { throw HTTPError(.notFound) }
            return Asset(body: String(decoding: data, as: UTF8.self), contentType: file.hasSuffix(".css") ? "text/css" : "text/javascript").response(request)
        }
    }

    /// Whether the terminal can use xterm.js (else it falls back to a line-mode terminal). Debian 12's
    /// libjs-xterm 3.8.1 installs only a CommonJS stub (`require("./public/Terminal")`) as xterm.js, which no browser
    /// can load; a browser bundle is hundreds of KiB, so a small file does not count.
    static let hasXterm: Bool = ["\(xtermDirectory)/xterm.js", "\(xtermDirectory)/lib/xterm.js"].contains { path in
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0) > 64 << 10
    }
}

/// One static file with its entity tag.
struct Asset: Sendable {
    let body: String
    let contentType: String
    let etag: String

    init(body: String, contentType: String) {
        self.body = body
        self.contentType = contentType
        self.etag = "\"" + SHA256.hash(data: Data(body.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
    }

    func response(_ request: Request) -> Response {
        if request.headers[.ifNoneMatch] == etag {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        return Response(
            status: .ok,
            headers: [.contentType: contentType, .eTag: etag, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }
}
