import Foundation
import MandateCLI
import MandateCompiler
import MandateDiagnostics
import MandateIR
import Testing

/// `mandate diff`: the review a CX lead reads before approving a deploy.
@Suite struct PlanDiffTests {
    func plan(_ replacing: [ExampleFile]) throws -> Plan {
        try #require(compileBase(replacing: replacing).plan)
    }

    static let loosenedGoal = """
        goal: resolve-order-issues
        intents:
          refund_request:
            examples: ["I want my money back", "refund my order please", "can I get a refund"]
          order_status:
            examples: ["where is my order", "has my package shipped", "tracking for my parcel"]
        resolved_when: [refund_issued, status_shared, declined]
        guardrails:
          refunds:
            max_per_refund: 200 USD
        escalation:
          default_queue: tier-1
        """

    @Test func loosenedGuardrailsAreMarkedForReview() throws {
        let old = try plan([])
        let new = try plan([ExampleFile("orders.goal.yaml", Self.loosenedGoal)])
        let d = PlanDiff.between(old, new)
        let kinds = d.changes.map(\.kind)
        #expect(kinds.contains("limitRaised"))
        #expect(kinds.contains("confirmRemoved"))
        let allReview = d.changes.allSatisfy { $0.needsReview }
        #expect(allReview)
        #expect(d.markdown.contains("**review** `resolve-order-issues`: `max_per_refund` raised from $150 to $200"))
        let json = try JSONSerialization.jsonObject(with: try d.json()) as? [String: Any]
        let count = json?["needsReview"] as? Int
        #expect(count == d.changes.count)
    }

    @Test func aNewPathToARefundIsReportedAndRenumberingIsNot() throws {
        let old = try plan([])
        // The same procedure with a message inserted: every step renumbered, no new path to money.
        let base = Explanation.baseProject.first { $0.path == "refund.procedure" }!.text
        let renumbered = base.replacingOccurrences(of: "1. Ask for the order number.", with: "1. Say \"Let me help.\"\n1. Ask for the order number.")
        let same = try plan([ExampleFile("refund.procedure", renumbered)])
        #expect(PlanDiff.between(old, same).changes.filter { $0.kind.hasPrefix("moneyPath") } == [])
        // Without the $150 check, a path that used to escalate now reaches the refund.
        let unchecked = base.replacingOccurrences(of: "4. If the order total is more than $150, escalate to billing because \"high-value refund\".\n", with: "")
        let changed = try plan([ExampleFile("refund.procedure", unchecked)])
        let d = PlanDiff.between(old, changed)
        #expect(d.changes.contains { $0.kind == "moneyPathAdded" || $0.kind == "moneyPathChanged" })
    }

    @Test func identicalPlansHaveNoChangesAndTheCommandReadsPlanFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = compileBase()
        let file = try #require(try Compiler.planFile(c))
        let path = dir.appendingPathComponent("plan.json").path
        try file.json().write(to: URL(fileURLWithPath: path))
        let binary = dir.appendingPathComponent("plan.mplan").path
        try file.binary(sha256: Compiler.sha256).write(to: URL(fileURLWithPath: binary))
        let (console, captured) = Console.capturing()
        #expect(MandateCommand.run(arguments: ["diff", path, binary], console: console) == 0)
        #expect(captured().out.contains("No policy changes"))
        let (console2, captured2) = Console.capturing()
        #expect(MandateCommand.run(arguments: ["diff", path, "/no/such/plan.json"], console: console2) == 66)
        #expect(captured2().err.contains("cannot read the plan"))
    }
}
