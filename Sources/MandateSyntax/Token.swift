/// A token of a procedure sentence. Offsets are bytes into the file.
public struct Token: Sendable, Equatable {
    /// The kinds of token.
    public enum Kind: UInt8, Sendable {
        /// A word; `text` is lowercased.
        case word
        /// `"…"`; `text` is the content.
        case quoted
        /// `42`, `0.75`, `1,250.50`.
        case number
        /// `$150`, `€20.50`.
        case money
        /// `80%`.
        case percent
        /// `2026-11-20`.
        case date
        /// `{order_number}` outside quotes (action phrases).
        case hole
        /// `,`
        case comma
        /// `.`
        case period
        /// `:`
        case colon
        /// `'s` after a word.
        case possessive
        /// Any other character.
        case symbol
        /// A `"` with no closing `"`.
        case unterminatedQuote
    }
    /// The text's bits: a short ASCII text (a lowercased word, a number, most short
    /// quotations) as the two words of its small string (`WordKey`); any other text is
    /// kept in the token list's `texts` and `bits` is `(index, 0)`. So a token holds no
    /// reference: copying, appending and freeing tokens touch no reference count.
    let bits: WordKey
    private let start32: Int32
    private let end32: Int32
    /// The kind.
    public let kind: Kind
    /// First byte.
    public var start: Int { Int(start32) }
    /// One past the last byte.
    public var end: Int { Int(end32) }

    /// A token whose text is short ASCII, given as its bits.
    @inline(__always) init(kind: Kind, bits: WordKey, start: Int, end: Int) {
        self.kind = kind
        self.bits = bits
        self.start32 = Int32(truncatingIfNeeded: start)
        self.end32 = Int32(truncatingIfNeeded: end)
    }

    /// A token whose text is `texts[index]`.
    @inline(__always) init(kind: Kind, textIndex: Int, start: Int, end: Int) {
        self.init(kind: kind, bits: WordKey(low: UInt64(textIndex), high: 0), start: start, end: end)
    }

    /// A word's key (`WordKey`): keyword tests compare it, not the text; `none` for other
    /// kinds and for words that are long or not ASCII.
    @inline(__always) var key: WordKey { kind == .word ? bits : .none }

    /// Whether the text is in the token list's `texts` (not in `bits`).
    @inline(__always) var textIsStored: Bool { bits.high == 0 }

    /// The token's text (lowercased word, quoted content, number as written, hole name),
    /// `texts` being the list the token was lexed into.
    @inline(__always) public func text(in texts: [String]) -> String {
        textIsStored ? texts[Int(bits.low)] : bits.string
    }

    /// Whether this is the word whose key is `k` (a keyword: short and ASCII).
    @inline(__always) func isWord(_ k: WordKey) -> Bool { kind == .word && bits == k && k.exists }

    /// Whether this is the word `w` (already lowercase); `texts` as for `text(in:)`.
    @inline(__always) public func isWord(_ w: String, in texts: [String]) -> Bool {
        guard kind == .word else { return false }
        let k = WordKey(w)
        if k.exists { return bits == k }
        return textIsStored && texts[Int(bits.low)] == w
    }
}

/// Tokens and the texts they do not hold themselves (see `Token.bits`).
public struct TokenList: Sendable {
    /// The tokens, in order.
    public var tokens: [Token] = []
    /// The texts of tokens whose text is not short ASCII.
    public var texts: [String] = []
    /// An empty list.
    public init() {}
    /// The text of `token`, one of `tokens`.
    public func text(_ token: Token) -> String { token.text(in: texts) }
    /// The texts of every token.
    public var allTexts: [String] { tokens.map { $0.text(in: texts) } }
    /// Whether `token` is the word `w` (already lowercase).
    public func isWord(_ token: Token, _ w: String) -> Bool { token.isWord(w, in: texts) }
}

/// Room for a file's tokens, grown by hand. Tokens hold no references, so appending one is
/// a store (no uniqueness check, no capacity check: room is made once per stretch of text,
/// which holds at most one token per byte), and growing is a copy of bytes. The owner frees
/// it (`deallocate`) once nothing reads its tokens.
struct TokenSink {
    fileprivate(set) var base: UnsafeMutablePointer<Token>
    /// The number of tokens written (`Lexer.lexSegment` counts in a local and writes it back).
    fileprivate(set) var count = 0
    private(set) var capacity: Int
    /// The texts of tokens whose text is not short ASCII.
    var texts: [String] = []

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        self.base = .allocate(capacity: self.capacity)
    }

    /// Makes room for `n` more tokens.
    @inline(__always) mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(to: max(2 * capacity, count + n)) }
    }

    @inline(never) private mutating func grow(to newCapacity: Int) {
        let bigger = UnsafeMutablePointer<Token>.allocate(capacity: newCapacity)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    /// Appends a token; room for it was made (`reserve`).
    @inline(__always) mutating func append(_ t: Token) {
        (base + count).initialize(to: t)
        count &+= 1
    }

    /// Drops the tokens after the first `count`, and the texts after the first `texts`.
    mutating func truncate(to count: Int, texts: Int) {
        self.count = min(self.count, count)
        if self.texts.count > texts { self.texts.removeSubrange(texts...) }
    }

    /// The tokens written so far.
    var buffer: UnsafeBufferPointer<Token> { UnsafeBufferPointer(start: base, count: count) }

    /// Frees the room (tokens need no deinitialization).
    func deallocate() { base.deallocate() }
}

/// Splits the text of a step (one or more line segments of a file) into tokens.
public enum Lexer {
    /// Tokenizes `segments` (byte ranges of `bytes`); line breaks inside a range are spaces,
    /// and a quotation may run across them.
    public static func tokenize(_ bytes: [UInt8], segments: [Range<Int>]) -> TokenList {
        var sink = TokenSink(capacity: 16)
        defer { sink.deallocate() }
        bytes.withUnsafeBufferPointer { b in tokenize(b, segments: segments[...], into: &sink) }
        var list = TokenList()
        list.tokens = Array(sink.buffer)
        list.texts = sink.texts
        return list
    }

    /// Tokenizes `segments` of the bytes `b`, appending to `list`. Kept out of its callers, so
    /// that the scanning of one token (`lexSegment`) is inlined into its loop.
    @inline(never) static func tokenize(_ b: UnsafeBufferPointer<UInt8>, segments: ArraySlice<Range<Int>>, into list: inout TokenSink) {
        // At most one token a byte: room for all of them at once.
        var room = 0
        for segment in segments { room += max(0, min(segment.upperBound, b.count) - segment.lowerBound) }
        list.reserve(room)
        for segment in segments {
            if !lexSegment(b, segment.lowerBound, min(segment.upperBound, b.count), &list) { return }
        }
    }

    /// Lexes the text of every item but the first (the root) into `list`, one after the
    /// other, setting each item's window of tokens. One call for a whole file: the loop of
    /// `lexSegment` is inlined here.
    @inline(never) static func lexItems(
        _ b: UnsafeBufferPointer<UInt8>, _ segments: UnsafeBufferPointer<Range<Int>>, _ items: UnsafeMutableBufferPointer<Item>,
        into list: inout TokenSink
    ) {
        guard items.count > 1 else { return }
        // At most one token a byte: room for every item's text (every segment is an item's) at
        // once, so that the room does not move while the file is lexed, and every token is
        // written through one pointer, counted only where an item starts and ends.
        var room = 0
        for segment in segments { room &+= max(0, min(segment.upperBound, b.count) &- segment.lowerBound) }
        list.reserve(room)
        let out = list.base
        var w = out + list.count
        for index in 1..<items.count {
            items[index].tokenStart = distance(out, w)
            for k in items[index].segmentStart..<items[index].segmentEnd {
                if !lexSegment(b, segments[k].lowerBound, min(segments[k].upperBound, b.count), &list, out: out, write: &w) { break }
            }
            items[index].tokenEnd = distance(out, w)
        }
        list.count = distance(out, w)
    }

    /// The number of tokens from `out` to `w` (`w - out`, without the signed division's fix-up).
    @inline(__always) static func distance(_ out: UnsafeMutablePointer<Token>, _ w: UnsafeMutablePointer<Token>) -> Int {
        Int(bitPattern: (UInt(bitPattern: w) &- UInt(bitPattern: out)) / UInt(MemoryLayout<Token>.stride))
    }

    /// Whether `d` is an ASCII letter, digit or `_`: a bit of two 64-bit masks.
    @inline(__always) static func isASCIIWordByte(_ d: UInt8) -> Bool {
        // Digits are bits 48–57 of the first; A–Z bits 1–26, `_` bit 31 and a–z bits 33–58 of the second.
        let mask: UInt64 = d < 64 ? 0x03FF_0000_0000_0000 : d < 128 ? 0x07FF_FFFE_87FF_FFFE : 0
        return (mask &>> UInt64(d & 63)) & 1 != 0
    }

    /// The top bit of every byte of `x` that is not an ASCII letter, digit or `_`, the others
    /// clear. Every sum stays within its byte (the top bits are cleared first), so each byte is
    /// judged exactly: `A`–`Z` folded onto `a`–`z`, then three range tests.
    @inline(__always) static func notWordBytes(_ x: UInt64) -> UInt64 { wordBytes(x).notWord }

    /// `notWordBytes(x)`, and the top bit of every byte of `x` that is an ASCII letter (`A`–`Z`
    /// or `a`–`z`), the others clear: what a word's bytes need to be lowered (`x | letters >> 2`
    /// sets the 0x20 bit of its letters, which digits and lowercase letters have already).
    @inline(__always) static func wordBytes(_ x: UInt64) -> (notWord: UInt64, letters: UInt64) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high = ones &* 0x80
        let low7 = x & ~high
        let folded = low7 | (ones &* 0x20)
        let letter = (folded &+ ones &* 0x1F) & ~(folded &+ ones &* 0x05)      // 0x61...0x7A
        let digit = (low7 &+ ones &* 0x50) & ~(low7 &+ ones &* 0x46)           // 0x30...0x39
        let underscore = ~((low7 ^ (ones &* 0x5F)) &+ ones &* 0x7F)           // 0x5F
        return (high & ~((letter | digit | underscore) & ~x), letter & ~x & high)
    }

    /// The top bit of every byte of `x` that is not an ASCII letter (`A`–`Z`, `a`–`z`), the
    /// others clear. The top bits are cleared before the sums, so each byte is judged on its
    /// own: folded onto `a`–`z` by its 0x20 bit, then one range test (two sums).
    @inline(__always) static func letterStops(_ x: UInt64) -> UInt64 {
        let folded = (x & 0x7F7F_7F7F_7F7F_7F7F) | 0x2020_2020_2020_2020
        // `folded + 0x1F` reaches 0x80 from `a` (0x61) on, `folded + 0x05` from past `z` (0x7B) on.
        return (~(folded &+ 0x1F1F_1F1F_1F1F_1F1F) | (folded &+ 0x0505_0505_0505_0505) | x) & 0x8080_8080_8080_8080
    }

    /// The bytes below 0x40 a word goes on with after its letters: `'` (bit 0x27), `-` (bit
    /// 0x2D) and the digits (bits 0x30–0x39), bit `d` standing for byte `d`.
    @inline(__always) static var wordGoesOnBelow64: UInt64 { 0x03FF_2080_0000_0000 }

    /// Tokenizes `b[i..<end]`, appending to `list` (which has room for a token a byte);
    /// false when a quotation is not closed before `end` (nothing after it is read).
    @inline(__always) static func lexSegment(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ end: Int, _ list: inout TokenSink) -> Bool {
        let out = list.base
        var w = out + list.count
        defer { list.count = distance(out, w) }
        return lexSegment(b, from, end, &list, out: out, write: &w)
    }

    /// `lexSegment`, writing tokens through `w`, a pointer into the room of `list` from `out`
    /// (room for the whole segment was made, so the room does not move while it is read).
    /// `list.count` is set from `w` only around the calls that append through `list`, and `w`
    /// from it after them.
    @inline(__always) static func lexSegment(
        _ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ end: Int, _ list: inout TokenSink,
        out: UnsafeMutablePointer<Token>, write w: inout UnsafeMutablePointer<Token>
    ) -> Bool {
        guard let base = b.baseAddress else { return true }
        let count = b.count
        var i = from
        while i < end {
            let c = base[i]
            // Most tokens are words of ASCII letters and digits, ending at a blank or a
            // punctuation mark: scanned and made into their token's bits here. A word that goes
            // on with `-`, `'` or a byte that is not ASCII goes the general way (`lexOne`).
            let letter = (c | 0x20) &- 0x61 < 26
            if letter || c == 0x5F {
                // A word of up to fifteen ASCII letters ending at a blank or a punctuation mark
                // (almost every word) with sixteen bytes of buffer from it: where it ends from one
                // load or two (`letterStops`), and its bits, lowered, from the same loads: every
                // byte of it is a letter, so setting each byte's 0x20 bit lowers it. A word that
                // goes on with a digit, `_`, `-`, `'` or a byte that is not ASCII goes the ways
                // below, which this one must agree with.
                if SmallWords.enabled, letter, i &+ 16 <= count {
                    let x = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    let stops = letterStops(x)  // byte 0 is a letter: 0, or flags byte 1 or later
                    var low = x | 0x2020_2020_2020_2020
                    var high: UInt64 = 0
                    // Where the letters end (`end`: sixteen letters or more, left to the ways
                    // below), and their bits: the lowest flagged bit is bit 7 of the first byte
                    // that is not a letter, so `& 0x38` of its place is eight times their length.
                    var j = end
                    if stops != 0 {
                        let n8 = UInt64(truncatingIfNeeded: stops.trailingZeroBitCount) & 0x38
                        low &= (1 &<< n8) &- 1
                        j = i &+ Int(truncatingIfNeeded: n8 &>> 3)
                    } else {
                        let y = UnsafeRawPointer(base + i).loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                        let stops2 = letterStops(y)
                        if stops2 != 0 {
                            let n8 = UInt64(truncatingIfNeeded: stops2.trailingZeroBitCount) & 0x38
                            high = (y | 0x2020_2020_2020_2020) & ((1 &<< n8) &- 1)
                            j = i &+ 8 &+ Int(truncatingIfNeeded: n8 &>> 3)
                        }
                    }
                    // Letters that reach the segment's end (cut there) go the ways below too.
                    if j < end {
                        // The byte that ends the letters: a digit, `_`, `-`, `'` or a byte that
                        // is not ASCII goes on with the word (or makes it a possessive).
                        let d = base[j]
                        if d < 0x40 ? (Self.wordGoesOnBelow64 &>> UInt64(d)) & 1 == 0 : d != 0x5F && d < 0x80 {
                            let tag = (UInt64(truncatingIfNeeded: j &- i) | 0xE0) &<< 56
                            w.initialize(to: Token(kind: .word, bits: WordKey(low: low, high: high | tag), start: i, end: j))
                            w += 1
                            // A word is most often followed by one space.
                            i = d == 0x20 ? j &+ 1 : j
                            continue
                        }
                    }
                }
                // A word of up to fifteen bytes (almost every word) with sixteen bytes of buffer
                // from it: its length and its bits, A–Z lowered, from one load or two.
                if SmallWords.enabled, i &+ 16 <= count {
                    let x = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    let first = wordBytes(x)  // byte 0 is a word byte: `notWord` is 0 or flags byte 1 or later
                    var j: Int
                    var low = x | (first.letters &>> 2)
                    var high: UInt64 = 0
                    if first.notWord != 0 {
                        j = i &+ (first.notWord.trailingZeroBitCount &>> 3)
                    } else {
                        let y = UnsafeRawPointer(base + i).loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                        let second = wordBytes(y)
                        j = second.notWord != 0 ? i &+ 8 &+ (second.notWord.trailingZeroBitCount &>> 3) : i &+ 16
                        high = y | (second.letters &>> 2)
                    }
                    if j > end { j = end }
                    let length = j &- i
                    if length < 16 {
                        if j == end || (base[j] != 0x2D && base[j] != 0x27 && base[j] < 0x80) {
                            if length < 8 {
                                low &= (1 &<< UInt64(truncatingIfNeeded: length &* 8)) &- 1
                                high = 0
                            } else {
                                high &= (1 &<< UInt64(truncatingIfNeeded: (length &- 8) &* 8)) &- 1
                            }
                            let bits = WordKey(low: low, high: high | (UInt64(truncatingIfNeeded: 0xE0 | length) &<< 56))
                            w.initialize(to: Token(kind: .word, bits: bits, start: i, end: j))
                            w += 1
                            // A word is most often followed by one space.
                            i = j < end && base[j] == 0x20 ? j &+ 1 : j
                            continue
                        }
                        // Goes on with `-`, `'` or a byte that is not ASCII: the general way.
                        i = lexOne(b, at: i, end, &list, out: out, write: &w)
                        continue
                    }
                }
                // Eight bytes at a time while the buffer holds them (past `end` too: the word
                // is cut there), then byte by byte.
                var j = i &+ 1
                if j &+ 8 <= count {
                    while true {
                        let m = notWordBytes(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
                        if m != 0 { j &+= m.trailingZeroBitCount &>> 3; break }
                        j &+= 8
                        if j &+ 8 > count {
                            while j < count, isASCIIWordByte(base[j]) { j &+= 1 }
                            break
                        }
                    }
                    if j > end { j = end }
                } else {
                    while j < end, isASCIIWordByte(base[j]) { j &+= 1 }
                }
                if j == end || (base[j] != 0x2D && base[j] != 0x27 && base[j] < 0x80) {
                    let length = j &- i
                    if SmallWords.enabled, length <= 15, i &+ 16 <= count {
                        let p = UnsafeRawPointer(base + i)
                        var low = p.loadUnaligned(as: UInt64.self)
                        var high: UInt64 = 0
                        if length < 8 {
                            low &= (1 &<< UInt64(truncatingIfNeeded: length &* 8)) &- 1
                        } else if length > 8 {
                            high = SmallWords.lowerASCII(p.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & ((1 &<< UInt64(truncatingIfNeeded: (length &- 8) &* 8)) &- 1))
                        }
                        let bits = WordKey(low: SmallWords.lowerASCII(low), high: high | (UInt64(truncatingIfNeeded: 0xE0 | length) &<< 56))
                        w.initialize(to: Token(kind: .word, bits: bits, start: i, end: j))
                        w += 1
                    } else {
                        list.count = distance(out, w)
                        emitLowered(.word, b, i, j, &list)
                        w = out + list.count
                    }
                    // A word is most often followed by one space.
                    i = j < end && base[j] == 0x20 ? j &+ 1 : j
                    continue
                }
            } else if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A {
                i &+= 1
                continue
            } else if c == 0x2E || c == 0x2C || c == 0x3A {
                // `.`, `,` and `:` are always one token of their own (as `lexOne` reads them).
                let kind: Token.Kind = c == 0x2E ? .period : c == 0x2C ? .comma : .colon
                w.initialize(to: Token(kind: kind, bits: WordKey(low: UInt64(c), high: 0xE100_0000_0000_0000), start: i, end: i &+ 1))
                w += 1
                i &+= 1
                continue
            } else if c == 0x22 || (c == 0xE2 && i + 2 < end && base[i + 1] == 0x80 && (base[i + 2] == 0x9C || base[i + 2] == 0x9D)) {
                // (`i` is passed through a copy, so that it can stay in a register.)
                var k = i
                list.count = distance(out, w)
                let closed = scanQuote(b, &k, end, &list)
                w = out + list.count
                i = k
                if !closed { return false }
                continue
            }
            i = lexOne(b, at: i, end, &list, out: out, write: &w)
        }
        return true
    }

    /// Appends a token of `kind` spanning `start..<end` whose text is `b[from..<to]`
    /// (A–Z lowered when `lower`): in the token when it is short ASCII, else in `texts`.
    @inline(__always) static func emit(
        _ kind: Token.Kind, _ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, lower: Bool,
        start: Int, end: Int, _ list: inout TokenSink
    ) {
        if let bits = SmallWords.bits(b, from, to, lower: lower) {
            list.append(Token(kind: kind, bits: bits, start: start, end: end))
        } else {
            list.texts.append(lower ? SmallWords.lowered(b, from, to) : SmallWords.exact(b, from, to))
            list.append(Token(kind: kind, textIndex: list.texts.count - 1, start: start, end: end))
        }
    }

    /// A token whose text is its own bytes `b[start..<end]`, lowered. Short ASCII text (almost
    /// every word and number) is read here, with wrapping arithmetic, into the token's bits;
    /// the rest goes the general way, out of line.
    @inline(__always) static func emit(_ kind: Token.Kind, _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ list: inout TokenSink) {
        let n = end &- start
        if SmallWords.enabled, n > 0, n <= 15, start &+ 16 <= b.count, let base = b.baseAddress {
            let p = UnsafeRawPointer(base + start)
            var low = p.loadUnaligned(as: UInt64.self)
            var high = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            if n < 8 {
                low &= (1 &<< UInt64(truncatingIfNeeded: n &* 8)) &- 1
                high = 0
            } else if n == 8 {
                high = 0
            } else {
                high &= (1 &<< UInt64(truncatingIfNeeded: (n &- 8) &* 8)) &- 1
            }
            if (low | high) & 0x8080_8080_8080_8080 == 0 {
                let bits = WordKey(low: SmallWords.lowerASCII(low), high: SmallWords.lowerASCII(high) | (UInt64(truncatingIfNeeded: 0xE0 | n) &<< 56))
                list.append(Token(kind: kind, bits: bits, start: start, end: end))
                return
            }
        }
        emitLowered(kind, b, start, end, &list)
    }

    /// `emit` for text that is long, not ASCII, or near the end of the bytes.
    @inline(never) static func emitLowered(_ kind: Token.Kind, _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ list: inout TokenSink) {
        emit(kind, b, start, end, lower: true, start: start, end: end, &list)
    }

    /// A quotation's token whose content was gathered in `content`.
    static func emitGathered(_ kind: Token.Kind, _ content: [UInt8], start: Int, end: Int, _ list: inout TokenSink) {
        content.withUnsafeBufferPointer { c in
            emit(kind, c, 0, c.count, lower: false, start: start, end: end, &list)
        }
    }

    /// A quotation from `i`; false when it is not closed before `end`.
    static func scanQuote(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, _ list: inout TokenSink) -> Bool {
        let start = i
        i += b[i] == 0x22 ? 1 : 3
        // Most quotations close on their own line: their content is the bytes between the quotes.
        // Eight bytes at a time up to the first word that may hold the closing quote, a line
        // break or the lead byte of a curly quote; then byte by byte.
        // Eight bytes at a time, to the next byte that may end the quotation: `"`, a byte below
        // 0x0E (the line breaks among them) or one that is not ASCII (the lead byte of a curly
        // quote among them). The lowest flagged byte is always such a byte; it is then judged
        // on its own, and the scan goes on after it if it does not end the quotation.
        var j = i
        let ones: UInt64 = 0x0101_0101_0101_0101
        while j < end {
            if j &+ 8 <= end, let base = b.baseAddress {
                let x = UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self)
                let q = x ^ (ones &* 0x22)
                let m = (((q &- ones) & ~q) | ((x &- ones &* 0x0E) & ~x) | x) & (ones &* 0x80)
                if m == 0 { j &+= 8; continue }
                j &+= m.trailingZeroBitCount &>> 3
            }
            let d = b[j]
            if d == 0x22 || d == 0x0A || d == 0x0D || (d == 0xE2 && j + 2 < end && b[j + 1] == 0x80 && (b[j + 2] == 0x9D || b[j + 2] == 0x9C)) { break }
            j &+= 1
        }
        if j < end, b[j] != 0x0A, b[j] != 0x0D {
            let from = i
            i = j + (b[j] == 0x22 ? 1 : 3)
            emit(.quoted, b, from, j, lower: false, start: start, end: i, &list)
            return true
        }
        var content: [UInt8] = []
        content.reserveCapacity(j - i + 16)
        while i < end {
            let d = b[i]
            if d == 0x22 {
                i += 1
                emitGathered(.quoted, content, start: start, end: i, &list)
                return true
            }
            if d == 0xE2, i + 2 < end, b[i + 1] == 0x80, b[i + 2] == 0x9D || b[i + 2] == 0x9C {
                i += 3
                emitGathered(.quoted, content, start: start, end: i, &list)
                return true
            }
            if d == 0x0A || d == 0x0D {
                // A line break and the next line's indentation read as one space.
                while let last = content.last, last == 0x20 { content.removeLast() }
                content.append(0x20)
                i += 1
                while i < end, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
                continue
            }
            content.append(d)
            i += 1
        }
        emitGathered(.unterminatedQuote, content, start: start, end: end, &list)
        return false
    }

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c >= 0x80
    }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Lexes one non-quote token at `i`.
    /// `lexOne` from `lexSegment`, which writes tokens through a local pointer `write` into the
    /// sink's room from `out`: the count is written back before the call and read again after
    /// it; returns where lexing goes on.
    @inline(__always) static func lexOne(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ end: Int, _ list: inout TokenSink,
                                         out: UnsafeMutablePointer<Token>, write w: inout UnsafeMutablePointer<Token>) -> Int {
        var k = i
        list.count = distance(out, w)
        lexOne(b, &k, end, &list)
        w = out + list.count
        return k
    }

    @inline(__always) static func lexOne(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, _ list: inout TokenSink) {
        let start = i
        let c = b[i]
        // Currency symbols: $ (24), € (E2 82 AC), £ (C2 A3), ¥ (C2 A5) followed by a digit.
        var symbolLength = 0
        if c == 0x24 { symbolLength = 1 }
        else if c == 0xE2, i + 2 < end, b[i + 1] == 0x82, b[i + 2] == 0xAC { symbolLength = 3 }
        else if c == 0xC2, i + 1 < end, b[i + 1] == 0xA3 || b[i + 1] == 0xA5 { symbolLength = 2 }
        if symbolLength > 0, i + symbolLength < end, isDigit(b[i + symbolLength]) {
            i += symbolLength
            scanNumber(b, &i, end)
            emit(.money, b, start, i, &list)
            return
        }
        if isDigit(c) {
            // A date?
            if i + 10 <= end, isDigit(b[i + 1]), isDigit(b[i + 2]), isDigit(b[i + 3]), b[i + 4] == 0x2D,
               isDigit(b[i + 5]), isDigit(b[i + 6]), b[i + 7] == 0x2D, isDigit(b[i + 8]), isDigit(b[i + 9]),
               i + 10 == end || !(isLetter(b[i + 10]) || isDigit(b[i + 10]))
            {
                i += 10
                emit(.date, b, start, i, &list)
                return
            }
            scanNumber(b, &i, end)
            if i < end, isLetter(b[i]) || b[i] == 0x2D || b[i] == 0x5F {
                // `3rd`, `1042a`, `30-day`: a word that starts with digits.
                scanWord(b, &i, end)
                emit(.word, b, start, i, &list)
                return
            }
            if i < end, b[i] == 0x25 {
                i += 1
                emit(.percent, b, start, i, &list)
                return
            }
            emit(.number, b, start, i, &list)
            return
        }
        if isLetter(c) || c == 0x5F {
            scanWord(b, &i, end)
            // INVARIANT: every token advances. A lead byte `isLetter` accepts but a word may not
            // start with (an em dash, `…`, a currency sign with no digit) is one symbol.
            if i == start {
                i += 1
                while i < end, b[i] & 0xC0 == 0x80 { i += 1 }
                emit(.symbol, b, start, i, lower: false, start: start, end: i, &list)
                return
            }
            // Possessive: word's / word’s (’ is E2 80 99).
            var wordEnd = i
            var possessiveStart = -1
            if wordEnd - start >= 3, b[wordEnd - 1] == 0x73 || b[wordEnd - 1] == 0x53, b[wordEnd - 2] == 0x27 {
                possessiveStart = wordEnd - 2
            } else if wordEnd - start >= 5, b[wordEnd - 1] == 0x73, b[wordEnd - 2] == 0x99, b[wordEnd - 3] == 0x80, b[wordEnd - 4] == 0xE2 {
                possessiveStart = wordEnd - 4
            }
            if possessiveStart > start {
                wordEnd = possessiveStart
                emit(.word, b, start, wordEnd, &list)
                list.append(Token(kind: .possessive, bits: SmallWords.possessive, start: wordEnd, end: i))
                return
            }
            emit(.word, b, start, i, &list)
            return
        }
        switch c {
        case 0x2C: i += 1; list.append(Token(kind: .comma, bits: SmallWords.comma, start: start, end: i))
        case 0x2E: i += 1; list.append(Token(kind: .period, bits: SmallWords.period, start: start, end: i))
        case 0x3A: i += 1; list.append(Token(kind: .colon, bits: SmallWords.colon, start: start, end: i))
        case 0x7B:
            var j = i + 1
            while j < end, b[j] != 0x7D, b[j] != 0x20 { j += 1 }
            if j < end, b[j] == 0x7D {
                i = j + 1
                emit(.hole, b, start + 1, j, lower: false, start: start, end: i, &list)
            } else {
                i += 1
                emit(.symbol, b, start, i, lower: false, start: start, end: i, &list)
            }
        default:
            // One scalar of anything else.
            i += 1
            while i < end, b[i] & 0xC0 == 0x80 { i += 1 }
            emit(.symbol, b, start, i, lower: false, start: start, end: i, &list)
        }
    }

    /// Digits with `,` thousands groups and one `.` decimal part.
    private static func scanNumber(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) {
        while i < end {
            let d = b[i]
            if isDigit(d) { i += 1; continue }
            if d == 0x2C, i + 3 < end, isDigit(b[i + 1]), isDigit(b[i + 2]), isDigit(b[i + 3]),
               i + 4 >= end || !isDigit(b[i + 4])
            { i += 4; continue }
            if d == 0x2E, i + 1 < end, isDigit(b[i + 1]) { i += 1; continue }
            break
        }
    }

    /// Letters, digits, `_`, `-`, `'` (inside a word).
    @inline(__always) private static func scanWord(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) {
        while i < end {
            let d = b[i]
            if isLetter(d) || isDigit(d) || d == 0x5F {
                // Stop before curly quotes and currency signs, which are not letters.
                if d == 0xE2, i + 2 < end, b[i + 1] == 0x80, b[i + 2] == 0x9C || b[i + 2] == 0x9D { return }
                if d == 0xE2, i + 2 < end, b[i + 1] == 0x80, b[i + 2] == 0x99 {
                    // ’ inside a word (don’t, customer’s)
                    i += 3; continue
                }
                if d == 0xE2 || d == 0xC2 {
                    // Other punctuation-like scalars end the word: keep letters only.
                    if d == 0xC2 && (i + 1 < end) && (b[i + 1] == 0xA3 || b[i + 1] == 0xA5) { return }
                    if d == 0xE2 && (i + 1 < end) && (b[i + 1] == 0x80 || b[i + 1] == 0x82) { return }
                }
                i += 1
                continue
            }
            if (d == 0x2D || d == 0x27), i + 1 < end, isLetter(b[i + 1]) || isDigit(b[i + 1]) { i += 1; continue }
            return
        }
    }

}
