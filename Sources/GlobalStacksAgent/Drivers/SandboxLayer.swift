import Foundation

/// The writable layer of a sandbox started from a template: `<driver root>/.layers/<id>/` holds the overlay's
/// `upper` (what the sandbox changed of the template's root), overlayfs's `work`, the `merged` mount point (mounted
/// only inside the sandbox's own mount namespace), and `template`, the hex of the template's digest (so that a
/// snapshot, or a start after a stop, finds the root again after the agent restarted). Outside the sandbox's
/// workspace directory, so the sandbox cannot reach it; kept while the sandbox exists, removed when it is deleted.
struct SandboxLayer: Sendable {
    static let directoryName = ".layers"

    let directory: URL

    init(driverRoot: URL, sessionID: String) {
        directory = driverRoot.appendingPathComponent(Self.directoryName).appendingPathComponent(sessionID)
    }

    var upper: URL { directory.appendingPathComponent("upper") }
    var work: URL { directory.appendingPathComponent("work") }
    var merged: URL { directory.appendingPathComponent("merged") }
    private var templateFile: URL { directory.appendingPathComponent("template") }

    var exists: Bool { FileManager.default.fileExists(atPath: templateFile.path) }

    /// The hex digest of the template the sandbox was started from, when it was.
    var templateHex: String? {
        (try? String(contentsOf: templateFile, encoding: .utf8)).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Makes the layer's directories (a layer already there is kept: a sandbox started again keeps its changes).
    func prepare(templateHex hex: String) throws {
        for made in [upper, work, merged] {
            try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        // Written last: its presence says the layer is whole.
        try hex.write(to: templateFile, atomically: true, encoding: .utf8)
    }

    func remove() throws {
        guard FileManager.default.fileExists(atPath: directory.path) else { return }
        try FileManager.default.removeItem(at: directory)
    }
}
