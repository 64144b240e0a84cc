import Foundation
import MandateIR

/// The customer a conversation is with, as the caller's session knows them.
public struct CustomerProfile: Codable, Sendable, Equatable {
    /// Their id: whose data every action touches.
    public var id: String
    /// Their tier.
    public var tier: String
    /// Whether the session has already verified them.
    public var verified: Bool
    /// Other facts: `name`, `email`, `zip_code`…
    public var fields: [String: RuntimeValue]

    /// Makes a profile.
    public init(id: String, tier: String, verified: Bool, fields: [String: RuntimeValue] = [:]) {
        self.id = id
        self.tier = tier
        self.verified = verified
        self.fields = fields
    }
}

/// Where a conversation stands.
public enum ConversationStatus: Codable, Sendable, Equatable {
    /// Talking with the agent.
    case open
    /// Ended with an outcome.
    case resolved(outcome: String)
    /// Handed to a person.
    case escalated(queue: String, reason: String)

    /// `open`, `resolved as refund_issued`, `escalated to billing`: how scenarios and reports name it.
    public var summary: String {
        switch self {
        case .open: "open"
        case .resolved(let o): "resolved as \(o)"
        case .escalated(let q, _): "escalated to \(q)"
        }
    }
}

/// What the conversation waits for from the customer.
public enum Awaiting: Codable, Sendable, Equatable {
    /// A value for a slot, asked at a step.
    case slot(name: String, node: Int)
    /// Yes or no to a `Confirm`.
    case confirmation(node: Int)
    /// A clearer message after a low-confidence guess.
    case clarification
    /// A value for a verification method's slot.
    case verification(node: Int, method: Int, slot: Int)
}

/// A loop in progress: `For each … in …`.
public struct LoopState: Codable, Sendable, Equatable {
    /// The `For each` node.
    public var node: Int
    /// The elements.
    public var elements: [RuntimeValue]
    /// The next element's index.
    public var index: Int
}

/// One line of the transcript.
public struct TranscriptLine: Codable, Sendable, Equatable {
    /// `customer` or `agent`.
    public var speaker: String
    /// What was said.
    public var text: String
    /// The turn it belongs to.
    public var turn: Int
}

/// An action the agent took.
public struct ActionRecord: Codable, Sendable, Equatable {
    /// The catalog action.
    public var action: String
    /// Its arguments, rendered.
    public var arguments: [String: String]
    /// `done`, `refused`, `failed` or `already done`.
    public var result: String
    /// The turn.
    public var turn: Int
}

/// Everything the runtime keeps between turns. Small, value-typed and serializable.
public struct ConversationState: Codable, Sendable, Equatable {
    /// The conversation's id.
    public var id: String
    /// The customer.
    public var customer: CustomerProfile
    /// The id the session verified, if any: the only identity actions may use.
    public var verifiedCustomerID: String?
    /// Turns taken so far.
    public var turn: Int
    /// Open, resolved or escalated.
    public var status: ConversationStatus
    /// The intent being served.
    public var intent: String?
    /// Its confidence.
    public var confidence: Double?
    /// The goal being served.
    public var goal: String?
    /// The procedure running, if any.
    public var procedure: String?
    /// What the conversation waits for.
    public var awaiting: Awaiting?
    /// Slots and variables, as the turn keeps them: a short list found by name without hashing
    /// (`SlotValues`). Stored, encoded and compared as the dictionary `values` is.
    public var slots: SlotValues
    /// Loops in progress, innermost last.
    public var loops: [LoopState]
    /// A `Confirm` the customer accepted, not yet used by an action with effects.
    public var confirmed: Int?
    /// Clarifying questions asked for the current message.
    public var clarifications: Int
    /// Times each question was asked without an answer understood.
    public var unanswered: Int
    /// Customer messages, normalized, with how often each came.
    public var repeats: [String: Int]
    /// The transcript.
    public var transcript: [TranscriptLine]
    /// Actions taken.
    public var actions: [ActionRecord]
    /// Whether the customer sounded frustrated.
    public var frustrated: Bool
    /// A message the agent could not place, kept to read together with the customer's next one.
    public var unclear: String?
    /// Lookups in this request that found nothing and were asked again.
    public var misses: Int = 0
    /// The words of the request being served, where values with a pattern (`order 1042`) are looked for before asking.
    public var request: String?

    /// Slots and variables, by name: a view of `slots`, made when it is read.
    public var values: [String: RuntimeValue] {
        get { slots.dictionary }
        set { slots = SlotValues(newValue) }
    }

    /// The JSON keys, as when the values were a stored dictionary: `slots` is written as `values`.
    private enum CodingKeys: String, CodingKey {
        case id, customer, verifiedCustomerID, turn, status, intent, confidence, goal, procedure, awaiting
        case slots = "values"
        case loops, confirmed, clarifications, unanswered, repeats, transcript, actions, frustrated, unclear, misses, request
    }

    /// A new conversation.
    public init(id: String, customer: CustomerProfile) {
        self.id = id
        self.customer = customer
        self.verifiedCustomerID = customer.verified ? customer.id : nil
        self.turn = 0
        self.status = .open
        self.slots = SlotValues()
        self.loops = []
        self.clarifications = 0
        self.unanswered = 0
        self.repeats = [:]
        self.transcript = []
        self.actions = []
        self.frustrated = false
    }
}

/// What the customer did this turn.
public struct CustomerEvent: Codable, Sendable, Equatable {
    /// Their message.
    public var message: String
    /// An intent supplied by the caller's own model, skipping the embedded classifier.
    public var intent: IntentPrediction?

    /// Makes an event.
    public init(message: String, intent: IntentPrediction? = nil) {
        self.message = message
        self.intent = intent
    }
}

/// Something the turn produced for the outside world.
/// As JSON: `{"kind": "say", "text": …}`, `{"kind": "ask", "slot": …, "text": …}`, `{"kind": "action", "name": …, "arguments": {…}}`,
/// `{"kind": "handoff", "handoff": {…}}`, `{"kind": "resolved", "outcome": …}`.
public enum TurnEffect: Codable, Sendable, Equatable {
    /// A message to the customer.
    case say(String)
    /// A question for a slot.
    case ask(slot: String, text: String)
    /// A yes/no question.
    case confirm(String)
    /// An action performed, with its arguments.
    case action(name: String, arguments: [String: String])
    /// A hand-off.
    case handoff(HandoffPacket)
    /// The conversation ended with an outcome.
    case resolved(String)

    private enum Key: String, CodingKey { case kind, text, slot, name, arguments, handoff, outcome }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .say(let t): try c.encode("say", forKey: .kind); try c.encode(t, forKey: .text)
        case .ask(let slot, let t): try c.encode("ask", forKey: .kind); try c.encode(slot, forKey: .slot); try c.encode(t, forKey: .text)
        case .confirm(let t): try c.encode("confirm", forKey: .kind); try c.encode(t, forKey: .text)
        case .action(let n, let a): try c.encode("action", forKey: .kind); try c.encode(n, forKey: .name); try c.encode(a, forKey: .arguments)
        case .handoff(let p): try c.encode("handoff", forKey: .kind); try c.encode(p, forKey: .handoff)
        case .resolved(let o): try c.encode("resolved", forKey: .kind); try c.encode(o, forKey: .outcome)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "say": self = .say(try c.decode(String.self, forKey: .text))
        case "ask": self = .ask(slot: try c.decode(String.self, forKey: .slot), text: try c.decode(String.self, forKey: .text))
        case "confirm": self = .confirm(try c.decode(String.self, forKey: .text))
        case "action": self = .action(name: try c.decode(String.self, forKey: .name), arguments: try c.decode([String: String].self, forKey: .arguments))
        case "handoff": self = .handoff(try c.decode(HandoffPacket.self, forKey: .handoff))
        case "resolved": self = .resolved(try c.decode(String.self, forKey: .outcome))
        case let k: throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "no effect of kind `\(k)`")
        }
    }
}

/// The result of one turn.
public struct TurnResult: Sendable {
    /// The state after the turn.
    public var state: ConversationState
    /// What to send and what happened.
    public var effects: [TurnEffect]
    /// Every decision, in order.
    public var trace: [TraceEvent]
}
