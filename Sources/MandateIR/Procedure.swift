/// A procedure as a graph of steps.
public struct Procedure: Codable, Sendable, Equatable {
    /// A value the procedure asks for or sets.
    public struct Slot: Codable, Sendable, Equatable {
        /// Its name.
        public var name: String
        /// Its type.
        public var type: ValueType
        /// A pattern for extraction, if the catalog gives one.
        public var pattern: String?
        /// Makes a slot.
        public init(name: String, type: ValueType, pattern: String?) {
            self.name = name
            self.type = type
            self.pattern = pattern
        }
    }
    /// A decision table.
    public struct Table: Codable, Sendable, Equatable {
        /// A row or column key as a lookup finds it: `basic_economy` finds the column `basic economy`;
        /// case, spaces and underscores do not count.
        public static func key(_ v: String) -> String {
            var v = v
            let ascii: [UInt8]? = v.withUTF8 { bytes in
                guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
                var out: [UInt8] = []
                out.reserveCapacity(bytes.count)
                var pendingSpace = false
                for b in bytes {
                    if b == 0x20 || b == 0x5F {
                        pendingSpace = !out.isEmpty
                        continue
                    }
                    if pendingSpace { out.append(0x20); pendingSpace = false }
                    out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
                }
                return out
            }
            if let ascii { return String(decoding: ascii, as: UTF8.self) }
            return v.lowercased().split(whereSeparator: { $0 == " " || $0 == "_" }).joined(separator: " ")
        }

        /// Its name.
        public var name: String
        /// The row key's header.
        public var rowHeader: String
        /// The column keys.
        public var columns: [String]
        /// Row keys, in order.
        public var rowKeys: [String]
        /// Cells, row by row.
        public var cells: [[Value]]
        /// Where it is.
        public var source: SourceRef
        /// Makes a table.
        public init(name: String, rowHeader: String, columns: [String], rowKeys: [String], cells: [[Value]], source: SourceRef) {
            self.name = name
            self.rowHeader = rowHeader
            self.columns = columns
            self.rowKeys = rowKeys
            self.cells = cells
            self.source = source
        }
    }
    /// The id: the file name without `.procedure`.
    public var id: String
    /// The name in `Procedure:`.
    public var name: String
    /// The goal it serves.
    public var goal: String
    /// Intents it handles.
    public var handles: [String]
    /// Whether the customer must be verified first.
    public var requiresVerifiedCustomer: Bool
    /// The first step, if any.
    public var entry: Int?
    /// Steps by id (their index).
    public var steps: [StepNode]
    /// Slots and variables, sorted by name.
    public var slots: [Slot]
    /// Decision tables, sorted by name.
    public var tables: [Table]
    /// Makes a procedure.
    public init(id: String, name: String, goal: String, handles: [String], requiresVerifiedCustomer: Bool, entry: Int?,
                steps: [StepNode], slots: [Slot], tables: [Table]) {
        self.id = id
        self.name = name
        self.goal = goal
        self.handles = handles
        self.requiresVerifiedCustomer = requiresVerifiedCustomer
        self.entry = entry
        self.steps = steps
        self.slots = slots
        self.tables = tables
    }
}

/// One node of a procedure's step graph.
public struct StepNode: Codable, Sendable, Equatable {
    /// Its index in `Procedure.steps`.
    public var id: Int
    /// The operator's label: `3`, `3.a`.
    public var label: String
    /// Where the sentence is: the source map.
    public var source: SourceRef
    /// What it does.
    public var op: Op
    /// The step after it; nil ends the path.
    public var next: Int?
    /// Makes a node.
    public init(id: Int, label: String, source: SourceRef, op: Op, next: Int?) {
        self.id = id
        self.label = label
        self.source = source
        self.op = op
        self.next = next
    }
}

/// A text with values to fill in.
public struct Template: Codable, Sendable, Equatable {
    /// A piece of a template.
    public enum Part: Codable, Sendable, Equatable {
        /// Literal text.
        case text(String)
        /// A value to show.
        case value(Expr)
    }
    /// The text as written.
    public var text: String
    /// Its pieces.
    public var parts: [Part]
    /// Makes a template.
    public init(text: String, parts: [Part]) {
        self.text = text
        self.parts = parts
    }
}

/// A way to verify the customer: an `identify` action and the slots it takes.
public struct VerificationMethod: Codable, Sendable, Equatable {
    /// The action.
    public var action: String
    /// The slots asked for, in order.
    public var slots: [String]
    /// Makes a method.
    public init(action: String, slots: [String]) {
        self.action = action
        self.slots = slots
    }
}

/// What a step does.
public enum Op: Codable, Sendable, Equatable {
    /// Wait for the customer to give a slot.
    case ask(slot: String, type: ValueType, choices: [String], from: Expr?, again: Bool)
    /// Ask a yes/no question; `next` is the yes path.
    case confirm(question: Template, onDecline: Int?)
    /// Send a message.
    case say(Template)
    /// Hand off.
    case escalate(queue: String, reason: String)
    /// End, resolved.
    case resolve(outcome: String)
    /// Set a variable.
    case set(name: String, value: Expr, type: ValueType)
    /// Continue in another procedure.
    case follow(procedure: String)
    /// Verify the customer by one of these methods.
    case verify(methods: [VerificationMethod])
    /// Call an action with arguments; outputs bind to names.
    case call(action: String, arguments: [String: Expr], binds: [String])
    /// Branch on a condition.
    case branch(condition: Expr, then: Int?, otherwise: Int?)
    /// Run `body` for each element of `list`; `next` runs after.
    case forEach(variable: String, list: Expr, body: Int?)
    /// Append a value to a list variable.
    case append(list: String, value: Expr)
}

/// A typed expression over the conversation's values.
public indirect enum Expr: Codable, Sendable, Equatable {
    /// A constant.
    case literal(Value)
    /// A slot, variable, bound record or loop variable.
    case name(String)
    /// A field of a value.
    case field(Expr, String)
    /// A fact about the customer (`tier`, `verified`, `id`).
    case customer(String)
    /// A fact about the conversation (`intent_confidence`, `frustrated`).
    case conversation(String)
    /// The injected clock's time.
    case now
    /// The injected clock's date, in the project's time zone.
    case today
    /// The number of elements, optionally those whose element satisfies a condition.
    case count(list: Expr, variable: String, whose: Expr?)
    /// The sum of a field over a list.
    case sum(list: Expr, variable: String, field: String)
    /// A decision-table lookup.
    case lookup(table: String, keys: [Expr])
    /// `plus`, `minus`, `times`.
    case arithmetic(op: String, lhs: Expr, rhs: Expr)
    /// A comparison.
    case compare(op: String, lhs: Expr, rhs: Expr)
    /// Membership in options.
    case oneOf(Expr, options: [Expr])
    /// Whether a value is absent.
    case missing(Expr)
    /// Text or list containment.
    case contains(Expr, Expr)
    /// Whether a moment is more than a duration before now.
    case olderThan(Expr, amount: Int, unit: String)
    /// Whether a moment is within a duration before now.
    case within(Expr, amount: Int, unit: String)
    /// Every, any or no element satisfies the predicate.
    case quantified(kind: String, variable: String, list: Expr, predicate: Expr)
    /// All hold.
    case and([Expr])
    /// Any holds.
    case or([Expr])
    /// Negation.
    case not(Expr)
}
