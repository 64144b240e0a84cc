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
    /// Customer messages, normalized, with how often each came: a short list found by comparing
    /// bytes (`RepeatCounts`). Stored, encoded and compared as the dictionary `repeats` is.
    public var repeatCounts: RepeatCounts
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

    /// Customer messages, normalized, with how often each came: a view of `repeatCounts`, made when it is read.
    public var repeats: [String: Int] {
        get { repeatCounts.dictionary }
        set { repeatCounts = RepeatCounts(newValue) }
    }

    /// The JSON keys, as when the values and counts were stored dictionaries: `slots` is written
    /// as `values`, `repeatCounts` as `repeats`.
    private enum CodingKeys: String, CodingKey {
        case id, customer, verifiedCustomerID, turn, status, intent, confidence, goal, procedure, awaiting
        case slots = "values"
        case loops, confirmed, clarifications, unanswered
        case repeatCounts = "repeats"
        case transcript, actions, frustrated, unclear, misses, request
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
        self.repeatCounts = RepeatCounts()
        self.transcript = []
        self.actions = []
        self.frustrated = false
    }
}

/// How often each request came in a conversation, by its text as `same_question_repeated`
/// compares it (`Turn.normalizedForRepeats`): a short list of texts and counts, found by comparing
/// bytes.
///
/// A conversation holds a few requests, so a look-up compares a few texts, each by its length
/// first. A dictionary hashed the text (the whole message) at every turn and allocated its table
/// at the first request; the list also lets a turn look its message up from bytes on the stack,
/// making a string only for a request not seen before. The order of the list is no part of the
/// state: every view of it (`dictionary`, the stored form, equality) is the same whatever the order.
public struct RepeatCounts: Sendable, Equatable, Codable {
    /// The texts and how often each came, each text once.
    private(set) var entries: [(name: String, value: Int)]

    /// No requests yet.
    public init() { entries = [] }

    /// The counts of a dictionary, in the order of their texts (so the same dictionary always gives the same list).
    public init(_ dictionary: [String: Int]) {
        entries = dictionary.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) }
    }

    /// How many texts there are.
    public var count: Int { entries.count }
    /// Whether there are none.
    public var isEmpty: Bool { entries.isEmpty }

    /// Where the text whose UTF-8 bytes are `bytes` is in the list.
    func position(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = bytes.count
        for i in entries.indices where entries[i].name.utf8.count == n {
            let same = FastText.withBytes(entries[i].name) { t in n == 0 || memcmp(t.baseAddress!, bytes.baseAddress!, n) == 0 }
            if same { return i }
        }
        return nil
    }

    /// Where `text` is in the list.
    func position(of text: String) -> Int? { FastText.withBytes(text) { position(of: $0) } }

    /// The count at a position.
    subscript(at i: Int) -> Int {
        get { entries[i].value }
        set { entries[i].value = newValue }
    }

    /// How often `text` came; setting nil removes it.
    public subscript(text: String) -> Int? {
        get { position(of: text).map { entries[$0].value } }
        set {
            if let i = position(of: text) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                appendNew(text, newValue)
            }
        }
    }

    /// Adds a text the list does not hold yet, with room for a few more at the first.
    mutating func appendNew(_ text: String, _ count: Int) {
        if entries.capacity == 0 { entries.reserveCapacity(4) }
        entries.append((text, count))
    }

    /// Makes room for `n` texts in all.
    mutating func reserveCapacity(_ n: Int) { entries.reserveCapacity(n) }

    /// The counts by text.
    public var dictionary: [String: Int] { namedDictionary }

    /// The texts and counts sorted by text, byte by byte: the order the stored form writes them in.
    var sortedByText: [(name: String, value: Int)] { entriesSortedByName }

    /// Equal when they hold the same texts with the same counts, in any order.
    public static func == (a: RepeatCounts, b: RepeatCounts) -> Bool { a.sameEntries(as: b) }

    /// Written as the dictionary of the counts: the same JSON as when the state held a dictionary.
    public func encode(to encoder: any Encoder) throws { try encodeAsDictionary(to: encoder) }

    /// Reads the dictionary `encode(to:)` writes.
    public init(from decoder: any Decoder) throws { self.init(try Self.decodedDictionary(from: decoder)) }
}

extension RepeatCounts: NamedList {
    func value(named name: String) -> Int? { self[name] }
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
