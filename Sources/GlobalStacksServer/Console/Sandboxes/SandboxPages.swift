import Foundation
import GlobalStacksDomain

/// A sandbox as its pages show it.
struct SandboxView {
    let id: String, name: String, href: String, state: String, command: String, cpu: String, memory: String, storage: String
    let network: String, agent: String, createdAt: String, stateChangedAt: String, lastError: String?, exitStatus: String?
    let running: Bool

    init(_ sandbox: Sandbox, base: String, agentName: String?) {
        let spec = sandbox.spec
        id = sandbox.id.rawValue
        name = spec.name ?? String(sandbox.id.rawValue.prefix(8))
        href = "\(base)/sandboxes/\(sandbox.id.rawValue)"
        state = sandbox.state.rawValue
        command = spec.command.isEmpty ? (spec.template ?? "") : spec.command.joined(separator: " ")
        (cpu, memory, storage) = (spec.cpu.description, spec.memory.description, spec.storage.bytes == 0 ? "not limited" : spec.storage.description)
        network = spec.network ? "allowed" : "none"
        agent = agentName ?? String(sandbox.agentID.rawValue.prefix(8))
        createdAt = ConsoleFormat.time(sandbox.createdAt)
        stateChangedAt = ConsoleFormat.time(sandbox.stateChangedAt)
        lastError = sandbox.lastError
        exitStatus = sandbox.exitStatus.map(String.init)
        running = sandbox.state == .running
    }
}

struct NewSandboxPage {
    /// What the form holds: its defaults, or what was posted when the form comes back with a message.
    struct Values {
        let name: String, command: String, cpu: String, memory: String, network: Bool

        static let defaults = Values(name: "", command: "", cpu: SandboxSpec.defaultCPU.description, memory: SandboxSpec.defaultMemory.description, network: false)
        /// Runs when no command is given: a sandbox that waits, to work in with the terminal and files.
        static let defaultCommand = ["sleep", "infinity"]

        init(name: String, command: String, cpu: String, memory: String, network: Bool) {
            (self.name, self.command, self.cpu, self.memory, self.network) = (name, command, cpu, memory, network)
        }

        init(_ form: ConsoleForm) {
            self.init(
                name: form["name"] ?? "", command: form["command"] ?? "", cpu: form["cpu"] ?? Self.defaults.cpu,
                memory: form["memory"] ?? Self.defaults.memory, network: form["network"] != nil
            )
        }

        /// The command line, run by the sandbox's shell (`/bin/sh -c`), as a person types it in one field.
        var arguments: [String] {
            command.isEmpty ? Self.defaultCommand : ["/bin/sh", "-c", command]
        }
    }

    let chrome: ConsoleChrome
    let base: String
    let message: String?
    let form: Values
}

struct SandboxDetailPage {
    struct Action { let name: String; let label: String; let danger: Bool }
    static let actions = [
        Action(name: "stop", label: "Stop", danger: false), Action(name: "hibernate", label: "Hibernate", danger: false),
        Action(name: "wake", label: "Wake", danger: false), Action(name: "delete", label: "Delete", danger: true),
    ]

    let chrome: ConsoleChrome
    let base: String
    let message: String?
    let sandbox: SandboxView
    let actions: [Action]
}

struct SandboxFilesPage {
    struct Crumb { let name: String; let href: String }
    struct Row { let name: String; let kind: String; let size: String; let modifiedAt: String; let href: String?; let isDirectory: Bool }

    let chrome: ConsoleChrome
    let sandbox: SandboxView
    let directory: String
    let crumbs: [Crumb]
    let parent: String?
    let rows: [Row]
    let truncated: Bool
    let listed: Bool
    let message: String?
    let notice: String?
    let uploadAction: String
    let maximumFileSize: String

    init(
        chrome: ConsoleChrome, sandbox: SandboxView, directory: String, listing: DirectoryListing?, message: String?, notice: String?,
        address: SandboxPageAddress, maximumFileSize: String
    ) {
        (self.chrome, self.sandbox, self.directory, self.message, self.notice) = (chrome, sandbox, directory, message, notice)
        self.maximumFileSize = maximumFileSize
        uploadAction = Self.listing(address, directory)
        let names = directory.split(separator: "/").map(String.init)
        crumbs = names.indices.map { Crumb(name: names[$0], href: Self.listing(address, "/" + names[...$0].joined(separator: "/"))) }
        parent = names.count > 1 ? Self.listing(address, "/" + names.dropLast().joined(separator: "/")) : nil
        listed = listing != nil
        truncated = listing?.truncated ?? false
        rows = (listing?.entries ?? []).map { entry in
            let path = "\(directory)/\(entry.name)"
            let href: String? = switch entry.kind {
            case .directory: Self.listing(address, path)
            case .file: address.page + "/files/download?path=" + Self.query(path)
            case .symlink, .other: nil
            }
            return Row(
                name: entry.name, kind: entry.kind.rawValue, size: entry.kind == .file ? ConsoleFormat.bytes(entry.size) : "",
                modifiedAt: ConsoleFormat.time(entry.modifiedAt), href: href, isDirectory: entry.kind == .directory
            )
        }
    }

    /// The directory a page shows: `/workspace` unless asked, a relative path taken beneath it, no trailing slash.
    static func directory(_ asked: String?) -> String {
        guard var path = asked?.trimmingCharacters(in: .whitespaces), !path.isEmpty, path != "." else { return "/workspace" }
        if !path.hasPrefix("/") { path = "/workspace/" + path }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func listing(_ address: SandboxPageAddress, _ directory: String) -> String {
        address.page + "/files?path=" + query(directory)
    }

    static func query(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~/"))) ?? ""
    }

    /// A download's file name for `Content-Disposition`: the path's last component, with only characters that
    /// need no quoting in a header (others become `_`).
    static func attachmentName(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        let safe = String(last.unicodeScalars.prefix(128).map { scalar in
            CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || "._-+".unicodeScalars.contains(scalar) ? Character(scalar) : "_"
        })
        return safe.isEmpty || safe.allSatisfy({ $0 == "." }) ? "download" : safe
    }
}

struct SandboxTerminalPage {
    let chrome: ConsoleChrome
    let sandbox: SandboxView
    /// The WebSocket's path (the script adds the scheme and host of the page).
    let stream: String
    let xterm: Bool
}
