import Foundation
import MandateIR

/// Runs conversations from a compiled plan.
///
/// `turn` is a pure function of the plan, the state, the customer's message and the injected
/// environment (clock, actions, ledger): no I/O happens here. The same inputs give the same
/// state, effects and trace, which is what makes a conversation replayable from its trace.
public struct Runtime: Sendable {
    /// The plan.
    public let plan: Plan
    let classifier: any IntentClassifier
    let extractor: EntityExtractor
    /// The plan's procedures by id; a plan loaded lazily decodes each on first use.
    let procedures: ProcedureList
    let handler: [String: String]
    let goalOfIntent: [String: Goal]
    let goals: [String: Goal]
    let actions: [String: ActionSignature]
    let owners: [String: String]
    let queues: [String: Project.Queue]
    /// The always-escalate phrases split into words, for `MessageSignals`.
    let escalationPhraseWords: [(phrase: String, words: [[UInt8]])]
    /// What the agent says to a message that fits no intent.
    let outOfScopeMessage: String
    let zone: TimeZone
    /// The zone's offset from UTC when it never changes (UTC itself): no time-zone arithmetic per turn.
    let fixedOffset: Int64?
    /// The goal whose rules apply before any intent is known (`fallbackGoal(of:)`).
    let fallbackGoal: Goal?
    /// The amounts each procedure's messages and reasons write, as customers see them; found
    /// the first time a procedure's output is checked.
    let writtenAmounts: WrittenAmounts
    /// Each procedure's steps as the trace names them, by procedure id, written the first time the procedure runs.
    let stepText: StepTexts
    /// What a turn looks up about each goal, by goal id, worked out here once.
    let goalIndex: [String: GoalIndex]
    /// Steps one turn may run before the runtime calls it a loop and hands off.
    public var stepBudget = 500

    /// Loads a plan; `classifier` replaces the embedded one (a caller's own model). A plan without a
    /// trained classifier (one built by `Compiler.compile` rather than `Compiler.planFile`) reads every
    /// message as fitting no intent unless the caller supplies the intent with the event.
    public init(plan: Plan, classifier: (any IntentClassifier)? = nil) {
        self.plan = plan
        self.classifier = classifier ?? plan.classifier.map { EmbeddedClassifier(model: $0) } ?? NoClassifier()
        self.extractor = EntityExtractor(currency: plan.project.currency)
        // Ids and intents only: nothing is decoded from a lazily loaded plan here.
        var handler: [String: String] = [:]
        for i in plan.procedures.indices {
            for intent in plan.procedures.handles(at: i) where handler[intent] == nil { handler[intent] = plan.procedures.id(at: i) }
        }
        self.procedures = plan.procedures
        self.handler = handler
        var goalOfIntent: [String: Goal] = [:]
        var goals: [String: Goal] = [:]
        var phrases: [String] = []
        var topics: [String] = []
        for g in plan.goals {
            goals[g.id] = g
            for i in g.intents where goalOfIntent[i.name] == nil { goalOfIntent[i.name] = g }
            phrases += g.guardrails.alwaysEscalatePhrases.filter { !phrases.contains($0) }
            topics += g.guardrails.allowedTopics.filter { !topics.contains($0) }
        }
        self.goalOfIntent = goalOfIntent
        self.goals = goals
        self.escalationPhraseWords = phrases.map { ($0, MessageText($0).words) }
        self.outOfScopeMessage = topics.isEmpty ? "Sorry, that's not something I can help with here."
            : "Sorry, that's not something I can help with. I can help with " + Turn.list(topics) + "."
        self.actions = Dictionary(plan.actions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.owners = Dictionary(plan.records.compactMap { r in r.owner.map { (r.name, $0) } }, uniquingKeysWith: { a, _ in a })
        self.queues = Dictionary(plan.project.queues.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.writtenAmounts = WrittenAmounts(plan.procedures)
        self.stepText = StepTexts(plan.procedures)
        self.fallbackGoal = Runtime.fallbackGoal(of: plan)
        var goalIndex: [String: GoalIndex] = [:]
        for g in plan.goals where goalIndex[g.id] == nil { goalIndex[g.id] = GoalIndex(g) }
        self.goalIndex = goalIndex
        let zone = plan.project.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        self.zone = zone
        self.fixedOffset = ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) && zone.secondsFromGMT() == 0 ? 0 : nil
    }

    /// A new conversation with a customer.
    public func start(id: String, customer: CustomerProfile) -> ConversationState {
        ConversationState(id: id, customer: customer)
    }

    /// Runs one customer turn.
    public func turn(_ state: ConversationState, _ event: CustomerEvent, environment: TurnEnvironment) -> TurnResult {
        var t = Turn(runtime: self, state: state, message: event.message, supplied: event.intent, env: environment)
        t.run()
        return TurnResult(state: t.state, effects: t.effects, trace: t.trace)
    }

    /// The classifier of a plan that carries none: nothing is recognised.
    struct NoClassifier: IntentClassifier {
        func classify(_ message: String) -> IntentPrediction { IntentPrediction(intent: nil, confidence: 0, ranking: []) }
    }

    /// The calendar day of a moment in the project's time zone.
    public func today(at now: Int64) -> CalendarDate {
        let local = now + (fixedOffset ?? Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(now)))))
        return CalendarDate(dayNumber: Int((local >= 0 ? local : local - 86_399) / 86_400))
    }

    /// Where a goal's setting is written (`Goal.location(of:)`), from the index made at plan load.
    func location(in goal: Goal, of key: String) -> String {
        guard let index = goalIndex[goal.id], index.asciiKeys, FastText.isASCII(key) else { return goal.location(of: key) }
        var k = Substring(key)
        while !k.isEmpty {
            let s = String(k)
            if let ref = goal.sourceMap[s] { return "\(goal.file):\(ref.line)" }
            if let line = index.firstLineInside[s] { return "\(goal.file):\(line)" }
            guard let dot = k.utf8.lastIndex(of: 0x2E) else { break }
            k = k[..<dot]
        }
        return goal.file
    }

    /// The goal whose rules apply before any intent is known: the one whose default queue most goals share
    /// (the general desk), else the first.
    static func fallbackGoal(of plan: Plan) -> Goal? {
        var counts: [String: Int] = [:]
        for g in plan.goals { if let q = g.escalation.defaultQueue { counts[q, default: 0] += 1 } }
        let common = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        return plan.goals.first { $0.escalation.defaultQueue == common } ?? plan.goals.first
    }
}

/// The amounts each procedure's messages and reasons write (`$150`, `89.00 USD`), as
/// customers see them: found once per procedure, the first time its output is checked.
final class WrittenAmounts: @unchecked Sendable {
    private let procedures: ProcedureList
    private let lock = NSLock()
    private var found: [String: [String]] = [:]

    init(_ procedures: ProcedureList) { self.procedures = procedures }

    /// The amounts procedure `id` writes; nil for a procedure the plan does not have.
    subscript(id: String) -> [String]? {
        lock.lock()
        defer { lock.unlock() }
        if let amounts = found[id] { return amounts }
        guard let p = procedures[id] else { return nil }
        var amounts: [String] = []
        for step in p.steps {
            switch step.op {
            case .say(let t), .confirm(let t, _): amounts += Turn.amounts(in: t.text)
            case .escalate(_, let reason): amounts += Turn.amounts(in: reason)
            default: break
            }
        }
        found[id] = amounts
        return amounts
    }
}

/// What a turn looks up about a goal, worked out once when the plan is loaded.
struct GoalIndex: Sendable {
    /// The `never_say` phrases, each with its lowercase bytes (nil when the phrase is empty or not ASCII: matched as before).
    let neverSay: [(phrase: String, lower: [UInt8]?)]
    /// For each dotted prefix of a source-map key (`guardrails.refunds`), the first line of the keys under it.
    let firstLineInside: [String: Int]
    /// Whether every source-map key is ASCII (else locations are found the slow way, `Goal.location(of:)`).
    let asciiKeys: Bool

    init(_ goal: Goal) {
        neverSay = goal.guardrails.neverSay.map { ($0, $0.isEmpty ? nil : FastText.lowercasedASCII($0)) }
        var inside: [String: Int] = [:]
        var ascii = true
        for (key, ref) in goal.sourceMap {
            if !FastText.isASCII(key) { ascii = false }
            var i = key.utf8.startIndex
            while i != key.utf8.endIndex {
                if key.utf8[i] == 0x2E {
                    let prefix = String(key[..<i])
                    if inside[prefix].map({ ref.line < $0 }) ?? true { inside[prefix] = ref.line }
                }
                i = key.utf8.index(after: i)
            }
        }
        firstLineInside = inside
        asciiKeys = ascii
    }
}

/// A procedure's steps as the trace names them, written once when the plan is loaded.
struct StepText: Sendable {
    /// `refund-delivered-order:7`, by step: the coverage key.
    let keys: [String]
    /// `refund-delivered-order.procedure:12`, by step: where the sentence is.
    let sources: [String]

    init(_ p: Procedure) {
        keys = p.steps.map { "\(p.id):\($0.label)" }
        sources = p.steps.map { $0.source.description }
    }
}

/// Each procedure's `StepText`, written once per procedure, the first time it runs (a plan
/// loaded lazily decodes a procedure only when it is used).
final class StepTexts: @unchecked Sendable {
    private let procedures: ProcedureList
    private let lock = NSLock()
    private var written: [String: StepText] = [:]

    init(_ procedures: ProcedureList) { self.procedures = procedures }

    /// The step text of procedure `id`; nil for a procedure the plan does not have.
    subscript(id: String) -> StepText? {
        lock.lock()
        defer { lock.unlock() }
        if let text = written[id] { return text }
        guard let p = procedures[id] else { return nil }
        let text = StepText(p)
        written[id] = text
        return text
    }
}
