import Foundation
import MandateIR
import MandateRuntime

/// The figures of a simulation. Every rate is a fraction of `conversations` (0…1); docs/SIMULATION.md defines each.
public struct SimulationMetrics: Sendable, Codable, Equatable {
    /// A row of the per-intent table.
    public struct IntentRow: Sendable, Codable, Equatable {
        /// The intent (`none`: out of scope).
        public var intent: String
        /// Conversations whose first message read as it.
        public var volume: Int
        /// Of those, resolved by the plan.
        public var resolved: Int
        /// Handed off.
        public var escalated: Int
        /// Asked to say more at least once.
        public var clarified: Int
        /// Mean turns.
        public var averageTurns: Double
    }
    /// A goal's target, met or missed.
    public struct TargetRow: Sendable, Codable, Equatable {
        /// The goal.
        public var goal: String
        /// `ai_resolution_rate`, `escalation_rate`.
        public var metric: String
        /// `at least 60%`.
        public var target: String
        /// The measured rate over the goal's conversations, nil when the metric is not measured.
        public var actual: Double?
        /// Whether it is met.
        public var met: Bool?
    }
    /// Refunds issued against the limits.
    public struct Refunds: Sendable, Codable, Equatable {
        /// How many.
        public var count: Int
        /// Their total.
        public var total: Money?
        /// The largest.
        public var largest: Money?
        /// The smallest per-refund limit of any goal.
        public var limit: Money?
        /// Refunds above that limit (must be 0).
        public var aboveLimit: Int
    }
    /// A conversation whose outcome differs from the corpus's expectation.
    public struct Mismatch: Sendable, Codable, Equatable {
        public var id: String
        public var expected: String
        public var actual: String
    }

    public var conversations: Int
    public var turns: Int
    /// Resolved end to end with an outcome of the goal's `resolved_when`, no hand-off.
    public var aiResolutionRate: Double
    /// Handed off to a person.
    public var escalationRate: Double
    /// Neither (out of scope, blocked, or the customer stopped answering).
    public var unresolvedRate: Double
    public var escalationsByQueue: [String: Int]
    public var escalationsByReason: [String: Int]
    public var intents: [IntentRow]
    /// Guardrail clauses that fired, by kind (`refunds.max_per_refund`, `always_escalate.intents`…).
    public var guardrailTrips: [String: Int]
    public var refunds: Refunds
    public var injectionsBlocked: Int
    public var targets: [TargetRow]
    /// Conversations with an expected outcome, and how many matched.
    public var expectedOutcomes: Int
    public var matchedOutcomes: Int
    public var expectedIntents: Int
    public var matchedIntents: Int
    public var mismatches: [Mismatch]

    /// Computes the figures.
    public init(_ results: [SimulatedConversation], plan: Plan) {
        let n = results.count
        func rate(_ k: Int) -> Double { n == 0 ? 0 : Double(k) / Double(n) }
        conversations = n
        turns = results.reduce(0) { $0 + $1.turns }
        aiResolutionRate = rate(results.filter(\.aiResolved).count)
        escalationRate = rate(results.filter { $0.queue != nil }.count)
        unresolvedRate = rate(results.filter { $0.outcome == "unresolved" }.count)
        var byQueue: [String: Int] = [:]
        var byReason: [String: Int] = [:]
        var trips: [String: Int] = [:]
        for r in results {
            if let q = r.queue { byQueue[q, default: 0] += 1 }
            if let why = r.reason {
                // A clause's kind when a guardrail decided; else the procedure's own reason.
                let clause = r.trace.last { $0.kind == .handoff }?.datum("clause")
                byReason[clause.map(Self.kind) ?? why, default: 0] += 1
            }
            for c in r.clauses { trips[Self.kind(c), default: 0] += 1 }
        }
        escalationsByQueue = byQueue
        escalationsByReason = byReason
        guardrailTrips = trips
        var rows: [String: [SimulatedConversation]] = [:]
        for r in results { rows[r.intent ?? "none", default: []].append(r) }
        intents = rows.keys.sorted().map { k in
            let rs = rows[k]!
            return IntentRow(intent: k, volume: rs.count, resolved: rs.filter(\.aiResolved).count, escalated: rs.filter { $0.queue != nil }.count,
                             clarified: rs.filter(\.clarified).count, averageTurns: Double(rs.reduce(0) { $0 + $1.turns }) / Double(rs.count))
        }
        let all = results.flatMap(\.refunds)
        let limit = plan.goals.compactMap(\.guardrails.maxPerRefund).min { $0.minor < $1.minor }
        let currency = all.first?.currency
        let same = all.filter { $0.currency == currency }
        refunds = Refunds(count: all.count, total: currency.map { c in Money(minor: same.reduce(0) { $0 + $1.minor }, currency: c) },
                          largest: same.max { $0.minor < $1.minor }, limit: limit,
                          aboveLimit: limit.map { l in all.filter { $0.currency == l.currency && $0.minor > l.minor }.count } ?? 0)
        injectionsBlocked = results.reduce(0) { $0 + $1.injectionsBlocked }
        var targets: [TargetRow] = []
        for goal in plan.goals {
            let mine = results.filter { $0.goal == goal.id }
            for t in goal.targets {
                let target = "\(t.atLeast ? "at least" : "at most") \(Double(t.basisPoints) / 100)%"
                var actual: Double?
                switch t.metric {
                case "ai_resolution_rate": actual = mine.isEmpty ? nil : Double(mine.filter(\.aiResolved).count) / Double(mine.count)
                case "escalation_rate": actual = mine.isEmpty ? nil : Double(mine.filter { $0.queue != nil }.count) / Double(mine.count)
                default: actual = nil
                }
                let met = actual.map { a in t.atLeast ? a * 10_000 >= Double(t.basisPoints) : a * 10_000 <= Double(t.basisPoints) }
                targets.append(TargetRow(goal: goal.id, metric: t.metric, target: target, actual: actual, met: met))
            }
        }
        self.targets = targets
        let withOutcome = results.filter { $0.expectedOutcome != nil }
        expectedOutcomes = withOutcome.count
        matchedOutcomes = withOutcome.filter { $0.expectedOutcome == $0.outcome }.count
        let withIntent = results.filter { $0.expectedIntent != nil }
        expectedIntents = withIntent.count
        matchedIntents = withIntent.filter { $0.expectedIntent == ($0.intent ?? "none") }.count
        mismatches = withOutcome.filter { $0.expectedOutcome != $0.outcome }.map { Mismatch(id: $0.id, expected: $0.expectedOutcome!, actual: $0.outcome) }
    }

    /// `resolve-order-issues:always_escalate.intents:billing_dispute` → `always_escalate.intents`.
    static func kind(_ clause: String) -> String {
        let parts = clause.split(separator: ":").map(String.init)
        if parts.first == "actions.yaml" { return parts.prefix(3).joined(separator: ":") }
        return parts.count > 1 ? parts[1] : clause
    }
}

/// Two runs of the same corpus: what a change to the plan does.
public struct SimulationComparison: Sendable, Codable, Equatable {
    /// A conversation whose outcome changed.
    public struct Change: Sendable, Codable, Equatable {
        public var id: String
        public var before: String
        public var after: String
    }
    public var baseline: SimulationMetrics
    public var current: SimulationMetrics
    public var changed: [Change]

    /// Compares two runs of one corpus (same order).
    public init(baseline: [SimulatedConversation], current: [SimulatedConversation], baselinePlan: Plan, plan: Plan) {
        self.baseline = SimulationMetrics(baseline, plan: baselinePlan)
        self.current = SimulationMetrics(current, plan: plan)
        changed = zip(baseline, current).filter { $0.outcome != $1.outcome }.map { Change(id: $1.id, before: $0.outcome, after: $1.outcome) }
    }
}
