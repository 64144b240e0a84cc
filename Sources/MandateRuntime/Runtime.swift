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
    let escalationPhrases: [String]
    let topics: [String]
    let zone: TimeZone
    /// The goal whose rules apply before any intent is known (`fallbackGoal(of:)`).
    let fallbackGoal: Goal?
    /// The amounts each procedure's messages and reasons write, as customers see them; found
    /// the first time a procedure's output is checked.
    let writtenAmounts: WrittenAmounts
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
        self.escalationPhrases = phrases
        self.topics = topics
        self.actions = Dictionary(plan.actions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.owners = Dictionary(plan.records.compactMap { r in r.owner.map { (r.name, $0) } }, uniquingKeysWith: { a, _ in a })
        self.queues = Dictionary(plan.project.queues.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.writtenAmounts = WrittenAmounts(plan.procedures)
        self.fallbackGoal = Runtime.fallbackGoal(of: plan)
        self.zone = plan.project.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
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
        let local = now + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(now))))
        return CalendarDate(dayNumber: Int((local >= 0 ? local : local - 86_399) / 86_400))
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
