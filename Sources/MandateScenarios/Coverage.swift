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
    /// Guardrail clauses: covered when a conversation made the clause decide (it fired).
    public var clauses: [Item]

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
        for trace in traces {
            for e in trace {
                if let s = e.data["step"] {
                    steps.insert(s)
                    if let b = e.data["branch"] { branches.insert("\(s) \(b)") }
                }
                if let c = e.data["clause"], e.kind == .guardrail || e.kind == .limit || e.kind == .handoff || e.kind == .route {
                    clauses.insert(c)
                }
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
        self.clauses = GuardrailClause.all(in: plan).map { c in
            Item(id: c.id, description: c.description, source: c.source, covered: clauses.contains(c.id))
        }
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
        return out
    }
}
