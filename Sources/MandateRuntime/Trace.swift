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
    /// The facts as the interpreter wrote them, keys distinct, `step` apart: `data` without a
    /// dictionary built for every event.
    var facts: [(String, String)]
    /// `data["step"]`: the step the event belongs to, which the interpreter adds to every event of a step.
    var step: String?
    /// What an action returned, exactly: replaying the trace gives the interpreter the same answers.
    public var outputs: [String: RuntimeValue]?

    /// Facts: amounts, arguments, confidence, the step's label.
    public var data: [String: String] {
        get {
            var d = [String: String](minimumCapacity: facts.count + (step == nil ? 0 : 1))
            for (k, v) in facts { d[k] = v }
            if let step { d["step"] = step }
            return d
        }
        set {
            var d = newValue
            step = d.removeValue(forKey: "step")
            facts = d.map { ($0.key, $0.value) }
        }
    }

    /// `data[key]`, without making the dictionary.
    public func datum(_ key: String) -> String? {
        if key == "step" { return step }
        for (k, v) in facts where k == key { return v }
        return nil
    }

    /// Equal when every public property is: the facts compare as `data` does, in any order.
    public static func == (a: TraceEvent, b: TraceEvent) -> Bool {
        guard a.turn == b.turn, a.kind == b.kind, a.detail == b.detail, a.source == b.source, a.step == b.step,
              a.outputs == b.outputs, a.facts.count == b.facts.count else { return false }
        if a.facts.elementsEqual(b.facts, by: { $0.0 == $1.0 && $0.1 == $1.1 }) { return true }
        return a.data == b.data
    }

    private enum CodingKeys: String, CodingKey { case turn, kind, detail, source, data, outputs }

    /// The same JSON as ever: `turn`, `kind`, `detail`, `source` when there is one, `data`, `outputs` when there are some.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(turn, forKey: .turn)
        try c.encode(kind, forKey: .kind)
        try c.encode(detail, forKey: .detail)
        try c.encodeIfPresent(source, forKey: .source)
        try c.encode(data, forKey: .data)
        try c.encodeIfPresent(outputs, forKey: .outputs)
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

/// The initializers are written here, apart from the type, so that the type keeps its memberwise
/// initializer `init(turn:kind:detail:source:facts:step:outputs:)`: the interpreter makes every
/// event with it. An event made by an initializer written in the type was copied once more, as a
/// whole, on its way into the trace (a retain and a release of each of its texts and lists).
extension TraceEvent {
    /// Makes an event.
    public init(turn: Int, kind: Kind, detail: String, source: String? = nil, data: [String: String] = [:],
                outputs: [String: RuntimeValue]? = nil) {
        self.init(turn: turn, kind: kind, detail: detail, source: source, facts: [], outputs: outputs)
        self.data = data
    }

    /// Makes an event from facts with distinct keys (a `step` among them is kept apart).
    init(turn: Int, kind: Kind, detail: String, source: String?, facts: [(String, String)], outputs: [String: RuntimeValue]?) {
        self.turn = turn
        self.kind = kind
        self.detail = detail
        self.source = source
        self.facts = facts
        self.outputs = outputs
        // The length first: comparing two different short strings is a call, comparing two lengths is not.
        if let i = facts.firstIndex(where: { $0.0.utf8.count == 4 && $0.0 == "step" }) {
            step = facts[i].1
            self.facts.remove(at: i)
        }
    }

    /// Reads the JSON `encode(to:)` writes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(turn: try c.decode(Int.self, forKey: .turn), kind: try c.decode(Kind.self, forKey: .kind),
                  detail: try c.decode(String.self, forKey: .detail), source: try c.decodeIfPresent(String.self, forKey: .source),
                  data: try c.decode([String: String].self, forKey: .data),
                  outputs: try c.decodeIfPresent([String: RuntimeValue].self, forKey: .outputs))
    }
}

/// The facts of an event as the interpreter writes them: a dictionary literal (`["queue": q]`)
/// kept as a list, since an event is written once and read as a whole.
struct TraceFacts: ExpressibleByDictionaryLiteral {
    var items: [(String, String)]

    init(dictionaryLiteral elements: (String, String)...) { items = elements }

    /// Facts with distinct keys, as a list.
    init(items: [(String, String)]) { self.items = items }

    /// The entries of a dictionary.
    init(_ dictionary: [String: String]) { items = dictionary.map { ($0.key, $0.value) } }

    /// Adds a fact whose key is not there yet.
    mutating func add(_ key: String, _ value: String) { items.append((key, value)) }
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
