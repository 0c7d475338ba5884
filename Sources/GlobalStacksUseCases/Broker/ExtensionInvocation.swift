import Foundation
import GlobalStacksDomain

/// One invocation of an installed extension's operation, as a caller asks for it. It travels to the worker as the
/// target context of its `integration.extension.invoke` run (part of the run's dedupe identity).
public struct ExtensionInvocation: Sendable, Equatable {
    public let key: ExtensionKey
    public let operation: String
    public let targetKind: String
    public let targetID: String
    public let input: [String: JSONValue]

    public init(key: ExtensionKey, operation: String, targetKind: String, targetID: String, input: [String: JSONValue]) {
        self.key = key
        self.operation = operation
        self.targetKind = targetKind
        self.targetID = targetID
        self.input = input
    }

    /// The invocation a run's target context describes; nil when it describes none.
    public init?(targetContext target: [String: String]) {
        guard let keyText = target["extensionKey"], let key = ExtensionKey(rawValue: keyText), let operation = target["operation"],
              let targetKind = target["targetKind"], let targetID = target["targetId"],
              case .object(let input)? = try? JSONDecoder().decode(JSONValue.self, from: Data((target["input"] ?? "{}").utf8))
        else { return nil }
        self.init(key: key, operation: operation, targetKind: targetKind, targetID: targetID, input: input)
    }

    /// The input as the JSON text the run keeps.
    func inputText() throws -> String {
        try JSONValue.object(input).encodedText()
    }

    func targetContext(inputText: String) -> [String: String] {
        ["extensionKey": key.rawValue, "operation": operation, "targetKind": targetKind, "targetId": targetID, "input": inputText]
    }
}

/// What admitting an invocation found: the install as it is now, the operation it may run, and the approved, online
/// agents of the target able to run it.
public struct AdmittedInvocation: Sendable {
    public let installed: InstalledExtension
    public let operation: ExtensionManifest.ExtensionOperation
    public let agents: [Agent]
}
