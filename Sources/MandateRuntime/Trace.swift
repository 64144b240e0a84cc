import Foundation
import MandateIR

/// One decision of a turn, with the rule that made it and where that rule is written.
public struct TraceEvent: Codable, Sendable, Equatable {
    /// What kind of decision.
    public enum Kind: String, Codable, Sendable {
        /// The customer's message arrived.
        case message
        /// An input guardrail looked at the message.
        case input
        /// The intent and its confidence.
        case intent
        /// Routing chose where the message goes.
        case route
        /// A step ran.
        case step
        /// A condition was evaluated.
        case condition
        /// A value was understood from the message.
        case value
        /// An action was called, with its arguments and result.
        case action
        /// A limit was checked, with the amounts.
        case limit
        /// A guardrail stopped or changed something.
        case guardrail
        /// A message to the customer.
        case output
        /// A hand-off.
        case handoff
        /// An outcome.
        case outcome
    }
    /// The turn.
    public var turn: Int
    /// The kind.
    public var kind: Kind
    /// What happened, in words.
    public var detail: String
    /// Where the rule is written: `refund-damaged-item.procedure:7`.
    public var source: String?
    /// Facts: amounts, arguments, confidence, the step's label.
    public var data: [String: String]
    /// What an action returned, exactly: replaying the trace gives the interpreter the same answers.
    public var outputs: [String: RuntimeValue]?

    /// Makes an event.
    public init(turn: Int, kind: Kind, detail: String, source: String? = nil, data: [String: String] = [:],
                outputs: [String: RuntimeValue]? = nil) {
        self.turn = turn
        self.kind = kind
        self.detail = detail
        self.source = source
        self.data = data
        self.outputs = outputs
    }

    /// `turn 2  step  refund.procedure:9  …`.
    public var line: String {
        var s = "turn \(turn)  \(kind.rawValue)"
        if let source { s += "  \(source)" }
        s += "  \(detail)"
        // Bookkeeping for replay and coverage stays in the JSON, out of the line a person reads.
        let shown = data.filter { !["step", "branch", "now", "text", "clause"].contains($0.key) }
        if !shown.isEmpty { s += "  {" + shown.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}" }
        return s
    }
}

/// What a person picking up a hand-off needs, built from the trace without rereading.
public struct HandoffPacket: Codable, Sendable, Equatable {
    /// The queue.
    public var queue: String
    /// Why.
    public var reason: String
    /// `urgent` or `normal`.
    public var urgency: String
    /// Where the rule that handed off is written.
    public var source: String?
    /// A few sentences: intent, what was collected, actions taken, checks that failed.
    public var summary: String
    /// The customer.
    public var customer: CustomerProfile
    /// What was collected.
    public var collected: [String: String]
    /// Actions taken.
    public var actions: [ActionRecord]
    /// Guardrails and limits that stopped the agent.
    public var failedChecks: [String]
    /// What the person should do first.
    public var suggestedNextStep: String
    /// The conversation so far.
    public var transcript: [TranscriptLine]
}
