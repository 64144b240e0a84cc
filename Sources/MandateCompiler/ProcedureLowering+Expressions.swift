import MandateDiagnostics
import MandateIR
import MandateSyntax

extension ProcedureLowering {
    // MARK: names

    /// Resolves a noun phrase: a slot or variable, a field of a bound record, a customer or conversation fact.
    mutating func resolve(_ np: NounPhrase, at range: SourceRange, placeholder: Bool = false) -> (Expr, ValueType)? {
        // Most names are in scope as written (`order_number`, `refund_amount`): one lookup.
        // A name with no empty piece between its `_` is the same whether or not its words are
        // split at `_` first; only the others need the split form.
        let direct = np.name
        let plain = Self.hasNoEmptyPiece(direct)
        if plain, let t = scope[direct] { return (.name(direct), t) }
        let words = np.wordsSplitAtUnderscores
        let joined = plain ? direct : Self.underscored(words[...])
        if !plain, let t = scope[joined] { return (.name(joined), t) }
        if words.first == "customer" || words.first == "customers" {
            let rest = Self.underscored(words.dropFirst())
            switch rest {
            case "": return (.customer("id"), .identity)
            case "tier": return (.customer("tier"), .enumeration(symbols.tiers))
            case "id": return (.customer("id"), .identity)
            case "verified", "is_verified": return (.customer("verified"), .boolean)
            default:
                if let field = symbols.records["Customer"]?.fields.first(where: { $0.name == rest }) {
                    return (.customer(rest), field.type)
                }
                if ["name", "email", "zip_code", "phone"].contains(rest) { return (.customer(rest), rest == "email" ? .email : .text) }
            }
        }
        if joined == "intent_confidence" || joined == "confidence" { return (.conversation("intent_confidence"), .number) }
        // A value the catalog takes as an input (`order_number`) that was never asked for.
        if symbols.slotTypes[joined] != nil, !placeholder || words.count == 1 {
            report(.unknownValue, "`\(source.text(of: range))` is used before it is asked for", range,
                   help: "ask for it first: `Ask for the \(words.joined(separator: " ")).`")
            return nil
        }
        // A bound record and one of its fields: `the order total`, `order.total`.
        if words.count >= 2 {
            for k in stride(from: words.count - 1, through: 1, by: -1) {
                let base = Self.underscored(words[..<k])
                guard let t = scope[base] else { continue }
                // A base whose type is unknown already has its own error (or comes from one).
                let fieldName = Self.underscored(words[k...])
                if t == .unknown || t == .list(.unknown) { return (.field(.name(base), fieldName), .unknown) }
                if case .record(let r) = t, let record = symbols.records[r] {
                    if let field = record.fields.first(where: { $0.name == fieldName }) {
                        return (.field(.name(base), fieldName), field.type)
                    }
                    report(.unknownField, "`\(r)` has no field `\(fieldName)`", range,
                           notes: ["the fields of `\(r)` are " + Suggestions.list(record.fields.map { "`\($0.name)`" })],
                           help: Suggestions.didYouMean(fieldName, in: record.fields.map(\.name)) ?? "use one of its fields, or add `\(fieldName)` to `\(r)` in the catalog")
                    return (.field(.name(base), fieldName), .unknown)
                }
            }
        }
        // Inside `whose …`: a field of each element.
        if case .record(let r)? = scope["__element"], let field = symbols.records[r]?.fields.first(where: { $0.name == joined }) {
            return (.field(.name("__element"), joined), field.type)
        }
        // `the cabin`: a field of the one record in scope that has it.
        let owners = scope.entries.filter { name, type in
            guard !name.hasPrefix("__"), case .record(let r) = type else { return false }
            return symbols.records[r]?.fields.contains { $0.name == joined } ?? false
        }.map(\.key).sorted()
        if owners.count == 1, case .record(let r)? = scope[owners[0]], let field = symbols.records[r]?.fields.first(where: { $0.name == joined }) {
            return (.field(.name(owners[0]), joined), field.type)
        }
        if owners.count > 1 {
            report(.unknownValue, "`\(source.text(of: range))` could be the field of " + Suggestions.list(owners.map { "`\($0)`" }, joiner: "or"), range,
                   help: "name the record: `the \(owners[0].split(separator: "_").joined(separator: " ")) \(words.joined(separator: " "))`")
            return nil
        }
        // With actions missing from the catalog, a record they would look up is unknown for that reason.
        if symbols.catalogIncomplete { return nil }
        let known = scope.keysInOrder.filter { !$0.hasPrefix("__") }
        let shown = placeholder ? "{\(np.segments.map { $0.joined(separator: " ") }.joined(separator: "."))}" : source.text(of: range)
        report(.unknownValue, "`\(shown)` is never asked for, set or looked up in this procedure", range,
               help: Suggestions.didYouMean(joined, in: known).map { $0 + " — or ask for it first: `Ask for the \(words.joined(separator: " ")).`" }
                ?? "ask for it first (`Ask for the \(words.joined(separator: " ")).`), set it, or look up the record it belongs to")
        return nil
    }

    /// Words with their `_` split off: `order_number` counts as `order number`. Most noun
    /// phrases have none, and come back as they are. Empty words are dropped, as `split` does.
    static func splitAtUnderscores(_ words: [String]) -> [String] {
        guard words.contains(where: { $0.isEmpty || $0.utf8.contains(UInt8(ascii: "_")) }) else { return words }
        var out: [String] = []
        for w in words {
            for part in w.utf8.split(separator: UInt8(ascii: "_")) { out.append(String(Substring(part))) }
        }
        return out
    }

    /// Whether a `_`-joined name is non-empty and has no empty piece (no `__`, no `_` at
    /// either end): then splitting its words at `_` and joining them again gives it back.
    static func hasNoEmptyPiece(_ name: String) -> Bool {
        func scan<C: Collection<UInt8>>(_ bytes: C) -> Bool {
            var previous = UInt8(ascii: "_")
            for b in bytes {
                if b == UInt8(ascii: "_") && previous == b { return false }
                previous = b
            }
            return previous != UInt8(ascii: "_")
        }
        return name.utf8.withContiguousStorageIfAvailable(scan) ?? scan(name.utf8)
    }

    /// Words joined by `_`, the form names take in the plan (`order_number`): one copy of the
    /// bytes, where `joined(separator:)` goes through the general `String` machinery.
    static func underscored(_ words: ArraySlice<String>) -> String {
        if words.count == 1 { return words[words.startIndex] }
        var total = max(0, words.count - 1)
        for w in words { total += w.utf8.count }
        return String(unsafeUninitializedCapacity: total) { buffer in
            var i = 0
            var first = true
            for var w in words {
                if !first { buffer[i] = UInt8(ascii: "_"); i += 1 }
                first = false
                w.withUTF8 { bytes in
                    for b in bytes { buffer[i] = b; i += 1 }
                }
            }
            return i
        }
    }

    // MARK: expressions

    mutating func expression(_ e: Expression) -> (Expr, ValueType) {
        switch e {
        case .literal(let literal, let range): return lit(literal, range)
        case .now: return (.now, .datetime)
        case .today: return (.today, .date)
        case .noun(let np): return resolve(np, at: np.range) ?? (.literal(.text("")), .unknown)
        case .fieldOf(let field, let base):
            let (b, bt) = expression(base)
            let name = field.name
            if case .record(let r) = bt, let record = symbols.records[r] {
                if let f = record.fields.first(where: { $0.name == name }) { return (.field(b, name), f.type) }
                report(.unknownField, "`\(r)` has no field `\(name)`", field.range,
                       help: Suggestions.didYouMean(name, in: record.fields.map(\.name)) ?? "use one of the fields of `\(r)`")
            }
            return (.field(b, name), .unknown)
        case .count(let list, let whose, _):
            let (l, lt) = expression(list)
            let element = elementType(lt, range: list.range)
            var w: Expr?
            if let whose {
                let saved = scope["__element"]
                scope["__element"] = element
                w = condition(whose)
                scope["__element"] = saved
            }
            return (.count(list: l, variable: "__element", whose: w), .number)
        case .total(let field, let list, _):
            let (l, lt) = expression(list)
            let element = elementType(lt, range: list.range)
            let name = field.name
            if case .record(let r) = element, let record = symbols.records[r] {
                guard let f = record.fields.first(where: { $0.name == name }) else {
                    report(.unknownField, "`\(r)` has no field `\(name)` to total", field.range,
                           help: Suggestions.didYouMean(name, in: record.fields.map(\.name)) ?? "total a money or number field")
                    return (.sum(list: l, variable: "__element", field: name), .unknown)
                }
                if f.type != .money && f.type != .number {
                    report(.typeMismatch, "`\(name)` of `\(r)` is \(describe(f.type)); only amounts and numbers can be totalled", field.range)
                }
                return (.sum(list: l, variable: "__element", field: name), f.type)
            }
            return (.sum(list: l, variable: "__element", field: name), .unknown)
        case .tableLookup(let table, let keys, let range):
            guard let t = tables[table.value] else {
                report(.unknownTable, "there is no table `\(table.value)` in this procedure", table.range)
                return (.literal(.text("")), .unknown)
            }
            let wanted = t.columns.count == 1 ? 1 : 2
            if keys.count != wanted {
                report(.unknownTable, "the table `\(t.name)` is looked up by \(wanted == 1 ? "one value" : "a row and a column value"), but \(keys.count) \(keys.count == 1 ? "is" : "are") given", range,
                       help: wanted == 2 ? "write `the \(t.name) for <\(t.rowHeader)> and <column>`" : "write `the \(t.name) for <\(t.rowHeader)>`")
            }
            let lowered = keys.map { expression($0).0 }
            return (.lookup(table: t.name, keys: lowered), tableLookupTypes[table.value] ?? Self.lookupType(t.cells))
        case .arithmetic(let op, let lhs, let rhs):
            let (l, lt) = expression(lhs)
            let (r, rt) = expression(rhs)
            let result: ValueType
            switch (lt, op, rt) {
            case (.unknown, _, _), (_, _, .unknown): result = .unknown
            case (.money, .add, .money), (.money, .subtract, .money):
                checkCurrencies(lhs, rhs)
                result = .money
            case (.money, .multiply, .number), (.number, .multiply, .money), (.money, .multiply, .percent), (.percent, .multiply, .money): result = .money
            case (.number, _, .number): result = .number
            case (.date, .add, .duration), (.date, .subtract, .duration), (.datetime, .add, .duration), (.datetime, .subtract, .duration): result = lt
            case (.duration, .add, .duration), (.duration, .subtract, .duration): result = .duration
            default:
                report(.typeMismatch, "cannot \(op == .add ? "add" : op == .subtract ? "subtract" : "multiply") \(describe(lt)) and \(describe(rt))",
                       lhs.range.union(rhs.range), help: "combine amounts with amounts, numbers with numbers, or a date with a duration")
                result = .unknown
            }
            return (.arithmetic(op: op.rawValue, lhs: l, rhs: r), result)
        }
    }

    mutating func elementType(_ t: ValueType, range: SourceRange) -> ValueType {
        if case .list(let e) = t { return e }
        if t != .unknown {
            report(.notAList, "`\(source.text(of: range))` is \(describe(t)), not a list", range,
                   help: "count or total a list, such as the items of an order")
        }
        return .unknown
    }

    mutating func lit(_ literal: Literal, _ range: SourceRange) -> (Expr, ValueType) {
        switch literal {
        case .text(let s): return (.literal(.text(s)), .text)
        case .number(let n): return (.literal(.number(n)), .number)
        case .money(let m): return (.literal(.money(Money(minor: m.minorUnits, currency: m.currency))), .money)
        case .percent(let p): return (.literal(.percent(p)), .percent)
        case .duration(let d): return (.literal(.duration(amount: d.amount, unit: d.unit.rawValue)), .duration)
        case .date(let d):
            let s = String(format4: d.year) + "-" + String(format2: d.month) + "-" + String(format2: d.day)
            return (.literal(.date(s)), .date)
        case .boolean(let b): return (.literal(.boolean(b)), .boolean)
        }
    }

    mutating func checkCurrencies(_ a: Expression, _ b: Expression) {
        func currencyOf(_ e: Expression) -> String? {
            if case .literal(.money(let m), _) = e { return m.currency }
            return nil
        }
        let project = symbols.currency
        for side in [a, b] {
            if let c = currencyOf(side), c != project {
                report(.currencyMismatch, "`\(source.text(of: side.range))` is in \(c), but amounts in this project are in \(project)", side.range,
                       help: "write the amount in \(project)")
            }
        }
    }

    // MARK: conditions

    mutating func condition(_ c: Condition) -> Expr {
        switch c {
        case .invalid: return .literal(.boolean(false))
        case .and(let parts): return .and(parts.map { condition($0) })
        case .or(let parts): return .or(parts.map { condition($0) })
        case .compare(let lhs, let op, let rhs):
            let (l, lt) = expression(lhs)
            let (r, rt) = expression(rhs)
            checkComparable(lhs, lt, rhs, rt, ordered: op != .equal && op != .notEqual)
            return .compare(op: op.rawValue, lhs: l, rhs: r)
        case .oneOf(let value, let options, let negated):
            let (v, vt) = expression(value)
            let lowered = options.map { option -> Expr in
                let (o, ot) = expression(option)
                checkComparable(value, vt, option, ot, ordered: false)
                return o
            }
            let e = Expr.oneOf(v, options: lowered)
            return negated ? .not(e) : e
        case .missing(let value, let negated):
            let (v, _) = expression(value)
            return negated ? .not(.missing(v)) : .missing(v)
        case .contains(let a, let b, let negated):
            let (x, _) = expression(a)
            let (y, _) = expression(b)
            return negated ? .not(.contains(x, y)) : .contains(x, y)
        case .time(let subject, let verb, let relation):
            guard let (base, type) = resolve(subject, at: subject.range) else { return .literal(.boolean(false)) }
            var moment = base
            if case .record(let r) = type, let record = symbols.records[r] {
                let candidates = [verb.value + "_at", verb.value + "_on", verb.value + "_date", verb.value]
                guard let field = candidates.first(where: { name in record.fields.contains { $0.name == name } }) else {
                    report(.unknownField, "`\(r)` has no date field for `\(verb.value)` (looked for `\(verb.value)_at`)", verb.range,
                           help: "add a field such as `\(verb.value)_at: date` to `\(r)` in the catalog")
                    return .literal(.boolean(false))
                }
                moment = .field(base, field)
            } else if type != .date && type != .datetime && type != .unknown {
                report(.typeMismatch, "`\(source.text(of: subject.range))` is \(describe(type)), not a date", subject.range)
            }
            switch relation {
            case .moreThanAgo(let d): return .olderThan(moment, amount: d.amount, unit: d.unit.rawValue)
            case .lessThanAgo(let d), .withinLast(let d): return .within(moment, amount: d.amount, unit: d.unit.rawValue)
            case .before(let v): return .compare(op: ComparisonOperator.lessThan.rawValue, lhs: moment, rhs: expression(v).0)
            case .after(let v): return .compare(op: ComparisonOperator.greaterThan.rawValue, lhs: moment, rhs: expression(v).0)
            }
        case .quantified(let q, let variable, let list, let predicate):
            var (l, lt) = expression(list)
            var element: ValueType = .unknown
            if case .list(let e) = lt { element = e }
            else if case .record(let r) = lt, let record = symbols.records[r],
                    let plural = record.fields.first(where: { $0.name == variable.value + "s" || $0.name == variable.value + "es" }),
                    case .list(let e) = plural.type {
                l = .field(l, plural.name)
                element = e
            } else if lt != .unknown {
                report(.notAList, "`\(source.text(of: list.range))` is not a list", list.range,
                       help: "`\(q.rawValue)` goes through a list, such as the items of an order")
            }
            let saved = scope[variable.value]
            scope[variable.value] = element
            let p = condition(predicate)
            scope[variable.value] = saved
            return .quantified(kind: q.rawValue, variable: variable.value, list: l, predicate: p)
        case .state(let subject, let words, let negated):
            let e = state(subject, words)
            return negated ? .not(e) : e
        case .has(let subject, let words, let negated):
            let (s, t) = expression(subject)
            let name = Self.fieldName(words.value)
            var result: Expr = .literal(.boolean(false))
            if case .record(let r) = t, let record = symbols.records[r] {
                if let f = record.fields.first(where: { $0.name == name || $0.name == "has_" + name }) {
                    result = f.type == .boolean ? .field(s, f.name) : .not(.missing(.field(s, f.name)))
                } else {
                    report(.unknownField, "`\(r)` has no field `\(name)`", words.range,
                           help: Suggestions.didYouMean(name, in: record.fields.map(\.name)) ?? "add `\(name): boolean` to `\(r)` in the catalog")
                }
            } else if case .customer = s {
                let fields = symbols.records["Customer"]?.fields.map(\.name) ?? []
                if !fields.contains(name), !fields.contains("has_" + name) {
                    report(.unknownField, "a customer has no field `\(name)`", words.range,
                           help: Suggestions.didYouMean(name, in: fields)
                            ?? "declare it in the catalog (`Customer: { \(name): boolean }`), or say which record has it: `the reservation has \(words.value)`")
                }
                result = .customer(name)
            }
            return negated ? .not(result) : result
        case .onTier(_, let tier, let negated):
            if !symbols.tiers.contains(tier.value) {
                report(.unknownTier, "`\(tier.value)` is not a tier of this project", tier.range,
                       notes: ["the tiers are " + Suggestions.list(symbols.tiers.map { "`\($0)`" })],
                       help: Suggestions.didYouMean(tier.value, in: symbols.tiers) ?? "add it to `tiers:` in `mandate.yaml`")
            }
            let e = Expr.compare(op: ComparisonOperator.equal.rawValue, lhs: .customer("tier"), rhs: .literal(.text(tier.value)))
            return negated ? .not(e) : e
        case .sounds(_, let words):
            if ["frustrated", "angry", "upset", "annoyed"].contains(words.value) { return .conversation("frustrated") }
            report(.malformedCondition, "Mandate can tell whether the customer sounds frustrated, not `\(words.value)`", words.range,
                   help: "write `the customer sounds frustrated`")
            return .literal(.boolean(false))
        }
    }

    /// `the item is available`, `the order is delivered`, `the customer is verified`.
    /// `cancelled by the airline` → `cancelled_by_airline`: articles do not count.
    static func fieldName(_ words: String) -> String {
        words.split(separator: " ").filter { $0 != "the" && $0 != "a" && $0 != "an" }.joined(separator: "_")
    }

    mutating func state(_ subject: Expression, _ words: Located<String>) -> Expr {
        let name = Self.fieldName(words.value)
        if case .noun(let np) = subject, np.spelled == "customer" {
            if name == "verified" { return .customer("verified") }
        }
        let (s, t) = expression(subject)
        switch t {
        case .record(let r):
            guard let record = symbols.records[r] else { return .literal(.boolean(false)) }
            if let f = record.fields.first(where: { ($0.name == name || $0.name == "is_" + name) && $0.type == .boolean }) {
                return .field(s, f.name)
            }
            if let f = record.fields.first(where: { if case .enumeration(let v) = $0.type { v.contains(name) || v.contains(words.value) } else { false } }) {
                let value = (record.fields.first { $0.name == f.name }.flatMap { if case .enumeration(let v) = $0.type { v.contains(name) ? name : words.value } else { nil } }) ?? name
                return .compare(op: ComparisonOperator.equal.rawValue, lhs: .field(s, f.name), rhs: .literal(.text(value)))
            }
            report(.unknownField, "`\(r)` has no yes-or-no field `\(name)` and no status `\(words.value)`", words.range,
                   help: Suggestions.didYouMean(name, in: record.fields.map(\.name)) ?? "add `\(name): boolean` to `\(r)` in the catalog")
            return .literal(.boolean(false))
        case .enumeration(let values):
            if !values.contains(name) && !values.contains(words.value) {
                report(.typeMismatch, "`\(words.value)` is not one of the values of `\(source.text(of: subject.range))`", words.range,
                       notes: ["its values are " + Suggestions.list(values.map { "`\($0)`" })],
                       help: Suggestions.didYouMean(words.value, in: values) ?? "use one of its values")
            }
            return .compare(op: ComparisonOperator.equal.rawValue, lhs: s, rhs: .literal(.text(values.contains(name) ? name : words.value)))
        case .boolean:
            return ["true", "yes", "set", "on"].contains(name) ? s : .not(s)
        default:
            return .compare(op: ComparisonOperator.equal.rawValue, lhs: s, rhs: .literal(.text(words.value)))
        }
    }

    mutating func checkComparable(_ lhs: Expression, _ lt: ValueType, _ rhs: Expression, _ rt: ValueType, ordered: Bool) {
        if lt == .unknown || rt == .unknown { return }
        if lt == .money && rt == .money { checkCurrencies(lhs, rhs); return }
        if case .enumeration(let values) = lt, case .literal(.text(let v), let r) = rhs, !values.contains(v) {
            report(.typeMismatch, "`\"\(v)\"` is not one of the values of `\(source.text(of: lhs.range))`", r,
                   notes: ["its values are " + Suggestions.list(values.map { "`\($0)`" })],
                   help: Suggestions.didYouMean(v, in: values).map { $0 } ?? "compare with one of its values")
            return
        }
        let numeric: Set<ValueType> = [.number, .percent]
        if compatible(lt, rt) || (numeric.contains(lt) && numeric.contains(rt)) { return }
        report(.typeMismatch, "`\(source.text(of: lhs.range))` is \(describe(lt)) but `\(source.text(of: rhs.range))` is \(describe(rt))",
               lhs.range.union(rhs.range), help: "compare \(describe(lt)) with \(describe(lt))")
    }

    // MARK: action sentences

    struct ActionMatch {
        var action: String
        var arguments: [(String, Expression)]
    }

    /// Matches a sentence against the catalog's phrases; reports no match or several matches.
    mutating func matchAction(_ sentence: ActionSentence, reportErrors: Bool) -> ActionMatch? {
        // Both passes ask; the catalog is searched once per sentence.
        let matches: [ActionMatch]
        if let cached = matchCache[sentence.range.start] {
            matches = cached
        } else {
            matches = allMatches(sentence)
            matchCache[sentence.range.start] = matches
        }
        return verdict(matches, sentence, reportErrors: reportErrors)
    }

    /// Trimmed tokens of an action sentence (no final punctuation).
    func actionTokens(_ sentence: ActionSentence) -> ArraySlice<Token> {
        sentence.tokens[..<actionTokenEnd(sentence)]
    }

    /// Where an action sentence's tokens end without its final punctuation (an index of
    /// `sentence.tokens`, whose indices do not start at 0).
    func actionTokenEnd(_ sentence: ActionSentence) -> Int {
        let tokens = sentence.tokens
        var n = tokens.endIndex
        while n > tokens.startIndex, tokens[n - 1].kind == .period || tokens[n - 1].kind == .colon || tokens[n - 1].kind == .comma {
            n -= 1
        }
        return n
    }

    /// Every catalog action whose phrase the sentence matches.
    mutating func allMatches(_ sentence: ActionSentence) -> [ActionMatch] {
        let tokens = sentence.tokens
        let count = actionTokenEnd(sentence) - tokens.startIndex
        guard count > 0 else { return [] }
        // The sentence's words by their number among the phrases' words (-1: another token, or
        // a word in no phrase), counted from its first token: the phrases compare words often.
        var sentenceWords = [Int32](repeating: -1, count: count)
        var sentenceMask: UInt64 = 0
        for k in 0..<count where tokens[tokens.startIndex + k].kind == .word {
            let id = symbols.phraseWordIDs[sentence.text(tokens[tokens.startIndex + k])] ?? -1
            sentenceWords[k] = id
            sentenceMask |= ActionPhrase.wordBit(id)
        }
        let first = tokens[tokens.startIndex]
        // INVARIANT: the lists are sorted by name (Symbols.declareActions), so matches come in a stable order.
        let candidates = first.kind == .word ? symbols.actionsByFirstWord[sentence.text(first)] ?? symbols.actionsByHole : symbols.actionsByHole
        var matches: [ActionMatch] = []
        for i in candidates.indices {
            // Cheap tests first: the sentence has a word of each of the phrase's bits, and has
            // the phrase's words in order.
            guard candidates[i].wordMask & ~sentenceMask == 0, Self.wordsAppearInOrder(candidates[i].words, sentenceWords) else { continue }
            var arguments: [(String, Expression)] = []
            arguments.reserveCapacity(candidates[i].parts.count)
            if match(candidates[i].parts, 0, sentence, sentenceWords, 0, count, &arguments) {
                matches.append(ActionMatch(action: candidates[i].name, arguments: arguments))
            }
        }
        return matches
    }

    /// One match is the action; none or several are reported when asked.
    mutating func verdict(_ matches: [ActionMatch], _ sentence: ActionSentence, reportErrors: Bool) -> ActionMatch? {
        if matches.count == 1 { return matches[0] }
        guard reportErrors else { return matches.first }
        // When the catalog itself has errors, its own findings say what is wrong.
        if symbols.catalogIncomplete && matches.isEmpty { return nil }
        let text = source.text(of: sentence.range)
        if matches.count > 1 {
            report(.ambiguousAction, "`\(text)` matches more than one action: " + Suggestions.list(matches.map { "`\($0.action)`" }), sentence.range,
                   notes: matches.map { "`\($0.action)` has the phrase `\(symbols.actions[$0.action]!.signature.phrase)`" },
                   help: "make the actions' phrases different in the catalog, so each sentence means one action")
            return nil
        }
        let sentenceWords = actionTokens(sentence).map { $0.kind == .possessive ? "'s" : sentence.text($0).lowercased() }
        var options: [(Int, String)] = []
        if let first = sentenceWords.first {
            let leads = suggestionLeads(first)
            // A phrase is worth offering when its verb is the sentence's first word, nearly, or
            // stands in the sentence at all (`Issue a full refund …` → `refund {amount} for {order}`).
            for (k, (phrase, words)) in symbols.phraseWords.enumerated() {
                guard let b = words.first, leads.phrases[k] || sentenceWords.contains(b) else { continue }
                options.append((wordDistance(sentenceWords, words), phrase))
            }
            // Sentence forms are led by their keyword: only a near miss of it is worth suggesting.
            for (k, (form, words)) in Self.formWords.enumerated() where leads.forms[k] {
                options.append((wordDistance(sentenceWords, words) + 1, form.template))
            }
        }
        options.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        let threshold = max(2, sentenceWords.count / 2)
        let best = options.first?.0 ?? 0
        let close = options.filter { $0.0 <= threshold && $0.0 <= best + 1 }.prefix(3).map { "`\($0.1.prefix(1).uppercased() + $0.1.dropFirst())`" }
        report(.unknownSentence, "`\(text)` is not a sentence Mandate knows", sentence.range,
               notes: ["a step is one of the sentence forms — " + Vocabulary.formList + " — or the phrase of an action in the catalog"],
               help: close.isEmpty ? "rewrite it as one of the sentence forms, or add an action with this phrase to the catalog"
                : "did you mean " + Suggestions.list(Array(close), joiner: "or") + "?")
        return nil
    }

    /// Matches phrase parts from `pi` against the sentence's tokens `ti..<count` (counted from
    /// its first token; `words` holds the words' numbers as in `allMatches`), appending
    /// the holes' values to `arguments` on success (and leaving it as it was on failure).
    /// Each candidate hole is parsed in place (a window of the sentence's tokens), quietly:
    /// a candidate that does not read as a value is no error.
    mutating func match(_ parts: [PhrasePart], _ pi: Int, _ sentence: ActionSentence, _ words: [Int32], _ ti: Int, _ count: Int,
                        _ arguments: inout [(String, Expression)]) -> Bool {
        if pi == parts.count { return ti == count }
        switch parts[pi] {
        case .word(let w):
            guard ti < count, words[ti] == w else { return false }
            return match(parts, pi + 1, sentence, words, ti + 1, count, &arguments)
        case .possessive:
            guard ti < count, sentence.tokens[sentence.tokens.startIndex + ti].kind == .possessive else { return false }
            return match(parts, pi + 1, sentence, words, ti + 1, count, &arguments)
        case .hole(let name):
            guard ti < count else { return false }
            var next: Int32?
            if pi + 1 < parts.count, case .word(let w) = parts[pi + 1] { next = w }
            var end = pi + 1 == parts.count ? count : ti + 1
            while end <= count {
                defer { end += 1 }
                // A hole followed by a word ends just before that word.
                if let next, end == count || words[end] != next { continue }
                let base = sentence.tokens.startIndex
                guard let value = holeParser.parseValue(in: sentence, window: (base + ti)..<(base + end)) else { continue }
                arguments.append((name, value))
                if match(parts, pi + 1, sentence, words, end, count, &arguments) { return true }
                arguments.removeLast()
            }
            return false
        }
    }

    /// Whether the phrase's literal words (numbered as in `Symbols.phraseWordIDs`) occur in
    /// the sentence's words, in order.
    static func wordsAppearInOrder(_ phrase: [Int32], _ sentence: [Int32]) -> Bool {
        var k = 0
        for w in phrase {
            while k < sentence.count, sentence[k] != w { k += 1 }
            if k == sentence.count { return false }
            k += 1
        }
        return true
    }

    /// For an unknown sentence's first word: which catalog phrases (`Symbols.phraseWords`)
    /// start with a hole or with a word at most two edits from it, and which sentence forms
    /// have a keyword at most two edits from it. Kept per first word, since a file of many
    /// unknown sentences mostly repeats a few first words.
    mutating func suggestionLeads(_ first: String) -> (phrases: [Bool], forms: [Bool]) {
        if let known = suggestionLeadCache[first] { return known }
        let a = Array(first.unicodeScalars)
        let near = { (b: String) in Suggestions.editDistance(a, Array(b.unicodeScalars)) <= 2 }
        let leads = (phrases: symbols.phraseWords.map { $0.words.first.map { $0.hasPrefix("{") || near($0) } ?? false },
                     forms: Self.formWords.map { near($0.0.lead[0]) })
        suggestionLeadCache[first] = leads
        return leads
    }

    /// Each sentence form with its template's words, lowercased, for suggestions.
    static let formWords: [(Vocabulary.SentenceForm, [String])] = Vocabulary.sentenceForms.map {
        ($0, $0.template.lowercased().split(separator: " ").map(String.init))
    }

    /// Word-level edit distance; a `{hole}` or `<hole>` in `b` matches any one word.
    func wordDistance(_ a: [String], _ b: [String]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Each word of `b` looked at once, not once per word of `a`: a file of many unknown
        // sentences asks for this distance thousands of times.
        let holes = b.map { $0.hasPrefix("{") || $0.hasPrefix("<") || $0.hasPrefix("\"<") }
        let bare = b.map { $0.trimmingCharacters(in: ".") }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let hole = holes[j - 1]
                let cost = hole || a[i - 1] == bare[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                // A hole takes a run of words (`the order total` fills `{amount}`) at no cost.
                if hole { current[j] = Swift.min(current[j], previous[j]) }
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension String {
    init(format4 n: Int) { self = padded(n, 4) }
    init(format2 n: Int) { self = padded(n, 2) }
}

private func padded(_ n: Int, _ width: Int) -> String {
    let digits = String(n)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
