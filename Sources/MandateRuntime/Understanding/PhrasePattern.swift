import MandateIR

/// A phrase to look for in a message's words, written as data:
/// `ignore|disregard ~3 instructions|rules*` — words separated by spaces, alternatives by `|`,
/// `~N` for up to N words of anything, a final `*` for any word starting so, a final `?` for a
/// word that may be left out (`you are? now`).
struct PhrasePattern: Sendable {
    enum Slot: Sendable {
        case words(exact: Set<[UInt8]>, prefixes: [[UInt8]], optional: Bool)
        case gap(Int)
    }
    let slots: [Slot]
    /// The pattern as written.
    let source: String

    init(_ source: String) {
        self.source = source
        slots = source.split(separator: " ").map { part in
            if part.hasPrefix("~"), let n = Int(part.dropFirst()) { return .gap(n) }
            var exact: Set<[UInt8]> = []
            var prefixes: [[UInt8]] = []
            let optional = part.hasSuffix("?")
            for alternative in (optional ? part.dropLast() : part).split(separator: "|") {
                if alternative.hasSuffix("*") { prefixes.append(Array(alternative.dropLast().utf8)) } else { exact.insert(Array(alternative.utf8)) }
            }
            return .words(exact: exact, prefixes: prefixes, optional: optional)
        }
    }

    /// The exact words the first slot accepts (for indexing), or nil when it takes prefixes too.
    var firstWords: Set<[UInt8]>? {
        guard case .words(let exact, let prefixes, let optional)? = slots.first, prefixes.isEmpty, !optional else { return nil }
        return exact
    }

    static func accepts(_ slot: Slot, _ word: [UInt8]) -> Bool {
        guard case .words(let exact, let prefixes, _) = slot else { return false }
        if exact.contains(word) { return true }
        for p in prefixes where word.count >= p.count && word.starts(with: p) { return true }
        return false
    }

    /// The end (exclusive) of a match starting at `start`, or nil.
    func match(_ words: [[UInt8]], at start: Int) -> Int? {
        match(words, slot: 0, at: start)
    }

    private func match(_ words: [[UInt8]], slot: Int, at i: Int) -> Int? {
        if slot == slots.count { return i }
        switch slots[slot] {
        case .gap(let n):
            for skip in 0...n where i + skip <= words.count {
                if let end = match(words, slot: slot + 1, at: i + skip) { return end }
            }
            return nil
        case .words(_, _, let optional):
            if i < words.count, PhrasePattern.accepts(slots[slot], words[i]), let end = match(words, slot: slot + 1, at: i + 1) {
                return end
            }
            return optional ? match(words, slot: slot + 1, at: i) : nil
        }
    }
}

/// A list of phrase patterns, indexed by their first word so a message is read once.
struct PhraseSet: Sendable {
    let patterns: [PhrasePattern]
    let byFirstWord: [[UInt8]: [Int]]
    let unindexed: [Int]
    /// Whether some indexed first word has this first byte and length (lengths from 63 up share a bit):
    /// most words of a message are ruled out here, without hashing them.
    let firstWordShapes: [UInt64]

    init(_ sources: [String]) {
        patterns = sources.map(PhrasePattern.init)
        var index: [[UInt8]: [Int]] = [:]
        var rest: [Int] = []
        for (i, p) in patterns.enumerated() {
            if let first = p.firstWords { for w in first { index[w, default: []].append(i) } } else { rest.append(i) }
        }
        byFirstWord = index
        unindexed = rest
        var shapes = [UInt64](repeating: 0, count: 256)
        for w in index.keys where !w.isEmpty { shapes[Int(w[0])] |= 1 << UInt64(min(w.count, 63)) }
        firstWordShapes = shapes
    }

    @inline(__always)
    func mayStart(_ word: [UInt8]) -> Bool {
        guard let first = word.first else { return true }
        return firstWordShapes[Int(first)] & (1 << UInt64(min(word.count, 63))) != 0
    }

    /// The first pattern that matches at `start`, and the words it covers.
    func match(_ words: [[UInt8]], at start: Int) -> (pattern: PhrasePattern, words: Range<Int>)? {
        if mayStart(words[start]), let candidates = byFirstWord[words[start]] {
            for i in candidates { if let end = patterns[i].match(words, at: start) { return (patterns[i], start..<end) } }
        }
        for i in unindexed {
            if let end = patterns[i].match(words, at: start) { return (patterns[i], start..<end) }
        }
        return nil
    }

    /// The first match in reading order.
    func firstMatch(_ words: [[UInt8]]) -> (pattern: PhrasePattern, words: Range<Int>)? {
        for start in words.indices { if let m = match(words, at: start) { return m } }
        return nil
    }

    /// The matches in reading order, not overlapping.
    func allMatches(_ words: [[UInt8]]) -> [(pattern: PhrasePattern, words: Range<Int>)] {
        var out: [(pattern: PhrasePattern, words: Range<Int>)] = []
        var start = 0
        while start < words.count {
            if let m = match(words, at: start) {
                out.append(m)
                start = max(m.words.upperBound, start + 1)
            } else {
                start += 1
            }
        }
        return out
    }

    /// The words of a range, joined by spaces.
    static func quote(_ words: [[UInt8]], _ range: Range<Int>) -> String {
        range.map { String(decoding: words[$0], as: UTF8.self) }.joined(separator: " ")
    }
}
