import Foundation
import MandateIR
import MandateRuntime

/// A scenario written at an edge the plan implies, for the operator to review and keep.
public struct SuggestedScenario: Sendable, Equatable {
    /// `refund-at-max-per-refund.test.yaml`.
    public var fileName: String
    /// The scenario file's text.
    public var text: String
}

/// Writes scenario skeletons at the plan's edges: a refund at each limit and one cent above,
/// the day a time window closes and the day after. Each skeleton's expectations are what the
/// plan does today, run through the runtime, so the operator reviews behaviour, not guesses.
public enum ScenarioSuggester {
    struct Edge {
        var name: String
        var why: String
        var tier: String
        var intent: String
        var amount: Money
        var deliveredDaysAgo: Int
        /// The date field the window is about (`delivered_at`, `shipped_at`).
        var dateField = "delivered_at"
    }

    /// The suggestions for a plan, clock at `now`.
    public static func suggest(plan: Plan, now: Int64) -> [SuggestedScenario] {
        let runtime = Runtime(plan: plan)
        var edges: [Edge] = []
        for goal in plan.goals {
            let g = goal.guardrails
            // The intents whose procedure can reach a refund.
            let refundIntents = goal.intents.map(\.name).filter { intent in
                guard let p = plan.procedures.first(where: { $0.handles.contains(intent) }) else { return false }
                return reaches(p, effect: "refund", plan: plan, seen: [])
            }
            guard let intent = refundIntents.first else { continue }
            let tiers = plan.project.tiers.filter { !g.alwaysEscalateTiers.contains($0) }
            var limits: [(String, String, Money)] = []
            if let m = g.maxPerRefund { limits.append(("max-per-refund", tiers.first ?? "standard", m)) }
            for (tier, m) in g.maxByTier.sorted(by: { $0.key < $1.key }) where tiers.contains(tier) { limits.append(("\(tier)-tier-limit", tier, m)) }
            for (label, tier, m) in limits {
                edges.append(Edge(name: "\(goal.id)-refund-at-\(label)", why: "a refund of exactly \(m) (\(label.replacingOccurrences(of: "-", with: " ")))",
                                  tier: tier, intent: intent, amount: m, deliveredDaysAgo: 3))
                let above = Money(minor: m.minor + 1, currency: m.currency)
                edges.append(Edge(name: "\(goal.id)-refund-one-cent-above-\(label)", why: "a refund of \(above), one cent above the \(label.replacingOccurrences(of: "-", with: " "))",
                                  tier: tier, intent: intent, amount: above, deliveredDaysAgo: 3))
            }
            // Time windows written in the goal's procedures: `delivered more than 30 days ago`.
            for p in plan.procedures {
                guard let intent = p.handles.first(where: { i in goal.intents.contains { $0.name == i } }) else { continue }
                for (field, days) in windows(p) {
                    let small = Money(minor: 1000, currency: plan.project.currency)
                    let event = field.hasSuffix("_at") ? String(field.dropLast(3)) : field
                    edges.append(Edge(name: "\(p.id)-\(event)-\(days)-days-ago", why: "\(event) \(days) days ago: the last day of the \(days)-day window",
                                      tier: tiers.first ?? "standard", intent: intent, amount: small, deliveredDaysAgo: days, dateField: field))
                    edges.append(Edge(name: "\(p.id)-\(event)-\(days + 1)-days-ago", why: "\(event) \(days + 1) days ago: the day after the \(days)-day window closes",
                                      tier: tiers.first ?? "standard", intent: intent, amount: small, deliveredDaysAgo: days + 1, dateField: field))
                }
            }
        }
        var seen = Set<String>()
        return edges.compactMap { e in
            guard seen.insert(e.name).inserted else { return nil }
            return scenario(e, plan: plan, runtime: runtime, now: now)
        }
    }

    static func reaches(_ p: Procedure, effect: String, plan: Plan, seen: Set<String>) -> Bool {
        for node in p.steps {
            switch node.op {
            case .call(let action, _, _): if plan.actions.first(where: { $0.name == action })?.effect == effect { return true }
            case .follow(let id) where !seen.contains(id):
                if let q = plan.procedures.first(where: { $0.id == id }), reaches(q, effect: effect, plan: plan, seen: seen.union([p.id])) { return true }
            default: break
            }
        }
        return false
    }

    /// The date fields and day counts of `… more than N days ago` / `within the last N days` conditions.
    static func windows(_ p: Procedure) -> [(String, Int)] {
        var out = Set<String>()
        func walk(_ e: Expr) {
            switch e {
            case .olderThan(let x, let n, let unit), .within(let x, let n, let unit):
                if unit == "days", case .field(_, let f) = x { out.insert("\(f) \(n)") }
            case .and(let xs), .or(let xs): xs.forEach(walk)
            case .not(let x): walk(x)
            case .quantified(_, _, _, let x): walk(x)
            default: break
            }
        }
        for node in p.steps { if case .branch(let c, _, _) = node.op { walk(c) } }
        return out.sorted().compactMap { s in
            let parts = s.split(separator: " ")
            return Int(parts[1]).map { (String(parts[0]), $0) }
        }
    }

    /// Runs the edge's conversation and writes what happened as expectations.
    static func scenario(_ e: Edge, plan: Plan, runtime: Runtime, now: Int64) -> SuggestedScenario? {
        guard let orderType = plan.records.first(where: { $0.name == "Order" }) else { return nil }
        let customerID = "C-EDGE"
        let orderID = "90001"
        let today = runtime.today(at: now)
        let edgeDay = CalendarDate(dayNumber: today.dayNumber - e.deliveredDaysAgo)
        // The event the window is about has happened, the others before it: `shipped_at` → status `shipped`.
        let event = e.dateField.hasSuffix("_at") ? String(e.dateField.dropLast(3)) : "delivered"
        let delivered = e.dateField == "delivered_at" ? edgeDay : CalendarDate(dayNumber: today.dayNumber + 3)
        var order: [String: Any] = [:]
        var orderYAML: [(String, String)] = []
        for f in orderType.fields {
            let value: String?
            switch (f.name, f.type) {
            case ("id", _): value = orderID
            case (orderType.owner ?? "customer_id", _): value = customerID
            case (_, .money): value = "\(e.amount.description)"
            case (e.dateField, .date): value = edgeDay.description
            // An order not delivered yet has no delivery date; one expected arrives after the event.
            case (let n, .date) where n.contains("deliver"): value = e.dateField == "delivered_at" || event == "delivered" ? delivered.description : nil
            case (let n, .date) where n.contains("expect"): value = (event == "delivered" ? delivered : CalendarDate(dayNumber: edgeDay.dayNumber + 3)).description
            case (_, .date): value = CalendarDate(dayNumber: min(edgeDay.dayNumber, delivered.dayNumber) - 3).description
            case (_, .datetime): value = CalendarDate(dayNumber: min(edgeDay.dayNumber, delivered.dayNumber) - 5).description + "T12:00:00Z"
            case (_, .enumeration(let values)): value = values.contains(event) ? event : values.contains("delivered") ? "delivered" : values.first
            case (let n, .text): value = "Test \(n.replacingOccurrences(of: "_", with: " "))"
            case (_, .list(.record(let item))):
                guard let itemType = plan.records.first(where: { $0.name == item }) else { value = nil; break }
                var fields: [String: Any] = [:]
                for f in itemType.fields {
                    switch f.type {
                    case .money: fields[f.name] = e.amount.description
                    case .number: fields[f.name] = "1"
                    case .enumeration(let vs): fields[f.name] = vs.first ?? ""
                    case .text: fields[f.name] = f.name == "name" ? "Test item" : "I-1"
                    default: break
                    }
                }
                order[f.name] = [fields]
                orderYAML.append((f.name, "[{ " + fields.sorted { $0.key < $1.key }.map { "\($0.key): \(quote("\($0.value)"))" }.joined(separator: ", ") + " }]"))
                value = nil
            default: value = nil
            }
            if let value {
                order[f.name] = value
                orderYAML.append((f.name, quote(value)))
            }
        }
        var fixtures: [String: Any] = ["orders": [order]]
        fixtures["customers"] = [["id": customerID, "tier": e.tier, "email": "edge@example.com", "name": "Edge Case"]]
        guard let sandbox = try? SandboxData(fixtures: fixtures, plan: plan) else { return nil }
        let customer = CustomerProfile(id: customerID, tier: e.tier, verified: true, fields: ["email": .text("edge@example.com"), "name": .text("Edge Case")])
        // The first of the intent's examples the agent acts on, rather than one it asks to clarify.
        let examples = plan.goals.flatMap(\.intents).first { $0.name == e.intent }?.examples ?? []
        let example = examples.first { example in
            let probe = runtime.turn(runtime.start(id: "suggest", customer: customer), CustomerEvent(message: "\(example) (order \(orderID))"),
                                     environment: TurnEnvironment(now: now, actions: SandboxActions(data: sandbox), ledger: MemoryLedger()))
            return probe.state.intent == e.intent
        } ?? examples.first ?? "I want a refund"
        // The conversation: the intent's example, then answers to whatever the agent asks.
        let actions = SandboxActions(data: sandbox)
        let ledger = MemoryLedger()
        var state = runtime.start(id: "suggest", customer: customer)
        var message = "\(example) (order \(orderID))"
        var turns: [(String, [String])] = []
        for i in 0..<8 {
            let r = runtime.turn(state, CustomerEvent(message: message), environment: TurnEnvironment(now: now + Int64(i) * 30, actions: actions, ledger: ledger))
            state = r.state
            var expect: [String] = []
            if i == 0, let intent = state.intent { expect.append("intent: \(intent)") }
            var next: String?
            for effect in r.effects {
                switch effect {
                case .ask(let slot, _):
                    expect.append("asks_for: \(slot)")
                    var choices: [String] = []
                    if case .slot(_, let node)? = state.awaiting, let p = state.procedure.flatMap({ id in plan.procedures.first { $0.id == id } }),
                       node < p.steps.count, case .ask(_, _, let c, _, _) = p.steps[node].op { choices = c }
                    next = choices.first ?? (slot.contains("email") ? "edge@example.com" : slot.contains("order") ? orderID : "all of them")
                case .confirm(let text):
                    expect.append("confirms: \(quote(String(text.prefix(48))))")
                    next = "yes"
                case .action(let name, let args):
                    let shown = args.filter { $0.key != "customer_id" }.sorted { $0.key < $1.key }.map { "\($0.key): \(quote($0.value))" }
                    expect.append("action: { \(name): { \(shown.joined(separator: ", ")) } }")
                case .handoff(let p): expect.append("handoff: { queue: \(p.queue), reason: \(quote(p.reason)) }")
                default: break
                }
            }
            switch state.status {
            case .resolved(let o): expect.append("outcome: resolved as \(o)")
            case .escalated(let q, _): expect.append("outcome: escalated to \(q)")
            case .open: break
            }
            turns.append((message, expect))
            guard state.status == .open, let n = next else { break }
            message = n
        }
        var y = "# Suggested by `mandate test --suggest`: \(e.why).\n"
        y += "# The expectations below are what the plan does today. Review them: keep the file if that is\n"
        y += "# the behaviour you want (move it next to your other tests), or change the procedure.\n"
        y += "name: \(quote(e.why))\n"
        y += "customer: { id: \(customerID), tier: \(e.tier), verified: true, name: Edge Case, email: edge@example.com }\n"
        y += "now: \(UTCMoment(now).iso)\n"
        y += "fixtures:\n  orders:\n    - " + orderYAML.map { "\($0.0): \($0.1)" }.joined(separator: "\n      ") + "\n"
        y += "turns:\n"
        for (m, expect) in turns {
            y += "  - customer: \(quote(m))\n    expect:\n" + expect.map { "      \($0)\n" }.joined()
        }
        return SuggestedScenario(fileName: "\(e.name).test.yaml", text: y)
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
