import Foundation
import GRDB
import MandateIR
@testable import MandateRuntime
@testable import MandateStore
import Testing

/// Text no encoding may bend: quotes, backslashes, slashes, every control character, accents
/// written two ways, right-to-left script, emoji with joiners, and a NUL.
let awkwardTexts = [
    "", "plain", "quote \" and backslash \\ and slash /", "tab\tnew\nline\rreturn\u{8}\u{C}",
    String((0..<32).map { Character(UnicodeScalar(UInt8($0))) }) + "\u{7F}", "café vs cafe\u{301}", "مرحبا بالعالم",
    "👩‍👩‍👧 family, 🇺🇸 flag", "日本語のテキスト", "nul \u{0} inside", "</script>", "€1.000,50",
]

/// One value of every kind, including the edges: negative and large money, old and far dates,
/// exact decimals with many digits, nested records and lists.
let everyValue: [String: RuntimeValue] = [
    "text": .text("order 1042 — “damaged” 📦"),
    "number": .number(Decimal(string: "-12345678901234567890.123456789")!),
    "small number": .number(Decimal(string: "0.000000000000000000000000001")!),
    "whole number": .number(42),
    "money": .money(Money(minor: 8900, currency: "USD")),
    "negative money": .money(Money(minor: -1, currency: "EUR")),
    "large money": .money(Money(minor: Int64.max, currency: "KWD")),
    "least money": .money(Money(minor: Int64.min, currency: "JPY")),
    "percent": .percent(1500),
    "date": .date(CalendarDate(year: 2026, month: 11, day: 28)!),
    "old date": .date(CalendarDate(year: 1601, month: 2, day: 28)!),
    "datetime": .datetime(1_795_000_000),
    "negative datetime": .datetime(-86_401),
    "duration": .duration(amount: 30, unit: "days"),
    "yes": .boolean(true),
    "no": .boolean(false),
    "record": .record(["id": .text("1042"), "total": .money(Money(minor: 18900, currency: "USD")),
                       "items": .list([.record(["name": .text("Stand mixer"), "quantity": .number(1)])])]),
    "empty record": .record([:]),
    "list": .list([.text("a"), .percent(-5), .list([])]),
    "": .text("an empty key"),
]

/// A state using every field and every kind of value.
func richState(awaiting: Awaiting?, status: ConversationStatus) -> ConversationState {
    var s = ConversationState(id: "conv-ü-1", customer: CustomerProfile(id: "C-1001", tier: "gold", verified: true,
                                                                        fields: ["name": .text("Dana Øster"), "since": .date(CalendarDate(dayNumber: -3))]))
    s.verifiedCustomerID = "C-1001"
    s.turn = 7
    s.status = status
    s.intent = "refund_request"
    s.confidence = 0.1 + 0.2
    s.goal = "refunds"
    s.procedure = "refund-damaged-item"
    s.awaiting = awaiting
    s.values = everyValue
    for (i, t) in awkwardTexts.enumerated() { s.values["awkward \(i)"] = .text(t) }
    s.loops = [LoopState(node: 3, elements: [.text("x"), .money(Money(minor: 5, currency: "USD"))], index: 1)]
    s.confirmed = 12
    s.clarifications = 2
    s.unanswered = 1
    s.repeats = ["i want a refund": 2, "😡": 1]
    s.transcript = awkwardTexts.enumerated().map { TranscriptLine(speaker: $0 % 2 == 0 ? "customer" : "agent", text: $1, turn: $0) }
    s.actions = [ActionRecord(action: "issue_refund", arguments: ["amount": "$89.00", "order": "1042", "note": "a/b \"c\""], result: "done", turn: 3)]
    s.frustrated = true
    s.unclear = "hm\u{0}?"
    s.misses = 3
    s.request = "refund for order 1042"
    return s
}

let everyAwaiting: [Awaiting?] = [nil, .slot(name: "order", node: 4), .confirmation(node: 9), .clarification, .verification(node: 1, method: 2, slot: 3)]
let everyStatus: [ConversationStatus] = [.open, .resolved(outcome: "refund_issued"), .escalated(queue: "billing", reason: "over the limit — “$500”")]

@Suite struct StateEncodingTests {
    @Test func everyStateRoundTripsExactly() throws {
        for awaiting in everyAwaiting {
            for status in everyStatus {
                let state = richState(awaiting: awaiting, status: status)
                let bytes = StateEncoding.encode(state)
                let back = try StateEncoding.decode(bytes)
                #expect(back == state)
                #expect(back.confidence?.bitPattern == state.confidence?.bitPattern)
                // Deterministic: the same state gives the same bytes, so a store can compare them.
                #expect(StateEncoding.encode(back) == bytes)
            }
        }
        let fresh = ConversationState(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: false))
        #expect(try StateEncoding.decode(StateEncoding.encode(fresh)) == fresh)
    }

    @Test func exactDecimalsKeepEveryDigit() throws {
        for text in ["0", "-0.5", "1.25", "99999999999999999999999999999999999999", "-0.00000000000000000000000000000000000001", "123456.789"] {
            let d = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
            var s = ConversationState(id: "c", customer: CustomerProfile(id: "C-1", tier: "t", verified: false))
            s.values["n"] = .number(d)
            let back = try StateEncoding.decode(StateEncoding.encode(s))
            #expect(back.values["n"] == .number(d), "\(text)")
        }
    }

    /// A field added to a stored type must be added to the encoding (with a new version): these
    /// lists are the fields `StateEncoding` writes.
    @Test func theEncodingKnowsEveryStoredField() {
        func labels(_ v: Any) -> [String] { Mirror(reflecting: v).children.compactMap(\.label) }
        let s = richState(awaiting: nil, status: .open)
        #expect(labels(s) == ["id", "customer", "verifiedCustomerID", "turn", "status", "intent", "confidence", "goal", "procedure", "awaiting",
                              "slots", "loops", "confirmed", "clarifications", "unanswered", "repeatCounts", "transcript", "actions", "frustrated",
                              "unclear", "misses", "request"],
                "ConversationState's fields changed: write the new one in StateEncoding and raise its version")
        #expect(labels(s.customer) == ["id", "tier", "verified", "fields"])
        #expect(labels(s.loops[0]) == ["node", "elements", "index"])
        #expect(labels(s.transcript[0]) == ["speaker", "text", "turn"])
        #expect(labels(s.actions[0]) == ["action", "arguments", "result", "turn"])
        #expect(labels(Money(minor: 1, currency: "USD")) == ["minor", "currency"])
        #expect(labels(CalendarDate(dayNumber: 1)) == ["dayNumber"])
    }

    @Test func everyCutOfAStoredStateIsRefusedWithAReason() throws {
        let bytes = StateEncoding.encode(richState(awaiting: .verification(node: 1, method: 2, slot: 3), status: .escalated(queue: "q", reason: "r")))
        for n in 0..<bytes.count {
            #expect(throws: StateDecodingError.self) { try StateEncoding.decode(Array(bytes.prefix(n))) }
        }
        #expect(throws: StateDecodingError("1 bytes follow the end of the state")) { try StateEncoding.decode(bytes + [0]) }
    }

    @Test func damagedBytesGiveAnErrorOrAStateNeverACrash() throws {
        let bytes = StateEncoding.encode(richState(awaiting: .slot(name: "order", node: 4), status: .open))
        var generator = SeededGenerator(state: 7)
        var refused = 0
        for _ in 0..<3_000 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                damaged[Int.random(in: 4..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            do { _ = try StateEncoding.decode(damaged) } catch { refused += 1 }
        }
        #expect(refused > 0)
        for _ in 0..<500 {
            let noise = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? StateEncoding.decode(StateEncoding.header + noise)
        }
    }

    @Test func aForeignOrNewerFormatIsRefusedInWords() {
        #expect(throws: StateDecodingError("it does not start with the stored-state header `MST`")) { try StateEncoding.decode(Array("{\"id\":1}".utf8)) }
        #expect(throws: StateDecodingError("it is in format version 2, and this Mandate reads version 1; use the Mandate that wrote it, or a newer one")) {
            try StateEncoding.decode([0x4D, 0x53, 0x54, 0x02, 0])
        }
    }
}

@Suite struct StoredJSONTests {
    func foundation<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static let everyKind: [TraceEvent.Kind] = [.message, .input, .intent, .route, .step, .condition, .value, .action, .limit, .guardrail, .output, .handoff, .outcome]

    @Test func traceEventsAreTheBytesJSONEncoderWrites() throws {
        var events: [TraceEvent] = []
        for (i, kind) in Self.everyKind.enumerated() {
            let text = awkwardTexts[i % awkwardTexts.count]
            events.append(TraceEvent(turn: i, kind: kind, detail: text, source: i % 2 == 0 ? "refund.procedure:\(i)" : nil,
                                     data: i % 3 == 0 ? [:] : ["amount": "$89.00", text: text, "zeta": "z", "Zeta": "Z", "é": "e"],
                                     outputs: i % 2 == 1 ? everyValue : nil))
        }
        // The step the interpreter adds to every event of a step is kept apart from the other facts.
        events.append(TraceEvent(turn: 2, kind: .step, detail: "Ask for the order", source: "refund.procedure:5",
                                 data: ["step": "ask-order", "label": "order", "sa": "1", "su": "2"]))
        events.append(TraceEvent(turn: 2, kind: .condition, detail: "true", source: nil,
                                 facts: [("zz", "last"), ("step", "check"), ("a", "first")], outputs: nil))
        #expect(StoredJSON.trace(events) == (try foundation(events)))
        #expect(StoredJSON.trace([]) == "[]")
        #expect(try JSONDecoder().decode([TraceEvent].self, from: Data(StoredJSON.trace(events).utf8)) == events)
    }

    @Test func effectsAndHandOffsAreTheBytesJSONEncoderWrites() throws {
        let packet = HandoffPacket(queue: "billing", reason: "over the limit", urgency: "urgent", source: "refunds.goal.yaml:12",
                                   summary: awkwardTexts.joined(separator: " "), customer: richState(awaiting: nil, status: .open).customer,
                                   collected: ["order": "1042", "amount": "$589.00"],
                                   actions: richState(awaiting: nil, status: .open).actions, failedChecks: ["max_per_refund (refunds.goal.yaml:9)"],
                                   suggestedNextStep: "Check the order", transcript: richState(awaiting: nil, status: .open).transcript)
        var unsourced = packet
        unsourced.source = nil
        let effects: [TurnEffect] = [.say("Hello \"Dana\" / 👋"), .ask(slot: "order", text: "Which order?\n"), .confirm("Shall I refund $89.00?"),
                                     .action(name: "issue_refund", arguments: ["amount": "$89.00", "order": "1042"]), .action(name: "noop", arguments: [:]),
                                     .handoff(packet), .handoff(unsourced), .resolved("refund_issued")]
        #expect(StoredJSON.effects(effects) == (try foundation(effects)))
        #expect(StoredJSON.handoff(packet) == (try foundation(packet)))
        #expect(StoredJSON.handoff(unsourced) == (try foundation(unsourced)))
        #expect(try JSONDecoder().decode([TurnEffect].self, from: Data(StoredJSON.effects(effects).utf8)) == effects)
    }

    @Test func valuesAreTheBytesJSONEncoderWrites() throws {
        #expect(StoredJSON.values(everyValue) == (try foundation(everyValue)))
        for (_, v) in everyValue { #expect(StoredJSON.value(v) == (try foundation(v))) }
        for t in awkwardTexts { #expect(StoredJSON.value(.text(t)) == (try foundation(RuntimeValue.text(t)))) }
        #expect(try JSONDecoder().decode([String: RuntimeValue].self, from: Data(StoredJSON.values(everyValue).utf8)) == everyValue)
    }

    /// The writer tests eight bytes at a time for a byte to escape: put each such byte, its
    /// neighbours in value and multi-byte text at every position of texts of 0 to 20 characters.
    @Test func textIsEscapedAsJSONEncoderDoesAtEveryPosition() throws {
        let specials = (0..<32).map { String(UnicodeScalar(UInt8($0))) }
            + ["\"", "\\", "/", " ", "!", "#", "[", "]", "\u{7F}", "é", "€", "😀", "\u{80}", "\u{FF}", "ÿ", "Ü"]
        for length in 0...20 {
            for position in 0..<max(length, 1) {
                for special in specials {
                    var text = String(repeating: "a", count: position) + special
                    text += String(repeating: length % 3 == 0 ? "é" : "b", count: max(0, length - position - 1))
                    let stored = StoredJSON.value(.text(text))
                    #expect(stored == (try foundation(RuntimeValue.text(text))), "\(Array(text.utf8))")
                }
            }
        }
        for (i, n) in [0, 7, -7, 10, -10, 99, 100, Int.max, Int.min, Int(Int32.max) + 1].enumerated() {
            let event = TraceEvent(turn: n, kind: .step, detail: "\(i)", source: nil, data: [:], outputs: ["n": .percent(n), "d": .datetime(Int64(n))])
            #expect(StoredJSON.trace([event]) == (try foundation([event])))
        }
    }
}

@Suite struct StoredStateTests {
    let runtime = Runtime(plan: referencePlan)

    /// Two turns of Dana's refund in a new store at `path`, closed afterwards.
    func twoTurns(_ path: String) throws -> ConversationState {
        let store = try SQLiteStore(path: path)
        try store.loadSandbox(try danaSandbox(), plan: referencePlan)
        _ = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "can I get a refund?", intent: refundIntent),
                           runtime: runtime, now: fixedNow)
        let second = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "it's order 1042"), runtime: runtime, now: fixedNow + 30)
        try store.close()
        return second.state
    }

    func setState(_ path: String, _ value: DatabaseValueConvertible) throws {
        let db = try DatabaseQueue(path: path)
        try db.write { try $0.execute(sql: "UPDATE conversation SET state = ? WHERE id = 'c1'", arguments: [value]) }
        try db.close()
    }

    @Test func aStateStoredAsJSONByAnEarlierMandateIsReadAndContinued() throws {
        let folder = try temporaryFolder("json-state")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.sqlite").path
        let state = try twoTurns(path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try setState(path, String(decoding: try encoder.encode(state), as: UTF8.self))

        let store = try SQLiteStore(path: path)
        #expect(try store.load(conversationID: "c1") == state)
        let third = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "yes please"), runtime: runtime, now: fixedNow + 60)
        #expect(third.state.status == .resolved(outcome: "refund_issued"))
        #expect(try store.ledger(customerID: "C-1001", since: 0).count == 1)
        // Written back in the binary form.
        let stored = try store.queue.read { try Data.fetchOne($0, sql: "SELECT state FROM conversation WHERE id = 'c1'") }
        #expect(stored.map { Array($0.prefix(4)) } == StateEncoding.header)
        #expect(try store.load(conversationID: "c1") == third.state)
    }

    /// A turn binds its rows' values straight into SQLite: each column keeps the type and value it had.
    @Test func aTurnsRowsHoldTheirValuesWithTheirTypes() throws {
        let folder = try temporaryFolder("bound-rows")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.sqlite").path
        let second = try twoTurns(path)
        let store = try SQLiteStore(path: path)
        let third = try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "yes please"), runtime: runtime, now: fixedNow + 60)
        let rows = try store.queue.read { db in
            (try Row.fetchOne(db, sql: """
                SELECT typeof(id), typeof(customer_id), status, outcome, typeof(reason), turn, typeof(turn), typeof(state), state,
                       created_at, typeof(created_at), updated_at FROM conversation WHERE id = 'c1'
                """)!,
             try Row.fetchAll(db, sql: """
                SELECT typeof(conversation_id), turn, typeof(turn), customer_id, at, typeof(at), message, effects, events, key FROM turn_log ORDER BY turn
                """),
             try Row.fetchOne(db, sql: "SELECT turn, typeof(turn), customer_id, at, status, outcome, typeof(reason), typeof(handoff) FROM outcome")!)
        }
        let (conversation, log, outcome) = rows
        #expect((conversation[0] as String) == "text" && (conversation[1] as String) == "text" && (conversation[2] as String) == "resolved" && (conversation[3] as String) == "refund_issued")
        #expect((conversation[4] as String) == "null" && (conversation[5] as Int) == 3 && (conversation[6] as String) == "integer" && (conversation[7] as String) == "blob")
        #expect((conversation[8] as Data) == Data(StateEncoding.encode(third.state)))
        #expect((conversation[9] as Int64) == fixedNow && (conversation[10] as String) == "integer" && (conversation[11] as Int64) == fixedNow + 60)
        #expect(log.count == 3)
        #expect(log.map { $0[1] as Int } == [1, 2, 3] && log.allSatisfy { ($0[0] as String) == "text" && ($0[2] as String) == "integer" && ($0[5] as String) == "integer" })
        #expect(log.map { $0[3] as String } == ["C-1001", "C-1001", "C-1001"] && log.map { $0[4] as Int64 } == [fixedNow, fixedNow + 30, fixedNow + 60])
        #expect(log.map { $0[6] as String } == ["can I get a refund?", "it's order 1042", "yes please"])
        let keys = [Int64(1), 2, 3].map { 1 << 20 | $0 }   // the conversation's key 1, and the turn
        #expect(log.map { $0[9] as Int64 } == keys)
        #expect((log[2][7] as String) == StoredJSON.effects(third.effects) && (log[2][8] as String) == StoredJSON.trace(third.trace))
        #expect(second.turn == 2)
        #expect((outcome[0] as Int) == 3 && (outcome[1] as String) == "integer" && (outcome[2] as String) == "C-1001" && (outcome[3] as Int64) == fixedNow + 60)
        #expect((outcome[4] as String) == "resolved" && (outcome[5] as String) == "refund_issued" && (outcome[6] as String) == "null" && (outcome[7] as String) == "null")
        try store.close()
    }

    @Test func aDamagedStoredStateIsRefusedInWordsAndChangesNothing() throws {
        let folder = try temporaryFolder("damaged-state")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.sqlite").path
        var bytes = StateEncoding.encode(try twoTurns(path))
        bytes.removeLast(3)
        try setState(path, Data(bytes))
        let store = try SQLiteStore(path: path)
        let error = #expect(throws: StoreError.self) { try store.load(conversationID: "c1") }
        #expect(error?.description.hasPrefix("the stored conversation data cannot be read: conversation c1: ") == true)
        #expect(error?.description.hasSuffix(" of \(bytes.count)") == true, "says where it stopped: \(String(describing: error))")
        #expect(throws: StoreError.self) {
            try store.turn(conversationID: "c1", customer: dana, event: CustomerEvent(message: "yes please"), runtime: runtime, now: fixedNow + 60)
        }
        #expect(try store.ledger(customerID: nil, since: 0).isEmpty)
        #expect(try store.audit(conversationID: "c1").count == 2)

        try setState(path, Data([0x4D, 0x53, 0x54, 0x09]))
        #expect(throws: StoreError.unreadable("conversation c1: it is in format version 9, and this Mandate reads version 1; use the Mandate that wrote it, or a newer one")) {
            try store.load(conversationID: "c1")
        }
        try setState(path, "{\"id\": 3}")
        #expect(throws: StoreError.self) { try store.load(conversationID: "c1") }
    }
}
