/// The words of the procedure language, as data: sentence forms, comparison phrases,
/// arithmetic, header names and duration units. The parser reads these tables; adding a
/// synonym is a one-line change here.
public enum Vocabulary {
    /// What kind of sentence a form is.
    public enum SentenceKind: String, Sendable, CaseIterable {
        case ask, confirm, say, escalate, resolve, set, follow, verify, forEach, add, conditional
    }

    /// One sentence form: the words that start it and how it is written in full.
    public struct SentenceForm: Sendable {
        /// The kind of sentence.
        public let kind: SentenceKind
        /// Lowercased leading words that select this form.
        public let lead: [String]
        /// The form as shown to an operator.
        public let template: String
    }

    /// Every sentence form, most specific first.
    public static let sentenceForms: [SentenceForm] = [
        SentenceForm(kind: .ask, lead: ["ask", "for"], template: "Ask for the <value>."),
        SentenceForm(kind: .confirm, lead: ["confirm"], template: "Confirm \"<question>\"."),
        SentenceForm(kind: .say, lead: ["say"], template: "Say \"<message>\"."),
        SentenceForm(kind: .escalate, lead: ["escalate", "to"], template: "Escalate to <queue> because \"<reason>\"."),
        SentenceForm(kind: .escalate, lead: ["hand", "off", "to"], template: "Hand off to <queue> because \"<reason>\"."),
        SentenceForm(kind: .resolve, lead: ["resolve", "as"], template: "Resolve as <outcome>."),
        SentenceForm(kind: .set, lead: ["set"], template: "Set <name> to <value>."),
        SentenceForm(kind: .follow, lead: ["follow"], template: "Follow \"<procedure name>\"."),
        SentenceForm(kind: .verify, lead: ["verify", "the", "customer"], template: "Verify the customer by <detail>, or by <detail> and <detail>."),
        SentenceForm(kind: .forEach, lead: ["for", "each"], template: "For each <item> in <list>:"),
        SentenceForm(kind: .add, lead: ["add"], template: "Add <value> to <list>."),
        SentenceForm(kind: .conditional, lead: ["if"], template: "If <condition>, <step>."),
    ]

    /// The first words of every sentence form: where an action sentence stops after `and`.
    public static let sentenceStarters: Set<String> = Set(sentenceForms.map { $0.lead[0] })

    /// Header names and what each holds.
    public static let headers: [String] = ["procedure", "goal", "handles", "requires"]

    /// Comparison phrases after `is`, longest first.
    public static let comparisons: [(words: [String], op: ComparisonOperator)] = [
        (["more", "than"], .greaterThan), (["greater", "than"], .greaterThan), (["higher", "than"], .greaterThan),
        (["over"], .greaterThan), (["above"], .greaterThan),
        (["at", "least"], .atLeast), (["no", "less", "than"], .atLeast),
        (["less", "than"], .lessThan), (["fewer", "than"], .lessThan), (["lower", "than"], .lessThan),
        (["under"], .lessThan), (["below"], .lessThan),
        (["at", "most"], .atMost), (["no", "more", "than"], .atMost),
        (["equal", "to"], .equal),
    ]

    /// The last words of the comparison phrases (`than`, `least`, …).
    public static let comparisonEnds: Set<String> = Set(comparisons.map { $0.words.last! })

    /// Arithmetic words.
    public static let arithmetic: [String: ArithmeticOperator] = ["plus": .add, "minus": .subtract, "times": .multiply]

    /// Words that end a noun phrase.
    public static let stopWords: Set<String> = [
        "is", "are", "was", "were", "has", "have", "had", "does", "do", "contains", "contain",
        "and", "or", "plus", "minus", "times", "because", "whose", "of", "then", "sounds", "seems",
    ]

    /// Determiners a noun phrase may start with.
    public static let determiners: Set<String> = Set(determinerList)

    /// The same words as lists, for the parser: a list of short words is searched faster
    /// than a set is hashed (see `SmallWords`).
    static let determinerList = ["the", "a", "an"]
    static let stopWordList = Array(stopWords).sorted()
    static let sentenceStarterList = Array(sentenceStarters).sorted()
    /// The same lists as keys (`WordKey`), as the parser compares them.
    static let determinerKeys = WordKey.list(determinerList)
    /// `stopWords` and `sentenceStarters` as `KeySet`s: tested on every word of a noun phrase
    /// or an action sentence.
    static let stopWordSet = KeySet(stopWordList)
    static let sentenceStarterSet = KeySet(sentenceStarterList)
    static let comparisonKeys: [(keys: [WordKey], op: ComparisonOperator)] = comparisons.map { (WordKey.list($0.words), $0.op) }

    /// Duration unit words.
    public static let durationUnits: [String: DurationLiteral.Unit] = [
        "minute": .minutes, "minutes": .minutes, "min": .minutes, "mins": .minutes,
        "hour": .hours, "hours": .hours, "hr": .hours, "hrs": .hours,
        "day": .days, "days": .days,
        "week": .weeks, "weeks": .weeks, "month": .months, "months": .months,
        "year": .years, "years": .years,
    ]

    /// Words for yes and no in conditions and values.
    public static let booleans: [String: Bool] = ["yes": true, "no": false, "true": true, "false": false]

    /// The forms shown when a sentence is not understood.
    public static let formList: String =
        sentenceForms.filter { $0.lead != ["hand", "off", "to"] }.map { "`\($0.template)`" }.joined(separator: ", ")
}

/// `is more than`, `is at most`, …
public enum ComparisonOperator: String, Sendable, Hashable, Codable {
    case equal, notEqual, greaterThan, atLeast, lessThan, atMost
}

/// `plus`, `minus`, `times`.
public enum ArithmeticOperator: String, Sendable, Hashable, Codable {
    case add, subtract, multiply
}
