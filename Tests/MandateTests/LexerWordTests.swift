import MandateDiagnostics
import MandateSyntax
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
            let tokens = Lexer.tokenize(bytes, segments: [0..<bytes.count])
            let expected = String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            let lexed = tokens.first { $0.kind == .word }?.text ?? ""
            let stripped = word.hasSuffix("'s") ? String(expected.dropLast(2)) : expected
            #expect(lexed == stripped, "\(word)")
            #expect(lexed.count == stripped.count && lexed.utf8.count == stripped.utf8.count, "\(word)")
            #expect(Set([lexed, stripped]).count == 1, "\(word) hashes like the same string")
            #expect(lexed.hasPrefix(String(stripped.prefix(1))) && lexed + "!" == stripped + "!", "\(word)")
            #expect(tokens.first { $0.kind == .word }?.isWord(stripped) == true, "\(word)")
            #expect(tokens.first { $0.kind == .word }?.isWord(stripped + "x") == false, "\(word)")
            #expect(tokens.first { $0.kind == .word }?.isWord(String(stripped.dropLast())) == false, "\(word)")
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
            let tokens = Lexer.tokenize(bytes, segments: [0..<bytes.count])
            let expected = String(decoding: Array(word.utf8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            #expect(tokens[1].text == expected, "\(word)")
            #expect(Set([tokens[1].text, expected]).count == 1, "\(word) hashes like the same string")
            #expect(tokens[1].isWord(expected) && !tokens[1].isWord(expected + "x"), "\(word)")
            #expect(tokens[4].text == expected + "s", "\(word)s")
            #expect(tokens.map(\.text) == ["say", expected, "and", "then", expected + "s", "plus", "1,250", "and", "2026-11-20", "to", "pad", "the", "line"])
        }
    }

    @Test func keywordsOfEqualLengthDiffer() {
        let bytes = Array("and the any".utf8)
        let tokens = Lexer.tokenize(bytes, segments: [0..<bytes.count])
        #expect(tokens.map(\.text) == ["and", "the", "any"])
        #expect(tokens[0].isWord("and") && !tokens[0].isWord("any") && !tokens[1].isWord("thE") && tokens[2].isWord("any"))
    }
}
