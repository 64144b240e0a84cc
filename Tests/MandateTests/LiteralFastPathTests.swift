@testable import MandateSyntax
import Testing

/// The parser's fast paths for literals and keywords must answer exactly as the general ways
/// they stand in front of: the same amount or percentage, the same error, the same word.
@Suite struct LiteralFastPathTests {
    /// Random short texts over the bytes amounts are made of (and a few that are not).
    static func probes(count: Int, alphabet: [Character]) -> [String] {
        var rng = SystemRandomNumberGenerator()
        var out: [String] = (0..<count).map { _ in
            String((0..<Int.random(in: 0...17, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        }
        out += ["$", "$0", "$150", "$1,250.50", "$1,250.5", "$1,250.505", "$.5", "$5.", "$1.2.3", "$1.2,3", "$,", "$ 150",
                "$99999999999999", "$999999999999999", "$1,000,000,000,000", "150 USD", "$-5", "€20.50", "$١٥٠",
                "80%", "12.5%", "12.55%", "12.555%", "%", "5", "1,000%", " 5%", "5 %", "5%%", ".%", "0.%", "99999999999999%"]
        return out
    }

    @Test func moneyReadsAsTheGeneralWay() {
        let alphabet: [Character] = Array("$$$$0123456789012345678901234567890123456789.,,  €aU-")
        for text in Self.probes(count: 30_000, alphabet: alphabet) {
            switch (LiteralParser.money(text), LiteralParser.moneyInGeneral(text)) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(text)")
            case (.failure(let a), .failure(let b)): #expect(a.message == b.message && a.help == b.help, "\(text)")
            default: Issue.record("`\(text)`: the fast path and the general way disagree")
            }
        }
    }

    @Test func percentReadsAsTheGeneralWay() {
        let alphabet: [Character] = Array("%%%%0123456789012345678901234567890123456789..,  é-")
        for text in Self.probes(count: 30_000, alphabet: alphabet) {
            #expect(LiteralParser.percent(text) == LiteralParser.percentInGeneral(text), "\(text)")
        }
    }

    /// The words tested by constant keys are exactly the vocabulary's.
    @Test func arithmeticAndBooleansMatchTheVocabulary() {
        let words = Vocabulary.arithmetic.keys.map { $0 } + Vocabulary.booleans.keys.map { $0 } + Array(Vocabulary.stopWords)
            + Vocabulary.determinerList + Vocabulary.comparisons.flatMap { $0.words } + ["yess", "n", "tru", "plu", "timess", "order", "total"]
        for word in words {
            #expect(SentenceParser.arithmetic(WordKey(word)) == Vocabulary.arithmetic[word], "\(word)")
            #expect(SentenceParser.boolean(WordKey(word)) == Vocabulary.booleans[word], "\(word)")
        }
    }

    @Test func comparisonEndsMatchTheVocabulary() {
        let words = Vocabulary.comparisons.flatMap { $0.words } + Array(Vocabulary.stopWords) + Vocabulary.determinerList
            + ["thank", "ove", "mostly", "total", "status", "too", "t"]
        for word in words {
            #expect(SentenceParser.mayEndComparison(WordKey(word)) == Vocabulary.comparisonEnds.contains(word), "\(word)")
        }
    }
}
