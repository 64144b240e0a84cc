import ArgumentParser
import Foundation
import MandateDiagnostics

/// Options shared by every command.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "How to show findings: human, plain, json, sarif (SARIF 2.1.0) or github (Actions annotations).")
    var diagnosticFormat: String = "human"

    @Option(name: .long, help: "Color: auto, always or never (never when NO_COLOR is set).")
    var color: String = "auto"

    @Option(name: .long, help: "Show at most this many errors.")
    var maxErrors: Int = 50

    @Flag(name: .long, help: "Exit with 1 when there are warnings.")
    var warningsAsErrors = false

    func validate() throws {
        guard DiagnosticFormat(rawValue: diagnosticFormat) != nil else {
            throw ValidationError("--diagnostic-format must be human, plain, json, sarif or github, not `\(diagnosticFormat)`")
        }
        guard ["auto", "always", "never"].contains(color) else {
            throw ValidationError("--color must be auto, always or never, not `\(color)`")
        }
        guard maxErrors > 0 else { throw ValidationError("--max-errors must be at least 1") }
    }

    var resolved: DiagnosticOptions {
        let env = ProcessInfo.processInfo.environment
        let noColor = env["NO_COLOR"].map { !$0.isEmpty } ?? false
        let useColor: Bool
        switch color {
        case "always": useColor = !noColor
        case "never": useColor = false
        default: useColor = !noColor && isatty(STDERR_FILENO) == 1 && env["TERM"] != "dumb"
        }
        return DiagnosticOptions(format: DiagnosticFormat(rawValue: diagnosticFormat) ?? .human, color: useColor,
                                 maxErrors: maxErrors, warningsAsErrors: warningsAsErrors)
    }
}

/// `mandate`: the root command.
public struct MandateCommand: ParsableCommand {
    /// The command's description.
    public static let configuration = CommandConfiguration(
        commandName: "mandate",
        abstract: "Check and compile what a support team's AI agent may do: goals, procedures and their guardrails.",
        discussion: """
            Exit codes: 0 no errors, 1 errors found, 64 usage, 66 input unreadable, 70 internal error.
            PATH defaults to ./Procedures (the reference project) when it exists, else the current folder.
            """,
        subcommands: [Check.self, Compile.self, Dump.self, Explain.self, Diff.self, Run.self, Test.self, Simulate.self, ClassifierReport.self, Trace.self, Ledger.self])

    /// Makes the command.
    public init() {}

    /// Parses `arguments` and runs; returns the process exit code.
    public static func run(arguments: [String], console: Console = .standard()) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if let c = command as? any MandateRunnable { return c.execute(console).rawValue }
            try command.run()
            return 0
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { console.out(message + "\n") } else { console.err(message + "\n") }
            }
            if code == .success { return 0 }
            return code == .validationFailure ? MandateExit.usage.rawValue : code.rawValue
        }
    }
}

protocol MandateRunnable {
    func execute(_ console: Console) -> MandateExit
}

struct Check: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Check a project; silent but for a one-line summary when all is well.")
    @Argument(help: "The project folder.") var path: String?
    @Flag(name: .shortAndLong, help: "List the files read.") var verbose = false
    @OptionGroup var global: GlobalOptions
    func execute(_ console: Console) -> MandateExit {
        Commands.check(path: path ?? Commands.defaultProjectPath(), verbose: verbose, options: global.resolved, console: console)
    }
}

struct Compile: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a project into a plan file.",
        discussion: """
            A plan file is written in the compact binary form the runtime loads (`-o plan.mplan`), or in the
            readable JSON form for people and reviews (`-o plan.json`, or standard output). Both carry the
            same content and the same sha256; `mandate run`, `simulate`, `dump` and `diff` read either.
            """)
    @Argument(help: "The project folder.") var path: String?
    @Option(name: .shortAndLong, help: "Where to write the plan (default: standard output, as JSON).") var output: String?
    @Option(name: .long, help: "binary or json (default: json when the output ends in .json or is standard output, else binary).")
    var format: String?
    @OptionGroup var global: GlobalOptions
    func validate() throws {
        if let format, Commands.PlanForm(rawValue: format) == nil {
            throw ValidationError("--format must be binary or json, not `\(format)`")
        }
    }
    func execute(_ console: Console) -> MandateExit {
        Commands.compile(path: path ?? Commands.defaultProjectPath(), output: output, form: format.flatMap(Commands.PlanForm.init(rawValue:)),
                         options: global.resolved, console: console)
    }
}

struct Dump: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Show a stage of the pipeline: ast, ir or plan; or a plan file (binary or JSON) as JSON.")
    @Option(name: .long, help: "ast, ir or plan.") var stage: String = "plan"
    @Argument(help: "The project folder, or a plan file.") var path: String?
    @OptionGroup var global: GlobalOptions
    func validate() throws {
        guard Commands.Stage(rawValue: stage) != nil else { throw ValidationError("--stage must be ast, ir or plan, not `\(stage)`") }
    }
    func execute(_ console: Console) -> MandateExit {
        Commands.dump(stage: Commands.Stage(rawValue: stage) ?? .plan, path: path ?? Commands.defaultProjectPath(),
                      options: global.resolved, console: console)
    }
}

struct Explain: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Explain a diagnostic code, with an example and the fix.")
    @Argument(help: "The code, such as M0301.") var code: String
    func execute(_ console: Console) -> MandateExit { Commands.explain(code: code, console: console) }
}

struct Diff: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two compiled plans: limits, actions, hand-offs, confirmations and paths to money, for a pull-request review.")
    @Argument(help: "The plan before the change.") var old: String
    @Argument(help: "The plan after the change.") var new: String
    @Option(name: .long, help: "markdown or json.") var format: String = "markdown"
    func validate() throws {
        guard ["markdown", "json"].contains(format) else { throw ValidationError("--format must be markdown or json, not `\(format)`") }
    }
    func execute(_ console: Console) -> MandateExit { Commands.diff(old: old, new: new, json: format == "json", console: console) }
}
