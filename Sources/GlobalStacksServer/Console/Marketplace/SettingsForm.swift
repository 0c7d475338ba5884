import Foundation
import GlobalStacksDomain

/// The settings form generated from a release's settings schema (the manifest's `settings.schema`): one control per
/// property — text, number, integer, yes/no, a choice for `enum`, JSON text for anything else — labelled with the
/// property's `title` and `description`. Secret settings (the manifest's `settings.secrets`) are write-only: their
/// value is never put in the page, and an empty secret input keeps the stored one. Validation is the service's; this
/// only turns what was typed into JSON values of the schema's types.
struct SettingsForm {
    let fields: [SettingsField]

    private let properties: [(key: String, schema: JSONValue)]
    private let secretKeys: Set<String>
    private let fixedKeys: Set<String>

    /// - Parameters:
    ///   - tenant: the install's own settings (without secrets); empty before installing.
    ///   - effective: what applies now (defaults, the tenant's, policy), shown for settings the operator fixed.
    ///   - entered: a posted form to show again (the person's input kept after a refusal).
    init(spec: ExtensionSettingsSpec, tenant: [String: JSONValue], effective: [String: JSONValue] = [:], secretsSet: Set<String> = [],
         fixedByPolicy: Set<String> = [], entered: ConsoleForm? = nil) {
        let document = spec.schema?.document
        var properties: [(key: String, schema: JSONValue)] = []
        if case .object(let declared)? = document?["properties"] {
            properties = declared.sorted { $0.key < $1.key }.map { (key: $0.key, schema: $0.value) }
        }
        var required: Set<String> = []
        if case .array(let names)? = document?["required"] { required = Set(names.compactMap(\.stringValue)) }
        self.properties = properties
        self.secretKeys = spec.secretKeys
        self.fixedKeys = fixedByPolicy
        fields = properties.map { key, schema in
            let fixed = fixedByPolicy.contains(key)
            let shown: String
            if spec.secretKeys.contains(key) {
                shown = ""
            } else if fixed {
                shown = effective[key].map(Self.text) ?? ""
            } else if let entered {
                shown = entered.raw(Self.inputName(key)) ?? ""
            } else {
                shown = tenant[key].map(Self.text) ?? ""
            }
            return SettingsField(
                key: key, schema: schema, value: shown, isSecret: spec.secretKeys.contains(key), secretSet: secretsSet.contains(key),
                required: required.contains(key), fixedByPolicy: fixed, mutation: spec.mutationClass(of: key),
                defaultValue: spec.defaults[key].map(Self.text)
            )
        }
    }

    /// A merge patch of what changed against `current` (the install's settings): an emptied setting becomes null
    /// (back to its default), an empty secret is left out (the stored one stays), settings policy fixes are never sent.
    func patch(from form: ConsoleForm, current: [String: JSONValue]) throws -> [String: JSONValue] {
        var patch: [String: JSONValue] = [:]
        for (key, schema) in properties where !fixedKeys.contains(key) {
            let name = Self.inputName(key)
            if secretKeys.contains(key) {
                if let secret = form.raw(name), !secret.isEmpty { patch[key] = .string(secret) }
                continue
            }
            let value = try form[name].map { try Self.value($0, key: key, schema: schema) }
            if value != current[key] { patch[key] = value ?? .null }
        }
        return patch
    }

    /// The settings to install with: every setting given, none of the empty ones.
    func settings(from form: ConsoleForm) throws -> [String: JSONValue] {
        try patch(from: form, current: [:]).filter { $0.value != .null }
    }

    /// The form field's name for a setting (brackets would read as nesting in a form body).
    static func inputName(_ key: String) -> String {
        "setting." + String(key.map { $0 == "[" || $0 == "]" ? "_" : $0 })
    }

    /// A typed value for the schema's type; text that is not one is passed on as text for the schema to refuse.
    private static func value(_ text: String, key: String, schema: JSONValue) throws -> JSONValue {
        if case .array(let choices)? = schema["enum"] {
            return choices.first { Self.text($0) == text } ?? .string(text)
        }
        switch SettingsField.primaryType(schema) {
        case "string": return .string(text)
        case "number", "integer": return Double(text).map(JSONValue.number) ?? .string(text)
        case "boolean": return text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
        default:
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
                throw DomainError.invalidInput("settings.\(key) must be JSON (for example {\"name\": \"value\"} or [1, 2]).")
            }
            return value
        }
    }

    /// How a value is written in a control: strings as they are, whole numbers without a fraction, the rest as JSON.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number) where number.rounded() == number && abs(number) < 1e15: return String(Int64(number))
        default: return (try? value.encodedText()) ?? ""
        }
    }
}

/// One control of the settings form. Flags, not an enum: the templates choose the control with sections.
struct SettingsField {
    struct Option { let value: String; let label: String; let selected: Bool }

    let key: String
    let inputName: String
    let id: String
    let label: String
    /// The schema's `description` (named apart from the pages' own `description`: Mustache looks up a nil value in outer contexts).
    let help: String?
    let value: String
    let isText: Bool
    let isNumber: Bool
    let step: String
    let isChoice: Bool
    let isJSON: Bool
    let isSecret: Bool
    let secretSet: Bool
    let required: Bool
    let fixedByPolicy: Bool
    let note: String?
    let placeholder: String
    let options: [Option]

    init(key: String, schema: JSONValue, value: String, isSecret: Bool, secretSet: Bool, required: Bool, fixedByPolicy: Bool,
         mutation: SettingMutation, defaultValue: String?) {
        self.key = key
        inputName = SettingsForm.inputName(key)
        id = "setting-" + String(key.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        label = schema["title"]?.stringValue ?? key
        help = schema["description"]?.stringValue
        self.value = value
        self.isSecret = isSecret
        self.secretSet = secretSet
        self.required = required
        self.fixedByPolicy = fixedByPolicy
        let type = Self.primaryType(schema)
        var choices: [String]?
        if case .array(let values)? = schema["enum"] { choices = values.map(SettingsForm.text) }
        if choices == nil, type == "boolean" { choices = ["true", "false"] }
        isChoice = !isSecret && choices != nil
        isNumber = !isSecret && !isChoice && (type == "number" || type == "integer")
        step = type == "integer" ? "1" : "any"
        isText = !isSecret && !isChoice && !isNumber && (type == "string" || type == nil)
        isJSON = !isSecret && !isChoice && !isNumber && !isText
        let unset = defaultValue.map { "Default (\($0))" } ?? "Not set"
        options = choices.map { values in
            [Option(value: "", label: unset, selected: value.isEmpty)] + values.map { choice in
                Option(value: choice, label: type == "boolean" ? (choice == "true" ? "Yes" : "No") : choice, selected: choice == value)
            }
        } ?? []
        placeholder = isSecret ? (secretSet ? "Stored — leave empty to keep it" : "") : defaultValue.map { "Default: \($0)" } ?? ""
        var notes: [String] = []
        if fixedByPolicy { notes.append("Fixed by the operator's policy; the value shown applies.") }
        if isSecret { notes.append(secretSet ? "A value is stored and never shown. Type a new one to replace it." : "Secret: stored sealed and never shown again.") }
        switch mutation {
        case .immutable: notes.append("Fixed once installed; changing it means uninstalling.")
        case .requiresReconcile: notes.append("Changing it after installing starts a reconcile run.")
        case .mutable: break
        }
        note = notes.isEmpty ? nil : notes.joined(separator: " ")
    }

    /// The schema's `type` (the first that is not "null" when it lists several); nil when it names none.
    static func primaryType(_ schema: JSONValue) -> String? {
        switch schema["type"] {
        case .string(let type)?: type
        case .array(let types)?: types.compactMap(\.stringValue).first { $0 != "null" }
        default: nil
        }
    }
}
