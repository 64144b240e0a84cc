import Foundation
import MandateIR
@testable import MandateRuntime
import Testing

/// The conversation's values are kept as a short list found by name (`SlotValues`), with the
/// dictionary `ConversationState.values` as their public view. The list must behave as the
/// dictionary did in every way a reader can see: look-ups, the stored form, the JSON, equality,
/// and a conversation resumed from its stored state.
@Suite struct SlotValuesTests {
    static let names = ["order", "order_number", "reason", "a", "b", "refund_amount", "items", "subscription_of_the_customer", "é", "order2", ""]
    static let samples: [RuntimeValue] = [.text("1042"), .money(Money(minor: 8_900, currency: "USD")), .number(3), .boolean(true),
                                          .record(["id": .text("1042"), "status": .text("delivered")]), .list([.text("x")]), .date(CalendarDate(dayNumber: 1))]

    @Test func behavesAsTheDictionaryItReplaces() throws {
        var numbers = ParserPiecesTests.Numbers(state: 5)
        for _ in 0..<300 {
            var slots = SlotValues()
            var oracle: [String: RuntimeValue] = [:]
            for _ in 0..<numbers.next(30) {
                let name = Self.names[numbers.next(Self.names.count)]
                let value: RuntimeValue? = numbers.next(4) == 0 ? nil : Self.samples[numbers.next(Self.samples.count)]
                slots[name] = value
                oracle[name] = value
                #expect(slots[name] == oracle[name])
            }
            #expect(slots.dictionary == oracle)
            #expect(slots.count == oracle.count)
            for name in Self.names { #expect(slots[name] == oracle[name], "\(name)") }
            // Equal to the same values given in another order, and written the same way.
            let reordered = SlotValues(oracle)
            #expect(reordered == slots)
            var a = ConversationState(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: true))
            var b = a
            a.slots = slots
            b.values = oracle
            #expect(a == b)
            #expect(StateEncoding.encode(a) == StateEncoding.encode(b))
            #expect(try StateEncoding.decode(StateEncoding.encode(a)).values == oracle)
        }
    }

    @Test func unequalWhenANameOrValueDiffers() {
        let base: SlotValues = ["order": .text("1042"), "reason": .text("damaged")]
        #expect(base != ["order": .text("1042")])
        #expect(base != ["order": .text("1043"), "reason": .text("damaged")])
        #expect(base != ["order": .text("1042"), "cause": .text("damaged")])
        #expect(base == ["reason": .text("damaged"), "order": .text("1042")])
    }

    @Test func theJSONIsTheDictionarys() throws {
        var state = ConversationState(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: true))
        state.slots["order_number"] = .text("1042")
        state.slots["refund_amount"] = .money(Money(minor: 8_900, currency: "USD"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try #require(String(data: try encoder.encode(state), encoding: .utf8))
        let values = try #require(String(data: try encoder.encode(state.values), encoding: .utf8))
        #expect(json.contains("\"values\":" + values))
        #expect(!json.contains("slots"))
        #expect(try JSONDecoder().decode(ConversationState.self, from: Data(json.utf8)) == state)
    }

    @Test func aNameStoredTwiceIsRefused() throws {
        var state = ConversationState(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: true))
        state.slots["ab"] = .text("x")
        state.slots["ac"] = .text("y")
        var bytes = StateEncoding.encode(state)
        // The two names are written side by side as `2 a b` and `2 a c`: make the second the first.
        let second: [UInt8] = [2, UInt8(ascii: "a"), UInt8(ascii: "c")]
        let at = try #require((0..<(bytes.count - 2)).first { Array(bytes[$0..<($0 + 3)]) == second })
        bytes[at + 2] = UInt8(ascii: "b")
        #expect(throws: StateDecodingError.self) { try StateEncoding.decode(bytes) }
    }

    /// A conversation stored after each turn and read back goes on exactly as one kept in memory.
    @Test func aResumedConversationGoesOnAsInMemory() throws {
        let messages = ["changed my mind about the stand mixer, can I get a refund?", "it's order 1042", "yes please", "thanks"]
        let fixtures: [String: Any] = ["orders": [orderFixture(id: "1042", customer: "C-1001", total: "89.00 USD")]]
        var kept = try Harness(customer: dana, fixtures: fixtures)
        var resumed = try Harness(customer: dana, fixtures: fixtures)
        // The order number is among the values while the refund is under way (the last message starts a new request).
        var sawOrder = false
        for (i, message) in messages.enumerated() {
            let intent = i == 0 ? "refund_request" : nil
            let a = kept.say(message, intent: intent)
            let b = resumed.say(message, intent: intent)
            #expect(a == b)
            let stored = StateEncoding.encode(resumed.state)
            resumed.state = try StateEncoding.decode(stored)
            #expect(resumed.state == kept.state)
            #expect(resumed.state.values == kept.state.values)
            #expect(resumed.state.slots.dictionary == kept.state.values)
            #expect(stored == StateEncoding.encode(kept.state))
            if kept.state.values["order_number"] == .text("1042") { sawOrder = true }
        }
        #expect(kept.trace == resumed.trace)
        #expect(sawOrder)
    }

    /// Dollars read on bytes as the scalar reading, kept for `€` and `£`, reads them.
    @Test func dollarsReadOnBytesAsOnScalars() {
        let texts = RuntimeFastPathTests.texts(["$", "0", "1", "89", ".", "00", "5", "é", "١", "99999999", " ", ","], count: 20_000, seed: 41)
        for text in texts.map({ "$" + $0 }) + ["$", "$.", "$0.05", "$089.00", "$99999999999999999.00", "$999999999999999999.00"] {
            #expect(Turn.moneyWritten(text) == Turn.scalarMoneyWritten(text), "\(text)")
        }
        #expect(Turn.moneyWritten("$89.00") == Money(minor: 8_900, currency: "USD"))
        #expect(Turn.moneyWritten("€12.50") == Money(minor: 1_250, currency: "EUR"))
    }
}
