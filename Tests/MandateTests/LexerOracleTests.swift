import MandateDiagnostics
@testable import MandateSyntax
import Testing

/// The lexer reads most words on a fast path and the line layer lexes a file's items in one
/// pass: on random texts of the pieces procedures are made of (words in both cases, digits,
/// quotes straight and curly, currency signs, dates, braces, line breaks, letters that are
/// not ASCII) it must give exactly the tokens the former lexer (`FormerLexer`) gave — kinds,
/// ranges, texts, and which texts are stored.
@Suite struct LexerOracleTests {
    typealias Numbers = ParserPiecesTests.Numbers

    static let pieces: [String] = [
        "a", "b", "z", "A", "Z", "the", "Order", "ORDER", "customer", "refund_issued", "_x", "x_", "abcdefghijklmno",
        "abcdefghijklmnop", "supercalifragilistic", "0", "1", "42", "1,250", "1,250.50", "3.", "0.75", "12,34", "2026-11-20",
        "2026-1-20", "30-day", "3rd", "1042a", "80%", "$", "$150", "$1,250.50", "€20", "€", "£5", "¥7", "£", "'s", "’s", "'", "’",
        "-", "--", "'t", "don’t", "\"", "\"short\"", "\"a much longer quotation than fifteen bytes\"", "“", "”", "“curly”", ",",
        ".", ":", ";", "!", "?", "{", "}", "{order_number}", "{a b}", "{}", "#", "|", "é", "café", "Überweisung", "—", "…", "\u{0}",
        " ", " ", " ", "  ", "\t", "\n", "\r\n", "\n   ", "@", "[", "`", "~", "\u{7F}", "ß", "日本",
    ]

    /// A random text of `count` pieces.
    static func text(_ numbers: inout Numbers, _ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<count { bytes += Array(pieces[numbers.next(pieces.count)].utf8) }
        return bytes
    }

    static func same(_ a: TokenList, _ b: TokenList) -> Bool {
        guard a.tokens.count == b.tokens.count, a.texts == b.texts else { return false }
        for (x, y) in zip(a.tokens, b.tokens) {
            guard x.kind == y.kind, x.start == y.start, x.end == y.end, x.bits == y.bits else { return false }
        }
        return true
    }

    /// Eight bytes judged at once must be judged as one by one: every byte value at every place.
    @Test func wordBytesFoundEightAtATime() {
        for byte in 0...255 {
            let wordByte = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
            #expect(Lexer.isASCIIWordByte(UInt8(byte)) == wordByte, "byte \(byte)")
            for place in 0..<8 {
                var x: UInt64 = 0x6161_6161_6161_6161  // `aaaaaaaa`
                x &= ~(UInt64(0xFF) << UInt64(8 * place))
                x |= UInt64(byte) << UInt64(8 * place)
                let flagged = Lexer.notWordBytes(x)
                let expected: UInt64 = Lexer.isASCIIWordByte(UInt8(byte)) ? 0 : UInt64(0x80) << UInt64(8 * place)
                #expect(flagged == expected, "byte \(byte) at \(place)")
                // The letters: every `a` around, and the byte when it is an ASCII letter.
                let letter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                let letters = (0x8080_8080_8080_8080 & ~(UInt64(0x80) << UInt64(8 * place))) | (letter ? UInt64(0x80) << UInt64(8 * place) : 0)
                #expect(Lexer.wordBytes(x).letters == letters, "byte \(byte) at \(place)")
            }
        }
    }

    /// The letters' fast path judges eight bytes at once: every byte value at every place
    /// must be flagged exactly when it is not an ASCII letter; and the bytes it hands on to
    /// the ways that go on with a word are exactly `'`, `-`, the digits, `_` and the bytes
    /// that are not ASCII.
    @Test func letterStopsFoundEightAtATime() {
        for byte in 0...255 {
            let letter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            for place in 0..<8 {
                for around: UInt64 in [0x6161_6161_6161_6161, 0x5A5A_5A5A_5A5A_5A5A, 0x4141_4141_4141_4141, 0x7A7A_7A7A_7A7A_7A7A] {
                    var x = around
                    x &= ~(UInt64(0xFF) << UInt64(8 * place))
                    x |= UInt64(byte) << UInt64(8 * place)
                    let expected: UInt64 = letter ? 0 : UInt64(0x80) << UInt64(8 * place)
                    #expect(Lexer.letterStops(x) == expected, "byte \(byte) at \(place) among \(String(around, radix: 16))")
                }
            }
            if byte < 0x40 {
                let goesOn = byte == 0x27 || byte == 0x2D || (0x30...0x39).contains(byte)
                #expect((Lexer.wordGoesOnBelow64 >> UInt64(byte)) & 1 == (goesOn ? 1 : 0), "byte \(byte)")
            }
        }
    }

    /// Words of letters near every length the fast path tells apart (up to 7, 8 to 15, 16 and
    /// more), in both cases, cut by the segment's end or followed by every kind of byte.
    @Test func wordsOfLettersAsTheFormerLexerGaveThem() {
        var numbers = Numbers(state: 88)
        let followers: [String] = ["", " ", "  ", ".", ",", ":", "-", "'", "’", "'s", "1", "_", "é", "\"", "\n", "\t", "@", "[", "`", "{", "~", "\u{7F}", "\u{0}", "x"]
        for length in 1...20 {
            for follower in followers {
                for _ in 0..<4 {
                    var word: [UInt8] = []
                    for _ in 0..<length {
                        let letter = UInt8(0x61 + numbers.next(26))
                        word.append(numbers.next(3) == 0 ? letter & ~0x20 : letter)
                    }
                    let bytes = word + Array(follower.utf8) + Array(" and more text after it".utf8)
                    for cut in [bytes.count, word.count, max(1, word.count - 1), word.count + 1] where cut <= bytes.count {
                        let lexed = Lexer.tokenize(bytes, segments: [0..<cut])
                        let former = FormerLexer.tokenize(bytes, segments: [0..<cut])
                        #expect(Self.same(lexed, former), "\(String(decoding: bytes, as: UTF8.self).debugDescription) cut at \(cut)")
                    }
                }
            }
        }
    }

    @Test func tokensAsTheFormerLexerGaveThem() {
        var numbers = Numbers(state: 20_261_129)
        for round in 0..<6_000 {
            let bytes = Self.text(&numbers, 1 + numbers.next(round < 3_000 ? 6 : 24))
            // One segment, or the text cut in two or three (a step's lines), some of it left out.
            var segments: [Range<Int>] = [0..<bytes.count]
            if numbers.next(3) == 0, bytes.count > 2 {
                let a = numbers.next(bytes.count), b = a + numbers.next(bytes.count - a)
                segments = [0..<a, min(a + numbers.next(2), b)..<b, b..<bytes.count]
            }
            let lexed = Lexer.tokenize(bytes, segments: segments)
            let former = FormerLexer.tokenize(bytes, segments: segments)
            #expect(Self.same(lexed, former), "\(String(decoding: bytes, as: UTF8.self).debugDescription) \(segments)")
        }
    }

    /// The line layer lexes every item of a file in one pass: the same tokens as lexing
    /// each item's segments on its own.
    @Test func aFilesItemsLexedInOnePass() {
        var numbers = Numbers(state: 7)
        for _ in 0..<300 {
            var text = "Procedure: P\nGoal: g\n\n"
            for step in 1...(1 + numbers.next(8)) {
                let line = String(decoding: Self.text(&numbers, 1 + numbers.next(12)).filter { $0 != 0x0A && $0 != 0x0D && $0 != 0 }, as: UTF8.self)
                text += "\(step). \(line)\n"
                if numbers.next(3) == 0 { text += "   a. \(line)\n      \(line)\n" }
            }
            let file = SourceFile(path: "oracle.procedure", text: text)
            var layer = LineLayer(file: file)
            layer.run()
            layer.lex()
            let tokens = Array(layer.tokens.buffer)
            for item in layer.items.dropFirst() {
                let former = FormerLexer.tokenize(file.bytes, segments: Array(layer.segments[item.segmentStart..<item.segmentEnd]))
                var mine = TokenList()
                mine.tokens = Array(tokens[item.tokenStart..<item.tokenEnd])
                mine.texts = layer.tokens.texts
                let same = mine.tokens.count == former.tokens.count && zip(mine.tokens, former.tokens).allSatisfy {
                    $0.kind == $1.kind && $0.start == $1.start && $0.end == $1.end && mine.text($0) == former.text($1)
                }
                #expect(same, "\(text.debugDescription)")
            }
            layer.tokens.deallocate()
        }
    }
}
