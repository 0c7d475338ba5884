import Foundation

/// How a setting may change once the extension is installed.
public enum SettingMutation: String, Sendable, CaseIterable, Codable {
    /// Takes effect at the next invocation.
    case mutable
    /// Takes effect after a reconcile run brings what the extension manages in line.
    case requiresReconcile = "requires_reconcile"
    /// Fixed at install; changing it means uninstalling.
    case immutable
}

/// The manifest's `settings`: a JSON Schema for the settings object (defaults in its properties' `default`), a
/// mutation class per setting, and which settings are secret.
public struct ExtensionSettingsSpec: Sendable, Equatable {
    public let schema: JSONSchema?
    public let defaults: [String: JSONValue]
    public let mutation: [String: SettingMutation]
    public let secretKeys: Set<String>

    public static let none = ExtensionSettingsSpec(schema: nil, defaults: [:], mutation: [:], secretKeys: [])

    init(schema: JSONSchema?, defaults: [String: JSONValue], mutation: [String: SettingMutation], secretKeys: Set<String>) {
        self.schema = schema
        self.defaults = defaults
        self.mutation = mutation
        self.secretKeys = secretKeys
    }

    init(parsing reader: ManifestReader) throws {
        try reader.refuseUnknown(["schema", "mutation", "secrets"])
        guard let schemaValue = reader.object["schema"] else {
            throw DomainError.invalidInput("\(reader.name("schema")) is required when settings are declared.")
        }
        let schema = try JSONSchema.checked(schemaValue, field: reader.name("schema"))
        let properties = Self.object(schemaValue["properties"])
        var defaults: [String: JSONValue] = [:]
        for (key, property) in properties {
            if let value = property["default"] { defaults[key] = value }
        }
        var mutation: [String: SettingMutation] = [:]
        if let classes = try reader.reader("mutation") {
            for (key, value) in classes.object {
                guard properties[key] != nil else {
                    throw DomainError.invalidInput("\(classes.name(key)) names a setting the schema does not declare.")
                }
                guard let text = value.stringValue, let kind = SettingMutation(rawValue: text) else {
                    throw DomainError.invalidInput("\(classes.name(key)) must be mutable, requires_reconcile or immutable.")
                }
                mutation[key] = kind
            }
        }
        let secrets = try reader.strings("secrets")
        for (index, key) in secrets.enumerated() where properties[key] == nil {
            throw DomainError.invalidInput("\(reader.name("secrets"))[\(index)] '\(key)' names a setting the schema does not declare.")
        }
        for (key, _) in defaults where secrets.contains(key) {
            throw DomainError.invalidInput("\(reader.name("schema")).properties.\(key) is secret and must not have a default.")
        }
        self.init(schema: schema, defaults: defaults, mutation: mutation, secretKeys: Set(secrets))
    }

    private static func object(_ value: JSONValue?) -> [String: JSONValue] {
        if case .object(let object) = value { object } else { [:] }
    }

    public func mutationClass(of key: String) -> SettingMutation { mutation[key] ?? .mutable }

    /// Settings grouped by class, for the settings response's `mutation`.
    public var keysByMutation: [String: [String]] {
        let keys = Self.object(schema?.document["properties"]).keys.sorted()
        return Dictionary(grouping: keys, by: { mutationClass(of: $0).rawValue })
    }

    /// Manifest defaults, then the tenant's settings, then control-plane policy (policy wins).
    public func effective(tenant: [String: JSONValue], policy: [String: JSONValue]) -> [String: JSONValue] {
        defaults.merging(tenant) { $1 }.merging(policy) { $1 }
    }

    /// Refuses settings that break the schema once resolved, naming each offending setting.
    public func validate(tenant: [String: JSONValue], policy: [String: JSONValue]) throws {
        guard let schema else {
            if let key = tenant.keys.sorted().first {
                throw DomainError.invalidInput("settings.\(key): this extension declares no settings.")
            }
            return
        }
        let violations = schema.validate(.object(effective(tenant: tenant, policy: policy)))
        guard violations.isEmpty else {
            let listed = violations.prefix(5).map { violation in
                let setting = violation.instancePath.isEmpty ? "settings" : "settings" + violation.instancePath.replacingOccurrences(of: "/", with: ".")
                return "\(setting): \(violation.message)"
            }
            throw DomainError.invalidInput("Invalid settings: " + listed.joined(separator: "; ") + ".")
        }
    }

    /// What in an install's settings breaks this schema once resolved, in words (empty when nothing does). Secret
    /// values are not known here, only which are set: they count as present and their own checks are skipped.
    public func problems(tenant: [String: JSONValue], secretsSet: [String], policy: [String: JSONValue]) -> [String] {
        guard let schema else { return tenant.keys.sorted().map { "settings.\($0) is not a setting of this release" } }
        let placeholders = Dictionary(uniqueKeysWithValues: secretsSet.map { ($0, JSONValue.string("")) })
        return schema.validate(.object(effective(tenant: tenant.merging(placeholders) { $1 }, policy: policy)))
            .filter { violation in !secretsSet.contains { violation.instancePath == "/\($0)" || violation.instancePath.hasPrefix("/\($0)/") } }
            .map { "settings" + $0.instancePath.replacingOccurrences(of: "/", with: ".") + ": " + $0.message }
    }

    /// What a change from `old` to `new` tenant settings touches; changing an immutable setting is refused by name.
    public func change(from old: [String: JSONValue], to new: [String: JSONValue]) throws -> SettingsChange {
        let changed = Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
        if let frozen = changed.first(where: { mutationClass(of: $0) == .immutable }) {
            throw DomainError.invalidInput("settings.\(frozen) is immutable once installed; uninstall and install again to change it.")
        }
        return SettingsChange(changedKeys: changed, reconcileKeys: changed.filter { mutationClass(of: $0) == .requiresReconcile })
    }

    /// Applies a merge patch (RFC 7396 at the top level: null removes a setting).
    public static func merging(_ patch: [String: JSONValue], into settings: [String: JSONValue]) -> [String: JSONValue] {
        var result = settings
        for (key, value) in patch {
            result[key] = value == .null ? nil : value
        }
        return result
    }
}

/// What a settings change touched: the keys (never values, which may be secret) and those needing a reconcile run.
public struct SettingsChange: Sendable, Equatable {
    public let changedKeys: [String]
    public let reconcileKeys: [String]
}
