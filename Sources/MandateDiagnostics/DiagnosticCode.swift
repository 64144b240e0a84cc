/// A stable diagnostic code such as `M0301`. Codes never change meaning once released.
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible, Comparable
{
    /// The code as written (`M0301`).
    public let rawValue: String
    /// Wraps a code.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Wraps a code literal.
    public init(stringLiteral value: String) { self.rawValue = value }
    /// The code.
    public var description: String { rawValue }
    /// Orders by code.
    public static func < (lhs: DiagnosticCode, rhs: DiagnosticCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The registry entry, when the code is known.
    public var info: DiagnosticCodeInfo? { DiagnosticCodeInfo.byCode[self] }
    /// The severity a finding with this code has unless a project overrides it.
    public var defaultSeverity: Severity { info?.severity ?? .error }
}

/// What the registry knows of one code.
public struct DiagnosticCodeInfo: Sendable {
    /// The code.
    public let code: DiagnosticCode
    /// Its default severity.
    public let severity: Severity
    /// A short title, lowercase, for lists.
    public let title: String

    /// Every code Mandate can report, in code order.
    public static let all: [DiagnosticCodeInfo] = [
        // Reading files.
        .init(code: .projectNotFound, severity: .error, title: "no project at this path"),
        .init(code: .fileMissing, severity: .error, title: "a file the project names is missing"),
        .init(code: .invalidUTF8, severity: .error, title: "the file is not valid UTF-8 text"),
        .init(code: .binaryFile, severity: .error, title: "the file holds binary data"),
        .init(code: .emptyFile, severity: .error, title: "the file is empty"),
        .init(code: .fileTooLarge, severity: .error, title: "the file is too large"),
        .init(code: .lineTooLong, severity: .error, title: "a line is too long"),
        .init(code: .noGoals, severity: .error, title: "the project has no goal file"),
        // YAML.
        .init(code: .yamlSyntax, severity: .error, title: "the YAML cannot be read"),
        .init(code: .yamlTab, severity: .error, title: "a tab is used for indentation"),
        .init(code: .yamlAlias, severity: .error, title: "anchors and aliases are not allowed"),
        .init(code: .yamlTag, severity: .error, title: "custom tags are not allowed"),
        .init(code: .yamlDuplicateKey, severity: .error, title: "a key appears twice"),
        .init(code: .yamlUnknownKey, severity: .error, title: "a key Mandate does not know"),
        .init(code: .yamlMissingKey, severity: .error, title: "a required key is missing"),
        .init(code: .yamlWrongType, severity: .error, title: "a value has the wrong shape"),
        .init(code: .yamlInvalidValue, severity: .error, title: "a value is not one Mandate accepts"),
        .init(code: .yamlTooDeep, severity: .error, title: "the YAML is nested too deeply or is too large"),
        .init(code: .yamlMultipleDocuments, severity: .error, title: "the file holds more than one YAML document"),
        // Procedure syntax.
        .init(code: .missingHeader, severity: .error, title: "a required header line is missing"),
        .init(code: .duplicateHeader, severity: .error, title: "a header line appears twice"),
        .init(code: .unknownHeader, severity: .error, title: "a header Mandate does not know"),
        .init(code: .textOutsideStep, severity: .error, title: "text that belongs to no step"),
        .init(code: .unterminatedQuote, severity: .error, title: "a quotation is not closed"),
        .init(code: .malformedSentence, severity: .error, title: "a sentence is missing a part"),
        .init(code: .malformedCondition, severity: .error, title: "a condition cannot be read"),
        .init(code: .malformedTable, severity: .error, title: "a decision table is malformed"),
        .init(code: .otherwiseWithoutIf, severity: .error, title: "`Otherwise` without an `If` before it"),
        .init(code: .nestingTooDeep, severity: .error, title: "sub-steps are nested too deeply"),
        .init(code: .emptyStep, severity: .error, title: "a step has no text"),
        .init(code: .invalidLiteral, severity: .error, title: "an amount, duration or date cannot be read"),
        .init(code: .bulletOutsideList, severity: .error, title: "a bullet outside `If any of these` or `If all of these`"),
        .init(code: .stepNumbering, severity: .warning, title: "step numbers are out of order or repeated"),
        .init(code: .unusedSuppression, severity: .warning, title: "a suppression silences nothing"),
        .init(code: .malformedSuppression, severity: .error, title: "a suppression without a reason or a known code"),
        // Names.
        .init(code: .unknownSentence, severity: .error, title: "a sentence matches no sentence form and no action"),
        .init(code: .ambiguousAction, severity: .error, title: "a sentence matches more than one action"),
        .init(code: .unknownGoal, severity: .error, title: "an undeclared goal"),
        .init(code: .unknownIntent, severity: .error, title: "an undeclared intent"),
        .init(code: .unknownQueue, severity: .error, title: "an undeclared queue"),
        .init(code: .unknownOutcome, severity: .error, title: "an outcome the goal does not list"),
        .init(code: .unknownTier, severity: .error, title: "an undeclared customer tier"),
        .init(code: .unknownProcedure, severity: .error, title: "`Follow` names no procedure"),
        .init(code: .unknownValue, severity: .error, title: "a value that is never asked for, set or looked up"),
        .init(code: .unknownField, severity: .error, title: "a record has no such field"),
        .init(code: .unknownType, severity: .error, title: "an undeclared type"),
        .init(code: .duplicateDefinition, severity: .error, title: "a name is defined twice"),
        .init(code: .phraseHoleNotInput, severity: .error, title: "an action phrase names an input that does not exist"),
        .init(code: .unknownTable, severity: .error, title: "a decision-table lookup is malformed"),
        .init(code: .unknownEffect, severity: .error, title: "an effect Mandate does not know"),
        // Types.
        .init(code: .typeMismatch, severity: .error, title: "values of different types are compared or combined"),
        .init(code: .currencyMismatch, severity: .error, title: "amounts in different currencies"),
        .init(code: .notAList, severity: .error, title: "a list operation over something that is not a list"),
        // Flow.
        .init(code: .pathFallsOffEnd, severity: .error, title: "a path ends without resolving, escalating or following"),
        .init(code: .unreachableStep, severity: .warning, title: "a step that can never run"),
        .init(code: .valueMaybeUnknown, severity: .error, title: "a value used where it may not have been asked for or set"),
        .init(code: .followCycle, severity: .error, title: "`Follow` leads back to a procedure already on the way"),
        .init(code: .tableMissingCase, severity: .error, title: "a decision-table lookup can be given a value the table has no row or column for"),
        .init(code: .tableRowRepeated, severity: .error, title: "a decision table has two rows for one value"),
        // Policy.
        .init(code: .refundOverLimit, severity: .error, title: "a refund can exceed the goal's limit"),
        .init(code: .refundUnbounded, severity: .warning, title: "no step keeps a refund within its limit"),
        .init(code: .confirmationMissing, severity: .error, title: "an action that needs the customer's yes can run without it"),
        .init(code: .neverSayInMessage, severity: .error, title: "a message contains a phrase the goal must never say"),
        .init(code: .messageTooLong, severity: .error, title: "a message is longer than the goal allows"),
        .init(code: .moneyNotComputed, severity: .warning, title: "a message states an amount the plan never computes"),
        .init(code: .untrustedIdentity, severity: .error, title: "an identity input takes what the customer typed"),
        .init(code: .tooFewExamples, severity: .warning, title: "an intent has too few examples"),
        .init(code: .duplicateExample, severity: .error, title: "the same example under two intents"),
        .init(code: .nearDuplicateExample, severity: .warning, title: "nearly the same example under two intents"),
        .init(code: .intentHandledTwice, severity: .error, title: "two procedures handle the same intent"),
        .init(code: .intentNeverRuns, severity: .warning, title: "a procedure handles an intent that is always escalated"),
        .init(code: .intentNotCovered, severity: .warning, title: "an intent no procedure handles and nothing escalates"),
        .init(code: .outcomeUnreachable, severity: .warning, title: "an outcome in `resolved_when` that no procedure reaches"),
        .init(code: .contradictorySettings, severity: .warning, title: "goal settings that contradict each other"),
        .init(code: .scenarioContradictsPolicy, severity: .error, title: "a scenario test expects what the plan cannot do"),
    ]

    /// The registry by code.
    public static let byCode: [DiagnosticCode: DiagnosticCodeInfo] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.code, $0) })
}

extension DiagnosticCode {
    // M00xx — reading the project's files.
    /// No `mandate.yaml` where the project should be.
    public static let projectNotFound: DiagnosticCode = "M0001"
    /// A file named by the project does not exist.
    public static let fileMissing: DiagnosticCode = "M0002"
    /// Bytes that are not UTF-8.
    public static let invalidUTF8: DiagnosticCode = "M0003"
    /// A NUL byte or other binary data.
    public static let binaryFile: DiagnosticCode = "M0004"
    /// Nothing but white space.
    public static let emptyFile: DiagnosticCode = "M0005"
    /// Over the size limit.
    public static let fileTooLarge: DiagnosticCode = "M0006"
    /// A line over the length limit.
    public static let lineTooLong: DiagnosticCode = "M0007"
    /// No `*.goal.yaml` at all.
    public static let noGoals: DiagnosticCode = "M0008"

    // M01xx — YAML files.
    /// libyaml could not read the file.
    public static let yamlSyntax: DiagnosticCode = "M0101"
    /// Tab indentation.
    public static let yamlTab: DiagnosticCode = "M0102"
    /// `&anchor` or `*alias`.
    public static let yamlAlias: DiagnosticCode = "M0103"
    /// `!tag`.
    public static let yamlTag: DiagnosticCode = "M0104"
    /// A key repeated in one mapping.
    public static let yamlDuplicateKey: DiagnosticCode = "M0105"
    /// A key not in the file kind's set.
    public static let yamlUnknownKey: DiagnosticCode = "M0106"
    /// A required key absent.
    public static let yamlMissingKey: DiagnosticCode = "M0107"
    /// A list where text was expected, and so on.
    public static let yamlWrongType: DiagnosticCode = "M0108"
    /// A value outside the accepted set or format.
    public static let yamlInvalidValue: DiagnosticCode = "M0109"
    /// Over the nesting or size limit.
    public static let yamlTooDeep: DiagnosticCode = "M0110"
    /// `---` separating several documents.
    public static let yamlMultipleDocuments: DiagnosticCode = "M0111"

    // M02xx — procedure syntax.
    /// `Procedure:`, `Goal:` or `Handles:` absent.
    public static let missingHeader: DiagnosticCode = "M0201"
    /// A header given twice.
    public static let duplicateHeader: DiagnosticCode = "M0202"
    /// `Handels:` and the like.
    public static let unknownHeader: DiagnosticCode = "M0203"
    /// A line that is not a header, step, bullet, table or comment.
    public static let textOutsideStep: DiagnosticCode = "M0204"
    /// A `"` without its closing `"`.
    public static let unterminatedQuote: DiagnosticCode = "M0205"
    /// A known sentence form with a part missing.
    public static let malformedSentence: DiagnosticCode = "M0206"
    /// A condition that cannot be read.
    public static let malformedCondition: DiagnosticCode = "M0207"
    /// A table whose rows do not line up.
    public static let malformedTable: DiagnosticCode = "M0208"
    /// `Otherwise` with no `If` before it.
    public static let otherwiseWithoutIf: DiagnosticCode = "M0209"
    /// Over the nesting limit.
    public static let nestingTooDeep: DiagnosticCode = "M0210"
    /// A step marker with no text.
    public static let emptyStep: DiagnosticCode = "M0211"
    /// `$1.2.3`, `30 dayz`, `2026-13-40`.
    public static let invalidLiteral: DiagnosticCode = "M0212"
    /// `- …` where no list of conditions is open.
    public static let bulletOutsideList: DiagnosticCode = "M0213"
    /// `1.`, `3.`, `2.`.
    public static let stepNumbering: DiagnosticCode = "M0214"
    /// `# mandate: allow …` with nothing of that code in its step.
    public static let unusedSuppression: DiagnosticCode = "M0215"
    /// `# mandate: allow …` with no reason, or a code that does not exist.
    public static let malformedSuppression: DiagnosticCode = "M0216"

    // M03xx — names.
    /// A sentence that matches nothing.
    public static let unknownSentence: DiagnosticCode = "M0301"
    /// A sentence that matches several action phrases.
    public static let ambiguousAction: DiagnosticCode = "M0302"
    /// An undeclared goal.
    public static let unknownGoal: DiagnosticCode = "M0303"
    /// An undeclared intent.
    public static let unknownIntent: DiagnosticCode = "M0304"
    /// An undeclared queue.
    public static let unknownQueue: DiagnosticCode = "M0305"
    /// An outcome not in `resolved_when`.
    public static let unknownOutcome: DiagnosticCode = "M0306"
    /// An undeclared tier.
    public static let unknownTier: DiagnosticCode = "M0307"
    /// `Follow` naming nothing.
    public static let unknownProcedure: DiagnosticCode = "M0308"
    /// A noun phrase that names nothing.
    public static let unknownValue: DiagnosticCode = "M0309"
    /// A field a record does not have.
    public static let unknownField: DiagnosticCode = "M0310"
    /// A type name the catalog does not declare.
    public static let unknownType: DiagnosticCode = "M0311"
    /// Two goals, procedures, intents or tables with one name.
    public static let duplicateDefinition: DiagnosticCode = "M0312"
    /// `{hole}` naming no input.
    public static let phraseHoleNotInput: DiagnosticCode = "M0313"
    /// A table lookup that names no table, or gives the wrong number of values.
    public static let unknownTable: DiagnosticCode = "M0314"
    /// An effect outside read, write, refund, identify.
    public static let unknownEffect: DiagnosticCode = "M0315"

    // M04xx — types.
    /// Text compared with money, and so on.
    public static let typeMismatch: DiagnosticCode = "M0401"
    /// USD compared with EUR.
    public static let currencyMismatch: DiagnosticCode = "M0402"
    /// `every`, `any`, `the number of` over a non-list.
    public static let notAList: DiagnosticCode = "M0403"

    // M05xx — flow.
    /// A path with no `Resolve`, `Escalate` or `Follow` at its end.
    public static let pathFallsOffEnd: DiagnosticCode = "M0501"
    /// A step after one that always ends, or under a condition that can never hold.
    public static let unreachableStep: DiagnosticCode = "M0502"
    /// A slot or variable read on a path where nothing gave it a value.
    public static let valueMaybeUnknown: DiagnosticCode = "M0503"
    /// Procedures that follow each other in a circle.
    public static let followCycle: DiagnosticCode = "M0504"
    /// A lookup keyed by an enumeration with a value the table lacks.
    public static let tableMissingCase: DiagnosticCode = "M0505"
    /// A row key written twice.
    public static let tableRowRepeated: DiagnosticCode = "M0506"

    // M06xx — policy.
    /// A refund whose amount can be above `max_per_refund` or the tier's limit.
    public static let refundOverLimit: DiagnosticCode = "M0601"
    /// A refund whose amount no condition bounds.
    public static let refundUnbounded: DiagnosticCode = "M0602"
    /// An action with an effect in `confirm_with_customer` and a path with no `Confirm` before it.
    public static let confirmationMissing: DiagnosticCode = "M0603"
    /// A `Say` or `Confirm` containing a `never_say` phrase.
    public static let neverSayInMessage: DiagnosticCode = "M0604"
    /// A message whose fixed text alone is over `output.max_characters`.
    public static let messageTooLong: DiagnosticCode = "M0605"
    /// `$20` typed into a message, with no such amount in the plan.
    public static let moneyNotComputed: DiagnosticCode = "M0606"
    /// A customer-typed slot passed as `customer_id` or another identity input.
    public static let untrustedIdentity: DiagnosticCode = "M0607"
    /// Fewer than three examples.
    public static let tooFewExamples: DiagnosticCode = "M0608"
    /// One example under two intents.
    public static let duplicateExample: DiagnosticCode = "M0609"
    /// Examples under two intents that differ only in order or one word.
    public static let nearDuplicateExample: DiagnosticCode = "M0610"
    /// An intent in two procedures' `Handles:`.
    public static let intentHandledTwice: DiagnosticCode = "M0611"
    /// An intent in `always_escalate` and in a procedure's `Handles:`.
    public static let intentNeverRuns: DiagnosticCode = "M0612"
    /// An intent neither handled nor always escalated.
    public static let intentNotCovered: DiagnosticCode = "M0613"
    /// A `resolved_when` outcome with no reachable `Resolve as`.
    public static let outcomeUnreachable: DiagnosticCode = "M0614"
    /// An always-escalated tier with a refund limit; a single-refund limit above the per-customer one.
    public static let contradictorySettings: DiagnosticCode = "M0615"
    /// A scenario test expecting a refund above the limit, an unknown action, or an outcome no path reaches.
    public static let scenarioContradictsPolicy: DiagnosticCode = "M0616"
}
