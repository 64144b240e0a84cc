import Foundation
import MandateCompiler
import MandateDiagnostics
import MandateIR
import MandateSyntax

/// The exit codes of `mandate`, one documented set for every command.
public enum MandateExit: Int32, Error, Sendable, CaseIterable {
    /// No errors (warnings may have been shown).
    case clean = 0
    /// The project has errors (or warnings, with `--warnings-as-errors`).
    case errorsFound = 1
    /// The command line was wrong.
    case usage = 64
    /// A path could not be read.
    case inputUnreadable = 66
    /// Mandate itself failed; please report it.
    case internalError = 70
}

/// Where a command writes: results to `out`, diagnostics to `err`.
public final class Console: @unchecked Sendable {
    /// Standard output.
    public var out: (String) -> Void
    /// Standard error.
    public var err: (String) -> Void
    /// Makes a console.
    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.out = out
        self.err = err
    }
    /// The process's streams.
    public static func standard() -> Console {
        Console(out: { FileHandle.standardOutput.write(Data($0.utf8)) }, err: { FileHandle.standardError.write(Data($0.utf8)) })
    }
    /// A console that keeps what is written (tests).
    public static func capturing() -> (Console, () -> (out: String, err: String)) {
        final class Box: @unchecked Sendable { var out = ""; var err = "" }
        let box = Box()
        return (Console(out: { box.out += $0 }, err: { box.err += $0 }), { (box.out, box.err) })
    }
}

/// Options every command takes.
public struct DiagnosticOptions: Sendable {
    /// human, plain or json.
    public var format: DiagnosticFormat = .human
    /// Whether to color human output.
    public var color: Bool = false
    /// Show at most this many errors.
    public var maxErrors: Int = 50
    /// Treat warnings as errors for the exit code.
    public var warningsAsErrors = false
    /// Makes options.
    public init(format: DiagnosticFormat = .human, color: Bool = false, maxErrors: Int = 50, warningsAsErrors: Bool = false) {
        self.format = format
        self.color = color
        self.maxErrors = maxErrors
        self.warningsAsErrors = warningsAsErrors
    }
}

/// The command handlers: library functions the `mandate` tool and the tests call.
public enum Commands {
    /// The project `mandate` works on when no path is given: `./Procedures` if present, else `.`.
    public static func defaultProjectPath() -> String {
        FileManager.default.fileExists(atPath: "Procedures/mandate.yaml") ? "Procedures" : "."
    }

    /// The last compilation of this process. A command-line run ends right after it; keeping
    /// it here spares freeing every node at exit (about 5% of a large check).
    nonisolated(unsafe) static var keptUntilExit: Compilation?

    static func load(_ path: String, _ console: Console) -> Compilation? {
        do {
            let compilation = Compiler.compile(try ProjectSources.load(path: path))
            keptUntilExit = compilation
            return compilation
        } catch {
            console.err("error: \(error.description)\n")
            return nil
        }
    }

    /// Shows diagnostics and returns the exit code they imply.
    /// The project path as a prefix for repository-relative file paths (`Procedures/`).
    static func pathPrefix(_ path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        if p == "." || p.isEmpty { return "" }
        return p.hasSuffix("/") ? p : p + "/"
    }

    static func report(_ c: Compilation, _ options: DiagnosticOptions, _ console: Console, path: String = "") -> MandateExit {
        var shown: [Diagnostic] = []
        var errors = 0
        var hidden = 0
        for d in c.diagnostics {
            if d.severity == .error {
                errors += 1
                if errors > options.maxErrors { hidden += 1; continue }
            }
            shown.append(d)
        }
        let machine = options.format == .json || options.format == .sarif
        if !shown.isEmpty || machine {
            console.err(DiagnosticRenderer.render(shown, format: options.format, sources: c.sources, color: options.color,
                                                  pathPrefix: pathPrefix(path), toolVersion: Compiler.version.replacingOccurrences(of: "mandate ", with: "")))
        }
        if hidden > 0, !machine, options.format != .github {
            console.err("… and \(hidden) more error\(hidden == 1 ? "" : "s") (raise --max-errors to see them)\n")
        }
        let warnings = c.diagnostics.filter { $0.severity == .warning }.count
        return errors > 0 || (options.warningsAsErrors && warnings > 0) ? .errorsFound : .clean
    }

    static func summary(_ c: Compilation) -> String {
        let errors = c.diagnostics.filter { $0.severity == .error }.count
        let warnings = c.diagnostics.filter { $0.severity == .warning }.count
        let what = "\(c.counts.goals) goal\(c.counts.goals == 1 ? "" : "s"), \(c.counts.procedures) procedure\(c.counts.procedures == 1 ? "" : "s"), \(c.counts.actions) action\(c.counts.actions == 1 ? "" : "s"), \(c.counts.scenarios) scenario test\(c.counts.scenarios == 1 ? "" : "s")"
        if errors == 0 && warnings == 0 { return "checked \(what): no problems\n" }
        return "checked \(what): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
    }

    /// `mandate check`: diagnostics, then a one-line summary.
    public static func check(path: String, verbose: Bool, options: DiagnosticOptions, console: Console) -> MandateExit {
        guard let c = load(path, console) else { return .inputUnreadable }
        if verbose {
            for path in c.files { console.out("read \(path)\n") }
        }
        let exit = report(c, options, console, path: path)
        if options.format != .json && options.format != .sarif { console.out(summary(c)) }
        return exit
    }

    /// The two forms of a plan file.
    public enum PlanForm: String, Sendable, CaseIterable {
        /// The compact form the runtime loads (`plan.mplan`).
        case binary
        /// The readable form, for people, reviews and diffs (`plan.json`).
        case json
    }

    /// `mandate compile`: writes the plan when there are no errors — to `output` in the binary
    /// form (the JSON form when `output` ends in `.json` or `form` says so), or to standard output
    /// as JSON.
    public static func compile(path: String, output: String?, form: PlanForm? = nil, options: DiagnosticOptions, console: Console) -> MandateExit {
        let form = form ?? (output == nil || output!.hasSuffix(".json") ? .json : .binary)
        guard output != nil || form == .json else {
            console.err("error: a binary plan is written to a file: add `-o plan.mplan` (or use `--format json` to print the readable form)\n")
            return .usage
        }
        guard let c = load(path, console) else { return .inputUnreadable }
        let exit = report(c, options, console, path: path)
        guard exit == .clean else { return exit }
        do {
            guard let (file, binary) = try Compiler.encodedPlan(c) else { return .errorsFound }
            let data = form == .binary ? binary : try file.json()
            if let output {
                try data.write(to: URL(fileURLWithPath: output), options: .atomic)
                console.out("wrote \(output) (\(file.contentHash), \(data.count) bytes)\n")
            } else {
                console.out(String(decoding: data, as: UTF8.self))
            }
            return .clean
        } catch let error as PlanLoadError {
            console.err("error: cannot write the plan: \(error.description)\n")
            return .internalError
        } catch {
            console.err("error: cannot write the plan: \(error.localizedDescription)\n")
            return .inputUnreadable
        }
    }

    /// Whether `path` names a plan file rather than a project: a file (not a folder) ending in
    /// `.json` or `.mplan`, starting with a binary plan's signature, or starting with `{` (a JSON plan).
    static func isPlanFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return path.hasSuffix(".json") || path.hasSuffix(".mplan")
        }
        if path.hasSuffix(".json") || path.hasSuffix(".mplan") { return true }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64)) ?? Data()
        return PlanFile.isBinary(head) || head.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{")
    }

    /// Reads a plan file in either form, saying why when it cannot: a missing file is
    /// `inputUnreadable` (66); a file refused for its form, version or hash is `errorsFound` (1).
    static func readPlanFile(_ path: String, procedures: PlanFile.ProcedureDecoding, console: Console) -> Result<PlanFile, MandateExit> {
        guard FileManager.default.fileExists(atPath: path) else {
            console.err("error: cannot read the plan `\(path)`: no such file\n")
            return .failure(.inputUnreadable)
        }
        do {
            return .success(try PlanFile.load(contentsOf: path, sha256: Compiler.sha256, procedures: procedures))
        } catch {
            console.err("error: `\(path)`: \(error.description)\n")
            return .failure(.errorsFound)
        }
    }

    /// The stages `dump` shows.
    public enum Stage: String, Sendable, CaseIterable {
        /// The procedures' syntax trees.
        case ast
        /// The typed IR (the plan's content).
        case ir
        /// The plan file, hash included.
        case plan
    }

    /// `mandate dump --stage ast|ir|plan`. Given a plan file instead of a project, shows its
    /// content as JSON (stage `plan`, the default, or `ir`).
    public static func dump(stage: Stage, path: String, options: DiagnosticOptions, console: Console) -> MandateExit {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        if isPlanFile(path) {
            guard stage != .ast else {
                console.err("error: a plan file holds no syntax trees; give the project folder to see them\n")
                return .usage
            }
            let file: PlanFile
            switch readPlanFile(path, procedures: .eager, console: console) {
            case .success(let f): file = f
            case .failure(let exit): return exit
            }
            do {
                let data = stage == .plan ? try file.json() : try encoder.encode(file.plan) + Data("\n".utf8)
                console.out(String(decoding: data, as: UTF8.self))
                return .clean
            } catch {
                console.err("error: cannot show the plan: \(error.localizedDescription)\n")
                return .internalError
            }
        }
        guard let c = load(path, console) else { return .inputUnreadable }
        switch stage {
        case .ast:
            for p in c.procedures {
                if let source = c.sources[p.path] { console.out(ASTDump.dump(p, source: source)) }
            }
            return report(c, options, console)
        case .ir:
            let exit = report(c, options, console)
            guard let plan = c.plan else { return exit }
            if let data = try? encoder.encode(plan) { console.out(String(decoding: data, as: UTF8.self) + "\n") }
            return exit
        case .plan:
            return compile(path: path, output: nil, form: .json, options: options, console: console)
        }
    }

    /// `mandate diff OLD NEW`: the policy changes between two plan files (either form), as Markdown or JSON.
    /// Exits 0 whether or not there are changes; 66 when a plan cannot be read or is refused.
    public static func diff(old: String, new: String, json: Bool, console: Console) -> MandateExit {
        let a: Plan, b: Plan
        switch (readPlanFile(old, procedures: .eager, console: console), readPlanFile(new, procedures: .eager, console: console)) {
        case (.success(let x), .success(let y)): (a, b) = (x.plan, y.plan)
        case (.failure(let exit), _), (_, .failure(let exit)): return exit
        }
        let d = PlanDiff.between(a, b)
        if json {
            guard let data = try? d.json() else { return .internalError }
            console.out(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            console.out(d.markdown)
        }
        return .clean
    }

    /// `mandate explain CODE`.
    public static func explain(code: String, console: Console) -> MandateExit {
        let wanted = DiagnosticCode(rawValue: code.uppercased())
        guard let explanation = Explanation.of(wanted) else {
            if let info = wanted.info {
                console.out("\(info.code): \(info.title)\n")
                return .clean
            }
            let all = DiagnosticCodeInfo.all.map(\.code.rawValue)
            console.err("error: `\(code)` is not a Mandate diagnostic code\n")
            if let hint = Suggestions.didYouMean(code.uppercased(), in: all) { console.err("help: \(hint)\n") }
            return .usage
        }
        console.out(explanation.rendered)
        return .clean
    }
}
