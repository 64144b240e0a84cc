import Foundation
import MandateSyntax
import Testing

/// The JSON Schemas in Grammar/schemas and the YAML readers must agree: the same keys,
/// and every YAML file in the repository valid under both.
@Suite struct SchemaTests {
    func schema(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Grammar/schemas/\(name).schema.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func keys(_ object: [String: Any]?) -> [String] {
        ((object?["properties"] as? [String: Any])?.keys).map { $0.sorted() } ?? []
    }

    @Test func topLevelKeysAgree() throws {
        #expect(keys(try schema("mandate")) == ProjectSyntax.keys.sorted())
        #expect(keys(try schema("goal")) == GoalSyntax.keys.sorted())
        #expect(keys(try schema("actions")) == ["actions", "types"])
        #expect(keys(try schema("test")) == ScenarioSyntax.keys.sorted())
    }

    @Test func actionKeysAgree() throws {
        let defs = try schema("actions")["$defs"] as? [String: Any]
        #expect(keys(defs?["action"] as? [String: Any]) == CatalogSyntax.actionKeys.sorted())
    }

    @Test func guardrailKeysAgree() throws {
        let goal = try schema("goal")["properties"] as? [String: Any]
        #expect(keys(goal?["guardrails"] as? [String: Any]) == GoalSyntax.guardrailKeys.sorted())
    }

    static var pythonWithJSONSchema: Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import jsonschema, yaml"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    @Test(.enabled(if: pythonWithJSONSchema, "needs python3 with jsonschema and PyYAML"))
    func everyValidYAMLFileInTheRepositoryValidates() throws {
        let fm = FileManager.default
        var files: [String] = []
        for folder in ["Procedures", "Examples", "Tests/MandateTests/Corpus/good"] {
            let root = repositoryRoot.appendingPathComponent(folder)
            guard let e = fm.enumerator(atPath: root.path) else { continue }
            for case let path as String in e where path.hasSuffix(".yaml") && !path.hasPrefix("broken-project/") {
                files.append(root.appendingPathComponent(path).path)
            }
        }
        #expect(files.count > 10)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repositoryRoot.appendingPathComponent("Tests/MandateTests/validate_schemas.py").path, repositoryRoot.path] + files
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "schema failures:\n\(output)")
    }
}
