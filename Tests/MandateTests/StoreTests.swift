import Foundation
import GRDB
import MandateIR
import MandateRuntime
@testable import MandateStore
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

/// Dana's refund of order 1042 in three turns, stored in `store`.
func refundInThreeTurns(_ store: SQLiteStore, _ conversationID: String, runtime: Runtime) throws {
    for (i, m) in ["refund please", "order 1042", "yes"].enumerated() {
        _ = try store.turn(conversationID: conversationID, customer: dana, event: CustomerEvent(message: m, intent: i == 0 ? refundIntent : nil),
                           runtime: runtime, now: fixedNow)
    }
}

/// Dana's refund of order 1042 up to the agent's question to confirm it: two turns, stored in `store`.
func refundUpToConfirmation(_ store: SQLiteStore, _ conversationID: String, runtime: Runtime, now: Int64 = fixedNow) throws {
    for (i, m) in ["refund please", "order 1042"].enumerated() {
        _ = try store.turn(conversationID: conversationID, customer: dana, event: CustomerEvent(message: m, intent: i == 0 ? refundIntent : nil),
                           runtime: runtime, now: now)
    }
}

/// A store file as an older Mandate left it, after migration `migration`, open for raw writes.
func storeFile(in folder: URL, migratedUpTo migration: String) throws -> (path: String, queue: DatabaseQueue) {
    let path = folder.appendingPathComponent("m.sqlite").path
    let queue = try DatabaseQueue(path: path)
    try SQLiteStore.migrator.migrate(queue, upTo: migration)
    return (path, queue)
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
        try refundInThreeTurns(store, "c1", runtime: runtime)
        try store.close()
        let raw = try DatabaseQueue(path: path)
        for sql in ["DELETE FROM ledger", "UPDATE ledger SET amount_minor = 1", "DELETE FROM trace_turn", "UPDATE audit_log SET message = ''"] {
            #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: sql) } }
        }
        try raw.close()
        #expect(try SQLiteStore(path: path).ledger(customerID: nil, since: 0).count == 1)
    }
}

@Suite struct StoreMigrationTests {
    /// A file written before the trace became one row per turn keeps every event, in order.
    @Test func aTraceStoredOneEventPerRowIsCarriedOver() throws {
        let folder = try temporaryFolder("migrate-trace")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (path, old) = try storeFile(in: folder, migratedUpTo: "1: conversations, ledger, trace, audit log, outcomes, sandbox")
        let events = [
            TraceEvent(turn: 1, kind: .intent, detail: "refund_request (0.95)", source: "refunds.goal.yaml:3", data: ["intent": "refund_request"]),
            TraceEvent(turn: 1, kind: .step, detail: "Ask for the order", source: "refund.procedure:5"),
            TraceEvent(turn: 2, kind: .action, detail: "`lookup_order` done", outputs: ["order": .text("1042")]),
        ]
        try old.write { db in
            for (i, e) in events.enumerated() {
                try db.execute(sql: "INSERT INTO trace_event (conversation_id, turn, seq, kind, detail, source, data, outputs) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: ["c1", e.turn, i, e.kind.rawValue, e.detail, e.source, try SQLiteStore.json(e.data), try e.outputs.map(SQLiteStore.json)])
            }
        }
        try old.close()
        let store = try SQLiteStore(path: path)
        #expect(try store.trace(conversationID: "c1") == events)
        #expect(try store.trace(conversationID: "c2") == [])
    }
}

@Suite struct FewerPagesMigrationTests {
    /// A file from before migration 3 keeps its ledger, audit log and seq numbers; the tables
    /// lose AUTOINCREMENT but stay append-only and keep their indexes, new rows follow the old.
    @Test func tablesRebuiltWithoutAutoincrementKeepEveryRowAndRule() throws {
        let folder = try temporaryFolder("migrate-pages")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (path, old) = try storeFile(in: folder, migratedUpTo: "2: the trace as one row per turn")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO ledger (seq, conversation_id, customer_id, action, scope, idempotency_key, amount_minor, currency, at)
                VALUES (7, 'c0', 'C-1001', 'issue_refund', 'order:1043', 'k-old', 1000, 'USD', \(fixedNow - 60))
                """)
        }
        try old.close()
        let store = try SQLiteStore(path: path)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        let runtime = Runtime(plan: referencePlan)
        try refundInThreeTurns(store, "c1", runtime: runtime)
        let ledger = try store.ledger(customerID: "C-1001", since: 0)
        #expect(ledger.count == 2)
        #expect(ledger.first?.amount?.minor == 1000)
        try store.close()
        let raw = try DatabaseQueue(path: path)
        try raw.read { db in
            let schema = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL").joined(separator: "\n")
            #expect(!schema.contains("AUTOINCREMENT"))
            #expect(!schema.contains("conversation_by_customer"))
            #expect(schema.contains("ledger_by_customer"))
            #expect(try Int.fetchAll(db, sql: "SELECT seq FROM ledger ORDER BY seq") == [7, 8])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log") == 3)
        }
        for sql in ["DELETE FROM ledger", "UPDATE audit_log SET message = ''", "DELETE FROM sandbox_journal", "UPDATE sandbox_performed SET outputs = ''"] {
            #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: sql) } }
        }
        try raw.close()
    }
}

@Suite struct TurnLogMigrationTests {
    /// A file from before migration 4 keeps every audit line and every turn's trace, now paired in
    /// one `turn_log` row per turn; `audit_log` and `trace_turn` still answer the same queries (as
    /// views), nothing can be changed or deleted, the two unread indexes are gone, the others kept.
    @Test func auditLinesAndTracesBecomeOneRowPerTurnAndStayAppendOnly() throws {
        let folder = try temporaryFolder("migrate-turn-log")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (path, old) = try storeFile(in: folder, migratedUpTo: "3: fewer pages written per turn")
        let first = [TraceEvent(turn: 1, kind: .intent, detail: "refund_request (0.95)", source: "refunds.goal.yaml:3", data: ["intent": "refund_request"])]
        let second = [TraceEvent(turn: 2, kind: .action, detail: "`lookup_order` done", outputs: ["order": .text("1042")])]
        let unpaired = [TraceEvent(turn: 1, kind: .step, detail: "Ask for the order", source: "refund.procedure:5")]
        let said: [TurnEffect] = [.say("Which order is it?")]
        try old.write { db in
            for (seq, id, turn, message) in [(4, "c1", 1, "refund please"), (5, "c1", 2, "order 1042"), (6, "c2", 1, "hello")] {
                try db.execute(sql: "INSERT INTO audit_log (seq, conversation_id, turn, customer_id, at, message, effects) VALUES (?, ?, ?, 'C-1001', ?, ?, ?)",
                               arguments: [seq, id, turn, fixedNow + Int64(seq), message, try SQLiteStore.json(said)])
            }
            for (id, turn, events) in [("c1", 1, first), ("c1", 2, second), ("c0", 1, unpaired)] {
                try db.execute(sql: "INSERT INTO trace_turn (conversation_id, turn, events) VALUES (?, ?, ?)", arguments: [id, turn, try SQLiteStore.json(events)])
            }
        }
        try old.close()

        let store = try SQLiteStore(path: path)
        #expect(try store.trace(conversationID: "c1") == first + second)
        #expect(try store.trace(conversationID: "c0") == unpaired)    // a trace whose audit line the old file lacked
        #expect(try store.trace(conversationID: "c2") == [])          // an audit line without a trace
        #expect(try store.audit(conversationID: "c1") == [
            AuditEntry(conversationID: "c1", turn: 1, customerID: "C-1001", at: fixedNow + 4, message: "refund please", effects: said),
            AuditEntry(conversationID: "c1", turn: 2, customerID: "C-1001", at: fixedNow + 5, message: "order 1042", effects: said),
        ])
        #expect(try store.audit(conversationID: "c0") == [])
        #expect(try store.audit(conversationID: "c2").map(\.message) == ["hello"])
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        let runtime = Runtime(plan: referencePlan)
        try refundInThreeTurns(store, "c3", runtime: runtime)
        #expect(try store.audit(conversationID: "c3").map(\.message) == ["refund please", "order 1042", "yes"])
        #expect(Set(try store.trace(conversationID: "c3").map(\.turn)) == [1, 2, 3])
        try store.close()

        let raw = try DatabaseQueue(path: path)
        try raw.read { db in
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            #expect(indexes == ["ledger_by_customer", "sandbox_record_by_owner"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM turn_log") == 7)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log") == 6)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM trace_turn") == 7)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name IN ('audit_log', 'trace_turn') AND type = 'view'") == 2)
        }
        for sql in ["DELETE FROM turn_log", "UPDATE turn_log SET message = ''", "UPDATE turn_log SET events = '[]'",
                    "DELETE FROM audit_log", "UPDATE audit_log SET message = ''", "DELETE FROM trace_turn",
                    "INSERT INTO turn_log (conversation_id, turn, message, events) VALUES ('c9', 1, 'half an audit line', '[]')"] {
            #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: sql) } }
        }
        try raw.close()
    }
}

@Suite struct IntegerKeyMigrationTests {
    let runtime = Runtime(plan: referencePlan)

    /// A populated file from before migration 5 keeps every conversation, audit line, trace and
    /// outcome; conversations are numbered by when they started, each turn's row is keyed by its
    /// conversation's number and turn, a conversation waiting for the customer resumes and ends,
    /// a new one follows every number given (a hand-built file's lone trace included), and the
    /// rows stay append-only.
    @Test func conversationsAndTurnsGetIntegerKeysAndResume() throws {
        let folder = try temporaryFolder("migrate-keys")
        defer { try? FileManager.default.removeItem(at: folder) }
        // The rows a store writes today, copied into a file at migration 4.
        let fresh = try SQLiteStore(path: folder.appendingPathComponent("fresh.sqlite").path)
        try fresh.loadSandbox(try danaSandbox(), plan: referencePlan)
        try refundUpToConfirmation(fresh, "c-waiting", runtime: runtime, now: fixedNow + 10)
        try refundInThreeTurns(fresh, "c-resolved", runtime: runtime)
        let traces = try ["c-resolved", "c-waiting"].map { try fresh.trace(conversationID: $0) }
        let audits = try ["c-resolved", "c-waiting"].map { try fresh.audit(conversationID: $0) }
        let outcomes = try fresh.outcomes(conversationID: nil)
        let waiting = try fresh.load(conversationID: "c-waiting")
        let rows = try fresh.queue.read { db in
            (try Row.fetchAll(db, sql: "SELECT id, customer_id, status, outcome, reason, turn, state, created_at, updated_at FROM conversation"),
             try Row.fetchAll(db, sql: "SELECT conversation_id, turn, customer_id, at, message, effects, events FROM turn_log"),
             try Row.fetchAll(db, sql: "SELECT * FROM outcome"))
        }
        try fresh.close()
        #expect(rows.0.count == 2 && rows.1.count == 5 && rows.2.count == 1)

        let (path, old) = try storeFile(in: folder, migratedUpTo: "4: one row per turn for the audit line and the trace")
        let lone = [TraceEvent(turn: 1, kind: .step, detail: "Ask for the order", source: "refund.procedure:5")]
        try old.write { db in
            for r in rows.0 {
                // c-waiting started first: it is numbered 1.
                let created: Int64 = r["id"] == "c-waiting" ? fixedNow - 100 : fixedNow
                try db.execute(sql: "INSERT INTO conversation (id, customer_id, status, outcome, reason, turn, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: [r["id"], r["customer_id"], r["status"], r["outcome"], r["reason"], r["turn"], r["state"], created, r["updated_at"]])
            }
            for r in rows.1 {
                try db.execute(sql: "INSERT INTO turn_log (conversation_id, turn, customer_id, at, message, effects, events) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [r["conversation_id"], r["turn"], r["customer_id"], r["at"], r["message"], r["effects"], r["events"]])
            }
            for r in rows.2 {
                try db.execute(sql: "INSERT INTO outcome (conversation_id, turn, customer_id, at, status, outcome, reason, handoff) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: [r["conversation_id"], r["turn"], r["customer_id"], r["at"], r["status"], r["outcome"], r["reason"], r["handoff"]])
            }
            try db.execute(sql: "INSERT INTO turn_log (conversation_id, turn, events) VALUES ('c-lone', 1, ?)", arguments: [try SQLiteStore.json(lone)])
        }
        try old.close()

        let store = try SQLiteStore(path: path)
        #expect(try ["c-resolved", "c-waiting"].map { try store.trace(conversationID: $0) } == traces)
        #expect(try ["c-resolved", "c-waiting"].map { try store.audit(conversationID: $0) } == audits)
        #expect(try store.trace(conversationID: "c-lone") == lone)
        #expect(try store.trace(conversationID: "c-none") == [])
        #expect(try store.outcomes(conversationID: nil) == outcomes)
        #expect(try store.load(conversationID: "c-waiting") == waiting)
        #expect(try store.conversations().map(\.id).sorted() == ["c-resolved", "c-waiting"])
        try store.queue.read { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM conversation ORDER BY key")
            #expect(ids == ["c-waiting", "c-resolved"])
            #expect(try Int64.fetchAll(db, sql: "SELECT key FROM conversation ORDER BY key") == [1, 2])
            let pairs: [(Int64, Int64)] = [(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 1)]   // (conversation's key, turn)
            let keys = pairs.map { $0.0 << 20 | $0.1 }
            #expect(try Int64.fetchAll(db, sql: "SELECT key FROM turn_log ORDER BY key") == keys)
        }

        // The waiting conversation resumes and resolves (the ledger was not copied, so its refund is
        // allowed); a new one is numbered after the lone trace's 3.
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        let yes = try store.turn(conversationID: "c-waiting", customer: dana, event: CustomerEvent(message: "yes"), runtime: runtime, now: fixedNow + 20)
        #expect(yes.state.status == .resolved(outcome: "refund_issued"))
        try refundInThreeTurns(store, "c-new", runtime: runtime)
        #expect(try store.audit(conversationID: "c-waiting").map(\.message) == ["refund please", "order 1042", "yes"])
        #expect(try store.trace(conversationID: "c-new").map(\.turn).first == 1)
        try store.close()

        let raw = try DatabaseQueue(path: path)
        try raw.read { db in
            #expect(try Int64.fetchOne(db, sql: "SELECT key FROM conversation WHERE id = 'c-new'") == 4)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM turn_log WHERE key >> 20 = 4") == 3)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log") == 5 + 1 + 3)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM trace_turn WHERE conversation_id = 'c-lone'") == 1)
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            #expect(indexes == ["ledger_by_customer", "sandbox_record_by_owner"])
            // Every turn row in its leaf: no overflow page, even for the look-up turn's 2.9 KB trace.
            #expect(try Int.fetchOne(db, sql: "SELECT max(length(events)) FROM turn_log") ?? 0 > 2_000)
        }
        for sql in ["DELETE FROM turn_log", "UPDATE turn_log SET message = ''", "UPDATE turn_log SET key = key + 1", "DELETE FROM audit_log",
                    "INSERT INTO turn_log (key, conversation_id, turn, events) VALUES (\(9 << 20 | 2), 'c9', 1, '[]')",
                    "INSERT INTO turn_log (conversation_id, turn, customer_id, at, message, effects, events) VALUES ('c9', 1, 'C-1001', 0, 'no key', '[]', '[]')"] {
            #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: sql) } }
        }
        try raw.close()
        #expect(try SQLiteStore(path: path).load(conversationID: "c-new")?.turn == 3)
    }

    /// A conversation cannot pass the turns its rows' keys hold; the turn that would is refused
    /// and leaves nothing behind.
    @Test func aConversationPastItsLastStorableTurnIsRefused() throws {
        let folder = try temporaryFolder("turn-limit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        var state = runtime.start(id: "c1", customer: dana)
        try store.save(state, now: fixedNow)
        state.turn = SQLiteStore.turnsPerConversation - 1
        try store.save(state, now: fixedNow)   // saved again: updated under the key it was given
        #expect(try store.queue.read { try Int64.fetchAll($0, sql: "SELECT key FROM conversation") } == [1])
        do {
            _ = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "refund please", intent: refundIntent), runtime: runtime, now: fixedNow)
            Issue.record("a turn past the last storable one was stored")
        } catch let e as StoreError {
            #expect(e.description.contains("has reached 1048575 turns, the most a conversation can store"))
        }
        #expect(try store.load(conversationID: "c1")?.turn == SQLiteStore.turnsPerConversation - 1)
        #expect(try store.audit(conversationID: "c1") == [])
    }
}

/// Refuses every commit while `refusing` is set: a commit that fails.
final class RefusingCommits: TransactionObserver, @unchecked Sendable {
    var refusing = true
    struct Refused: Error {}
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseWillCommit() throws { if refusing { throw Refused() } }
    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}

@Suite struct TurnTransactionTests {
    let runtime = Runtime(plan: referencePlan)

    /// A turn whose commit fails is rolled back whole (state, ledger entry, audit line, trace,
    /// outcome, sandbox action) and reported; the connection is left outside any transaction and
    /// the same turn then succeeds.
    @Test func aTurnWhoseCommitFailsLeavesNothingAndTheNextOneCommits() throws {
        let folder = try temporaryFolder("failed-commit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        try refundUpToConfirmation(store, "c1", runtime: runtime)
        let refusing = RefusingCommits()
        try store.queue.writeWithoutTransaction { $0.add(transactionObserver: refusing, extent: .observerLifetime) }
        #expect(throws: StoreError.self) {
            try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "yes"), runtime: runtime, now: fixedNow)
        }
        try store.queue.writeWithoutTransaction { db in #expect(!db.isInsideTransaction) }
        #expect(try store.load(conversationID: "c1")?.turn == 2)
        #expect(try store.ledger(customerID: nil, since: 0) == [])
        #expect(try store.audit(conversationID: "c1").count == 2 && store.trace(conversationID: "c1").allSatisfy { $0.turn <= 2 })
        #expect(try store.outcomes(conversationID: nil) == [])
        #expect(try store.sandbox().journal == [])

        refusing.refusing = false
        let yes = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "yes"), runtime: runtime, now: fixedNow)
        #expect(yes.state.status == .resolved(outcome: "refund_issued"))
        #expect(try store.ledger(customerID: nil, since: 0).count == 1)
        #expect(try store.outcomes(conversationID: "c1").count == 1)
        try store.close()
    }

    /// A turn that cannot get the write lock within the busy timeout (another connection holds
    /// it) fails and writes nothing; once the lock is free the turn commits.
    @Test func aTurnThatCannotGetTheLockFailsAndLeavesNothing() throws {
        let folder = try temporaryFolder("busy-turn")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.sqlite").path
        let store = try SQLiteStore(path: path, busyTimeout: 0.05)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        let other = try DatabaseQueue(path: path)
        let started = Date()
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            #expect(throws: StoreError.self) {
                try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "refund please", intent: refundIntent), runtime: runtime, now: fixedNow)
            }
            try db.execute(sql: "ROLLBACK")
        }
        #expect(Date().timeIntervalSince(started) >= 0.05)
        #expect(try store.load(conversationID: "c1") == nil)
        #expect(try store.audit(conversationID: "c1") == [])
        let first = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "refund please", intent: refundIntent), runtime: runtime, now: fixedNow)
        #expect(first.state.turn == 1)
        #expect(try store.audit(conversationID: "c1").count == 1)
        try other.close()
        try store.close()
    }
}

@Suite struct GroupCommitTests {
    let runtime = Runtime(plan: referencePlan)

    /// Turns that arrive while a group is being committed are committed together in the next
    /// one; a turn that fails is rolled back alone, and the others of its group are kept.
    @Test func turnsArrivingTogetherShareOneCommitAndFailAlone() throws {
        let folder = try temporaryFolder("group-commit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let gate = GroupGate()
        let store = try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path, beforeCommit: { id, _ in gate.holdFirst(id) })
        gate.store = store
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        let other = CustomerProfile(id: "C-2002", tier: "standard", verified: true)
        // Dana's conversation, which the last thread tries to continue as another customer.
        _ = try store.turn(conversationID: "dana", customer: dana, event: CustomerEvent(message: "can I get a refund?", intent: refundIntent),
                           runtime: runtime, now: fixedNow)
        gate.armed = true

        let results = ThreadResults(count: 8)
        let runtime = self.runtime
        let threads = (0..<8).map { i in
            Thread {
                let (id, customer) = i == 7 ? ("dana", other) : ("g\(i)", dana)
                results.set(i, Result {
                    try store.turn(conversationID: id, customer: customer, event: CustomerEvent(message: "can I get a refund?", intent: refundIntent),
                                   runtime: runtime, now: fixedNow + 1)
                })
            }
        }
        threads[0].start()
        gate.firstHeld.wait()   // g0's group is in its transaction; the seven others queue behind it
        for t in threads.dropFirst() { t.start() }
        results.done.wait()

        #expect(store.commits.counts == (groups: 3, turns: 9))   // Dana's first turn, g0 alone, then the seven together
        for i in 0..<7 {
            #expect(try results.get(i).state.turn == 1)
            #expect(try store.load(conversationID: "g\(i)")?.turn == 1)
        }
        #expect(throws: StoreError.self) { try results.get(7) }
        #expect(try store.load(conversationID: "dana")?.turn == 1)
        #expect(try store.audit(conversationID: "dana").count == 1)
    }
}

/// Holds the first armed turn's commit until six more turns wait behind it.
final class GroupGate: @unchecked Sendable {
    var store: SQLiteStore?
    var armed = false
    let firstHeld = DispatchSemaphore(value: 0)
    private var held = false

    func holdFirst(_ id: String) {
        guard armed, !held, id == "g0", let store else { return }
        held = true
        firstHeld.signal()
        let deadline = Date().addingTimeInterval(30)
        while store.commits.waiting < 7 && Date() < deadline { usleep(1_000) }
    }
}

/// What each thread's turn returned.
final class ThreadResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<TurnResult, Error>?]
    private var remaining: Int
    let done = DispatchSemaphore(value: 0)

    init(count: Int) {
        results = Array(repeating: nil, count: count)
        remaining = count
    }

    func set(_ i: Int, _ r: Result<TurnResult, Error>) {
        let last = lock.withLock { results[i] = r; remaining -= 1; return remaining == 0 }
        if last { done.signal() }
    }

    func get(_ i: Int) throws -> TurnResult { try lock.withLock { results[i]! }.get() }
}
