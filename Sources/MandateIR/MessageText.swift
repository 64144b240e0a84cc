import Foundation

/// A customer's message made plain for matching: lowercased, accents and widths folded,
/// look-alike letters from other scripts mapped to the Latin ones, invisible and
/// direction-changing characters removed, and split into words.
///
/// The classifier (when trained and when run) and the input checks read messages through
/// this one type, so a message means the same thing to all of them.
public struct MessageText: Sendable {
    /// What normalising removed or replaced: the traces of a Unicode trick.
    public struct Oddities: OptionSet, Sendable, Hashable {
        /// The bits.
        public var rawValue: UInt8
        /// Makes a set.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Zero-width characters or soft hyphens inside the text (not between emoji).
        public static let invisible = Oddities(rawValue: 1)
        /// Characters that change the writing direction.
        public static let bidiControls = Oddities(rawValue: 2)
        /// Unicode tag characters (hidden ASCII).
        public static let tagCharacters = Oddities(rawValue: 4)
        /// Letters from another script that look like Latin ones, inside a Latin word.
        public static let confusables = Oddities(rawValue: 8)
        /// Styled letters (mathematical bold, full width, circled…) folded to plain ones.
        public static let styledLetters = Oddities(rawValue: 16)
    }

    /// The normalised text, UTF-8: lowercase, punctuation kept.
    public let bytes: [UInt8]
    /// The words, each a slice of one buffer: no array is made per word.
    public let wordSlices: Words
    /// What normalising had to undo.
    public let oddities: Oddities

    /// The words of a message as slices of one buffer (the message's bytes, or a copy without the
    /// apostrophes that join words when there are some).
    @frozen
    public struct Words: RandomAccessCollection, Sendable {
        /// The bytes the words are slices of.
        public let storage: [UInt8]
        /// Where each word starts and ends in `storage`: two entries a word.
        @usableFromInline let bounds: [Int]

        @usableFromInline init(storage: [UInt8], bounds: [Int]) {
            self.storage = storage
            self.bounds = bounds
        }

        /// The first word's position.
        @inlinable public var startIndex: Int { 0 }
        /// One past the last word's position.
        @inlinable public var endIndex: Int { bounds.count &>> 1 }

        /// The word at `i`, a slice of `storage` (its indices are `storage`'s).
        @inlinable
        public subscript(i: Int) -> ArraySlice<UInt8> { storage[bounds[2 * i]..<bounds[2 * i + 1]] }

        /// Where the word at `i` starts in `storage`.
        @inlinable
        public func start(_ i: Int) -> Int { bounds[2 * i] }

        /// Where the word at `i` ends in `storage`.
        @inlinable
        public func end(_ i: Int) -> Int { bounds[2 * i + 1] }

        /// `body` over the bytes of the word at `i`, in place.
        @inlinable
        public func withWord<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[bounds[2 * i]..<bounds[2 * i + 1]])) }
        }
    }

    /// The words: runs of letters and digits (an apostrophe inside a word is dropped: `don't` → `dont`),
    /// each as an array of its own. `wordSlices` gives them without making these arrays.
    public var words: [[UInt8]] { wordSlices.map { Array($0) } }

    /// Where each word starts in `bytes`.
    public var wordStarts: [Int] {
        var starts: [Int] = []
        MessageText.split(bytes) { start, _, _ in starts.append(start) }
        return starts
    }

    /// Normalises a message.
    public init(_ message: String) {
        // ASCII (most messages) is lowercased and split in one pass; anything else is folded first.
        var m = message
        if let plain = m.withUTF8({ MessageText.readASCII($0) }) {
            self = plain
            return
        }
        let (bytes, oddities) = MessageText.fold(message)
        self.init(normalized: bytes, oddities: oddities)
    }

    private init(bytes: [UInt8], words: Words) {
        self.bytes = bytes
        wordSlices = words
        oddities = []
    }

    /// An ASCII message lowercased and split into words in one pass over its bytes: what
    /// `init(normalized:)` gives for its lowercase bytes. Nil for a message that is not ASCII.
    ///
    /// The arrays are made by `reserveCapacity` and filled by one `append(contentsOf:)` each (the
    /// bounds gathered on the stack first): `Array(unsafeUninitializedCapacity:)` and
    /// `Array(repeating:count:)` go through the standard library's unspecialised allocation, which
    /// looks the array's storage type up at every call, some 400 instructions more an array.
    static func readASCII(_ b: UnsafeBufferPointer<UInt8>) -> MessageText? {
        let n = b.count
        guard n > 0, let source = b.baseAddress else { return MessageText(bytes: [], words: Words(storage: [], bounds: [])) }
        guard isASCII(source, n) else { return nil }
        @inline(__always) func word(_ l: UInt8) -> Bool { l &- 0x61 < 26 || l &- 0x30 < 10 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(n)
        bytes.append(contentsOf: b)
        var joined = false
        var bounds: [Int] = []
        bytes.withUnsafeMutableBufferPointer { out in
            // At most one word every two bytes: room for every bound, on the stack for a short message.
            withUnsafeTemporaryAllocation(of: Int.self, capacity: n + 1) { found in
                var count = 0
                var start = -1
                var i = 0
                while i < n {
                    let x = out[i]
                    let l = x &- 0x41 < 26 ? x | 0x20 : x
                    out[i] = l
                    if word(l) {
                        if start < 0 { start = i }
                    } else if start >= 0 {
                        // An apostrophe inside a word joins it: `don't` → `dont`.
                        if l == 0x27, i + 1 < n, word(out[i + 1] &- 0x41 < 26 ? out[i + 1] | 0x20 : out[i + 1]) {
                            joined = true
                        } else {
                            found[count] = start
                            found[count + 1] = i
                            count += 2
                            start = -1
                        }
                    }
                    i += 1
                }
                if start >= 0 {
                    found[count] = start
                    found[count + 1] = n
                    count += 2
                }
                bounds.reserveCapacity(count)
                bounds.append(contentsOf: UnsafeBufferPointer(rebasing: found[0..<count]))
            }
        }
        guard joined else { return MessageText(bytes: bytes, words: Words(storage: bytes, bounds: bounds)) }
        // Words joined by an apostrophe are written without it, into a copy of the text.
        var storage: [UInt8] = []
        storage.reserveCapacity(n)
        bytes.withUnsafeBufferPointer { from in
            bounds.withUnsafeMutableBufferPointer { edges in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { to in
                    var k = 0
                    var w = 0
                    while w < edges.count {
                        let start = k
                        for i in edges[w]..<edges[w + 1] where from[i] != 0x27 {
                            to[k] = from[i]
                            k += 1
                        }
                        edges[w] = start
                        edges[w + 1] = k
                        w += 2
                    }
                    storage.append(contentsOf: UnsafeBufferPointer(rebasing: to[0..<k]))
                }
            }
        }
        return MessageText(bytes: bytes, words: Words(storage: storage, bounds: bounds))
    }

    /// Whether the `n` bytes at `p` are all ASCII, eight at a time.
    @inline(__always)
    static func isASCII(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if p[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Splits text that is already normalised (lowercase ASCII or folded UTF-8).
    public init(normalized bytes: [UInt8], oddities: Oddities = []) {
        var bounds: [Int] = []
        // Room for every bound of a short text (at most one word every two bytes): the list is not regrown.
        bounds.reserveCapacity(min(bytes.count + 1, 64))
        var joined = false
        MessageText.split(bytes) { start, end, apostrophe in
            bounds.append(start)
            bounds.append(end)
            if apostrophe { joined = true }
        }
        if joined {
            // Words joined by an apostrophe are written without it, into a copy of the text.
            var storage: [UInt8] = []
            storage.reserveCapacity(bytes.count)
            for w in 0..<(bounds.count / 2) {
                let start = storage.count
                for b in bytes[bounds[2 * w]..<bounds[2 * w + 1]] where b != 0x27 { storage.append(b) }
                bounds[2 * w] = start
                bounds[2 * w + 1] = storage.count
            }
            wordSlices = Words(storage: storage, bounds: bounds)
        } else {
            wordSlices = Words(storage: bytes, bounds: bounds)
        }
        self.bytes = bytes
        self.oddities = oddities
    }

    /// Calls `body` with each word's start and end in `bytes`, and whether an apostrophe joins it.
    @inline(__always)
    static func split(_ bytes: [UInt8], _ body: (_ start: Int, _ end: Int, _ apostrophe: Bool) -> Void) {
        bytes.withUnsafeBufferPointer { b in
            let n = b.count
            var i = 0
            while i < n {
                guard MessageText.isWordByte(b[i]) else { i += 1; continue }
                // A word: the run of word bytes from here.
                let start = i
                var joined = false
                var j = i + 1
                while j < n {
                    if MessageText.isWordByte(b[j]) { j += 1; continue }
                    // An apostrophe inside a word joins it: `don't` → `dont`.
                    if b[j] == 0x27, j + 1 < n, MessageText.isWordByte(b[j + 1]) { joined = true; j += 1; continue }
                    break
                }
                body(start, j, joined)
                i = j
            }
        }
    }

    /// The normalised text as a string.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Letters, digits and any byte of a non-ASCII character.
    @inline(__always)
    public static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b >= 0x80
    }

    // MARK: Folding

    /// Latin look-alikes from Cyrillic and Greek, after lowercasing.
    static let confusables: [Unicode.Scalar: UInt8] = {
        let pairs: [(UInt32, Character)] = [
            (0x0430, "a"), (0x0435, "e"), (0x043E, "o"), (0x0440, "p"), (0x0441, "c"), (0x0443, "y"),
            (0x0445, "x"), (0x0456, "i"), (0x0458, "j"), (0x0455, "s"), (0x0501, "d"), (0x04BB, "h"),
            (0x04CF, "l"), (0x051B, "q"), (0x051D, "w"), (0x043A, "k"), (0x043C, "m"), (0x0442, "t"),
            (0x0432, "b"), (0x043D, "h"), (0x0433, "r"), (0x0457, "i"), (0x0454, "e"),
            (0x03B1, "a"), (0x03B5, "e"), (0x03B9, "i"), (0x03BA, "k"), (0x03BD, "v"), (0x03BF, "o"),
            (0x03C1, "p"), (0x03C4, "t"), (0x03C5, "u"), (0x03C7, "x"), (0x03B2, "b"), (0x03B7, "n"),
            (0x0261, "g"), (0x0251, "a"), (0x026A, "i"), (0x1D00, "a"),
        ]
        var table: [Unicode.Scalar: UInt8] = [:]
        for (code, letter) in pairs { table[Unicode.Scalar(code)!] = letter.asciiValue! }
        return table
    }()

    /// Whether a scalar is a zero-width character or soft hyphen.
    static func isInvisible(_ v: UInt32) -> Bool {
        v == 0x200B || v == 0x200C || v == 0x200D || v == 0x2060 || v == 0xFEFF || v == 0x00AD || v == 0x180E
            || v == 0x2061 || v == 0x2062 || v == 0x2063 || v == 0x2064 || v == 0x034F
    }

    /// Whether a scalar changes the writing direction.
    static func isBidiControl(_ v: UInt32) -> Bool {
        v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x061C
    }

    /// Whether a scalar is an emoji or pictograph (a zero-width joiner between two is ordinary).
    static func isPictograph(_ s: Unicode.Scalar?) -> Bool {
        guard let s else { return false }
        return s.properties.isEmojiPresentation || (0x1F000...0x1FAFF).contains(s.value) || (0x2600...0x27BF).contains(s.value)
            || s.value == 0xFE0F
    }

    /// The slow path for text with non-ASCII characters.
    static func fold(_ message: String) -> ([UInt8], Oddities) {
        var oddities: Oddities = []
        // 1. Remove invisible and direction characters; read tag characters as the ASCII they hide.
        var kept = String.UnicodeScalarView()
        let scalars = Array(message.unicodeScalars)
        for (i, s) in scalars.enumerated() {
            let v = s.value
            if isInvisible(v) {
                // A joiner between emoji (a family, a flag) is how emoji are written; anything else is hiding something.
                let joiner = v == 0x200D && isPictograph(i > 0 ? scalars[i - 1] : nil)
                    && isPictograph(i + 1 < scalars.count ? scalars[i + 1] : nil)
                let byteOrderMark = v == 0xFEFF && i == 0
                if !joiner && !byteOrderMark { oddities.insert(.invisible) }
                continue
            }
            if isBidiControl(v) { oddities.insert(.bidiControls); continue }
            if (0xE0000...0xE007F).contains(v) {
                // The hidden text is read as words of its own.
                if i == 0 || !(0xE0000...0xE007F).contains(scalars[i - 1].value) { kept.append(" ") }
                oddities.insert(.tagCharacters)
                if (0xE0020...0xE007E).contains(v) { kept.append(Unicode.Scalar(v - 0xE0000)!) }
                continue
            }
            switch v {
            case 0x2018, 0x2019, 0x02BC, 0x2032: kept.append("'")
            case 0x201C, 0x201D: kept.append("\"")
            default: kept.append(s)
            }
        }
        // 2. Compatibility forms (full width, mathematical letters, ligatures), case and accents.
        let plain = String(kept)
        let compatible = plain.precomposedStringWithCompatibilityMapping
        if compatible.unicodeScalars.count != plain.unicodeScalars.count || compatible != plain.precomposedStringWithCanonicalMapping {
            // Styled letters only count when a letter changed into ASCII.
            let before = plain.unicodeScalars.filter { $0.isASCII }.count
            let after = compatible.unicodeScalars.filter { $0.isASCII }.count
            if after > before { oddities.insert(.styledLetters) }
        }
        let folded = compatible.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        // 3. Look-alike letters: mapped, and noted when they sit inside a word with Latin letters.
        var out: [UInt8] = []
        out.reserveCapacity(folded.utf8.count)
        var wordHasLatin = false
        var wordHasConfusable = false
        for s in folded.unicodeScalars {
            if let latin = confusables[s] {
                out.append(latin)
                wordHasConfusable = true
            } else if s.isASCII {
                let b = UInt8(s.value)
                let lower = b >= 0x41 && b <= 0x5A ? b + 32 : b
                out.append(lower)
                if isWordByte(lower) { wordHasLatin = true } else {
                    if wordHasLatin && wordHasConfusable { oddities.insert(.confusables) }
                    wordHasLatin = false
                    wordHasConfusable = false
                }
            } else {
                out.append(contentsOf: String(s).utf8)
                if !s.properties.isAlphabetic {
                    if wordHasLatin && wordHasConfusable { oddities.insert(.confusables) }
                    wordHasLatin = false
                    wordHasConfusable = false
                }
            }
        }
        if wordHasLatin && wordHasConfusable { oddities.insert(.confusables) }
        return (out, oddities)
    }
}
