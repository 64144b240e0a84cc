import MandateDiagnostics

/// A YAML value with the exact range it came from.
public indirect enum YAMLNode: Sendable {
    /// Text, a number, a boolean: kept as written.
    case scalar(YAMLScalar)
    /// Keys and values, in file order.
    case mapping(YAMLMapping)
    /// Items, in file order.
    case sequence(YAMLSequence)

    /// Where the node is.
    public var range: SourceRange {
        switch self {
        case .scalar(let s): s.range
        case .mapping(let m): m.range
        case .sequence(let s): s.range
        }
    }

    /// Whether this is a mapping.
    public var isMapping: Bool { if case .mapping = self { true } else { false } }

    /// How the node is described to an operator ("text", "a list", "a mapping").
    public var kindDescription: String {
        switch self {
        case .scalar: "a single value"
        case .mapping: "a set of keys"
        case .sequence: "a list"
        }
    }
}

/// A scalar as written.
public struct YAMLScalar: Sendable {
    /// The value after YAML unquoting.
    public var value: String
    /// Where it is.
    public var range: SourceRange
    /// Whether it was quoted (a quoted scalar is always text).
    public var isQuoted: Bool
    /// Makes a scalar.
    public init(value: String, range: SourceRange, isQuoted: Bool) {
        self.value = value
        self.range = range
        self.isQuoted = isQuoted
    }
}

/// A mapping's entries.
public struct YAMLMapping: Sendable {
    /// One key and its value.
    public struct Entry: Sendable {
        /// The key.
        public var key: YAMLScalar
        /// The value.
        public var value: YAMLNode
    }
    /// The entries in file order; duplicates are reported by the reader and dropped.
    public var entries: [Entry]
    /// Where the mapping is.
    public var range: SourceRange

    /// The value under a key.
    public subscript(key: String) -> YAMLNode? { entries.first { $0.key.value == key }?.value }
}

/// A sequence's items.
public struct YAMLSequence: Sendable {
    /// The items.
    public var items: [YAMLNode]
    /// Where the sequence is.
    public var range: SourceRange
}
