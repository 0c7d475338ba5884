import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Logging

/// Carries out `build_template` on this agent. The base is a Debian release bootstrapped with debootstrap (as root on
/// the host: Debian's signed packages, nothing of the user's) and normalized for single-owner templates, or an
/// existing template's root. Each step then runs confined with bubblewrap in its own namespaces, the step's user
/// seeing itself as `user` (every file belongs to the agent's user outside, which that user maps to), with network,
/// on an overlay of the layers so far with a fresh upper directory; that upper directory, once the step succeeded, is
/// the step's layer, kept by the step's key (`<directory>/layers/<hex>`), so a later build with the same steps so far
/// skips them. Builds on this agent that need the same missing layer make it once: one builds, the others wait and
/// use it. The result is flattened (a read-only overlay of every layer) into a zstd-compressed tar archive, uploaded
/// with the build's grant, and kept in the `TemplateStore` for sandboxes here.
public actor TemplateBuilder {
    /// The longest a build may be asked to take.
    static let maximumTimeoutSeconds = 6 * 3_600

    /// Whether this host can build templates: root (it bootstraps Debian and mounts overlays), bubblewrap, and the
    /// tools a build runs.
    public static var isAvailable: Bool {
        guard getuid() == 0, case .bubblewrap = SandboxIsolation.detect() else { return false }
        return ["/usr/sbin/debootstrap", "/usr/bin/zstd", "/usr/bin/unshare", "/bin/mount"].allSatisfy(FileManager.default.isExecutableFile(atPath:))
    }
    /// Where `apt-get` and friends find programs in a step, unless the step's `ENV` says otherwise.
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    /// apt drops to its `_apt` user to download; in a single-uid user namespace that user does not exist.
    static let aptSandboxSetting = (file: "etc/apt/apt.conf.d/00gstacks-single-owner", text: "APT::Sandbox::User \"root\";\n")
    /// Where a `COPY` step sees the build context (on a tmpfs over `/run`, so nothing of it stays in the layer).
    static let contextInside = "/run/gstacks-context"

    private let layers: URL
    private let builds: URL
    private let store: TemplateStore
    let transfer: TemplateTransfer
    private let isolation: SandboxIsolation
    private let debianMirror: String
    private let scope: ResourceLimits.Scope
    private let logger: Logger
    /// Layers being made, by key: the builds waiting for each.
    private var making: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Keeps layers and builds' scratch directories under `directory`; removes what an interrupted build left there.
    public init(
        directory: URL, store: TemplateStore, serverURL: URL, isolation: SandboxIsolation = .detect(),
        debianMirror: String = BuildTemplatePayload.defaultDebianMirror, logger: Logger
    ) throws {
        layers = directory.appendingPathComponent("layers")
        builds = directory.appendingPathComponent("builds")
        for made in [layers, builds] {
            try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try OverlayMount.requireUsable(made)
        }
        try? FileManager.default.removeItem(at: builds)
        try FileManager.default.createDirectory(at: builds, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layers.path)) ?? [] where name.hasPrefix(".") {
            try? FileManager.default.removeItem(at: layers.appendingPathComponent(name))
        }
        self.store = store
        transfer = TemplateTransfer(serverURL: serverURL)
        self.isolation = isolation
        self.debianMirror = debianMirror
        scope = ResourceLimits.Scope(root: builds)
        self.logger = logger
    }

    /// Builds, uploads and keeps the template; its log goes to `log`. Ends every process of the build when the task is
    /// cancelled or the build's timeout passes.
    func build(_ payload: BuildTemplatePayload, log: BuildLog) async throws -> TemplateBuildResult {
        try Self.validate(payload)
        let timedOut = StopSignal()
        let work = Task { try await self.run(payload, log: log) }
        let timer = Task {
            try await Task.sleep(for: .seconds(payload.timeoutSeconds))
            timedOut.set()
            work.cancel()
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
        } catch where timedOut.isSet {
            throw DriverError("The build took longer than its timeout of \(payload.timeoutSeconds) s and was ended.", kind: .conflict)
        }
    }

    static func validate(_ payload: BuildTemplatePayload) throws(DriverError) {
        switch (payload.base.debian, payload.base.template) {
        case (let release?, nil):
            guard !release.isEmpty, release.count <= 32, release.allSatisfy({ $0.isASCII && $0.isLowercase }) else {
                throw DriverError("A Debian base is a release name in lowercase letters (bookworm, trixie), not \(release).", kind: .invalidInput)
            }
        case (nil, .some): break
        default: throw DriverError("A build's base is either a Debian release or a template, exactly one.", kind: .invalidInput)
        }
        _ = try TemplateTransfer.hex(payload.baseKey)
        guard payload.timeoutSeconds > 0, payload.timeoutSeconds <= maximumTimeoutSeconds else {
            throw DriverError("A build's timeout must be 1 to \(maximumTimeoutSeconds) seconds.", kind: .invalidInput)
        }
        for step in payload.steps {
            _ = try TemplateTransfer.hex(step.key)
            guard (step.run == nil) != (step.copy == nil) else {
                throw DriverError("Step \(step.instruction) must either run a command or copy files, exactly one.", kind: .invalidInput)
            }
            guard step.workingDirectory.hasPrefix("/"), !step.workingDirectory.contains("\0"), !step.user.isEmpty, !step.user.contains(":"),
                  ([step.run ?? "", step.user] + step.environment.flatMap { [$0.key, $0.value] }).allSatisfy({ !$0.contains("\0") }),
                  step.environment.keys.allSatisfy({ !$0.isEmpty && !$0.contains("=") })
            else { throw DriverError("Step \(step.instruction) has an invalid working directory, user or environment.", kind: .invalidInput) }
            if let copy = step.copy {
                guard copy.sources.allSatisfy(isContextPath), !copy.destination.isEmpty, !copy.destination.contains("\0") else {
                    throw DriverError("\(step.instruction): sources are relative paths of the build context, without '..'.", kind: .invalidInput)
                }
                guard payload.context != nil else {
                    throw DriverError("\(step.instruction): the build has no context to copy from.", kind: .invalidInput)
                }
            }
        }
    }

    static func isContextPath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.contains("\0") && !path.split(separator: "/").contains("..")
    }

    private func run(_ payload: BuildTemplatePayload, log: BuildLog) async throws -> TemplateBuildResult {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let started = ContinuousClock.now
        // The layers so far, the base first.
        var stack: [URL]
        if let release = payload.base.debian {
            try await log.line("FROM debian:\(release)")
            let (base, cached) = try await layer(payload.baseKey) { tree in try await self.bootstrap(release, into: tree, log: log) }
            if cached { try await log.line("CACHED FROM debian:\(release)") }
            stack = [base]
        } else {
            let template = payload.base.template!
            try await log.line("FROM \(template.digest)")
            do {
                stack = [try await store.root(template)]
            } catch {
                throw DriverError("could not fetch template \(template.digest): \(error)")
            }
        }
        var context: URL?
        var cachedSteps = 0
        for (index, step) in payload.steps.enumerated() {
            let (made, cached) = try await layer(step.key) { upper in
                try await log.line("STEP \(index + 1)/\(payload.steps.count): \(step.instruction)")
                let place = scratch.appendingPathComponent("step-\(index + 1)")
                let mount = OverlayMount(lowers: stack.reversed(), writable: (upper, place.appendingPathComponent("work")), merged: place.appendingPathComponent("merged"))
                for directory in [place, mount.writable!.work, mount.merged] {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
                }
                if let copy = step.copy {
                    if context == nil { context = try await self.unpackContext(payload.context!, in: scratch, log: log) }
                    try await self.copy(copy, step: step, context: context!, mount: mount, layers: stack, log: log)
                } else {
                    try await self.run(step, number: index + 1, buildID: payload.buildId, resources: payload.resources, mount: mount, layers: stack, log: log)
                }
            }
            if cached {
                try await log.line("CACHED \(step.instruction)")
                cachedSteps += 1
            }
            stack.append(made)
        }
        try await log.line("Writing the template's archive")
        let archive = scratch.appendingPathComponent("template.tar.zst")
        let merged = scratch.appendingPathComponent("merged")
        try FileManager.default.createDirectory(at: merged, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let flat = try OverlayMount(lowers: stack.reversed(), writable: nil, merged: merged).argv(TemplateArchive.tarArgv(["-C", merged.path, "."]))
        let (hex, size) = try await TemplateArchive.pack(flat, to: archive)
        let received = try await transfer.upload(archive, hex: hex, size: size, to: payload.upload)
        try await keep(archive, hex: hex)
        let elapsed = ContinuousClock.now - started
        try await log.line("Built \(received.digest) (\(size) bytes, \(cachedSteps) of \(payload.steps.count) steps cached) in \(elapsed.components.seconds) s")
        logger.info("Template built", metadata: ["build_id": "\(payload.buildId)", "digest": "\(received.digest)", "cached_steps": "\(cachedSteps)"])
        return TemplateBuildResult(digest: received.digest, sizeBytes: size, steps: payload.steps.count, cachedSteps: cachedSteps)
    }

    /// A fresh directory for one build's (or snapshot's) files, removed when it ends.
    func scratchDirectory() throws -> URL {
        let scratch = builds.appendingPathComponent(UUID().uuidString.lowercased())
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return scratch
    }

    /// Puts the built root into the store (unpacked from the archive just sent: the same bytes any agent gets).
    func keep(_ archive: URL, hex: String) async throws {
        guard !FileManager.default.fileExists(atPath: store.path(hex: hex).path) else { return }
        let staging = try store.staging()
        defer { try? FileManager.default.removeItem(at: staging) }
        let tree = staging.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        try await TemplateArchive.unpack(archive, into: tree)
        try await store.put(tree, hex: hex)
    }

    /// The layer kept under `key`, made by `make` into a fresh directory when there is none (and kept only when
    /// `make` succeeds); whether it was there already. One maker per key on this agent: the others wait for it.
    private func layer(_ key: String, make: (URL) async throws -> Void) async throws -> (URL, cached: Bool) {
        let hex = try TemplateTransfer.hex(key)
        let layer = layers.appendingPathComponent(hex)
        if FileManager.default.fileExists(atPath: layer.path) { return (layer, true) }
        while making[hex] != nil {
            await withCheckedContinuation { making[hex, default: []].append($0) }
        }
        if FileManager.default.fileExists(atPath: layer.path) { return (layer, true) }
        making[hex] = []
        defer {
            for waiter in making.removeValue(forKey: hex) ?? [] { waiter.resume() }
        }
        let temporary = layers.appendingPathComponent(".making-\(hex)-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        do {
            try await make(temporary)
            try Task.checkCancellation()
            try FileManager.default.moveItem(at: temporary, to: layer)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        return (layer, false)
    }

    /// debootstrap's minimal Debian into `tree`, then every file given to root (the single owner) and apt told not
    /// to drop to a user that the steps' namespace cannot have.
    private func bootstrap(_ release: String, into tree: URL, log: BuildLog) async throws {
        guard let debootstrap = ["/usr/sbin/debootstrap", "/usr/bin/debootstrap", "/sbin/debootstrap"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw DriverError("debootstrap is not installed on this agent (apt-get install debootstrap), so it cannot build from a Debian release.", kind: .conflict)
        }
        let (status, tail) = try await log.run([
            "/usr/bin/env", "PATH=\(Self.defaultPath)", debootstrap, "--variant=minbase", release, tree.path, debianMirror,
        ])
        guard status == 0 else {
            throw DriverError("debootstrap of Debian \(release) from \(debianMirror) failed with status \(status); the end of its output:\n\(tail)")
        }
        let (chownStatus, chownTail) = try await log.run(["/bin/chown", "-R", "-h", "0:0", tree.path])
        guard chownStatus == 0 else { throw DriverError("Giving the base's files to root failed: \(chownTail)") }
        let setting = tree.appendingPathComponent(Self.aptSandboxSetting.file)
        try FileManager.default.createDirectory(at: setting.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.aptSandboxSetting.text.write(to: setting, atomically: false, encoding: .utf8)
    }

    /// A `RUN` step: `/bin/sh -c` of its command in its working directory (made if missing), confined, with network.
    private func run(
        _ step: TemplateBuildStep, number: Int, buildID: String, resources: [String: String], mount: OverlayMount, layers: [URL], log: BuildLog
    ) async throws {
        let (uid, gid, home) = try Self.user(step.user, layers: layers)
        var environment = ["PATH": Self.defaultPath, "HOME": home]
        environment.merge(step.environment) { _, given in given }
        let cpu = try resources["cpu"].map { try CPUQuantity(parsing: $0).millicores }
        let memory = try resources["memory"].map { try ByteQuantity(parsing: $0).bytes }
        let limits = ResourceLimits.prepare(scope: scope, sessionID: "\(buildID)-\(number)", cpuMillicores: cpu, memoryBytes: memory, fileSizeBytes: nil, logger: logger)
        defer { limits.release() }
        let command = ["/bin/sh", "-c", #"mkdir -p -- "$1" && cd -- "$1" && exec /bin/sh -c "$2""#, "gstacks-step", step.workingDirectory, step.run!]
        let argv = try limits.prefix + mount.argv(isolation.templateArgv(
            command, root: mount.merged, uid: uid, gid: gid, binds: [], directory: nil, network: true, environment: environment, newSession: limits.freezer != nil
        ))
        let (status, tail) = try await log.run(argv, limits: limits, disk: mount.writable.map { .step($0.upper) })
        guard status == 0 else {
            throw DriverError("\(step.instruction) failed with status \(status); the end of its output:\n\(tail)", kind: .invalidInput)
        }
    }

    /// A `COPY` step: the sources from the unpacked context to the destination, by `cp` inside the step's confinement
    /// (so a link in the context can reach nothing but the template itself), no network.
    private func copy(_ copy: TemplateCopy, step: TemplateBuildStep, context: URL, mount: OverlayMount, layers: [URL], log: BuildLog) async throws {
        for source in copy.sources {
            try Self.requireInContext(source, context: context, instruction: step.instruction)
        }
        let (uid, gid, home) = try Self.user(step.user, layers: layers)
        let script = #"""
            set -e
            wd=$1; dest=$2; shift 2
            mkdir -p -- "$wd"; cd -- "$wd"
            case "$dest" in */) into=1 ;; *) if [ $# -gt 1 ]; then into=1; else into=0; fi ;; esac
            for s; do
                src=/run/gstacks-context/$s
                if [ -d "$src" ] && [ ! -L "$src" ]; then
                    mkdir -p -- "$dest"; cp -R -P --preserve=mode,timestamps,links -- "$src/." "$dest/"
                elif [ $into = 1 ]; then
                    mkdir -p -- "$dest"; cp -P --preserve=mode,timestamps -- "$src" "$dest/"
                else
                    mkdir -p -- "$(dirname -- "$dest")"; cp -P --preserve=mode,timestamps -- "$src" "$dest"
                fi
            done
            """#
        let command = ["/bin/sh", "-c", script, "gstacks-copy", step.workingDirectory, copy.destination] + copy.sources
        let argv = try mount.argv(isolation.templateArgv(
            command, root: mount.merged, uid: uid, gid: gid, binds: ["--tmpfs", "/run", "--ro-bind", context.path, Self.contextInside], directory: nil,
            network: false, environment: ["PATH": Self.defaultPath, "HOME": home], newSession: false
        ))
        let (status, tail) = try await log.run(argv, disk: mount.writable.map { .step($0.upper) })
        guard status == 0 else {
            throw DriverError("\(step.instruction) failed with status \(status): \(tail)", kind: .invalidInput)
        }
    }

    /// A source must be in the context: no component before its last may be a link (which could lead out of it).
    static func requireInContext(_ source: String, context: URL, instruction: String) throws(DriverError) {
        var path = context.path
        let components = source.split(separator: "/").filter { $0 != "." }
        for (index, component) in components.enumerated() {
            path += "/" + component
            // attributesOfItem does not follow a link.
            guard let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType else {
                throw DriverError("\(instruction): \(source) is not in the build context.", kind: .invalidInput)
            }
            if index < components.count - 1, type == .typeSymbolicLink {
                throw DriverError("\(instruction): \(source) goes through a link of the build context; copy what the link points to instead.", kind: .invalidInput)
            }
        }
    }

    /// Fetches the build context (checked against its digest) and unpacks it confined (a hostile archive can write
    /// only into the scratch directory), once per build.
    private func unpackContext(_ artifact: TemplateArtifact, in scratch: URL, log: BuildLog) async throws -> URL {
        let staging = scratch.appendingPathComponent("context-staging")
        try FileManager.default.createDirectory(at: staging.appendingPathComponent("tree"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try await transfer.download(artifact, to: staging.appendingPathComponent("context"))
        let inside = isolation.workspacePath(hostDirectory: staging)
        let argv = isolation.argv(
            ["/bin/tar", "-x", "--no-same-owner", "-f", inside + "/context", "-C", inside + "/tree"],
            workspace: staging, network: false, environment: ["PATH": "/usr/bin:/bin"], newSession: false
        )
        // A small archive may unpack huge: what it puts on the disk is measured as a step's is.
        let (status, tail) = try await log.run(argv, disk: .step(staging))
        guard status == 0 else { throw DriverError("The build context is not a tar archive (plain, gzip or zstd) this agent can unpack: \(tail.prefix(500))", kind: .invalidInput) }
        return staging.appendingPathComponent("tree")
    }

    /// The uid, gid and home of `user` (a name of the template's /etc/passwd, or a number) in the layers so far.
    static func user(_ user: String, layers: [URL]) throws(DriverError) -> (uid: Int, gid: Int, home: String) {
        let passwd = layers.reversed().lazy.compactMap { try? String(contentsOf: $0.appendingPathComponent("etc/passwd"), encoding: .utf8) }.first ?? ""
        let entries = passwd.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }.filter { $0.count >= 7 }
        if let number = Int(user), number >= 0, number < 65_535 {
            let entry = entries.first { Int($0[2]) == number }
            return (number, entry.flatMap { Int($0[3]) } ?? number, entry?[5] ?? "/")
        }
        guard let entry = entries.first(where: { $0[0] == user }), let uid = Int(entry[2]), let gid = Int(entry[3]) else {
            throw DriverError("USER \(user): no such user in the template's /etc/passwd.", kind: .invalidInput)
        }
        return (uid, gid, entry[5])
    }
}
