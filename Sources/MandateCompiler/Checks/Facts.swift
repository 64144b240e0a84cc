import Foundation
import MandateIR

/// A range of numbers: amounts in minor units, counts, percentages in hundredths.
/// A nil end is unbounded; a strict end excludes its value.
///
/// Kept in 17 bytes (the ends, and a byte of flags) rather than two optionals, so a `Fact`
/// is 48 bytes: the path facts copy and compare blocks of them at every step. An end that is
/// not there is stored as 0, so equal intervals have equal bytes.
struct Interval: Hashable {
    private var low: Int64 = 0
    private var high: Int64 = 0
    /// Bit 0: there is a lower end; 1: it is strict; 2: there is an upper end; 3: it is strict.
    private var flags: UInt8 = 0

    init(lo: Int64? = nil, loStrict: Bool = false, hi: Int64? = nil, hiStrict: Bool = false) {
        self.lo = lo
        self.loStrict = loStrict
        self.hi = hi
        self.hiStrict = hiStrict
    }

    /// The lower end; nil: unbounded.
    var lo: Int64? {
        @inline(__always) get { flags & 1 != 0 ? low : nil }
        @inline(__always) set { Self.store(newValue, in: &low, &flags, bit: 1) }
    }

    /// Whether the lower end excludes its value.
    var loStrict: Bool {
        @inline(__always) get { flags & 2 != 0 }
        @inline(__always) set { flags = newValue ? flags | 2 : flags & ~2 }
    }

    /// The upper end; nil: unbounded.
    var hi: Int64? {
        @inline(__always) get { flags & 4 != 0 ? high : nil }
        @inline(__always) set { Self.store(newValue, in: &high, &flags, bit: 4) }
    }

    /// Whether the upper end excludes its value.
    var hiStrict: Bool {
        @inline(__always) get { flags & 8 != 0 }
        @inline(__always) set { flags = newValue ? flags | 8 : flags & ~8 }
    }

    /// Sets an end and its flag `bit`; an end not there is kept as 0.
    @inline(__always) private static func store(_ v: Int64?, in end: inout Int64, _ flags: inout UInt8, bit: UInt8) {
        end = v ?? 0
        flags = v == nil ? flags & ~bit : flags | bit
    }

    static var top: Interval { Interval() }
    static func exactly(_ v: Int64) -> Interval { Interval(lo: v, hi: v) }

    var isEmpty: Bool {
        guard let lo, let hi else { return false }
        return lo > hi || (lo == hi && (loStrict || hiStrict))
    }

    /// The smallest interval holding both.
    func hull(_ o: Interval) -> Interval {
        var r = Interval.top
        if let a = lo, let b = o.lo {
            r.lo = min(a, b)
            r.loStrict = a < b ? loStrict : b < a ? o.loStrict : (loStrict && o.loStrict)
        }
        if let a = hi, let b = o.hi {
            r.hi = max(a, b)
            r.hiStrict = a > b ? hiStrict : b > a ? o.hiStrict : (hiStrict && o.hiStrict)
        }
        return r
    }

    /// Raises the lower end to `v`.
    mutating func atLeast(_ v: Int64, strict: Bool) {
        if lo == nil || v > lo! || (v == lo! && strict) { lo = v; loStrict = strict }
    }

    /// Lowers the upper end to `v`.
    mutating func atMost(_ v: Int64, strict: Bool) {
        if hi == nil || v < hi! || (v == hi! && strict) { hi = v; hiStrict = strict }
    }

    static func + (a: Interval, b: Interval) -> Interval {
        var r = Interval.top
        if let x = a.lo, let y = b.lo { let (s, o) = x.addingReportingOverflow(y); if !o { r.lo = s; r.loStrict = a.loStrict || b.loStrict } }
        if let x = a.hi, let y = b.hi { let (s, o) = x.addingReportingOverflow(y); if !o { r.hi = s; r.hiStrict = a.hiStrict || b.hiStrict } }
        return r
    }

    static func - (a: Interval, b: Interval) -> Interval {
        var r = Interval.top
        if let x = a.lo, let y = b.hi { let (s, o) = x.subtractingReportingOverflow(y); if !o { r.lo = s; r.loStrict = a.loStrict || b.hiStrict } }
        if let x = a.hi, let y = b.lo { let (s, o) = x.subtractingReportingOverflow(y); if !o { r.hi = s; r.hiStrict = a.hiStrict || b.loStrict } }
        return r
    }

    /// Scales by a non-negative factor `numerator / denominator`, rounding outward.
    func scaled(_ numerator: Int64, _ denominator: Int64) -> Interval {
        guard numerator >= 0, denominator > 0 else { return .top }
        var r = Interval.top
        if let x = lo { let (p, o) = x.multipliedReportingOverflow(by: numerator); if !o { r.lo = p >= 0 ? p / denominator : -((-p + denominator - 1) / denominator); r.loStrict = loStrict } }
        if let x = hi { let (p, o) = x.multipliedReportingOverflow(by: numerator); if !o { r.hi = p >= 0 ? (p + denominator - 1) / denominator : -(-p / denominator); r.hiStrict = hiStrict } }
        return r
    }
}

/// A set of a procedure's text and yes/no values (`FactKeys.value`) or names, by number: two
/// plain words, so a `Fact` is plain data that arrays copy and free without per-element work.
/// Values 0–63 are bits of the first word; a set with larger values (only in a procedure whose
/// facts compare more than 64 distinct values, or with more than 64 names) keeps the words past
/// the first in its procedure's `LargeValueSets`, once each, and holds their number. Every
/// operation that may read those words is given that table.
struct ValueSet: Hashable {
    fileprivate private(set) var w0: UInt64 = 0
    /// 0: no value past 63; otherwise the number of the words for values 64 and up in the procedure's `LargeValueSets`.
    fileprivate private(set) var more: Int32 = 0

    init() {}

    /// The set whose words are these (`Fact` keeps them apart).
    @inline(__always) fileprivate init(w0: UInt64, more: Int32) {
        self.w0 = w0
        self.more = more
    }

    init(_ ids: some Sequence<Int>, in large: LargeValueSets) { for i in ids { insert(i, in: large) } }

    /// The set of one value (no array is built for it).
    init(only i: Int, in large: LargeValueSets) { insert(i, in: large) }

    private init(w0: UInt64, rest: [UInt64], in large: LargeValueSets) {
        var rest = rest
        while rest.last == 0 { rest.removeLast() }
        self.w0 = w0
        more = rest.isEmpty ? 0 : large.number(rest)
    }

    /// The words for values 64 and up, without trailing zero words.
    private func rest(_ large: LargeValueSets) -> [UInt64] { more == 0 ? [] : large.words(more) }

    var isEmpty: Bool { w0 == 0 && more == 0 }

    // The first word is read and written inline; only a value past 63 calls out.

    @inline(__always) func contains(_ i: Int, in large: LargeValueSets) -> Bool {
        if i < 64 { return w0 & (1 << UInt64(i)) != 0 }
        return containsPastFirstWord(i, in: large)
    }

    private func containsPastFirstWord(_ i: Int, in large: LargeValueSets) -> Bool {
        guard more != 0 else { return false }
        let r = rest(large), w = i / 64 - 1
        return w < r.count && r[w] & (1 << UInt64(i % 64)) != 0
    }

    @inline(__always) mutating func insert(_ i: Int, in large: LargeValueSets) {
        if i < 64 { w0 |= 1 << UInt64(i); return }
        insertPastFirstWord(i, in: large)
    }

    private mutating func insertPastFirstWord(_ i: Int, in large: LargeValueSets) {
        var r = rest(large)
        let w = i / 64 - 1
        while r.count <= w { r.append(0) }
        r[w] |= 1 << UInt64(i % 64)
        self = ValueSet(w0: w0, rest: r, in: large)
    }

    @inline(__always) func union(_ o: ValueSet, in large: LargeValueSets) -> ValueSet {
        guard more != 0 || o.more != 0 else { var r = self; r.w0 |= o.w0; return r }
        return unionPastFirstWord(o, in: large)
    }

    private func unionPastFirstWord(_ o: ValueSet, in large: LargeValueSets) -> ValueSet {
        let a = rest(large), b = o.rest(large)
        return ValueSet(w0: w0 | o.w0, rest: (0..<max(a.count, b.count)).map { i in (i < a.count ? a[i] : 0) | (i < b.count ? b[i] : 0) }, in: large)
    }

    mutating func formUnion(_ o: ValueSet, in large: LargeValueSets) { self = union(o, in: large) }

    @inline(__always) func intersection(_ o: ValueSet, in large: LargeValueSets) -> ValueSet {
        guard more != 0 && o.more != 0 else { var r = ValueSet(); r.w0 = w0 & o.w0; return r }
        return intersectionPastFirstWord(o, in: large)
    }

    private func intersectionPastFirstWord(_ o: ValueSet, in large: LargeValueSets) -> ValueSet {
        let a = rest(large), b = o.rest(large)
        return ValueSet(w0: w0 & o.w0, rest: (0..<min(a.count, b.count)).map { a[$0] & b[$0] }, in: large)
    }

    func subtracting(_ o: ValueSet, in large: LargeValueSets) -> ValueSet {
        guard more != 0 && o.more != 0 else { var r = self; r.w0 &= ~o.w0; return r }
        let a = rest(large), b = o.rest(large)
        return ValueSet(w0: w0 & ~o.w0, rest: a.indices.map { i in a[i] & ~(i < b.count ? b[i] : 0) }, in: large)
    }

    /// The numbers in the set, smallest first.
    func members(in large: LargeValueSets) -> [Int] {
        var out: [Int] = []
        for (w, word) in ([w0] + rest(large)).enumerated() {
            var bits = word
            while bits != 0 {
                out.append(w * 64 + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        return out
    }
}

/// The words of one procedure's value sets past their first 64 values, each kept once under a
/// number, so a `ValueSet` stays two plain words and equal sets have equal numbers. Each
/// procedure under check has its own (`FactKeys.large`), used only by the thread that checks
/// it and emptied before the next procedure uses it (`reset()`); it is freed with its run of
/// the checks, so a long-lived process (an editor, a test run) that checks again and again
/// keeps nothing from one run to the next.
final class LargeValueSets {
    private var sets: [[UInt64]] = []
    private var numbers: [[UInt64]: Int32] = [:]

    init() {}

    /// How many distinct sets it holds.
    var count: Int { sets.count }

    /// The number of these words (1 and up), numbering them if they are new.
    func number(_ words: [UInt64]) -> Int32 {
        if let known = numbers[words] { return known }
        sets.append(words)
        numbers[words] = Int32(sets.count)
        return Int32(sets.count)
    }

    /// The words numbered `n`.
    func words(_ n: Int32) -> [UInt64] { sets[Int(n) - 1] }

    /// Forgets every set, for the next procedure's check (`FactKeys.reuse(domain:)`).
    func reset() {
        guard !sets.isEmpty else { return }
        sets.removeAll(keepingCapacity: true)
        numbers.removeAll(keepingCapacity: true)
    }
}

/// What is known of one value on the paths reaching a step.
///
/// Its parts are kept flat, in 41 bytes (48 with `Optional`, not 64): the ends of its range,
/// the two value sets' words, and one byte of flags. A part not there is stored as zeros, so
/// equal facts have equal bytes.
struct Fact: Hashable {
    private var low: Int64 = 0, high: Int64 = 0
    private var allowedWord: UInt64 = 0, excludedWord: UInt64 = 0
    private var allowedMore: Int32 = 0, excludedMore: Int32 = 0
    /// The range's flags (`Interval`), and bit 4: there is an `allowed` set.
    private var flags: UInt8 = 0

    init() {}

    /// Its numeric range, for amounts, counts and percentages.
    var interval: Interval {
        @inline(__always) get {
            Interval(lo: flags & 1 != 0 ? low : nil, loStrict: flags & 2 != 0, hi: flags & 4 != 0 ? high : nil, hiStrict: flags & 8 != 0)
        }
        @inline(__always) set {
            low = newValue.lo ?? 0
            high = newValue.hi ?? 0
            flags = flags & 0xF0 | (newValue.lo != nil ? 1 : 0) | (newValue.loStrict ? 2 : 0) | (newValue.hi != nil ? 4 : 0) | (newValue.hiStrict ? 8 : 0)
        }
    }

    /// The only values it can have (text and enumerations), by number; nil when any.
    var allowed: ValueSet? {
        @inline(__always) get { flags & 16 != 0 ? ValueSet(w0: allowedWord, more: allowedMore) : nil }
        @inline(__always) set {
            if let v = newValue {
                allowedWord = v.w0
                allowedMore = v.more
                flags |= 16
            } else {
                allowedWord = 0
                allowedMore = 0
                flags &= ~16
            }
        }
    }

    /// Values it cannot have, by number.
    var excluded: ValueSet {
        @inline(__always) get { ValueSet(w0: excludedWord, more: excludedMore) }
        @inline(__always) set {
            excludedWord = newValue.w0
            excludedMore = newValue.more
        }
    }

    func isEmpty(in large: LargeValueSets) -> Bool {
        interval.isEmpty || (allowed.map { $0.subtracting(excluded, in: large).isEmpty } ?? false)
    }

    func join(_ o: Fact, in large: LargeValueSets) -> Fact {
        var r = Fact()
        r.interval = interval.hull(o.interval)
        if let a = allowed, let b = o.allowed { r.allowed = a.union(b, in: large) }
        r.excluded = excluded.intersection(o.excluded, in: large)
        return r
    }
}

/// The values one procedure's facts are about, numbered: each key (`order.total`) once, with
/// the name it depends on and its enumeration values; and each text or yes/no value the facts
/// compare with. A key is numbered by its structure over the procedure's numbered names
/// (`ProcedureNames`), so no key is spelled out as a string; two values have the same key when
/// their spelled-out keys would be equal (`the customer's tier` and a record named `customer`'s
/// `tier` included). Worked out before the analysis, so the facts at a step are an array
/// indexed by number, not a dictionary of strings.
final class FactKeys {
    /// The procedure's names: a `Set` or `Ask` step's key is its name's number. Empty only while
    /// the walk that numbers the names (`ProcedureNames.init(_:arena:compiling:into:)`) numbers
    /// the keys it meets with them, from the names' numbers it already has.
    var names: ProcedureNames { named!.names }
    /// The names, behind a reference that `finish(names:)` sets: read through it, they are
    /// read in place (a `var` of the struct itself was copied, each of its arrays retained, at
    /// every look-up).
    @exclusivity(unchecked) private var named: Named?
    private final class Named {
        let names: ProcedureNames
        init(_ names: ProcedureNames) { self.names = names }
    }
    /// The words of the procedure's value sets past their first 64 values.
    let large = LargeValueSets()
    /// Keys by their structure (`code`).
    @exclusivity(unchecked) private var ids = CodeTable()
    /// Field names by number, for the keys' structure.
    @exclusivity(unchecked) private var fields = FewStrings(capacity: 16)
    /// Names the procedure's steps do not mention, numbered after `names`'s.
    @exclusivity(unchecked) private var extraNames: [String: Int] = [:]
    /// The keys that depend on each name, by the name's number: asking for it again forgets them.
    /// One chain per name through `Key.next`, not an array per name: the first and last
    /// key of each name's chain (-1: none), by the name's number.
    @exclusivity(unchecked) private var dependents: [(first: Int32, last: Int32)] = []
    /// What is kept of each key, by its number: one array, so a procedure's check allocates
    /// and frees one array for its keys rather than one for each of these.
    private struct Key {
        /// A value of the key, for its enumeration values; nil for a name's key, whose value
        /// is the name (`name`), built only when its enumeration values are asked for.
        var expression: Expr?
        /// The name of a name's key (its number in `names`); -1 for other keys.
        var name: Int32
        /// The next key in its name's chain (-1: the last).
        var next: Int32 = -1
        /// Its enumeration values, worked out when first needed (most keys never are).
        var domain: ValueSet?? = nil
    }
    @exclusivity(unchecked) private var keys: [Key] = []
    /// The enumeration values of a value, when its type says them.
    @exclusivity(unchecked) private var domainOf: (Expr) -> [String]?
    @exclusivity(unchecked) private var valueNumbers = FewStrings(capacity: 16)
    /// The text and yes/no values, by number.
    var values: [String] { valueNumbers.strings }

    // The properties above skip the runtime's exclusivity checks: a procedure's keys are
    // numbered on the one thread that checks it, and no method holds one of them across a
    // call that changes it (the checks cost about 4% of all the proofs' instructions).

    init(names: ProcedureNames, domain: @escaping (Expr) -> [String]?) {
        named = Named(names)
        domainOf = domain
        // Room for a typical procedure's keys, so numbering them does not grow these again and again.
        keys.reserveCapacity(32)
        dependents = [(first: Int32, last: Int32)](repeating: (-1, -1), count: names.count)
    }

    /// Keys numbered by the walk that numbers the names (`ProcedureNames.init(_:arena:compiling:)`),
    /// which gives them their names once it has numbered them all (`finish(names:)`).
    init(domain: @escaping (Expr) -> [String]?) {
        named = nil
        domainOf = domain
        keys.reserveCapacity(32)
        dependents.reserveCapacity(32)
    }

    /// The names the walk numbered, once it is done.
    func finish(names: ProcedureNames) {
        named = Named(names)
    }

    /// Forgets the last procedure's keys, names and values, keeping the storage, for the next
    /// procedure's check: as `init(domain:)` leaves it, but nothing is allocated
    /// (`CheckArena.factAnalysis(domain:)`).
    func reuse(domain: @escaping (Expr) -> [String]?) {
        named = nil
        domainOf = domain
        large.reset()
        ids.reset()
        fields.reset()
        valueNumbers.reset()
        if !extraNames.isEmpty { extraNames.removeAll() }
        dependents.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
    }

    /// Lets go of what the last procedure's check left: its names, its types (held by
    /// `domainOf`) and the values its keys stand for. The storage is kept.
    func release() {
        named = nil
        // A closure that captures nothing: no context is allocated for it.
        domainOf = { _ in nil }
        keys.removeAll(keepingCapacity: true)
    }

    /// How many keys are numbered.
    var count: Int { keys.count }

    /// The enumeration values of a key, when its type says them.
    func domain(_ k: Int) -> ValueSet? {
        if let known = keys[k].domain { return known }
        // The values are numbered one by one into the set, without an array of their numbers.
        let d = domainOf(keys[k].expression ?? .name(names.names[Int(keys[k].name)])).map { d in
            var set = ValueSet()
            for v in d { set.insert(value(v), in: large) }
            return set
        }
        keys[k].domain = .some(d)
        return d
    }

    /// The number of a text or yes/no value, numbering it if it is new.
    func value(_ v: String) -> Int {
        valueNumbers.number(v)
    }

    /// The number of a text or yes/no value, when some fact has it.
    func existingValue(_ v: String) -> Int? { valueNumbers.find(v) }

    // MARK: keys by structure

    /// A key's structure: its kind (0: a name; 1: a field of a name; 2, 3: a field of the
    /// customer or the conversation when no name is spelled so; 4: a field of another key;
    /// 5: a sum over a key; 6: a count of a key) and two numbers.
    @inline(__always) static func code(_ kind: UInt64, _ a: Int, _ b: Int) -> UInt64 { kind << 60 | UInt64(a) << 30 | UInt64(b) }

    private func nameID(_ n: String, numbering: Bool) -> Int? {
        if let i = names.existingID(n) ?? extraName(n) { return i }
        guard numbering else { return nil }
        let i = names.count + extraNames.count
        extraNames[n] = i
        return i
    }

    /// The number of a name the steps do not mention; most procedures have none, and then no name is hashed.
    @inline(__always) private func extraName(_ n: String) -> Int? { extraNames.isEmpty ? nil : extraNames[n] }

    private func fieldID(_ f: String, numbering: Bool) -> Int? {
        numbering ? fields.number(f) : fields.find(f)
    }

    /// The structure of a value's key, with the name its facts depend on (`FactAnalysis.roots`
    /// of the value; -1: none); nil
    /// when the value is not one the checks track, or (`numbering` false) not yet numbered.
    private func code(_ e: Expr, numbering: Bool) -> (code: UInt64, root: Int)? {
        switch e {
        case .name(let n):
            return nameID(n, numbering: numbering).map { (Self.code(0, $0, 0), $0) }
        case .field(.name(let n), let f):
            guard let i = nameID(n, numbering: numbering), let j = fieldID(f, numbering: numbering) else { return nil }
            return (Self.code(1, i, j), i)
        case .customer(let f), .conversation(let f):
            // Spelled `customer.tier`: the same key as a field of a name `customer`, if one exists.
            let base = if case .customer = e { "customer" } else { "conversation" }
            guard let j = fieldID(f, numbering: numbering) else { return nil }
            if let i = names.existingID(base) ?? extraName(base) { return (Self.code(1, i, j), -1) }
            return (Self.code(base == "customer" ? 2 : 3, 0, j), -1)
        case .field(let b, let f):
            guard let (k, root) = key(b, numbering: numbering), let j = fieldID(f, numbering: numbering) else { return nil }
            return (Self.code(4, k, j), root)
        case .sum(let list, _, let field):
            guard let (k, root) = key(list, numbering: numbering), let j = fieldID(field, numbering: numbering) else { return nil }
            return (Self.code(5, k, j), root)
        case .count(let list, _, nil):
            guard let (k, root) = key(list, numbering: numbering) else { return nil }
            return (Self.code(6, k, 0), root)
        default:
            return nil
        }
    }

    private func key(_ e: Expr, numbering: Bool) -> (key: Int, root: Int)? {
        guard let (c, root) = code(e, numbering: numbering) else { return nil }
        if let known = ids[c] { return (known, root) }
        guard numbering else { return nil }
        return (register(c, e, root: root), root)
    }

    private func register(_ c: UInt64, _ e: Expr?, name: Int = -1, root: Int) -> Int {
        let id = keys.count
        ids[c] = id
        keys.append(Key(expression: e, name: Int32(name)))
        if root >= 0 {
            while dependents.count <= root { dependents.append((-1, -1)) }
            if dependents[root].last < 0 { dependents[root].first = Int32(id) } else { keys[Int(dependents[root].last)].next = Int32(id) }
            dependents[root].last = Int32(id)
        }
        return id
    }

    /// The number of the key with structure `c` (`code`), numbering it with its value `e` and
    /// the name it depends on (`root`, -1: none) if it is new: for the walk that numbers the
    /// names, which works out the structure from the names' numbers.
    @inline(__always) func intern(code c: UInt64, _ e: Expr, root: Int) -> Int {
        if let known = ids[c] { return known }
        return register(c, e, root: root)
    }

    /// The number of a field name, numbering it if it is new.
    @inline(__always) func field(_ f: String) -> Int { fields.number(f) }

    /// The key of the name numbered `i` (`ProcedureNames`), numbering it if it is new.
    func intern(name i: Int) -> Int {
        let c = Self.code(0, i, 0)
        return ids[c] ?? register(c, nil, name: i, root: i)
    }

    /// The number of the key of a value the checks track, numbering it if it is new.
    func intern(_ e: Expr) -> Int? { key(e, numbering: true)?.key }

    /// The number of the key of a value, when the procedure has it.
    func id(of e: Expr) -> Int? { key(e, numbering: false)?.key }

    /// The keys that depend on a name, by its number.
    func dependents(of name: Int) -> [Int] {
        var out: [Int] = []
        forEachDependent(of: name) { out.append($0) }
        return out
    }

    /// Calls `body` with each key that depends on a name, by its number, in the order they were numbered.
    @inline(__always) func forEachDependent(of name: Int, _ body: (Int) -> Void) {
        var k = name < dependents.count ? Int(dependents[name].first) : -1
        while k >= 0 {
            body(k)
            k = Int(keys[k].next)
        }
    }
}

/// A map from a key's structure (`FactKeys.code`) to its number: open addressing over the
/// codes themselves, which are plain integers, so a look-up is a multiply and a probe or two
/// instead of a seeded hash.
struct CodeTable {
    private var codes: [UInt64]
    private var numbers: [Int32]
    private var count = 0
    /// The number of bits of a slot's index.
    private var bits: UInt64 = 6

    init() {
        codes = [UInt64](repeating: 0, count: 64)
        numbers = [Int32](repeating: -1, count: 64)
    }

    /// Empties the table, keeping its storage (shrunk back when a large procedure grew it).
    mutating func reset() {
        guard count > 0 else { return }
        if bits > 8 { self = CodeTable(); return }
        count = 0
        numbers.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
    }

    @inline(__always) private func slot(_ c: UInt64) -> Int { Int(truncatingIfNeeded: (c &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits)) }

    subscript(_ c: UInt64) -> Int? {
        get {
            let mask = codes.count - 1
            var i = slot(c)
            while numbers[i] >= 0 {
                if codes[i] == c { return Int(numbers[i]) }
                i = (i + 1) & mask
            }
            return nil
        }
        set {
            // Keys are only ever added, each once.
            guard let newValue else { return }
            if (count + 1) * 2 > codes.count { grow() }
            place(c, Int32(newValue))
            count += 1
        }
    }

    private mutating func place(_ c: UInt64, _ n: Int32) {
        let mask = codes.count - 1
        var i = slot(c)
        while numbers[i] >= 0 {
            if codes[i] == c { numbers[i] = n; count -= 1; return }
            i = (i + 1) & mask
        }
        codes[i] = c
        numbers[i] = n
    }

    private mutating func grow() {
        let old = zip(codes, numbers).filter { $0.1 >= 0 }
        bits += 1
        codes = [UInt64](repeating: 0, count: 1 << Int(bits))
        numbers = [Int32](repeating: -1, count: 1 << Int(bits))
        for (c, n) in old { place(c, n) }
    }
}

/// Strings numbered in the order first met: a procedure's text values, or its field names.
/// While there are few, a string is found by comparing it with each in turn, which is cheaper
/// than hashing it; past 16, through a dictionary. Either way strings are told apart by `==`.
struct FewStrings {
    private(set) var strings: [String] = []
    private var numbers: [String: Int]?

    /// Room for `capacity` strings before the list grows.
    init(capacity: Int = 0) { strings.reserveCapacity(capacity) }

    /// Forgets every string, keeping the list's storage.
    mutating func reset() {
        strings.removeAll(keepingCapacity: true)
        numbers = nil
    }

    /// The number of a string, when it has one.
    func find(_ s: String) -> Int? {
        if let numbers { return numbers[s] }
        return NameHash.firstIndex(of: s, in: strings)
    }

    /// The number of a string, numbering it if it is new.
    mutating func number(_ s: String) -> Int {
        if let known = find(s) { return known }
        strings.append(s)
        if numbers != nil {
            numbers![s] = strings.count - 1
        } else if strings.count > 16 {
            numbers = Dictionary(uniqueKeysWithValues: strings.indices.map { (strings[$0], $0) })
        }
        return strings.count - 1
    }
}

/// The facts known at a step: what is known of each key, by its number (nil: nothing).
struct FactState: Hashable {
    private(set) var facts: [Fact?]

    /// Nothing known of the procedure's `width` keys.
    init(width: Int = 0) { facts = [Fact?](repeating: nil, count: width) }

    /// What is known of a key.
    func fact(_ key: Int) -> Fact? { key < facts.count ? facts[key] : nil }

    /// Sets what is known of a key.
    mutating func set(_ key: Int, _ fact: Fact) {
        while facts.count <= key { facts.append(nil) }
        facts[key] = fact
    }

    /// Keeps what both paths know.
    func join(_ o: FactState, in large: LargeValueSets) -> FactState {
        var r = FactState(width: Swift.max(facts.count, o.facts.count))
        for k in 0..<Swift.min(facts.count, o.facts.count) {
            guard let a = facts[k], let b = o.facts[k] else { continue }
            let f = a.join(b, in: large)
            if f != Fact() { r.facts[k] = f }
        }
        return r
    }

    /// Keeps what both paths know, in place (`join`).
    mutating func formJoin(_ o: FactState, in large: LargeValueSets) {
        while facts.count < o.facts.count { facts.append(nil) }
        for k in 0..<facts.count {
            guard let a = facts[k], let b = o.fact(k) else { facts[k] = nil; continue }
            let f = a.join(b, in: large)
            facts[k] = f != Fact() ? f : nil
        }
    }

    /// Forgets the facts about these keys: something they depend on was asked for again, set or looked up.
    mutating func forget(_ keys: ArraySlice<Int>) {
        guard keys.contains(where: { $0 < facts.count && facts[$0] != nil }) else { return }
        for k in keys where k < facts.count { facts[k] = nil }
    }

    /// These facts, of `facts.count` keys.
    init(_ facts: [Fact?]) { self.facts = facts }

    /// Copies in the `width` facts at `start` in `blocks`, into storage this state already
    /// owns when it has that width (a scratch state reused for every step allocates nothing).
    mutating func load(_ blocks: UnsafeMutableBufferPointer<Fact?>, from start: Int, width: Int) {
        guard facts.count == width else {
            // Of another width (a scratch state from another procedure): refilled in the storage it has.
            facts.removeAll(keepingCapacity: true)
            facts.append(contentsOf: blocks[start..<start + width])
            return
        }
        facts.withUnsafeMutableBufferPointer { dst in
            guard width > 0 else { return }
            dst.baseAddress!.update(from: blocks.baseAddress! + start, count: width)
        }
    }

    /// Copies in another state's facts, into storage this state already owns when the widths agree.
    mutating func load(_ o: FactState) {
        let width = o.facts.count
        guard facts.count == width else {
            // Copied into the storage it has, not shared: a shared array is copied again at the first change.
            facts.removeAll(keepingCapacity: true)
            facts.append(contentsOf: o.facts)
            return
        }
        o.facts.withUnsafeBufferPointer { src in load(src, width: width) }
    }

    private mutating func load(_ src: UnsafeBufferPointer<Fact?>, width: Int) {
        facts.withUnsafeMutableBufferPointer { dst in
            guard width > 0 else { return }
            dst.baseAddress!.update(from: src.baseAddress!, count: width)
        }
    }

    /// Whether these facts are the `width` at `start` in `blocks` (past `width`, nothing known).
    /// Identical bytes decide at once; otherwise the facts are compared one by one.
    @inline(__always) func equals(_ blocks: UnsafeMutableBufferPointer<Fact?>, from start: Int, width: Int) -> Bool {
        if facts.count == width, width > 0 {
            let same = facts.withUnsafeBytes { a in
                memcmp(a.baseAddress!, UnsafeRawPointer(blocks.baseAddress! + start), width * MemoryLayout<Fact?>.stride) == 0
            }
            if same { return true }
        }
        for k in 0..<Swift.max(width, facts.count) where fact(k) != (k < width ? blocks[start + k] : nil) { return false }
        return true
    }

    /// Writes these facts as the `width` at `start` in `blocks`.
    @inline(__always) func store(into blocks: UnsafeMutableBufferPointer<Fact?>, at start: Int, width: Int) {
        guard facts.count == width, width > 0 else {
            for k in 0..<width { blocks[start + k] = fact(k) }
            return
        }
        facts.withUnsafeBufferPointer { src in
            (blocks.baseAddress! + start).update(from: src.baseAddress!, count: width)
        }
    }

    static func == (a: FactState, b: FactState) -> Bool {
        if a.facts.count == b.facts.count { return a.facts == b.facts }
        for k in 0..<Swift.max(a.facts.count, b.facts.count) where a.fact(k) != b.fact(k) { return false }
        return true
    }

    func hash(into hasher: inout Hasher) {
        for k in facts.indices { if let f = facts[k] { hasher.combine(k); hasher.combine(f) } }
    }
}

/// A comparison, as the fact analysis reads `Expr.compare`'s operator.
enum CompareOp {
    case equal, notEqual, greaterThan, atLeast, lessThan, atMost
    /// An operator the analysis does not know: compared like `atMost`, negated to `lessThan`.
    case other

    init(_ op: String) {
        switch op {
        case "equal": self = .equal
        case "notEqual": self = .notEqual
        case "greaterThan": self = .greaterThan
        case "atLeast": self = .atLeast
        case "lessThan": self = .lessThan
        case "atMost": self = .atMost
        default: self = .other
        }
    }

    /// The same comparison with its sides swapped.
    var flipped: CompareOp {
        switch self {
        case .greaterThan: .lessThan
        case .lessThan: .greaterThan
        case .atLeast: .atMost
        case .atMost: .atLeast
        default: self
        }
    }

    /// The comparison that holds when this one does not.
    var negated: CompareOp {
        switch self {
        case .equal: .notEqual
        case .notEqual: .equal
        case .greaterThan: .atMost
        case .atMost: .greaterThan
        case .lessThan: .atLeast
        default: .lessThan
        }
    }
}

/// A constant as the fact analysis reads it: a number in its own unit, or a text or yes/no value by number.
enum FactLiteral: Equatable {
    case money(Int64)
    case percent(Int64)
    case number(Int64)
    /// A text or yes/no value (`true`/`false`), by number; `boolean` for yes/no.
    case discrete(Int, boolean: Bool?)
    /// A date, a duration, a number that is not whole: nothing the analysis compares.
    case other

    init(_ v: Value, _ keys: FactKeys) {
        switch v {
        case .money(let m): self = .money(m.minor)
        case .percent(let p): self = .percent(Int64(p))
        case .number(let n): self = Int64(n).map { .number($0) } ?? .other
        case .text(let t): self = .discrete(keys.value(t), boolean: nil)
        case .boolean(let b): self = .discrete(keys.value(b ? "true" : "false"), boolean: b)
        default: self = .other
        }
    }

    /// The number, with whether it is money (money is whole minor units, so `more than $150` means at least $150.01).
    var number: (Int64, isMoney: Bool)? {
        switch self {
        case .money(let m): (m, true)
        case .percent(let p): (p, false)
        case .number(let n): (n, false)
        default: nil
        }
    }

    var discrete: Int? { if case .discrete(let d, _) = self { d } else { nil } }
}

/// A value or condition as the fact analysis reads it: its last node in the procedure's
/// `FactCode` (its operands come before it).
struct FactExpr: Equatable {
    let node: Int32
}

/// One node of a compiled value or condition, with tracked values replaced by their key
/// number. Its operands are nodes before it, by their place in `FactCode.nodes`; the parts of
/// `and`, `or` and the options of `oneOf` are a range of `FactCode.parts`. Plain data: a
/// procedure's values and conditions are two arrays, not a tree of boxes.
enum FactNode: Equatable {
    case literal(FactLiteral)
    case key(Int)
    /// A decision-table lookup: the range of the table's cells (`top` unless they are all amounts or numbers).
    case lookup(Interval)
    /// `add`, `subtract`, or (`nil`) any other: `times`.
    case arithmetic(add: Bool?, Int32, Int32)
    case compare(CompareOp, Int32, Int32)
    case oneOf(Int32, options: Range<Int32>)
    case not(Int32)
    case and(Range<Int32>)
    case or(Range<Int32>)
    /// Anything the analysis learns nothing from.
    case other
}

/// A procedure's compiled values and conditions (`FactAnalysis.compile`).
final class FactCode {
    // Compiled and read on the one thread that checks the procedure; no method holds one of
    // these across a call that changes it, so they skip the runtime's exclusivity checks.
    @exclusivity(unchecked) fileprivate(set) var nodes: [FactNode] = []
    @exclusivity(unchecked) var parts: [Int32] = []

    init() {
        nodes.reserveCapacity(64)
        parts.reserveCapacity(16)
    }

    @inline(__always) fileprivate subscript(_ i: Int32) -> FactNode { nodes[Int(i)] }

    /// Fact states kept for `FactAnalysis.assume` to work in, each with storage of its own.
    @exclusivity(unchecked) private var scratch: [FactState] = []

    /// A scratch state (what it holds is left from its last use).
    @inline(__always) func takeState() -> FactState { scratch.popLast() ?? FactState() }

    /// Gives a scratch state back.
    @inline(__always) func give(_ s: consuming FactState) { scratch.append(s) }

    /// Forgets the last procedure's nodes, keeping the storage and the scratch states.
    func reset() {
        nodes.removeAll(keepingCapacity: true)
        parts.removeAll(keepingCapacity: true)
    }

    @inline(__always) func add(_ node: FactNode) -> Int32 {
        nodes.append(node)
        return Int32(nodes.count - 1)
    }
}

/// Facts about values: keys, evaluation, and what a condition teaches on each of its branches.
struct FactAnalysis {
    /// The procedure's keys; `compile` numbers new ones.
    let keys: FactKeys
    /// The procedure's compiled values and conditions.
    let code: FactCode
    /// The range of a decision table's cells, when they are all amounts or numbers.
    var table: (String) -> Interval? = { _ in nil }

    /// `names`: the procedure's numbered names; `domain`: the enumeration values of a value,
    /// when its type says them.
    init(names: ProcedureNames, domain: @escaping (Expr) -> [String]?) {
        keys = FactKeys(names: names, domain: domain)
        code = FactCode()
    }

    /// An analysis whose keys and code the walk that numbers the procedure's names fills in
    /// (`ProcedureNames.init(_:arena:compiling:into:)`).
    init(domain: @escaping (Expr) -> [String]?) {
        keys = FactKeys(domain: domain)
        code = FactCode()
    }

    /// An analysis over these keys and code, as they are (`CheckArena.factAnalysis(domain:)`
    /// hands ones it has emptied).
    init(keys: FactKeys, code: FactCode) {
        self.keys = keys
        self.code = code
    }

    /// The names a value depends on.
    static func roots(_ e: Expr, into set: inout Set<String>) {
        roots(e) { set.insert($0) }
    }

    /// Calls `body` with each name a value depends on (a name may come more than once).
    static func roots(_ e: Expr, _ body: (String) -> Void) {
        switch e {
        case .name(let n): body(n)
        case .field(let b, _): roots(b, body)
        case .sum(let l, _, _), .count(let l, _, _): roots(l, body)
        case .arithmetic(_, let l, let r), .compare(_, let l, let r), .contains(let l, let r): roots(l, body); roots(r, body)
        case .lookup(_, let keys): for k in keys { roots(k, body) }
        case .oneOf(let v, let options): roots(v, body); for o in options { roots(o, body) }
        case .missing(let v), .not(let v), .olderThan(let v, _, _), .within(let v, _, _): roots(v, body)
        case .quantified(_, _, let l, let p): roots(l, body); roots(p, body)
        case .and(let xs), .or(let xs): for x in xs { roots(x, body) }
        case .literal, .customer, .conversation, .now, .today: break
        }
    }

    static func roots(_ e: Expr) -> Set<String> {
        var s = Set<String>()
        roots(e, into: &s)
        return s
    }

    /// An expression with its tracked values numbered, compiled into the procedure's `FactCode`.
    func compile(_ e: Expr) -> FactExpr { FactExpr(node: node(e)) }

    private func node(_ e: Expr) -> Int32 {
        if let k = keys.intern(e) { return code.add(.key(k)) }
        switch e {
        case .literal(let v): return code.add(.literal(FactLiteral(v, keys)))
        case .lookup(let name, _): return code.add(.lookup(table(name) ?? .top))
        case .arithmetic(let op, let l, let r):
            let a = node(l), b = node(r)
            return code.add(.arithmetic(add: op == "add" ? true : op == "subtract" ? false : nil, a, b))
        case .compare(let op, let l, let r):
            let a = node(l), b = node(r)
            return code.add(.compare(CompareOp(op), a, b))
        case .oneOf(let v, let options):
            let value = node(v)
            return code.add(.oneOf(value, options: parts(options)))
        case .not(let c): return code.add(.not(node(c)))
        case .and(let xs): return code.add(.and(parts(xs)))
        case .or(let xs): return code.add(.or(parts(xs)))
        default: return code.add(.other)
        }
    }

    /// Compiles each of `xs`; their nodes are kept together in `code.parts`, in order.
    private func parts(_ xs: [Expr]) -> Range<Int32> {
        // The room is taken first: the parts' own parts go after it.
        let start = code.parts.count
        for _ in 0..<xs.count { code.parts.append(0) }
        var i = start
        for x in xs {
            let n = node(x)
            code.parts[i] = n
            i += 1
        }
        return Int32(start)..<Int32(start + xs.count)
    }

    /// A number literal as an integer in the value's own unit, with whether it is money
    /// (money is whole minor units, so `more than $150` means at least $150.01).
    static func number(_ v: Value) -> (Int64, isMoney: Bool)? {
        switch v {
        case .money(let m): return (m.minor, true)
        case .percent(let p): return (Int64(p), false)
        case .number(let n): return Int64(n).map { ($0, false) }
        default: return nil
        }
    }

    /// The range of a value on the paths `state` describes.
    func evaluate(_ e: FactExpr, in state: FactState) -> Interval { evaluate(e.node, in: state) }

    private func evaluate(_ e: Int32, in state: FactState) -> Interval {
        switch code[e] {
        case .literal(let v): return v.number.map { .exactly($0.0) } ?? .top
        case .lookup(let range): return range
        case .arithmetic(let add, let l, let r):
            switch add {
            case true?: return evaluate(l, in: state) + evaluate(r, in: state)
            case false?: return evaluate(l, in: state) - evaluate(r, in: state)
            case nil:
                // A money amount times a constant percentage or whole number.
                if let scaled = scaled(amount: l, factor: r, in: state) ?? scaled(amount: r, factor: l, in: state) { return scaled }
                return .top
            }
        case .key(let k): return state.fact(k)?.interval ?? .top
        default: return .top
        }
    }

    /// `amount` scaled by `factor`, when `factor` is a constant percentage or whole number.
    private func scaled(amount: Int32, factor: Int32, in state: FactState) -> Interval? {
        if case .literal(.percent(let p)) = code[factor] { return evaluate(amount, in: state).scaled(p, 10_000) }
        if case .literal(.number(let k)) = code[factor] { return evaluate(amount, in: state).scaled(k, 1) }
        return nil
    }

    /// Narrows `state` to the paths where `condition` is `truth`; false when there are none.
    func assume(_ condition: FactExpr, _ truth: Bool, in state: inout FactState) -> Bool {
        assume(condition.node, truth, in: &state)
    }

    private func assume(_ condition: Int32, _ truth: Bool, in state: inout FactState) -> Bool {
        switch code[condition] {
        case .literal(.discrete(_, let b?)): return b == truth
        case .not(let c): return assume(c, !truth, in: &state)
        case .and(let parts) where truth, .or(let parts) where !truth:
            for p in parts { guard assume(code.parts[Int(p)], truth, in: &state) else { return false } }
            return true
        case .and(let parts), .or(let parts):
            // One of the parts decides: the paths of each, joined. The states are the code's
            // scratch states, reused from condition to condition: a copy of `state` for each part
            // and their join allocated (and freed) an array each time.
            var result = code.takeState()
            var any = false
            for p in parts {
                var s = code.takeState()
                s.load(state)
                if assume(code.parts[Int(p)], truth, in: &s) {
                    if any { result.formJoin(s, in: keys.large) } else { result.load(s); any = true }
                }
                code.give(s)
            }
            if any { state.load(result) }
            code.give(result)
            return any
        case .compare(let op, let lhs, let rhs):
            let l = code[lhs], r = code[rhs]
            if case .literal(let a) = l, case .literal(let b) = r {
                return constant(op, a, b).map { $0 == truth } ?? true
            }
            if case .literal(let v) = r, case .key(let k) = l { return restrict(k, op, v, truth, &state) }
            if case .literal(let v) = l, case .key(let k) = r { return restrict(k, op.flipped, v, truth, &state) }
            return true
        case .oneOf(let value, let options):
            guard case .key(let k) = code[value] else { return true }
            var values = ValueSet()
            for o in options {
                guard case .literal(let v) = code[code.parts[Int(o)]], let d = v.discrete else { return true }
                values.insert(d, in: keys.large)
            }
            var f = state.fact(k) ?? Fact()
            if truth {
                f.allowed = (f.allowed ?? keys.domain(k) ?? values).intersection(values, in: keys.large)
            } else {
                f.excluded.formUnion(values, in: keys.large)
            }
            return settle(k, f, &state)
        default:
            return true
        }
    }

    /// A comparison of two constants, when both are known.
    func constant(_ op: CompareOp, _ a: FactLiteral, _ b: FactLiteral) -> Bool? {
        if let (x, _) = a.number, let (y, _) = b.number {
            switch op {
            case .equal: return x == y
            case .notEqual: return x != y
            case .greaterThan: return x > y
            case .atLeast: return x >= y
            case .lessThan: return x < y
            default: return x <= y
            }
        }
        if let x = a.discrete, let y = b.discrete {
            if op == .equal { return x == y }
            if op == .notEqual { return x != y }
        }
        return nil
    }

    /// Narrows what is known of key `k` to the paths where `k op v` is `truth`; false when there are none.
    func restrict(_ k: Int, _ op: CompareOp, _ v: FactLiteral, _ truth: Bool, _ state: inout FactState) -> Bool {
        let op = truth ? op : op.negated
        var f = state.fact(k) ?? Fact()
        if let (n, isMoney) = v.number {
            // Whole minor units: `more than $150` is `at least $150.01`.
            let strictUp = isMoney ? (n &+ 1, false) : (n, true)
            let strictDown = isMoney ? (n &- 1, false) : (n, true)
            switch op {
            case .equal: f.interval.atLeast(n, strict: false); f.interval.atMost(n, strict: false)
            case .greaterThan: f.interval.atLeast(strictUp.0, strict: strictUp.1)
            case .atLeast: f.interval.atLeast(n, strict: false)
            case .lessThan: f.interval.atMost(strictDown.0, strict: strictDown.1)
            case .atMost: f.interval.atMost(n, strict: false)
            default: if f.interval.lo == n && f.interval.hi == n { return false }
            }
        } else if let d = v.discrete {
            switch op {
            case .equal:
                let only = ValueSet(only: d, in: keys.large)
                f.allowed = (f.allowed ?? keys.domain(k) ?? only).intersection(only, in: keys.large)
            case .notEqual:
                f.excluded.insert(d, in: keys.large)
            default: return true
            }
        } else {
            return true
        }
        return settle(k, f, &state)
    }

    private func settle(_ k: Int, _ f: Fact, _ s: inout FactState) -> Bool {
        var f = f
        if f.allowed == nil, !f.excluded.isEmpty, let d = keys.domain(k) { f.allowed = d }
        if f.isEmpty(in: keys.large) { return false }
        s.set(k, f)
        return true
    }
}

/// What a step does to the facts, worked out once from its operation.
struct StepFacts {
    /// A `Set` step: the key it sets, its value, and the value's number when it is a text or yes/no literal.
    var sets: (key: Int, value: FactExpr, discrete: Int?)?
    /// A branch's condition.
    var condition: FactExpr?
}

/// The `StepFacts` of a procedure's `Set` and branch steps, compiled by the walk that numbers
/// its names (`ProcedureNames.init(_:arena:compiling:into:)`).
struct CompiledSteps {
    /// The `StepFacts` of the `Set` and branch steps, in step order.
    var facts: [StepFacts]
    /// Where each step's `StepFacts` is in `facts`; -1 for a step that has none.
    let place: UnsafeMutableBufferPointer<Int32>
}

/// What each step of a procedure does to the facts: its `StepFacts`, and the keys it forgets
/// (what it asks for, sets or looks up again) in one array for every step.
struct FactProgram {
    /// The `StepFacts` of the `Set` and branch steps, in step order.
    private var facts: [StepFacts] = []
    /// Where each step's `StepFacts` is in `facts`; -1 for a step that has none.
    private let place: UnsafeMutableBufferPointer<Int32>
    /// Keys forgotten when a step runs, then those forgotten on the way into a `For each`
    /// body (the loop variable's): `forgetEnd[2n]` and `forgetEnd[2n + 1]` end step n's.
    private var forgotten: [Int] = []
    private let forgetEnd: UnsafeMutableBufferPointer<Int>

    /// What each step does. Every key a step's values mention is numbered here, before the
    /// analysis runs, so forgetting a name forgets every key that depends on it.
    /// `compiled`: the steps' values and conditions as the walk that numbered the names compiled
    /// them; without it, they are compiled here.
    init(_ graph: StepGraph, _ analysis: FactAnalysis, names: ProcedureNames, compiled: CompiledSteps? = nil) {
        let steps = graph.steps
        forgetEnd = graph.arena.buffer(count: steps.count * 2, repeating: 0)
        // The arena's array from its last procedure, emptied: its storage is used again.
        forgotten = graph.arena.takeForgotten() ?? []
        forgotten.removeAll(keepingCapacity: true)
        forgotten.reserveCapacity(steps.count)
        if let compiled {
            place = compiled.place
            facts = compiled.facts
        } else {
            place = graph.arena.buffer(count: steps.count, repeating: -1)
            facts.reserveCapacity(steps.count)
        }
        if compiled == nil {
            for n in steps.indices {
                switch steps[n].op {
                case .set(_, let value, _):
                    var discrete: Int?
                    if case .literal(let lit) = value { discrete = FactLiteral(lit, analysis.keys).discrete }
                    let name = names.defined[names.definedRange(n).lowerBound]
                    place[n] = Int32(facts.count)
                    facts.append(StepFacts(sets: (analysis.keys.intern(name: name), analysis.compile(value), discrete)))
                case .branch(let c, _, _):
                    place[n] = Int32(facts.count)
                    facts.append(StepFacts(condition: analysis.compile(c)))
                default: break
                }
            }
        }
        for n in steps.indices {
            let start = forgotten.count
            for d in names.definedRange(n) {
                analysis.keys.forEachDependent(of: names.defined[d]) { k in if !forgotten[start...].contains(k) { forgotten.append(k) } }
            }
            forgetEnd[2 * n] = forgotten.count
            let variable = names.loopVariable[n]
            if variable >= 0 {
                let bodyStart = forgotten.count
                analysis.keys.forEachDependent(of: variable) { k in if !forgotten[bodyStart...].contains(k) { forgotten.append(k) } }
            }
            forgetEnd[2 * n + 1] = forgotten.count
        }
        graph.arena.keep(forgotten: forgotten)
    }

    /// Whether two programs are the same: the same `StepFacts` at the same steps, and the same
    /// keys forgotten (for the check, in debug builds, that compiling in the names' walk
    /// changes nothing).
    func same(as o: FactProgram, steps: Int) -> Bool {
        for n in 0..<steps {
            let a = sets(n), b = o.sets(n)
            guard (a == nil) == (b == nil), condition(n) == o.condition(n) else { return false }
            if let a, let b, a.key != b.key || a.value != b.value || a.discrete != b.discrete { return false }
            guard forgets(n) == o.forgets(n), bodyForgets(n) == o.bodyForgets(n) else { return false }
        }
        return true
    }

    /// The value a `Set` step `n` gives its key.
    func sets(_ n: Int) -> (key: Int, value: FactExpr, discrete: Int?)? { place[n] < 0 ? nil : facts[Int(place[n])].sets }

    /// The condition of branch step `n`.
    func condition(_ n: Int) -> FactExpr? { place[n] < 0 ? nil : facts[Int(place[n])].condition }

    /// The keys step `n` forgets when it runs.
    @inline(__always) func forgets(_ n: Int) -> ArraySlice<Int> { forgotten[(n == 0 ? 0 : forgetEnd[2 * n - 1])..<forgetEnd[2 * n]] }

    /// The keys step `n` forgets on the way into its `For each` body.
    @inline(__always) func bodyForgets(_ n: Int) -> ArraySlice<Int> { forgotten[forgetEnd[2 * n]..<forgetEnd[2 * n + 1]] }
}

/// The forward analysis over a procedure's graph: the facts at each step and which branch
/// edges some path can take. Runs to a fixed point; loops are widened after a few rounds,
/// so it stays linear in the number of steps for the graphs operators write.
///
/// The facts on entry to every step are kept in one buffer, a fixed-width block of
/// `width` facts per step, and the pass works in two scratch states it reuses: no step's
/// facts are an array of their own, so nothing is allocated, copied or freed per step.
struct FlowFacts {
    /// The facts on entry to each step, `width` per step (nil: nothing known of that key).
    private let blocks: UnsafeMutableBufferPointer<Fact?>
    /// How many keys each step's block holds: the keys numbered when the pass ran.
    let width: Int
    /// Whether some path reaches each step.
    let reached: UnsafeMutableBufferPointer<Bool>
    /// The edges out of each step no path can take (bit `edge.rawValue`): the condition can
    /// never go that way. Empty when every edge can be taken.
    private let blocked: UnsafeMutableBufferPointer<UInt8>
    let analysis: FactAnalysis
    /// What each step does to the facts.
    let program: FactProgram

    /// The two ways out of a condition, as a constant: an array literal in the loop below was
    /// allocated once for every branch step.
    private static let branchEdges: [StepGraph.Edge] = [.then, .otherwise]

    static func edgeKey(_ node: Int, _ edge: StepGraph.Edge) -> Int64 {
        Int64(node) * 8 + Int64(edge.rawValue)
    }

    func canTake(_ node: Int, _ edge: StepGraph.Edge) -> Bool { blocked.isEmpty || blocked[node] & (1 << edge.rawValue) == 0 }

    /// The facts on entry to step `n`; nil when no path reaches it.
    func before(_ n: Int) -> FactState? {
        reached[n] ? FactState(Array(blocks[n * width..<(n + 1) * width])) : nil
    }

    /// What is known of key `k` on entry to step `n` (nil: nothing, or no path reaches it).
    func fact(_ k: Int, before n: Int) -> Fact? {
        reached[n] && k < width ? blocks[n * width + k] : nil
    }

    /// `compiled`: the steps' values and conditions, when the walk that numbered the names compiled them.
    init(_ graph: StepGraph, analysis: FactAnalysis, names: ProcedureNames, compiled: CompiledSteps? = nil) {
        self.analysis = analysis
        let steps = graph.steps
        let program = FactProgram(graph, analysis, names: names, compiled: compiled)
        self.program = program
        let width = analysis.keys.count
        self.width = width
        let arena = graph.arena
        let reached = arena.buffer(count: steps.count, repeating: false)
        guard let entry = graph.procedure.entry, entry < steps.count else {
            self.blocks = arena.uninitialized(count: 0)
            self.reached = reached
            self.blocked = arena.uninitialized(count: 0)
            return
        }
        let blocks = arena.buffer(count: steps.count * width, repeating: Fact?.none)
        let visits = arena.buffer(count: steps.count, repeating: Int32(0))
        // Edges some path takes, by `edgeKey`.
        let takeable = arena.buffer(count: steps.count * 8, repeating: false)
        reached[entry] = true
        let successors = graph.successors
        let large = analysis.keys.large
        // The facts after the step being visited, and along one edge out of it: reused, so
        // copying a block in is element by element into storage each already owns.
        // Both are the code's scratch states, kept from procedure to procedure with their storage.
        var out = analysis.code.takeState()
        var s = analysis.code.takeState()
        defer {
            analysis.code.give(out)
            analysis.code.give(s)
        }
        graph.settle(from: entry) { n, changed in
            guard reached[n] else { return }
            out.load(blocks, from: n * width, width: width)
            Self.transfer(program, n, &out, analysis)
            let branches = program.condition(n) != nil
            for (target, edge) in successors[n] {
                // Only a condition, or the way into a `For each` body, narrows the facts along
                // an edge: other edges carry `out` as it is, without a copy.
                let narrows = branches || edge == .body
                if narrows {
                    s.load(out)
                    guard Self.along(program, n, edge, &s, analysis) else { continue }
                }
                takeable[Int(Self.edgeKey(n, edge))] = true
                guard let target, target < steps.count else { continue }
                // The state carried is passed in place (`inout`), not bound to a new variable:
                // a copy of either would retain and release its array on every edge.
                let moved = narrows
                    ? Self.carry(&s, into: target, blocks, width: width, reached: reached, visits: visits, large)
                    : Self.carry(&out, into: target, blocks, width: width, reached: reached, visits: visits, large)
                if !moved { continue }
                changed(target)
            }
        }
        var blocked = arena.uninitialized(UInt8.self, count: 0)
        for n in steps.indices where reached[n] && program.condition(n) != nil {
            for edge in Self.branchEdges where !takeable[Int(Self.edgeKey(n, edge))] {
                if blocked.isEmpty { blocked = arena.buffer(count: steps.count, repeating: 0) }
                blocked[n] |= 1 << edge.rawValue
            }
        }
        self.blocks = blocks
        self.reached = reached
        self.blocked = blocked
    }

    /// Carries the facts along an edge into step `target`: the first path to reach it sets its
    /// block, a later one joins into it. False when the block is unchanged.
    @inline(__always) private static func carry(_ carried: inout FactState, into target: Int, _ blocks: UnsafeMutableBufferPointer<Fact?>, width: Int,
                              reached: UnsafeMutableBufferPointer<Bool>, visits: UnsafeMutableBufferPointer<Int32>,
                              _ large: LargeValueSets) -> Bool {
        let base = target * width
        guard reached[target] else {
            carried.store(into: blocks, at: base, width: width)
            reached[target] = true
            return true
        }
        if carried.equals(blocks, from: base, width: width) { return false }
        // After several rounds through a loop, a bound that still moves is dropped.
        visits[target] += 1
        let widen = visits[target] > 6
        var moved = false
        for k in 0..<width {
            let old = blocks[base + k]
            var merged: Fact?
            if let a = old, let b = carried.fact(k) {
                let f = a.join(b, in: large)
                if f != Fact() { merged = f }
            }
            if widen, var g = merged, let o = old {
                if g.interval.lo != o.interval.lo { g.interval.lo = nil }
                if g.interval.hi != o.interval.hi { g.interval.hi = nil }
                merged = g
            }
            if merged != old { blocks[base + k] = merged; moved = true }
        }
        return moved
    }

    /// The facts after step `n` runs.
    static func transfer(_ program: FactProgram, _ n: Int, _ state: inout FactState, _ analysis: FactAnalysis) {
        guard let (key, value, discrete) = program.sets(n) else {
            state.forget(program.forgets(n))
            return
        }
        let v = analysis.evaluate(value, in: state)
        state.forget(program.forgets(n))
        var f = Fact()
        f.interval = v
        if let discrete { f.allowed = ValueSet(only: discrete, in: analysis.keys.large) }
        if f != Fact() { state.set(key, f) }
    }

    /// Narrows the facts after step `n` to one edge out of it; false when no path can take it.
    static func along(_ program: FactProgram, _ n: Int, _ edge: StepGraph.Edge, _ state: inout FactState, _ analysis: FactAnalysis) -> Bool {
        if let c = program.condition(n) { return analysis.assume(c, edge == .then, in: &state) }
        if edge == .body { state.forget(program.bodyForgets(n)) }
        return true
    }
}
