import Foundation
import MandateIR

/// Finds the value a procedure asked for in the customer's message, by the slot's type:
/// order numbers by the catalog's pattern, money as exact minor units, dates (absolute and
/// relative to today), emails, numbers, durations, percents, yes or no, and one of a list of
/// choices (typos forgiven). Nothing here is floating point.
public struct EntityExtractor: Sendable {
    /// The project's currency, for amounts written without one ("89 dollars" in a USD project).
    public let currency: String

    /// Makes an extractor for a project with this currency.
    public init(currency: String) { self.currency = currency }

    /// A value of `type` in the customer's message, or nil. `pattern` is the catalog's regex for the slot (e.g. "[0-9]{4,8}"),
    /// `choices` the allowed words for enumerations/choices, `today` for relative dates ("yesterday", "last Tuesday").
    public func extract(_ type: ValueType, pattern: String?, choices: [String], from message: String, today: CalendarDate) -> RuntimeValue? {
        extract(type, pattern: pattern, choices: choices, from: message, text: nil, today: today)
    }

    /// `extract`, given the message already normalised when the caller has it (`text` is `MessageText(message)`).
    func extract(_ type: ValueType, pattern: String?, choices: [String], from message: String, text: MessageText?, today: CalendarDate) -> RuntimeValue? {
        switch type {
        case .text, .identity:
            if let pattern { return EntityPatterns.match(pattern, in: message).map { .text($0) } }
            if !choices.isEmpty { return EntityChoices.pick(choices, in: text ?? MessageText(message)).map { .text($0) } }
            let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : .text(trimmed)
        case .enumeration(let values):
            return EntityChoices.pick(choices.isEmpty ? values : choices, in: text ?? MessageText(message)).map { .text($0) }
        case .email:
            return EntityNumbers.email(in: message).map { .text($0) }
        case .number:
            return EntityNumbers.number(in: message).map { .number($0) }
        case .money:
            return EntityNumbers.money(in: message, currency: currency).map { .money($0) }
        case .percent:
            return EntityNumbers.percent(in: message).map { .percent($0) }
        case .duration:
            return EntityNumbers.duration(in: message).map { .duration(amount: $0.amount, unit: $0.unit) }
        case .date:
            return EntityDates.date(in: message, today: today).map { .date($0) }
        case .datetime:
            return EntityDates.moment(in: message).map { .datetime($0) }
        case .boolean:
            return ConfirmationReader.answer(message, words: PhraseWords((text ?? MessageText(message)).wordSlices)).map { .boolean($0) }
        case .record, .list, .unknown:
            return nil
        }
    }
}

/// Catalog patterns (`[0-9]{4,8}`), compiled once and kept.
enum EntityPatterns {
    final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var compiled: [String: NSRegularExpression?] = [:]
    }
    static let cache = Cache()

    static func regex(_ pattern: String) -> NSRegularExpression? {
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let known = cache.compiled[pattern] { return known }
        // The value stands on its own: not inside a longer run of letters or digits.
        let r = try? NSRegularExpression(pattern: "(?<![A-Za-z0-9])(?:\(pattern))(?![A-Za-z0-9])")
        cache.compiled[pattern] = r
        return r
    }

    /// The best match of `pattern`: one after "order", "#" or "number" wins; one that is an
    /// amount ("$1042") or part of a date is skipped.
    static func match(_ pattern: String, in message: String) -> String? {
        // The message read in place: no array of its bytes is made.
        if let run = digitRun(pattern), FastText.isASCII(message) { return FastText.withBytes(message) { matchDigits(run, in: $0) } }
        return regexMatch(pattern, in: message)
    }

    /// `match` with the compiled regex: any pattern, any message.
    static func regexMatch(_ pattern: String, in message: String) -> String? {
        guard let r = regex(pattern) else { return nil }
        let ns = message as NSString
        var best: (score: Int, text: String)?
        for m in r.matches(in: message, range: NSRange(location: 0, length: ns.length)) {
            let text = ns.substring(with: m.range)
            let before = ns.substring(to: m.range.location).lowercased()
            let after = ns.substring(from: m.range.location + m.range.length).lowercased()
            let beforeTrimmed = before.trimmingCharacters(in: .whitespaces)
            if beforeTrimmed.hasSuffix("$") || beforeTrimmed.hasSuffix("usd") || after.hasPrefix(".") && after.dropFirst().first?.isNumber == true {
                continue
            }
            let afterTrimmed = after.trimmingCharacters(in: .whitespaces)
            if ["dollar", "usd", "buck", "%", "percent", "euro"].contains(where: { afterTrimmed.hasPrefix($0) }) { continue }
            if before.hasSuffix("-") || before.hasSuffix("/") || after.hasPrefix("-") || after.hasPrefix("/") { continue }
            var score = 1
            let tail = beforeTrimmed.suffix(16)
            if tail.hasSuffix("#") || tail.hasSuffix("order") || tail.hasSuffix("number") || tail.hasSuffix("no.") || tail.hasSuffix("order #")
                || tail.hasSuffix("order no") || tail.hasSuffix("order number") || tail.hasSuffix("id") {
                score = 2
            }
            if best == nil || score > best!.score { best = (score, text) }
        }
        return best?.text
    }
}

extension EntityPatterns {
    /// The lengths a pattern of ASCII digits allows: `[0-9]{4,8}` → 4...8, `[0-9]{5}` → 5...5, `[0-9]+`; nil for any other pattern.
    static func digitRun(_ pattern: String) -> ClosedRange<Int>? {
        // Read in place, without an array for the pattern or its bounds: it is read at every look for a value.
        FastText.withBytes(pattern) { p -> ClosedRange<Int>? in
            // `[0-9]` then `+`, `{n}` or `{m,n}`.
            guard p.count >= 6, p[0] == 0x5B, p[1] == 0x30, p[2] == 0x2D, p[3] == 0x39, p[4] == 0x5D else { return nil }
            if p.count == 6 { return p[5] == 0x2B ? 1...Int.max : nil }
            guard p[5] == 0x7B, p[p.count - 1] == 0x7D else { return nil }
            var first: Int?
            var value = 0
            var digits = 0
            for b in p[6..<(p.count - 1)] {
                if b >= 0x30 && b <= 0x39 {
                    digits += 1
                    guard digits < 9 else { return nil }
                    value = value * 10 + Int(b - 0x30)
                } else if b == 0x2C, first == nil, digits > 0 {
                    first = value
                    value = 0
                    digits = 0
                } else {
                    return nil
                }
            }
            guard digits > 0 else { return nil }
            let low = first ?? value, high = value
            guard low >= 1, low <= high else { return nil }
            return low...high
        }
    }

    /// `match` for a digit pattern in an ASCII message, on bytes. What the regex
    /// `(?<![A-Za-z0-9])(?:[0-9]{m,n})(?![A-Za-z0-9])` matches there is exactly each whole run of
    /// digits whose length is within m...n and that no letter or digit touches on either side.
    /// Words after a number that make it an amount, and words before one that make it the number asked for.
    static let amountWords = ["dollar", "usd", "buck", "%", "percent", "euro"]
    static let numberWords = ["#", "order", "number", "no.", "order no", "id"]

    static func matchDigits(_ lengths: ClosedRange<Int>, in b: UnsafeBufferPointer<UInt8>) -> String? {
        func digit(_ x: UInt8) -> Bool { x >= 0x30 && x <= 0x39 }
        func alnum(_ x: UInt8) -> Bool { digit(x) || (x >= 0x61 && x <= 0x7A) || (x >= 0x41 && x <= 0x5A) }
        func space(_ x: UInt8) -> Bool { x == 0x20 || x == 0x09 }
        func lower(_ x: UInt8) -> UInt8 { FastText.lower(x) }
        /// Whether the bytes before `end`, lowercased, end with `suffix`.
        // The words are compared byte by byte as they are: no array is made for them at each digit run.
        func endsWith(_ end: Int, _ suffix: String) -> Bool {
            let s = suffix.utf8
            guard end >= s.count else { return false }
            var k = end - s.count
            for x in s {
                if lower(b[k]) != x { return false }
                k += 1
            }
            return true
        }
        func startsWith(_ start: Int, _ prefix: String) -> Bool {
            let p = prefix.utf8
            guard b.count - start >= p.count else { return false }
            var k = start
            for x in p {
                if lower(b[k]) != x { return false }
                k += 1
            }
            return true
        }
        var best: (score: Int, start: Int, end: Int)?
        var i = 0
        while i < b.count {
            guard digit(b[i]) else { i += 1; continue }
            let s = i
            while i < b.count, digit(b[i]) { i += 1 }
            let e = i
            guard lengths.contains(e - s), s == 0 || !alnum(b[s - 1]), e == b.count || !alnum(b[e]) else { continue }
            // The words around it, as the regex path reads them (whitespace is space and tab).
            var trimmedEnd = s
            while trimmedEnd > 0, space(b[trimmedEnd - 1]) { trimmedEnd -= 1 }
            var afterStart = e
            while afterStart < b.count, space(b[afterStart]) { afterStart += 1 }
            if endsWith(trimmedEnd, "$") || endsWith(trimmedEnd, "usd")
                || (e < b.count && b[e] == 0x2E && e + 1 < b.count && digit(b[e + 1])) {
                continue
            }
            if amountWords.contains(where: { startsWith(afterStart, $0) }) { continue }
            if (s > 0 && (b[s - 1] == 0x2D || b[s - 1] == 0x2F)) || (e < b.count && (b[e] == 0x2D || b[e] == 0x2F)) { continue }
            var score = 1
            if numberWords.contains(where: { endsWith(trimmedEnd, $0) }) { score = 2 }
            if best == nil || score > best!.score { best = (score, s, e) }
        }
        return best.map { String(decoding: UnsafeBufferPointer(rebasing: b[$0.start..<$0.end]), as: UTF8.self) }
    }
}

/// One of a list of choices, forgiving typos.
enum EntityChoices {
    /// The choice the message names, or nil when it names none or several.
    static func pick(_ choices: [String], in text: MessageText) -> String? {
        let words = text.words
        guard !words.isEmpty else { return nil }
        // "1", "the second one", "option 2".
        if let n = ordinal(words), n >= 1, n <= choices.count { return choices[n - 1] }
        var best: (distance: Int, choice: String)?
        var tie = false
        for choice in choices {
            let parts = MessageText(choice.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")).words
            guard !parts.isEmpty, parts.count <= words.count else { continue }
            var bestHere: Int?
            for start in 0...(words.count - parts.count) {
                var total = 0
                var ok = true
                for (k, part) in parts.enumerated() {
                    let d = distance(part, words[start + k])
                    if d > allowed(part) { ok = false; break }
                    total += d
                }
                if ok, bestHere == nil || total < bestHere! { bestHere = total }
            }
            guard let d = bestHere else { continue }
            if best == nil || d < best!.distance {
                best = (d, choice)
                tie = false
            } else if d == best!.distance, best!.choice != choice {
                // A longer exact choice ("store credit") beats a shorter one inside it ("credit").
                tie = true
            }
        }
        return tie ? nil : best?.choice
    }

    /// Typos forgiven: none up to 3 letters, 1 up to 7, 2 beyond.
    static func allowed(_ word: [UInt8]) -> Int { word.count <= 3 ? 0 : (word.count <= 7 ? 1 : 2) }

    static let ordinals: [String: Int] = [
        "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    ]

    /// A number picking an item: the whole message is "2", "option 2", "the second one", "#2".
    static func ordinal(_ words: [[UInt8]]) -> Int? {
        let filler: Set<String> = ["the", "option", "number", "one", "choice", "please", "pls", "no", "i", "want", "pick", "take", "id", "like", "go", "with", "lets", "ill"]
        let strings = words.map { String(decoding: $0, as: UTF8.self) }
        let meaningful = strings.filter { !filler.contains($0) || ordinals[$0] != nil && $0 != "one" }
        let candidates = meaningful.isEmpty ? strings.filter { $0 == "one" } : meaningful
        guard candidates.count == 1, let w = candidates.first else { return nil }
        if let n = Int(w), n < 100 { return n }
        return ordinals[w]
    }

    /// Optimal-string-alignment distance (Levenshtein with swaps of neighbours).
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a == b { return 0 }
        if abs(a.count - b.count) > 2 { return 3 }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
