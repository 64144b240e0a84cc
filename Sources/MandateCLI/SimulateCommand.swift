import ArgumentParser
import Foundation
import MandateDiagnostics
import MandateIR
import MandateRuntime
import MandateScenarios

extension Commands {
    /// The formats of `mandate simulate`.
    public enum SimulationFormat: String, Sendable, CaseIterable { case markdown, json, html }

    /// `mandate simulate`: replays a corpus through the plan (and a baseline plan) and reports.
    public static func simulate(path: String, conversations: String, baseline: String?, fixtures: String?, format: SimulationFormat?,
                                output: String?, traces: Bool, options: DiagnosticOptions, console: Console) -> MandateExit {
        let loaded: LoadedPlan
        switch loadPlan(path, options: options, console: console) {
        case .success(let l): loaded = l
        case .failure(let code): return code
        }
        var old: Plan?
        if let baseline {
            switch loadPlan(baseline, options: options, console: console) {
            case .success(let l): old = l.plan
            case .failure(let code): return code
            }
        }
        guard let text = FileManager.default.contents(atPath: conversations).map({ String(decoding: $0, as: UTF8.self) }) else {
            console.err("error: cannot read `\(conversations)`: no such file\n")
            return .inputUnreadable
        }
        guard let sandbox = loadSandbox(fixtures, root: loaded.root, plan: loaded.plan, console: console) else { return .errorsFound }
        let corpus: [CorpusConversation]
        switch CorpusReader.read(text, plan: loaded.plan, sandbox: sandbox) {
        case .success(let c): corpus = c
        case .failure(let e):
            console.err("error: `\(conversations)` \(e.description)\n")
            return .errorsFound
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let results = Simulator(runtime: Runtime(plan: loaded.plan)).run(corpus)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let baselineResults = old.map { Simulator(runtime: Runtime(plan: $0)).run(corpus) }
        let metrics = SimulationMetrics(results, plan: loaded.plan)
        let comparison = baselineResults.map { SimulationComparison(baseline: $0, current: results, baselinePlan: old!, plan: loaded.plan) }
        let chosen = format ?? output.flatMap { o in
            o.hasSuffix(".html") ? .html : o.hasSuffix(".json") ? .json : o.hasSuffix(".md") ? .markdown : nil
        } ?? .markdown
        let project = loaded.plan.project.name
        let report: String
        switch chosen {
        case .markdown: report = SimulationReport.markdown(metrics, comparison: comparison, project: project)
        case .json: report = SimulationReport.json(metrics, comparison: comparison, results: results, traces: traces)
        case .html: report = SimulationReport.html(metrics, comparison: comparison, results: results, baseline: baselineResults, project: project)
        }
        if let output {
            do { try report.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                console.err("error: cannot write `\(output)`: \(error.localizedDescription)\n")
                return .inputUnreadable
            }
        } else {
            console.out(report)
        }
        console.err(String(format: "simulated %d conversations, %d turns in %.3f s (%.0f turns/s): AI resolution %.1f%%, escalation %.1f%%\n",
                           metrics.conversations, metrics.turns, seconds, Double(metrics.turns) / max(seconds, 1e-9),
                           metrics.aiResolutionRate * 100, metrics.escalationRate * 100))
        return .clean
    }
}

struct Simulate: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay a corpus of customer conversations through the plan and report resolution, escalations and guardrail trips.",
        discussion: "The corpus is JSON Lines (see Examples/conversations/README.md). With --baseline, the same corpus runs through both plans and the report shows what changes.")
    @Argument(help: "The project folder or plan file.") var path: String?
    @Option(name: .long, help: "The conversations, as JSON Lines.") var conversations: String
    @Option(name: .long, help: "A previous plan file to compare against.") var baseline: String?
    @Option(name: .long, help: "Sandbox data (default: sandbox.yaml in the project).") var fixtures: String?
    @Option(name: .long, help: "markdown, json or html (default: from -o's extension, else markdown).") var format: String?
    @Option(name: .shortAndLong, help: "Write the report here (default: standard output).") var output: String?
    @Flag(name: .long, help: "Include every trace in the JSON report.") var traces = false
    @OptionGroup var global: GlobalOptions
    func validate() throws {
        if let f = format, Commands.SimulationFormat(rawValue: f) == nil { throw ValidationError("--format must be markdown, json or html, not `\(f)`") }
    }
    func execute(_ console: Console) -> MandateExit {
        Commands.simulate(path: path ?? Commands.defaultProjectPath(), conversations: conversations, baseline: baseline, fixtures: fixtures,
                          format: format.flatMap(Commands.SimulationFormat.init(rawValue:)), output: output, traces: traces,
                          options: global.resolved, console: console)
    }
}
