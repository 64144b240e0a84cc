import ArgumentParser
import Foundation
import MandateCompiler
import MandateIR

/// `mandate classifier`: the embedded intent classifier's accuracy and calibration on a held-out split.
struct ClassifierReport: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Measure the intent classifier on held-out examples: accuracy, out of scope, calibration.")
    @Argument(help: "The project folder.") var path: String?
    @Option(name: .long, help: "Hold out every Nth example of each intent (at least 2).") var every: Int = 5
    @Flag(name: .long, help: "Print the figures as JSON.") var json = false
    @OptionGroup var global: GlobalOptions
    func validate() throws {
        guard every >= 2 else { throw ValidationError("--every must be at least 2") }
    }
    func execute(_ console: Console) -> MandateExit {
        Commands.classifier(path: path ?? Commands.defaultProjectPath(), every: every, json: json,
                            options: global.resolved, console: console)
    }
}

extension Commands {
    /// `mandate classifier`: trains on all but every `every`-th example of each intent, tests on those.
    public static func classifier(path: String, every: Int, json: Bool, options: DiagnosticOptions, console: Console) -> MandateExit {
        guard let c = load(path, console) else { return .inputUnreadable }
        let exit = report(c, options, console, path: path)
        guard exit == .clean, let plan = c.plan else { return exit == .clean ? .errorsFound : exit }
        guard let evaluation = ClassifierEvaluation.run(plan: plan, every: every) else {
            console.err("error: the project has too few intent examples to hold any out; give each intent at least \(every)\n")
            return .errorsFound
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            console.out(String(decoding: (try? encoder.encode(evaluation)) ?? Data(), as: UTF8.self) + "\n")
        } else {
            console.out(evaluation.text)
        }
        return .clean
    }
}
