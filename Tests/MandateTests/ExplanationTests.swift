import Foundation
import MandateCLI
import MandateCompiler
import MandateDiagnostics
import Testing

/// Every code has an explanation, and each explanation's bad example, laid over the base
/// project, produces exactly that code: an explanation can never drift from the checker.
@Suite struct ExplanationTests {
    @Test func everyCodeHasAnExplanation() {
        let missing = DiagnosticCodeInfo.all.map(\.code).filter { Explanation.of($0) == nil }
        #expect(missing == [], "codes without an explanation: \(missing)")
        #expect(Set(Explanation.all.map(\.code)).count == Explanation.all.count, "a code is explained twice")
    }

    static var explained: [String] { Explanation.all.map(\.code.rawValue) }

    @Test(arguments: explained)
    func exampleProducesExactlyItsCode(_ raw: String) throws {
        let code = DiagnosticCode(rawValue: raw)
        let explanation = try #require(Explanation.of(code))
        var files: [String: [UInt8]] = [:]
        for f in Explanation.baseProject where !explanation.removing.contains(f.path) { files[f.path] = Array(f.text.utf8) }
        for f in explanation.example { files[f.path] = Array(f.text.utf8) }
        // What a Swift string cannot hold is added to the example's first file here.
        if let first = explanation.example.first?.path {
            switch code {
            case .invalidUTF8: files[first]! += [0xC3, 0x28]
            case .binaryFile: files[first]! += [0x00, 0x01]
            case .fileTooLarge: files[first]! += [UInt8](repeating: 0x23, count: 9 << 20)
            default: break
            }
        }
        let compilation: Compilation
        if code == .fileTooLarge || code == .projectNotFound || code == .fileMissing {
            // These are found while reading a folder: write the project out.
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-explain-\(raw)-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            for (path, bytes) in files {
                let url = dir.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: url)
            }
            compilation = Compiler.compile(try ProjectSources.load(path: dir.path))
        } else {
            compilation = Compiler.compile(ProjectSources(root: "example", files: files.map { SourceFile(path: $0.key, bytes: $0.value) }))
        }
        let errors = Set(compilation.diagnostics.filter { $0.severity == .error }.map(\.code))
        let all = compilation.diagnostics.map { "\($0.code): \($0.message)" }
        if code.defaultSeverity == .error {
            #expect(errors == [code], "\(raw)'s example produced \(all)")
        } else {
            #expect(errors.isEmpty && compilation.diagnostics.contains { $0.code == code }, "\(raw)'s example produced \(all)")
        }
    }

    @Test func explainPrintsExampleAndFix() {
        let (console, captured) = Console.capturing()
        #expect(Commands.explain(code: "M0305", console: console) == .clean)
        #expect(captured().out.contains("Example:"))
        #expect(captured().out.contains("How to fix it:"))
    }
}
