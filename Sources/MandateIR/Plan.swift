import Foundation

/// The compiled plan: everything the runtime needs, and nothing from the source syntax.
public struct Plan: Codable, Sendable, Equatable {
    /// The project's settings.
    public var project: Project
    /// The goals, sorted by id.
    public var goals: [Goal]
    /// The action catalog, sorted by name.
    public var actions: [ActionSignature]
    /// Record types, sorted by name.
    public var records: [RecordType]
    /// Procedures, sorted by id. In a plan loaded from a binary file with `.lazy` decoding,
    /// each is decoded the first time it is used (`ProcedureList`).
    public var procedures: ProcedureList
    /// Every input file with its SHA-256, sorted by path; filled when the plan file is made
    /// (`Compiler.planFile`), so a check that writes no plan does not hash every file.
    public var sources: [SourceDigest]
    /// The intent classifier trained from the goals' examples; filled when the plan file is made
    /// (`Compiler.planFile`). Nil in a plan with no intent examples.
    public var classifier: ClassifierModel?

    /// Makes a plan.
    public init(project: Project, goals: [Goal], actions: [ActionSignature], records: [RecordType],
                procedures: [Procedure], sources: [SourceDigest], classifier: ClassifierModel? = nil) {
        self.project = project
        self.goals = goals
        self.actions = actions
        self.records = records
        self.procedures = ProcedureList(procedures)
        self.sources = sources
        self.classifier = classifier
    }

    /// Where a hand-off goes when neither the step nor the goal names a queue: the project's
    /// first queue, or `tier-1` in a project that declares none.
    public static func fallbackQueue(of project: Project) -> String { project.queues.first?.name ?? "tier-1" }
}

/// Where something in the plan came from: `refund.procedure:7:4`.
public struct SourceRef: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The file, relative to the project.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// Makes a reference.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    /// `file:line`.
    public var description: String { "\(file):\(line)" }
}

/// An input file and its digest.
public struct SourceDigest: Codable, Sendable, Equatable {
    /// Path relative to the project.
    public var path: String
    /// `sha256:<hex>`.
    public var sha256: String
    /// Makes a digest entry.
    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// An exact amount: integer minor units and an ISO 4217 currency. Never floating point.
public struct Money: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Minor units (cents for USD).
    public var minor: Int64
    /// ISO 4217 code.
    public var currency: String
    /// Makes an amount.
    public init(minor: Int64, currency: String) {
        self.minor = minor
        self.currency = currency
    }
    /// How many decimals the minor unit of an ISO 4217 currency has: 0 for JPY and KRW, 3 for
    /// KWD and BHD, 2 for the others Mandate accepts. The one table the runtime uses.
    @inline(__always)
    public static func exponent(of currency: String) -> Int {
        switch currency {
        case "JPY", "KRW": 0
        case "KWD", "BHD": 3
        default: 2
        }
    }

    /// `150.00 USD`.
    public var description: String {
        let exponent = Money.exponent(of: currency)
        var divisor: Int64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let sign = minor < 0 ? "-" : ""
        let m = minor.magnitude
        guard exponent > 0 else { return "\(sign)\(m) \(currency)" }
        let frac = String(m % UInt64(divisor))
        return "\(sign)\(m / UInt64(divisor)).\(String(repeating: "0", count: exponent - frac.count))\(frac) \(currency)"
    }
}

/// The project: `mandate.yaml`.
public struct Project: Codable, Sendable, Equatable {
    /// A hand-off queue.
    public struct Queue: Codable, Sendable, Equatable {
        /// Its name.
        public var name: String
        /// What it is for.
        public var description: String?
        /// Whether hand-offs to it are urgent.
        public var urgent: Bool
        /// Makes a queue.
        public init(name: String, description: String?, urgent: Bool) {
            self.name = name
            self.description = description
            self.urgent = urgent
        }
    }
    /// The project's name.
    public var name: String
    /// Its currency.
    public var currency: String
    /// Its time zone identifier.
    public var timeZone: String?
    /// Customer tiers.
    public var tiers: [String]
    /// Queues, sorted by name.
    public var queues: [Queue]
    /// Messages that belong to no intent.
    public var outOfScopeExamples: [String]
    /// Makes a project.
    public init(name: String, currency: String, timeZone: String?, tiers: [String], queues: [Queue], outOfScopeExamples: [String]) {
        self.name = name
        self.currency = currency
        self.timeZone = timeZone
        self.tiers = tiers
        self.queues = queues
        self.outOfScopeExamples = outOfScopeExamples
    }
}

/// A goal with its intents and guardrails.
public struct Goal: Codable, Sendable, Equatable {
    /// An intent and its examples.
    public struct Intent: Codable, Sendable, Equatable {
        /// Its name.
        public var name: String
        /// What it means.
        public var description: String?
        /// Example messages.
        public var examples: [String]
        /// Makes an intent.
        public init(name: String, description: String?, examples: [String]) {
            self.name = name
            self.description = description
            self.examples = examples
        }
    }
    /// A reporting target.
    public struct Target: Codable, Sendable, Equatable {
        /// The metric.
        public var metric: String
        /// At least (true) or at most (false).
        public var atLeast: Bool
        /// Hundredths of a percent.
        public var basisPoints: Int
        /// Makes a target.
        public init(metric: String, atLeast: Bool, basisPoints: Int) {
            self.metric = metric
            self.atLeast = atLeast
            self.basisPoints = basisPoints
        }
    }
    /// The goal's id.
    public var id: String
    /// The outcome in words.
    public var outcome: String?
    /// Who owns it.
    public var owner: String?
    /// The file it came from.
    public var file: String
    /// Intents, in file order.
    public var intents: [Intent]
    /// Outcomes that count as resolved.
    public var resolvedWhen: [String]
    /// Reporting targets.
    public var targets: [Target]
    /// The guardrails.
    public var guardrails: Guardrails
    /// The escalation policy.
    public var escalation: EscalationPolicy
    /// Where each setting was written: `guardrails.refunds.max_per_refund` → line.
    public var sourceMap: [String: SourceRef]
    /// Makes a goal.
    public init(id: String, outcome: String?, owner: String?, file: String, intents: [Intent], resolvedWhen: [String],
                targets: [Target], guardrails: Guardrails, escalation: EscalationPolicy, sourceMap: [String: SourceRef]) {
        self.id = id
        self.outcome = outcome
        self.owner = owner
        self.file = file
        self.intents = intents
        self.resolvedWhen = resolvedWhen
        self.targets = targets
        self.guardrails = guardrails
        self.escalation = escalation
        self.sourceMap = sourceMap
    }
}

/// The rules the runtime enforces for a goal.
public struct Guardrails: Codable, Sendable, Equatable {
    /// Below this intent confidence, the goal's low-confidence rule applies (0…1).
    public var confidenceThreshold: Double?
    /// `clarify_then_escalate`, `escalate` or `clarify`.
    public var onLowConfidence: String?
    /// Intents always handed to a person.
    public var alwaysEscalateIntents: [String]
    /// Phrases that always hand off.
    public var alwaysEscalatePhrases: [String]
    /// Tiers always handed to a person.
    public var alwaysEscalateTiers: [String]
    /// The queue of an always-escalate entry, when it names one: `intent:billing_dispute` → `billing`
    /// (also `phrase:TEXT`, `tier:NAME`); others go to the goal's default queue.
    public var alwaysEscalateQueues: [String: String]
    /// Effects that need an explicit yes first.
    public var confirmEffects: [String]
    /// Largest single refund.
    public var maxPerRefund: Money?
    /// Most refunded to one customer in the window.
    public var maxPerCustomer: Money?
    /// The window for `maxPerCustomer`, in days.
    public var maxPerCustomerWindowDays: Int?
    /// Largest single refund by tier.
    public var maxByTier: [String: Money]
    /// Allowed topics.
    public var allowedTopics: [String]
    /// `block`, `escalate` or `flag`.
    public var promptInjection: String?
    /// Longest customer message accepted.
    public var inputMaxCharacters: Int?
    /// Phrases the agent must never say.
    public var neverSay: [String]
    /// Longest message the agent may send.
    public var outputMaxCharacters: Int?
    /// Makes guardrails.
    public init(confidenceThreshold: Double? = nil, onLowConfidence: String? = nil, alwaysEscalateIntents: [String] = [],
                alwaysEscalatePhrases: [String] = [], alwaysEscalateTiers: [String] = [], alwaysEscalateQueues: [String: String] = [:],
                confirmEffects: [String] = [],
                maxPerRefund: Money? = nil, maxPerCustomer: Money? = nil, maxPerCustomerWindowDays: Int? = nil,
                maxByTier: [String: Money] = [:], allowedTopics: [String] = [], promptInjection: String? = nil,
                inputMaxCharacters: Int? = nil, neverSay: [String] = [], outputMaxCharacters: Int? = nil) {
        self.confidenceThreshold = confidenceThreshold
        self.onLowConfidence = onLowConfidence
        self.alwaysEscalateIntents = alwaysEscalateIntents
        self.alwaysEscalatePhrases = alwaysEscalatePhrases
        self.alwaysEscalateTiers = alwaysEscalateTiers
        self.alwaysEscalateQueues = alwaysEscalateQueues
        self.confirmEffects = confirmEffects
        self.maxPerRefund = maxPerRefund
        self.maxPerCustomer = maxPerCustomer
        self.maxPerCustomerWindowDays = maxPerCustomerWindowDays
        self.maxByTier = maxByTier
        self.allowedTopics = allowedTopics
        self.promptInjection = promptInjection
        self.inputMaxCharacters = inputMaxCharacters
        self.neverSay = neverSay
        self.outputMaxCharacters = outputMaxCharacters
    }
}

/// When to hand off, and to which queue by default.
public struct EscalationPolicy: Codable, Sendable, Equatable {
    /// The queue for hand-offs that name none.
    public var defaultQueue: String?
    /// Hand off when the customer asks for a person.
    public var onAskForHuman: Bool
    /// Hand off when the same question comes this many times.
    public var sameQuestionRepeated: Int?
    /// Hand off when the customer sounds frustrated.
    public var onFrustration: Bool
    /// Hand off when an action fails.
    public var onActionFailure: Bool
    /// Makes a policy.
    public init(defaultQueue: String?, onAskForHuman: Bool, sameQuestionRepeated: Int?, onFrustration: Bool, onActionFailure: Bool) {
        self.defaultQueue = defaultQueue
        self.onAskForHuman = onAskForHuman
        self.sameQuestionRepeated = sameQuestionRepeated
        self.onFrustration = onFrustration
        self.onActionFailure = onActionFailure
    }
}
