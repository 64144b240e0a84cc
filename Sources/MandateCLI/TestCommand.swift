import ArgumentParser
import Foundation
import MandateCompiler
import MandateDiagnostics
import MandateIR
import MandateRuntime
import MandateScenarios

extension Commands {
    /// What `mandate test` does besides running the scenarios.
    public struct TestOptions: Sendable {
        /// Only scenarios whose file or name contains this.
        public var filter: String?
        /// Write JUnit XML here.
        public var junit: String?
        /// Report coverage: nil, `text` or `json`.
        public var coverage: String?
        /// Fail below this coverage percentage.
        public var minCoverage: Double?
        /// Write boundary scenarios to this folder instead of running the scenarios.
        public var suggestInto: String?
        /// The clock for suggestions.
        public var now: Int64?
        /// Makes options.
        public init(filter: String? = nil, junit: String? = nil, coverage: String? = nil, minCoverage: Double? = nil,
                    suggestInto: String? = nil, now: Int64? = nil) {
            self.filter = filter
            self.junit = junit
            self.coverage = coverage
            self.minCoverage = minCoverage
            self.suggestInto = suggestInto
            self.now = now
        }
    }

    /// `mandate test`: runs the project's scenarios; exit 0 when all pass (and coverage is enough), 1 otherwise.
    public static func test(path: String, test: TestOptions, options: DiagnosticOptions, console: Console) -> MandateExit {
        guard let compilation = load(path, console) else { return .inputUnreadable }
        if compilation.hasErrors || compilation.plan == nil {
            _ = report(compilation, options, console, path: path)
            console.err("error: the project has errors; fix them before running its scenarios\n")
            return .errorsFound
        }
        guard let plan = Compiler.runnablePlan(compilation) else { return .errorsFound }
        if let folder = test.suggestInto {
            let now = test.now ?? (Int64(Date().timeIntervalSince1970) / 86_400 * 86_400 + 36_000)
            let suggestions = ScenarioSuggester.suggest(plan: plan, now: now)
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for s in suggestions {
                    try s.text.write(toFile: (folder as NSString).appendingPathComponent(s.fileName), atomically: true, encoding: .utf8)
                    console.out("wrote \((folder as NSString).appendingPathComponent(s.fileName))\n")
                }
            } catch {
                console.err("error: cannot write to `\(folder)`: \(error.localizedDescription)\n")
                return .inputUnreadable
            }
            console.out("\(suggestions.count) boundary scenario\(suggestions.count == 1 ? "" : "s") suggested: review each one's expectations, then keep it or change the procedure\n")
            return .clean
        }
        var scenarios: [Scenario] = []
        var broken = 0
        for file in compilation.files where file.hasSuffix(".test.yaml") || file.hasSuffix(".test.yml") {
            guard let source = compilation.sources[file] else { continue }
            switch ScenarioLoader.load(source, plan: plan) {
            case .success(let s):
                if let f = test.filter, !s.file.localizedCaseInsensitiveContains(f), !s.name.localizedCaseInsensitiveContains(f) { continue }
                scenarios.append(s)
            case .failure(let e):
                broken += 1
                console.out("✘ \(file)  cannot be run: \(e.description)\n")
            }
        }
        if scenarios.isEmpty && broken == 0 {
            console.err(test.filter.map { "error: no scenario matches `\($0)`\n" } ?? "error: the project has no scenarios (`*.test.yaml`)\n")
            return test.filter == nil ? .clean : .usage
        }
        let runner = ScenarioRunner(runtime: Runtime(plan: plan))
        let results = runner.run(scenarios)
        console.out(ScenarioReport.text(results) { file, n in
            guard let source = compilation.sources[file] else { return nil }
            return source.lineText(n)
        })
        if let junit = test.junit {
            do { try ScenarioReport.junit(results, suite: plan.project.name).write(toFile: junit, atomically: true, encoding: .utf8) } catch {
                console.err("error: cannot write `\(junit)`: \(error.localizedDescription)\n")
                return .inputUnreadable
            }
        }
        var enough = true
        if test.coverage != nil || test.minCoverage != nil {
            let coverage = Coverage(plan: plan, traces: results.map(\.trace))
            if test.coverage == "json" {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                if let d = try? encoder.encode(coverage), let s = String(data: d, encoding: .utf8) { console.out(s + "\n") }
            } else if test.coverage != nil {
                console.out("\n" + coverage.text())
            }
            if let min = test.minCoverage, coverage.percent < min {
                console.err(String(format: "error: coverage %.1f%% is below the minimum %.1f%%\n", coverage.percent, min))
                enough = false
            }
        }
        return results.allSatisfy(\.passed) && broken == 0 && enough ? .clean : .errorsFound
    }
}

struct Test: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the project's scenario tests (*.test.yaml) with a fixed clock and their own fixtures.",
        discussion: "Exit codes: 0 every scenario passed, 1 a scenario failed or coverage is below --min-coverage, 64 usage, 66 input unreadable.")
    @Argument(help: "The project folder.") var path: String?
    @Option(name: .long, help: "Only scenarios whose file or name contains this text.") var filter: String?
    @Option(name: .long, help: "Write JUnit XML to this file.") var junit: String?
    @Flag(name: .long, help: "Report which steps, branches and guardrail clauses no scenario exercised.") var coverage = false
    @Option(name: .long, help: "The coverage report's format: text or json.") var coverageFormat: String = "text"
    @Option(name: .long, help: "Fail when coverage is below this percentage.") var minCoverage: Double?
    @Flag(name: .long, help: "Write scenario skeletons at the plan's edges (limits, windows) instead of running the scenarios.") var suggest = false
    @Option(name: .long, help: "Where --suggest writes (default: tests/suggested in the project).") var suggestDir: String?
    @Option(name: .long, help: "The clock for --suggest, such as 2026-11-28T10:00:00Z (default: today).") var now: String?
    @OptionGroup var global: GlobalOptions
    func validate() throws {
        guard ["text", "json"].contains(coverageFormat) else { throw ValidationError("--coverage-format must be text or json, not `\(coverageFormat)`") }
        if let m = minCoverage, !(0...100).contains(m) { throw ValidationError("--min-coverage must be between 0 and 100") }
    }
    func execute(_ console: Console) -> MandateExit {
        let project = path ?? Commands.defaultProjectPath()
        var clock: Int64?
        if let now {
            guard let m = FixtureConversion.parseMoment(now) else {
                console.err("error: `--now \(now)` is not a moment like 2026-11-28T10:00:00Z\n")
                return .usage
            }
            clock = m
        }
        let folder = suggest ? (suggestDir ?? (project as NSString).appendingPathComponent("tests/suggested")) : nil
        return Commands.test(path: project,
                             test: .init(filter: filter, junit: junit, coverage: coverage ? coverageFormat : nil, minCoverage: minCoverage,
                                         suggestInto: folder, now: clock),
                             options: global.resolved, console: console)
    }
}
