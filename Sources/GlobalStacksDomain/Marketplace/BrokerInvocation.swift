import Foundation

/// The broker's rules for one invocation of an installed extension's operation (docs/broker.md): what is refused
/// before any run starts, the `globalstacks.broker.v1` request document, and how the entrypoint's answer is read.
public enum BrokerInvocation {
    public static let protocolVersion = "globalstacks.broker.v1"
    /// The agent capability that says an agent runs extensions (bubblewrap present, the process driver).
    public static let runtimeCapability = "extensions.runtime"
    /// An input document larger than this is refused (it travels in one agent message).
    public static let maximumInputBytes = 64 << 10
    /// What a synchronous invoke waits for; the extension's time limit is set so that it always ends before.
    public static let timeLimitSeconds = 50.0
    /// stdout an extension may write (its answer); more fails the run.
    public static let outputLimitBytes = 128 << 10
    /// Diagnostics kept: at most this many lines of at most `maximumDiagnosticCharacters` each.
    public static let maximumDiagnostics = 50
    public static let maximumDiagnosticCharacters = 1_000
    /// How much of the diagnostics a refusal's message carries.
    public static let maximumMessageDiagnostics = 2_000

    /// The declared operation the request names, once the install may run it: installed (not waiting for consent,
    /// revoked or unsupported), the operation declared by its release, each permission it needs consented, the
    /// target of the kind it declares. 403 (400 for the target kind) with which one.
    public static func admit(
        install: ExtensionInstall, status: ExtensionInstall.Status, statusReason: String?, manifest: ExtensionManifest, operation name: String,
        targetKind: String
    ) throws -> ExtensionManifest.ExtensionOperation {
        let key = install.extensionKey
        switch status {
        case .installed: break
        case .needsReconsent:
            throw DomainError.forbidden("'\(key)' waits for consent to its newer release (\(statusReason ?? "it asks for more")); consent again on GET /v1/integration-catalog/\(key)/consent before invoking it.")
        case .disabled, .unsupported, .upgradeRequired:
            throw DomainError.forbidden("'\(key)' cannot be invoked: it is \(status.rawValue)\(statusReason.map { " (\($0))" } ?? "").")
        }
        guard let operation = manifest.operations.first(where: { $0.name == name }) else {
            let declared = manifest.operations.map(\.name)
            throw DomainError.forbidden("Release \(manifest.version) of '\(key)' declares no operation '\(name.prefix(200))' (it declares: \(declared.isEmpty ? "none" : declared.joined(separator: ", "))).")
        }
        let consented = Set(install.consentedPermissions)
        if let missing = operation.permissions.first(where: { !consented.contains($0.rawValue) }) {
            throw DomainError.forbidden("Operation '\(name)' needs the permission '\(missing.rawValue)', which the tenant did not consent to; consent again on GET /v1/integration-catalog/\(key)/consent.")
        }
        guard operation.targetKind == targetKind else {
            throw DomainError.invalidInput("targetKind must be '\(operation.targetKind)' for operation '\(name)' (got '\(targetKind.prefix(100))').")
        }
        return operation
    }

    /// Refuses input that does not match the operation's input schema, naming the field.
    public static func validate(input: [String: JSONValue], against operation: ExtensionManifest.ExtensionOperation) throws {
        let violations = operation.inputSchema.validate(.object(input))
        guard violations.isEmpty else {
            let named = violations.prefix(5).map { "input\($0.instancePath.replacingOccurrences(of: "/", with: "."))" + ": \($0.message)" }
            throw DomainError.invalidInput("The input does not match operation '\(operation.name)': \(named.joined(separator: "; ")).")
        }
    }

    /// The document the entrypoint reads on stdin.
    public static func request(
        invocationID: String, extensionKey: ExtensionKey, version: SemanticVersion, operation: String, targetKind: String, targetID: String,
        input: [String: JSONValue], tenantID: String
    ) -> JSONValue {
        .object([
            "protocol": .string(protocolVersion),
            "invocationId": .string(invocationID),
            "extension": .object(["key": .string(extensionKey.rawValue), "version": .string(version.description)]),
            "operation": .string(operation),
            "target": .object(["kind": .string(targetKind), "id": .string(targetID)]),
            "tenantId": .string(tenantID),
            "input": .object(input),
        ])
    }

    /// What the entrypoint answered: `{"outputs": {...}, "diagnostics": ["..."]}` on exit status 0, checked against
    /// the operation's output schema; anything else is the reason the run failed.
    public struct Answer: Sendable, Equatable {
        public let outputs: [String: JSONValue]
        public let diagnostics: [String]
    }

    public enum Failure: Error, Equatable {
        /// The extension failed; its diagnostics (bounded) say why.
        case failed(String, diagnostics: [String])
    }

    public static func answer(
        stdout: Data, stdoutTruncated: Bool, stderrTail: Data, exitCode: Int?, signal: String?, timedOut: Bool, timeLimit: Double,
        operation: ExtensionManifest.ExtensionOperation
    ) -> Result<Answer, Failure> {
        let document = try? JSONDecoder().decode(JSONValue.self, from: stdout)
        let object: [String: JSONValue]? = if case .object(let fields)? = document { fields } else { nil }
        var diagnostics = Self.diagnostics(object?["diagnostics"])
        let stderrLines = String(decoding: stderrTail, as: UTF8.self).split(separator: "\n").suffix(20).map { "stderr: " + $0 }
        func failed(_ reason: String) -> Result<Answer, Failure> {
            diagnostics += bounded(stderrLines)
            return .failure(.failed(reason, diagnostics: Array(diagnostics.suffix(maximumDiagnostics))))
        }
        if timedOut { return failed("The extension did not finish within its time limit of \(Int(timeLimit)) s and was stopped.") }
        if stdoutTruncated { return failed("The extension wrote more than \(outputLimitBytes) bytes to stdout; its answer was not read.") }
        guard exitCode == 0 else {
            let how = exitCode.map { "exited with status \($0)" } ?? "was ended by \(signal ?? "a signal")"
            let said: String = if case .string(let error)? = object?["error"] { ": " + String(error.prefix(maximumDiagnosticCharacters)) } else { "" }
            return failed("The extension \(how)\(said).")
        }
        guard let object else { return failed("The extension's stdout is not a JSON object ({\"outputs\": {...}}).") }
        guard case .object(let outputs)? = object["outputs"] else { return failed("The extension's answer has no \"outputs\" object.") }
        let violations = operation.outputSchema.validate(.object(outputs))
        guard violations.isEmpty else {
            let named = violations.prefix(5).map { "outputs\($0.instancePath.replacingOccurrences(of: "/", with: "."))" + ": \($0.message)" }
            return failed("The extension's outputs do not match operation '\(operation.name)': \(named.joined(separator: "; ")).")
        }
        return .success(Answer(outputs: outputs, diagnostics: diagnostics))
    }

    private static func diagnostics(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return bounded(items.compactMap { if case .string(let text) = $0 { text } else { nil } })
    }

    private static func bounded(_ lines: [some StringProtocol]) -> [String] {
        lines.prefix(maximumDiagnostics).map { String($0.prefix(maximumDiagnosticCharacters)) }
    }

    /// A refusal's message: the reason, then as many diagnostics as fit.
    public static func message(_ reason: String, diagnostics: [String]) -> String {
        guard !diagnostics.isEmpty else { return reason }
        var text = reason + " Diagnostics:"
        for line in diagnostics {
            guard text.count + line.count + 3 <= maximumMessageDiagnostics else {
                text += " …"
                break
            }
            text += "\n- " + line
        }
        return text
    }
}
