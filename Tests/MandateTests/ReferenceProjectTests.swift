import Foundation
import MandateCLI
import MandateCompiler
import MandateIR
import Testing

/// The repository's root, found from this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct ReferenceProjectTests {
    let procedures = repositoryRoot.appendingPathComponent("Procedures").path

    @Test func referenceProjectChecksClean() throws {
        let compilation = Compiler.compile(try ProjectSources.load(path: procedures))
        #expect(compilation.diagnostics.map(\.message) == [])
        #expect(compilation.counts.procedures >= 10)
        #expect(compilation.counts.goals >= 3)
    }

    @Test func checkCommandPrintsASummaryAndExitsZero() {
        let (console, captured) = Console.capturing()
        let exit = Commands.check(path: procedures, verbose: false, options: .init(), console: console)
        #expect(exit == .clean)
        #expect(captured().out.hasPrefix("checked 3 goals, "))
        #expect(captured().err == "")
    }

    @Test func planIsByteIdenticalForIdenticalInput() throws {
        let a = try Compiler.planFile(Compiler.compile(try ProjectSources.load(path: procedures)))!
        let b = try Compiler.planFile(Compiler.compile(try ProjectSources.load(path: procedures)))!
        #expect(try a.binary(sha256: Compiler.sha256) == b.binary(sha256: Compiler.sha256))
        #expect(try a.json() == b.json())
        let loaded = try PlanFile.load(try a.binary(sha256: Compiler.sha256), sha256: Compiler.sha256)
        #expect(loaded.plan.procedures.count >= 10)
        #expect(loaded.plan.procedures.allSatisfy { p in p.steps.allSatisfy { $0.source.line > 0 } })
    }
}
