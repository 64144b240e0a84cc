import MandateDiagnostics

/// A type as written in the catalog: `text`, `[a, b]`, `Order`, `list of Item`.
public indirect enum TypeSyntax: Sendable {
    /// A name: a built-in type or a record.
    case named(Located<String>)
    /// An enumeration of values.
    case enumeration([Located<String>], SourceRange)
    /// `list of X`.
    case list(TypeSyntax, SourceRange)

    /// Where it is written.
    public var range: SourceRange {
        switch self {
        case .named(let n): n.range
        case .enumeration(_, let r), .list(_, let r): r
        }
    }
}

/// A named, typed field of a record or an action.
public struct FieldSyntax: Sendable {
    /// The field's name.
    public var name: Located<String>
    /// Its type.
    public var type: TypeSyntax
    /// A pattern the value must match (entity extraction), if given.
    public var pattern: Located<String>?
}

/// `actions.yaml`.
public struct CatalogSyntax: Sendable {
    /// One action.
    public struct Action: Sendable {
        /// Its name.
        public var name: Located<String>
        /// What it does.
        public var description: String?
        /// The English phrase that calls it.
        public var phrase: Located<String>?
        /// Inputs.
        public var inputs: [FieldSyntax] = []
        /// Outputs.
        public var outputs: [FieldSyntax] = []
        /// read, write, refund, identify.
        public var effect: Located<String>?
        /// sandbox, http, mcp.
        public var runsOn: Located<String>?
        /// Paths making the idempotency key.
        public var idempotencyKey: [Located<String>] = []
        /// `once per order`, `at most 3 per customer per day`.
        public var limit: Located<String>?
    }
    /// A record type.
    public struct Record: Sendable {
        /// Its name.
        public var name: Located<String>
        /// The field naming its owner.
        public var owner: Located<String>?
        /// Its fields.
        public var fields: [FieldSyntax] = []
    }
    /// The file's path.
    public var path: String
    /// `actions:`
    public var actions: [Action] = []
    /// `types:`
    public var records: [Record] = []
    /// False when some action could not be read at all (so a sentence may match nothing for that reason).
    public var isComplete = true

    /// The keys of an action.
    public static let actionKeys = ["description", "phrase", "input", "output", "effect", "runs_on", "idempotency_key", "limit"]

    /// Reads `actions.yaml`.
    public static func read(_ document: YAMLDocument) -> (CatalogSyntax, [Diagnostic]) {
        var f = YAMLFields()
        var c = CatalogSyntax(path: document.file.path)
        guard let root = document.rootMapping(&f, kind: "catalog"),
              let m = f.mapping(root, in: "the action catalog", allowed: ["actions", "types"], required: ["actions"],
                                at: document.file.range(0, 0))
        else {
            c.isComplete = false
            return (c, document.diagnostics + f.diagnostics)
        }
        if let a = m["actions"] {
            if case .mapping(let am) = a.value {
                for entry in am.entries {
                    guard let name = f.name(entry.key, what: "action") else { c.isComplete = false; continue }
                    var action = Action(name: name)
                    guard let fields = f.mapping(entry.value, in: "the action `\(name.value)`", allowed: actionKeys,
                                                 required: ["phrase", "effect"], at: entry.key.range)
                    else { c.isComplete = false; continue }
                    action.description = f.text(fields["description"], "the action")?.value
                    action.phrase = f.text(fields["phrase"], "the action")
                    action.inputs = fieldList(fields["input"], &f, context: "the inputs of `\(name.value)`")
                    action.outputs = fieldList(fields["output"], &f, context: "the outputs of `\(name.value)`")
                    action.effect = f.choice(fields["effect"], "the action", ["read", "write", "refund", "identify"], code: .unknownEffect)
                    if action.phrase == nil || action.effect == nil { c.isComplete = false }
                    action.runsOn = f.choice(fields["runs_on"], "the action", ["sandbox", "http", "mcp"])
                    action.idempotencyKey = f.list(fields["idempotency_key"], "the action")
                    if let limit = f.text(fields["limit"], "the action") {
                        if FrequencyLimitSyntax.parse(limit.value) == nil {
                            f.invalid(YAMLScalar(value: limit.value, range: limit.range, isQuoted: false),
                                      "`\(limit.value)` is not a limit Mandate can enforce",
                                      help: "write `once per order`, `once per customer` or `at most 3 per customer per day`")
                        } else {
                            action.limit = limit
                        }
                    }
                    c.actions.append(action)
                }
            } else {
                c.isComplete = false
                f.wrongType(a.value, expected: "a set of actions", in: "`actions`")
            }
        }
        if let t = m["types"] {
            if case .mapping(let tm) = t.value {
                for entry in tm.entries {
                    guard let name = f.name(entry.key, what: "type") else { continue }
                    var record = Record(name: name)
                    guard case .mapping(let rm) = entry.value else {
                        f.wrongType(entry.value, expected: "a set of fields", in: "the type `\(name.value)`")
                        continue
                    }
                    for field in rm.entries {
                        if field.key.value == "owner" {
                            record.owner = f.text(field, "the type `\(name.value)`")
                            continue
                        }
                        if let parsed = fieldSyntax(field, &f, context: "the type `\(name.value)`") { record.fields.append(parsed) }
                    }
                    c.records.append(record)
                }
            } else {
                f.wrongType(t.value, expected: "a set of record types", in: "`types`")
            }
        }
        return (c, document.diagnostics + f.diagnostics)
    }

    static func fieldList(_ entry: YAMLMapping.Entry?, _ f: inout YAMLFields, context: String) -> [FieldSyntax] {
        guard let entry else { return [] }
        guard case .mapping(let m) = entry.value else {
            if case .scalar(let s) = entry.value, s.value.isEmpty { return [] }
            f.wrongType(entry.value, expected: "a set of `name: type` entries", in: context)
            return []
        }
        return m.entries.compactMap { fieldSyntax($0, &f, context: context) }
    }

    static func fieldSyntax(_ entry: YAMLMapping.Entry, _ f: inout YAMLFields, context: String) -> FieldSyntax? {
        guard let name = f.name(entry.key, what: "field") else { return nil }
        switch entry.value {
        case .scalar(let s):
            guard let type = typeSyntax(s, &f) else { return nil }
            return FieldSyntax(name: name, type: type, pattern: nil)
        case .sequence(let seq):
            let values = seq.items.compactMap { item -> Located<String>? in
                guard case .scalar(let s) = item else {
                    f.wrongType(item, expected: "a value", in: "an enumeration value of `\(name.value)`")
                    return nil
                }
                return Located(s.value, s.range)
            }
            return FieldSyntax(name: name, type: .enumeration(values, seq.range), pattern: nil)
        case .mapping:
            guard let fields = f.mapping(entry.value, in: "the field `\(name.value)`", allowed: ["type", "pattern", "description"],
                                         required: ["type"], at: entry.key.range),
                  let typeEntry = fields["type"] else { return nil }
            var type: TypeSyntax?
            if case .scalar(let s) = typeEntry.value { type = typeSyntax(s, &f) }
            else if case .sequence(let seq) = typeEntry.value {
                type = .enumeration(seq.items.compactMap { if case .scalar(let s) = $0 { Located(s.value, s.range) } else { nil } }, seq.range)
            }
            guard let type else { return nil }
            return FieldSyntax(name: name, type: type, pattern: f.text(fields["pattern"], "the field"))
        }
    }

    static func typeSyntax(_ s: YAMLScalar, _ f: inout YAMLFields) -> TypeSyntax? {
        let words = s.value.split(separator: " ")
        if words.count == 3, words[0] == "list", words[1] == "of" {
            let inner = YAMLScalar(value: String(words[2]), range: s.range, isQuoted: false)
            return typeSyntax(inner, &f).map { .list($0, s.range) }
        }
        guard words.count == 1 else {
            f.invalid(s, "`\(s.value)` is not a type", help: "write a type such as `text`, `money`, `date`, `Order` or `list of Item`")
            return nil
        }
        return .named(Located(s.value, s.range))
    }
}

/// `once per order`, `at most 3 per customer per day`.
public struct FrequencyLimitSyntax: Sendable, Equatable {
    /// How many times.
    public var count: Int
    /// Per what: `order`, `customer`, a record or input name.
    public var per: String
    /// Over how many days, if a window is given.
    public var windowDays: Int?

    /// Reads a limit; nil when it is not one of the accepted forms.
    public static func parse(_ text: String) -> FrequencyLimitSyntax? {
        let w = text.lowercased().split(separator: " ").map(String.init)
        var i = 0
        var count = 0
        if w.first == "once" { count = 1; i = 1 }
        else if w.first == "twice" { count = 2; i = 1 }
        else if w.count >= 3, w[0] == "at", w[1] == "most", let n = Int(w[2]), n > 0 {
            count = n
            i = 3
            if w.count > i, w[i] == "times" || w[i] == "time" { i += 1 }
        } else { return nil }
        guard w.count > i + 1, w[i] == "per" else { return nil }
        let per = w[i + 1]
        i += 2
        var window: Int?
        if w.count > i {
            guard w.count == i + 2, w[i] == "per" else { return nil }
            switch w[i + 1] {
            case "day": window = 1
            case "week": window = 7
            case "month": window = 30
            case "year": window = 365
            default: return nil
            }
        }
        return FrequencyLimitSyntax(count: count, per: per, windowDays: window)
    }
}

/// A `*.test.yaml` scenario.
public struct ScenarioSyntax: Sendable {
    /// One turn: what the customer says and what must happen.
    public struct Turn: Sendable {
        /// The customer's message.
        public var customer: Located<String>
        /// Expectations by key (`intent`, `asks_for`, `says`, …), kept as YAML for the runner.
        public var expect: [(key: Located<String>, value: YAMLNode)]
    }
    /// The file's path.
    public var path: String
    /// `name:`
    public var name: Located<String>?
    /// `description:`
    public var description: String?
    /// `customer:` as key → value.
    public var customer: [(key: Located<String>, value: Located<String>)] = []
    /// `now:`
    public var now: Located<String>?
    /// `fixtures:` table → its records, each a mapping of field → value (values may be lists or records).
    public var fixtures: [(table: Located<String>, records: [YAMLNode])] = []
    /// `unavailable:` the actions that fail in this scenario, as if their system were down.
    public var unavailable: [Located<String>] = []
    /// `turns:`
    public var turns: [Turn] = []

    /// The top-level keys of a scenario file.
    public static let keys = ["name", "description", "customer", "now", "fixtures", "unavailable", "turns"]

    /// The keys of an expectation.
    public static let expectationKeys = ["intent", "asks_for", "confirms", "action", "says", "says_exactly", "handoff", "outcome", "no_action"]

    /// Reads a scenario file.
    public static func read(_ document: YAMLDocument) -> (ScenarioSyntax, [Diagnostic]) {
        var f = YAMLFields()
        var s = ScenarioSyntax(path: document.file.path)
        guard let root = document.rootMapping(&f, kind: "scenario test"),
              let m = f.mapping(root, in: "a scenario test", allowed: keys,
                                required: ["name", "turns"], at: document.file.range(0, 0))
        else { return (s, document.diagnostics + f.diagnostics) }
        s.name = f.text(m["name"], "the scenario")
        s.description = f.text(m["description"], "the scenario")?.value
        s.now = f.text(m["now"], "the scenario")
        if let c = m["customer"], let cf = f.mapping(c.value, in: "`customer`", allowed: ["id", "tier", "verified", "name", "email", "zip_code"],
                                                     required: ["id"], at: c.key.range) {
            for key in cf.keys.sorted() { if let v = f.text(cf[key], "`customer`") { s.customer.append((Located(key, cf[key]!.key.range), v)) } }
        }
        if let fx = m["fixtures"], case .mapping(let fm) = fx.value {
            for table in fm.entries {
                guard case .sequence(let rows) = table.value else {
                    f.wrongType(table.value, expected: "a list of records", in: "the fixtures `\(table.key.value)`")
                    continue
                }
                var records: [YAMLNode] = []
                for row in rows.items {
                    guard case .mapping = row else {
                        f.wrongType(row, expected: "a record (`{ id: …, … }`)", in: "a fixture of `\(table.key.value)`")
                        continue
                    }
                    records.append(row)
                }
                s.fixtures.append((Located(table.key.value, table.key.range), records))
            }
        } else if let fx = m["fixtures"] {
            f.wrongType(fx.value, expected: "a set of tables", in: "`fixtures`")
        }
        if let u = m["unavailable"] {
            if case .sequence(let seq) = u.value {
                for item in seq.items {
                    guard case .scalar(let name) = item else {
                        f.wrongType(item, expected: "an action's name", in: "`unavailable`")
                        continue
                    }
                    s.unavailable.append(Located(name.value, name.range))
                }
            } else {
                f.wrongType(u.value, expected: "a list of action names (`[lock_account]`)", in: "`unavailable`")
            }
        }
        if let t = m["turns"] {
            if case .sequence(let seq) = t.value {
                for item in seq.items {
                    guard let tf = f.mapping(item, in: "a turn", allowed: ["customer", "expect"], required: ["customer"], at: item.range),
                          let said = f.text(tf["customer"], "a turn") else { continue }
                    var turn = Turn(customer: said, expect: [])
                    if let e = tf["expect"], let ef = f.mapping(e.value, in: "`expect`", allowed: expectationKeys, at: e.key.range) {
                        turn.expect = ef.values.sorted { $0.key.range.start < $1.key.range.start }.map { (Located($0.key.value, $0.key.range), $0.value) }
                    }
                    s.turns.append(turn)
                }
            } else {
                f.wrongType(t.value, expected: "a list of turns", in: "`turns`")
            }
        }
        return (s, document.diagnostics + f.diagnostics)
    }
}

extension CatalogSyntax.Action {
    init(name: Located<String>) { self.name = name }
}
extension CatalogSyntax.Record {
    init(name: Located<String>) { self.name = name }
}
extension CatalogSyntax {
    init(path: String) { self.path = path }
}
extension ScenarioSyntax {
    init(path: String) { self.path = path }
}
