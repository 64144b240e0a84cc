import Foundation
import MandateDiagnostics
import MandateIR
import MandateSyntax

/// A goal that the checks of the procedures serving it read in place. A class: a check holds one
/// reference, where a copy of the goal retained each of its fields.
final class ServedGoal: Sendable {
    let goal: Goal
    init(_ goal: Goal) { self.goal = goal }
}

/// A procedure's step graph with the edges each step can take, for the flow and policy checks.
///
/// Every check walks these edges; none looks at the source syntax, so what is proven is
/// exactly what the runtime will execute. A class: the checks and the path facts share one
/// graph, so none copies the procedure it holds (each copy retained its every field).
final class StepGraph {
    /// Which way out of a step an edge is.
    enum Edge: UInt8, Equatable {
        /// The step after it (for `Confirm`: the customer said yes).
        case next
        /// The condition held.
        case then
        /// The condition did not hold.
        case otherwise
        /// The customer declined a `Confirm`.
        case decline
        /// Into the body of `For each`.
        case body
    }

    /// The edges out of one step: at most two, kept inline so the graph is one array.
    /// A nil target is a path that ends without resolving.
    struct Successors: RandomAccessCollection {
        private var count_: UInt8 = 0
        private var edge0: Edge = .next, edge1: Edge = .next
        private var target0: Int32 = -1, target1: Int32 = -1

        init() {}

        mutating func append(_ target: Int?, _ edge: Edge) {
            let t = Int32(target ?? -1)
            if count_ == 0 { target0 = t; edge0 = edge } else { target1 = t; edge1 = edge }
            count_ += 1
        }

        var startIndex: Int { 0 }
        var endIndex: Int { Int(count_) }
        subscript(i: Int) -> (target: Int?, edge: Edge) {
            let t = i == 0 ? target0 : target1
            return (t < 0 ? nil : Int(t), i == 0 ? edge0 : edge1)
        }
    }

    let procedure: MandateIR.Procedure
    /// The procedure's steps, by number.
    let steps: [StepNode]
    /// The edges out of each step, worked out once (the checks walk them many times); in the
    /// arena of the procedure's check.
    let successors: UnsafeMutableBufferPointer<Successors>
    /// The arena the graph and its analyses take their working memory from.
    let arena: CheckArena

    init(_ procedure: MandateIR.Procedure, arena: CheckArena) {
        self.procedure = procedure
        self.arena = arena
        steps = procedure.steps
        successors = arena.uninitialized(count: steps.count)
        for n in steps.indices { successors.initializeElement(at: n, to: Self.successors(of: steps[n])) }
    }

    /// The steps with an edge into each step, over every edge; worked out on demand (only a
    /// step that can never run needs them).
    func predecessors() -> [[Int]] {
        var preds = [[Int]](repeating: [], count: steps.count)
        for n in steps.indices {
            for (target, _) in successors[n] { if let target, target < steps.count { preds[target].append(n) } }
        }
        return preds
    }

    /// The edges out of a step; a nil target is a path that ends without resolving.
    static func successors(of node: StepNode) -> Successors {
        var out = Successors()
        switch node.op {
        case .escalate, .resolve, .follow: break
        case .confirm(_, let onDecline): out.append(node.next, .next); out.append(onDecline, .decline)
        case .branch(_, let then, let otherwise): out.append(then, .then); out.append(otherwise, .otherwise)
        case .forEach(_, _, let body):
            if let body { out.append(body, .body) }
            out.append(node.next, .next)
        case .ask, .say, .set, .verify, .call, .append: out.append(node.next, .next)
        }
        return out
    }

    /// Runs a forward analysis to a fixed point: `visit(n, changed)` works out the states
    /// along the edges out of step `n`, merges them into its successors' and calls `changed`
    /// with each successor whose state it changed; `visit` then runs again for that one.
    /// Steps are numbered in reading order, so one pass in that order settles every step
    /// before the ones after it; only an edge back (`For each`, asking again) needs another
    /// pass. Inlined, so each analysis keeps its states in its own arrays, without closures
    /// or boxes at run time.
    @inline(__always)
    func settle(from entry: Int, _ visit: (_ step: Int, _ changed: (_ target: Int) -> Void) -> Void) {
        let dirty = arena.buffer(count: steps.count, repeating: false)
        dirty[entry] = true
        var again = true
        while again {
            again = false
            for n in 0..<steps.count where dirty[n] {
                dirty[n] = false
                visit(n) { target in
                    dirty[target] = true
                    if target <= n { again = true }
                }
            }
        }
    }

    /// The shortest path from the entry to `target` over the edges `allowed` accepts.
    func path(to target: Int, allowed: (Int, Edge, Int) -> Bool = { _, _, _ in true }) -> [Int]? {
        guard let entry = procedure.entry else { return nil }
        if entry == target { return [entry] }
        var parent = [Int](repeating: -1, count: steps.count)
        var seen = [Bool](repeating: false, count: steps.count)
        var queue = [entry]
        seen[entry] = true
        var head = 0
        while head < queue.count {
            let n = queue[head]
            head += 1
            for (t, edge) in successors[n] {
                guard let t, t < steps.count, !seen[t], allowed(n, edge, t) else { continue }
                seen[t] = true
                parent[t] = n
                if t == target {
                    var path = [t]
                    var p = n
                    while p != -1 { path.append(p); p = parent[p] }
                    return path.reversed()
                }
                queue.append(t)
            }
        }
        return nil
    }

    /// `steps 1 → 3 → 4.a`: the labels along a path, each step once.
    func describe(_ path: [Int]) -> String {
        var labels: [String] = []
        for n in path {
            let label = Self.display(steps[n].label)
            if labels.last != label { labels.append(label) }
        }
        return (labels.count == 1 ? "step " : "steps ") + labels.joined(separator: " → ")
    }

    /// A label as the operator numbered it: `5.otherwise.a` → `5.a`.
    static func display(_ label: String) -> String {
        label.replacingOccurrences(of: ".otherwise", with: "")
    }
}

/// What every check can see: the plan, the files, the syntax of goals and tests.
///
/// What does not change while the checks run is kept in one object (`Shared`), so the copy
/// each procedure's check makes for its own findings copies one reference, not every array
/// and dictionary of the plan.
struct CheckContext {
    /// The parts every check reads and none changes.
    private final class Shared {
        let plan: Plan
        let lookup: SourceLookup
        let goalSyntax: [GoalSyntax]
        let scenarios: [ScenarioSyntax]
        let skippedFiles: Set<String>
        /// Goals by id, behind references, for the checks of the procedures that serve them.
        let servedGoals: [String: ServedGoal]
        let actions: [String: ActionSignature]
        let actionNumbers: NameTable<Int>
        let records: [String: RecordType]
        let identityNames: Set<String>
        let takesTypedIdentity: Bool
        /// What the output guardrails look for in each goal's messages, by the goal's id (the first goal of an id, as in `servedGoals`).
        let messageScans: [PolicyChecks.MessageScan]
        let scanOfGoal: NameTable<Int>

        init(plan: Plan, lookup: SourceLookup, goalSyntax: [GoalSyntax], scenarios: [ScenarioSyntax], skippedFiles: Set<String>) {
            self.plan = plan
            self.lookup = lookup
            self.goalSyntax = goalSyntax
            self.scenarios = scenarios
            self.skippedFiles = skippedFiles
            servedGoals = Dictionary(plan.goals.map { ($0.id, ServedGoal($0)) }, uniquingKeysWith: { a, _ in a })
            actions = Dictionary(plan.actions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            var actionNumbers = NameTable<Int>(minimumCapacity: plan.actions.count)
            for i in plan.actions.indices where actionNumbers[plan.actions[i].name] == nil { actionNumbers[plan.actions[i].name] = i }
            self.actionNumbers = actionNumbers
            records = Dictionary(plan.records.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            identityNames = PolicyChecks.identityInputs(plan)
            takesTypedIdentity = PolicyChecks.takesTypedIdentity(plan, identityNames: identityNames)
            var scans: [PolicyChecks.MessageScan] = []
            var scanOfGoal = NameTable<Int>(minimumCapacity: plan.goals.count)
            for goal in plan.goals where scanOfGoal[goal.id] == nil {
                scanOfGoal[goal.id] = scans.count
                scans.append(PolicyChecks.MessageScan(goal.guardrails))
            }
            messageScans = scans
            self.scanOfGoal = scanOfGoal
        }
    }

    private let shared: Shared
    var diagnostics: [Diagnostic] = []
    /// Outcomes some reachable `Resolve as` step gives.
    var reachableOutcomes: Set<String> = []

    var plan: Plan { shared.plan }
    var lookup: SourceLookup { shared.lookup }
    var goalSyntax: [GoalSyntax] { shared.goalSyntax }
    var scenarios: [ScenarioSyntax] { shared.scenarios }
    /// Procedure files whose lowering reported errors: their graphs are incomplete, so flow
    /// and policy findings there would only repeat those errors in other words.
    var skippedFiles: Set<String> { shared.skippedFiles }
    /// Actions by name.
    var actions: [String: ActionSignature] { shared.actions }
    /// Each action's place in `plan.actions`, by name (the first of a repeated name, as in `actions`).
    var actionNumbers: NameTable<Int> { shared.actionNumbers }
    /// Record types by name.
    var records: [String: RecordType] { shared.records }
    /// Inputs that name whose data an action touches, worked out once for every procedure.
    var identityNames: Set<String> { shared.identityNames }
    /// Whether an action takes such an input with a type other than `identity`.
    var takesTypedIdentity: Bool { shared.takesTypedIdentity }

    /// The project's tiers (`plan.project.tiers`), read without copying the plan.
    var tiers: [String] { shared.plan.project.tiers }
    /// The plan's actions (`plan.actions`), read without copying the plan.
    var planActions: [ActionSignature] { shared.plan.actions }

    /// What the output guardrails look for in the messages of the goal with this id.
    func messageScan(goal id: String) -> PolicyChecks.MessageScan? { shared.scanOfGoal[id].map { shared.messageScans[$0] } }

    /// The place of the action named `name` in `plan.actions`, if any.
    func actionNumber(_ name: String) -> Int? { shared.actionNumbers[name] }

    init(plan: Plan, lookup: SourceLookup, goalSyntax: [GoalSyntax], scenarios: [ScenarioSyntax], skippedFiles: Set<String>) {
        shared = Shared(plan: plan, lookup: lookup, goalSyntax: goalSyntax, scenarios: scenarios, skippedFiles: skippedFiles)
    }

    /// The procedures whose graphs are complete enough to prove things about.
    var checkedProcedures: [MandateIR.Procedure] {
        let skipped = shared.skippedFiles
        return shared.plan.procedures.filter { p in !skipped.contains(p.steps.first?.source.file ?? "") }
    }

    /// The range from a step's start to the end of its line.
    func range(_ ref: SourceRef) -> SourceRange? {
        guard let file = lookup[ref.file] else { return nil }
        let start = file.offset(line: ref.line, scalarColumn: ref.column - 1)
        var end = start
        while end < file.bytes.count, file.bytes[end] != 0x0A, file.bytes[end] != 0x0D { end += 1 }
        return file.range(start, end)
    }

    /// The operator's sentence at a step, shortened for a message.
    func sentence(_ node: StepNode) -> String {
        guard let file = lookup[node.source.file] else { return node.label }
        let line = file.lineText(node.source.line)
        var text = String(line.unicodeScalars.dropFirst(max(0, node.source.column - 1)))
        text = text.trimmingCharacters(in: " ")
        if text.count > 90 { text = String(text.prefix(87)) + "…" }
        return text
    }

    mutating func report(_ code: DiagnosticCode, _ message: String, at node: StepNode, notes: [String] = [], help: String? = nil) {
        diagnostics.append(Diagnostic(code, message, at: range(node.source), notes: notes, help: help))
    }

    /// The goal a procedure serves, behind a reference: the procedure's checks read its fields
    /// in place instead of copying the goal.
    func servedGoal(of p: MandateIR.Procedure) -> ServedGoal? { shared.servedGoals[p.goal] }

    /// A queue to suggest for a new escalation: `billing` when there is one, else the goal's default.
    func suggestedQueue(for goal: Goal?) -> String {
        let queues = plan.project.queues.map(\.name)
        if queues.contains("billing") { return "billing" }
        return goal?.escalation.defaultQueue ?? queues.first ?? "tier-1"
    }
}

/// Renders plan expressions back into the operator's words, for messages and suggestions.
enum Words {
    static func of(_ e: Expr) -> String {
        switch e {
        case .literal(let v): return of(v)
        case .name(let n): return "the " + n.replacingOccurrences(of: "_", with: " ")
        case .field(let base, let f): return of(base) + " " + f.replacingOccurrences(of: "_", with: " ")
        case .customer(let f): return "the customer's " + f.replacingOccurrences(of: "_", with: " ")
        case .conversation(let f): return "the " + f.replacingOccurrences(of: "_", with: " ")
        case .now: return "now"
        case .today: return "today"
        case .count(let list, _, _): return "the number of " + of(list).dropArticle
        case .sum(let list, _, let field): return "the total " + field.replacingOccurrences(of: "_", with: " ") + " of " + of(list)
        case .lookup(let table, _): return "the " + table
        case .arithmetic(let op, let l, let r):
            return of(l) + (op == "add" ? " plus " : op == "subtract" ? " minus " : " times ") + of(r)
        default: return "the value"
        }
    }

    static func of(_ v: Value) -> String {
        switch v {
        case .text(let s): return "\"\(s)\""
        case .number(let n): return n
        case .money(let m): return money(m)
        case .percent(let p): return p % 100 == 0 ? "\(p / 100)%" : "\(Double(p) / 100)%"
        case .date(let d): return d
        case .duration(let a, let u): return "\(a) \(u)"
        case .boolean(let b): return b ? "yes" : "no"
        }
    }

    /// `$150`, `$150.50`, `€20`, `300 JPY`.
    static func money(_ m: Money) -> String {
        let symbols = ["USD": "$", "EUR": "€", "GBP": "£"]
        guard let symbol = symbols[m.currency] else { return m.description }
        let sign = m.minor < 0 ? "-" : ""
        let v = m.minor.magnitude
        let cents = v % 100
        return sign + symbol + "\(v / 100)" + (cents == 0 ? "" : "." + (cents < 10 ? "0" : "") + "\(cents)")
    }
}

extension String {
    /// `the order items` → `order items`.
    var dropArticle: String { hasPrefix("the ") ? String(dropFirst(4)) : self }
}
