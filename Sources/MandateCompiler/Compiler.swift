import Crypto
import Foundation
import MandateDiagnostics
import MandateIR
import MandateSyntax

/// What compiling a project produced: findings, the syntax trees, and the plan when there are no errors.
public struct Compilation: Sendable {
    /// Every finding, severity overrides applied, sorted for display.
    public var diagnostics: [Diagnostic]
    /// The files read, for rendering.
    public var sources: SourceLookup
    /// The paths of every file read, in order.
    public var files: [String]
    /// The parsed procedure files.
    public var procedures: [ProcedureFile]
    /// The lowered plan (present even with errors, for `dump --stage ir`).
    public var plan: Plan?
    /// Counts for the summary line.
    public var counts: (goals: Int, procedures: Int, actions: Int, scenarios: Int)
    /// Whether any finding is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    /// Seconds spent parsing every file (stage 1), for the benchmark.
    public var parseSeconds: Double = 0
    /// Seconds spent on the flow and policy proofs (stage 5), for the benchmark.
    public var proofSeconds: Double = 0
    /// What the proofs started from, so the benchmark can time them alone; nil when they did not run.
    var proofInput: Compiler.ProofInput?
}

/// The compiler: a list of named stages from sources to a plan.
public enum Compiler {
    /// The compiler's version, written into plans.
    public static let version = "mandate 0.1.0"

    /// SHA-256 of bytes, as lowercase hex.
    public static func sha256Hex(_ data: some DataProtocol) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: data) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// SHA-256 of bytes, the 32-byte digest: what plan files are hashed with.
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    /// Runs every stage: parse, declare, lower; then applies severity overrides.
    public static func compile(_ sources: ProjectSources) -> Compilation {
        var diagnostics = sources.diagnostics
        let lookup = SourceLookup(sources.allFiles)
        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        let parseStart = now()

        // Stage 1: parse, and stage 2: declare. Every file is read on its own, so all of them
        // are parsed on every core: first the YAML files, then the procedure files — and while
        // those are parsed, one core declares what the YAML files name (records, actions,
        // goals), which needs no procedure. Findings are taken in the order of a plain loop
        // over project file, catalog, goals, procedures, scenarios, then declarations.
        enum Parsed {
            case project(ProjectSyntax), catalog(CatalogSyntax), goal(GoalSyntax), scenario(ScenarioSyntax)
        }
        var jobs: [(SourceFile, Int)] = []  // 0 project, 1 catalog, 2 goal, 4 scenario
        if let file = sources.projectFile { jobs.append((file, 0)) }
        if let file = sources.catalogFile { jobs.append((file, 1)) }
        jobs += sources.goalFiles.map { ($0, 2) }
        jobs += sources.scenarioFiles.map { ($0, 4) }
        let parsed: [(Parsed, [Diagnostic])] = Parallel.map(jobs.count) { index in
            let (file, kind) = jobs[index]
            switch kind {
            case 0: let (p, d) = ProjectSyntax.read(YAMLDocument(file)); return (.project(p), d)
            case 1: let (c, d) = CatalogSyntax.read(YAMLDocument(file)); return (.catalog(c), d)
            case 2: let (g, d) = GoalSyntax.read(YAMLDocument(file)); return (.goal(g), d)
            default: let (s, d) = ScenarioSyntax.read(YAMLDocument(file)); return (.scenario(s), d)
            }
        }
        var project: ProjectSyntax?
        var catalog: CatalogSyntax?
        var goals: [GoalSyntax] = []
        var scenarios: [ScenarioSyntax] = []
        var scenarioDiagnostics: [Diagnostic] = []
        for (result, d) in parsed {
            switch result {
            case .project(let p): project = p; diagnostics += d
            case .catalog(let c): catalog = c; diagnostics += d
            case .goal(let g): goals.append(g); diagnostics += d
            case .scenario(let s): scenarios.append(s); scenarioDiagnostics += d
            }
        }
        var undeclared = Symbols(project: project, catalog: catalog, goals: goals, lookup: lookup)
        undeclared.catalogIncomplete = !(catalog?.isComplete ?? false)
        let procedureFiles = sources.procedureFiles
        // Index 0 declares (the largest single piece of work, so it starts first); 1… parse.
        final class Declared: @unchecked Sendable {
            // INVARIANT: written once, by the job of index 0, and read after the stage ends.
            var symbols: Symbols
            var seconds = 0.0
            init(_ symbols: Symbols) { self.symbols = symbols }
        }
        let declaring = Declared(undeclared)
        let parsedProcedures: [(ProcedureFile?, [Diagnostic])] = Parallel.map(procedureFiles.count + 1) { index in
            guard index > 0 else {
                let start = now()
                declaring.symbols.declare()
                declaring.seconds = Double(now() - start) / 1e9
                return (nil, [])
            }
            let (p, d) = ProcedureParser.parse(procedureFiles[index - 1])
            return (p, d)
        }
        var procedures: [ProcedureFile] = []
        procedures.reserveCapacity(procedureFiles.count)
        for (p, d) in parsedProcedures.dropFirst() {
            if let p { procedures.append(p) }
            diagnostics += d
        }
        diagnostics += scenarioDiagnostics
        if sources.projectFile != nil, sources.goalFiles.isEmpty {
            diagnostics.append(Diagnostic(
                .noGoals, "the project has no goal file", at: nil,
                help: "add a `<name>.goal.yaml` file with `goal:` and its `intents:`"))
        }
        // The parse's share of the stage: the declaring ran on one of the cores meanwhile.
        let parseSeconds = max(0, Double(now() - parseStart) / 1e9 - declaring.seconds / Double(Parallel.threads))

        var symbols = declaring.symbols
        symbols.declare(procedures: procedures)
        diagnostics += symbols.diagnostics

        // Stage 3: lower each procedure to a step graph.
        // Each procedure is lowered on its own against the shared symbols: on every core, results in file order.
        var lowered: [MandateIR.Procedure] = []
        // INVARIANT: `procedures` were parsed from `sources.procedureFiles`, in the same order.
        let declared = symbols
        let lowerings = Parallel.map(procedures.count) { index in
            var lowering = ProcedureLowering(file: procedures[index], source: procedureFiles[index], symbols: declared)
            return (lowering.lower(), lowering.diagnostics)
        }
        for (p, d) in lowerings {
            if let p { lowered.append(p) }
            diagnostics += d
        }

        // Stage 4: assemble the plan.
        // The sources' digests are added by `planFile`: a check that writes no plan need not hash every file.
        let plan = symbols.plan(procedures: lowered)

        // Stage 5: prove — flow and policy over the step graphs, for procedures that lowered cleanly.
        // An error in mandate.yaml, a goal or the catalog leaves names and types unknown everywhere: fix those first.
        // Errors in procedures or scenario tests leave the rest of the project to prove.
        let proofStart = now()
        let broken = Set(diagnostics.filter { $0.severity == .error }.map { $0.range?.file ?? "" })
        var proofInput: ProofInput?
        if broken.allSatisfy({ $0.hasSuffix(".procedure") || $0.hasSuffix(".test.yaml") || $0.hasSuffix(".test.yml") }) {
            let input = ProofInput(plan: plan, lookup: lookup, goals: goals, scenarios: scenarios, procedures: procedures, broken: broken)
            diagnostics += prove(input)
            proofInput = input
        }
        let proofSeconds = Double(now() - proofStart) / 1e9

        diagnostics = applySuppressions(diagnostics, procedures: procedures)
        diagnostics = applyOverrides(diagnostics, project: project)
        var compilation = Compilation(
            diagnostics: diagnostics.sortedForDisplay(), sources: lookup, files: sources.allFiles.map(\.path),
            procedures: procedures, plan: plan,
            counts: (goals.count, procedures.count, catalog?.actions.count ?? 0, scenarios.count))
        compilation.parseSeconds = parseSeconds
        compilation.proofSeconds = proofSeconds
        compilation.proofInput = proofInput
        return compilation
    }

    /// What the proofs (stage 5) start from: the plan and the syntax they read.
    struct ProofInput: Sendable {
        let plan: Plan
        let lookup: SourceLookup
        let goals: [GoalSyntax]
        let scenarios: [ScenarioSyntax]
        let procedures: [ProcedureFile]
        /// Files with errors: their procedures are left out.
        let broken: Set<String>
    }

    /// Stage 5: flow and policy over the step graphs, per procedure on up to `threads` threads.
    static func prove(_ input: ProofInput, threads: Int = Parallel.threads) -> [Diagnostic] {
        var checks = CheckContext(plan: input.plan, lookup: input.lookup, goalSyntax: input.goals, scenarios: input.scenarios, skippedFiles: input.broken)
        PlanChecks.run(&checks, syntax: input.procedures, threads: threads)
        return checks.diagnostics
    }

    /// Seconds each of `runs` runs of the flow and policy proofs alone takes on `threads`
    /// threads, over what `compilation` already parsed and lowered; empty when errors in
    /// `mandate.yaml`, a goal or the catalog stopped the proofs. For the benchmark, which
    /// compares them with the parse time.
    public static func proofRuns(_ compilation: Compilation, runs: Int, threads: Int = 1) -> [Double] {
        guard let input = compilation.proofInput else { return [] }
        return (0..<runs).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            let found = prove(input, threads: threads)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            withExtendedLifetime(found) {}
            return seconds
        }
    }

    /// Applies `# mandate: allow CODE because "…"`: findings of that code in the next step (and
    /// its sub-steps) are dropped. A suppression with no reason or an unknown code is an error;
    /// one that silences nothing is a warning, so stale suppressions do not pile up.
    static func applySuppressions(_ diagnostics: [Diagnostic], procedures: [ProcedureFile]) -> [Diagnostic] {
        var kept = diagnostics
        var added: [Diagnostic] = []
        for procedure in procedures {
            for s in procedure.suppressions {
                let code = DiagnosticCode(rawValue: s.code.value)
                guard code.info != nil, code != .unusedSuppression, code != .malformedSuppression else {
                    added.append(Diagnostic(
                        .malformedSuppression, "`\(s.code.value)` is not a diagnostic code this comment can allow", at: s.code.range,
                        help: Suggestions.didYouMean(s.code.value, in: DiagnosticCodeInfo.all.map(\.code.rawValue))
                            ?? "write the code Mandate reported, such as `M0214`"))
                    continue
                }
                guard let reason = s.reason, !reason.value.trimmingCharacters(in: .whitespaces).isEmpty else {
                    added.append(Diagnostic(
                        .malformedSuppression, "allowing `\(code)` needs a reason", at: s.range,
                        help: "write why it is safe here: `# mandate: allow \(code) because \"<the reason>\"`"))
                    continue
                }
                guard let scope = s.scope else {
                    added.append(Diagnostic(
                        .unusedSuppression, "allowing `\(code)` here silences nothing: no step follows it", at: s.range,
                        help: "put the comment on the line before the step it is about, or remove it"))
                    continue
                }
                let before = kept.count
                kept.removeAll { d in
                    guard d.code == code, let r = d.range, r.file == procedure.path else { return false }
                    return r.start >= scope.start && r.start < scope.end
                }
                if kept.count == before {
                    added.append(Diagnostic(
                        .unusedSuppression, "allowing `\(code)` here silences nothing: the step after it has no `\(code)` finding",
                        at: s.range, help: "remove the comment; it no longer applies"))
                }
            }
        }
        return kept + added
    }

    /// Applies `severity:` from `mandate.yaml`: `off` drops a code, `warning`/`error` change it.
    static func applyOverrides(_ diagnostics: [Diagnostic], project: ProjectSyntax?) -> [Diagnostic] {
        guard let project, !project.severity.isEmpty else { return diagnostics }
        var levels: [String: String] = [:]
        for (code, level) in project.severity { levels[code.value.uppercased()] = level.value }
        return diagnostics.compactMap { d in
            guard let level = levels[d.code.rawValue] else { return d }
            var changed = d
            switch level {
            case "off": return nil
            case "warning": changed.severity = .warning
            default: changed.severity = .error
            }
            return changed
        }
    }

    /// Compiles and wraps the plan as a file, with its sources' digests and the trained intent
    /// classifier; nil when there are errors. Its `contentHash` is the SHA-256 of its binary form
    /// (`PlanFile.binary`), the form `mandate compile -o FILE` writes.
    public static func planFile(_ compilation: Compilation) throws -> PlanFile? {
        try encodedPlan(compilation)?.file
    }

    /// The plan file and its binary form, encoded once; nil when there are errors.
    public static func encodedPlan(_ compilation: Compilation) throws -> (file: PlanFile, binary: Data)? {
        guard var plan = runnablePlan(compilation) else { return nil }
        plan.sources = compilation.files.filter { !$0.hasSuffix(".test.yaml") && !$0.hasSuffix(".test.yml") }.compactMap { path in
            compilation.sources[path].map { SourceDigest(path: path, sha256: "sha256:" + sha256Hex($0.bytes)) }
        }.sorted { $0.path < $1.path }
        return try PlanFile.encoded(plan: plan, compiler: version, sha256: sha256)
    }

    /// The plan as a runtime runs it — with the intent classifier trained from the goals'
    /// examples, exactly as in a plan file — for commands that run a project folder directly
    /// (`run`, `test`, `simulate`): no source digests, no encoding, no hash. Nil when the
    /// compilation has errors.
    public static func runnablePlan(_ compilation: Compilation) -> Plan? {
        guard !compilation.hasErrors, var plan = compilation.plan else { return nil }
        plan.classifier = ClassifierTraining.train(ClassifierTraining.examples(of: plan))
        return plan
    }
}
