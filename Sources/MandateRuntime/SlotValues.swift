import Foundation
import MandateIR

/// A conversation's values (slots and variables) as a turn keeps them: a short list of names and
/// values in the order they were first given, found by comparing names rather than by hashing them.
///
/// A conversation holds a handful of values (the names its procedures ask for, set, bind and loop
/// over), so a look-up compares a few names, each by its length first and then by its bytes
/// (a name of up to 15 bytes is compared as two machine words). A dictionary hashed the name at
/// every look-up and insert, which cost several times more. The order of the list is no part of
/// the state: two lists with the same names and values are equal, and every view of them
/// (`dictionary`, the stored form, the hand-off's `collected`) is the same whatever the order.
public struct SlotValues: Sendable, Equatable, Codable, ExpressibleByDictionaryLiteral, Sequence {
    /// The names and values, each name once.
    private(set) var entries: [(name: String, value: RuntimeValue)]

    /// No values.
    public init() { entries = [] }

    /// The values of a dictionary, in the order of their names (so the same dictionary always gives the same list).
    public init(_ dictionary: [String: RuntimeValue]) {
        entries = dictionary.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) }
    }

    public init(dictionaryLiteral elements: (String, RuntimeValue)...) {
        entries = []
        entries.reserveCapacity(elements.count)
        for (k, v) in elements { self[k] = v }
    }

    /// How many values there are.
    public var count: Int { entries.count }
    /// Whether there are none.
    public var isEmpty: Bool { entries.isEmpty }
    /// Room for this many values without regrowing.
    var capacity: Int { entries.capacity }

    /// Makes room for `n` values in all.
    mutating func reserveCapacity(_ n: Int) { entries.reserveCapacity(n) }

    /// Where `name` is in the list.
    @inline(__always)
    func position(of name: String) -> Int? {
        let length = name.utf8.count
        return entries.withUnsafeBufferPointer { e in
            for i in e.indices where e[i].name.utf8.count == length && e[i].name == name { return i }
            return nil
        }
    }

    /// The value named `name`; setting nil removes it.
    public subscript(name: String) -> RuntimeValue? {
        get {
            guard let i = position(of: name) else { return nil }
            return entries[i].value
        }
        set {
            if let i = position(of: name) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((name, newValue))
            }
        }
    }

    /// Adds a value under a name the list does not hold yet (as read from a stored state, where each name comes once).
    mutating func appendNew(_ name: String, _ value: RuntimeValue) { entries.append((name, value)) }

    /// Removes every value, keeping the room.
    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }

    /// The values by name.
    public var dictionary: [String: RuntimeValue] { namedDictionary }

    /// The names and values in the order the names were first given.
    public func makeIterator() -> IndexingIterator<[(name: String, value: RuntimeValue)]> { entries.makeIterator() }

    /// The names and values sorted by name, byte by byte: the order the stored form writes them in.
    var sortedByName: [(name: String, value: RuntimeValue)] { entriesSortedByName }

    /// Equal when they hold the same names with the same values, in any order.
    public static func == (a: SlotValues, b: SlotValues) -> Bool { a.sameEntries(as: b) }

    /// Written as the dictionary of the values: the same JSON as when the state held a dictionary.
    public func encode(to encoder: any Encoder) throws { try encodeAsDictionary(to: encoder) }

    /// Reads the dictionary `encode(to:)` writes.
    public init(from decoder: any Decoder) throws { self.init(try Self.decodedDictionary(from: decoder)) }
}

extension SlotValues: NamedList {
    func value(named name: String) -> RuntimeValue? { self[name] }
}

/// A short list of values by name, each name once, that a conversation's state keeps in place of
/// a dictionary (`SlotValues`, `RepeatCounts`): seen from outside, and stored, as the dictionary.
protocol NamedList {
    associatedtype Value: Equatable & Codable
    /// The names and values, each name once, in no particular order.
    var entries: [(name: String, value: Value)] { get }
    /// No values.
    init()
    /// The list of a dictionary's entries.
    init(_ dictionary: [String: Value])
    /// The value named `name`.
    func value(named name: String) -> Value?
    /// Where `name` is in the list.
    func position(of name: String) -> Int?
    /// Adds a value under a name the list does not hold yet.
    mutating func appendNew(_ name: String, _ value: Value)
    /// Makes room for `n` values in all.
    mutating func reserveCapacity(_ n: Int)
}

extension NamedList {
    /// The values by name.
    var namedDictionary: [String: Value] {
        var d = [String: Value](minimumCapacity: entries.count)
        for (k, v) in entries { d[k] = v }
        return d
    }

    /// The names and values sorted by name, byte by byte: the order the stored form writes them in.
    var entriesSortedByName: [(name: String, value: Value)] {
        entries.count < 2 ? entries : entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Whether the two hold the same names with the same values, in any order.
    func sameEntries(as other: Self) -> Bool {
        guard entries.count == other.entries.count else { return false }
        for (k, v) in entries where other.value(named: k) != v { return false }
        return true
    }

    /// Writes the list as the dictionary of its values.
    func encodeAsDictionary(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(namedDictionary)
    }

    /// Reads the dictionary `encodeAsDictionary` writes.
    static func decodedDictionary(from decoder: any Decoder) throws -> [String: Value] {
        try decoder.singleValueContainer().decode([String: Value].self)
    }
}
