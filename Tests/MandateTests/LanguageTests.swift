import MandateCompiler
import MandateDiagnostics
import MandateIR
import Testing

/// Sentences of the language as operators write them, compiled against the base project.
@Suite struct LanguageTests {
    func compile(_ procedure: String) -> Compilation {
        compileBase(replacing: [ExampleFile("status.procedure", "Procedure: Share an order's status\nGoal: resolve-order-issues\nHandles: order_status\n\n" + procedure)])
    }

    func procedure(_ c: Compilation) -> MandateIR.Procedure? { c.plan?.procedures.first { $0.id == "status" } }

    @Test func stepsUnderABulletIfWithAClauseAreKept() throws {
        let c = compile("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If any of these is true, say "Let me check.":
               - the order status is "placed"
               - the order total is more than $100
               a. Say "A teammate will look at it."
               b. Escalate to billing because "needs review".
            4. Resolve as status_shared.
            """)
        #expect(c.errorCodes == [])
        let p = try #require(procedure(c))
        #expect(p.steps.contains { if case .escalate(queue: "billing", _) = $0.op { true } else { false } })
        #expect(p.steps.contains { if case .say(let t) = $0.op { t.text == "A teammate will look at it." } else { false } })
    }

    @Test func aFieldOfTheOnlyRecordThatHasItNeedsNoRecordName() throws {
        let c = compile("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the status is "delivered", say "It arrived on {order.delivered_at}." and resolve as status_shared.
            4. Resolve as status_shared.
            """)
        #expect(c.errorCodes == [])
        let p = try #require(procedure(c))
        let branch = p.steps.first { if case .branch = $0.op { true } else { false } }
        guard case .branch(let condition, _, _)? = branch?.op else { Issue.record("no branch"); return }
        #expect(condition == .compare(op: "equal", lhs: .field(.name("order"), "status"), rhs: .literal(.text("delivered"))))
    }

    @Test func articlesDoNotCountInFieldNames() {
        let actions = Explanation.baseProject.first { $0.path == "actions.yaml" }!.text
            .replacingOccurrences(of: "customer_id: text }", with: "customer_id: text, delayed_by_carrier: boolean }")
        let c = compileBase(replacing: [
            ExampleFile("actions.yaml", actions),
            ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order was delayed by the carrier, say "Sorry for the delay." and resolve as status_shared.
                4. Resolve as status_shared.
                """),
        ])
        #expect(c.errorCodes == [])
    }

    @Test func aCustomerFactMustBeDeclared() {
        let c = compile("""
            1. If the customer has a unicorn, resolve as status_shared.
            2. Resolve as status_shared.
            """)
        #expect(c.errorCodes == ["M0310"])
    }

    @Test func askingAgainGoesBackToTheChecksAfterTheFirstQuestion() throws {
        let c = compile("""
            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order status is "placed", say "That order has not shipped." and ask for the order number again.
            4. Say "Your order is {order.status}."
            5. Resolve as status_shared.
            """)
        #expect(c.errorCodes == [])
        let p = try #require(procedure(c))
        let again = try #require(p.steps.first { if case .ask(_, _, _, _, true) = $0.op { true } else { false } })
        let lookup = try #require(p.steps.first { if case .call(action: "lookup_order", _, _) = $0.op { true } else { false } })
        #expect(again.next == lookup.id)
    }
}

@Suite struct SuppressionTests {
    func compile(_ body: String) -> Compilation {
        compileBase(replacing: [ExampleFile("status.procedure", "Procedure: Share an order's status\nGoal: resolve-order-issues\nHandles: order_status\n\n" + body)])
    }

    @Test func aSuppressionSilencesItsCodeInTheNextStepOnly() {
        let c = compile("""
            1. Ask for the order number.
            # mandate: allow M0309 because "the status comes from the chat widget"
            2. Say "Your order is {order_status}."
            3. Say "Still {order_status}."
            4. Resolve as status_shared.
            """)
        let unknown = c.diagnostics.filter { $0.code == .unknownValue }
        #expect(unknown.count == 1)
        #expect(unknown.first.map { c.sources["status.procedure"]!.location(of: $0.range!.start).line } == 8)
    }

    @Test func aSuppressionCoversTheSubStepsOfItsStep() {
        let c = compile("""
            1. Ask for the order number.
            # mandate: allow M0309 because "the status comes from the chat widget"
            2. If the order number is "1", say "hi":
               a. Say "Your order is {order_status}."
            3. Resolve as status_shared.
            """)
        #expect(c.errorCodes == [])
        #expect(!c.diagnostics.contains { $0.code == .unusedSuppression })
    }

    @Test func aStaleSuppressionIsReported() {
        let c = compile("""
            1. Ask for the order number.
            # mandate: allow M0309 because "no longer needed"
            2. Resolve as status_shared.
            """)
        #expect(c.diagnostics.map(\.code) == [.unusedSuppression])
        #expect(c.diagnostics.first?.severity == .warning)
    }

    @Test func aSuppressionNeedsAReasonAndAKnownCode() {
        let c = compile("""
            # mandate: allow M0309
            1. Say "Your order is {order_status}."
            # mandate: allow M9999 because "x"
            2. Resolve as status_shared.
            """)
        #expect(c.diagnostics.filter { $0.code == .malformedSuppression }.count == 2)
        #expect(c.diagnostics.contains { $0.code == .unknownValue })  // not silenced without a reason
    }
}
