import Foundation

// How each value of the plan is written and read in the binary plan file. The reader is the
// writer's mirror, field by field; docs/PLAN-FORMAT.md lists the same order.

// MARK: - Writing

extension BinaryWriter {
    /// `PLAN`: the project, goals, actions, records and source digests (procedures go to `PTOC`/`PROC`).
    mutating func plan(_ plan: Plan) throws(PlanLoadError) {
        project(plan.project)
        try list(plan.goals) { w, g throws(PlanLoadError) in try w.goal(g) }
        try list(plan.actions) { w, a throws(PlanLoadError) in try w.action(a) }
        try list(plan.records) { w, r throws(PlanLoadError) in
            w.string(r.name)
            w.string(r.owner)
            try w.list(r.fields) { w, f throws(PlanLoadError) in try w.field(f) }
        }
        try list(plan.sources) { w, s throws(PlanLoadError) in
            w.string(s.path)
            w.string(s.sha256)
        }
    }

    mutating func project(_ p: Project) {
        string(p.name)
        string(p.currency)
        string(p.timeZone)
        strings(p.tiers)
        count(p.queues.count)
        for q in p.queues {
            string(q.name)
            string(q.description)
            bool(q.urgent)
        }
        strings(p.outOfScopeExamples)
    }

    mutating func goal(_ g: Goal) throws(PlanLoadError) {
        string(g.id)
        string(g.outcome)
        string(g.owner)
        string(g.file)
        count(g.intents.count)
        for i in g.intents {
            string(i.name)
            string(i.description)
            strings(i.examples)
        }
        strings(g.resolvedWhen)
        count(g.targets.count)
        for t in g.targets {
            string(t.metric)
            bool(t.atLeast)
            int(t.basisPoints)
        }
        try guardrails(g.guardrails)
        let e = g.escalation
        string(e.defaultQueue)
        bool(e.onAskForHuman)
        int(e.sameQuestionRepeated)
        bool(e.onFrustration)
        bool(e.onActionFailure)
        try sorted(g.sourceMap) { w, s throws(PlanLoadError) in w.source(s) }
    }

    mutating func guardrails(_ g: Guardrails) throws(PlanLoadError) {
        double(g.confidenceThreshold)
        string(g.onLowConfidence)
        strings(g.alwaysEscalateIntents)
        strings(g.alwaysEscalatePhrases)
        strings(g.alwaysEscalateTiers)
        try sorted(g.alwaysEscalateQueues) { w, q throws(PlanLoadError) in w.string(q) }
        strings(g.confirmEffects)
        money(g.maxPerRefund)
        money(g.maxPerCustomer)
        int(g.maxPerCustomerWindowDays)
        try sorted(g.maxByTier) { w, m throws(PlanLoadError) in w.money(m) }
        strings(g.allowedTopics)
        string(g.promptInjection)
        int(g.inputMaxCharacters)
        strings(g.neverSay)
        int(g.outputMaxCharacters)
    }

    mutating func money(_ m: Money) {
        int(Int(m.minor))
        string(m.currency)
    }

    mutating func money(_ m: Money?) {
        guard let m else { bool(false); return }
        bool(true)
        money(m)
    }

    mutating func source(_ s: SourceRef) {
        string(s.file)
        int(s.line)
        int(s.column)
    }

    mutating func action(_ a: ActionSignature) throws(PlanLoadError) {
        string(a.name)
        string(a.description)
        string(a.phrase)
        try list(a.inputs) { w, f throws(PlanLoadError) in try w.field(f) }
        try list(a.outputs) { w, f throws(PlanLoadError) in try w.field(f) }
        string(a.effect)
        string(a.runsOn)
        strings(a.idempotencyKey)
        if let l = a.limit {
            bool(true)
            int(l.count)
            string(l.per)
            int(l.windowDays)
        } else {
            bool(false)
        }
        source(a.source)
    }

    mutating func field(_ f: Field) throws(PlanLoadError) {
        string(f.name)
        try type(f.type)
        string(f.pattern)
    }

    mutating func type(_ t: ValueType, depth: Int = 0) throws(PlanLoadError) {
        guard depth < PlanBinary.maximumDepth else { throw PlanBinary.tooDeep }
        switch t {
        case .text: bytes.append(0)
        case .number: bytes.append(1)
        case .money: bytes.append(2)
        case .percent: bytes.append(3)
        case .date: bytes.append(4)
        case .datetime: bytes.append(5)
        case .duration: bytes.append(6)
        case .boolean: bytes.append(7)
        case .email: bytes.append(8)
        case .identity: bytes.append(9)
        case .enumeration(let values): bytes.append(10); strings(values)
        case .record(let name): bytes.append(11); string(name)
        case .list(let element): bytes.append(12); try type(element, depth: depth + 1)
        case .unknown: bytes.append(13)
        }
    }

    mutating func value(_ v: Value) {
        switch v {
        case .text(let s): bytes.append(0); string(s)
        case .number(let s): bytes.append(1); string(s)
        case .money(let m): bytes.append(2); money(m)
        case .percent(let p): bytes.append(3); int(p)
        case .date(let s): bytes.append(4); string(s)
        case .duration(let amount, let unit): bytes.append(5); int(amount); string(unit)
        case .boolean(let b): bytes.append(6); bool(b)
        }
    }

    /// A procedure's body in `PROC`; its id, name, goal and intents are in `PTOC`.
    mutating func procedureBody(_ p: Procedure) throws(PlanLoadError) {
        bool(p.requiresVerifiedCustomer)
        int(p.entry)
        try list(p.steps) { w, s throws(PlanLoadError) in
            w.int(s.id)
            w.string(s.label)
            w.source(s.source)
            try w.op(s.op)
            w.int(s.next)
        }
        try list(p.slots) { w, s throws(PlanLoadError) in
            w.string(s.name)
            try w.type(s.type)
            w.string(s.pattern)
        }
        try list(p.tables) { w, t throws(PlanLoadError) in
            w.string(t.name)
            w.string(t.rowHeader)
            w.strings(t.columns)
            w.strings(t.rowKeys)
            w.list(t.cells) { w, row in w.list(row) { w, v in w.value(v) } }
            w.source(t.source)
        }
    }

    /// `list` for elements that cannot fail.
    mutating func list<T>(_ items: [T], _ element: (inout BinaryWriter, T) -> Void) {
        count(items.count)
        for x in items { element(&self, x) }
    }

    mutating func op(_ op: Op) throws(PlanLoadError) {
        switch op {
        case .ask(let slot, let type, let choices, let from, let again):
            bytes.append(0); string(slot); try self.type(type); strings(choices); try optionalExpr(from); bool(again)
        case .confirm(let question, let onDecline):
            bytes.append(1); try template(question); int(onDecline)
        case .say(let t):
            bytes.append(2); try template(t)
        case .escalate(let queue, let reason):
            bytes.append(3); string(queue); string(reason)
        case .resolve(let outcome):
            bytes.append(4); string(outcome)
        case .set(let name, let value, let type):
            bytes.append(5); string(name); try expr(value); try self.type(type)
        case .follow(let procedure):
            bytes.append(6); string(procedure)
        case .verify(let methods):
            bytes.append(7)
            list(methods) { w, m in w.string(m.action); w.strings(m.slots) }
        case .call(let action, let arguments, let binds):
            bytes.append(8); string(action)
            try sorted(arguments) { w, e throws(PlanLoadError) in try w.expr(e) }
            strings(binds)
        case .branch(let condition, let then, let otherwise):
            bytes.append(9); try expr(condition); int(then); int(otherwise)
        case .forEach(let variable, let list, let body):
            bytes.append(10); string(variable); try expr(list); int(body)
        case .append(let list, let value):
            bytes.append(11); string(list); try expr(value)
        }
    }

    mutating func template(_ t: Template) throws(PlanLoadError) {
        string(t.text)
        try list(t.parts) { w, part throws(PlanLoadError) in
            switch part {
            case .text(let s): w.bytes.append(0); w.string(s)
            case .value(let e): w.bytes.append(1); try w.expr(e)
            }
        }
    }

    mutating func optionalExpr(_ e: Expr?) throws(PlanLoadError) {
        guard let e else { bool(false); return }
        bool(true)
        try expr(e)
    }

    mutating func expr(_ e: Expr, depth: Int = 0) throws(PlanLoadError) {
        guard depth < PlanBinary.maximumDepth else { throw PlanBinary.tooDeep }
        let d = depth + 1
        switch e {
        case .literal(let v): bytes.append(0); value(v)
        case .name(let s): bytes.append(1); string(s)
        case .field(let base, let name): bytes.append(2); try expr(base, depth: d); string(name)
        case .customer(let s): bytes.append(3); string(s)
        case .conversation(let s): bytes.append(4); string(s)
        case .now: bytes.append(5)
        case .today: bytes.append(6)
        case .count(let list, let variable, let whose):
            bytes.append(7); try expr(list, depth: d); string(variable)
            if let whose { bool(true); try expr(whose, depth: d) } else { bool(false) }
        case .sum(let list, let variable, let field):
            bytes.append(8); try expr(list, depth: d); string(variable); string(field)
        case .lookup(let table, let keys):
            bytes.append(9); string(table); try exprs(keys, depth: d)
        case .arithmetic(let op, let lhs, let rhs):
            bytes.append(10); string(op); try expr(lhs, depth: d); try expr(rhs, depth: d)
        case .compare(let op, let lhs, let rhs):
            bytes.append(11); string(op); try expr(lhs, depth: d); try expr(rhs, depth: d)
        case .oneOf(let value, let options):
            bytes.append(12); try expr(value, depth: d); try exprs(options, depth: d)
        case .missing(let value): bytes.append(13); try expr(value, depth: d)
        case .contains(let a, let b): bytes.append(14); try expr(a, depth: d); try expr(b, depth: d)
        case .olderThan(let value, let amount, let unit):
            bytes.append(15); try expr(value, depth: d); int(amount); string(unit)
        case .within(let value, let amount, let unit):
            bytes.append(16); try expr(value, depth: d); int(amount); string(unit)
        case .quantified(let kind, let variable, let list, let predicate):
            bytes.append(17); string(kind); string(variable); try expr(list, depth: d); try expr(predicate, depth: d)
        case .and(let all): bytes.append(18); try exprs(all, depth: d)
        case .or(let any): bytes.append(19); try exprs(any, depth: d)
        case .not(let value): bytes.append(20); try expr(value, depth: d)
        }
    }

    mutating func exprs(_ list: [Expr], depth: Int) throws(PlanLoadError) {
        count(list.count)
        for e in list { try expr(e, depth: depth) }
    }

    /// `CLSF`: the trained intent classifier, its weights as packed arrays.
    mutating func classifier(_ m: ClassifierModel) {
        string(m.method)
        strings(m.labels)
        int(m.features.word)
        int(m.features.pair)
        int(m.features.letters)
        ints(m.biasMilli)
        ints(m.unseenMilli)
        int(m.temperatureMilli)
        ints(m.examples)
        raw(m.featureText)
        words(m.featureEnds)
        words(m.weightEnds)
        words(m.weightLabels)
        words(m.weightMilli)
    }
}

extension PlanBinary {
    static let tooDeep = PlanLoadError.malformed("an expression or a type is nested more than \(maximumDepth) levels deep")
}

// MARK: - Reading

extension BinaryReader {
    /// Everything in `PLAN`; the caller adds the procedures.
    mutating func plan(classifier: ClassifierModel?) throws(PlanLoadError) -> Plan {
        let project = try self.project()
        let goals = try list { r throws(PlanLoadError) in try r.goal() }
        let actions = try list { r throws(PlanLoadError) in try r.action() }
        let records = try list { r throws(PlanLoadError) in
            RecordType(name: try r.string(), owner: try r.optionalString(), fields: try r.list { r throws(PlanLoadError) in try r.field() })
        }
        let sources = try list { r throws(PlanLoadError) in SourceDigest(path: try r.string(), sha256: try r.string()) }
        try finish()
        return Plan(project: project, goals: goals, actions: actions, records: records, procedures: [],
                    sources: sources, classifier: classifier)
    }

    mutating func project() throws(PlanLoadError) -> Project {
        Project(
            name: try string(), currency: try string(), timeZone: try optionalString(), tiers: try strings(),
            queues: try list { r throws(PlanLoadError) in
                Project.Queue(name: try r.string(), description: try r.optionalString(), urgent: try r.bool())
            },
            outOfScopeExamples: try strings())
    }

    mutating func goal() throws(PlanLoadError) -> Goal {
        let id = try string()
        let outcome = try optionalString()
        let owner = try optionalString()
        let file = try string()
        let intents = try list { r throws(PlanLoadError) in
            Goal.Intent(name: try r.string(), description: try r.optionalString(), examples: try r.strings())
        }
        let resolvedWhen = try strings()
        let targets = try list { r throws(PlanLoadError) in
            Goal.Target(metric: try r.string(), atLeast: try r.bool(), basisPoints: try r.int())
        }
        let guardrails = try self.guardrails()
        let escalation = EscalationPolicy(defaultQueue: try optionalString(), onAskForHuman: try bool(), sameQuestionRepeated: try optionalInt(),
                                          onFrustration: try bool(), onActionFailure: try bool())
        let sourceMap = try dictionary { r throws(PlanLoadError) in try r.source() }
        return Goal(id: id, outcome: outcome, owner: owner, file: file, intents: intents, resolvedWhen: resolvedWhen, targets: targets,
                    guardrails: guardrails, escalation: escalation, sourceMap: sourceMap)
    }

    mutating func guardrails() throws(PlanLoadError) -> Guardrails {
        Guardrails(
            confidenceThreshold: try optionalDouble(), onLowConfidence: try optionalString(), alwaysEscalateIntents: try strings(),
            alwaysEscalatePhrases: try strings(), alwaysEscalateTiers: try strings(),
            alwaysEscalateQueues: try dictionary { r throws(PlanLoadError) in try r.string() },
            confirmEffects: try strings(), maxPerRefund: try optionalMoney(), maxPerCustomer: try optionalMoney(),
            maxPerCustomerWindowDays: try optionalInt(), maxByTier: try dictionary { r throws(PlanLoadError) in try r.money() },
            allowedTopics: try strings(), promptInjection: try optionalString(), inputMaxCharacters: try optionalInt(),
            neverSay: try strings(), outputMaxCharacters: try optionalInt())
    }

    mutating func money() throws(PlanLoadError) -> Money {
        Money(minor: Int64(try int()), currency: try string())
    }

    mutating func optionalMoney() throws(PlanLoadError) -> Money? {
        try bool() ? try money() : nil
    }

    mutating func source() throws(PlanLoadError) -> SourceRef {
        SourceRef(file: try string(), line: try int(), column: try int())
    }

    mutating func action() throws(PlanLoadError) -> ActionSignature {
        let name = try string()
        let description = try optionalString()
        let phrase = try string()
        let inputs = try list { r throws(PlanLoadError) in try r.field() }
        let outputs = try list { r throws(PlanLoadError) in try r.field() }
        let effect = try string()
        let runsOn = try string()
        let key = try strings()
        let limit = try bool() ? ActionSignature.Limit(count: try int(), per: try string(), windowDays: try optionalInt()) : nil
        return ActionSignature(name: name, description: description, phrase: phrase, inputs: inputs, outputs: outputs, effect: effect,
                               runsOn: runsOn, idempotencyKey: key, limit: limit, source: try source())
    }

    mutating func field() throws(PlanLoadError) -> Field {
        Field(name: try string(), type: try type(), pattern: try optionalString())
    }

    mutating func type() throws(PlanLoadError) -> ValueType {
        let tag = try byte()
        switch tag {
        case 0: return .text
        case 1: return .number
        case 2: return .money
        case 3: return .percent
        case 4: return .date
        case 5: return .datetime
        case 6: return .duration
        case 7: return .boolean
        case 8: return .email
        case 9: return .identity
        case 10: return .enumeration(try strings())
        case 11: return .record(try string())
        case 12: return .list(try nested { r throws(PlanLoadError) in try r.type() })
        case 13: return .unknown
        default: throw failure("type tag \(tag)")
        }
    }

    mutating func value() throws(PlanLoadError) -> Value {
        let tag = try byte()
        switch tag {
        case 0: return .text(try string())
        case 1: return .number(try string())
        case 2: return .money(try money())
        case 3: return .percent(try int())
        case 4: return .date(try string())
        case 5: return .duration(amount: try int(), unit: try string())
        case 6: return .boolean(try bool())
        default: throw failure("value tag \(tag)")
        }
    }

    /// A procedure's body, with the fields `PTOC` holds.
    mutating func procedureBody(id: String, name: String, goal: String, handles: [String]) throws(PlanLoadError) -> Procedure {
        let requiresVerified = try bool()
        let entry = try optionalInt()
        let steps = try list { r throws(PlanLoadError) in
            StepNode(id: try r.int(), label: try r.string(), source: try r.source(), op: try r.op(), next: try r.optionalInt())
        }
        let slots = try list { r throws(PlanLoadError) in
            Procedure.Slot(name: try r.string(), type: try r.type(), pattern: try r.optionalString())
        }
        let tables = try list { r throws(PlanLoadError) in
            Procedure.Table(name: try r.string(), rowHeader: try r.string(), columns: try r.strings(), rowKeys: try r.strings(),
                            cells: try r.list { r throws(PlanLoadError) in try r.list { r throws(PlanLoadError) in try r.value() } },
                            source: try r.source())
        }
        try finish()
        return Procedure(id: id, name: name, goal: goal, handles: handles, requiresVerifiedCustomer: requiresVerified, entry: entry,
                         steps: steps, slots: slots, tables: tables)
    }

    mutating func op() throws(PlanLoadError) -> Op {
        let tag = try byte()
        switch tag {
        case 0:
            return .ask(slot: try string(), type: try type(), choices: try strings(), from: try optionalExpr(), again: try bool())
        case 1: return .confirm(question: try template(), onDecline: try optionalInt())
        case 2: return .say(try template())
        case 3: return .escalate(queue: try string(), reason: try string())
        case 4: return .resolve(outcome: try string())
        case 5: return .set(name: try string(), value: try expr(), type: try type())
        case 6: return .follow(procedure: try string())
        case 7:
            return .verify(methods: try list { r throws(PlanLoadError) in
                VerificationMethod(action: try r.string(), slots: try r.strings())
            })
        case 8:
            return .call(action: try string(), arguments: try dictionary { r throws(PlanLoadError) in try r.expr() }, binds: try strings())
        case 9: return .branch(condition: try expr(), then: try optionalInt(), otherwise: try optionalInt())
        case 10: return .forEach(variable: try string(), list: try expr(), body: try optionalInt())
        case 11: return .append(list: try string(), value: try expr())
        default: throw failure("step tag \(tag)")
        }
    }

    mutating func template() throws(PlanLoadError) -> Template {
        Template(text: try string(), parts: try list { r throws(PlanLoadError) in
            let tag = try r.byte()
            switch tag {
            case 0: return .text(try r.string())
            case 1: return .value(try r.expr())
            default: throw r.failure("template part tag \(tag)")
            }
        })
    }

    mutating func optionalExpr() throws(PlanLoadError) -> Expr? {
        try bool() ? try expr() : nil
    }

    mutating func exprs() throws(PlanLoadError) -> [Expr] {
        try list { r throws(PlanLoadError) in try r.expr() }
    }

    mutating func expr() throws(PlanLoadError) -> Expr {
        try nested { r throws(PlanLoadError) in try r.exprHere() }
    }

    private mutating func exprHere() throws(PlanLoadError) -> Expr {
        let tag = try byte()
        switch tag {
        case 0: return .literal(try value())
        case 1: return .name(try string())
        case 2: return .field(try expr(), try string())
        case 3: return .customer(try string())
        case 4: return .conversation(try string())
        case 5: return .now
        case 6: return .today
        case 7: return .count(list: try expr(), variable: try string(), whose: try optionalExpr())
        case 8: return .sum(list: try expr(), variable: try string(), field: try string())
        case 9: return .lookup(table: try string(), keys: try exprs())
        case 10: return .arithmetic(op: try string(), lhs: try expr(), rhs: try expr())
        case 11: return .compare(op: try string(), lhs: try expr(), rhs: try expr())
        case 12: return .oneOf(try expr(), options: try exprs())
        case 13: return .missing(try expr())
        case 14: return .contains(try expr(), try expr())
        case 15: return .olderThan(try expr(), amount: try int(), unit: try string())
        case 16: return .within(try expr(), amount: try int(), unit: try string())
        case 17: return .quantified(kind: try string(), variable: try string(), list: try expr(), predicate: try expr())
        case 18: return .and(try exprs())
        case 19: return .or(try exprs())
        case 20: return .not(try expr())
        default: throw failure("expression tag \(tag)")
        }
    }

    /// `CLSF`, checked so that scoring can never read outside its arrays.
    mutating func classifier() throws(PlanLoadError) -> ClassifierModel {
        let method = try string()
        guard method == ClassifierModel.currentMethod else {
            throw .malformed("the classifier was trained with `\(method)`; this Mandate reads `\(ClassifierModel.currentMethod)`")
        }
        let labels = try strings()
        let features = ClassifierFeatures.Weights(word: try int(), pair: try int(), letters: try int())
        let bias = try ints()
        let unseen = try ints()
        let temperature = try int()
        let examples = try ints()
        let text = try rawBytes()
        let featureEnds = try words()
        let weightEnds = try words()
        let weightLabels = try words()
        let weightMilli = try words()
        try finish()
        do {
            return try ClassifierModel(method: method, labels: labels, features: features, biasMilli: bias, unseenMilli: unseen,
                                       temperatureMilli: temperature, examples: examples, featureText: text, featureEnds: featureEnds,
                                       weightEnds: weightEnds, weightLabels: weightLabels, weightMilli: weightMilli)
        } catch {
            throw .malformed("the classifier: \(error.description)")
        }
    }
}
