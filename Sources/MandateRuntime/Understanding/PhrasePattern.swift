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
        var i = Int(truncatingIfNeeded: PhraseVocabulary.hash(b)) & mask
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
    let ids: [Int32]

    init(_ words: MessageText.Words) {
        self.words = words
        let vocabulary = PhraseVocabulary.shared
        ids = words.storage.withUnsafeBufferPointer { b in
            (0..<words.count).map { i in vocabulary.id(UnsafeBufferPointer(rebasing: b[words.start(i)..<words.end(i)])) }
        }
    }

    var count: Int { words.count }
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

    init(_ sources: [String]) {
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
        guard mayStart(words, start) else { return nil }
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

    /// The first match in reading order.
    func firstMatch(_ words: PhraseWords) -> (pattern: PhrasePattern, words: Range<Int>)? {
        for start in 0..<words.count where mayStart(words, start) { if let m = match(words, at: start) { return m } }
        return nil
    }

    /// How many matches the words hold, in reading order, not overlapping.
    func matchCount(_ words: PhraseWords) -> Int {
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
