@testable import MandateSyntax
import Testing

/// The parser compares tokens with keyword keys written out as constants (`K`): each must be
/// exactly the key of its word, or a keyword would silently stop matching.
@Suite struct KeywordConstantTests {
    @Test func everyConstantIsTheKeyOfItsWord() {
        #expect(!K.all.isEmpty)
        for (word, key) in K.all {
            #expect(WordKey(word) == key, "\(word)")
            #expect(key.exists, "\(word)")
            let bytes = Array(word.utf8)
            let token = Lexer.tokenize(bytes, segments: [0..<bytes.count]).tokens.first
            #expect(token?.key == key, "the lexed word `\(word)` has the constant's key")
        }
    }

    /// The line layer tells header keys by their bits, written out: each must be the key of
    /// its name, the names those of `Vocabulary.headers` and `table`, and no other word a key.
    @Test func headerKeysAreTheirNames() {
        #expect(LineLayer.HeaderKey.allCases.map(\.name) == Vocabulary.headers + ["table"])
        for key in LineLayer.HeaderKey.allCases {
            #expect(LineLayer.HeaderKey(WordKey(key.name)) == key, "\(key.name)")
            let line = Array("\(key.name.capitalizedFirst): x".utf8)
            let found = line.withUnsafeBufferPointer { LineLayer.headerKey($0, 0, $0.count) }
            #expect(found?.0 == key && found?.1 == key.name.utf8.count, "\(key.name)")
        }
        for other in ["procedures", "goals", "handle", "require", "tables", "procedur", "name", "step", "otherwise", "", "café"] {
            #expect(LineLayer.HeaderKey(WordKey(other)) == nil, "\(other)")
        }
    }

    /// The parser tests every word of a noun phrase against the stop words with a `KeySet`:
    /// its filter may let a word through, but must never turn a member away.
    @Test func keySetsHoldExactlyTheirWords() {
        let sets: [(KeySet, [String])] = [(Vocabulary.stopWordSet, Vocabulary.stopWordList),
                                          (Vocabulary.sentenceStarterSet, Vocabulary.sentenceStarterList)]
        let others = ["the", "order", "total", "customer", "refund", "isn", "an", "ors", "thenx", "verified", "a", "", "customer_id",
                      "supercalifragilistic", "café"]
        for (set, words) in sets {
            for word in words { #expect(set.contains(WordKey(word)), "\(word)") }
            for word in others where !words.contains(word) { #expect(!set.contains(WordKey(word)), "\(word)") }
            // Random short words, and every word of the lists with one letter changed: the set
            // answers as the list does (many of these share a filter bit with a member).
            var rng = SystemRandomNumberGenerator()
            let letters = Array("abcdefghijklmnopqrstuvwxyz'_")
            var probes: [String] = (0..<20_000).map { _ in
                String((0..<Int.random(in: 1...15, using: &rng)).map { _ in letters.randomElement(using: &rng)! })
            }
            for word in words {
                for i in word.indices { for l in "aeiouxz" { var w = word; w.replaceSubrange(i...i, with: String(l)); probes.append(w) } }
            }
            for word in probes {
                #expect(set.contains(WordKey(word)) == words.contains(word), "\(word)")
            }
        }
    }

    /// Table names are split into words on their bytes: the same words as `split(separator: " ")`,
    /// and none for a name that is not ASCII (which takes the ordinary path).
    @Test func asciiWordsSplitLikeSplit() {
        for name in ["goodwill credit", " free  checked bags ", "x", "", "a very long table name for everyone here", "refund_limit 2"] {
            #expect(SentenceParser.asciiWords(name) == name.split(separator: " ").map(String.init), "\(name)")
        }
        #expect(SentenceParser.asciiWords("café credit") == nil)
    }

    /// Table names and cells are lowered with word arithmetic when they are short ASCII: the
    /// result must be `lowercased()` at every length, and for any other text too.
    @Test func smallLowercasedIsLowercased() {
        let samples = ["", "A", "Vip", "MISSING PARTS", "Enterprise Tier", "ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNOP",
                       "@[`{Zz", "Café", "ÜBERWEISUNG", "Goodwill Credit For Everyone"]
        for sample in samples {
            #expect(sample.smallLowercased == sample.lowercased(), "\(sample)")
            #expect(Set([sample.smallLowercased, sample.lowercased()]).count == 1, "\(sample) hashes like the same string")
        }
    }
}
