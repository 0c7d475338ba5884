import Foundation

/// A command line that sees template layers stacked: it runs in a private mount namespace of its own (`unshare -m`,
/// private propagation) in which `merged` is the overlay of the layers, then execs the command. The mount lives and
/// dies with that namespace, so nothing is left mounted on the host when the command ends, however it ends.
/// bubblewrap (0.8) cannot mount overlays itself; given `merged` as its root (`--bind merged /`), it confines the
/// command in the stacked filesystem. The agent runs as root on the host: the overlay's whiteouts and opaque
/// directories in an upper layer need the real root's mount.
struct OverlayMount: Sendable {
    /// Read-only layers, the topmost first (a template's root last).
    let lowers: [URL]
    /// Where writes go, with overlayfs's work directory beside it on the same filesystem; nil: read-only.
    let writable: (upper: URL, work: URL)?
    let merged: URL

    /// overlayfs takes its directories in one option string: a ':' or ',' in a path would split it.
    static func requireUsable(_ directory: URL) throws(DriverError) {
        guard !directory.path.contains(":"), !directory.path.contains(",") else {
            throw DriverError("The template directory \(directory.path) holds ':' or ',', which overlay mounts cannot take; choose a data directory without them.")
        }
    }

    /// `command`, run with `merged` mounted. A single read-only layer is bind-mounted instead (overlayfs wants two
    /// lower layers when there is no upper one).
    func argv(_ command: [String]) throws(DriverError) -> [String] {
        for directory in lowers + [merged] + (writable.map { [$0.upper, $0.work] } ?? []) {
            try Self.requireUsable(directory)
        }
        let namespace = ["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c"]
        if lowers.count == 1 && writable == nil {
            return namespace + [#"mount --bind "$1" "$2" && shift 2 && exec "$@""#, "gstacks-layer", lowers[0].path, merged.path] + command
        }
        var options = (writable == nil ? "ro," : "") + "lowerdir=" + lowers.map(\.path).joined(separator: ":")
        if let writable { options += ",upperdir=\(writable.upper.path),workdir=\(writable.work.path)" }
        // The options must fit in one page.
        guard options.utf8.count < 4_000 else {
            throw DriverError("The template has too many layers (\(lowers.count)) to stack in one overlay mount; build it with fewer steps.")
        }
        return namespace + [#"mount -t overlay overlay -o "$1" "$2" && shift 2 && exec "$@""#, "gstacks-overlay", options, merged.path] + command
    }
}
