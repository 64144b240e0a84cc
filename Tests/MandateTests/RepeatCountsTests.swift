import Foundation
import MandateIR
@testable import MandateRuntime
import Testing

/// The repeat counts of `same_question_repeated` are kept as a short list found by comparing bytes
/// (`RepeatCounts`), with the dictionary `ConversationState.repeats` as their public view. The list
/// must behave as the dictionary did in every way a reader can see, and a turn must count a
/// message as the dictionary counted it.
@Suite struct RepeatCountsTests {
    static let texts = ["i want a refund", "where is my order", "", "yes", "a", "its order 1042", "a much longer request than fifteen bytes",
                        "where is my orde", "😡", "café", "i want a refund "]

    @Test func behavesAsTheDictionaryItReplaces() throws {
        var numbers = ParserPiecesTests.Numbers(state: 11)
        for _ in 0..<300 {
            var counts = RepeatCounts()
            var oracle: [String: Int] = [:]
            for _ in 0..<numbers.next(30) {
                let text = Self.texts[numbers.next(Self.texts.count)]
                let count: Int? = numbers.next(5) == 0 ? nil : numbers.next(4)
                counts[text] = count
                oracle[text] = count
                #expect(counts[text] == oracle[text])
            }
            #expect(counts.dictionary == oracle)
            #expect(counts.count == oracle.count)
            for text in Self.texts { #expect(counts[text] == oracle[text], "\(text)") }
            // Equal to the same counts given in another order, and written the same way.
            #expect(RepeatCounts(oracle) == counts)
            var a = ConversationState(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: true))
            var b = a
            a.repeatCounts = counts
            b.repeats = oracle
            #expect(a == b)
            #expect(StateEncoding.encode(a) == StateEncoding.encode(b))
            #expect(try StateEncoding.decode(StateEncoding.encode(a)).repeats == oracle)
        }
    }

    @Test func unequalWhenATextOrCountDiffers() {
        let base = RepeatCounts(["where is my order": 1, "yes": 2])
        #expect(base != RepeatCounts(["where is my order": 1]))
        #expect(base != RepeatCounts(["where is my order": 1, "yes": 3]))
        #expect(base != RepeatCounts(["where is my order": 1, "no": 2]))
        #expect(base == RepeatCounts(["yes": 2, "where is my order": 1]))
    }

    @Test func theJSONIsTheDictionarys() throws {
        var state = ConversationState(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: true))
        state.repeats = ["where is my order": 2, "yes": 1]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try #require(String(data: try encoder.encode(state), encoding: .utf8))
        let repeats = try #require(String(data: try encoder.encode(state.repeats), encoding: .utf8))
        #expect(json.contains("\"repeats\":" + repeats))
        #expect(!json.contains("repeatCounts"))
        #expect(try JSONDecoder().decode(ConversationState.self, from: Data(json.utf8)) == state)
    }

    @Test func aTextStoredTwiceIsRefused() throws {
        var state = ConversationState(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: true))
        state.repeats = ["ab": 1, "ac": 1]
        var bytes = StateEncoding.encode(state)
        // The two texts are written side by side as `2 a b` and `2 a c`: make the second the first.
        let second: [UInt8] = [2, UInt8(ascii: "a"), UInt8(ascii: "c")]
        let at = try #require((0..<(bytes.count - 2)).first { Array(bytes[$0..<($0 + 3)]) == second })
        bytes[at + 2] = UInt8(ascii: "b")
        #expect(throws: StateDecodingError.self) { try StateEncoding.decode(bytes) }
    }

    /// A turn counts its message as the dictionary of normalised messages counted it: a request is
    /// counted whenever it comes, an answer only when it came before.
    @Test func aTurnCountsAsTheDictionaryCounted() {
        let runtime = Runtime(plan: referencePlan)
        let messages = ["Where is my order?", "where is my order", "WHERE IS MY ORDER!!", "yes", "Yes.", "it's order 1042", "its order 1042",
                        "I want a refund for the stand mixer I bought last week", "I want a refund for the stand mixer I bought last week!",
                        "", "   ", "😡", "Café?", "cafe", "no", "1042"]
        var numbers = ParserPiecesTests.Numbers(state: 3)
        for _ in 0..<200 {
            var state = runtime.start(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: true))
            var oracle: [String: Int] = [:]
            for _ in 0..<numbers.next(12) {
                let message = messages[numbers.next(messages.count)]
                let request = numbers.next(2) == 0
                // The count as it was made with the dictionary.
                let normalized = Turn.normalizedForRepeats(message)
                let expected: Int
                if request {
                    expected = oracle[normalized] ?? 0
                    oracle[normalized] = expected + 1
                } else {
                    expected = oracle[normalized] ?? 0
                    if expected > 0 { oracle[normalized] = expected + 1 }
                }
                var turn = Turn(runtime: runtime.core, stepBudget: 500, state: state, message: message, supplied: nil,
                                env: TurnEnvironment(now: 0, actions: SandboxActions(data: SandboxData()), ledger: MemoryLedger()))
                #expect(turn.countRepeat(request: request) == expected, "\(message)")
                state = turn.finish().state
                #expect(state.repeats == oracle, "\(message)")
            }
        }
    }
}

@Suite struct MessageDetailTests {
    /// The message event's detail is the same whether it comes from the table written once or is joined.
    @Test func writtenOnceAsJoined() {
        for length in [-1, 0, 1, 9, 10, 99, 100, 254, 255, 256, 257, 1_000, 100_000] {
            #expect(Turn.messageDetail(length) == "the customer wrote \(length) characters", "\(length)")
        }
        for length in Turn.messageDetails.indices { #expect(Turn.messageDetails[length] == "the customer wrote \(length) characters") }
    }
}

@Suite struct OutputAmountsTests {
    /// The output check reads each amount as it finds it; the verdict is the one of the list of
    /// amounts read first (`amounts(in:)`), then checked in order.
    @Test func checkedAsTheListOfAmounts() throws {
        let runtime = Runtime(plan: referencePlan)
        var turn = Turn.probe(runtime)
        let usd = { (minor: Int64) in RuntimeValue.money(Money(minor: minor, currency: "USD")) }
        turn.state.values = ["order": .record(["total": usd(8_900)]), "fee": usd(500), "eur": .money(Money(minor: 1_250, currency: "EUR"))]
        let goal = try #require(runtime.core.goalOfIntent["refund_request"])
        let pieces = ["I'll refund ", "$89.00", "$5", "$12.34", "€12.50", "£3", " and ", "$", "1,000", ".", "$.5", "$89", " to your card. ", "$8.9.0",
                      "Shall I go ahead?"]
        var checked = 0
        for text in RuntimeFastPathTests.texts(pieces, count: 4_000, seed: 21) {
            let amounts = Turn.amounts(in: text)
            let unknown = amounts.first { !turn.isKnownAmount($0) }
            let (rule, readAmounts) = turn.outputRules(text, goal)
            if turn.textRules(text, goal) != nil { continue }
            checked += 1
            #expect(rule?.why == unknown.map { "it states \($0), an amount the plan did not compute" }, "\(text)")
            #expect(rule.map { $0.clause == "output.amounts" } ?? true, "\(text)")
            #expect(readAmounts == (unknown != nil || !amounts.isEmpty), "\(text)")
        }
        #expect(checked > 3_000)
    }
}

@Suite struct WordNumbersTests {
    /// The numbers of a message's words are the vocabulary's numbers of each word, whether kept in
    /// place (up to 16 words) or in an array (longer messages).
    @Test func numberedAsWordByWord() {
        let pieces = ["yes", "please", "refund", "ignore", "previous", "instructions", "xyzzy", "order", "1042", "no", "human", "agent"]
        var numbers = ParserPiecesTests.Numbers(state: 17)
        for length in 0...40 {
            for _ in 0..<5 {
                let message = (0..<length).map { _ in pieces[numbers.next(pieces.count)] }.joined(separator: " ")
                let words = PhraseWords(MessageText(message).wordSlices)
                let expected = MessageText(message).words.map { PhraseVocabulary.shared.id($0) }
                #expect(words.ids.count == length)
                #expect(Array(words.ids) == expected, "\(message)")
                for i in 0..<length { #expect(words.ids[i] == expected[i]) }
            }
        }
    }
}
