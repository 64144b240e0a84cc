import Foundation
import MandateIR
import MandateRuntime

/// What a set of conversations exercised: steps, branches and guardrail clauses.
public struct Coverage: Sendable, Codable, Equatable {
    /// Something that can be covered.
    public struct Item: Sendable, Codable, Equatable {
        /// `refund-delivered-order:7`, `refund-delivered-order:7 then`, or a clause id.
        public var id: String
        /// In words.
        public var description: String
        /// `file:line`.
        public var source: String
        /// Whether some conversation exercised it.
        public var covered: Bool
    }
    /// Steps.
    public var steps: [Item]
    /// Both ways of every condition and confirmation.
    public var branches: [Item]
    /// Guardrail clauses that can decide something in this plan: covered when a conversation made
    /// the clause decide. A clause decides when it stops something; a refund limit also decides
    /// when a refund reaches it exactly (the edge it lets through); `confirm_with_customer`
    /// decides each time an action of its effect runs, which it allows only after the customer's yes.
    public var clauses: [Item]
    /// Guardrail clauses that cannot decide anything in this plan, and are not counted: a goal's
    /// refund limits when none of its procedures refunds, an always-escalated intent that belongs to
    /// another goal, the never-say and amount rules for a goal whose messages show no free text (its
    /// length limit still counts: filled-in values lengthen a message). The description says why.
    public var idle: [Item] = []

    /// Covered items over all items, in percent (100 when there is nothing to cover).
    public var percent: Double {
        let all = steps + branches + clauses
        return all.isEmpty ? 100 : Double(all.filter(\.covered).count) * 100 / Double(all.count)
    }

    /// Percent of one kind.
    public static func percent(_ items: [Item]) -> Double {
        items.isEmpty ? 100 : Double(items.filter(\.covered).count) * 100 / Double(items.count)
    }

    /// Coverage of a plan by traces.
    public init(plan: Plan, traces: [[TraceEvent]]) {
        var steps = Set<String>()
        var branches = Set<String>()
        var clauses = Set<String>()
        let decisions = ClauseDecisions(plan: plan)
        for trace in traces {
            for e in trace {
                if let s = e.datum("step") {
                    steps.insert(s)
                    if let b = e.datum("branch") { branches.insert("\(s) \(b)") }
                }
                if let c = e.datum("clause"), e.kind == .guardrail || e.kind == .limit || e.kind == .handoff || e.kind == .route {
                    clauses.insert(c)
                }
                clauses.formUnion(decisions.passed(e))
            }
        }
        var stepItems: [Item] = []
        var branchItems: [Item] = []
        for p in plan.procedures {
            var seen = Set<String>()
            for node in p.steps {
                let id = "\(p.id):\(node.label)"
                if seen.insert(id).inserted {
                    stepItems.append(Item(id: id, description: "step \(node.label) of “\(p.name)”", source: node.source.description, covered: steps.contains(id)))
                }
                switch node.op {
                case .branch, .confirm:
                    for way in ["then", "otherwise"] {
                        let bid = "\(id) \(way)"
                        guard !branchItems.contains(where: { $0.id == bid }) else { continue }
                        let words: String
                        if case .confirm = node.op { words = way == "then" ? "the customer says yes" : "the customer says no" }
                        else { words = way == "then" ? "the condition holds" : "the condition does not hold" }
                        branchItems.append(Item(id: bid, description: "step \(node.label) of “\(p.name)”: \(words)", source: node.source.description,
                                                covered: branches.contains(bid)))
                    }
                default: break
                }
            }
        }
        self.steps = stepItems
        self.branches = branchItems
        var live: [Item] = []
        var idle: [Item] = []
        for c in GuardrailClause.all(in: plan) {
            if let why = decisions.idle(c.id) {
                idle.append(Item(id: c.id, description: "\(c.description): \(why)", source: c.source, covered: false))
            } else {
                live.append(Item(id: c.id, description: c.description, source: c.source, covered: clauses.contains(c.id)))
            }
        }
        self.clauses = live
        self.idle = idle
    }

    /// The text report: totals, then everything not covered with `file:line`.
    public func text() -> String {
        func pct(_ items: [Item]) -> String { String(format: "%.1f%%", Coverage.percent(items)) }
        func count(_ items: [Item]) -> String { "\(items.filter(\.covered).count)/\(items.count)" }
        var out = "coverage: \(String(format: "%.1f%%", percent)) overall\n"
        out += "  guardrail clauses \(pct(clauses)) (\(count(clauses)))\n"
        out += "  steps             \(pct(steps)) (\(count(steps)))\n"
        out += "  branches          \(pct(branches)) (\(count(branches)))\n"
        for (title, items) in [("guardrail clauses no scenario exercised", clauses), ("steps no scenario reached", steps),
                               ("branches no scenario took", branches)] {
            let missing = items.filter { !$0.covered }
            guard !missing.isEmpty else { continue }
            out += "\n\(title):\n"
            for m in missing { out += "  \(m.source)  \(m.description)\n" }
        }
        if !idle.isEmpty {
            out += "\nguardrail clauses that cannot decide anything in this plan (not counted):\n"
            for m in idle { out += "  \(m.source)  \(m.description)\n" }
        }
        return out
    }
}

/// What each goal's procedures can do, to tell which guardrail clauses can decide anything, and
/// the decisions a trace shows beyond the clauses that fired: a limit reached exactly, an action
/// that ran because the customer said yes.
struct ClauseDecisions {
    let plan: Plan
    /// The procedures a goal's conversations can enter: its intents' handlers and what they follow.
    var procedures: [String: [Procedure]] = [:]
    /// The intents each goal owns (the first goal that lists an intent owns it, as the runtime routes).
    var intents: [String: Set<String>] = [:]
    /// The effects of the actions each goal's procedures call.
    var usedEffects: [String: Set<String>] = [:]
    /// The goals whose messages can show free text.
    var showFreeText: Set<String> = []
    let byID: [String: Procedure]
    let effects: [String: String]

    init(plan: Plan) {
        self.plan = plan
        byID = Dictionary(plan.procedures.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        effects = Dictionary(plan.actions.map { ($0.name, $0.effect) }, uniquingKeysWith: { a, _ in a })
        var owner: [String: String] = [:]
        for g in plan.goals { for i in g.intents where owner[i.name] == nil { owner[i.name] = g.id } }
        for g in plan.goals {
            let mine = Set(owner.filter { $0.value == g.id }.keys)
            intents[g.id] = mine
            var queue = mine.compactMap { i in plan.procedures.first { $0.handles.contains(i) } }
            var seen = Set<String>()
            var reached: [Procedure] = []
            while let p = queue.popLast() {
                guard seen.insert(p.id).inserted else { continue }
                reached.append(p)
                for node in p.steps { if case .follow(let target) = node.op, let next = byID[target] { queue.append(next) } }
            }
            procedures[g.id] = reached
        }
        for g in plan.goals {
            let reached = procedures[g.id] ?? []
            usedEffects[g.id] = Set(reached.flatMap { p in p.steps.compactMap { n -> String? in
                if case .call(let action, _, _) = n.op { return effects[action] }
                return nil
            } })
            if reached.contains(where: showsFreeText) { showFreeText.insert(g.id) }
        }
    }

    /// Why a clause cannot decide anything in this plan; nil when it can.
    func idle(_ clause: String) -> String? {
        let parts = clause.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let goal = plan.goals.first(where: { $0.id == parts[0] }) else { return nil }
        let rule = parts[1]
        let used = usedEffects[goal.id] ?? []
        if rule.hasPrefix("refunds.") || rule == "confirm_with_customer:refund", !used.contains("refund") {
            return "none of the goal's procedures refunds"
        }
        if rule.hasPrefix("confirm_with_customer:"), let effect = rule.split(separator: ":").last, !used.contains(String(effect)) {
            return "none of the goal's procedures runs a `\(effect)` action"
        }
        if rule.hasPrefix("always_escalate.intents:"), let intent = rule.split(separator: ":").last,
           intents[goal.id]?.contains(String(intent)) != true {
            return "`\(intent)` belongs to another goal, whose rules route it"
        }
        // The length limit stays counted: values filled into a message (dates, amounts, choices)
        // lengthen it, and the runtime measures the message as sent.
        if rule.hasPrefix("output."), rule != "output.max_characters", !showFreeText.contains(goal.id) {
            return "the goal's messages are checked when the plan is built and show no free text, only values of a fixed form (choices, dates, amounts), which cannot hold a phrase"
        }
        return nil
    }

    /// Whether a message of the procedure shows a value that can hold any text: what the customer
    /// typed, or a text field of a record, in a message or in a question offering a list's values.
    func showsFreeText(_ p: Procedure) -> Bool {
        func free(_ type: ValueType?, pattern: String?) -> Bool {
            switch type {
            case .text?: return pattern == nil
            case .email?, .unknown?, .record?, nil: return true
            case .list(let t)?: return free(t, pattern: nil)
            default: return false
            }
        }
        func type(_ e: Expr) -> (ValueType?, String?)? {
            switch e {
            case .name(let n):
                if let s = p.slots.first(where: { $0.name == n }) { return (s.type, s.pattern) }
                // A value an action's output binds: its type in the catalog.
                for node in p.steps {
                    guard case .call(let action, _, let binds) = node.op, binds.contains(n),
                          let output = plan.actions.first(where: { $0.name == action })?.outputs.first(where: { $0.name == n }) else { continue }
                    return (output.type, nil)
                }
                return (nil, nil)
            case .field(let base, let f):
                guard case (.record(let r)?, _)? = type(base), let record = plan.records.first(where: { $0.name == r }),
                      let field = record.fields.first(where: { $0.name == f }) else { return (nil, nil) }
                return (field.type, field.pattern)
            case .customer: return (.text, nil)
            default: return nil
            }
        }
        return p.steps.contains { node in
            let template: Template
            switch node.op {
            case .say(let t), .confirm(let t, _): template = t
            // A question offering a list's values shows them ("Which ones? Kettle, Mug set").
            case .ask(_, _, _, let from?, _): return type(from).map { free($0.0, pattern: $0.1) } ?? true
            default: return false
            }
            return template.parts.contains { part in
                guard case .value(let e) = part, let (t, pattern) = type(e) else { return false }
                return free(t, pattern: pattern)
            }
        }
    }

    /// The clauses an event shows deciding without firing: a refund that reaches a money limit
    /// exactly (an action's count limit decides only when it stops a run), and an action that ran under `confirm_with_customer` after the customer's yes.
    func passed(_ e: TraceEvent) -> [String] {
        guard e.kind == .limit || e.kind == .action, e.datum("clause") == nil, let step = e.datum("step"),
              let colon = step.lastIndex(of: ":"), let p = byID[String(step[..<colon])] else { return [] }
        let label = String(step[step.index(after: colon)...])
        guard let node = p.steps.first(where: { $0.label == label }), case .call(let action, _, _) = node.op else { return [] }
        let goal = p.goal
        if e.kind == .action {
            guard let effect = effects[action], effect != "read", effect != "identify",
                  case .text("done")? = e.outputs?["__result"],
                  plan.goals.first(where: { $0.id == goal })?.guardrails.confirmEffects.contains(effect) == true else { return [] }
            return ["\(goal):confirm_with_customer:\(effect)"]
        }
        var out: [String] = []
        let currency = plan.project.currency
        func money(_ key: String) -> Int64? { e.datum(key).flatMap { FixtureConversion.parseMoney($0, currency: currency)?.minor } }
        if let amount = money("amount") {
            if money("max_per_refund") == amount { out.append("\(goal):refunds.max_per_refund") }
            for (key, _) in e.data where key.hasPrefix("max_for_") && money(key) == amount {
                out.append("\(goal):refunds.max_by_tier:\(key.dropFirst("max_for_".count))")
            }
            if let used = e.data.keys.first(where: { $0.hasPrefix("refunded_in_") }).flatMap(money), let max = money("max_per_customer"),
               used + amount == max {
                out.append("\(goal):refunds.max_per_customer")
            }
        }
        return out
    }
}
