import MandateDiagnostics
import MandateIR
import MandateSyntax

/// Lowers one procedure file to a step graph: resolves names, matches action sentences
/// against the catalog, types expressions, and links steps.
struct ProcedureLowering {
    let file: ProcedureFile
    let source: SourceFile
    let symbols: Symbols
    var diagnostics: [Diagnostic] = []
    var nodes: [StepNode] = []
    /// Names in scope: slots, variables, bound records, loop variables.
    var scope = NameTable<ValueType>()
    var slots = NameTable<MandateIR.Procedure.Slot>()
    var tables: [String: MandateIR.Procedure.Table] = [:]
    /// The type a lookup in each table gives, worked out once when the table is declared.
    var tableLookupTypes: [String: ValueType] = [:]
    var goal: Goal?
    /// One sentence parser for the holes of action sentences (it knows the file's tables).
    var holeParser: SentenceParser
    /// The node that first asked for each slot, and the re-asks (`… again`) that return to it.
    var firstAsk = NameTable<Int>()
    var reAsks: [(node: Int, original: Int)] = []
    /// Action matches by sentence start: the declare pass and the lowering pass share them.
    var matchCache: [Int: [ActionMatch]] = [:]
    /// Suggestion leads by an unknown sentence's first word (`suggestionLeads`).
    var suggestionLeadCache: [String: (phrases: [Bool], forms: [Bool])] = [:]

    init(file: ProcedureFile, source: SourceFile, symbols: Symbols) {
        self.file = file
        self.source = source
        self.symbols = symbols
        self.holeParser = SentenceParser(file: source, tables: file.tables)
        self.holeParser.quiet = true
    }

    mutating func report(_ code: DiagnosticCode, _ message: String, _ range: SourceRange, notes: [String] = [], help: String? = nil) {
        diagnostics.append(Diagnostic(code, message, at: range, notes: notes, help: help))
    }

    func ref(_ range: SourceRange) -> SourceRef {
        let l = source.location(of: range.start)
        return SourceRef(file: source.path, line: l.line, column: l.column)
    }

    // MARK: headers

    mutating func lower() -> MandateIR.Procedure? {
        guard let name = file.name else { return nil }
        if let g = file.goal {
            if let found = symbols.goals[g.value] {
                goal = found
            } else if symbols.goalFilesIncomplete {
                // A goal file could not be read: its own error says why; naming errors here would only mislead.
            } else {
                report(.unknownGoal, "`\(g.value)` is not a goal of this project", g.range,
                       help: Suggestions.didYouMean(g.value, in: symbols.goals.keys) ?? "write the `goal:` id of one of the goal files")
            }
        }
        for intent in file.handles where symbols.intentGoal[intent.value] == nil && !symbols.goalFilesIncomplete {
            report(.unknownIntent, "`\(intent.value)` is not an intent declared in any goal", intent.range,
                   help: Suggestions.didYouMean(intent.value, in: symbols.intentGoal.keys) ?? "declare it under `intents:` in a goal file, with examples")
        }
        for t in file.tables { declareTable(t) }
        declareNames(file.steps)
        let (entry, exits) = lowerSteps(file.steps, labelPrefix: "")
        _ = exits  // paths that fall off the end are the flow checker's concern
        // A re-ask continues where the first answer to that question went: the checks run again.
        for (node, original) in reAsks { nodes[node].next = nodes[original].next }
        return MandateIR.Procedure(
            id: Symbols.procedureID(file.path), name: name.value, goal: file.goal?.value ?? "",
            handles: file.handles.map(\.value), requiresVerifiedCustomer: file.requiresVerifiedCustomer?.value ?? false,
            entry: entry, steps: nodes, slots: slots.entries.map(\.value).sorted { $0.name < $1.name },
            tables: tables.values.sorted { $0.name < $1.name })
    }

    mutating func declareTable(_ t: DecisionTable) {
        if tables[t.name.value] != nil {
            report(.duplicateDefinition, "two tables are named `\(t.name.value)`", t.name.range, help: "give each table its own name")
            return
        }
        let cells: [[Value]] = t.rows.map { row in row.cells.map { cell in tableValue(cell.value) } }
        checkCellTypes(t, cells)
        tableLookupTypes[t.name.value] = Self.lookupType(cells)
        tables[t.name.value] = .init(name: t.name.value, rowHeader: t.rowHeader.value, columns: t.columns.map(\.value),
                                     rowKeys: t.rows.map(\.key.value), cells: cells, source: ref(t.range))
    }

    /// A table's cells are all of one type — the type most of them have — and its amounts of
    /// money are all in one currency: a lookup gives one type whatever the row and column.
    mutating func checkCellTypes(_ t: DecisionTable, _ cells: [[Value]]) {
        // Counted by kind (`cellKind`), with the order in which each kind first appears.
        var counts = [Int](repeating: 0, count: Self.cellTypes.count)
        var order: [Int] = []
        for row in cells {
            for value in row {
                let kind = Self.cellKind(value)
                if counts[kind] == 0 { order.append(kind) }
                counts[kind] += 1
            }
        }
        // The most frequent type; on a tie, the one that comes first.
        guard var main = order.first else { return }
        for kind in order.dropFirst() where counts[kind] > counts[main] { main = kind }
        let mainType = Self.cellTypes[main]
        var currency: (code: String, cell: String)?
        for (row, values) in zip(t.rows, cells) {
            for (cell, value) in zip(row.cells, values) {
                let kind = Self.cellKind(value)
                if kind != main {
                    let type = Self.cellTypes[kind]
                    report(.typeMismatch, "the cell `\(cell.value)` of the table `\(t.name.value)` is \(describe(type)), not \(describe(mainType)) like the table's other cells",
                           cell.range, notes: ["a lookup in a table gives the same kind of value whatever the row and column"],
                           help: "write this cell as \(describe(mainType)) too\(mainType == .money ? ", like `$0`" : "")")
                } else if case .money(let m) = value {
                    if let first = currency, first.code != m.currency {
                        report(.currencyMismatch, "the cell `\(cell.value)` of the table `\(t.name.value)` is in \(m.currency), but `\(first.cell)` is in \(first.code)",
                               cell.range, help: "write every amount of the table in one currency")
                    } else if currency == nil {
                        currency = (m.currency, cell.value)
                    }
                }
            }
        }
    }

    /// The type a lookup gives: the cells' type when every cell has it; cells of mixed types
    /// are reported where the table is written (`checkCellTypes`), and their lookups are unknown.
    static func lookupType(_ cells: [[Value]]) -> ValueType {
        var kinds = 0
        for row in cells { for value in row { kinds |= 1 << cellKind(value) } }
        if kinds == 0 { return .number }
        return kinds & (kinds - 1) == 0 ? cellTypes[kinds.trailingZeroBitCount] : .unknown
    }

    /// The types a table cell's value may have (`tableValue` makes only these kinds), by kind.
    static let cellTypes: [ValueType] = [.money, .number, .percent, .duration, .text]

    /// The kind of a table cell's value: its type's index in `cellTypes`.
    static func cellKind(_ v: Value) -> Int {
        switch v {
        case .money: 0
        case .number: 1
        case .percent: 2
        case .duration: 3
        default: 4
        }
    }

    func tableValue(_ text: String) -> Value {
        if let p = LiteralParser.percent(text) { return .percent(p) }
        if Int(text) != nil || (Double(text) != nil && text.allSatisfy({ $0.isNumber || $0 == "." })) { return .number(text) }
        if case .success(let m) = LiteralParser.money(text) { return .money(Money(minor: m.minorUnits, currency: m.currency)) }
        let words = text.split(separator: " ")
        if words.count == 2, let n = Int(words[0]), let unit = LiteralParser.durationUnit(String(words[1])) {
            return .duration(amount: n, unit: unit.rawValue)
        }
        return .text(text)
    }

    static func slotName(_ np: NounPhrase) -> String { np.name }

    /// Whether a slot names several things: its head word (before `to`, `for`, `of`) is plural.
    /// `the items to return` → yes; `the refund method` → no; `the new address` → no.
    static func isPlural(_ np: NounPhrase) -> Bool {
        let words = np.words
        let head = words.prefix { !["to", "for", "of", "from", "in"].contains($0) }.last ?? words.last ?? ""
        return head.count > 2 && head.hasSuffix("s") && !head.hasSuffix("ss") && !head.hasSuffix("us") && !head.hasSuffix("is")
    }

    /// Declares slots and variables first, so a value may be named anywhere in the procedure.
    mutating func declareNames(_ steps: StepList) {
        // By index: the statements are read in place rather than copied out of their arrays.
        for k in steps.range { declareNames(file.body.steps[k].statements) }
    }

    mutating func declareNames(_ statements: StatementList) {
        for j in statements.range { declareNames(file.body.statements[j]) }
    }

    mutating func declareNames(_ s: Statement) {
        switch s.kind {
        case .ask(let ask):
            let name = Self.slotName(ask.slot)
            let (type, pattern) = symbols.slotTypes[name] ?? (ask.choices.isEmpty ? .text : .enumeration(ask.choices.map(\.value)), nil)
            if scope[name] == nil { scope[name] = type }
            slots[name] = .init(name: name, type: type, pattern: pattern)
        case .set(let target, _):
            let name = Self.slotName(target)
            if scope[name] == nil { scope[name] = .unknown }
        case .add(_, let list):
            let name = Self.slotName(list)
            if scope[name] == nil { scope[name] = .list(.unknown) }
        case .verify(let methods):
            for m in methods { for np in m { let n = Self.slotName(np); if scope[n] == nil { scope[n] = symbols.slotTypes[n]?.0 ?? .text } } }
        case .confirm(_, let declines): declareNames(declines)
        case .conditional(_, let then, let otherwise):
            for branch in [then] + (otherwise.map { [$0] } ?? []) {
                switch branch {
                case .clauses(let c): declareNames(c)
                case .steps(let st): declareNames(st)
                }
            }
        case .forEach(_, _, let body): declareNames(body)
        case .action(let sentence):
            // Outputs of the action this sentence will match.
            if let match = matchAction(sentence, reportErrors: false) {
                for output in symbols.actions[match.action]!.signature.outputs { scope[output.name] = output.type }
            }
        default: break
        }
    }

    // MARK: graph

    enum ExitSlot { case next, then, otherwise, decline }
    typealias Exit = (node: Int, slot: ExitSlot)

    mutating func add(_ label: String, _ range: SourceRange, _ op: consuming Op) -> Int {
        nodes.append(StepNode(id: nodes.count, label: label, source: ref(range), op: op, next: nil))
        return nodes.count - 1
    }

    mutating func patch(_ exits: [Exit], to target: Int) {
        for (node, slot) in exits {
            switch slot {
            case .next: nodes[node].next = target
            case .then:
                if case .branch(let c, _, let o) = nodes[node].op { nodes[node].op = .branch(condition: c, then: target, otherwise: o) }
            case .otherwise:
                if case .branch(let c, let t, _) = nodes[node].op { nodes[node].op = .branch(condition: c, then: t, otherwise: target) }
            case .decline:
                if case .confirm(let q, _) = nodes[node].op { nodes[node].op = .confirm(question: q, onDecline: target) }
            }
        }
    }

    mutating func sequence(_ parts: [(entry: Int?, exits: [Exit])], passthrough: [Exit] = []) -> (Int?, [Exit]) {
        var entry: Int?
        var pending: [Exit] = passthrough
        var started = false
        for (e, x) in parts {
            guard let e else { continue }
            if !started { entry = e; started = true } else { patch(pending, to: e) }
            pending = x
        }
        return (entry, started ? pending : passthrough)
    }

    mutating func lowerSteps(_ steps: StepList, labelPrefix: String) -> (Int?, [Exit]) {
        var parts: [(entry: Int?, exits: [Exit])] = []
        parts.reserveCapacity(steps.count)
        for k in steps.range {
            let step = file.body.steps[k]
            // A step with no label holds the clauses of its parent's line (`If …, <clause>:`).
            let label = step.label.value.isEmpty ? labelPrefix
                : labelPrefix.isEmpty ? step.label.value : "\(labelPrefix).\(step.label.value)"
            for j in step.statements.range { parts.append(lowerStatement(file.body.statements[j], label: label)) }
        }
        return sequence(parts)
    }

    mutating func lowerClauses(_ statements: StatementList, label: String) -> (Int?, [Exit]) {
        var parts: [(entry: Int?, exits: [Exit])] = []
        parts.reserveCapacity(statements.count)
        for j in statements.range { parts.append(lowerStatement(file.body.statements[j], label: label)) }
        return sequence(parts)
    }

    mutating func lowerBranch(_ branch: Branch, label: String) -> (Int?, [Exit]) {
        switch branch {
        case .clauses(let c): lowerClauses(c, label: label)
        case .steps(let s): lowerSteps(s, labelPrefix: label)
        }
    }

    mutating func lowerStatement(_ s: Statement, label: String) -> (entry: Int?, exits: [Exit]) {
        switch s.kind {
        case .invalid:
            return (nil, [])
        case .ask(let ask) where ask.again:
            let name = Self.slotName(ask.slot)
            guard let original = firstAsk[name], case .ask(_, let type, let choices, let from, _) = nodes[original].op else {
                report(.unknownValue, "`\(ask.slot.text)` is asked for again but was never asked for", ask.slot.range,
                       help: "ask for it first: `Ask for the \(ask.slot.text).`")
                return (nil, [])
            }
            // The same question, with the same limits, and then the same checks as the first time.
            let n = add(label, s.range, .ask(slot: name, type: type, choices: choices, from: from, again: true))
            reAsks.append((n, original))
            return (n, [])
        case .ask(let ask):
            let name = Self.slotName(ask.slot)
            var from: Expr?
            if let f = ask.from {
                let (e, t) = expression(f)
                from = e
                // A plural slot takes several values from the list; a singular one takes one of them.
                if case .list(let element) = t {
                    let type: ValueType = Self.isPlural(ask.slot) ? t : element
                    scope[name] = type
                    slots[name] = .init(name: name, type: type, pattern: nil)
                }
            }
            let n = add(label, s.range, .ask(slot: name, type: slots[name]?.type ?? .text, choices: ask.choices.map(\.value), from: from, again: ask.again))
            if firstAsk[name] == nil { firstAsk[name] = n }
            return (n, [(n, .next)])
        case .confirm(let question, let declines):
            let n = add(label, s.range, .confirm(question: template(question), onDecline: nil))
            let (d, dx) = lowerClauses(declines, label: label)
            if let d {
                patch([(n, .decline)], to: d)
                return (n, [(n, .next)] + dx)
            }
            return (n, [(n, .next), (n, .decline)])
        case .say(let t):
            let n = add(label, s.range, .say(template(t)))
            return (n, [(n, .next)])
        case .escalate(let queue, let reason):
            checkQueue(queue)
            return (add(label, s.range, .escalate(queue: queue.value, reason: reason.value)), [])
        case .resolve(let outcome):
            if let goal, !goal.resolvedWhen.contains(outcome.value) {
                report(.unknownOutcome, "`\(outcome.value)` is not an outcome of the goal `\(goal.id)`", outcome.range,
                       notes: ["the goal's `resolved_when` lists " + Suggestions.list(goal.resolvedWhen.map { "`\($0)`" })],
                       help: Suggestions.didYouMean(outcome.value, in: goal.resolvedWhen) ?? "add `\(outcome.value)` to `resolved_when` in `\(goal.file)`")
            }
            return (add(label, s.range, .resolve(outcome: outcome.value)), [])
        case .set(let target, let value):
            let name = Self.slotName(target)
            let (e, t) = expression(value)
            scope[name] = t
            slots[name] = .init(name: name, type: t, pattern: nil)
            let n = add(label, s.range, .set(name: name, value: e, type: t))
            return (n, [(n, .next)])
        case .follow(let procedure):
            guard let id = symbols.procedureIDs[procedure.value.lowercased()] else {
                report(.unknownProcedure, "no procedure is named `\(procedure.value)`", procedure.range,
                       help: Suggestions.didYouMean(procedure.value, in: symbols.procedureSyntax.compactMap { $0.name?.value })
                        ?? "write the name from a procedure's `Procedure:` line")
                return (add(label, s.range, .follow(procedure: procedure.value)), [])
            }
            return (add(label, s.range, .follow(procedure: id)), [])
        case .verify(let methods):
            var lowered: [VerificationMethod] = []
            for method in methods {
                let wanted = Set(method.map(Self.slotName))
                let match = symbols.actions.values.filter { info in
                    info.signature.effect == "identify"
                        && Set(info.signature.inputs.filter { $0.type != .identity }.map(\.name)) == wanted
                }.map(\.signature.name).sorted()
                if let action = match.first {
                    lowered.append(VerificationMethod(action: action, slots: method.map(Self.slotName)))
                    for slot in method.map(Self.slotName) where slots[slot] == nil {
                        slots[slot] = .init(name: slot, type: symbols.slotTypes[slot]?.0 ?? .text, pattern: symbols.slotTypes[slot]?.1)
                    }
                } else {
                    let r = method.first!.range.union(method.last!.range)
                    report(.unknownSentence, "no `identify` action in the catalog checks " + Suggestions.list(wanted.sorted().map { "`\($0)`" }), r,
                           help: "add an action with `effect: identify` whose inputs are " + Suggestions.list(wanted.sorted().map { "`\($0)`" }))
                }
            }
            let n = add(label, s.range, .verify(methods: lowered))
            return (n, [(n, .next)])
        case .forEach(let variable, let list, let body):
            let (listExpr, listType) = expression(list)
            var element: ValueType = .unknown
            if case .list(let e) = listType { element = e } else if listType != .unknown {
                report(.notAList, "`\(source.text(of: list.range))` is not a list", list.range,
                       help: "`For each` goes through a list, such as the items of an order")
            }
            let saved = scope[variable.value]
            scope[variable.value] = element
            let n = add(label, s.range, .forEach(variable: variable.value, list: listExpr, body: nil))
            let (b, bx) = lowerSteps(body, labelPrefix: label)
            if let b {
                nodes[n].op = .forEach(variable: variable.value, list: listExpr, body: b)
                patch(bx, to: n)
            }
            scope[variable.value] = saved
            return (n, [(n, .next)])
        case .add(let value, let list):
            let (e, t) = expression(value)
            let name = Self.slotName(list)
            scope[name] = .list(t)
            slots[name] = .init(name: name, type: .list(t), pattern: nil)
            let n = add(label, s.range, .append(list: name, value: e))
            return (n, [(n, .next)])
        case .conditional(let condition, let then, let otherwise):
            let c = self.condition(condition)
            let n = add(label, s.range, .branch(condition: c, then: nil, otherwise: nil))
            var exits: [Exit] = []
            let (t, tx) = lowerBranch(then, label: label)
            if let t { patch([(n, .then)], to: t); exits += tx } else { exits.append((n, .then)) }
            if let otherwise {
                // Sub-steps under `Otherwise:` may reuse the then-branch's letters: keep labels unique.
                let (o, ox) = lowerBranch(otherwise, label: label + ".otherwise")
                if let o { patch([(n, .otherwise)], to: o); exits += ox } else { exits.append((n, .otherwise)) }
            } else {
                exits.append((n, .otherwise))
            }
            return (n, exits)
        case .action(let sentence):
            guard let match = matchAction(sentence, reportErrors: true) else { return (nil, []) }
            let info = symbols.actions[match.action]!
            var arguments = [String: Expr](minimumCapacity: match.arguments.count)
            for (name, expr) in match.arguments {
                let (e, t) = expression(expr)
                checkArgument(t, info.inputTypes[name] ?? .unknown, name: name, action: match.action, range: expr.range)
                arguments[name] = e
            }
            for output in info.signature.outputs { scope[output.name] = output.type }
            let n = add(label, s.range, .call(action: match.action, arguments: arguments, binds: info.signature.outputs.map(\.name)))
            return (n, [(n, .next)])
        }
    }

    mutating func checkQueue(_ q: Located<String>) {
        guard !symbols.queues.contains(q.value), symbols.project?.queuesReadable ?? true else { return }
        report(.unknownQueue, "`\(q.value)` is not a queue of this project", q.range,
               notes: [symbols.queues.isEmpty ? "`mandate.yaml` declares no queues that could be read"
                        : "the queues are " + Suggestions.list(symbols.queues.map { "`\($0)`" })],
               help: Suggestions.didYouMean(q.value, in: symbols.queues) ?? "declare it under `queues:` in `mandate.yaml`")
    }

    mutating func checkArgument(_ given: ValueType, _ wanted: ValueType, name: String, action: String, range: SourceRange) {
        guard given != .unknown, wanted != .unknown, !compatible(given, wanted) else { return }
        report(.typeMismatch, "`\(source.text(of: range))` is \(describe(given)), but `\(name)` of `\(action)` takes \(describe(wanted))", range,
               help: "give `\(name)` \(describe(wanted))")
    }

    func compatible(_ a: ValueType, _ b: ValueType) -> Bool {
        switch (a, b) {
        case (.unknown, _), (_, .unknown): return true
        case (.text, .enumeration), (.enumeration, .text), (.enumeration, .enumeration): return true
        case (.text, .email), (.email, .text), (.number, .text), (.text, .identity), (.identity, .text): return true
        case (.date, .datetime), (.datetime, .date): return true
        case (.list(let x), .list(let y)): return compatible(x, y)
        default: return a == b
        }
    }

    func describe(_ t: ValueType) -> String {
        switch t {
        case .text: "text"
        case .number: "a number"
        case .money: "an amount of money"
        case .percent: "a percentage"
        case .date: "a date"
        case .datetime: "a date and time"
        case .duration: "a duration"
        case .boolean: "yes or no"
        case .email: "an email address"
        case .identity: "an identity"
        case .enumeration(let v): "one of " + Suggestions.list(v.map { "`\($0)`" }, joiner: "or")
        case .record(let r): "a record of type `\(r)`"
        case .list(let e): "a list of \(describe(e))"
        case .unknown: "a value"
        }
    }

    // MARK: templates

    mutating func template(_ t: MandateSyntax.Template) -> MandateIR.Template {
        var parts: [MandateIR.Template.Part] = []
        parts.reserveCapacity(2 * t.braces.count + 1)
        t.forEachPart { piece in
            switch piece {
            case .text(let s): parts.append(.text(s))
            case .placeholder(let braces):
                // `{order.total}`: each piece of the path is one segment, as a possessive splits them.
                let np = t.phrase(of: braces)
                if let (e, _) = resolve(np, at: np.range, placeholder: true) { parts.append(.value(e)) }
            }
        }
        return MandateIR.Template(text: t.text, parts: parts)
    }
}
