import Foundation
import MandateDiagnostics
import MandateIR
import MandateRuntime
import MandateSyntax

/// A scripted conversation with expectations: a `*.test.yaml` file.
public struct Scenario: Sendable {
    /// The file, relative to the project.
    public var file: String
    /// What it shows.
    public var name: String
    /// The customer, as the session knows them.
    public var customer: CustomerProfile
    /// The clock at the first turn; each turn is 30 seconds later.
    public var now: Int64
    /// The sandbox data: the scenario's fixtures and its customer.
    public var sandbox: SandboxData
    /// The actions that fail in this scenario, as if their system were down (`unavailable:`).
    public var unavailable: Set<String> = []
    /// The turns.
    public var turns: [ScenarioTurn]
}

/// One customer message and what must happen.
public struct ScenarioTurn: Sendable {
    /// What the customer writes.
    public var message: String
    /// Its line in the file.
    public var line: Int
    /// What must happen.
    public var expectations: [Expectation]
}

/// Something a turn must do.
public enum Expectation: Sendable, Equatable {
    /// The message reads as this intent.
    case intent(String)
    /// The agent asks for this slot.
    case asksFor(String)
    /// The agent asks a yes/no question containing this.
    case confirms(String)
    /// The agent runs this action, with these arguments among its own.
    case action(String, [String: String])
    /// The agent says something containing this.
    case says(String)
    /// The agent says exactly this.
    case saysExactly(String)
    /// A hand-off, to this queue (if given), for a reason containing this (if given).
    case handoff(queue: String?, reason: String?)
    /// The conversation ends so: `resolved as refund_issued`, `escalated to billing`, `open`.
    case outcome(String)
    /// No action with effects runs.
    case noAction

    /// In words, as a failure shows it.
    public var description: String {
        switch self {
        case .intent(let i): "intent `\(i)`"
        case .asksFor(let s): "the agent asks for the \(s.replacingOccurrences(of: "_", with: " "))"
        case .confirms(let t): "the agent asks to confirm “\(t)…”"
        case .action(let a, let args):
            "the action `\(a)`" + (args.isEmpty ? "" : " with " + args.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        case .says(let t): "the agent says something with “\(t)”"
        case .saysExactly(let t): "the agent says exactly “\(t)”"
        case .handoff(let q, let r): "a hand-off" + (q.map { " to \($0)" } ?? "") + (r.map { " because “\($0)”" } ?? "")
        case .outcome(let o): "the conversation \(o)"
        case .noAction: "no action with effects"
        }
    }
}

/// A scenario file that cannot be run, with where and why.
public struct ScenarioLoadError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// What is wrong.
    public var description: String
}

/// Reads scenario files.
public enum ScenarioLoader {
    /// Reads a scenario file against a plan (types for the fixtures). The file is read by
    /// `ScenarioSyntax`, as the checker reads it, so both apply the same rules.
    public static func load(_ source: SourceFile, plan: Plan) -> Result<Scenario, ScenarioLoadError> {
        func fail(_ why: String) -> Result<Scenario, ScenarioLoadError> { .failure(ScenarioLoadError(file: source.path, description: why)) }
        func line(_ offset: Int) -> Int { source.location(of: offset).line }
        let (syntax, diagnostics) = ScenarioSyntax.read(YAMLDocument(source))
        if let d = diagnostics.first(where: { $0.severity == .error }) { return fail("line \(line(d.range?.start ?? 0)): \(d.message)") }
        let name = syntax.name?.value ?? source.path
        // The customer.
        let given = Dictionary(syntax.customer.map { ($0.key.value, $0.value.value) }, uniquingKeysWith: { a, _ in a })
        guard let id = given["id"] else { return fail("`customer:` needs an `id`") }
        var fields: [String: RuntimeValue] = [:]
        for key in ["name", "email", "zip_code"] { if let v = given[key] { fields[key] = .text(v) } }
        let tier = given["tier"] ?? plan.project.tiers.first ?? "standard"
        let verified = given["verified"].map { ["true", "yes"].contains($0.lowercased()) } ?? true
        let customer = CustomerProfile(id: id, tier: tier, verified: verified, fields: fields)
        // The clock.
        let nowText = syntax.now?.value ?? "2026-01-01T00:00:00Z"
        guard let now = FixtureConversion.parseMoment(nowText) else { return fail("`now: \(nowText)` is not a moment like 2026-11-28T10:00:00Z") }
        // The fixtures, with the customer's own record.
        var fixtures: [String: Any] = [:]
        for (table, records) in syntax.fixtures { fixtures[table.value] = records.map(plain) }
        if plan.records.contains(where: { $0.name == "Customer" }) {
            var record: [String: Any] = ["id": id, "tier": tier]
            for (k, v) in fields { if case .text(let s) = v { record[k] = s } }
            let existing = (fixtures["customers"] as? [Any]) ?? []
            if !existing.contains(where: { ($0 as? [String: Any])?["id"] as? String == id }) {
                fixtures["customers"] = existing + [record]
            }
        }
        let sandbox: SandboxData
        do { sandbox = try SandboxData(fixtures: fixtures, plan: plan) } catch { return fail("fixtures: \(error)") }
        // The actions whose systems are down.
        var unavailable: Set<String> = []
        for action in syntax.unavailable {
            guard plan.actions.contains(where: { $0.name == action.value }) else {
                return fail("line \(line(action.range.start)): `unavailable:` names `\(action.value)`, which is not an action of the catalog")
            }
            unavailable.insert(action.value)
        }
        // The turns.
        var turns: [ScenarioTurn] = []
        for turn in syntax.turns {
            var expectations: [Expectation] = []
            for (key, value) in turn.expect {
                switch expectation(key.value, value) {
                case .success(let x): expectations += x
                case .failure(let why): return fail("line \(line(key.range.start)): \(why)")
                }
            }
            turns.append(ScenarioTurn(message: turn.customer.value, line: line(turn.customer.range.start), expectations: expectations))
        }
        return .success(Scenario(file: source.path, name: name, customer: customer, now: now, sandbox: sandbox,
                                 unavailable: unavailable, turns: turns))
    }

    static func expectation(_ key: String, _ value: YAMLNode) -> Result<[Expectation], ScenarioLoadError> {
        func bad(_ t: String) -> Result<[Expectation], ScenarioLoadError> { .failure(ScenarioLoadError(file: "", description: t)) }
        switch key {
        case "intent": return scalar(value).map { .success([.intent($0)]) } ?? bad("`intent:` takes an intent's name")
        case "asks_for": return scalar(value).map { .success([.asksFor($0.replacingOccurrences(of: " ", with: "_"))]) } ?? bad("`asks_for:` takes a slot's name")
        case "confirms": return scalar(value).map { .success([.confirms($0)]) } ?? bad("`confirms:` takes the start of the question")
        case "says": return scalar(value).map { .success([.says($0)]) } ?? bad("`says:` takes text")
        case "says_exactly": return scalar(value).map { .success([.saysExactly($0)]) } ?? bad("`says_exactly:` takes text")
        case "outcome": return scalar(value).map { .success([.outcome($0)]) } ?? bad("`outcome:` takes `resolved as OUTCOME` or `escalated to QUEUE`")
        case "no_action": return .success(scalar(value).map { ["true", "yes"].contains($0.lowercased()) } == true ? [.noAction] : [])
        case "handoff":
            if case .mapping(let m) = value { return .success([.handoff(queue: scalar(m["queue"]), reason: scalar(m["reason"]))]) }
            return scalar(value).map { .success([.handoff(queue: $0, reason: nil)]) } ?? bad("`handoff:` takes `{ queue: …, reason: … }`")
        case "action":
            if let name = scalar(value) { return .success([.action(name, [:])]) }
            guard case .mapping(let m) = value else { return bad("`action:` takes `{ action_name: { input: value } }`") }
            var out: [Expectation] = []
            for entry in m.entries {
                var args: [String: String] = [:]
                if case .mapping(let a) = entry.value { for e in a.entries { args[e.key.value] = scalar(e.value) ?? "" } }
                out.append(.action(entry.key.value, args))
            }
            return .success(out)
        default:
            return bad("`\(key)` is not an expectation; use " + ScenarioSyntax.expectationKeys.map { "`\($0)`" }.joined(separator: ", "))
        }
    }

    static func scalar(_ node: YAMLNode?) -> String? {
        if case .scalar(let s)? = node { return s.value }
        return nil
    }

    /// A YAML tree as plain values: strings, arrays and dictionaries.
    public static func plain(_ node: YAMLNode) -> Any {
        switch node {
        case .scalar(let s): return s.value
        case .sequence(let s): return s.items.map(plain)
        case .mapping(let m):
            var out: [String: Any] = [:]
            for e in m.entries { out[e.key.value] = plain(e.value) }
            return out
        }
    }
}
