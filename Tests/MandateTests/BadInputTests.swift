import Foundation
import MandateCLI
import MandateCompiler
import MandateDiagnostics
import MandateIR
import MandateSyntax
import Testing

/// Whatever the file, `check` answers with diagnostics within a second: never a crash,
/// a hang or a stack overflow.
@Suite struct BadInputTests {
    func expectError(_ path: String, _ bytes: [UInt8], code: MandateDiagnostics.DiagnosticCode, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        var compilation: Compilation!
        let elapsed = fastestSeconds(within: 1.0) { compilation = compileBase(path: path, bytes: bytes) }
        #expect(compilation.hasErrors, sourceLocation: sourceLocation)
        #expect(compilation.diagnostics.contains { $0.code == code && $0.range?.file == path },
                "expected \(code) in \(compilation.diagnostics.map { "\($0.code): \($0.message)" })", sourceLocation: sourceLocation)
        // Generous for debug builds; release is far faster.
        #expect(elapsed < 1.0, "took \(elapsed) s", sourceLocation: sourceLocation)
    }

    @Test func binaryJunkInAProcedure() {
        var generator = SystemRandomNumberGenerator()
        let junk = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        expectError("refund.procedure", junk, code: .binaryFile)
    }

    @Test func binaryJunkInAGoalFile() {
        expectError("orders.goal.yaml", [0x00, 0x01, 0xFF, 0xFE] + Array(repeating: 0x41, count: 1000), code: .binaryFile)
    }

    /// A zero byte is found at its place wherever it stands, in ASCII text and after a byte
    /// that is not ASCII, and a text with neither is left alone.
    @Test func aZeroByteIsReportedAtItsPlace() {
        let ascii = Array(String(repeating: "1. Say \"Hello\".\n", count: 8).utf8)
        let accented = Array("1. Say \"café\".\n".utf8) + ascii
        for text in [ascii, accented] {
            #expect(TextChecks.check(SourceFile(path: "zero.procedure", bytes: text), maxBytes: 1 << 20, maxLine: 4_000) == nil)
            for place in 0..<text.count {
                var bytes = text
                bytes[place] = 0
                let problem = TextChecks.check(SourceFile(path: "zero.procedure", bytes: bytes), maxBytes: 1 << 20, maxLine: 4_000)
                #expect(problem?.code == .binaryFile && problem?.range?.start == place, "zero byte at \(place)")
            }
        }
    }

    @Test func invalidUTF8IsReportedAtItsByte() {
        let text = Array("Procedure: Refund\nGoal: resolve-order-issues\n1. Say \"caf".utf8) + [0xC3, 0x28] + Array("\".\n".utf8)
        let c = compileBase(path: "refund.procedure", bytes: text)
        let d = c.diagnostics.first { $0.code == .invalidUTF8 }
        #expect(d?.range?.start == text.count - 5)  // the 0xC3 lead byte with no continuation
    }

    @Test func aTenMegabyteLine() {
        expectError("refund.procedure", Array("1. Say \"".utf8) + Array(repeating: 0x61, count: 10 << 20), code: .fileTooLarge)
        expectError("refund.procedure", Array("Procedure: x\n1. Say \"".utf8) + Array(repeating: 0x61, count: 5000) + [0x22], code: .lineTooLong)
    }

    static func nested(_ levels: Int) -> [UInt8] {
        let header = Array("Procedure: Deep\nGoal: resolve-order-issues\nHandles: refund_request\n".utf8)
        let line = Array("a. If the order total is more than $1:\n".utf8)
        // One allocation of spaces, the lines copied in place: fast even in a debug build.
        var bytes = [UInt8](repeating: 0x20, count: header.count + levels * line.count + levels * (levels - 1) / 2)
        bytes.withUnsafeMutableBufferPointer { out in
            var at = 0
            for b in header { out[at] = b; at += 1 }
            for depth in 0..<levels {
                at += depth
                line.withUnsafeBufferPointer { src in
                    UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(out)[at..<(at + src.count)])
                        .copyMemory(from: UnsafeRawBufferPointer(src))
                }
                at += line.count
            }
        }
        return bytes
    }

    @Test func tenThousandNestedSubStepsThroughTheCommand() throws {
        // Ten thousand levels of indentation is a 50 MB file: refused by its size, before it is read.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-deep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for f in Explanation.baseProject { try Data(f.text.utf8).write(to: dir.appendingPathComponent(f.path)) }
        try Data(Self.nested(10_000)).write(to: dir.appendingPathComponent("refund.procedure"))
        let (console, captured) = Console.capturing()
        var exit = MandateExit.clean
        let elapsed = fastestSeconds(within: 1.0) {
            exit = Commands.check(path: dir.path, verbose: false, options: .init(format: .plain), console: console)
        }
        #expect(exit == .errorsFound)
        #expect(captured().err.contains("refund.procedure: error[M0006]"))
        #expect(elapsed < 1.0)
    }

    @Test func nestingBeyondTheLimitIsReportedOnce() {
        let c = compileBase(path: "refund.procedure", bytes: Self.nested(500))
        #expect(c.diagnostics.filter { $0.code == .nestingTooDeep }.count == 1)
    }

    @Test func anUnterminatedQuote() {
        let text = "Procedure: Q\nGoal: resolve-order-issues\nHandles: refund_request\n\n1. Say \"hello there.\n2. Resolve as declined.\n"
        expectError("refund.procedure", Array(text.utf8), code: .unterminatedQuote)
    }

    @Test func aYAMLAliasBomb() {
        var yaml = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        expectError("orders.goal.yaml", Array(yaml.utf8), code: .yamlAlias)
    }

    /// A long list and a mapping with many keys are read in time proportional to their size
    /// (each value was once copied with every value before it: 20 s for a list of 50,000 values;
    /// 2.5 s for these 20,000 values in a debug build).
    @Test func aLongYAMLListAndAWideMapping() {
        let count = 10_000
        var yaml = "goal: orders\nextra_list:\n"
        for i in 0..<count { yaml += "  - value \(i)\n" }
        yaml += "extra_mapping:\n"
        for i in 0..<count { yaml += "  key_\(i): value\n" }
        expectError("orders.goal.yaml", Array(yaml.utf8), code: .yamlUnknownKey)
    }

    /// Thousands of sentences Mandate does not know, each with its "did you mean", within the
    /// second. (The suggestions' groundwork is now done once per first word, not once per
    /// sentence: 50,000 such lines took 3.9 s in a release build, now 0.95 s; at this size a
    /// debug build took 0.54 s before the change too.)
    @Test func aFileOfUnknownSentences() {
        let words = ["Frobnicate", "Refund", "Issue", "Escalte", "Resolv", "Sey", "Cancel"]
        var text = "Procedure: Many\nGoal: resolve-order-issues\nHandles: refund_request\n\n"
        for i in 0..<3_000 { text += "\(i % 9 + 1). \(words[i % words.count]) the widget number \(i) now.\n" }
        expectError("refund.procedure", Array(text.utf8), code: .unknownSentence)
    }

    @Test func deeplyNestedYAML() {
        let yaml = "goal: " + String(repeating: "[\n", count: 50_000) + String(repeating: "]\n", count: 50_000)
        expectError("orders.goal.yaml", Array(yaml.utf8), code: .yamlTooDeep)
    }

    @Test func customTagsTabsEmptyFilesAndSeveralDocuments() {
        expectError("orders.goal.yaml", Array("goal: !!python/object x\n".utf8), code: .yamlTag)
        expectError("orders.goal.yaml", Array("goal: x\nintents:\n\trefund: {}\n".utf8), code: .yamlTab)
        expectError("orders.goal.yaml", Array("   \n\n".utf8), code: .emptyFile)
        expectError("orders.goal.yaml", Array("goal: a\n---\ngoal: b\n".utf8), code: .yamlMultipleDocuments)
        expectError("refund.procedure", [], code: .emptyFile)
    }

    @Test func wrongValueTypesPointAtTheValue() {
        let goal = Explanation.baseProject.first { $0.path == "orders.goal.yaml" }!.text
            .replacingOccurrences(of: "confirm_with_customer: [refund]", with: "confidence: { threshold: high }\n  confirm_with_customer: [refund]")
        let c = compileBase(replacing: [ExampleFile("orders.goal.yaml", goal)])
        let d = c.diagnostics.first { $0.code == .yamlWrongType }
        #expect(d != nil)
        #expect(d.map { c.sources["orders.goal.yaml"]!.text(of: $0.range!) } == "high")
    }

    @Test func unknownAndDuplicateKeys() {
        let goal = Explanation.baseProject.first { $0.path == "orders.goal.yaml" }!.text + "\nresolved_wen: [x]\ngoal: again\n"
        let c = compileBase(replacing: [ExampleFile("orders.goal.yaml", goal)])
        let unknown = c.diagnostics.first { $0.code == .yamlUnknownKey }
        #expect(unknown?.help == "did you mean `resolved_when`?")
        #expect(c.diagnostics.contains { $0.code == .yamlDuplicateKey })
    }

    /// A key given twice is found in a small mapping (looked for among its entries) and in a
    /// wide one (looked up in a table once it has more than 16 keys), both pointing at the
    /// second key and labelling the first; values after multi-byte text keep exact ranges.
    @Test(arguments: [3, 16, 17, 40])
    func duplicateKeysInSmallAndWideMappings(_ width: Int) {
        var yaml = "intents:\n"
        for i in 0..<width { yaml += "  clé_\(i): « valeur \(i) »   # café\n" }
        yaml += "  clé_1: again\n"
        let file = SourceFile(path: "orders.goal.yaml", text: yaml)
        let (root, diagnostics) = YAMLReader.read(file)
        let duplicate = diagnostics.first { $0.code == .yamlDuplicateKey }
        #expect(duplicate.map { file.text(of: $0.range!) } == "clé_1")
        #expect(duplicate?.range.map { file.location(of: $0.start).line } == width + 2)
        #expect(duplicate?.labels.first.map { file.location(of: $0.range.start).line } == 3)
        guard case .mapping(let top)? = root, case .mapping(let intents)? = top["intents"] else {
            Issue.record("no mapping read")
            return
        }
        #expect(intents.entries.count == width)
        for (i, entry) in intents.entries.enumerated() {
            #expect(file.text(of: entry.key.range) == "clé_\(i)")
            #expect(file.text(of: entry.value.range) == "« valeur \(i) »")
        }
    }
}

/// The JSON form of a plan file: what people read and review. (The binary form: PlanFormatTests.)
@Suite struct PlanFileTests {
    func planData() throws -> Data {
        let c = compileBase()
        #expect(c.errorCodes == [])
        return try Compiler.planFile(c)!.json()
    }

    @Test func aPlanRoundTrips() throws {
        let data = try planData()
        let file = try PlanFile.load(data, sha256: Compiler.sha256)
        #expect(try file.json() == data)
    }

    @Test func anEditedPlanIsRefusedNamingBothHashes() throws {
        let text = String(decoding: try planData(), as: UTF8.self).replacingOccurrences(of: "15000", with: "99999")
        #expect(throws: PlanLoadError.self) { try PlanFile.load(Data(text.utf8), sha256: Compiler.sha256) }
        do {
            _ = try PlanFile.load(Data(text.utf8), sha256: Compiler.sha256)
        } catch {
            guard case .hashMismatch(let recorded, let computed) = error else { Issue.record("wrong error \(error)"); return }
            #expect(recorded != computed)
            #expect(error.description.contains(recorded) && error.description.contains(computed))
        }
    }

    @Test func anotherFormatVersionIsRefusedNamingBoth() throws {
        let text = String(decoding: try planData(), as: UTF8.self)
            .replacingOccurrences(of: "\"formatVersion\" : 2", with: "\"formatVersion\" : 7")
        do {
            _ = try PlanFile.load(Data(text.utf8), sha256: Compiler.sha256)
            Issue.record("a plan of format version 7 was accepted")
        } catch {
            #expect(error == .unsupportedFormatVersion(found: 7, supported: 2))
            #expect(error.description.contains("7") && error.description.contains("2"))
        }
    }

    @Test func notAPlanAtAll() {
        #expect(throws: PlanLoadError.self) { try PlanFile.load(Data("{\"hello\": 1}".utf8), sha256: Compiler.sha256) }
        #expect(throws: PlanLoadError.self) { try PlanFile.load(Data([0xFF, 0x00]), sha256: Compiler.sha256) }
        #expect(throws: PlanLoadError.self) { try PlanFile.load(Data("{\"format\": \"mandate-plan\", \"formatVersion\": 2}".utf8), sha256: Compiler.sha256) }
    }
}

@Suite struct LexerRobustnessTests {
    /// Punctuation outside quotes that starts like a letter in UTF-8 (em dash, ellipsis,
    /// a currency sign with no digit) once made the lexer loop forever.
    @Test(arguments: ["—", "…", "€", "£", "¥", "–", "’", "“x", "€x", "£ 5", "a—b", "…and"])
    func unquotedPunctuationNeverHangs(_ text: String) {
        let source = "Procedure: P\nGoal: resolve-order-issues\nHandles: order_status\n\n1. Say \"hi.\" \(text) thanks.\n2. Resolve as status_shared.\n"
        var compilation: Compilation!
        let elapsed = fastestSeconds(within: 1.0) { compilation = compileBase(replacing: [ExampleFile("status.procedure", source)]) }
        #expect(elapsed < 1.0)
        #expect(compilation.hasErrors)
    }

    @Test func everyTokenAdvances() {
        // Every scalar class the lexer distinguishes, in every position.
        let samples = ["—", "…", "€", "£", "¥", "$", "{", "}", "'", "’", "\"", "“", "”", "%", "-", "_", ":", ",", ".", "é", "日本", "🙂", "1", "a"]
        for a in samples {
            for b in samples {
                let text = a + b + " " + b + a
                let bytes = Array(text.utf8)
                let tokens = Lexer.tokenize(bytes, segments: [0..<bytes.count]).tokens
                #expect(tokens.allSatisfy { $0.end > $0.start }, "a token of `\(text)` is empty")
                #expect(tokens.count <= bytes.count)
            }
        }
    }
}
