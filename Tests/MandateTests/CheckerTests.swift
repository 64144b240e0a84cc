import MandateCompiler
import MandateDiagnostics
import MandateIR
import Testing

/// The flow and policy proofs on small procedures: what they prove, and what they must not
/// report (each false alarm teaches operators to ignore the checker).
@Suite struct CheckerTests {
    func refund(_ steps: String, goal: String? = nil) -> Compilation {
        var files = [ExampleFile("refund.procedure", "Procedure: Refund an order\nGoal: resolve-order-issues\nHandles: refund_request\n\n" + steps)]
        if let goal { files.append(ExampleFile("orders.goal.yaml", goal)) }
        return compileBase(replacing: files)
    }

    func codes(_ c: Compilation) -> [String] { c.diagnostics.map(\.code.rawValue).sorted() }

    static let tierGoal = """
        goal: resolve-order-issues
        intents:
          refund_request:
            examples: ["I want my money back", "refund my order please", "can I get a refund"]
          order_status:
            examples: ["where is my order", "has my package shipped", "tracking for my parcel"]
        resolved_when: [refund_issued, status_shared, declined]
        guardrails:
          confirm_with_customer: [refund]
          refunds:
            max_per_refund: 250 USD
            max_by_tier: { vip: 250 USD, standard: 150 USD }
        escalation:
          default_queue: tier-1
        """

    @Test func eachTierKeepsItsOwnBoundAcrossJoinedPaths() {
        // Merged, the paths say "vip or standard, at most $250"; path by path each is within its limit.
        let c = refund("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the customer is on the vip tier:
               a. If the order total is more than $250, escalate to billing because "above the vip limit".
            Otherwise:
               a. If the order total is more than $150, escalate to billing because "above the limit".
            4. Confirm "Shall I refund {order.total}?"
               If the customer declines, say "No problem." and resolve as declined.
            5. Refund the order total for the order.
            6. Resolve as refund_issued.
            """, goal: Self.tierGoal)
        #expect(codes(c) == [])
    }

    @Test func aStandardCustomerOverTheStandardLimitIsFound() {
        let c = refund("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order total is more than $250, escalate to billing because "above the vip limit".
            4. Confirm "Shall I refund {order.total}?"
               If the customer declines, say "No problem." and resolve as declined.
            5. Refund the order total for the order.
            6. Resolve as refund_issued.
            """, goal: Self.tierGoal)
        #expect(codes(c) == ["M0601"])
        #expect(c.diagnostics.first?.message.contains("the $150 limit") == true)
    }

    @Test func arithmeticOnABoundedAmountIsFollowed() {
        let bounded = refund("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order total is more than $150, escalate to billing because "high-value refund".
            4. Set the refund amount to the order total minus $10.
            5. Confirm "Shall I refund {refund_amount}?"
               If the customer declines, say "No problem." and resolve as declined.
            6. Refund the refund amount for the order.
            7. Resolve as refund_issued.
            """)
        #expect(codes(bounded) == [])
        let doubled = refund("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order total is more than $150, escalate to billing because "high-value refund".
            4. Set the refund amount to the order total times 2.
            5. Confirm "Shall I refund {refund_amount}?"
               If the customer declines, say "No problem." and resolve as declined.
            6. Refund the refund amount for the order.
            7. Resolve as refund_issued.
            """)
        #expect(codes(doubled) == ["M0601"])
        #expect(doubled.diagnostics.first?.message.contains("up to $300") == true)
    }

    @Test func aConditionTheStepsBeforeRuleOutIsUnreachable() {
        let c = refund("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order total is more than $150, escalate to billing because "high-value refund".
            4. If the order total is more than $200, say "That is a big order." and resolve as declined.
            5. Confirm "Shall I refund {order.total}?"
               If the customer declines, say "No problem." and resolve as declined.
            6. Refund the order total for the order.
            7. Resolve as refund_issued.
            """)
        #expect(codes(c) == ["M0502"])
        #expect(c.diagnostics.first?.message.contains("the condition of step 4 can never hold") == true)
    }

    @Test func aConditionThatContradictsItselfIsUnreachable() {
        let c = refund("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order status is "placed" and the order status is "shipped", say "Odd." and resolve as declined.
            4. If the order total is more than $150, escalate to billing because "high-value refund".
            5. Confirm "Shall I refund {order.total}?"
               If the customer declines, say "No problem." and resolve as declined.
            6. Refund the order total for the order.
            7. Resolve as refund_issued.
            """)
        #expect(codes(c) == ["M0502"])
    }

    @Test func askingAgainForgetsWhatWasKnownAndKeepsTheLoopSound() {
        // The new answer is checked again by step 4 before the refund: no finding.
        let c = refund("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order status is not "delivered", say "That order has not arrived; which one did you mean?" and ask for the order number again.
            4. If the order total is more than $150, escalate to billing because "high-value refund".
            5. Confirm "Shall I refund {order.total}?"
               If the customer declines, say "No problem." and resolve as declined.
            6. Refund the order total for the order.
            7. Resolve as refund_issued.
            """)
        #expect(codes(c) == [])
    }

    @Test func aValueSetOnlyWhenTheCustomerSaysYesIsUnknownOnTheDeclinePath() {
        let c = refund("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order total is more than $150, escalate to billing because "high-value refund".
            4. Confirm "Shall I refund {order.total}?"
               If the customer declines, say "Okay, {refund_note}" and resolve as declined.
            5. Set the refund note to "refunded".
            6. Refund the order total for the order.
            7. Resolve as refund_issued.
            """)
        #expect(codes(c) == ["M0503"])
    }

    @Test func aConfirmThatNamesAnotherValueDoesNotCoverTheRefund() {
        let c = refund("""
            1. Ask for the order number.
            2. Ask for the reason.
            3. Look up the order with the order number.
            4. If the order total is more than $150, escalate to billing because "high-value refund".
            5. Confirm "You said {reason}, right?"
               If the customer declines, say "No problem." and resolve as declined.
            6. Refund the order total for the order.
            7. Resolve as refund_issued.
            """)
        #expect(codes(c) == ["M0603"])
    }

    @Test func proceduresThatFollowEachOtherInACircleAreFound() {
        let c = compileBase(replacing: [
            ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Follow "Check an order".
                """),
            ExampleFile("check.procedure", """
                Procedure: Check an order
                Goal: resolve-order-issues

                1. Say "Let me look."
                2. Follow "Share an order's status".
                """),
        ])
        #expect(codes(c).filter { $0 == "M0504" }.count == 1)
    }

    @Test func aTableNeedsNoRowForAValueTheStepsBeforeHandled() {
        let c = compileBase(replacing: [ExampleFile("status.procedure", """
            Procedure: Share an order's status
            Goal: resolve-order-issues
            Handles: order_status

            Table: status message
            | status    | message      |
            |-----------|--------------|
            | shipped   | on its way   |
            | delivered | at your door |

            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order status is "placed", say "Your order is being packed." and resolve as status_shared.
            4. Set the note to the status message for the order status.
            5. Say "Your order is {note}."
            6. Resolve as status_shared.
            """)])
        #expect(codes(c) == [])
    }

    @Test func theReferenceProjectAndEveryExampleButTheBrokenOneCheckClean() throws {
        for path in ["Procedures", "Examples/airline", "Examples/always-escalate", "Examples/confidence-threshold",
                     "Examples/confirmation", "Examples/decision-table", "Examples/refund-limits"] {
            let c = Compiler.compile(try ProjectSources.load(path: repositoryRoot.appendingPathComponent(path).path))
            #expect(c.diagnostics.map { "\($0.code): \($0.message)" } == [], "\(path)")
        }
    }
}
