/// Words as Swift small strings: the lexer's and the parser's fast path.
///
/// On 64-bit little-endian platforms Swift keeps a string of at most 15 UTF-8 bytes inside
/// the `String` value itself: two 64-bit words, the bytes first and the count in the low
/// nibble of the last byte, whose high nibble is `0xE` when every byte is ASCII. Almost
/// every word of a procedure fits. The lexer builds such strings straight from the file's
/// bytes (no allocation, no validation pass), and the parser compares a token with a
/// keyword by those two words. Where the layout is different, both use ordinary `String`
/// operations; `SmallWordsTests` checks the layout on every platform the tests run on.
enum SmallWords {
    #if (arch(x86_64) || arch(arm64)) && _endian(little)
    /// Whether this platform has the layout above.
    static let enabled = true
    #else
    static let enabled = false
    #endif

    /// The bytes `b[start..<end]`, when they are 1 to 15 ASCII bytes and the buffer has
    /// sixteen from `start`: loaded eight at a time and cut to length, as the two words of a
    /// small string (without its count).
    @inline(__always) static func shortASCII(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (low: UInt64, high: UInt64)? {
        let n = end - start
        guard enabled, n > 0, n <= 15, start + 16 <= b.count, let base = b.baseAddress else { return nil }
        let p = UnsafeRawPointer(base + start)
        var low = p.loadUnaligned(as: UInt64.self)
        var high: UInt64 = 0
        if n < 8 { low &= (1 << UInt64(n * 8)) - 1 }
        if n > 8 { high = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & ((1 << UInt64((n - 8) * 8)) - 1) }
        return (low | high) & 0x8080_8080_8080_8080 == 0 ? (low, high) : nil
    }

    /// The last word of a small ASCII string of `n` bytes whose bytes 8–14 are `high`.
    @inline(__always) static func tagged(_ high: UInt64, _ n: Int) -> UInt64 { high | (UInt64(0xE0 | n) << 56) }

    /// The ASCII-lowercased text of `b[start..<end]`: a small string built in place when
    /// it is short ASCII, otherwise an ordinary one.
    @inline(__always) static func lowered(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        let n = end - start
        if enabled, n <= 15 {
            // Eight bytes at a time when the buffer has sixteen from `start`, A–Z lowered with
            // word arithmetic.
            if let (low, high) = shortASCII(b, start, end) {
                return unsafeBitCast((lowerASCII(low), tagged(lowerASCII(high), n)), to: String.self)
            }
            var low: UInt64 = 0
            var high: UInt64 = 0
            var seen: UInt8 = 0
            for k in 0..<n {
                var ch = b[start + k]
                seen |= ch
                if ch &- 0x41 < 26 { ch |= 0x20 }
                if k < 8 { low |= UInt64(ch) << UInt64(k * 8) } else { high |= UInt64(ch) << UInt64((k - 8) * 8) }
            }
            if seen < 0x80 {
                return unsafeBitCast((low, tagged(high, n)), to: String.self)
            }
        }
        return String(unsafeUninitializedCapacity: n) { out in
            for k in 0..<n {
                let ch = b[start + k]
                out[k] = ch >= 0x41 && ch <= 0x5A ? ch | 0x20 : ch
            }
            return n
        }
    }

    /// The text of `b[start..<end]` as written: a small string built in place when it is
    /// short ASCII (no validation pass), otherwise decoded as UTF-8.
    @inline(__always) static func exact(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        if let (low, high) = shortASCII(b, start, end) {
            return unsafeBitCast((low, tagged(high, end - start)), to: String.self)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
    }

    /// The bits (as a `WordKey`) of the small string of `b[start..<end]`, A–Z lowered when
    /// `lower`, when it is 0 to 15 ASCII bytes; nil otherwise. The same on every platform
    /// (`WordKey.string` turns them back into text).
    @inline(__always) static func bits(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, lower: Bool) -> WordKey? {
        let n = end - start
        guard n <= 15 else { return nil }
        if let (low, high) = shortASCII(b, start, end) {
            return lower ? WordKey(low: lowerASCII(low), high: tagged(lowerASCII(high), n)) : WordKey(low: low, high: tagged(high, n))
        }
        // Near the buffer's end, empty, or not ASCII: byte by byte.
        var low: UInt64 = 0
        var high: UInt64 = 0
        for k in 0..<n {
            var ch = b[start + k]
            if ch >= 0x80 { return nil }
            if lower, ch &- 0x41 < 26 { ch |= 0x20 }
            if k < 8 { low |= UInt64(ch) << UInt64(k * 8) } else { high |= UInt64(ch) << UInt64((k - 8) * 8) }
        }
        return WordKey(low: low, high: tagged(high, n))
    }

    /// The bits of `,`, `.`, `:` and `'s`, written out (`LexerWordTests` checks them).
    static let comma = WordKey(low: 0x2C, high: 0xE100000000000000)
    static let period = WordKey(low: 0x2E, high: 0xE100000000000000)
    static let colon = WordKey(low: 0x3A, high: 0xE100000000000000)
    static let possessive = WordKey(low: 0x7327, high: 0xE200000000000000)

    /// Not zero exactly when one of the eight bytes of `x` is `byte` (the classic test for a
    /// zero byte, applied to `x` with `byte` cleared).
    @inline(__always) static func hasByte(_ x: UInt64, _ byte: UInt8) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let y = x ^ (ones &* UInt64(byte))
        return (y &- ones) & ~y & (ones &* 0x80)
    }

    /// Where the first `byte` of `b[from..<to]` is (`to` when there is none): eight bytes at
    /// a time, then byte by byte.
    @inline(__always) static func firstIndex(of byte: UInt8, in b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        var i = from
        if let base = b.baseAddress {
            while i &+ 8 <= to {
                // The lowest flagged byte of `hasByte` is always a true match.
                let m = hasByte(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self), byte)
                if m != 0 { return i &+ (m.trailingZeroBitCount >> 3) }
                i &+= 8
            }
        }
        while i < to, b[i] != byte { i += 1 }
        return i
    }

    /// Eight ASCII bytes with A–Z lowered: a byte's top bit after adding 0x3F says it is at
    /// least `A`, after adding 0x25 that it is past `Z` (no byte is 0x80 or more, so no carry
    /// crosses a byte); the letters get their 0x20 bit.
    @inline(__always) static func lowerASCII(_ x: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let atLeastA = x &+ ones &* 0x3F
        let pastZ = x &+ ones &* 0x25
        let upper = atLeastA & ~pastZ & (ones &* 0x80)
        return x | (upper >> 2)
    }

    /// Whether two strings are equal; a mismatch of two small ASCII strings (most keyword
    /// tests) is decided by comparing two integers.
    @inline(__always) static func equal(_ a: String, _ b: String) -> Bool {
        if enabled {
            let x = unsafeBitCast(a, to: (UInt64, UInt64).self)
            let y = unsafeBitCast(b, to: (UInt64, UInt64).self)
            if x.0 == y.0 && x.1 == y.1 { return true }
            // Two small ASCII strings are equal exactly when their bits are.
            if x.1 >> 60 == 0xE && y.1 >> 60 == 0xE { return false }
        }
        return a == b
    }
}

extension String {
    /// `lowercased()`; a small ASCII string (a short table cell or name) is lowered with word
    /// arithmetic, without the Unicode case tables or a new allocation.
    var smallLowercased: String {
        if SmallWords.enabled {
            let x = unsafeBitCast(self, to: (UInt64, UInt64).self)
            if x.1 >> 60 == 0xE {
                let tag = x.1 & 0xFF00_0000_0000_0000
                return unsafeBitCast((SmallWords.lowerASCII(x.0), SmallWords.lowerASCII(x.1 & ~tag) | tag), to: String.self)
            }
        }
        return lowercased()
    }
}

extension SmallWords {
    /// Whether `w` is one of `list`.
    @inline(__always) static func contains(_ list: [String], _ w: String) -> Bool {
        for x in list where equal(x, w) { return true }
        return false
    }
}

/// A short ASCII word as two integers: the bits of its small string (see above). Tokens
/// carry their word's key, and keyword tables hold keys, so telling a keyword costs an
/// integer comparison and touches no reference count. Words longer than 15 bytes or not
/// ASCII have no key (`none`) and are compared as strings.
struct WordKey: Equatable, Sendable {
    let low: UInt64
    let high: UInt64

    /// No key: the word is long or not ASCII.
    static let none = WordKey(low: 0, high: 0)

    @inline(__always) init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// The key of `s`, or `none`. A key depends only on the text, not on how it is stored.
    @inline(__always) init(_ s: String) {
        if SmallWords.enabled {
            let x = unsafeBitCast(s, to: (UInt64, UInt64).self)
            if x.1 >> 60 == 0xE { self.init(low: x.0, high: x.1); return }
            // Any other string of more than 15 bytes, or not ASCII, has no key.
            if s.utf8.count > 15 { self = .none; return }
        }
        self = WordKey.fromBytes(s)
    }

    /// The key built from the text's bytes (a string that is not stored as a small one).
    static func fromBytes(_ s: String) -> WordKey {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var n = 0
        for byte in s.utf8 {
            guard byte < 0x80, n < 15 else { return .none }
            if n < 8 { low |= UInt64(byte) << UInt64(n * 8) } else { high |= UInt64(byte) << UInt64((n - 8) * 8) }
            n += 1
        }
        return WordKey(low: low, high: high | (UInt64(0xE0 | n) << 56))
    }

    /// The text whose key this is (the key must exist).
    @inline(__always) var string: String {
        if SmallWords.enabled { return unsafeBitCast((low, high), to: String.self) }
        let n = Int((high >> 56) & 0x0F)
        return String(unsafeUninitializedCapacity: n) { out in
            for k in 0..<n { out[k] = UInt8(truncatingIfNeeded: k < 8 ? low >> UInt64(k * 8) : high >> UInt64((k - 8) * 8)) }
            return n
        }
    }

    /// Whether the word has a key.
    var exists: Bool { high != 0 }

    /// The keys of `words`.
    static func list(_ words: [String]) -> [WordKey] { words.map(WordKey.init) }

    /// Whether `key` is one of `list`.
    @inline(__always) static func contains(_ list: [WordKey], _ key: WordKey) -> Bool {
        guard key.exists else { return false }
        for x in list where x == key { return true }
        return false
    }
}

/// Keywords' keys for a membership test on every word: a 128-bit filter (one bit per key,
/// chosen by a hash of its bits) rules out most words with one test; only a word that passes
/// it is compared with the keys of its bit.
struct KeySet: Sendable {
    /// The keys, ordered by their slot: the keys of slot `n` are `keys[starts[n]..<starts[n + 1]]`,
    /// so a word that passes the filter is compared with its slot's keys only (one, mostly)
    /// instead of with every key.
    let keys: [WordKey]
    let starts: [UInt8]
    let low: UInt64
    let high: UInt64

    init(_ words: [String]) {
        precondition(words.count < 256, "a KeySet holds fewer than 256 words")
        let all = WordKey.list(words)
        var low: UInt64 = 0, high: UInt64 = 0
        for k in all {
            let n = KeySet.slot(k)
            if n < 64 { low |= 1 << n } else { high |= 1 << (n - 64) }
        }
        // A stable order by slot: the words' own order within a slot.
        let bySlot = all.indices.sorted { (KeySet.slot(all[$0]), $0) < (KeySet.slot(all[$1]), $1) }
        keys = bySlot.map { all[$0] }
        var starts = [UInt8](repeating: 0, count: 129)
        var i = 0
        for n in 0...128 {
            while i < keys.count, KeySet.slot(keys[i]) < UInt64(n) { i += 1 }
            starts[n] = UInt8(i)
        }
        self.starts = starts
        self.low = low
        self.high = high
    }

    /// The key's bit in the filter, 0 to 127.
    @inline(__always) static func slot(_ k: WordKey) -> UInt64 { ((k.low ^ (k.high >> 56)) &* 0x9E37_79B9_7F4A_7C15) >> 57 }

    /// Whether `key` is one of the keys.
    @inline(__always) func contains(_ key: WordKey) -> Bool {
        let n = KeySet.slot(key)
        guard (n < 64 ? low >> n : high >> (n - 64)) & 1 != 0 else { return false }
        // Only the keys of the word's slot (one, mostly): a member, as every noun phrase's
        // last `is` or `and` is, passes the filter and used to be compared with every key.
        return starts.withUnsafeBufferPointer { s in
            keys.withUnsafeBufferPointer { k in
                var i = Int(s[Int(n)])
                let end = Int(s[Int(n) + 1])
                while i < end {
                    if k[i] == key { return true }
                    i += 1
                }
                return false
            }
        }
    }
}

/// A word to `switch` on: its `case "…"` patterns compare keys.
struct Keyword {
    /// The word's key; `none` for a token that is not a word (or a long word, which no
    /// pattern names).
    let key: WordKey
    @inline(__always) init(_ token: Token) { self.key = token.kind == .word ? token.key : .none }
}

/// `case "ask":` against a `Keyword`.
@inline(__always) func ~= (pattern: String, value: Keyword) -> Bool { value.key.exists && WordKey(pattern) == value.key }

/// Keywords as constants: their keys written out, so reading one costs no lazy
/// initialisation. `LexerWordTests` checks each against `WordKey("…")`.
enum K {
    static let the = WordKey(low: 0x656874, high: 0xE300000000000000)
    static let number = WordKey(low: 0x7265626D756E, high: 0xE600000000000000)
    static let count = WordKey(low: 0x746E756F63, high: 0xE500000000000000)
    static let sum = WordKey(low: 0x6D7573, high: 0xE300000000000000)
    static let total = WordKey(low: 0x6C61746F74, high: 0xE500000000000000)
    static let now = WordKey(low: 0x776F6E, high: 0xE300000000000000)
    static let today = WordKey(low: 0x7961646F74, high: 0xE500000000000000)
    static let of = WordKey(low: 0x666F, high: 0xE200000000000000)
    static let and = WordKey(low: 0x646E61, high: 0xE300000000000000)
    static let or = WordKey(low: 0x726F, high: 0xE200000000000000)
    static let to = WordKey(low: 0x6F74, high: 0xE200000000000000)
    static let `as` = WordKey(low: 0x7361, high: 0xE200000000000000)
    static let `in` = WordKey(low: 0x6E69, high: 0xE200000000000000)
    static let `is` = WordKey(low: 0x7369, high: 0xE200000000000000)
    static let are = WordKey(low: 0x657261, high: 0xE300000000000000)
    static let not = WordKey(low: 0x746F6E, high: 0xE300000000000000)
    static let then = WordKey(low: 0x6E656874, high: 0xE400000000000000)
    static let `for` = WordKey(low: 0x726F66, high: 0xE300000000000000)
    static let each = WordKey(low: 0x68636165, high: 0xE400000000000000)
    static let yes = WordKey(low: 0x736579, high: 0xE300000000000000)
    static let no = WordKey(low: 0x6F6E, high: 0xE200000000000000)
    static let `true` = WordKey(low: 0x65757274, high: 0xE400000000000000)
    static let `false` = WordKey(low: 0x65736C6166, high: 0xE500000000000000)
    static let plus = WordKey(low: 0x73756C70, high: 0xE400000000000000)
    static let minus = WordKey(low: 0x73756E696D, high: 0xE500000000000000)
    static let times = WordKey(low: 0x73656D6974, high: 0xE500000000000000)
    static let than = WordKey(low: 0x6E616874, high: 0xE400000000000000)
    static let over = WordKey(low: 0x7265766F, high: 0xE400000000000000)
    static let above = WordKey(low: 0x65766F6261, high: 0xE500000000000000)
    static let least = WordKey(low: 0x747361656C, high: 0xE500000000000000)
    static let under = WordKey(low: 0x7265646E75, high: 0xE500000000000000)
    static let below = WordKey(low: 0x776F6C6562, high: 0xE500000000000000)
    static let most = WordKey(low: 0x74736F6D, high: 0xE400000000000000)
    /// Every constant with its word, for the test.
    static let all: [(String, WordKey)] = [("the", the), ("number", number), ("count", count), ("sum", sum), ("total", total), ("now", now), ("today", today), ("of", of), ("and", and), ("or", or), ("to", to), ("as", `as`), ("in", `in`), ("is", `is`), ("are", are), ("not", not), ("then", then), ("for", `for`), ("each", each), ("yes", yes), ("no", no), ("true", `true`), ("false", `false`), ("plus", plus), ("minus", minus), ("times", times), ("than", than), ("over", over), ("above", above), ("least", least), ("under", under), ("below", below), ("most", most)]
}

extension SmallWords {
    /// `s` with every space made `_` (`order number` → `order_number`); a small ASCII string
    /// is changed with word arithmetic, in place.
    public static func replacingSpaces(_ s: String) -> String {
        if enabled {
            let x = unsafeBitCast(s, to: (UInt64, UInt64).self)
            if x.1 >> 60 == 0xE {
                let tag = x.1 & 0xFF00_0000_0000_0000
                return unsafeBitCast((underscoreSpaces(x.0), underscoreSpaces(x.1 & ~tag) | tag), to: String.self)
            }
        }
        guard s.utf8.contains(0x20) else { return s }
        return String(decoding: s.utf8.map { $0 == 0x20 ? 0x5F : $0 }, as: UTF8.self)
    }

    /// Eight ASCII bytes with every space (0x20) made `_` (0x5F): a byte is a space exactly
    /// when it XOR 0x20 is zero, found without carries between bytes.
    @inline(__always) static func underscoreSpaces(_ x: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7 = ones &* 0x7F
        let y = x ^ (ones &* 0x20)
        // The top bit of each byte of `zero` is set exactly when that byte of `y` is zero.
        let zero = ~(((y & low7) &+ low7) | y | low7)
        let mask = (zero >> 7) &* 0xFF
        return (x & ~mask) | ((ones &* 0x5F) & mask)
    }
}

/// Words joined by single spaces, built as the two words of a small string while the text
/// is 15 ASCII bytes or fewer (no allocation), as an ordinary string past that.
struct Spelling {
    private var bytes: UInt128 = 0
    private var count = 0
    private var long: String?

    /// Appends a word (after a space, unless it is the first): `token`'s text.
    @inline(__always) mutating func append(_ token: Token, texts: [String]) {
        if SmallWords.enabled, long == nil, !token.textIsStored {
            let n = Int((token.bits.high >> 56) & 0x0F)
            let start = count == 0 ? 0 : count + 1
            if start + n <= 15 {
                let word = UInt128(token.bits.low) | UInt128(token.bits.high & 0x00FF_FFFF_FFFF_FFFF) << 64
                if count > 0 { bytes |= UInt128(0x20) << UInt128(8 * count) }
                bytes |= word << UInt128(8 * start)
                count = start + n
                return
            }
        }
        appendLong(token.text(in: texts))
    }

    /// Appends a word to the ordinary string.
    private mutating func appendLong(_ word: String) {
        var s = long ?? small
        if count > 0 || long != nil { s += " " }
        s += word
        long = s
        count = 16
    }

    /// The text while it is small.
    @inline(__always) private var small: String {
        guard count > 0 else { return "" }
        let low = UInt64(truncatingIfNeeded: bytes)
        let high = UInt64(truncatingIfNeeded: bytes >> 64)
        return unsafeBitCast((low, SmallWords.tagged(high, count)), to: String.self)
    }

    /// The words joined.
    @inline(__always) var string: String { long ?? small }
}
