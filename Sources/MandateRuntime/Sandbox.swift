import Foundation
import MandateIR

/// Fixture records for the sandbox: customers, orders, subscriptions… by record type.
public struct SandboxData: Sendable, Equatable {
    /// Records by type name (`Order`), each a `.record`.
    public var records: [String: [RuntimeValue]]
    /// Actions with effects performed, by idempotency key, with their outputs.
    public var performed: [String: [String: RuntimeValue]]
    /// Actions with effects, in order: what a test or an operator can inspect.
    public var journal: [String]

    /// Makes sandbox data.
    public init(records: [String: [RuntimeValue]] = [:]) {
        self.records = records
        self.performed = [:]
        self.journal = []
    }

    /// Reads untyped fixture data (as YAML or JSON give it) into typed records.
    ///
    /// Collections are named by their type in the plural (`orders` → `Order`, `customers` →
    /// `Customer`); each field is converted to its declared type: `89.00 USD` to money,
    /// `2026-11-20` to a date, `2026-11-14T16:20:00Z` to a moment.
    public init(fixtures: [String: Any], plan: Plan) throws {
        var records: [String: [RuntimeValue]] = [:]
        let types = Dictionary(plan.records.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (collection, value) in fixtures.sorted(by: { $0.key < $1.key }) {
            guard let type = SandboxData.recordType(collection, in: plan.records) else {
                throw FixtureError("`\(collection)` is not a collection of any record type; the types are "
                                   + plan.records.map(\.name).sorted().joined(separator: ", "))
            }
            guard let rows = value as? [Any] else { throw FixtureError("`\(collection)` must be a list of records") }
            records[type.name] = try rows.enumerated().map { i, row in
                try FixtureConversion.convert(row, as: .record(type.name), types: types, currency: plan.project.currency,
                                              at: "\(collection)[\(i)]")
            }
        }
        self.init(records: records)
    }

    static func recordType(_ collection: String, in records: [RecordType]) -> RecordType? {
        let c = collection.lowercased()
        return records.first { r in
            let n = r.name.lowercased()
            return c == n || c == n + "s" || c == n + "es" || (n.hasSuffix("y") && c == n.dropLast() + "ies")
        }
    }
}

/// A fixture that does not fit the catalog's types.
public struct FixtureError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, where.
    public var description: String
    init(_ d: String) { description = d }
}

/// Converts untyped values to typed runtime values.
public enum FixtureConversion {
    /// `value` as `type`, or an error naming `at`.
    public static func convert(_ value: Any, as type: ValueType, types: [String: RecordType], currency: String, at: String) throws -> RuntimeValue {
        func fail(_ what: String) -> FixtureError { FixtureError("\(at): \(what)") }
        let text: String? = (value as? String) ?? (value as? Int).map(String.init) ?? (value as? Double).map { "\($0)" }
            ?? (value as? Bool).map { $0 ? "true" : "false" }
        switch type {
        case .record(let name):
            guard let fields = value as? [String: Any] else { throw fail("expected a \(name) record") }
            guard let record = types[name] else { throw fail("no record type `\(name)`") }
            var out = RuntimeRecord()
            out.reserveCapacity(fields.count)
            for (k, v) in fields {
                guard let f = record.fields.first(where: { $0.name == k }) else {
                    throw fail("`\(name)` has no field `\(k)`; its fields are " + record.fields.map(\.name).joined(separator: ", "))
                }
                out[k] = try convert(v, as: f.type, types: types, currency: currency, at: "\(at).\(k)")
            }
            return .record(out)
        case .list(let element):
            guard let items = value as? [Any] else { throw fail("expected a list") }
            return .list(try items.enumerated().map { try convert($1, as: element, types: types, currency: currency, at: "\(at)[\($0)]") })
        case .money:
            guard let t = text, let m = parseMoney(t, currency: currency) else { throw fail("`\(text ?? "?")` is not an amount like `89.00 USD`") }
            return .money(m)
        case .number:
            guard let t = text, let d = Decimal(string: t, locale: Locale(identifier: "en_US_POSIX")) else { throw fail("expected a number") }
            return .number(d)
        case .percent:
            guard let t = text, let d = Decimal(string: t.replacingOccurrences(of: "%", with: ""), locale: Locale(identifier: "en_US_POSIX")) else {
                throw fail("expected a percentage like `15%`")
            }
            return .percent(Int(truncating: (d * 100) as NSNumber))
        case .date:
            guard let t = text, let d = CalendarDate(iso: String(t.prefix(10))) else { throw fail("`\(text ?? "?")` is not a date like `2026-11-20`") }
            return .date(d)
        case .datetime:
            guard let t = text, let s = parseMoment(t) else { throw fail("`\(text ?? "?")` is not a moment like `2026-11-14T16:20:00Z`") }
            return .datetime(s)
        case .boolean:
            guard let t = text, let b = ["true": true, "false": false, "yes": true, "no": false][t.lowercased()] else { throw fail("expected true or false") }
            return .boolean(b)
        case .duration:
            let parts = (text ?? "").split(separator: " ")
            guard parts.count == 2, let n = Int(parts[0]) else { throw fail("expected a duration like `30 days`") }
            let unit = parts[1].hasSuffix("s") ? String(parts[1]) : parts[1] + "s"
            return .duration(amount: n, unit: unit)
        case .enumeration(let values):
            guard let t = text, let v = values.first(where: { $0.caseInsensitiveCompare(t) == .orderedSame }) else {
                throw fail("`\(text ?? "?")` is not one of " + values.joined(separator: ", "))
            }
            return .text(v)
        default:
            guard let t = text else { throw fail("expected text") }
            return .text(t)
        }
    }

    /// `89.00 USD`, `$89`, `89` (in the project's currency) → minor units, exactly.
    public static func parseMoney(_ text: String, currency: String) -> Money? {
        var t = text.trimmingCharacters(in: .whitespaces)
        var code = currency
        for (symbol, c) in ["$": "USD", "€": "EUR", "£": "GBP"] where t.hasPrefix(symbol) {
            code = c
            t.removeFirst()
        }
        let parts = t.split(separator: " ")
        if parts.count == 2 { code = String(parts[1]).uppercased(); t = String(parts[0]) }
        let exponent = Money.exponent(of: code)
        let pieces = t.replacingOccurrences(of: ",", with: "").split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = Int64(pieces[0]) else { return nil }
        var frac = pieces.count == 2 ? String(pieces[1]) : ""
        guard frac.count <= exponent, frac.allSatisfy(\.isNumber) else { return nil }
        frac += String(repeating: "0", count: exponent - frac.count)
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        return Money(minor: whole * scale + (Int64(frac) ?? 0), currency: code)
    }

    /// `2026-11-14T16:20:00Z` (or a bare date, at midnight UTC) → seconds since 1970.
    public static func parseMoment(_ text: String) -> Int64? {
        guard let day = CalendarDate(iso: String(text.prefix(10))) else { return nil }
        var seconds = Int64(day.dayNumber) * 86_400
        if text.count >= 19 {
            let time = text.dropFirst(11).prefix(8).split(separator: ":")
            guard time.count == 3, let h = Int64(time[0]), let m = Int64(time[1]), let s = Int64(time[2]) else { return nil }
            seconds += h * 3600 + m * 60 + s
            let zone = text.dropFirst(19)
            if zone.count >= 6, let sign = zone.first, sign == "+" || sign == "-" {
                let hm = zone.dropFirst().split(separator: ":")
                if hm.count == 2, let zh = Int64(hm[0]), let zm = Int64(hm[1]) {
                    seconds -= (sign == "+" ? 1 : -1) * (zh * 3600 + zm * 60)
                }
            }
        }
        return seconds
    }
}

/// Runs catalog actions against fixture records: the offline connector every project has.
///
/// A read finds the record of its output type whose fields hold every value given (the order
/// with number `1042`); a record of another customer is refused, not returned. An identify
/// action finds the customer matching every detail. Actions with effects are journaled once
/// per idempotency key.
public final class SandboxActions: ActionPort, @unchecked Sendable {
    /// The data, changed by actions with effects.
    public private(set) var data: SandboxData
    private let lock = NSLock()

    /// A sandbox over `data`.
    public init(data: SandboxData) { self.data = data }

    public func perform(_ request: ActionRequest) -> ActionOutcome {
        lock.lock()
        defer { lock.unlock() }
        return Self.perform(request, on: &data)
    }

    /// The sandbox's behaviour over any store of `SandboxData`.
    ///
    /// The arguments are read by input number, and the owner field of each record input and output
    /// from the catalog action: no name is hashed to find them.
    public static func perform(_ request: ActionRequest, on data: inout SandboxData) -> ActionOutcome {
        let action = request.catalogAction
        let values = request.arguments.values
        // The connector boundary: a record argument must belong to the verified customer.
        for (i, ownerField) in action.inputOwners.enumerated() {
            if let ownerField, case .text(let owner)? = values[i]?[field: ownerField], owner != request.customerID,
               case .record(let type) = action.signature.inputs[i].type {
                return .refused("the \(type.lowercased()) belongs to another customer")
            }
        }
        let effect = action.signature.effect
        switch effect {
        case "read", "identify":
            // The values given (identity aside) are those of `givenInputs`, read in place.
            let given = action.givenInputs
            let anyGiven = given.contains { values[$0] != nil }
            func matches(_ r: RuntimeValue) -> Bool {
                for i in given { if let v = values[i], !Self.holds(r, v) { return false } }
                return true
            }
            var outputs: [String: RuntimeValue] = [:]
            for (j, output) in action.signature.outputs.enumerated() {
                guard case .record(let type) = output.type else { continue }
                let candidates = data.records[type] ?? []
                // A record matches when it holds every value given (any record when none is given).
                // The first match is found in one pass, without the list of all matches.
                if effect == "read", let owner = action.outputOwners[j] {
                    // The first of the customer's own matching records (without inputs besides identity,
                    // their own record: their subscription); a match of another customer's is refused.
                    var matched = false
                    var found: RuntimeValue?
                    for r in candidates where matches(r) {
                        matched = true
                        if case .text(let o)? = r[field: owner], o == request.customerID {
                            found = r
                            break
                        }
                    }
                    if let found { outputs[output.name] = found; continue }
                    if matched && anyGiven { return .refused("that \(type.lowercased()) belongs to another customer") }
                    let named = given.compactMap { i in
                        values[i].map { "\(action.signature.inputs[i].name.replacingOccurrences(of: "_", with: " ")) \(Turn.format($0))" }
                    }
                    return .notFound("no \(type.lowercased()) matches " + named.joined(separator: " and "))
                }
                guard anyGiven, let found = candidates.first(where: matches) else {
                    return .notFound("no \(type.lowercased()) matches the details given")
                }
                outputs[output.name] = found
            }
            return .done(outputs)
        default:
            let key = request.idempotencyKey ?? UUID().uuidString
            // One look-up of the key: it is marked performed, and put back as it was if it already was.
            if let previous = data.performed.updateValue([:], forKey: key) {
                data.performed[key] = previous
                return .alreadyDone(previous)
            }
            data.journal.append(journalLine(request))
            return .done([:])
        }
    }

    /// `issue_refund amount=$89.00 order=1042`: the action, a space, the arguments by name (in the
    /// order `<` sorts them, worked out with the catalog action), each `name=value`, separated by
    /// spaces. The parts are written into one string of their total size.
    static func journalLine(_ request: ActionRequest) -> String {
        let action = request.catalogAction
        let values = request.arguments.values
        var parts: [String] = [action.signature.name, " "]
        parts.reserveCapacity(2 + 4 * action.journalOrder.count)
        var first = true
        for i in action.journalOrder {
            guard let v = values[i] else { continue }
            if !first { parts.append(" ") }
            first = false
            parts.append(action.signature.inputs[i].name)
            parts.append("=")
            parts.append(Turn.format(v))
        }
        return FastText.joined(parts)
    }

    /// Whether a record has a field holding `value` (a date matches a moment on that day).
    static func holds(_ record: RuntimeValue, _ value: RuntimeValue) -> Bool {
        guard case .record(let fields) = record else { return false }
        return fields.values.contains { f in
            switch (f, value) {
            case (.text(let a), .text(let b)): return FastText.equalIgnoringCase(a, b)
            case (.datetime(let s), .date(let d)): return Int((s >= 0 ? s : s - 86_399) / 86_400) == d.dayNumber
            default: return f == value
            }
        }
    }
}
