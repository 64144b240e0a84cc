import Foundation
import MandateIR

/// A decision table with its row and column keys as a lookup compares them (`Procedure.Table.key`),
/// worked out once per procedure rather than at every lookup.
struct KeyedTable: Sendable {
    let table: Procedure.Table
    let rows: [String]
    let columns: [String]

    init(_ table: Procedure.Table) {
        self.table = table
        rows = table.rowKeys.map(Procedure.Table.key)
        columns = table.columns.map(Procedure.Table.key)
    }
}

/// Evaluates the plan's typed expressions over a conversation's values.
///
/// A value that is missing makes a comparison false (and `is missing` true): a procedure never
/// acts on a value nobody gave. Arithmetic on money stays in integer minor units.
struct Evaluator {
    var values: SlotValues
    let customer: CustomerProfile
    let verified: Bool
    let confidence: Double?
    let frustrated: Bool
    let now: Int64
    let today: CalendarDate
    let tables: [KeyedTable]

    func eval(_ e: Expr) -> RuntimeValue? {
        switch e {
        case .literal(let v): return RuntimeValue(v)
        case .name(let n): return values[n]
        case .field(let base, let name):
            guard let b = eval(base) else { return nil }
            if case .list(let items) = b { return .list(items.compactMap { $0[field: name] }) }
            return b[field: name]
        case .customer(let f):
            switch f {
            case "id": return .text(customer.id)
            case "tier": return .text(customer.tier)
            case "verified", "is_verified": return .boolean(verified)
            default: return customer.fields[f]
            }
        case .conversation(let f):
            switch f {
            case "intent_confidence": return confidence.map { .number(Decimal($0)) }
            case "frustrated": return .boolean(frustrated)
            default: return nil
            }
        case .now: return .datetime(now)
        case .today: return .date(today)
        case .count(let list, let variable, let whose):
            guard case .list(let items)? = eval(list) else { return nil }
            guard let whose else { return .number(Decimal(items.count)) }
            var inner = self
            var n = 0
            for item in items {
                inner.values[variable] = item
                if inner.truth(whose) { n += 1 }
            }
            return .number(Decimal(n))
        case .sum(let list, _, let field):
            guard case .list(let items)? = eval(list) else { return nil }
            var money: Money?
            var number: Decimal = 0
            for item in items {
                switch item[field: field] {
                case .money(let m)?:
                    if let existing = money {
                        guard existing.currency == m.currency else { return nil }
                        money = Money(minor: existing.minor + m.minor, currency: m.currency)
                    } else { money = m }
                case .number(let d)?: number += d
                default: return nil
                }
            }
            return money.map { .money($0) } ?? .number(number)
        case .lookup(let name, let keys):
            guard let keyed = tables.first(where: { $0.table.name == name }) else { return nil }
            let table = keyed.table
            // The row key, then the column key: no list of keys is made (evaluating has no effects,
            // so a key after the second is not evaluated).
            guard let first = keys.first, let row = eval(first).flatMap(Self.key), let r = keyed.rows.firstIndex(of: row) else { return nil }
            var c = 0
            if keys.count > 1 {
                guard let col = eval(keys[1]).flatMap(Self.key), let ci = keyed.columns.firstIndex(of: col) else { return nil }
                c = ci
            }
            guard r < table.cells.count, c < table.cells[r].count else { return nil }
            return RuntimeValue(table.cells[r][c])
        case .arithmetic(let op, let lhs, let rhs):
            guard let l = eval(lhs), let r = eval(rhs) else { return nil }
            return Self.arithmetic(op, l, r)
        case .compare, .oneOf, .missing, .contains, .olderThan, .within, .quantified, .and, .or, .not:
            return .boolean(truth(e))
        }
    }

    /// Whether a condition holds; missing values make it false.
    func truth(_ e: Expr) -> Bool {
        switch e {
        case .compare(let op, let lhs, let rhs):
            let comparison = Comparison(op)
            guard let l = eval(lhs), let r = eval(rhs) else { return comparison == .notEqual && (eval(lhs) == nil) != (eval(rhs) == nil) }
            switch comparison {
            case .equal: return Self.equal(l, r)
            case .notEqual: return !Self.equal(l, r)
            case nil: return false
            default: break
            }
            guard let c = Self.order(l, r) else { return false }
            switch comparison {
            case .greaterThan: return c > 0
            case .atLeast: return c >= 0
            case .lessThan: return c < 0
            case .atMost: return c <= 0
            default: return false
            }
        case .oneOf(let x, let options):
            guard let v = eval(x) else { return false }
            return options.contains { o in eval(o).map { Self.equal(v, $0) } ?? false }
        case .missing(let x):
            switch eval(x) {
            case nil: return true
            case .text(let s)?: return s.isEmpty
            case .list(let l)?: return l.isEmpty
            default: return false
            }
        case .contains(let whole, let part):
            guard let w = eval(whole), let p = eval(part) else { return false }
            switch w {
            case .text(let s): if case .text(let t) = p { return s.lowercased().contains(t.lowercased()) }
            case .list(let items): return items.contains { Self.equal($0, p) }
            default: break
            }
            return false
        case .olderThan(let moment, let amount, let unit):
            // A date counts in calendar days of the project's time zone: delivered 30 days ago is not more than 30 days ago.
            if case .date(let d)? = eval(moment), let cutoff = Self.daysBack(today, amount: amount, unit: unit) { return d < cutoff }
            guard let m = eval(moment).flatMap(seconds) else { return false }
            return m < Self.subtract(now, amount: amount, unit: unit, today: today)
        case .within(let moment, let amount, let unit):
            if case .date(let d)? = eval(moment), let cutoff = Self.daysBack(today, amount: amount, unit: unit) { return d >= cutoff && d <= today }
            guard let m = eval(moment).flatMap(seconds) else { return false }
            return m >= Self.subtract(now, amount: amount, unit: unit, today: today) && m <= now
        case .quantified(let kind, let variable, let list, let predicate):
            guard case .list(let items)? = eval(list) else { return false }
            var inner = self
            var hits = 0
            for item in items {
                inner.values[variable] = item
                if inner.truth(predicate) { hits += 1 }
            }
            switch kind {
            case "every": return hits == items.count
            case "none": return hits == 0
            default: return hits > 0
            }
        case .and(let parts): return parts.allSatisfy(truth)
        case .or(let parts): return parts.contains(where: truth)
        case .not(let x): return !truth(x)
        default:
            if case .boolean(let b)? = eval(e) { return b }
            return false
        }
    }

    /// A comparison's operator as the plan names it (`equal`, `atLeast`…).
    enum Comparison {
        case equal, notEqual, greaterThan, atLeast, lessThan, atMost

        /// The operator `op` names; nil for a name that is none. Told apart by length first, so that
        /// an operator costs one comparison of equal strings, not one of unequal strings per case tried.
        init?(_ op: String) {
            let candidate: Comparison
            switch op.utf8.count {
            case 5: candidate = .equal
            case 6: candidate = .atMost
            case 7: candidate = .atLeast
            case 8: candidate = op.utf8.first == 0x6E ? .notEqual : .lessThan
            case 11: candidate = .greaterThan
            default: return nil
            }
            guard op == candidate.name else { return nil }
            self = candidate
        }

        var name: String {
            switch self {
            case .equal: "equal"
            case .notEqual: "notEqual"
            case .greaterThan: "greaterThan"
            case .atLeast: "atLeast"
            case .lessThan: "lessThan"
            case .atMost: "atMost"
            }
        }
    }

    /// A moment in seconds; a date counts from its start (UTC, as fixtures write them).
    func seconds(_ v: RuntimeValue) -> Int64? {
        switch v {
        case .datetime(let s): return s
        case .date(let d): return Int64(d.dayNumber) * 86_400
        default: return nil
        }
    }

    static func subtract(_ now: Int64, amount: Int, unit: String, today: CalendarDate) -> Int64 {
        let a = Int64(amount)
        switch unit {
        case "minutes": return now - a * 60
        case "hours": return now - a * 3600
        case "days": return now - a * 86_400
        case "weeks": return now - a * 7 * 86_400
        case "months": return now - Int64(today.dayNumber - today.adding(months: -amount).dayNumber) * 86_400
        case "years": return now - Int64(today.dayNumber - today.adding(months: -12 * amount).dayNumber) * 86_400
        default: return now
        }
    }

    /// The day `amount` calendar units before `today`; nil for units shorter than a day.
    static func daysBack(_ today: CalendarDate, amount: Int, unit: String) -> CalendarDate? {
        switch unit {
        case "days": CalendarDate(dayNumber: today.dayNumber - amount)
        case "weeks": CalendarDate(dayNumber: today.dayNumber - 7 * amount)
        case "months": today.adding(months: -amount)
        case "years": today.adding(months: -12 * amount)
        default: nil
        }
    }

    static func key(_ v: RuntimeValue) -> String? {
        switch v {
        case .text(let s): return Procedure.Table.key(s)
        case .number(let d): return "\(d)"
        default: return nil
        }
    }

    static func equal(_ a: RuntimeValue, _ b: RuntimeValue) -> Bool {
        switch (a, b) {
        case (.text(let x), .text(let y)): return FastText.equalIgnoringCase(x, y)
        default: return order(a, b) == 0 || a == b
        }
    }

    /// -1, 0, 1, or nil when the two cannot be ordered (money in two currencies, text and money).
    static func order(_ a: RuntimeValue, _ b: RuntimeValue) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x > y ? 1 : 0 }
        switch (a, b) {
        case (.number(let x), .number(let y)): return cmp(x, y)
        case (.money(let x), .money(let y)): return x.currency == y.currency ? cmp(x.minor, y.minor) : nil
        case (.percent(let x), .percent(let y)): return cmp(x, y)
        case (.date(let x), .date(let y)): return cmp(x, y)
        case (.datetime(let x), .datetime(let y)): return cmp(x, y)
        case (.date(let x), .datetime(let y)): return cmp(Int64(x.dayNumber) * 86_400, y)
        case (.datetime(let x), .date(let y)): return cmp(x, Int64(y.dayNumber) * 86_400)
        case (.duration(let x, let u), .duration(let y, let v)):
            return cmp(Int64(x) * unitSeconds(u), Int64(y) * unitSeconds(v))
        case (.boolean(let x), .boolean(let y)): return x == y ? 0 : nil
        case (.text(let x), .text(let y)): return x == y ? 0 : nil
        default: return nil
        }
    }

    static func unitSeconds(_ unit: String) -> Int64 {
        ["minutes": 60, "hours": 3600, "days": 86_400, "weeks": 604_800, "months": 2_629_746, "years": 31_556_952][unit] ?? 1
    }

    static func arithmetic(_ op: String, _ l: RuntimeValue, _ r: RuntimeValue) -> RuntimeValue? {
        switch (op, l, r) {
        case ("add", .money(let x), .money(let y)) where x.currency == y.currency:
            return .money(Money(minor: x.minor + y.minor, currency: x.currency))
        case ("subtract", .money(let x), .money(let y)) where x.currency == y.currency:
            return .money(Money(minor: x.minor - y.minor, currency: x.currency))
        case ("multiply", .money(let m), .number(let n)), ("multiply", .number(let n), .money(let m)):
            return .money(Money(minor: roundHalfEven(Decimal(m.minor) * n), currency: m.currency))
        case ("multiply", .money(let m), .percent(let p)), ("multiply", .percent(let p), .money(let m)):
            return .money(Money(minor: roundHalfEven(Decimal(m.minor) * Decimal(p) / 10_000), currency: m.currency))
        case ("add", .number(let x), .number(let y)): return .number(x + y)
        case ("subtract", .number(let x), .number(let y)): return .number(x - y)
        case ("multiply", .number(let x), .number(let y)): return .number(x * y)
        case (_, .date(let d), .duration(let amount, let unit)), (_, .duration(let amount, let unit), .date(let d)):
            let sign = op == "subtract" ? -1 : 1
            switch unit {
            case "months": return .date(d.adding(months: sign * amount))
            case "years": return .date(d.adding(months: sign * 12 * amount))
            case "weeks": return .date(CalendarDate(dayNumber: d.dayNumber + sign * 7 * amount))
            default: return .date(CalendarDate(dayNumber: d.dayNumber + sign * amount))
            }
        case (_, .datetime(let s), .duration(let amount, let unit)):
            return .datetime(s + Int64(op == "subtract" ? -amount : amount) * unitSeconds(unit))
        case ("add", .duration(let a, let u), .duration(let b, let v)) where u == v: return .duration(amount: a + b, unit: u)
        case ("subtract", .duration(let a, let u), .duration(let b, let v)) where u == v: return .duration(amount: a - b, unit: u)
        default: return nil
        }
    }

    /// Rounds a decimal number of minor units to an integer, half to even.
    static func roundHalfEven(_ d: Decimal) -> Int64 {
        var value = d
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .bankers)
        return Int64(truncating: rounded as NSNumber)
    }
}

extension Evaluator {
    /// An evaluator over tables whose keys are not worked out yet.
    init(values: SlotValues, customer: CustomerProfile, verified: Bool, confidence: Double?, frustrated: Bool, now: Int64,
         today: CalendarDate, tables: [Procedure.Table]) {
        self.init(values: values, customer: customer, verified: verified, confidence: confidence, frustrated: frustrated, now: now,
                  today: today, tables: tables.map(KeyedTable.init))
    }
}
