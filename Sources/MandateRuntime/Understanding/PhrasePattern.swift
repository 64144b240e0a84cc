import Foundation
import MandateIR

/// The words the built-in phrase patterns name, numbered: a message's words are looked up here
/// once per turn (`PhraseWords`), and every pattern then compares numbers instead of hashing bytes.
struct PhraseVocabulary: Sendable {
    /// Every built-in pattern's words, and the single words the readers compare against.
    static let shared = PhraseVocabulary(
        patterns: MessageSignals.humanPatterns + MessageSignals.strongPatterns + MessageSignals.mildPatterns
            + InjectionDetector.kindPatterns.flatMap(\.1)
            + ConfirmationReader.unclearPatterns + ConfirmationReader.yesAfterAllPatterns + ConfirmationReader.noPatterns + ConfirmationReader.yesPatterns,
        words: MessageSignals.humanAloneWords + MessageSignals.politeWordList + ConfirmationReader.negationWords + ["please"]
            + InjectionDetector.backwardsCueWords)

    /// The words, by number.
    let words: [[UInt8]]
    /// An open-addressed table of word numbers by the word's hash (`hash`); -1 marks a free slot.
    let table: [Int32]
    let mask: Int
    /// The length of the longest word, in bytes.
    let longest: Int

    init(patterns: [String], words: [String]) {
        var ids: [[UInt8]: Int32] = [:]
        var list: [[UInt8]] = []
        func add(_ w: [UInt8]) {
            if ids[w] == nil {
                ids[w] = Int32(list.count)
                list.append(w)
            }
        }
        for source in patterns {
            for part in source.split(separator: " ") where !part.hasPrefix("~") {
                let alternatives = part.hasSuffix("?") ? part.dropLast() : part
                for a in alternatives.split(separator: "|") where !a.hasSuffix("*") { add(Array(a.utf8)) }
            }
        }
        for w in words { add(Array(w.utf8)) }
        self.words = list
        longest = list.map(\.count).max() ?? 0
        var size = 64
        while size < list.count * 4 { size *= 2 }
        var table = [Int32](repeating: -1, count: size)
        for (n, w) in list.enumerated() {
            var i = w.withUnsafeBufferPointer { Int(truncatingIfNeeded: PhraseVocabulary.hash($0)) } & (size - 1)
            while table[i] >= 0 { i = (i + 1) & (size - 1) }
            table[i] = Int32(n)
        }
        self.table = table
        mask = size - 1
    }

    /// FNV-1a over the bytes: one multiply a byte, no `Hasher`.
    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h = (h ^ UInt64(x)) &* 0x0000_0100_0000_01B3 }
        return h ^ (h >> 29)
    }

    /// The number of a word; -1 for a word no pattern names.
    func id(_ word: [UInt8]) -> Int32 { word.withUnsafeBufferPointer(id) }

    /// The number of a word's bytes; -1 for a word no pattern names.
    func id(_ b: UnsafeBufferPointer<UInt8>) -> Int32 {
        table.withUnsafeBufferPointer { table in words.withUnsafeBufferPointer { words in PhraseVocabulary.id(b, table, words, mask) } }
    }

    /// `id(_:)` on the tables already in hand (no array retained per word).
    @inline(__always)
    static func id(_ b: UnsafeBufferPointer<UInt8>, _ table: UnsafeBufferPointer<Int32>, _ words: UnsafeBufferPointer<[UInt8]>, _ mask: Int) -> Int32 {
        var i = Int(truncatingIfNeeded: hash(b)) & mask
        while true {
            let n = table[i]
            if n < 0 { return -1 }
            // The lengths first, then the bytes with `memcmp` (a generic `elementsEqual` compared them one call at a time).
            if words[Int(n)].withUnsafeBufferPointer({ w in
                w.count == b.count && (w.count == 0 || memcmp(w.baseAddress!, b.baseAddress!, w.count) == 0)
            }) { return n }
            i = (i + 1) & mask
        }
    }

    /// The number of each word of a message, and which phrase sets may match somewhere in it (`PhraseStarts`).
    func number(_ words: MessageText.Words) -> (ids: WordNumbers, sets: UInt16) {
        let n = words.count
        guard n > 0 else { return (WordNumbers(), 0) }
        let starts = PhraseStarts.shared
        var sets = starts.anywhere
        // Numbered on the stack, then kept in place for a short message, else copied into an array
        // made by `reserveCapacity` (see `MessageText.readASCII`).
        var ids = WordNumbers()
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: n) { out in
            words.storage.withUnsafeBufferPointer { storage in
                table.withUnsafeBufferPointer { table in
                    self.words.withUnsafeBufferPointer { list in
                        starts.byWord.withUnsafeBufferPointer { byWord in
                            starts.byFirstByte.withUnsafeBufferPointer { byFirstByte in
                                for i in 0..<n {
                                    let start = words.start(i)
                                    let end = words.end(i)
                                    // No word of the vocabulary is longer than `longest` bytes: a longer word is not hashed.
                                    let id = end - start > longest ? -1 : PhraseVocabulary.id(UnsafeBufferPointer(rebasing: storage[start..<end]), table, list, mask)
                                    out[i] = id
                                    if id >= 0 { sets |= byWord[Int(id)] }
                                    if end > start { sets |= byFirstByte[Int(storage[start])] }
                                }
                            }
                        }
                    }
                }
            }
            ids = WordNumbers(UnsafeBufferPointer(out))
        }
        return (ids, sets)
    }

    /// The number of a word the vocabulary must have (a built-in pattern's or list's word).
    func required(_ word: [UInt8]) -> Int32 {
        let n = id(word)
        precondition(n >= 0, "`\(String(decoding: word, as: UTF8.self))` is not in the phrase vocabulary: add its list to PhraseVocabulary.shared")
        return n
    }

    /// A set of words of the vocabulary, as bits.
    func set(_ words: [String]) -> WordSet { WordSet(words.map { required(Array($0.utf8)) }) }
}

/// Words of the vocabulary, one bit each.
struct WordSet: Sendable {
    let bits: [UInt64]

    init(_ ids: [Int32]) {
        var bits = [UInt64](repeating: 0, count: (ids.max().map { Int($0) } ?? -1) / 64 + 1)
        for id in ids { bits[Int(id) / 64] |= 1 << UInt64(id % 64) }
        self.bits = bits
    }

    @inline(__always)
    func contains(_ id: Int32) -> Bool {
        guard id >= 0 else { return false }
        let i = Int(id) >> 6
        return i < bits.count && bits[i] & (1 << UInt64(id & 63)) != 0
    }
}

/// A message's words and their numbers in the vocabulary, made once per message.
struct PhraseWords: Sendable {
    /// The words (`MessageText.wordSlices`).
    let words: MessageText.Words
    /// Each word's number, -1 for a word no pattern names.
    let ids: WordNumbers
    /// The built-in phrase sets that may match somewhere in the words, as their bits (`PhraseSet.bit`):
    /// a set whose bit is clear has no pattern that can start at any of the words.
    let sets: UInt16

    init(_ words: MessageText.Words) {
        self.words = words
        let numbered = PhraseVocabulary.shared.number(words)
        ids = numbered.ids
        sets = numbered.sets
    }

    var count: Int { words.count }
}

/// The numbers of a message's words: kept in place for a message of up to `inline` words (most
/// messages), in an array for a longer one. An array made for every message was an allocation and
/// a release at every turn.
struct WordNumbers: RandomAccessCollection, Sendable {
    /// The words kept in place at most.
    static let inline = 16
    typealias Sixteen = (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32,
                         Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32)
    private var short: Sixteen = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private var long: [Int32] = []
    let count: Int

    /// The numbers of `buffer`.
    init(_ buffer: UnsafeBufferPointer<Int32>) {
        count = buffer.count
        if count <= Self.inline {
            withUnsafeMutableBytes(of: &short) { raw in
                if let base = buffer.baseAddress { raw.baseAddress!.copyMemory(from: base, byteCount: count * MemoryLayout<Int32>.stride) }
            }
        } else {
            long.reserveCapacity(count)
            long.append(contentsOf: buffer)
        }
    }

    /// No words.
    init() { count = 0 }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(i: Int) -> Int32 {
        precondition(i >= 0 && i < count, "a word number out of range")
        if count > Self.inline { return long[i] }
        return withUnsafeBytes(of: short) { $0.load(fromByteOffset: i * MemoryLayout<Int32>.stride, as: Int32.self) }
    }
}

/// Where the built-in phrase sets may start, by word and by first byte, one bit a set: a message's
/// words are read once for all of them (`PhraseWords.sets`), and a set that cannot start anywhere
/// in a message is not read at all. A set may start at a word when `PhraseSet.mayStart` says so.
struct PhraseStarts: Sendable {
    static let shared = PhraseStarts(sets: [MessageSignals.human, MessageSignals.strongFrustration, MessageSignals.mildFrustration]
        + InjectionDetector.kinds.map(\.1)
        + [ConfirmationReader.unclearPhrases, ConfirmationReader.yesAfterAll, ConfirmationReader.noPhrases, ConfirmationReader.yesPhrases])

    /// By word number: the sets one of whose patterns may start with the word.
    let byWord: [UInt16]
    /// By byte: the sets one of whose patterns may start with a word beginning with it.
    let byFirstByte: [UInt16]
    /// The sets that may start at any word.
    let anywhere: UInt16

    init(sets: [PhraseSet]) {
        let vocabulary = PhraseVocabulary.shared
        var byWord = [UInt16](repeating: 0, count: vocabulary.words.count)
        var byFirstByte = [UInt16](repeating: 0, count: 256)
        var anywhere: UInt16 = 0
        var used: UInt16 = 0
        for set in sets {
            precondition(set.bit != 0 && used & set.bit == 0, "each built-in phrase set has a bit of its own")
            used |= set.bit
            if set.unindexedAnywhere { anywhere |= set.bit }
            for id in byWord.indices where set.startWords.contains(Int32(id)) { byWord[id] |= set.bit }
            if set.hasPrefixStarts { for b in 0..<256 where set.unindexedFirstBytes[b] { byFirstByte[b] |= set.bit } }
        }
        self.byWord = byWord
        self.byFirstByte = byFirstByte
        self.anywhere = anywhere
    }
}

/// A phrase to look for in a message's words, written as data:
/// `ignore|disregard ~3 instructions|rules*` — words separated by spaces, alternatives by `|`,
/// `~N` for up to N words of anything, a final `*` for any word starting so, a final `?` for a
/// word that may be left out (`you are? now`).
struct PhrasePattern: Sendable {
    enum Slot: Sendable {
        case words(exact: WordSet, prefixes: [[UInt8]], optional: Bool)
        case gap(Int)
    }
    let slots: [Slot]
    /// The exact words of the first slot (for indexing), or nil when it takes prefixes or may be left out.
    let firstWords: [Int32]?
    /// The pattern as written.
    let source: String

    init(_ source: String) {
        self.source = source
        let vocabulary = PhraseVocabulary.shared
        var first: [Int32]?
        slots = source.split(separator: " ").enumerated().map { n, part in
            if part.hasPrefix("~"), let gap = Int(part.dropFirst()) { return .gap(gap) }
            var exact: [Int32] = []
            var prefixes: [[UInt8]] = []
            let optional = part.hasSuffix("?")
            for alternative in (optional ? part.dropLast() : part).split(separator: "|") {
                if alternative.hasSuffix("*") { prefixes.append(Array(alternative.dropLast().utf8)) } else { exact.append(vocabulary.required(Array(alternative.utf8))) }
            }
            if n == 0, prefixes.isEmpty, !optional { first = exact }
            return .words(exact: WordSet(exact), prefixes: prefixes, optional: optional)
        }
        firstWords = first
    }

    @inline(__always)
    static func accepts(_ slot: Slot, _ words: PhraseWords, _ i: Int) -> Bool {
        guard case .words(let exact, let prefixes, _) = slot else { return false }
        if exact.contains(words.ids[i]) { return true }
        guard !prefixes.isEmpty else { return false }
        let word = words.words[i]
        for p in prefixes where word.count >= p.count && word.starts(with: p) { return true }
        return false
    }

    /// The end (exclusive) of a match starting at `start`, or nil.
    func match(_ words: PhraseWords, at start: Int) -> Int? {
        match(words, slot: 0, at: start)
    }

    private func match(_ words: PhraseWords, slot: Int, at i: Int) -> Int? {
        if slot == slots.count { return i }
        switch slots[slot] {
        case .gap(let n):
            for skip in 0...n where i + skip <= words.count {
                if let end = match(words, slot: slot + 1, at: i + skip) { return end }
            }
            return nil
        case .words(_, _, let optional):
            if i < words.count, PhrasePattern.accepts(slots[slot], words, i), let end = match(words, slot: slot + 1, at: i + 1) {
                return end
            }
            return optional ? match(words, slot: slot + 1, at: i) : nil
        }
    }
}

/// A list of phrase patterns, indexed by the number of their first word so a message is read once.
/// A class: the sets are read in loops (`InjectionDetector.kinds`), where a struct of ten arrays was
/// copied, retaining and releasing each array, at every set and message.
final class PhraseSet: Sendable {
    let patterns: [PhrasePattern]
    /// By word number `w`: the patterns whose first word it is are `firstPatterns[firstOffsets[w]..<firstOffsets[w + 1]]`.
    let firstOffsets: [Int]
    let firstPatterns: [Int]
    /// The patterns whose first slot takes prefixes or may be left out: tried at every word that may start them.
    let unindexed: [Int]
    /// Whether an unindexed pattern may start at any word (its first slot a gap, optional, or `*`).
    let unindexedAnywhere: Bool
    /// The exact first words of the unindexed patterns, and the first bytes of their prefixes.
    let unindexedExact: WordSet
    let unindexedFirstBytes: [Bool]
    /// Every word number a match may start at (the indexed first words and `unindexedExact`): a
    /// scan of a message's words passes over the other words without trying a pattern there.
    let startWords: WordSet
    /// Whether some unindexed pattern starts with a prefix (then `unindexedFirstBytes` is read too).
    let hasPrefixStarts: Bool
    /// The set's bit in `PhraseStarts` (a built-in set), or 0 for a set read at every word.
    let bit: UInt16

    init(_ sources: [String], bit: UInt16 = 0) {
        self.bit = bit
        let patterns = sources.map(PhrasePattern.init)
        self.patterns = patterns
        var index = [[Int]](repeating: [], count: PhraseVocabulary.shared.words.count)
        var rest: [Int] = []
        var anywhere = false
        var exact: [Int32] = []
        var firstBytes = [Bool](repeating: false, count: 256)
        for (i, p) in patterns.enumerated() {
            if let first = p.firstWords {
                for w in first where !index[Int(w)].contains(i) { index[Int(w)].append(i) }
                continue
            }
            rest.append(i)
            guard case .words(let words, let prefixes, let optional)? = p.slots.first, !optional else { anywhere = true; continue }
            exact += PhraseVocabulary.shared.words.indices.filter { words.contains(Int32($0)) }.map(Int32.init)
            for prefix in prefixes {
                if let b = prefix.first { firstBytes[Int(b)] = true } else { anywhere = true }
            }
        }
        var offsets = [0]
        for patterns in index { offsets.append(offsets[offsets.count - 1] + patterns.count) }
        startWords = WordSet(index.indices.filter { !index[$0].isEmpty }.map(Int32.init) + exact)
        hasPrefixStarts = firstBytes.contains(true)
        firstOffsets = offsets
        firstPatterns = index.flatMap { $0 }
        unindexed = rest
        unindexedAnywhere = anywhere
        unindexedExact = WordSet(exact)
        unindexedFirstBytes = firstBytes
    }

    /// The first pattern that matches at `start`, and the words it covers.
    func match(_ words: PhraseWords, at start: Int) -> (pattern: PhrasePattern, words: Range<Int>)? {
        guard mayMatch(words), mayStart(words, start) else { return nil }
        let id = words.ids[start]
        if id >= 0 {
            for k in firstOffsets[Int(id)]..<firstOffsets[Int(id) + 1] {
                let i = firstPatterns[k]
                if let end = patterns[i].match(words, at: start) { return (patterns[i], start..<end) }
            }
        }
        guard !unindexed.isEmpty else { return nil }
        // No unindexed pattern can start at a word that is not one of their first words and starts with none of their prefixes.
        guard unindexedAnywhere || unindexedExact.contains(id) || unindexedFirstBytes[Int(words.words.storage[words.words.start(start)])] else { return nil }
        for i in unindexed {
            if let end = patterns[i].match(words, at: start) { return (patterns[i], start..<end) }
        }
        return nil
    }

    /// Whether a match may start at word `i`: when not, `match(_:at:)` finds none there. Most words
    /// of a message start no pattern of a set, and this test costs a bit look-up, not a call.
    @inline(__always)
    func mayStart(_ words: PhraseWords, _ i: Int) -> Bool {
        if unindexedAnywhere || startWords.contains(words.ids[i]) { return true }
        return hasPrefixStarts && unindexedFirstBytes[Int(words.words.storage[words.words.start(i)])]
    }

    /// Whether a match may start at some word: false when the words' `sets` say no pattern of this
    /// set can start at any of them.
    @inline(__always)
    func mayMatch(_ words: PhraseWords) -> Bool { bit == 0 || words.sets & bit != 0 }

    /// The first match in reading order.
    func firstMatch(_ words: PhraseWords) -> (pattern: PhrasePattern, words: Range<Int>)? {
        guard mayMatch(words) else { return nil }
        for start in 0..<words.count where mayStart(words, start) { if let m = match(words, at: start) { return m } }
        return nil
    }

    /// How many matches the words hold, in reading order, not overlapping.
    func matchCount(_ words: PhraseWords) -> Int {
        guard mayMatch(words) else { return 0 }
        var count = 0
        var start = 0
        while start < words.count {
            if mayStart(words, start), let m = match(words, at: start) {
                count += 1
                start = max(m.words.upperBound, start + 1)
            } else {
                start += 1
            }
        }
        return count
    }

    /// The words of a range, joined by spaces.
    static func quote(_ words: PhraseWords, _ range: Range<Int>) -> String {
        range.map { String(decoding: words.words[$0], as: UTF8.self) }.joined(separator: " ")
    }
}
