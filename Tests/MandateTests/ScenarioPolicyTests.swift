import MandateCompiler
import MandateDiagnostics
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
