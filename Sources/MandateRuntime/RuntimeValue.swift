import Foundation
import MandateIR

/// A moment — seconds since 1970-01-01 00:00 UTC — as a day and a time of day in UTC: the one
/// place moments are turned into text (messages, the ledger's listing, suggested scenarios).
public struct UTCMoment: Sendable, Equatable {
    /// The day.
    public var day: CalendarDate
    /// Seconds since midnight, 0 ..< 86,400.
    public var secondOfDay: Int

    /// The moment `seconds` after 1970-01-01 00:00 UTC (before it when negative).
    public init(_ seconds: Int64) {
        let (days, rest) = seconds.quotientAndRemainder(dividingBy: 86_400)
        day = CalendarDate(dayNumber: Int(rest < 0 ? days - 1 : days))
        secondOfDay = Int(rest < 0 ? rest + 86_400 : rest)
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    private var hh: String { Self.two(secondOfDay / 3600) }
    private var mm: String { Self.two(secondOfDay % 3600 / 60) }
    private var ss: String { Self.two(secondOfDay % 60) }

    /// `2026-11-28 14:05 UTC`, as messages show it.
    public var inMessages: String { "\(day) \(hh):\(mm) UTC" }
    /// `2026-11-28 14:05:09`, as listings show it.
    public var inListings: String { "\(day) \(hh):\(mm):\(ss)" }
    /// `2026-11-28T14:05:09Z` (ISO 8601), as test files write it.
    public var iso: String { "\(day)T\(hh):\(mm):\(ss)Z" }
}

/// A calendar day, without a time or a zone: `2026-11-28`.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public var dayNumber: Int

    /// Makes a date from its day number.
    public init(dayNumber: Int) { self.dayNumber = dayNumber }

    /// Makes a date from year, month (1–12) and day (1–31); nil when no such day exists.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        // Days from civil (Howard Hinnant's algorithm): exact for the proleptic Gregorian calendar.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        self.dayNumber = era * 146_097 + doe - 719_468
    }

    /// Reads `YYYY-MM-DD`.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Year, month and day.
    public var components: (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let c = components
        // Years 0 to 9999 (every date a conversation meets) written as ten bytes into one small string.
        if c.year >= 0 && c.year <= 9999 {
            return String(unsafeUninitializedCapacity: 10) { out in
                func put(_ i: Int, _ d: Int) { out[i] = 0x30 + UInt8(d) }
                put(0, c.year / 1000); put(1, c.year / 100 % 10); put(2, c.year / 10 % 10); put(3, c.year % 10)
                out[4] = 0x2D
                put(5, c.month / 10); put(6, c.month % 10)
                out[7] = 0x2D
                put(8, c.day / 10); put(9, c.day % 10)
                return 10
            }
        }
        func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    /// The same day `months` months later, clamped to the month's last day.
    public func adding(months: Int) -> CalendarDate {
        let c = components
        let total = c.year * 12 + (c.month - 1) + months
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        return CalendarDate(year: y, month: m, day: min(c.day, CalendarDate.daysIn(month: m, year: y)))!
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { a.dayNumber < b.dayNumber }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = CalendarDate(iso: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "`\(s)` is not a date written YYYY-MM-DD")
        }
        self = d
    }
}

/// A value during a conversation: a slot the customer gave, a record an action returned, a computed amount.
///
/// Numbers are exact decimals and money is integer minor units: nothing here is floating point.
public indirect enum RuntimeValue: Sendable, Hashable, Codable {
    /// Text (also emails, identities and enumeration values).
    case text(String)
    /// An exact decimal.
    case number(Decimal)
    /// An amount with its currency.
    case money(Money)
    /// Hundredths of a percent: 15% is 1500.
    case percent(Int)
    /// A calendar day.
    case date(CalendarDate)
    /// A moment: seconds since 1970-01-01T00:00:00Z.
    case datetime(Int64)
    /// An amount of a unit: `30 days`, `2 months`.
    case duration(amount: Int, unit: String)
    /// Yes or no.
    case boolean(Bool)
    /// A record's fields by name (`RuntimeRecord`: read by name without hashing it).
    case record(RuntimeRecord)
    /// A list.
    case list([RuntimeValue])

    /// The field of a record, if this is one and it has it.
    public subscript(field name: String) -> RuntimeValue? {
        if case .record(let fields) = self { return fields[name] }
        return nil
    }
}

extension RuntimeValue {
    /// A constant of the plan as a runtime value.
    public init(_ value: Value) {
        switch value {
        case .text(let s): self = .text(s)
        case .number(let s): self = .number(Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")) ?? 0)
        case .money(let m): self = .money(m)
        case .percent(let p): self = .percent(p)
        case .date(let s): self = CalendarDate(iso: s).map { .date($0) } ?? .text(s)
        case .duration(let amount, let unit): self = .duration(amount: amount, unit: unit)
        case .boolean(let b): self = .boolean(b)
        }
    }
}

/// A record's fields: names and values, kept in the byte order of their names (the order the stored
/// forms write them), each name once.
///
/// Reads a field by name as a dictionary does (`record["status"]`), but looks through its few
/// names instead of hashing the one asked for: a name is compared only with names of its length,
/// and a long record is searched by halves. Equal records hold the same fields, whatever order
/// they were given in. Names are compared as the conversation's values compare theirs
/// (`SlotValues`): by length in bytes, then as texts; a record's names are the catalog's field names.
public struct RuntimeRecord: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// The fields, sorted by the bytes of their names.
    public private(set) var fields: [(key: String, value: RuntimeValue)]

    /// No fields.
    public init() { fields = [] }

    /// The fields of `dictionary`.
    public init(_ dictionary: [String: RuntimeValue]) {
        fields = []
        fields.reserveCapacity(dictionary.count)
        for (k, v) in dictionary { fields.append((k, v)) }
        if fields.count > 1 { fields.sort { Self.precedes($0.key, $1.key) } }
    }

    /// `["id": .text("1042")]`; a name given twice keeps its last value.
    public init(dictionaryLiteral elements: (String, RuntimeValue)...) {
        self.init()
        fields.reserveCapacity(elements.count)
        for (k, v) in elements { self[k] = v }
    }

    /// Room for `n` fields.
    public mutating func reserveCapacity(_ n: Int) { fields.reserveCapacity(n) }

    /// Whether `a` sorts before `b` by their bytes.
    static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// Where the field `name` is, if the record has it.
    func position(of name: String) -> Int? {
        let n = name.utf8.count
        if fields.count <= 16 {
            for i in fields.indices where fields[i].key.utf8.count == n && fields[i].key == name { return i }
            return nil
        }
        var low = 0, high = fields.count
        while low < high {
            let mid = (low + high) / 2
            if Self.precedes(fields[mid].key, name) { low = mid + 1 } else { high = mid }
        }
        return low < fields.count && fields[low].key == name ? low : nil
    }

    /// The value of the field `name`; setting nil removes the field.
    public subscript(_ name: String) -> RuntimeValue? {
        get { position(of: name).map { fields[$0].value } }
        set {
            if let i = position(of: name) {
                if let newValue { fields[i].value = newValue } else { fields.remove(at: i) }
                return
            }
            guard let newValue else { return }
            // After every name that sorts before it: most records are written in order, so at the end.
            var i = fields.count
            while i > 0 && Self.precedes(name, fields[i - 1].key) { i -= 1 }
            fields.insert((name, newValue), at: i)
        }
    }

    /// The field names, in byte order.
    public var keys: LazyMapSequence<[(key: String, value: RuntimeValue)], String> { fields.lazy.map { $0.key } }
    /// The field values, in the order of their names.
    public var values: LazyMapSequence<[(key: String, value: RuntimeValue)], RuntimeValue> { fields.lazy.map { $0.value } }
    /// How many fields.
    public var count: Int { fields.count }
    /// Whether it has no field.
    public var isEmpty: Bool { fields.isEmpty }
    /// The fields as a dictionary.
    public var dictionary: [String: RuntimeValue] {
        var d = [String: RuntimeValue](minimumCapacity: fields.count)
        for (k, v) in fields { d[k] = v }
        return d
    }

    /// The fields, `(key, value)`, in the byte order of their names.
    public func makeIterator() -> IndexingIterator<[(key: String, value: RuntimeValue)]> { fields.makeIterator() }

    public static func == (a: RuntimeRecord, b: RuntimeRecord) -> Bool {
        a.fields.count == b.fields.count && a.fields.elementsEqual(b.fields) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fields.count)
        for (k, v) in fields {
            hasher.combine(k)
            hasher.combine(v)
        }
    }

    /// `["id": 1042, "status": delivered]`, as a dictionary shows itself.
    public var description: String { dictionary.description }
}

extension RuntimeRecord: Codable {
    /// A field's name as a coding key.
    struct FieldName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Written as a dictionary of its fields writes itself (a keyed container, a key a field): the
    /// same JSON as when a record was a dictionary.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: FieldName.self)
        for (k, v) in fields { try c.encode(v, forKey: FieldName(k)) }
    }

    /// Reads what `encode(to:)` writes, as a dictionary reads itself.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: FieldName.self)
        self.init()
        let keys = c.allKeys
        fields.reserveCapacity(keys.count)
        for key in keys { self[key.stringValue] = try c.decode(RuntimeValue.self, forKey: key) }
    }
}
