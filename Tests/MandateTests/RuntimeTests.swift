import Foundation
import MandateCompiler
import MandateIR
import MandateRuntime
import Testing

/// The reference project's plan, compiled once.
let referencePlan: Plan = {
    let path = repositoryRoot.appendingPathComponent("Procedures").path
    return Compiler.compile(try! ProjectSources.load(path: path)).plan!
}()

/// 2026-11-28T10:00:00Z.
let fixedNow: Int64 = FixtureConversion.parseMoment("2026-11-28T10:00:00Z")!

/// An order fixture of the reference project.
func orderFixture(id: String, customer: String, total: String, status: String = "delivered", delivered: String = "2026-11-20",
                  items: [[String: Any]]? = nil) -> [String: Any] {
    ["id": id, "status": status, "total": total, "placed_at": "2026-11-14T16:20:00Z", "delivered_at": delivered,
     "customer_id": customer, "carrier": "UPS",
     "items": items ?? [["id": "I-\(id)", "name": "Stand mixer", "category": "home", "price": total, "quantity": 1]]]
}

/// A conversation driven turn by turn against a sandbox and a ledger in memory.
struct Harness {
    var runtime: Runtime
    var state: ConversationState
    var sandbox: SandboxActions
    var ledger: MemoryLedger
    var now: Int64
    var trace: [TraceEvent] = []

    init(plan: Plan = referencePlan, customer: CustomerProfile, fixtures: [String: Any], id: String = "conv-1",
         ledger: MemoryLedger = MemoryLedger(), now: Int64 = fixedNow) throws {
        runtime = Runtime(plan: plan)
        state = runtime.start(id: id, customer: customer)
        sandbox = SandboxActions(data: try SandboxData(fixtures: fixtures, plan: plan))
        self.ledger = ledger
        self.now = now
    }

    /// Sends a message; `intent` stands in for the classifier.
    mutating func say(_ message: String, intent: String? = nil, confidence: Double = 0.95) -> [TurnEffect] {
        let prediction = intent.map { IntentPrediction(intent: $0, confidence: confidence, ranking: [IntentScore(intent: $0, score: confidence)]) }
        let env = TurnEnvironment(now: now, actions: sandbox, ledger: ledger)
        let result = runtime.turn(state, CustomerEvent(message: message, intent: prediction), environment: env)
        state = result.state
        trace += result.trace
        return result.effects
    }
}

func says(_ effects: [TurnEffect]) -> String {
    effects.compactMap { e -> String? in
        switch e {
        case .say(let s), .confirm(let s): s
        case .ask(_, let s): s
        default: nil
        }
    }.joined(separator: "\n")
}

func handoff(_ effects: [TurnEffect]) -> HandoffPacket? {
    for e in effects { if case .handoff(let p) = e { return p } }
    return nil
}

let dana = CustomerProfile(id: "C-1001", tier: "standard", verified: true, fields: ["name": .text("Dana Reyes"), "email": .text("dana@example.com")])

@Suite struct RuntimeTests {
    @Test func happyPathRefundsAfterConfirmation() throws {
        var h = try Harness(customer: dana, fixtures: ["orders": [orderFixture(id: "1042", customer: "C-1001", total: "89.00 USD")]])
        let first = h.say("changed my mind about the stand mixer, can I get a refund?", intent: "refund_request")
        #expect(first.contains { if case .ask("order_number", _) = $0 { true } else { false } })
        let second = h.say("it's order 1042")
        #expect(says(second).contains("Shall I refund $89.00 for order 1042"))
        let third = h.say("yes please")
        #expect(third.contains(.action(name: "issue_refund", arguments: ["amount": "$89.00", "order": "1042", "customer_id": "C-1001"])))
        #expect(says(third).contains("on its way back"))
        #expect(h.state.status == .resolved(outcome: "refund_issued"))
        #expect(h.ledger.all.count == 1)
        #expect(h.sandbox.data.journal.count == 1)
    }

    @Test func refundAboveTheLimitEscalatesWithoutMovingMoney() throws {
        let marcus = CustomerProfile(id: "C-1002", tier: "standard", verified: true)
        var h = try Harness(customer: marcus, fixtures: ["orders": [orderFixture(id: "1187", customer: "C-1002", total: "189.00 USD")]])
        _ = h.say("The coat doesn't fit. I'd like a refund.", intent: "refund_request")
        let effects = h.say("order number is 1187")
        let packet = try #require(handoff(effects))
        #expect(packet.queue == "billing")
        #expect(packet.reason == "refund above $150 needs billing approval")
        #expect(h.state.status == .escalated(queue: "billing", reason: "refund above $150 needs billing approval"))
        #expect(h.sandbox.data.journal.isEmpty)
        #expect(packet.summary.contains("refund_request"))
        #expect(packet.collected["order number"] == "1187")
    }
}
