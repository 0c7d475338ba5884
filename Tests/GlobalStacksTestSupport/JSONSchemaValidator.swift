import Foundation

/// Validates JSON documents against a JSON Schema (draft 2020-12) with Python's `jsonschema`, the reference
/// implementation. The interpreter is `GSTACKS_TEST_PYTHON` (scripts/test.sh points it at a venv that has
/// jsonschema, and then a missing validator fails the test), else `python3` when it can import jsonschema.
public enum JSONSchemaValidator {
    public enum Availability: Sendable {
        case available(python: String)
        case unavailable(reason: String)
    }

    public static let availability: Availability = {
        if let python = ProcessInfo.processInfo.environment["GSTACKS_TEST_PYTHON"], !python.isEmpty {
            return .available(python: python)
        }
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: candidate) {
            if (try? Subprocess.run([candidate, "-c", "import jsonschema"])) != nil {
                return .available(python: candidate)
            }
        }
        return .unavailable(reason: "no python3 with the jsonschema module; set GSTACKS_TEST_PYTHON (scripts/test.sh does)")
    }()

    public static var isAvailable: Bool {
        if case .available = availability { true } else { false }
    }

    /// Throws with the validator's report when any document does not validate.
    public static func validate(_ documents: [Data], schema: URL) throws {
        let python: String
        switch availability {
        case .available(let interpreter): python = interpreter
        case .unavailable(let reason): throw Subprocess.Failure(description: "JSON Schema validation unavailable: \(reason)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, document) in documents.enumerated() {
            let path = directory.appendingPathComponent("\(index).json").path
            try document.write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema)
            failures = []
            for path in sys.argv[2:]:
                for error in validator.iter_errors(json.load(open(path))):
                    failures.append(f"{path}: {error.json_path}: {error.message}")
            print("\\n".join(failures))
            sys.exit(1 if failures else 0)
            """
        try Subprocess.run([python, "-c", script, schema.path] + paths)
    }
}
