import MandateIR

/// A range of numbers: amounts in minor units, counts, percentages in hundredths.
/// A nil end is unbounded; a strict end excludes its value.
struct Interval: Hashable {
    var lo: Int64?
    var loStrict = false
    var hi: Int64?
    var hiStrict = false

    static let top = Interval(lo: nil, hi: nil)
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

/// A set of a procedure's text and yes/no values, by their number (`FactKeys.value`): the
/// first 64 in one word, the rest (only in procedures with more values) after it.
struct ValueSet: Hashable {
    private var w0: UInt64 = 0
    /// Words for values 64 and up; no trailing zero word, so equal sets are equal here.
    private var rest: [UInt64] = []

    init() {}

    init(_ ids: some Sequence<Int>) { for i in ids { insert(i) } }

    var isEmpty: Bool { w0 == 0 && rest.isEmpty }

    func contains(_ i: Int) -> Bool {
        if i < 64 { return w0 & (1 << UInt64(i)) != 0 }
        let w = i / 64 - 1
        return w < rest.count && rest[w] & (1 << UInt64(i % 64)) != 0
    }

    mutating func insert(_ i: Int) {
        if i < 64 { w0 |= 1 << UInt64(i); return }
        let w = i / 64 - 1
        while rest.count <= w { rest.append(0) }
        rest[w] |= 1 << UInt64(i % 64)
    }

    private mutating func trim() { while rest.last == 0 { rest.removeLast() } }

    func union(_ o: ValueSet) -> ValueSet {
        var r = self
        r.formUnion(o)
        return r
    }

    mutating func formUnion(_ o: ValueSet) {
        w0 |= o.w0
        guard !o.rest.isEmpty else { return }
        while rest.count < o.rest.count { rest.append(0) }
        for i in o.rest.indices { rest[i] |= o.rest[i] }
    }

    func intersection(_ o: ValueSet) -> ValueSet {
        var r = ValueSet()
        r.w0 = w0 & o.w0
        if !rest.isEmpty, !o.rest.isEmpty {
            r.rest = (0..<min(rest.count, o.rest.count)).map { rest[$0] & o.rest[$0] }
            r.trim()
        }
        return r
    }

    func subtracting(_ o: ValueSet) -> ValueSet {
        var r = self
        r.w0 &= ~o.w0
        if !r.rest.isEmpty, !o.rest.isEmpty {
            for i in 0..<min(r.rest.count, o.rest.count) { r.rest[i] &= ~o.rest[i] }
            r.trim()
        }
        return r
    }

    /// The numbers in the set, smallest first.
    var members: [Int] {
        var out: [Int] = []
        for (w, word) in ([w0] + rest).enumerated() {
            var bits = word
            while bits != 0 {
                out.append(w * 64 + bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        return out
    }
}

/// What is known of one value on the paths reaching a step.
struct Fact: Hashable {
    /// Its numeric range, for amounts, counts and percentages.
    var interval: Interval = .top
    /// The only values it can have (text and enumerations), by number; nil when any.
    var allowed: ValueSet?
    /// Values it cannot have, by number.
    var excluded = ValueSet()

    var isEmpty: Bool { interval.isEmpty || (allowed.map { $0.subtracting(excluded).isEmpty } ?? false) }

    func join(_ o: Fact) -> Fact {
        var r = Fact()
        r.interval = interval.hull(o.interval)
        if let a = allowed, let b = o.allowed { r.allowed = a.union(b) }
        r.excluded = excluded.intersection(o.excluded)
        return r
    }
}

/// The values one procedure's facts are about, numbered: each canonical key (`order.total`)
/// once, with the names it depends on and its enumeration values; and each text or yes/no
/// value the facts compare with. Worked out before the analysis, so the facts at a step are a
/// short array indexed by number, not a dictionary of strings.
final class FactKeys {
    private var ids: [String: Int] = [:]
    /// The keys that depend on each name: asking for the name again forgets them.
    private var dependents: [String: [Int]] = [:]
    /// A value of each key, for its enumeration values.
    private var expressions: [Expr] = []
    /// The enumeration values of each key, worked out when first needed (most keys never are).
    private var domains: [ValueSet??] = []
    /// The enumeration values of a value, when its type says them.
    private let domainOf: (Expr) -> [String]?
    private var valueIDs: [String: Int] = [:]
    /// The text and yes/no values, by number.
    private(set) var values: [String] = []

    init(domain: @escaping (Expr) -> [String]?) {
        domainOf = domain
        ids.reserveCapacity(32)
        valueIDs.reserveCapacity(32)
    }

    /// The number of a key, when the procedure has it.
    func id(_ key: String) -> Int? { ids[key] }

    /// The enumeration values of a key, when its type says them.
    func domain(_ k: Int) -> ValueSet? {
        if let known = domains[k] { return known }
        let d = domainOf(expressions[k]).map { d in ValueSet(d.map(value)) }
        domains[k] = .some(d)
        return d
    }

    /// The number of a text or yes/no value, numbering it if it is new.
    func value(_ v: String) -> Int {
        if let known = valueIDs[v] { return known }
        valueIDs[v] = values.count
        values.append(v)
        return values.count - 1
    }

    /// The values of a set, by name.
    func names(_ set: ValueSet) -> Set<String> { Set(set.members.map { values[$0] }) }

    /// The number of the key of `e`, numbering it if it is new; the names it depends on are
    /// the same for every value with that key, so they are read for a new key only.
    func intern(_ key: String, _ e: Expr) -> Int {
        if let known = ids[key] { return known }
        let id = expressions.count
        ids[key] = id
        expressions.append(e)
        domains.append(nil)
        FactAnalysis.roots(e) { name in
            if dependents[name]?.last != id { dependents[name, default: []].append(id) }
        }
        return id
    }

    /// The keys that depend on a name.
    func dependents(of name: String) -> [Int] { dependents[name] ?? [] }
}

/// The facts known at a step: values by their key number, in key order.
struct FactState: Hashable {
    struct Entry: Hashable {
        var key: Int
        var fact: Fact
    }
    var entries: [Entry] = []

    /// What is known of a key.
    func fact(_ key: Int) -> Fact? {
        for e in entries where e.key >= key { return e.key == key ? e.fact : nil }
        return nil
    }

    /// Sets what is known of a key.
    mutating func set(_ key: Int, _ fact: Fact) {
        var i = 0
        while i < entries.count, entries[i].key < key { i += 1 }
        if i < entries.count, entries[i].key == key { entries[i].fact = fact } else { entries.insert(Entry(key: key, fact: fact), at: i) }
    }

    /// Keeps what both paths know.
    func join(_ o: FactState) -> FactState {
        var r = FactState()
        var j = 0
        for e in entries {
            while j < o.entries.count, o.entries[j].key < e.key { j += 1 }
            guard j < o.entries.count, o.entries[j].key == e.key else { continue }
            let f = e.fact.join(o.entries[j].fact)
            if f != Fact() { r.entries.append(Entry(key: e.key, fact: f)) }
        }
        return r
    }

    /// Forgets the facts about these keys: something they depend on was asked for again, set or looked up.
    mutating func forget(_ keys: [Int]) {
        guard !keys.isEmpty, entries.contains(where: { keys.contains($0.key) }) else { return }
        entries.removeAll { keys.contains($0.key) }
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

/// A value or condition as the fact analysis reads it: tracked values replaced by their key number.
indirect enum FactExpr {
    case literal(FactLiteral)
    case key(Int)
    case lookup(String)
    /// `add`, `subtract`, or (`nil`) any other: `times`.
    case arithmetic(add: Bool?, FactExpr, FactExpr)
    case compare(CompareOp, FactExpr, FactExpr)
    case oneOf(FactExpr, [FactExpr])
    case not(FactExpr)
    case and([FactExpr])
    case or([FactExpr])
    /// Anything the analysis learns nothing from.
    case other
}

/// Facts about values: keys, evaluation, and what a condition teaches on each of its branches.
struct FactAnalysis {
    /// The procedure's keys; `compile` numbers new ones.
    let keys: FactKeys
    /// The range of a decision table's cells, when they are all amounts or numbers.
    var table: (String) -> Interval? = { _ in nil }

    /// `domain`: the enumeration values of a value, when its type says them.
    init(domain: @escaping (Expr) -> [String]?) {
        keys = FactKeys(domain: domain)
    }

    /// The canonical key of a value, when it is one the checks can track.
    static func key(_ e: Expr) -> String? {
        switch e {
        case .name(let n): return n
        case .field(let b, let f): return key(b).map { $0 + "." + f }
        case .customer(let f): return "customer." + f
        case .conversation(let f): return "conversation." + f
        case .sum(let list, _, let field): return key(list).map { "total(\($0))." + field }
        case .count(let list, _, nil): return key(list).map { "count(\($0))" }
        default: return nil
        }
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

    /// The key number of a name a step sets.
    func key(ofName name: String) -> Int {
        keys.intern(name, .name(name))
    }

    /// An expression with its tracked values numbered.
    func compile(_ e: Expr) -> FactExpr {
        if let k = Self.key(e) { return .key(keys.intern(k, e)) }
        switch e {
        case .literal(let v): return .literal(FactLiteral(v, keys))
        case .lookup(let name, _): return .lookup(name)
        case .arithmetic(let op, let l, let r): return .arithmetic(add: op == "add" ? true : op == "subtract" ? false : nil, compile(l), compile(r))
        case .compare(let op, let l, let r): return .compare(CompareOp(op), compile(l), compile(r))
        case .oneOf(let v, let options): return .oneOf(compile(v), options.map(compile))
        case .not(let c): return .not(compile(c))
        case .and(let parts): return .and(parts.map(compile))
        case .or(let parts): return .or(parts.map(compile))
        default: return .other
        }
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
    func evaluate(_ e: FactExpr, in state: FactState) -> Interval {
        switch e {
        case .literal(let v): return v.number.map { .exactly($0.0) } ?? .top
        case .lookup(let name): return table(name) ?? .top
        case .arithmetic(let add, let l, let r):
            switch add {
            case true?: return evaluate(l, in: state) + evaluate(r, in: state)
            case false?: return evaluate(l, in: state) - evaluate(r, in: state)
            case nil:
                // A money amount times a constant percentage or whole number.
                for (amount, factor) in [(l, r), (r, l)] {
                    if case .literal(.percent(let p)) = factor { return evaluate(amount, in: state).scaled(p, 10_000) }
                    if case .literal(.number(let k)) = factor { return evaluate(amount, in: state).scaled(k, 1) }
                }
                return .top
            }
        case .key(let k): return state.fact(k)?.interval ?? .top
        default: return .top
        }
    }

    /// The state on the paths where `condition` is `truth`; nil when there are none.
    func assume(_ condition: FactExpr, _ truth: Bool, in state: FactState) -> FactState? {
        switch condition {
        case .literal(.discrete(_, let b?)): return b == truth ? state : nil
        case .not(let c): return assume(c, !truth, in: state)
        case .and(let parts) where truth, .or(let parts) where !truth:
            var s = state
            for p in parts { guard let next = assume(p, truth, in: s) else { return nil }; s = next }
            return s
        case .and(let parts), .or(let parts):
            // One of the parts decides: the paths of each, joined.
            var result: FactState?
            for p in parts {
                guard let s = assume(p, truth, in: state) else { continue }
                result = result.map { $0.join(s) } ?? s
            }
            return result
        case .compare(let op, let lhs, let rhs):
            if case .literal(let a) = lhs, case .literal(let b) = rhs {
                return constant(op, a, b).map { $0 == truth ? state : nil } ?? state
            }
            if case .literal(let v) = rhs, case .key(let k) = lhs { return restrict(k, op, v, truth, state) }
            if case .literal(let v) = lhs, case .key(let k) = rhs { return restrict(k, op.flipped, v, truth, state) }
            return state
        case .oneOf(let value, let options):
            guard case .key(let k) = value else { return state }
            var values = ValueSet()
            for o in options {
                guard case .literal(let v) = o, let d = v.discrete else { return state }
                values.insert(d)
            }
            var s = state
            var f = s.fact(k) ?? Fact()
            if truth {
                f.allowed = (f.allowed ?? keys.domain(k) ?? values).intersection(values)
            } else {
                f.excluded.formUnion(values)
            }
            return settle(k, f, &s)
        default:
            return state
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

    func restrict(_ k: Int, _ op: CompareOp, _ v: FactLiteral, _ truth: Bool, _ state: FactState) -> FactState? {
        let op = truth ? op : op.negated
        var s = state
        var f = s.fact(k) ?? Fact()
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
            default: if f.interval.lo == n && f.interval.hi == n { return nil }
            }
        } else if let d = v.discrete {
            switch op {
            case .equal:
                let only = ValueSet([d])
                f.allowed = (f.allowed ?? keys.domain(k) ?? only).intersection(only)
            case .notEqual:
                f.excluded.insert(d)
            default: return state
            }
        } else {
            return state
        }
        return settle(k, f, &s)
    }

    private func settle(_ k: Int, _ f: Fact, _ s: inout FactState) -> FactState? {
        var f = f
        if f.allowed == nil, !f.excluded.isEmpty, let d = keys.domain(k) { f.allowed = d }
        if f.isEmpty { return nil }
        s.set(k, f)
        return s
    }
}

/// What a step does to the facts, worked out once from its operation.
struct StepFacts {
    /// Keys forgotten when the step runs: what it asks for, sets or looks up again.
    var forgets: [Int] = []
    /// A `Set` step: the key it sets, its value, and the value's number when it is a text or yes/no literal.
    var sets: (key: Int, value: FactExpr, discrete: Int?)?
    /// A branch's condition.
    var condition: FactExpr?
    /// Keys forgotten on the way into a `For each` body: the loop variable's.
    var bodyForgets: [Int] = []
}

/// The forward analysis over a procedure's graph: the facts at each step and which branch
/// edges some path can take. Runs to a fixed point; loops are widened after a few rounds,
/// so it stays linear in the number of steps for the graphs operators write.
struct FlowFacts {
    /// The facts on entry to each step; nil when no path reaches it.
    var before: [FactState?]
    /// Edges no path can take: `(step, edge)` where the condition can never go that way.
    var impossible: Set<Int64>
    let analysis: FactAnalysis
    /// What each step does to the facts.
    let program: [StepFacts]

    static func edgeKey(_ node: Int, _ edge: StepGraph.Edge) -> Int64 {
        Int64(node) * 8 + Int64(edge.rawValue)
    }

    func canTake(_ node: Int, _ edge: StepGraph.Edge) -> Bool { impossible.isEmpty || !impossible.contains(Self.edgeKey(node, edge)) }

    /// The names whose new value makes a step forget facts, and whether they are forgotten
    /// on the way into a `For each` body rather than when the step runs.
    static func forgotten(_ op: Op, _ body: (_ name: String, _ intoBody: Bool) -> Void) {
        switch op {
        case .ask(let slot, _, _, _, _): body(slot, false)
        case .set(let name, _, _): body(name, false)
        case .call(_, _, let binds): for b in binds { body(b, false) }
        case .append(let list, _): body(list, false)
        case .verify(let methods): for m in methods { for s in m.slots { body(s, false) } }
        case .forEach(let variable, _, _): body(variable, true)
        default: break
        }
    }

    /// What each step does to the facts. Every key a step's values mention is numbered here,
    /// before the analysis runs, so forgetting a name forgets every key that depends on it.
    static func program(_ steps: [StepNode], _ analysis: FactAnalysis) -> [StepFacts] {
        var program = [StepFacts](repeating: StepFacts(), count: steps.count)
        for n in steps.indices {
            switch steps[n].op {
            case .set(let name, let value, _):
                var discrete: Int?
                if case .literal(let lit) = value { discrete = FactLiteral(lit, analysis.keys).discrete }
                program[n].sets = (analysis.key(ofName: name), analysis.compile(value), discrete)
            case .branch(let c, _, _): program[n].condition = analysis.compile(c)
            default: break
            }
        }
        for n in steps.indices {
            forgotten(steps[n].op) { name, intoBody in
                for k in analysis.keys.dependents(of: name) {
                    if intoBody {
                        if !program[n].bodyForgets.contains(k) { program[n].bodyForgets.append(k) }
                    } else if !program[n].forgets.contains(k) {
                        program[n].forgets.append(k)
                    }
                }
            }
        }
        return program
    }

    init(_ graph: StepGraph, analysis: FactAnalysis) {
        self.analysis = analysis
        let steps = graph.steps
        let program = Self.program(steps, analysis)
        self.program = program
        var before = [FactState?](repeating: nil, count: steps.count)
        var visits = [Int](repeating: 0, count: steps.count)
        // Edges some path takes, by `edgeKey`.
        var takeable = [Bool](repeating: false, count: steps.count * 8)
        guard let entry = graph.procedure.entry, entry < steps.count else {
            self.before = before
            self.impossible = []
            return
        }
        before = graph.forward(from: entry, start: FactState(), edges: { n, state, result in
            let out = Self.transfer(program[n], state, analysis)
            for (target, edge) in graph.successors[n] {
                guard let s = Self.along(program[n], edge, out, analysis) else { continue }
                takeable[Int(Self.edgeKey(n, edge))] = true
                if let target { result.append((target, s)) }
            }
        }, merge: { target, old, new in
            visits[target] += 1
            let j = old.join(new)
            return visits[target] > 6 ? Self.widen(old, j) : j
        })
        var impossible = Set<Int64>()
        for n in steps.indices where before[n] != nil && program[n].condition != nil {
            for edge in [StepGraph.Edge.then, .otherwise] where !takeable[Int(Self.edgeKey(n, edge))] {
                impossible.insert(Self.edgeKey(n, edge))
            }
        }
        self.before = before
        self.impossible = impossible
    }

    /// The facts after a step runs.
    static func transfer(_ step: StepFacts, _ state: FactState, _ analysis: FactAnalysis) -> FactState {
        guard let (key, value, discrete) = step.sets else {
            var out = state
            out.forget(step.forgets)
            return out
        }
        let v = analysis.evaluate(value, in: state)
        var out = state
        out.forget(step.forgets)
        var f = Fact()
        f.interval = v
        if let discrete { f.allowed = ValueSet([discrete]) }
        if f != Fact() { out.set(key, f) }
        return out
    }

    /// The facts along one edge out of a step; nil when no path can take it.
    static func along(_ step: StepFacts, _ edge: StepGraph.Edge, _ out: FactState, _ analysis: FactAnalysis) -> FactState? {
        if let c = step.condition { return analysis.assume(c, edge == .then, in: out) }
        if edge == .body {
            var s = out
            s.forget(step.bodyForgets)
            return s
        }
        return out
    }

    /// After several rounds through a loop, a bound that still moves is dropped.
    static func widen(_ old: FactState, _ new: FactState) -> FactState {
        var r = new
        for (i, e) in new.entries.enumerated() {
            guard let o = old.fact(e.key) else { continue }
            var g = e.fact
            if g.interval.lo != o.interval.lo { g.interval.lo = nil }
            if g.interval.hi != o.interval.hi { g.interval.hi = nil }
            r.entries[i].fact = g
        }
        return r
    }
}
