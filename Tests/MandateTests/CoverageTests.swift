import Foundation
import MandateIR
import MandateRuntime
import MandateScenarios
import Testing

/// What coverage counts: clauses that can decide in the plan, limits decided at their edge,
/// `confirm_with_customer` decided by an action that ran after a yes.
@Suite struct CoverageTests {
    func refund(_ total: String) throws -> [TraceEvent] {
        var h = try Harness(customer: dana, fixtures: ["orders": [orderFixture(id: "1042", customer: "C-1001", total: total)]])
        _ = h.say("can I get a refund for order 1042", intent: "refund_request")
        let yes = h.say("yes")
        #expect(yes.contains { if case .action("issue_refund", _) = $0 { true } else { false } })
        return h.trace
    }

    func covered(_ coverage: Coverage, _ id: String) -> Bool? { coverage.clauses.first { $0.id == id }?.covered }

    @Test func clausesThatCannotDecideInThePlanAreListedApartAndNotCounted() {
        let coverage = Coverage(plan: referencePlan, traces: [])
        let idle = Set(coverage.idle.map(\.id))
        let live = Set(coverage.clauses.map(\.id))
        // Refund limits count only where a procedure refunds.
        #expect(idle.contains("manage-subscriptions:refunds.max_per_refund"))
        #expect(idle.contains("protect-accounts:confirm_with_customer:refund"))
        #expect(live.contains("resolve-order-issues:refunds.max_per_refund"))
        #expect(live.contains("manage-subscriptions:confirm_with_customer:write"))
        // An always-escalated intent is routed by the rules of the goal that owns it.
        #expect(idle.contains("manage-subscriptions:always_escalate.intents:billing_dispute"))
        #expect(live.contains("resolve-order-issues:always_escalate.intents:billing_dispute"))
        #expect(live.contains("protect-accounts:always_escalate.intents:account_takeover"))
        // Phrases, tiers and escalation triggers can decide in every goal.
        #expect(live.contains("protect-accounts:always_escalate.phrases:chargeback"))
        #expect(live.contains("manage-subscriptions:escalation.customer_asks_for_human"))
        // Output rules count where a message shows free text (an address the customer typed).
        #expect(idle.contains("protect-accounts:output.never_say:your password is"))
        #expect(live.contains("manage-subscriptions:output.max_characters"))   // filled-in values lengthen a message
        #expect(live.contains("resolve-order-issues:output.never_say:we are liable"))
        #expect(idle.isDisjoint(with: live))
        #expect(idle.count + live.count == GuardrailClause.all(in: referencePlan).count)
        // A count limit is described with its window, as the catalog says it.
        let limits = GuardrailClause.all(in: referencePlan).filter { $0.id.hasPrefix("actions.yaml:limit:") }
        #expect(limits.contains { $0.description == "`change_shipping_address` at most 3 per customer per day" })
        #expect(limits.contains { $0.description == "`cancel_order` once per order" })
        #expect(coverage.idle.allSatisfy { $0.description.contains(": ") && !$0.covered })
        #expect(coverage.text().contains("guardrail clauses that cannot decide anything in this plan (not counted):"))
    }

    @Test func aRefundLimitIsExercisedAtItsEdgeNotBelowIt() throws {
        let below = Coverage(plan: referencePlan, traces: [try refund("89.00 USD")])
        #expect(covered(below, "resolve-order-issues:refunds.max_by_tier:standard") == false)
        let edge = Coverage(plan: referencePlan, traces: [try refund("150.00 USD")])
        #expect(covered(edge, "resolve-order-issues:refunds.max_by_tier:standard") == true)
        #expect(covered(edge, "resolve-order-issues:refunds.max_per_refund") == false)
        #expect(covered(edge, "resolve-order-issues:refunds.max_per_customer") == false)
    }

    @Test func confirmWithCustomerIsExercisedByAnActionThatRanAfterAYes() throws {
        let none = Coverage(plan: referencePlan, traces: [])
        #expect(covered(none, "resolve-order-issues:confirm_with_customer:refund") == false)
        let after = Coverage(plan: referencePlan, traces: [try refund("89.00 USD")])
        #expect(covered(after, "resolve-order-issues:confirm_with_customer:refund") == true)
        #expect(covered(after, "resolve-order-issues:confirm_with_customer:write") == false)
    }
}
