import Foundation
import GRDB
import MandateIR
import MandateRuntime
import MandateStore
import Testing

/// A fresh folder for one test's database files.
func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let refundIntent = IntentPrediction(intent: "refund_request", confidence: 0.95, ranking: [IntentScore(intent: "refund_request", score: 0.95)])

/// Dana's order 1042 in the reference project's sandbox.
func danaSandbox() throws -> SandboxData {
    try SandboxData(fixtures: ["orders": [orderFixture(id: "1042", customer: "C-1001", total: "89.00 USD"),
                                          orderFixture(id: "1187", customer: "C-1002", total: "189.00 USD")]], plan: referencePlan)
}

@Suite struct StoreTests {
    let runtime = Runtime(plan: referencePlan)

    @Test func aConversationResumesAfterTheDatabaseIsReopened() throws {
        let folder = try temporaryFolder("resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("mandate.sqlite").path
        do {
            let store = try SQLiteStore(path: path)
            try store.loadSandbox(try danaSandbox(), plan: referencePlan)
            _ = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "can I get a refund?", intent: refundIntent),
                               runtime: runtime, now: fixedNow)
            let second = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "it's order 1042"), runtime: runtime, now: fixedNow + 30)
            #expect(says(second.effects).contains("Shall I refund $89.00 for order 1042"))
            try store.close()
        }
        let reopened = try SQLiteStore(path: path)
        let state = try #require(try reopened.load(conversationID: "c1"))
        #expect(state.turn == 2)
        #expect({ if case .confirmation? = state.awaiting { true } else { false } }())
        let third = try reopened.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "yes please"), runtime: runtime, now: fixedNow + 60)
        #expect(third.effects.contains(.action(name: "issue_refund", arguments: ["amount": "$89.00", "order": "1042", "customer_id": "C-1001"])))
        #expect(third.state.status == .resolved(outcome: "refund_issued"))

        let ledger = try reopened.ledger(customerID: "C-1001", since: 0)
        #expect(ledger == [LedgerEntry(conversation: "c1", customerID: "C-1001", action: "issue_refund", scope: "order:1042",
                                       idempotencyKey: "c1#3#issue_refund#order.id=1042", amount: Money(minor: 8900, currency: "USD"), at: fixedNow + 60)])
        let trace = try reopened.trace(conversationID: "c1")
        #expect(Set(trace.map(\.turn)) == [1, 2, 3])
        #expect(trace.contains { $0.kind == .action && $0.detail == "`issue_refund` done" })
        #expect(try reopened.audit(conversationID: "c1").map(\.message) == ["can I get a refund?", "it's order 1042", "yes please"])
        let outcome = try #require(try reopened.outcomes(conversationID: "c1").first)
        #expect(outcome.status == .resolved(outcome: "refund_issued") && outcome.turn == 3 && outcome.handoff == nil)
        #expect(try reopened.sandbox().journal == ["issue_refund amount=$89.00 customer_id=C-1001 order=1042"])
        #expect(try reopened.conversations() == [ConversationSummary(id: "c1", customerID: "C-1001", status: .resolved(outcome: "refund_issued"),
                                                                      turns: 3, updatedAt: fixedNow + 60)])
    }

    @Test func aStoredTraceReplaysToTheSameDecisions() throws {
        let folder = try temporaryFolder("replay")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        for (i, m) in ["can I get a refund?", "it's order 1042", "yes please"].enumerated() {
            _ = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: m, intent: i == 0 ? refundIntent : nil),
                               runtime: runtime, now: fixedNow + Int64(i))
        }
        let trace = try store.trace(conversationID: "c1")
        #expect(trace.contains { $0.outputs?["order"] != nil })
        let report = runtime.replay(start: runtime.start(id: "c1", customer: dana), trace: trace, ledger: MemoryLedger(), intents: [1: refundIntent])
        #expect(report.identical, "\(String(describing: report.firstDifference))")
    }

    @Test func twoConnectionsTakingTurnsInOneConversationSeeEachOthersState() throws {
        let folder = try temporaryFolder("alternate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.sqlite").path
        let a = try SQLiteStore(path: path)
        let b = try SQLiteStore(path: path)
        try a.loadSandbox(try danaSandbox(), plan: referencePlan)
        _ = try a.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "can I get a refund?", intent: refundIntent), runtime: runtime, now: fixedNow)
        _ = try b.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "it's order 1042"), runtime: runtime, now: fixedNow)
        // `a` last saw turn 1; the file holds turn 2, written by `b`.
        let third = try a.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "yes please"), runtime: runtime, now: fixedNow)
        #expect(third.state.turn == 3)
        #expect(third.state.status == .resolved(outcome: "refund_issued"))
        #expect(try b.ledger(customerID: "C-1001", since: 0).count == 1)
    }

    @Test func theFileIsInWALModeWithFullSynchronousWrites() throws {
        let folder = try temporaryFolder("durability")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path)
        let d = try store.durability()
        #expect(d.synchronous == 2)
        #expect(d.journalMode == "wal")
    }

    @Test func aHandOffIsStoredAsAnOutcomeWithItsPacket() throws {
        let folder = try temporaryFolder("handoff")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        let marcus = CustomerProfile(id: "C-1002", tier: "standard", verified: true)
        _ = try store.turn(conversationID: "m1", customer: marcus, event: CustomerEvent(message: "I'd like a refund", intent: refundIntent), runtime: runtime, now: fixedNow)
        _ = try store.turn(conversationID: "m1", customer: marcus, event: CustomerEvent(message: "order number is 1187"), runtime: runtime, now: fixedNow)
        let outcome = try #require(try store.outcomes(conversationID: nil).first)
        #expect(outcome.status == .escalated(queue: "billing", reason: "refund above $150 needs billing approval"))
        #expect(outcome.handoff?.queue == "billing")
        #expect(outcome.handoff?.collected["order number"] == "1187")
        #expect(try store.ledger(customerID: nil, since: 0).isEmpty)
    }

    @Test(arguments: ["memory", "sqlite"])
    func aConversationCannotContinueInAnotherCustomersSession(kind: String) throws {
        let folder = try temporaryFolder("owner")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store: any ConversationStore = kind == "memory" ? MemoryStore() : try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        _ = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "refund please", intent: refundIntent), runtime: runtime, now: fixedNow)
        let marcus = CustomerProfile(id: "C-1002", tier: "standard", verified: true)
        #expect(throws: StoreError.conversationOfAnotherCustomer(conversation: "c1", owner: "C-1001", session: "C-1002")) {
            try store.turn(conversationID: "c1", customer: marcus, event: CustomerEvent(message: "order 1042"), runtime: runtime, now: fixedNow)
        }
        #expect(try store.load(conversationID: "c1")?.turn == 1)
    }

    @Test(arguments: ["memory", "sqlite"])
    func theMemoryAndSQLiteStoresGiveTheSameConversation(kind: String) throws {
        let folder = try temporaryFolder("same")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store: any ConversationStore = kind == "memory" ? MemoryStore() : try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        var h = try Harness(customer: dana, fixtures: ["orders": [orderFixture(id: "1042", customer: "C-1001", total: "89.00 USD")]], id: "c1")
        for (i, message) in ["changed my mind, can I get a refund?", "it's order 1042", "yes please"].enumerated() {
            let expected = h.say(message, intent: i == 0 ? "refund_request" : nil)
            let got = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: message, intent: i == 0 ? refundIntent : nil),
                                     runtime: runtime, now: fixedNow)
            #expect(got.effects == expected)
            #expect(got.state == h.state)
        }
        #expect(try store.trace(conversationID: "c1") == h.trace)
        #expect(try store.ledger(customerID: "C-1001", since: 0) == h.ledger.all)
        #expect(try store.sandbox().journal == h.sandbox.data.journal)
    }

    @Test func theLedgerAndTraceCannotBeRewritten() throws {
        let folder = try temporaryFolder("append-only")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.sqlite").path
        let store = try SQLiteStore(path: path)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        for (i, m) in ["refund please", "order 1042", "yes"].enumerated() {
            _ = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: m, intent: i == 0 ? refundIntent : nil), runtime: runtime, now: fixedNow)
        }
        try store.close()
        let raw = try DatabaseQueue(path: path)
        for sql in ["DELETE FROM ledger", "UPDATE ledger SET amount_minor = 1", "DELETE FROM trace_event", "UPDATE audit_log SET message = ''"] {
            #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: sql) } }
        }
        try raw.close()
        #expect(try SQLiteStore(path: path).ledger(customerID: nil, since: 0).count == 1)
    }
}
