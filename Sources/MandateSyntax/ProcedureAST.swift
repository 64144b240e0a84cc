import MandateDiagnostics

/// A value with the range it was written at. Ranges stay out of equality.
public struct Located<Value: Sendable>: Sendable {
    /// The value.
    public var value: Value
    /// Where it was written.
    public var range: SourceRange
    /// Makes a located value.
    public init(_ value: Value, _ range: SourceRange) {
        self.value = value
        self.range = range
    }
}

extension Located: Equatable where Value: Equatable {
    /// Equal when the values are; ranges do not count.
    public static func == (lhs: Located, rhs: Located) -> Bool { lhs.value == rhs.value }
}

/// One `.procedure` file.
public struct ProcedureFile: Sendable {
    /// The file's display path.
    public var path: String
    /// `Procedure: …`
    public var name: Located<String>?
    /// `Goal: …`
    public var goal: Located<String>?
    /// `Handles: a, b`
    public var handles: [Located<String>]
    /// `Requires: a verified customer`
    public var requiresVerifiedCustomer: Located<Bool>?
    /// Decision tables declared in the file.
    public var tables: [DecisionTable]
    /// The top-level steps (a run of `body.steps`).
    public var steps: StepList
    /// `# mandate: allow CODE because "…"` lines.
    public var suppressions: [Suppression]
    /// Every step and statement of the file; `steps` and the lists inside them name runs of it.
    public var body: ProcedureBody

    /// The steps of `list`, one of this file's.
    public subscript(_ list: StepList) -> ArraySlice<Step> { body[list] }
    /// The statements of `list`, one of this file's.
    public subscript(_ list: StatementList) -> ArraySlice<Statement> { body[list] }
}

/// The steps and statements of one file, each list of them a run of one of two arrays.
///
/// A file's tree holds many short lists (each step's statements, each `If`'s sub-steps, each
/// clause list): as arrays of their own they cost an allocation each, about 40 a generated
/// file. Here a list is a start and a count (`StepList`, `StatementList`), read through the
/// file's body; a list's items are contiguous and in order. The arrays may also hold blank
/// places that no list names (left by the parser when it dropped or moved an item): read
/// them through lists only.
public struct ProcedureBody: Sendable {
    /// Every step of the file, each list's contiguous.
    public internal(set) var steps: [Step] = []
    /// Every statement of the file, each list's contiguous.
    public internal(set) var statements: [Statement] = []

    /// Makes an empty body.
    public init() {}

    /// The steps of `list`.
    public subscript(_ list: StepList) -> ArraySlice<Step> { steps[list.range] }
    /// The statements of `list`.
    public subscript(_ list: StatementList) -> ArraySlice<Statement> { statements[list.range] }
}

/// A list of steps or of statements: a run of its file's `ProcedureBody.steps` or
/// `ProcedureBody.statements`.
public struct BodyList<Element>: Sendable, Equatable {
    let start: Int32
    let length: Int32
    init(start: Int, count: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.length = Int32(truncatingIfNeeded: count)
    }
    /// How many it holds.
    public var count: Int { Int(length) }
    /// The positions of its items in their array of `ProcedureBody`.
    public var range: Range<Int> { Int(start)..<Int(start) + Int(length) }
    /// Whether it holds nothing.
    public var isEmpty: Bool { length == 0 }
    /// The empty list.
    public static var empty: BodyList { BodyList(start: 0, count: 0) }
}

/// A list of steps: a run of its file's `ProcedureBody.steps`.
public typealias StepList = BodyList<Step>
/// A list of statements: a run of its file's `ProcedureBody.statements`.
public typealias StatementList = BodyList<Statement>

/// `# mandate: allow M0412 because "…"` — silences one code on the next step.
public struct Suppression: Sendable {
    /// The code silenced.
    public var code: Located<String>
    /// Why (mandatory).
    public var reason: Located<String>?
    /// The comment line.
    public var range: SourceRange
    /// What it silences: the next step and its sub-steps (nil when no step follows).
    public var scope: SourceRange?
}

/// A numbered or lettered step.
public struct Step: Sendable {
    /// `3` or `b`.
    public var label: Located<String>
    /// What the step does, in order.
    public var statements: StatementList
    /// The whole step, marker to last line.
    public var range: SourceRange
}

/// One sentence of a step, with its range.
public struct Statement: Sendable {
    /// What it says.
    public var kind: StatementKind
    /// Where it is.
    public var range: SourceRange
}

/// The sentence forms.
///
/// `indirect`: each form's fields live in one box, so a statement is copied with one retain
/// instead of one per field. The lowering reads every statement twice, and passing one from
/// an array to a function copies it: on the generated 1,000-file project this costs the
/// parser about 3 M instructions of allocation and saves the lowering about 55 M.
public indirect enum StatementKind: Sendable {
    /// `Ask for the order number.`
    case ask(Ask)
    /// `Confirm "…?"` with what to do if the customer declines.
    case confirm(question: Template, onDecline: StatementList)
    /// `Say "…".`
    case say(Template)
    /// `Escalate to billing because "…".`
    case escalate(queue: Located<String>, reason: Located<String>)
    /// `Resolve as refund_issued.`
    case resolve(outcome: Located<String>)
    /// `Set the free bags to …`
    case set(target: NounPhrase, value: Expression)
    /// `Follow "Verify the customer".`
    case follow(procedure: Located<String>)
    /// `Verify the customer by email, or by name and zip code.`
    case verify(methods: [[NounPhrase]])
    /// `For each item in the items:` and its sub-steps.
    case forEach(variable: Located<String>, list: Expression, body: StepList)
    /// `Add the new item to the new items.`
    case add(value: Expression, list: NounPhrase)
    /// `If …` with its branches.
    case conditional(condition: Condition, then: Branch, otherwise: Branch?)
    /// A sentence matched later against the action catalog's phrases.
    case action(ActionSentence)
    /// A sentence that could not be read; a diagnostic was reported.
    case invalid
}

/// `Ask for …` with its options.
public struct Ask: Sendable {
    /// The slot asked for.
    public var slot: NounPhrase
    /// `: "a" or "b"` — the only accepted answers.
    public var choices: [Located<String>]
    /// `, from the order items` — answers must come from this list.
    public var from: Expression?
    /// `… again` — re-ask a slot already asked.
    public var again: Bool
}

/// A branch of an `If`: clauses on the same line, or sub-steps.
public enum Branch: Sendable {
    /// `If …, say … and resolve as …`
    case clauses(StatementList)
    /// `If …:` and lettered sub-steps.
    case steps(StepList)
}

/// A sentence the catalog's phrases will match.
public struct ActionSentence: Sendable {
    /// The tokens of its file's action sentences (shared, not copied); the sentence's are `window`.
    let storage: ActionTokens
    /// Which of `storage.tokens` are the sentence's.
    let window: Range<Int>
    /// The sentence.
    public var range: SourceRange

    init(storage: ActionTokens, window: Range<Int>, range: SourceRange) {
        self.storage = storage
        self.window = window
        self.range = range
    }

    /// Its tokens, punctuation included; indices run over `tokens.indices` (not from 0).
    public var tokens: ArraySlice<Token> { storage.tokens[window] }
    /// The texts its tokens do not hold themselves (see `Token.bits`).
    var texts: [String] { storage.texts }
    /// The text of one of its tokens (lowercased word, quoted content, number as written).
    public func text(_ token: Token) -> String { token.text(in: storage.texts) }
}

/// The tokens of one file's action sentences, one sentence after another, and the texts they
/// do not hold themselves. Only these outlive the parse: the file's other tokens are freed
/// with its line layer, so a parsed project does not keep every token of every file.
///
/// INVARIANT: written once, by the parser of its file (`SentenceParser.finishActions`), before
/// the file's syntax tree is returned; read-only afterwards, which is what makes it `Sendable`
/// and what lets its reads skip the runtime's exclusivity checks.
final class ActionTokens: @unchecked Sendable {
    /// The tokens of every action sentence of the file, in the order they were read.
    @exclusivity(unchecked) var tokens: [Token] = []
    /// The file's texts that are not kept in their tokens (see `Token.bits`).
    let texts: [String]

    init(texts: [String]) {
        self.texts = texts
    }
}

/// A `Say` or `Confirm` text with `{placeholders}`.
public struct Template: Sendable {
    /// A piece of a template.
    public enum Part: Sendable, Equatable {
        /// Literal text.
        case text(String)
        /// `{order.total}` — the path and where it is.
        case placeholder([String], SourceRange)

        /// Equal ignoring ranges.
        public static func == (lhs: Part, rhs: Part) -> Bool {
            switch (lhs, rhs) {
            case (.text(let a), .text(let b)): a == b
            case (.placeholder(let a, _), .placeholder(let b, _)): a == b
            default: false
            }
        }
    }
    /// Where a placeholder is: the UTF-8 offsets in `text` of its `{` and of its `}`.
    public struct Braces: Sendable, Equatable {
        /// The offset of `{`.
        public let open: Int32
        /// The offset of `}`.
        public let close: Int32
    }
    /// A template's placeholders, in order: the first two held in place, any others in an
    /// array, so that most templates (two placeholders or fewer) cost no allocation.
    public struct Placeholders: Sendable, RandomAccessCollection {
        var first = Braces(open: 0, close: 0)
        var second = Braces(open: 0, close: 0)
        var others: [Braces] = []
        var length: Int32 = 0

        /// No placeholder.
        public init() {}
        /// The placeholders `list`, in order.
        public init(_ list: [Braces]) {
            for b in list { append(b) }
        }
        mutating func append(_ b: Braces) {
            switch length {
            case 0: first = b
            case 1: second = b
            default: others.append(b)
            }
            length += 1
        }
        /// The first.
        public var startIndex: Int { 0 }
        /// One past the last.
        public var endIndex: Int { Int(length) }
        /// The placeholder at `k`.
        public subscript(_ k: Int) -> Braces {
            precondition(k >= 0 && k < Int(length), "placeholder index out of range")
            return k == 0 ? first : k == 1 ? second : others[k - 2]
        }
    }
    /// The text as written, without quotes.
    public var text: String
    /// The placeholders, in order; the text between them is literal. Offsets rather than
    /// strings, so reading a template costs no allocation beyond its text's when it has two
    /// placeholders or fewer, whatever its length.
    public let braces: Placeholders
    /// The quoted text, quotes included.
    public var range: SourceRange

    /// Makes a template whose placeholders are at `braces`.
    init(text: String, braces: Placeholders, range: SourceRange) {
        self.text = text
        self.braces = braces
        self.range = range
    }

    /// Text and placeholders in order.
    public var parts: [Part] {
        var out: [Part] = []
        forEachPart { piece in
            switch piece {
            case .text(let s): out.append(.text(s))
            case .placeholder(let braces): out.append(.placeholder(path(of: braces), self.range(of: braces)))
            }
        }
        return out
    }

    /// A piece of the template as `forEachPart` gives it.
    public enum Piece {
        /// Literal text.
        case text(String)
        /// A placeholder.
        case placeholder(Braces)
    }

    /// Calls `body` with the text pieces and the placeholders, in order.
    public func forEachPart(_ body: (Piece) -> Void) {
        var start = 0
        let n = text.utf8.count
        for b in braces {
            if start < Int(b.open) { body(.text(slice(start, Int(b.open)))) }
            body(.placeholder(b))
            start = Int(b.close) + 1
        }
        if start < n { body(.text(slice(start, n))) }
    }

    /// The text of `text`'s UTF-8 bytes `start..<end` (a whole piece: never splits a character).
    func slice(_ start: Int, _ end: Int) -> String {
        if start == 0, end == text.utf8.count { return text }
        var t = text
        return t.withUTF8 { SmallWords.exact($0, start, end) }
    }

    /// Where a placeholder is in the file, braces included.
    public func range(of b: Braces) -> SourceRange {
        let offset = range.start + 1 + Int(b.open)
        return SourceRange(pathID: range.pathID, start: offset, end: offset + Int(b.close) - Int(b.open) + 1)
    }

    /// A placeholder's path: `{ Order.Total }` → `["order", "total"]` (see `SentenceParser.placeholderPath`).
    public func path(of b: Braces) -> [String] {
        var t = text
        return t.withUTF8 { SentenceParser.placeholderPath($0, Int(b.open) + 1, Int(b.close)) }
    }

    /// A placeholder as the noun phrase it names: each piece of its path is a segment, as a
    /// possessive splits them (`{order.total}` reads as `order's total`).
    public func phrase(of b: Braces) -> NounPhrase {
        let path = path(of: b)
        return NounPhrase(words: path, breaks: path.count > 1 ? Array(1..<path.count) : [], range: range(of: b))
    }
}

/// Words that name a value: `the order total`, `the customer's membership`.
public struct NounPhrase: Sendable, Equatable {
    /// The lowercased words, in order, without the determiner, joined by single spaces (no
    /// word holds a space): one string, which holds itself when it is 15 ASCII bytes or
    /// fewer, as most phrases are — a phrase usually costs no allocation.
    public let spelled: String
    /// Where possessives split the words: `the customer's membership` → [1].
    /// Usually empty, so it costs nothing.
    public let breaks: [Int]
    /// Where it is.
    public var range: SourceRange

    /// Lowercased words, in order, without the determiner.
    public var words: [String] { pieces(splittingUnderscores: false) }
    /// The words with their `_` split off, empty pieces dropped: `order_number total` →
    /// `order`, `number`, `total` (how the compiler compares names).
    public var wordsSplitAtUnderscores: [String] { pieces(splittingUnderscores: true) }

    /// The pieces of `spelled` between spaces (empty ones kept: a placeholder's path may have
    /// them), or between spaces and `_` (empty ones dropped). A small ASCII string's pieces are
    /// cut from its bits, each a small string itself: one allocation, the list's.
    func pieces(splittingUnderscores: Bool) -> [String] {
        if spelled.isEmpty { return [] }
        if SmallWords.enabled {
            let x = unsafeBitCast(spelled, to: (UInt64, UInt64).self)
            if x.1 >> 60 == 0xE {
                let n = Int((x.1 >> 56) & 0x0F)
                let bytes = UInt128(x.0) | UInt128(x.1 & 0x00FF_FFFF_FFFF_FFFF) << 64
                var out: [String] = []
                out.reserveCapacity(4)
                var start = 0
                for k in 0...n {
                    if k < n {
                        let byte = UInt8(truncatingIfNeeded: bytes >> UInt128(8 * k))
                        guard byte == 0x20 || (splittingUnderscores && byte == 0x5F) else { continue }
                    }
                    let length = k - start
                    if length > 0 {
                        let piece = (bytes >> UInt128(8 * start)) & ((UInt128(1) << UInt128(8 * length)) - 1)
                        out.append(unsafeBitCast(
                            (UInt64(truncatingIfNeeded: piece), SmallWords.tagged(UInt64(truncatingIfNeeded: piece >> 64), length)),
                            to: String.self))
                    } else if !splittingUnderscores {
                        out.append("")
                    }
                    start = k + 1
                }
                return out
            }
        }
        if splittingUnderscores {
            return spelled.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x5F }).map { String(Substring($0)) }
        }
        return spelled.utf8.split(separator: 0x20, omittingEmptySubsequences: false).map { String(Substring($0)) }
    }
    /// The words joined by `_`, the form names take in the plan (`order_number`).
    public var name: String { SmallWords.replacingSpaces(spelled) }
    /// The key of the last word (`none` when it has none, or there are no words), read
    /// from a small string's bits without splitting it.
    var lastWordKey: WordKey {
        if SmallWords.enabled {
            let x = unsafeBitCast(spelled, to: (UInt64, UInt64).self)
            if x.1 >> 60 == 0xE {
                let n = Int((x.1 >> 56) & 0x0F)
                guard n > 0 else { return .none }
                let bytes = UInt128(x.0) | UInt128(x.1 & 0x00FF_FFFF_FFFF_FFFF) << 64
                var k = n
                while k > 0, UInt8(truncatingIfNeeded: bytes >> UInt128(8 * (k - 1))) != 0x20 { k -= 1 }
                let word = bytes >> UInt128(8 * k)
                return WordKey(low: UInt64(truncatingIfNeeded: word), high: SmallWords.tagged(UInt64(truncatingIfNeeded: word >> 64), n - k))
            }
        }
        guard let last = words.last else { return .none }
        return WordKey(last)
    }
    /// The words split at possessives: `the customer's membership` → [[customer], [membership]].
    public var segments: [[String]] {
        let words = words
        var out: [[String]] = []
        var start = 0
        for b in breaks + [words.count] where b > start {
            out.append(Array(words[start..<b]))
            start = b
        }
        return out
    }
    /// The words joined: `customer's membership`.
    public var text: String {
        segments.map { $0.joined(separator: " ") }.joined(separator: "'s ")
    }
    /// Makes a noun phrase from words split at possessives.
    public init(segments: [[String]], range: SourceRange) {
        var words: [String] = []
        var breaks: [Int] = []
        for (k, segment) in segments.enumerated() {
            if k > 0 { breaks.append(words.count) }
            words.append(contentsOf: segment)
        }
        self.init(words: words, breaks: breaks, range: range)
    }
    /// Makes a noun phrase from words (none holding a space) and possessive positions.
    public init(words: [String], breaks: [Int], range: SourceRange) {
        self.init(spelled: words.joined(separator: " "), breaks: breaks, range: range)
    }
    /// Makes a noun phrase from its words joined by single spaces.
    init(spelled: String, breaks: [Int], range: SourceRange) {
        self.spelled = spelled
        self.breaks = breaks
        self.range = range
    }
    /// Equal ignoring ranges.
    public static func == (lhs: NounPhrase, rhs: NounPhrase) -> Bool { lhs.spelled == rhs.spelled && lhs.breaks == rhs.breaks }
}

/// A value written in a condition or a `Set`.
public enum Expression: Sendable {
    /// `$150`, `30 days`, `"delivered"`, `0.75`.
    case literal(Literal, SourceRange)
    /// `now`: the date and time.
    case now(SourceRange)
    /// `today`: the date.
    case today(SourceRange)
    /// `the order total`.
    case noun(NounPhrase)
    /// `the price of the item` — a field of another value.
    indirect case fieldOf(field: NounPhrase, base: Expression)
    /// `the number of passengers [whose …]`.
    indirect case count(list: Expression, whose: Condition?, range: SourceRange)
    /// `the total price of the items`.
    indirect case total(field: NounPhrase, list: Expression, range: SourceRange)
    /// `the free checked bags for the membership and the cabin`.
    ///
    /// `indirect`, as the rarer big cases are: their fields in a box keep `Expression` (and
    /// `Condition`, which holds two) small, so the common cases are moved with a few loads
    /// and stores where they used to be moved by `memcpy`.
    indirect case tableLookup(table: Located<String>, keys: [Expression], range: SourceRange)
    /// `a plus b`.
    indirect case arithmetic(ArithmeticOperator, Expression, Expression)

    /// Where the expression is.
    public var range: SourceRange {
        switch self {
        case .literal(_, let r), .now(let r), .today(let r): r
        case .noun(let n): n.range
        case .fieldOf(let f, let b): f.range.union(b.range)
        case .count(_, _, let r), .total(_, _, let r), .tableLookup(_, _, let r): r
        case .arithmetic(_, let a, let b): a.range.union(b.range)
        }
    }
}

/// A literal value.
public enum Literal: Sendable, Equatable {
    /// `"text"`.
    case text(String)
    /// `42`, `0.75` — kept as written; the compiler reads it exactly.
    case number(String)
    /// `$150`.
    case money(MoneyLiteral)
    /// `80%` in hundredths of a percent.
    case percent(Int)
    /// `30 days`.
    case duration(DurationLiteral)
    /// `2026-11-20`.
    case date(DateLiteral)
    /// `yes`, `no`, `true`, `false`.
    case boolean(Bool)
}

/// A condition.
public enum Condition: Sendable {
    /// `a is more than b`.
    case compare(Expression, ComparisonOperator, Expression)
    /// `a is [not] one of "x", "y"`.
    case oneOf(Expression, [Expression], negated: Bool)
    /// `a is missing` (negated: `is present`).
    case missing(Expression, negated: Bool)
    /// `a contains b`.
    case contains(Expression, Expression, negated: Bool)
    /// `the order was delivered more than 30 days ago`. `indirect`: the largest case, and a
    /// rare one (see `Expression.tableLookup`).
    indirect case time(subject: NounPhrase, verb: Located<String>, relation: TimeRelation)
    /// `every item in the items is available`.
    indirect case quantified(Quantifier, variable: Located<String>, list: Expression, predicate: Condition)
    /// `the item is available`, `the customer is verified`, `the order is delivered`.
    case state(subject: Expression, words: Located<String>, negated: Bool)
    /// `the customer has travel insurance`.
    case has(subject: Expression, words: Located<String>, negated: Bool)
    /// `the customer is on the vip tier`.
    case onTier(subject: Expression, tier: Located<String>, negated: Bool)
    /// `the customer sounds frustrated`.
    case sounds(subject: Expression, words: Located<String>)
    /// `a and b`.
    case and([Condition])
    /// `a or b`.
    case or([Condition])
    /// Could not be read; a diagnostic was reported.
    case invalid(SourceRange)
}

/// `every`, `any`, `no`.
public enum Quantifier: String, Sendable, Codable {
    case every, any, none
}

/// How a moment relates to now.
public enum TimeRelation: Sendable {
    /// `more than 30 days ago`.
    case moreThanAgo(DurationLiteral)
    /// `less than 2 hours ago`.
    case lessThanAgo(DurationLiteral)
    /// `within the last 24 hours`.
    case withinLast(DurationLiteral)
    /// `before 2026-12-01`.
    case before(Expression)
    /// `after …`.
    case after(Expression)
}

/// `Table: free checked bags` and its rows.
public struct DecisionTable: Sendable {
    /// The table's name, lowercased.
    public var name: Located<String>
    /// The first column's header: what the rows are keyed by.
    public var rowHeader: Located<String>
    /// The other headers: the column keys.
    public var columns: [Located<String>]
    /// Each row: its key and its cells.
    public var rows: [(key: Located<String>, cells: [Located<String>])]
    /// The table, name line to last row.
    public var range: SourceRange
}
