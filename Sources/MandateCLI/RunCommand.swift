import ArgumentParser
import Foundation
import MandateCompiler
import MandateDiagnostics
import MandateIR
import MandateRuntime
import MandateScenarios
import MandateStore
import MandateSyntax

/// A plan ready to run, and where its project is.
struct LoadedPlan {
    var plan: Plan
    /// The project folder, when the plan was compiled from one.
    var root: String?
}

extension Commands {
    /// Loads a plan from a project folder (compiling it) or a plan file (binary or JSON, checked
    /// for its format and hash; a binary plan's procedures are decoded as conversations reach them).
    static func loadPlan(_ path: String, options: DiagnosticOptions, console: Console) -> Result<LoadedPlan, MandateExit> {
        if isPlanFile(path) {
            return readPlanFile(path, procedures: .lazy, console: console).map { LoadedPlan(plan: $0.plan, root: nil) }
        }
        guard let compilation = load(path, console) else { return .failure(.inputUnreadable) }
        if compilation.hasErrors || compilation.plan == nil {
            _ = report(compilation, options, console, path: path)
            console.err("error: the project has errors; fix them before running it\n")
            return .failure(.errorsFound)
        }
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        // The plan as `mandate compile` writes it: with the intent classifier trained from the goals' examples.
        guard let plan = Compiler.runnablePlan(compilation) else { return .failure(.errorsFound) }
        return .success(LoadedPlan(plan: plan, root: isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent))
    }

    /// Reads a YAML file into plain values (strings, arrays, dictionaries) with its diagnostics.
    static func readPlainYAML(_ path: String, console: Console) -> Any? {
        guard let data = FileManager.default.contents(atPath: path) else {
            console.err("error: cannot read `\(path)`: no such file\n")
            return nil
        }
        let file = SourceFile(path: path, bytes: [UInt8](data))
        let (node, diagnostics) = YAMLReader.read(file)
        if !diagnostics.isEmpty {
            console.err(DiagnosticRenderer.render(diagnostics, format: .plain, sources: SourceLookup([file])))
            return nil
        }
        return node.map(ScenarioLoader.plain)
    }

    /// Reads the sandbox fixtures: `file`, else `sandbox.yaml` in the project, else none.
    public static func loadSandbox(_ file: String?, root: String?, plan: Plan, console: Console) -> SandboxData? {
        let path = file ?? root.map { ($0 as NSString).appendingPathComponent("sandbox.yaml") }
        guard let path, file != nil || FileManager.default.fileExists(atPath: path) else { return SandboxData() }
        guard let value = readPlainYAML(path, console: console) else { return nil }
        guard let fixtures = value as? [String: Any] else {
            console.err("error: `\(path)` must hold collections of records, such as `orders:` and `customers:`\n")
            return nil
        }
        do { return try SandboxData(fixtures: fixtures, plan: plan) } catch {
            console.err("error: `\(path)`: \(error)\n")
            return nil
        }
    }

    /// The customer with this id in the sandbox data, as a session would know them.
    public static func customerProfile(_ id: String, in data: SandboxData, verified: Bool) -> CustomerProfile? {
        CorpusReader.profile(id, in: data, verified: verified)
    }

    /// How `mandate run` shows a turn.
    public enum RunOutput: String, Sendable { case human, json }

    /// `mandate run`: a conversation as a customer, from a script or the terminal.
    public static func run(path: String, customer: String?, script: String?, fixtures: String?, now: String?, unverified: Bool,
                           explain: Bool, output: RunOutput, store storePath: String? = nil, conversation: String? = nil,
                           options: DiagnosticOptions, console: Console,
                           readLine: () -> String? = { Swift.readLine() }) -> MandateExit {
        let loaded: LoadedPlan
        switch loadPlan(path, options: options, console: console) {
        case .success(let l): loaded = l
        case .failure(let code): return code
        }
        var messages: [String]?
        var customerID = customer
        var clock = now
        if let script {
            guard let value = readPlainYAML(script, console: console) as? [String: Any] else {
                console.err("error: `\(script)` must have `customer:` and `messages:`\n")
                return .errorsFound
            }
            customerID = customerID ?? (value["customer"] as? String)
            clock = clock ?? (value["now"] as? String)
            guard let m = value["messages"] as? [Any], m.allSatisfy({ $0 is String }) else {
                console.err("error: `\(script)`: `messages:` must be a list of what the customer writes\n")
                return .errorsFound
            }
            messages = m.compactMap { $0 as? String }
        }
        guard let customerID else {
            console.err("error: name the customer: `--customer C-1001` (or `customer:` in the script)\n")
            return .usage
        }
        guard let data = loadSandbox(fixtures, root: loaded.root, plan: loaded.plan, console: console) else { return .errorsFound }
        guard let profile = customerProfile(customerID, in: data, verified: !unverified) else {
            let known = (data.records["Customer"] ?? []).compactMap { r -> String? in if case .text(let s)? = r[field: "id"] { s } else { nil } }
            console.err("error: there is no customer `\(customerID)` in the sandbox data" + (known.isEmpty ? "\n" : "; the customers are \(known.joined(separator: ", "))\n"))
            return .usage
        }
        var moment: Int64
        if let clock {
            guard let m = FixtureConversion.parseMoment(clock) else {
                console.err("error: `\(clock)` is not a moment like 2026-11-28T10:00:00Z\n")
                return .usage
            }
            moment = m
        } else {
            moment = Int64(Date().timeIntervalSince1970)
        }
        let runtime = Runtime(plan: loaded.plan)
        let conversationID = conversation ?? (storePath == nil ? "conversation-1" : "conversation-" + String(UUID().uuidString.prefix(8)).lowercased())
        var state = runtime.start(id: conversationID, customer: profile)
        let sandbox = SandboxActions(data: data)
        let ledger = MemoryLedger()
        // With a store, every turn commits durably (state, ledger, trace, sandbox) and the conversation can resume.
        var store: SQLiteStore?
        if let storePath {
            do {
                let dir = (storePath as NSString).deletingLastPathComponent
                if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
                let s = try SQLiteStore(path: storePath)
                if try s.sandbox().records.isEmpty { try s.loadSandbox(data, plan: loaded.plan) }
                if let existing = try s.load(conversationID: conversationID) { state = existing }
                store = s
            } catch {
                console.err("error: the store `\(storePath)` cannot be used: \(error)\n")
                return .inputUnreadable
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json(_ object: [String: Any]) -> String {
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                .flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        }
        if messages == nil, output == .human {
            console.out("Talking to the agent as \(profile.id) (\(profile.tier)). Type a message; an empty line ends.\n")
        }
        var index = 0
        while true {
            let message: String
            if let messages {
                guard index < messages.count else { break }
                message = messages[index]
                index += 1
                if output == .human { console.out("customer: \(message)\n") }
            } else {
                if output == .human { console.out("> ") }
                guard let line = readLine(), !line.trimmingCharacters(in: .whitespaces).isEmpty else { break }
                message = line
            }
            let result: TurnResult
            if let store {
                do { result = try store.turn(conversationID: conversationID, customer: profile, event: CustomerEvent(message: message), runtime: runtime, now: moment) } catch {
                    console.err("error: the turn was not saved: \(error)\n")
                    return .internalError
                }
            } else {
                result = runtime.turn(state, CustomerEvent(message: message), environment: TurnEnvironment(now: moment, actions: sandbox, ledger: ledger))
            }
            state = result.state
            switch output {
            case .json:
                for event in result.trace {
                    if let d = try? encoder.encode(event), let s = String(data: d, encoding: .utf8) { console.out("{\"trace\":\(s)}\n") }
                }
                for effect in result.effects {
                    if let d = try? encoder.encode(effect), let s = String(data: d, encoding: .utf8) { console.out("{\"effect\":\(s)}\n") }
                }
            case .human:
                if explain {
                    for event in result.trace { console.out("    · \(event.line)\n") }
                }
                for effect in result.effects {
                    switch effect {
                    case .say(let s), .confirm(let s), .ask(_, let s): console.out("agent: \(s)\n")
                    case .action(let name, let args):
                        console.out("    [action] \(name) " + args.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n")
                    case .handoff(let p):
                        console.out("    [hand-off] \(p.queue) (\(p.urgency)): \(p.reason)\n    [summary] \(p.summary)\n    [next step] \(p.suggestedNextStep)\n")
                    case .resolved(let outcome): console.out("    [resolved] \(outcome)\n")
                    }
                }
            }
            moment += 30
        }
        if output == .json {
            console.out(json(["end": ["status": state.status.summary, "turns": state.turn, "conversation": conversationID]]) + "\n")
        } else if let storePath {
            console.out("conversation \(conversationID) saved in \(storePath): `mandate trace \(conversationID) --store \(storePath)` shows its decisions\n")
        }
        return .clean
    }
}

struct Run: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Talk to the agent as a customer: in the terminal, or from a script.",
        discussion: "PATH is a project folder (compiled first) or a plan file (*.json). Actions run on the sandbox data in the project's sandbox.yaml.")
    @Argument(help: "The project folder or plan file.") var path: String?
    @Option(name: .long, help: "The customer's id in the sandbox data, such as C-1001.") var customer: String?
    @Option(name: .long, help: "A conversation file: `customer:`, `now:` and `messages:`.") var script: String?
    @Option(name: .long, help: "Sandbox data (default: sandbox.yaml in the project).") var fixtures: String?
    @Option(name: .long, help: "The clock, such as 2026-11-28T10:00:00Z (default: now).") var now: String?
    @Flag(name: .long, help: "Start with a customer the session has not verified.") var unverified = false
    @Flag(name: .long, help: "Show each decision with its rule and source line.") var explain = false
    @Flag(name: .long, help: "Print trace events and effects as JSON lines.") var json = false
    @Option(name: .long, help: "Keep the conversation in this SQLite file (state, ledger, trace); without it, nothing is saved.") var store: String?
    @Option(name: .long, help: "The conversation's id: with --store, an existing one resumes.") var conversation: String?
    @OptionGroup var global: GlobalOptions
    func execute(_ console: Console) -> MandateExit {
        Commands.run(path: path ?? Commands.defaultProjectPath(), customer: customer, script: script, fixtures: fixtures, now: now,
                     unverified: unverified, explain: explain, output: json ? .json : .human, store: store, conversation: conversation,
                     options: global.resolved, console: console)
    }
}
