import Foundation
import MandateCompiler
import MandateDiagnostics
import MandateIR
import MandateSyntax
import Testing

/// The shared corpus, in the Gherkin and Pkl manner.
///
/// - `Corpus/good/` is a complete project. Every procedure has golden `.ast` and `.ir.json`
///   dumps beside it; the whole project has `plan.golden.json`. It must check with no findings.
/// - `Corpus/bad/` holds one mistake per file. The first line names the code it must produce
///   (`# expect: M0301`). `NAME--TARGET` replaces TARGET of the base project (`Explanation.baseProject`);
///   any other name is added to it. The golden `FILE.diagnostics` holds the plain rendering.
///
/// A missing golden is written and the test fails; `MANDATE_UPDATE_GOLDENS=1` rewrites them all.
enum Corpus {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    static let updating = ProcessInfo.processInfo.environment["MANDATE_UPDATE_GOLDENS"] == "1"

    static func files(_ folder: String, suffixes: [String]) -> [String] {
        let dir = root.appendingPathComponent(folder).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { n in suffixes.contains { n.hasSuffix($0) } }.sorted()
    }

    /// Compares `actual` with the golden at `path`; writes it when missing or updating.
    static func golden(_ path: URL, _ actual: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let existing = try? String(contentsOf: path, encoding: .utf8)
        if updating || existing == nil {
            try? actual.write(to: path, atomically: true, encoding: .utf8)
            if existing == nil && !updating {
                Issue.record("wrote the missing golden \(path.lastPathComponent); check it and commit it", sourceLocation: sourceLocation)
            }
            return
        }
        #expect(actual == existing!, "\(path.lastPathComponent) differs from its golden; rerun with MANDATE_UPDATE_GOLDENS=1 if the change is right",
                sourceLocation: sourceLocation)
    }

    static var badCases: [String] { files("bad", suffixes: [".procedure", ".yaml"]) }
    static var goodProcedures: [String] { files("good", suffixes: [".procedure"]) }
}

@Suite struct CorpusTests {
    @Test func goodProjectChecksCleanAndMatchesItsPlanGolden() throws {
        let good = Corpus.root.appendingPathComponent("good")
        let compilation = Compiler.compile(try ProjectSources.load(path: good.path))
        let rendered = DiagnosticRenderer.render(compilation.diagnostics, format: .plain, sources: compilation.sources)
        #expect(rendered == "")
        if let file = try Compiler.planFile(compilation) {
            Corpus.golden(good.appendingPathComponent("plan.golden.json"), String(decoding: try file.json(), as: UTF8.self))
        } else {
            Issue.record("the good corpus produced no plan")
        }
    }

    @Test(arguments: Corpus.goodProcedures)
    func goodProcedureMatchesItsGoldens(_ name: String) throws {
        let good = Corpus.root.appendingPathComponent("good")
        let compilation = Compiler.compile(try ProjectSources.load(path: good.path))
        guard let parsed = compilation.procedures.first(where: { $0.path == name }), let source = compilation.sources[name] else {
            Issue.record("\(name) was not read")
            return
        }
        let stem = String(name.dropLast(".procedure".count))
        Corpus.golden(good.appendingPathComponent(stem + ".ast"), ASTDump.dump(parsed, source: source))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let ir = compilation.plan?.procedures.first(where: { $0.id == stem }) else {
            Issue.record("\(name) was not lowered")
            return
        }
        Corpus.golden(good.appendingPathComponent(stem + ".ir.json"), String(decoding: try encoder.encode(ir), as: UTF8.self) + "\n")
    }

    @Test(arguments: Corpus.badCases)
    func badCaseProducesItsCode(_ name: String) throws {
        let url = Corpus.root.appendingPathComponent("bad").appendingPathComponent(name)
        let bytes = [UInt8](try Data(contentsOf: url))
        let firstLine = String(decoding: bytes.prefix { $0 != 0x0A }, as: UTF8.self)
        guard let range = firstLine.range(of: "expect: ") else {
            Issue.record("\(name) does not name its code on its first line (`# expect: M0301`)")
            return
        }
        let expected = firstLine[range.upperBound...].trimmingCharacters(in: .whitespaces)
        let parts = name.components(separatedBy: "--")
        let target = parts.count == 2 ? parts[1] : name
        let compilation = compileBase(path: target, bytes: bytes)
        let codes = Set(compilation.diagnostics.map(\.code.rawValue))
        #expect(codes.contains(expected), "\(name) should produce \(expected), produced \(codes.sorted())")
        Corpus.golden(url.appendingPathExtension("diagnostics"),
                      DiagnosticRenderer.render(compilation.diagnostics, format: .plain, sources: compilation.sources))
    }

    @Test func everyDiagnosticCodeHasABadCase() throws {
        var covered = Set<String>()
        for name in Corpus.badCases {
            let text = try String(contentsOf: Corpus.root.appendingPathComponent("bad").appendingPathComponent(name), encoding: .utf8)
            if let line = text.split(separator: "\n").first, let r = line.range(of: "expect: ") {
                covered.insert(line[r.upperBound...].trimmingCharacters(in: .whitespaces))
            }
        }
        // Codes whose condition a text file cannot hold are covered by BadInputTests.
        let byBadInputTests: Set<String> = ["M0003", "M0004", "M0006", "M0007", "M0001", "M0002", "M0008"]
        let missing = DiagnosticCodeInfo.all.map(\.code.rawValue).filter { !covered.contains($0) && !byBadInputTests.contains($0) }
        #expect(missing == [], "codes with no bad case in Tests/MandateTests/Corpus/bad: \(missing)")
    }

    @Test func everyGrammarProductionIsExercised() throws {
        let grammar = try String(contentsOf: repositoryRoot.appendingPathComponent("Grammar/procedure.ebnf"), encoding: .utf8)
        var productions = Set<String>()
        for line in grammar.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let eq = trimmed.firstIndex(of: "=") else { continue }
            let name = trimmed[..<eq].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" }), name.first!.isLowercase { productions.insert(name) }
        }
        var covered = Set<String>()
        for name in Corpus.goodProcedures {
            let text = try String(contentsOf: Corpus.root.appendingPathComponent("good").appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("# covers:") {
                for p in line.dropFirst("# covers:".count).split(separator: ",") { covered.insert(p.trimmingCharacters(in: .whitespaces)) }
            }
        }
        #expect(productions.count > 20)
        let unknown = covered.subtracting(productions)
        #expect(unknown.isEmpty, "`# covers:` names productions the grammar does not have: \(unknown.sorted())")
        let missing = productions.subtracting(covered)
        #expect(missing.isEmpty, "productions no good corpus file covers: \(missing.sorted())")
    }
}
