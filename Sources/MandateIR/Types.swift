/// The type of a value in the plan.
public indirect enum ValueType: Sendable, Hashable, Codable, CustomStringConvertible {
    case text, number, money, percent, date, datetime, duration, boolean, email, identity
    /// One of fixed values.
    case enumeration([String])
    /// A record declared in the catalog.
    case record(String)
    /// A list of values.
    case list(ValueType)
    /// Not known (an error was reported).
    case unknown

    /// `text`, `enum(a|b)`, `record(Order)`, `list(record(Item))`.
    public var description: String {
        switch self {
        case .text: "text"
        case .number: "number"
        case .money: "money"
        case .percent: "percent"
        case .date: "date"
        case .datetime: "datetime"
        case .duration: "duration"
        case .boolean: "boolean"
        case .email: "email"
        case .identity: "identity"
        case .enumeration(let values): "enum(\(values.joined(separator: "|")))"
        case .record(let name): "record(\(name))"
        case .list(let element): "list(\(element))"
        case .unknown: "unknown"
        }
    }

    /// Reads the form `description` writes.
    public init?(parsing text: Substring) {
        func inner(_ prefix: String) -> Substring? {
            guard text.hasPrefix(prefix + "("), text.hasSuffix(")") else { return nil }
            return text.dropFirst(prefix.count + 1).dropLast()
        }
        switch text {
        case "text": self = .text
        case "number": self = .number
        case "money": self = .money
        case "percent": self = .percent
        case "date": self = .date
        case "datetime": self = .datetime
        case "duration": self = .duration
        case "boolean": self = .boolean
        case "email": self = .email
        case "identity": self = .identity
        case "unknown": self = .unknown
        default:
            if let v = inner("enum") { self = .enumeration(v.split(separator: "|").map(String.init)) }
            else if let v = inner("record") { self = .record(String(v)) }
            else if let v = inner("list"), let e = ValueType(parsing: v) { self = .list(e) }
            else { return nil }
        }
    }

    /// Encodes as its description.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Decodes from its description.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let t = ValueType(parsing: Substring(s)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown type `\(s)`")
        }
        self = t
    }
}

/// A constant in the plan.
public enum Value: Sendable, Hashable, Codable {
    /// Text.
    case text(String)
    /// A decimal number, exactly as written (`0.75`).
    case number(String)
    /// Money.
    case money(Money)
    /// Hundredths of a percent.
    case percent(Int)
    /// `YYYY-MM-DD`.
    case date(String)
    /// An amount of a unit: `30 days`.
    case duration(amount: Int, unit: String)
    /// true or false.
    case boolean(Bool)
}

/// A field of a record or an action.
public struct Field: Codable, Sendable, Equatable {
    /// Its name.
    public var name: String
    /// Its type.
    public var type: ValueType
    /// A pattern values must match, if given.
    public var pattern: String?
    /// Makes a field.
    public init(name: String, type: ValueType, pattern: String? = nil) {
        self.name = name
        self.type = type
        self.pattern = pattern
    }
}

/// A record type of the catalog.
public struct RecordType: Codable, Sendable, Equatable {
    /// Its name.
    public var name: String
    /// The field naming its owner.
    public var owner: String?
    /// Its fields, in file order.
    public var fields: [Field]
    /// Makes a record type.
    public init(name: String, owner: String?, fields: [Field]) {
        self.name = name
        self.owner = owner
        self.fields = fields
    }
}

/// An action of the catalog.
public struct ActionSignature: Codable, Sendable, Equatable {
    /// How often it may run.
    public struct Limit: Codable, Sendable, Equatable {
        /// How many times.
        public var count: Int
        /// Per what.
        public var per: String
        /// Over how many days, if windowed.
        public var windowDays: Int?
        /// Makes a limit.
        public init(count: Int, per: String, windowDays: Int?) {
            self.count = count
            self.per = per
            self.windowDays = windowDays
        }
    }
    /// Its name.
    public var name: String
    /// What it does.
    public var description: String?
    /// The phrase that calls it.
    public var phrase: String
    /// Inputs.
    public var inputs: [Field]
    /// Outputs.
    public var outputs: [Field]
    /// read, write, refund, identify.
    public var effect: String
    /// sandbox, http, mcp.
    public var runsOn: String
    /// Paths that make the idempotency key.
    public var idempotencyKey: [String]
    /// Frequency limit.
    public var limit: Limit?
    /// Where it is declared.
    public var source: SourceRef
    /// Makes a signature.
    public init(name: String, description: String?, phrase: String, inputs: [Field], outputs: [Field], effect: String,
                runsOn: String, idempotencyKey: [String], limit: Limit?, source: SourceRef) {
        self.name = name
        self.description = description
        self.phrase = phrase
        self.inputs = inputs
        self.outputs = outputs
        self.effect = effect
        self.runsOn = runsOn
        self.idempotencyKey = idempotencyKey
        self.limit = limit
        self.source = source
    }
}
