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

/// What is known of one value on the paths reaching a step.
struct Fact: Hashable {
    /// Its numeric range, for amounts, counts and percentages.
    var interval: Interval = .top
    /// The only values it can have (text and enumerations); nil when any.
    var allowed: Set<String>?
    /// Values it cannot have.
    var excluded: Set<String> = []

    var isEmpty: Bool { interval.isEmpty || (allowed.map { $0.subtracting(excluded).isEmpty } ?? false) }

    func join(_ o: Fact) -> Fact {
        var r = Fact()
        r.interval = interval.hull(o.interval)
        if let a = allowed, let b = o.allowed { r.allowed = a.union(b) }
        r.excluded = excluded.intersection(o.excluded)
        return r
    }
}

/// The facts known at a step: values by their canonical key (`order.total`), with the names each depends on.
struct FactState: Hashable {
    var facts: [String: Fact] = [:]
    var roots: [String: Set<String>] = [:]

    /// Keeps what both paths know.
    func join(_ o: FactState) -> FactState {
        var r = FactState()
        for (k, f) in facts {
            guard let g = o.facts[k] else { continue }
            let j = f.join(g)
            if j != Fact() { r.facts[k] = j; r.roots[k] = roots[k] }
        }
        return r
    }

    /// Forgets everything that depends on a name that was asked for again, set or looked up.
    mutating func invalidate(_ name: String) {
        for (k, r) in roots where r.contains(name) {
            facts[k] = nil
            roots[k] = nil
        }
    }
}

/// Facts about values: keys, evaluation, and what a condition teaches on each of its branches.
struct FactAnalysis {
    /// Enumeration values of a key, when its type says them.
    let domain: (Expr) -> Set<String>?
    /// The range of a decision table's cells, when they are all amounts or numbers.
    var table: (String) -> Interval? = { _ in nil }

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
        switch e {
        case .name(let n): set.insert(n)
        case .field(let b, _): roots(b, into: &set)
        case .sum(let l, _, _), .count(let l, _, _): roots(l, into: &set)
        case .arithmetic(_, let l, let r), .compare(_, let l, let r), .contains(let l, let r): roots(l, into: &set); roots(r, into: &set)
        case .lookup(_, let keys): for k in keys { roots(k, into: &set) }
        case .oneOf(let v, let options): roots(v, into: &set); for o in options { roots(o, into: &set) }
        case .missing(let v), .not(let v), .olderThan(let v, _, _), .within(let v, _, _): roots(v, into: &set)
        case .quantified(_, _, let l, let p): roots(l, into: &set); roots(p, into: &set)
        case .and(let xs), .or(let xs): for x in xs { roots(x, into: &set) }
        case .literal, .customer, .conversation, .now, .today: break
        }
    }

    static func roots(_ e: Expr) -> Set<String> {
        var s = Set<String>()
        roots(e, into: &s)
        return s
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

    static func discrete(_ v: Value) -> String? {
        switch v {
        case .text(let s): return s
        case .boolean(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// The range of a value on the paths `state` describes.
    func evaluate(_ e: Expr, in state: FactState) -> Interval {
        switch e {
        case .literal(let v): return Self.number(v).map { .exactly($0.0) } ?? .top
        case .lookup(let name, _): return table(name) ?? .top
        case .arithmetic(let op, let l, let r):
            switch op {
            case "add": return evaluate(l, in: state) + evaluate(r, in: state)
            case "subtract": return evaluate(l, in: state) - evaluate(r, in: state)
            default:
                // A money amount times a constant percentage or whole number.
                for (amount, factor) in [(l, r), (r, l)] {
                    if case .literal(.percent(let p)) = factor { return evaluate(amount, in: state).scaled(Int64(p), 10_000) }
                    if case .literal(.number(let n)) = factor, let k = Int64(n) { return evaluate(amount, in: state).scaled(k, 1) }
                }
                return .top
            }
        default:
            guard let k = Self.key(e) else { return .top }
            return state.facts[k]?.interval ?? .top
        }
    }

    /// The state on the paths where `condition` is `truth`; nil when there are none.
    func assume(_ condition: Expr, _ truth: Bool, in state: FactState) -> FactState? {
        switch condition {
        case .literal(.boolean(let b)): return b == truth ? state : nil
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
            if case .literal(let v) = rhs, let k = Self.key(lhs) { return restrict(k, lhs, op, v, truth, state) }
            if case .literal(let v) = lhs, let k = Self.key(rhs) { return restrict(k, rhs, Self.flipped(op), v, truth, state) }
            return state
        case .oneOf(let value, let options):
            guard let k = Self.key(value) else { return state }
            let values = options.compactMap { o -> String? in if case .literal(let v) = o { return Self.discrete(v) }; return nil }
            guard values.count == options.count else { return state }
            var s = state
            var f = s.facts[k] ?? Fact()
            if truth {
                f.allowed = (f.allowed ?? domain(value) ?? Set(values)).intersection(values)
            } else {
                f.excluded.formUnion(values)
            }
            return settle(k, value, f, &s)
        default:
            return state
        }
    }

    static func flipped(_ op: String) -> String {
        switch op {
        case "greaterThan": "lessThan"
        case "lessThan": "greaterThan"
        case "atLeast": "atMost"
        case "atMost": "atLeast"
        default: op
        }
    }

    static func negated(_ op: String) -> String {
        switch op {
        case "equal": "notEqual"
        case "notEqual": "equal"
        case "greaterThan": "atMost"
        case "atMost": "greaterThan"
        case "lessThan": "atLeast"
        default: "lessThan"
        }
    }

    /// A comparison of two constants, when both are known.
    func constant(_ op: String, _ a: Value, _ b: Value) -> Bool? {
        if let (x, _) = Self.number(a), let (y, _) = Self.number(b) {
            switch op {
            case "equal": return x == y
            case "notEqual": return x != y
            case "greaterThan": return x > y
            case "atLeast": return x >= y
            case "lessThan": return x < y
            default: return x <= y
            }
        }
        if let x = Self.discrete(a), let y = Self.discrete(b) {
            if op == "equal" { return x == y }
            if op == "notEqual" { return x != y }
        }
        return nil
    }

    func restrict(_ k: String, _ e: Expr, _ op: String, _ v: Value, _ truth: Bool, _ state: FactState) -> FactState? {
        let op = truth ? op : Self.negated(op)
        var s = state
        var f = s.facts[k] ?? Fact()
        if let (n, isMoney) = Self.number(v) {
            // Whole minor units: `more than $150` is `at least $150.01`.
            let strictUp = isMoney ? (n &+ 1, false) : (n, true)
            let strictDown = isMoney ? (n &- 1, false) : (n, true)
            switch op {
            case "equal": f.interval.atLeast(n, strict: false); f.interval.atMost(n, strict: false)
            case "greaterThan": f.interval.atLeast(strictUp.0, strict: strictUp.1)
            case "atLeast": f.interval.atLeast(n, strict: false)
            case "lessThan": f.interval.atMost(strictDown.0, strict: strictDown.1)
            case "atMost": f.interval.atMost(n, strict: false)
            default: if f.interval.lo == n && f.interval.hi == n { return nil }
            }
        } else if let d = Self.discrete(v) {
            switch op {
            case "equal":
                f.allowed = (f.allowed ?? domain(e) ?? [d]).intersection([d])
            case "notEqual":
                f.excluded.insert(d)
            default: return state
            }
        } else {
            return state
        }
        return settle(k, e, f, &s)
    }

    private func settle(_ k: String, _ e: Expr, _ f: Fact, _ s: inout FactState) -> FactState? {
        var f = f
        if f.allowed == nil, !f.excluded.isEmpty, let d = domain(e) { f.allowed = d }
        if f.isEmpty { return nil }
        s.facts[k] = f
        if s.roots[k] == nil { s.roots[k] = Self.roots(e) }
        return s
    }
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

    static func edgeKey(_ node: Int, _ edge: StepGraph.Edge) -> Int64 {
        Int64(node) * 8 + (edge == .then ? 1 : edge == .otherwise ? 2 : edge == .decline ? 3 : edge == .body ? 4 : 0)
    }

    func canTake(_ node: Int, _ edge: StepGraph.Edge) -> Bool { !impossible.contains(Self.edgeKey(node, edge)) }

    init(_ graph: StepGraph, analysis: FactAnalysis) {
        self.analysis = analysis
        let steps = graph.steps
        var before = [FactState?](repeating: nil, count: steps.count)
        var visits = [Int](repeating: 0, count: steps.count)
        var takeable = Set<Int64>()
        guard let entry = graph.procedure.entry, entry < steps.count else {
            self.before = before
            self.impossible = []
            return
        }
        before = graph.forward(from: entry, start: FactState(), edges: { n, state in
            let node = steps[n]
            let out = Self.transfer(node, state, analysis)
            var result: [(target: Int, state: FactState)] = []
            for (target, edge) in graph.successors[n] {
                guard let s = Self.along(node, edge, out, analysis) else { continue }
                takeable.insert(Self.edgeKey(n, edge))
                if let target { result.append((target, s)) }
            }
            return result
        }, merge: { target, old, new in
            visits[target] += 1
            let j = old.join(new)
            return visits[target] > 6 ? Self.widen(old, j) : j
        })
        var impossible = Set<Int64>()
        for node in steps where before[node.id] != nil {
            if case .branch = node.op {
                for edge in [StepGraph.Edge.then, .otherwise] where !takeable.contains(Self.edgeKey(node.id, edge)) {
                    impossible.insert(Self.edgeKey(node.id, edge))
                }
            }
        }
        self.before = before
        self.impossible = impossible
    }

    /// The facts after a step runs.
    static func transfer(_ node: StepNode, _ state: FactState, _ analysis: FactAnalysis) -> FactState {
        var out = state
        switch node.op {
        case .say, .confirm, .escalate, .resolve, .follow, .branch, .forEach: return state
        case .ask(let slot, _, _, _, _): out.invalidate(slot)
        case .set(let name, let value, _):
            let v = analysis.evaluate(value, in: state)
            out.invalidate(name)
            var f = Fact()
            f.interval = v
            if case .literal(let lit) = value, let d = FactAnalysis.discrete(lit) { f.allowed = [d] }
            if f != Fact() { out.facts[name] = f; out.roots[name] = [name] }
        case .call(_, _, let binds): for b in binds { out.invalidate(b) }
        case .append(let list, _): out.invalidate(list)
        case .verify(let methods): for m in methods { for s in m.slots { out.invalidate(s) } }
        default: break
        }
        return out
    }

    /// The facts along one edge out of a step; nil when no path can take it.
    static func along(_ node: StepNode, _ edge: StepGraph.Edge, _ out: FactState, _ analysis: FactAnalysis) -> FactState? {
        if case .branch(let c, _, _) = node.op { return analysis.assume(c, edge == .then, in: out) }
        if case .forEach(let variable, _, _) = node.op, edge == .body {
            var s = out
            s.invalidate(variable)
            return s
        }
        return out
    }

    /// After several rounds through a loop, a bound that still moves is dropped.
    static func widen(_ old: FactState, _ new: FactState) -> FactState {
        var r = new
        for (k, f) in new.facts {
            guard let o = old.facts[k] else { continue }
            var g = f
            if g.interval.lo != o.interval.lo { g.interval.lo = nil }
            if g.interval.hi != o.interval.hi { g.interval.hi = nil }
            r.facts[k] = g
        }
        return r
    }
}
