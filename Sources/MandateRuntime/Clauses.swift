import Foundation
import MandateIR

/// A guardrail clause of the plan: one rule a scenario can exercise.
public struct GuardrailClause: Sendable, Equatable, Codable {
    /// `resolve-order-issues:refunds.max_per_refund`, as trace events name it in `data["clause"]`.
    public var id: String
    /// In words.
    public var description: String
    /// Where it is written: `resolve-order-issues.goal.yaml:31`.
    public var source: String

    /// Every clause of a plan, in a stable order.
    public static func all(in plan: Plan) -> [GuardrailClause] {
        var out: [GuardrailClause] = []
        for goal in plan.goals {
            let g = goal.guardrails
            let index = GoalIndex(goal)
            func add(_ clause: String, _ description: String, _ key: String) {
                let item = clause.split(separator: ":", maxSplits: 1).dropFirst().first.map { ".\($0)" } ?? ""
                out.append(GuardrailClause(id: "\(goal.id):\(clause)", description: description, source: index.location(of: key + item)))
            }
            if g.inputMaxCharacters != nil { add("input.max_characters", "messages longer than \(g.inputMaxCharacters!) characters are not read", "guardrails.input.max_characters") }
            if g.promptInjection != nil { add("input.prompt_injection", "prompt injection: \(g.promptInjection!)", "guardrails.input.prompt_injection") }
            for i in g.alwaysEscalateIntents { add("always_escalate.intents:\(i)", "`\(i)` always goes to a person", "guardrails.always_escalate.intents") }
            for p in g.alwaysEscalatePhrases { add("always_escalate.phrases:\(p)", "“\(p)” always goes to a person", "guardrails.always_escalate.phrases") }
            for t in g.alwaysEscalateTiers { add("always_escalate.tiers:\(t)", "\(t) customers always go to a person", "guardrails.always_escalate.tiers") }
            if let t = g.confidenceThreshold { add("confidence.threshold", "intent confidence below \(t)", "guardrails.confidence.threshold") }
            for e in g.confirmEffects { add("confirm_with_customer:\(e)", "`\(e)` actions need the customer's yes first", "guardrails.confirm_with_customer") }
            if let m = g.maxPerRefund { add("refunds.max_per_refund", "at most \(m) per refund", "guardrails.refunds.max_per_refund") }
            for (tier, m) in g.maxByTier.sorted(by: { $0.key < $1.key }) {
                add("refunds.max_by_tier:\(tier)", "at most \(m) per refund for \(tier) customers", "guardrails.refunds.max_by_tier")
            }
            if let m = g.maxPerCustomer { add("refunds.max_per_customer", "at most \(m) per customer in \(g.maxPerCustomerWindowDays ?? 30) days", "guardrails.refunds.max_per_customer") }
            for p in g.neverSay { add("output.never_say:\(p)", "never say “\(p)”", "guardrails.output.never_say") }
            if let m = g.outputMaxCharacters { add("output.max_characters", "messages at most \(m) characters", "guardrails.output.max_characters") }
            let e = goal.escalation
            if e.onAskForHuman { add("escalation.customer_asks_for_human", "the customer asks for a person", "escalation.when.customer_asks_for_human") }
            if let n = e.sameQuestionRepeated { add("escalation.same_question_repeated", "the same message \(n) times", "escalation.when.same_question_repeated") }
            if e.onFrustration { add("escalation.frustration_detected", "the customer is frustrated", "escalation.when.frustration_detected") }
            if e.onActionFailure { add("escalation.action_fails", "an action fails", "escalation.when.action_fails") }
        }
        for action in plan.actions {
            guard let limit = action.limit else { continue }
            out.append(GuardrailClause(id: "actions.yaml:limit:\(action.name)",
                                       description: "`\(action.name)` \(limit.count == 1 ? "once" : "at most \(limit.count)") per \(limit.per)\(Self.window(limit.windowDays))", source: action.source.description))
        }
        return out
    }

    /// The limit's window as the catalog says it (" per day"), or nothing when it has none.
    static func window(_ days: Int?) -> String {
        switch days {
        case nil: ""
        case 1?: " per day"
        case 7?: " per week"
        case 30?: " per month"
        case 365?: " per year"
        case let n?: " in \(n) days"
        }
    }
}

extension Goal {
    /// Where a setting is written, `resolve-order-issues.goal.yaml:31`: the key itself, else its
    /// first entry (`guardrails.refunds.max_by_tier.vip` for `guardrails.refunds.max_by_tier`), else its parent.
    public func location(of key: String) -> String {
        GoalIndex(self).location(of: key)
    }
}
