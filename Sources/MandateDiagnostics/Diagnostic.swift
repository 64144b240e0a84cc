/// How serious a finding is.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    /// Extra information attached to the project.
    case note
    /// Something that will probably go wrong; the plan is still produced.
    case warning
    /// The plan cannot be produced until this is fixed.
    case error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    /// Orders note < warning < error.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A secondary place a diagnostic points at, with what to notice there.
public struct DiagnosticLabel: Sendable, Codable, Hashable {
    /// Where.
    public var range: SourceRange
    /// What to notice, in a few words.
    public var message: String
    /// Makes a label.
    public init(range: SourceRange, message: String) {
        self.range = range
        self.message = message
    }
}

/// An edit that fixes the problem: replace `range` with `replacement`.
public struct FixIt: Sendable, Codable, Hashable {
    /// What the edit does, in a few words.
    public var message: String
    /// The text to replace.
    public var range: SourceRange
    /// The new text.
    public var replacement: String
    /// Makes a fix-it.
    public init(message: String, range: SourceRange, replacement: String) {
        self.message = message
        self.range = range
        self.replacement = replacement
    }
}

/// One finding about the operator's files: plain data, rendered elsewhere.
public struct Diagnostic: Sendable, Codable, Hashable {
    /// The stable code (`M0301`); `mandate explain` prints its explanation.
    public var code: DiagnosticCode
    /// Error, warning or note.
    public var severity: Severity
    /// One line, lowercase start, no final period; names in backticks.
    public var message: String
    /// The place the finding is about, when there is one.
    public var range: SourceRange?
    /// What the primary range's underline says.
    public var primaryLabel: String?
    /// Other places worth seeing.
    public var labels: [DiagnosticLabel]
    /// Further facts.
    public var notes: [String]
    /// What to write instead.
    public var help: String?
    /// Edits that fix it.
    public var fixIts: [FixIt]

    /// Makes a diagnostic with the code's default severity unless one is given.
    public init(
        _ code: DiagnosticCode,
        _ message: String,
        at range: SourceRange?,
        severity: Severity? = nil,
        label: String? = nil,
        labels: [DiagnosticLabel] = [],
        notes: [String] = [],
        help: String? = nil,
        fixIts: [FixIt] = []
    ) {
        self.code = code
        self.severity = severity ?? code.defaultSeverity
        self.message = message
        self.range = range
        self.primaryLabel = label
        self.labels = labels
        self.notes = notes
        self.help = help
        self.fixIts = fixIts
    }
}

extension Array where Element == Diagnostic {
    /// Sorted by file, position, then code: the order every renderer shows.
    public func sortedForDisplay() -> [Diagnostic] {
        enumerated().sorted { a, b in
            let l = a.element, r = b.element
            let lf = l.range?.file ?? "", rf = r.range?.file ?? ""
            if lf != rf { return lf < rf }
            let ls = l.range?.start ?? -1, rs = r.range?.start ?? -1
            if ls != rs { return ls < rs }
            if l.code.rawValue != r.code.rawValue { return l.code.rawValue < r.code.rawValue }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// Suggestions by edit distance, at most three, closest first.
public enum Suggestions {
    /// Candidates within a distance that scales with the word's length.
    public static func closest(to word: String, in candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let target = Array(word.lowercased().unicodeScalars)
        let threshold = max(2, target.count / 3)
        var scored: [(Int, String)] = []
        // `refunded` → `refund_issued`: a long shared start counts, after closer matches.
        let stem = String(String.UnicodeScalarView(target.prefix(max(5, target.count * 2 / 3))))
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased().unicodeScalars), cap: threshold)
            if distance <= threshold {
                scored.append((distance, candidate))
            } else if target.count >= 6, candidate.lowercased().hasPrefix(stem) {
                scored.append((threshold + 1, candidate))
            } else if word.contains("_"), Set(word.lowercased().split(separator: "_")).isSubset(of: Set(candidate.lowercased().split(separator: "_"))) {
                // `max_refund` → `max_per_refund`: every word of it is there.
                scored.append((threshold + 1, candidate))
            }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var seen = Set<String>()
        return scored.compactMap { seen.insert($0.1).inserted ? $0.1 : nil }.prefix(limit).map { $0 }
    }

    /// Levenshtein distance, stopping early above `cap`.
    public static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], cap: Int = .max) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        if abs(a.count - b.count) > cap { return cap + 1 }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMin = Swift.min(rowMin, current[j])
            }
            if rowMin > cap { return cap + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// "did you mean `a`, `b` or `c`?" — nil when there is nothing close.
    public static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String? {
        let found = closest(to: word, in: candidates)
        guard !found.isEmpty else { return nil }
        return "did you mean " + Suggestions.list(found.map { "`\($0)`" }, joiner: "or") + "?"
    }

    /// Joins `a`, `b` and `c` in English.
    public static func list(_ items: [String], joiner: String = "and") -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(joiner) " + items[items.count - 1]
        }
    }
}
