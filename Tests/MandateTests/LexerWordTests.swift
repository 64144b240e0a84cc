import MandateDiagnostics
@testable import MandateSyntax
import Testing

/// The lexer builds short words as small strings straight from the bytes, and tokens
/// compare with keywords by their bits (`SmallWords`): these words must behave exactly
/// like strings made the ordinary way, at every length around the 15-byte limit.
@Suite struct LexerWordTests {
    static let words = [
        "a", "an", "the", "Ask", "ORDER", "customer's", "refund_issued", "abcdefghijklmn", "abcdefghijklmno",
        "abcdefghijklmnop", "Überweisung", "café", "30-day", "supercalifragilistic",
    ]

    @Test func wordsAreOrdinaryStrings() {
        for word in Self.words {
            let bytes = Array(word.utf8)
            let list = Lexer.tokenize(bytes, segments: [0..<bytes.count])
            let tokens = list.tokens
            let expected = String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            let lexed = tokens.first { $0.kind == .word }.map(list.text) ?? ""
            let stripped = word.hasSuffix("'s") ? String(expected.dropLast(2)) : expected
            #expect(lexed == stripped, "\(word)")
            #expect(lexed.count == stripped.count && lexed.utf8.count == stripped.utf8.count, "\(word)")
            #expect(Set([lexed, stripped]).count == 1, "\(word) hashes like the same string")
            #expect(lexed.hasPrefix(String(stripped.prefix(1))) && lexed + "!" == stripped + "!", "\(word)")
            #expect(tokens.first { $0.kind == .word }.map { list.isWord($0, stripped) } == true, "\(word)")
            #expect(tokens.first { $0.kind == .word }.map { list.isWord($0, stripped + "x") } == false, "\(word)")
            #expect(tokens.first { $0.kind == .word }.map { list.isWord($0, String(stripped.dropLast())) } == false, "\(word)")
        }
    }

    /// Inside a longer text the lexer lowers eight bytes at a time: every length, and the
    /// letters at the edges of A–Z, must come out as the ordinary lowercased string.
    @Test func wordsInsideLongTextAreOrdinaryStrings() {
        let alphabet = Array("AZazMN09Qq_B".utf8)
        for length in 1...17 {
            let word = String(decoding: (0..<length).map { k in k == 0 ? UInt8(ascii: "Z") : alphabet[k % alphabet.count] }, as: UTF8.self)
            let text = "Say " + word + " and then " + word + "s plus 1,250 and 2026-11-20 to pad the line"
            let bytes = Array(text.utf8)
            let list = Lexer.tokenize(bytes, segments: [0..<bytes.count])
            let tokens = list.tokens
            let expected = String(decoding: Array(word.utf8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            #expect(list.text(tokens[1]) == expected, "\(word)")
            #expect(Set([list.text(tokens[1]), expected]).count == 1, "\(word) hashes like the same string")
            #expect(list.isWord(tokens[1], expected) && !list.isWord(tokens[1], expected + "x"), "\(word)")
            #expect(list.text(tokens[4]) == expected + "s", "\(word)s")
            #expect(list.allTexts == ["say", expected, "and", "then", expected + "s", "plus", "1,250", "and", "2026-11-20", "to", "pad", "the", "line"])
        }
    }

    @Test func keywordsOfEqualLengthDiffer() {
        let bytes = Array("and the any".utf8)
        let list = Lexer.tokenize(bytes, segments: [0..<bytes.count])
        let tokens = list.tokens
        #expect(list.allTexts == ["and", "the", "any"])
        #expect(list.isWord(tokens[0], "and") && !list.isWord(tokens[0], "any") && !list.isWord(tokens[1], "thE") && list.isWord(tokens[2], "any"))
    }

    /// Tokens keep short ASCII texts in their own bits and any other text in the list's
    /// `texts`: both must read back as the text, for every kind of token.
    @Test func textsReadBackInBothForms() {
        let text = "Say “Überweisung for {order.total}” and \"a much longer quotation than fifteen bytes\", then \"short\" {hole} "
            + "{a_very_long_hole_name} café's order’s $1,250.50 €20 80% 2026-11-20 42 , . : — …\n\"two\n   lines\""
        let bytes = Array(text.utf8)
        let list = Lexer.tokenize(bytes, segments: [0..<bytes.count])
        #expect(list.allTexts == [
            "say", "Überweisung for {order.total}", "and", "a much longer quotation than fifteen bytes", ",", "then", "short", "hole",
            "a_very_long_hole_name", "café", "'s", "order", "'s", "$1,250.50", "€20", "80%", "2026-11-20", "42", ",", ".", ":", "—", "…",
            "two lines",
        ])
        #expect(list.texts.count == 7, "the texts that are long or not ASCII, and only they, are stored")
        #expect(list.tokens.map(\.kind) == [
            .word, .quoted, .word, .quoted, .comma, .word, .quoted, .hole, .hole, .word, .possessive, .word, .possessive, .money,
            .money, .percent, .date, .number, .comma, .period, .colon, .symbol, .symbol, .quoted,
        ])
    }

    /// The punctuation constants are the bits of their texts.
    @Test func punctuationConstantsAreTheirTexts() {
        #expect(SmallWords.comma == WordKey(",") && SmallWords.period == WordKey(".") && SmallWords.colon == WordKey(":"))
        #expect(SmallWords.possessive == WordKey("'s"))
        #expect(SmallWords.comma.string == "," && SmallWords.possessive.string == "'s")
    }
}
