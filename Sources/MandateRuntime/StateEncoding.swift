import Foundation
import MandateIR

/// The compact binary form in which a store keeps a `ConversationState` between turns.
///
/// Only stores read it back, so it is made for speed and exactness, not for people (the JSON form
/// of `Codable` stays for everything else). Layout, version 1:
///
/// - 4 bytes: `M` `S` `T` and the version, `0x01`. Anything else is refused.
/// - then every field of `ConversationState` in declaration order. Integers are LEB128 varints
///   (zigzag for signed ones); text is a varint byte count and UTF-8; an optional is a byte `0` or
///   `1` and the value; a boolean is a byte `0` or `1`; a `Double` is its 8 IEEE-754 bytes,
///   little-endian (exact); a list is a varint count and its elements; a dictionary is a varint
///   count and its entries sorted by key (the same state always gives the same bytes); an enum is
///   a byte naming its case and the case's values.
/// - nothing after the last field.
///
/// `RuntimeValue`: tag 0 text, 1 number (its exact decimal text, as `Decimal.description` writes
/// it), 2 money (minor units, zigzag, and the currency), 3 percent, 4 date (day number),
/// 5 datetime (seconds), 6 duration (amount, unit), 7 boolean, 8 record (a dictionary),
/// 9 list. A field added to any of these types needs a new version here: the round-trip tests
/// count the fields and fail until it has one.
public enum StateEncoding {
    /// The 4 bytes every stored state starts with: `MST` and the format version.
    public static let header: [UInt8] = [0x4D, 0x53, 0x54, 0x01]

    /// The state in the binary form.
    public static func encode(_ state: ConversationState) -> [UInt8] {
        var w = StateWriter()
        w.bytes.reserveCapacity(1024)
        w.bytes.append(contentsOf: header)
        w.state(state)
        return w.bytes
    }

    /// Reads a state written by `encode`. A damaged or foreign byte string throws an error that
    /// says where it stopped making sense; it never traps.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(StateDecodingError) -> ConversationState {
        var r = StateReader(bytes)
        guard bytes.count >= 4, bytes[0] == header[0], bytes[1] == header[1], bytes[2] == header[2] else {
            throw StateDecodingError("it does not start with the stored-state header `MST`")
        }
        guard bytes[3] == header[3] else {
            throw StateDecodingError("it is in format version \(bytes[3]), and this Mandate reads version \(header[3]); use the Mandate that wrote it, or a newer one")
        }
        r.offset = 4
        let state = try r.state()
        guard r.offset == bytes.count else { throw StateDecodingError("\(bytes.count - r.offset) bytes follow the end of the state") }
        return state
    }

    /// Reads a state written by `encode`, from an array.
    public static func decode(_ bytes: [UInt8]) throws(StateDecodingError) -> ConversationState {
        do {
            return try bytes.withUnsafeBytes { raw in try decode(raw) }
        } catch let e as StateDecodingError { throw e } catch { throw StateDecodingError("\(error)") }
    }
}

/// A stored state that cannot be read: what was wrong, in words.
public struct StateDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var reason: String
    /// Makes an error.
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Appends values in the binary form of `StateEncoding`.
struct StateWriter {
    var bytes: [UInt8] = []

    mutating func unsigned(_ v: UInt64) { VarInt.append(v, to: &bytes) }
    mutating func int(_ v: Int64) { unsigned(VarInt.zigzag(v)) }
    mutating func int(_ v: Int) { int(Int64(v)) }
    mutating func bool(_ b: Bool) { bytes.append(b ? 1 : 0) }

    mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { u in
            unsigned(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    mutating func text(_ s: String?) {
        if let s { bytes.append(1); text(s) } else { bytes.append(0) }
    }

    mutating func int(_ v: Int?) {
        if let v { bytes.append(1); int(v) } else { bytes.append(0) }
    }

    mutating func double(_ d: Double?) {
        guard let d else { bytes.append(0); return }
        bytes.append(1)
        let bits = d.bitPattern
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }

    mutating func keyed<V>(_ d: [String: V], _ value: (inout StateWriter, V) -> Void) {
        unsigned(UInt64(d.count))
        if d.count == 1, let (k, v) = d.first {
            text(k)
            value(&self, v)
            return
        }
        for (k, v) in d.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            text(k)
            value(&self, v)
        }
    }

    mutating func value(_ v: RuntimeValue) {
        switch v {
        case .text(let s): bytes.append(0); text(s)
        case .number(let d): bytes.append(1); text(d.description)
        case .money(let m): bytes.append(2); int(m.minor); text(m.currency)
        case .percent(let p): bytes.append(3); int(p)
        case .date(let d): bytes.append(4); int(d.dayNumber)
        case .datetime(let s): bytes.append(5); int(s)
        case .duration(let amount, let unit): bytes.append(6); int(amount); text(unit)
        case .boolean(let b): bytes.append(7); bool(b)
        case .record(let fields):
            // Written as `keyed` writes a dictionary: the fields are kept in the byte order of their names.
            bytes.append(8)
            unsigned(UInt64(fields.count))
            for (k, v) in fields.fields {
                text(k)
                value(v)
            }
        case .list(let items):
            bytes.append(9)
            unsigned(UInt64(items.count))
            for item in items { value(item) }
        }
    }

    mutating func state(_ s: ConversationState) {
        text(s.id)
        text(s.customer.id)
        text(s.customer.tier)
        bool(s.customer.verified)
        keyed(s.customer.fields) { $0.value($1) }
        text(s.verifiedCustomerID)
        int(s.turn)
        switch s.status {
        case .open: bytes.append(0)
        case .resolved(let outcome): bytes.append(1); text(outcome)
        case .escalated(let queue, let reason): bytes.append(2); text(queue); text(reason)
        }
        text(s.intent)
        double(s.confidence)
        text(s.goal)
        text(s.procedure)
        switch s.awaiting {
        case nil: bytes.append(0)
        case .slot(let name, let node)?: bytes.append(1); text(name); int(node)
        case .confirmation(let node)?: bytes.append(2); int(node)
        case .clarification?: bytes.append(3)
        case .verification(let node, let method, let slot)?: bytes.append(4); int(node); int(method); int(slot)
        }
        // As a dictionary of the values: its count, then its entries sorted by name.
        unsigned(UInt64(s.slots.count))
        for (k, v) in s.slots.sortedByName {
            text(k)
            value(v)
        }
        unsigned(UInt64(s.loops.count))
        for loop in s.loops {
            int(loop.node)
            unsigned(UInt64(loop.elements.count))
            for e in loop.elements { value(e) }
            int(loop.index)
        }
        int(s.confirmed)
        int(s.clarifications)
        int(s.unanswered)
        // As a dictionary of the counts: its count, then its entries sorted by text.
        unsigned(UInt64(s.repeatCounts.count))
        for (k, n) in s.repeatCounts.sortedByText {
            text(k)
            int(n)
        }
        unsigned(UInt64(s.transcript.count))
        for line in s.transcript {
            text(line.speaker)
            text(line.text)
            int(line.turn)
        }
        unsigned(UInt64(s.actions.count))
        for a in s.actions {
            text(a.action)
            keyed(a.arguments) { $0.text($1) }
            text(a.result)
            int(a.turn)
        }
        bool(s.frustrated)
        text(s.unclear)
        int(s.misses)
        text(s.request)
    }
}

/// Reads the binary form of `StateEncoding`, checking every length against the bytes left.
struct StateReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func failure(_ what: String) -> StateDecodingError {
        StateDecodingError("\(what) at byte \(offset) of \(bytes.count)")
    }

    mutating func byte() throws(StateDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw failure("it ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func unsigned() throws(StateDecodingError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64, shift < 63 || b <= 1 else { throw failure("a number is too long") }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    mutating func int64() throws(StateDecodingError) -> Int64 {
        VarInt.unzigzag(try unsigned())
    }

    mutating func int() throws(StateDecodingError) -> Int {
        let v = try int64()
        guard let i = Int(exactly: v) else { throw failure("a number is out of range") }
        return i
    }

    mutating func count() throws(StateDecodingError) -> Int {
        let n = try unsigned()
        // Every element takes at least one byte: a larger count cannot be right.
        guard n <= UInt64(bytes.count - offset) else { throw failure("a count of \(n) is larger than the bytes left") }
        return Int(n)
    }

    mutating func bool() throws(StateDecodingError) -> Bool {
        switch try byte() {
        case 0: false
        case 1: true
        case let b: throw failure("\(b) is neither yes (1) nor no (0)")
        }
    }

    mutating func present() throws(StateDecodingError) -> Bool {
        switch try byte() {
        case 0: false
        case 1: true
        case let b: throw failure("\(b) is not an optional's marker (0 or 1)")
        }
    }

    mutating func text() throws(StateDecodingError) -> String {
        let n = try count()
        let start = offset
        offset += n
        guard let s = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self) else {
            offset = start
            throw failure("a text is not valid UTF-8")
        }
        return s
    }

    mutating func optionalText() throws(StateDecodingError) -> String? { try present() ? try text() : nil }
    mutating func optionalInt() throws(StateDecodingError) -> Int? { try present() ? try int() : nil }

    mutating func double() throws(StateDecodingError) -> Double? {
        guard try present() else { return nil }
        guard bytes.count - offset >= 8 else { throw failure("it ends early") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return Double(bitPattern: bits)
    }

    mutating func keyed<V>(_ value: (inout StateReader) throws(StateDecodingError) -> V) throws(StateDecodingError) -> [String: V] {
        let n = try count()
        var d: [String: V] = [:]
        d.reserveCapacity(n)
        for _ in 0..<n {
            let k = try text()
            guard d.updateValue(try value(&self), forKey: k) == nil else { throw failure("the key `\(k)` comes twice") }
        }
        return d
    }

    /// A list of named values (the conversation's values, the repeat counts), written as `keyed`
    /// writes a dictionary; a name that comes twice is refused as there.
    mutating func named<L: NamedList>(_ value: (inout StateReader) throws(StateDecodingError) -> L.Value) throws(StateDecodingError) -> L {
        let n = try count()
        var list = L()
        guard n > 0 else { return list }
        list.reserveCapacity(n)
        // Many names are checked against a set, so that a long list is not searched once per name.
        var seen = n > 32 ? Set<String>(minimumCapacity: n) : nil
        for _ in 0..<n {
            let k = try text()
            let v = try value(&self)
            let repeated = seen != nil ? seen?.insert(k).inserted == false : list.position(of: k) != nil
            guard !repeated else { throw failure("the key `\(k)` comes twice") }
            list.appendNew(k, v)
        }
        return list
    }

    mutating func list<V>(_ element: (inout StateReader) throws(StateDecodingError) -> V) throws(StateDecodingError) -> [V] {
        let n = try count()
        var a: [V] = []
        a.reserveCapacity(n)
        for _ in 0..<n { a.append(try element(&self)) }
        return a
    }

    mutating func value(depth: Int = 0) throws(StateDecodingError) -> RuntimeValue {
        guard depth < 100 else { throw failure("values are nested more than 100 deep") }
        switch try byte() {
        case 0: return .text(try text())
        case 1:
            let s = try text()
            guard let d = Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")), !d.isNaN, d.description == s else {
                throw failure("`\(s)` is not an exact decimal number")
            }
            return .number(d)
        case 2:
            let minor = try int64()
            return .money(Money(minor: minor, currency: try text()))
        case 3: return .percent(try int())
        case 4: return .date(CalendarDate(dayNumber: try int()))
        case 5: return .datetime(try int64())
        case 6:
            let amount = try int()
            return .duration(amount: amount, unit: try text())
        case 7: return .boolean(try bool())
        case 8:
            // Read as `keyed` reads a dictionary, a name that comes twice refused as there.
            let n = try count()
            var record = RuntimeRecord()
            record.reserveCapacity(n)
            for _ in 0..<n {
                let k = try text()
                let v = try value(depth: depth + 1)
                guard record[k] == nil else { throw failure("the key `\(k)` comes twice") }
                record[k] = v
            }
            return .record(record)
        case 9: return .list(try list { r throws(StateDecodingError) in try r.value(depth: depth + 1) })
        case let t: throw failure("no value has the tag \(t)")
        }
    }

    mutating func state() throws(StateDecodingError) -> ConversationState {
        let id = try text()
        let customerID = try text()
        let tier = try text()
        let verified = try bool()
        let fields = try keyed { r throws(StateDecodingError) in try r.value() }
        var s = ConversationState(id: id, customer: CustomerProfile(id: customerID, tier: tier, verified: verified, fields: fields))
        s.verifiedCustomerID = try optionalText()
        s.turn = try int()
        switch try byte() {
        case 0: s.status = .open
        case 1: s.status = .resolved(outcome: try text())
        case 2:
            let queue = try text()
            s.status = .escalated(queue: queue, reason: try text())
        case let t: throw failure("no conversation status has the tag \(t)")
        }
        s.intent = try optionalText()
        s.confidence = try double()
        s.goal = try optionalText()
        s.procedure = try optionalText()
        switch try byte() {
        case 0: s.awaiting = nil
        case 1:
            let name = try text()
            s.awaiting = .slot(name: name, node: try int())
        case 2: s.awaiting = .confirmation(node: try int())
        case 3: s.awaiting = .clarification
        case 4:
            let node = try int()
            let method = try int()
            s.awaiting = .verification(node: node, method: method, slot: try int())
        case let t: throw failure("nothing awaited has the tag \(t)")
        }
        s.slots = try named { r throws(StateDecodingError) in try r.value() }
        s.loops = try list { r throws(StateDecodingError) in
            let node = try r.int()
            let elements = try r.list { r throws(StateDecodingError) in try r.value() }
            return LoopState(node: node, elements: elements, index: try r.int())
        }
        s.confirmed = try optionalInt()
        s.clarifications = try int()
        s.unanswered = try int()
        s.repeatCounts = try named { r throws(StateDecodingError) in try r.int() }
        s.transcript = try list { r throws(StateDecodingError) in
            let speaker = try r.text()
            let text = try r.text()
            return TranscriptLine(speaker: speaker, text: text, turn: try r.int())
        }
        s.actions = try list { r throws(StateDecodingError) in
            let action = try r.text()
            let arguments = try r.keyed { r throws(StateDecodingError) in try r.text() }
            let result = try r.text()
            return ActionRecord(action: action, arguments: arguments, result: result, turn: try r.int())
        }
        s.frustrated = try bool()
        s.unclear = try optionalText()
        s.misses = try int()
        s.request = try optionalText()
        return s
    }
}
