import MandateCompiler
import MandateDiagnostics
@testable import MandateRuntime
@testable import MandateScenarios
import Testing

@Suite struct ProofsBesideBrokenTestsTests {
    /// A scenario test file with an error does not turn off the proofs of the procedures.
    @Test func aBrokenScenarioFileLeavesTheProofsOn() throws {
        let example = try #require(Explanation.byCode[.refundOverLimit]).example
        let c = compileBase(replacing: example + [ExampleFile("tests/broken.test.yaml", "name: [unclosed\n")])
        let codes = Set(c.diagnostics.map(\.code.rawValue))
        #expect(codes.contains("M0101"))
        #expect(codes.contains("M0601"))
    }
}

@Suite struct ScenarioRefundLimitTests {
    /// A scenario expecting a refund above `max_per_refund` is a test bug even when the
    /// customer's tier has a higher limit: both apply, and the lower decides.
    @Test func theLowerOfTheTwoRefundLimitsDecides() throws {
        let goal = try #require(Explanation.baseProject.first { $0.path == "orders.goal.yaml" })
        let raised = goal.text.replacingOccurrences(of: "max_per_refund: 150 USD", with: "max_per_refund: 150 USD\n    max_by_tier: { vip: 500 USD }")
        #expect(raised != goal.text)
        let test = ExampleFile("tests/vip.test.yaml", """
            name: a vip refund above the per-refund limit
            customer: { id: C-1001, tier: vip, verified: true }
            turns:
              - customer: "refund my order please"
                expect:
                  action: { issue_refund: { amount: 300.00 USD } }
            """)
        let c = compileBase(replacing: [ExampleFile("orders.goal.yaml", raised), test])
        #expect(c.diagnostics.contains { $0.code.rawValue == "M0616" && $0.message.contains("$150") })
    }
}

@Suite struct UnavailableActionsTests {
    let test = """
        name: the refund system is down
        customer: { id: C-1001, tier: standard, verified: true }
        unavailable: [issue_refund]
        turns:
          - customer: "refund my order please"
        """

    /// `unavailable:` names actions of the catalog; a typo is a test bug with the closest name.
    @Test func anUnknownUnavailableActionIsATestBugWithTheClosestName() {
        let c = compileBase(replacing: [ExampleFile("tests/down.test.yaml", test.replacingOccurrences(of: "[issue_refund]", with: "[isue_refund]"))])
        let found = c.diagnostics.first { $0.code.rawValue == "M0616" && $0.message.contains("`isue_refund` unavailable") }
        #expect(found?.help?.contains("issue_refund") == true)
        #expect(!compileBase(replacing: [ExampleFile("tests/down.test.yaml", test)]).diagnostics.contains { $0.code.rawValue == "M0616" })
    }

    /// The runner fails exactly the listed actions; the loader refuses a name the plan lacks.
    @Test func theListedActionsFailAndOnlyThose() throws {
        let plan = try #require(referencePlanFile).plan
        func load(_ names: String) -> Result<Scenario, ScenarioLoadError> {
            let text = """
                name: down
                customer: { id: C-1001, tier: standard, verified: true }
                unavailable: \(names)
                turns:
                  - customer: "hi"
                """
            return ScenarioLoader.load(SourceFile(path: "tests/down.test.yaml", text: text), plan: plan)
        }
        let scenario = try load("[lock_account]").get()
        #expect(scenario.unavailable == ["lock_account"])
        guard case .failure(let error) = load("[lock_acount]") else { Issue.record("a misspelt action loaded"); return }
        #expect(error.description.contains("`lock_acount`"))
        let port = SystemsDown(SandboxActions(data: scenario.sandbox), unavailable: scenario.unavailable)
        func outcome(_ name: String) throws -> ActionOutcome {
            let signature = try #require(plan.actions.first { $0.name == name })
            return port.perform(ActionRequest(signature: signature, arguments: [:], customerID: "C-1001", idempotencyKey: "k-\(name)", owners: [:]))
        }
        guard case .failed = try outcome("lock_account") else { Issue.record("lock_account ran though unavailable"); return }
        guard case .done = try outcome("send_password_reset_link") else { Issue.record("another action failed"); return }
    }
}
