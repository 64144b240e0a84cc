import MandateDiagnostics
@testable import MandateSyntax
import Testing

/// The syntax tree keeps a noun phrase as one string and a template's placeholders as
/// offsets (`NounPhrase.spelled`, `Template.braces`): what readers get from them must be
/// exactly what the lists of strings they replaced gave.
@Suite struct ParserPiecesTests {
    /// A deterministic stream of numbers (no seed from the clock).
    struct Numbers {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    @Test func spacesBecomeUnderscoresAsOneByOne() {
        let texts = ["", "a", "order number", "refund amount x", "exactly fifteen", "exactly sixteen!", "a  b", " a ",
                     "a much longer phrase than fifteen bytes", "café au lait", "_a_", "tab\there"]
        for text in texts {
            #expect(SmallWords.replacingSpaces(text) == String(text.map { $0 == " " ? "_" : $0 }), "\(text)")
        }
        // Every byte value next to a space, at every place of a small string.
        for byte in UInt8(0x21)...UInt8(0x7E) {
            for place in 0..<14 {
                var bytes = [UInt8](repeating: byte, count: 15)
                bytes[place] = 0x20
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(SmallWords.replacingSpaces(text) == String(text.map { $0 == " " ? "_" : $0 }), "\(text)")
            }
        }
    }

    @Test func spellingIsTheWordsJoined() {
        let sentences = ["the order number", "a b c d e f g h", "abcdefg hijklmn", "abcdefg hijklmno", "Überweisung der Kosten",
                         "refund_issued amount", "supercalifragilistic word", "x", "customer's membership tier now"]
        for sentence in sentences {
            let bytes = Array(sentence.utf8)
            let list = Lexer.tokenize(bytes, segments: [0..<bytes.count])
            var spelling = Spelling()
            var words: [String] = []
            for token in list.tokens where token.kind == .word {
                spelling.append(token, texts: list.texts)
                words.append(list.text(token))
            }
            #expect(spelling.string == words.joined(separator: " "), "\(sentence)")
            let phrase = NounPhrase(spelled: spelling.string, breaks: [], range: SourceRange(pathID: 0, start: 0, end: 0))
            #expect(phrase.words == words, "\(sentence)")
            #expect(phrase.name == words.joined(separator: "_"), "\(sentence)")
            #expect(phrase.lastWordKey == WordKey(words.last!), "\(sentence)")
        }
    }

    /// A phrase's words, and its words split at `_`, as splitting its words one by one gives them.
    @Test func wordsComeBackAsTheyWere() {
        let lists: [[String]] = [[], ["a"], ["order", "number"], ["order_number"], ["", "b"], ["a", ""], ["", ""], ["_a_", "b__c"],
                                 ["abcdefg", "hijklmn"], ["abcdefg", "hijklmno"], ["café", "au", "lait"], ["a", "b", "c", "d", "e", "f", "g", "h"],
                                 ["much", "longer", "phrase", "than", "fifteen"], ["x_", "_y"], ["__"]]
        for words in lists {
            let phrase = NounPhrase(words: words, breaks: [], range: SourceRange(pathID: 0, start: 0, end: 0))
            // `[""]` is spelled as `[]` is: both name nothing, and read back as no words.
            #expect(phrase.words == (words == [""] ? [] : words), "\(words)")
            let split = words.flatMap { $0.utf8.split(separator: UInt8(ascii: "_")).map { String(Substring($0)) } }
            #expect(phrase.wordsSplitAtUnderscores == split, "\(words)")
        }
    }

    /// The first `{` or `}` found eight bytes at a time, against a byte-by-byte search.
    @Test func firstIndexIsTheFirstByte() {
        var numbers = Numbers(state: 7)
        let alphabet: [UInt8] = [0x7B, 0x7D, 0x61, 0x7A, 0x00, 0xFF, 0x7C, 0x7E]
        for _ in 0..<2_000 {
            let bytes = (0..<numbers.next(40)).map { _ in alphabet[numbers.next(alphabet.count)] }
            let from = numbers.next(bytes.count + 1)
            let to = from + numbers.next(bytes.count - from + 1)
            for byte: UInt8 in [0x7B, 0x7D] {
                let expected = bytes[from..<to].firstIndex(of: byte) ?? to
                #expect(bytes.withUnsafeBufferPointer { SmallWords.firstIndex(of: byte, in: $0, from: from, to: to) } == expected, "\(bytes) \(from)..<\(to)")
            }
        }
    }

    /// The parts a template had when the parser built them (the reference), against those it
    /// gives now, on random texts of braces, dots, blanks and letters.
    @Test func templatePartsAreAsBefore() {
        var numbers = Numbers(state: 20_261_129)
        let alphabet = Array("ab{}. _\tA}{".utf8)
        for _ in 0..<3_000 {
            let bytes = (0..<numbers.next(24)).map { _ in alphabet[numbers.next(alphabet.count)] }
            let text = String(decoding: bytes, as: UTF8.self)
            let (expected, expectedBad) = Self.reference(bytes, quoteStart: 100)
            let (braces, bad) = bytes.withUnsafeBufferPointer { SentenceParser.templateBraces($0) }
            let template = Template(text: text, braces: braces, range: SourceRange(pathID: 0, start: 100, end: 102 + bytes.count))
            let parts = template.parts
            #expect(parts == expected.map(\.part), "\(text)")
            #expect(parts.map { if case .placeholder(_, let r) = $0 { r } else { nil } } == expected.map(\.range), "\(text)")
            #expect(bad.map { template.range(of: $0) } == expectedBad, "\(text)")
        }
    }

    /// The parser's former reading of a template: text pieces, placeholders with their paths and
    /// ranges, and the placeholders whose path has an empty piece.
    static func reference(_ b: [UInt8], quoteStart: Int) -> ([(part: Template.Part, range: SourceRange?)], [SourceRange]) {
        var parts: [(part: Template.Part, range: SourceRange?)] = []
        var bad: [SourceRange] = []
        var i = 0
        var textStart = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "{"), let close = b[(i + 1)...].firstIndex(of: UInt8(ascii: "}")) {
                if textStart < i { parts.append((.text(String(decoding: b[textStart..<i], as: UTF8.self)), nil)) }
                let path = b.withUnsafeBufferPointer { SentenceParser.placeholderPath($0, i + 1, close) }
                let offset = quoteStart + 1 + i
                let r = SourceRange(pathID: 0, start: offset, end: offset + close - i + 1)
                if path.isEmpty || path.contains(where: { $0.isEmpty }) { bad.append(r) }
                parts.append((.placeholder(path, r), r))
                i = close + 1
                textStart = i
            } else {
                i += 1
            }
        }
        if textStart < b.count { parts.append((.text(String(decoding: b[textStart...], as: UTF8.self)), nil)) }
        return (parts, bad)
    }
}
