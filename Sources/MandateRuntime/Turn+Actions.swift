import Foundation
import MandateIR

/// What the ledger holds against an action's limits (`Turn.ledgerUsage`); nil where nothing counts.
struct LedgerUsage {
    /// The customer's refunds in `refundDays`, in minor units of `refundCurrency`.
    var refunded: Int64?
    var refundDays: Int64 = 30
    var refundCurrency = ""
    /// The action's runs for the entry's scope in its limit's window.
    var runs: Int?
}

/// A limit an action would break.
struct LimitBreach {
    var rule: String
    /// The clause for coverage: `refunds.max_per_refund`, `refunds.max_by_tier:vip`, `limit:issue_refund`.
    var clause: String
    var detail: String
    var source: String?

    init(rule: String, detail: String, source: String?, clause: String? = nil) {
        self.rule = rule
        self.detail = detail
        self.source = source
        self.clause = clause ?? "refunds.\(rule)"
    }
}

extension Turn {
    /// What the trace records of an action that returned nothing: its result alone, made once.
    static let doneOnly: [String: RuntimeValue] = ["__result": .text("done")]
    static let alreadyDoneOnly: [String: RuntimeValue] = ["__result": .text("already done")]

    /// Calls an action with every guardrail in front of it: identity, ownership, confirmation,
    /// refund and frequency limits against the ledger, the idempotency key. False when it handed off.
    ///
    /// `planned` is the step's call as its procedure worked it out (`ProcedureRuntime.calls`): its
    /// action and arguments by input number, read without looking a name up.
    mutating func call(_ name: String, arguments: [String: Expr], binds: [String], at: String?, label: String?, verifying: Bool = false,
                       planned: ProcedureRuntime.Call? = nil) -> Bool {
        guard let action = planned?.action ?? runtime.catalog[name] else {
            escalate(queue: nil, reason: "the action `\(name)` is not in the catalog", source: at)
            return false
        }
        // The signature is read through `action` where it is needed: a local copy of it retained
        // and released each of its texts and lists.
        let ev = evaluator
        let effectful = action.effectful
        // The arguments by input number, as the request carries them: no name is hashed to make
        // them, and the limits, the scope and the key read them by number too.
        var values: [RuntimeValue?] = []
        values.reserveCapacity(action.signature.inputs.count)
        for (i, input) in action.signature.inputs.enumerated() {
            if input.type == .identity {
                // Identity comes from the verified session, never from the conversation.
                guard let id = state.verifiedCustomerID else {
                    note(.guardrail, "`\(name)` needs a verified customer, and this one is not verified", source: at)
                    escalate(queue: nil, reason: "an action needed a verified customer", source: at, label: label)
                    return false
                }
                values.append(.text(id))
                continue
            }
            guard let e = planned.map({ $0.arguments[i] }) ?? arguments[input.name], let v = ev.eval(e) else {
                escalate(queue: nil, reason: "`\(name)` needs the \(words(input.name)), which is missing", source: at, label: label)
                return false
            }
            if case .record(let recordType) = input.type, let ownerField = action.inputOwners[i],
               case .text(let owner)? = v[field: ownerField], owner != state.verifiedCustomerID {
                note(.guardrail, "`\(name)` was refused: the \(recordType.lowercased()) belongs to another customer", source: at)
                escalate(queue: "security", reason: "an action was asked on a record that belongs to another customer", source: at, label: label)
                return false
            }
            values.append(v)
        }
        // Two inputs of one name (which the catalog should not allow) both hold the last one's value,
        // as a dictionary of the arguments by name held it.
        values = action.byName(values)
        // The arguments as the conversation's record of actions, its effects and the trace show them.
        var rendered = [String: String](minimumCapacity: values.count)
        var facts = TraceFacts(items: [])
        facts.items.reserveCapacity(values.count)
        for (i, input) in action.signature.inputs.enumerated() {
            guard let v = values[i] else { continue }
            let text = Turn.format(v)
            rendered[input.name] = text
            facts.add(input.name, text)
        }
        if action.sameNamed != nil { facts = TraceFacts(rendered) }
        var key: String?
        var entry: LedgerEntry?
        if effectful {
            if goal?.guardrails.confirmEffects.contains(action.signature.effect) == true, state.confirmed == nil {
                note(.guardrail, "`\(name)` moves money or changes something, and the customer has not confirmed it", source: goalSource(.confirmWithCustomer),
                     ["clause": clauseID("confirm_with_customer:\(action.signature.effect)")])
                escalate(queue: nil, reason: "an action needed the customer's confirmation first", source: at, label: label, clause: "confirm_with_customer:\(action.signature.effect)")
                return false
            }
            // `path=value` for each path, joined with `&`, each part written once into its place.
            var keyParts = ""
            for (j, (path, parts, input)) in action.keyPaths.enumerated() {
                var v: RuntimeValue? = input.flatMap { values[$0] }
                for p in parts.dropFirst() { v = v?[field: p] }
                let part = FastText.concat(path, "=", v.map(Turn.format) ?? "")
                keyParts = j == 0 ? part : FastText.concat(keyParts, "&", part)
            }
            let k = FastText.concat(state.id, "#", FastText.decimal(state.turn), "#", FastText.concat(name, "#", keyParts))
            key = k
            if env.ledger.entry(idempotencyKey: k) != nil {
                note(.action, "`\(name)` already ran for this turn (idempotency key), so it is not run again", source: at, ["key": k])
                if action.signature.effect == "refund" { state.confirmed = nil }
                return true
            }
            let amount = action.signature.effect == "refund" ? refundAmount(action, values) : nil
            let scope = scopeKey(action, values)
            let customer = state.verifiedCustomerID ?? state.customer.id
            let e = LedgerEntry(conversation: state.id, customerID: customer, action: name, scope: scope, idempotencyKey: k, amount: amount, at: env.now)
            let usage = ledgerUsage(action, entry: e)
            if let breach = checkLimits(action, entry: e, usage: usage) {
                note(.limit, "`\(name)` was stopped: \(breach.detail)", source: breach.source, ["rule": breach.rule, "clause": clauseID(breach.clause)])
                escalate(queue: nil, reason: breach.detail, source: at, label: label, clause: breach.clause)
                return false
            }
            note(.limit, action.withinLimitsDetail, source: at, limitFigures(action, entry: e, usage: usage))
            entry = e
        }
        let request = ActionRequest(action, arguments: ActionArguments(inputs: action.signature.inputs, values: values),
                                    customerID: state.verifiedCustomerID, idempotencyKey: key)
        let outcome = env.actions.perform(request)
        switch outcome {
        case .done(let outputs), .alreadyDone(let outputs):
            for (i, output) in action.signature.outputs.enumerated() {
                guard let v = outputs[output.name] else { continue }
                if !verifying, case .record(let recordType) = output.type, let ownerField = action.outputOwners[i],
                   case .text(let owner)? = v[field: ownerField], owner != state.verifiedCustomerID {
                    note(.guardrail, "`\(name)` returned a \(recordType.lowercased()) of another customer; it was not used", source: at)
                    escalate(queue: "security", reason: "an action returned a record that belongs to another customer", source: at, label: label)
                    return false
                }
                if binds.contains(output.name) { state.slots[output.name] = v }
            }
            if let entry { env.ledger.append(entry) }
            let result: String
            if case .alreadyDone = outcome { result = "already done" } else { result = "done" }
            state.actions.append(ActionRecord(action: name, arguments: rendered, result: result, turn: state.turn))
            let recorded: [String: RuntimeValue]
            if outputs.isEmpty {
                // Made once: most actions with effects return nothing.
                recorded = result == "done" ? Turn.doneOnly : Turn.alreadyDoneOnly
            } else {
                // Made with room for the result: a copy of `outputs` grown by one would be copied, then rehashed.
                var r = [String: RuntimeValue](minimumCapacity: outputs.count + 1)
                for (k, v) in outputs { r[k] = v }
                r["__result"] = .text(result)
                recorded = r
            }
            note(.action, result == "done" ? action.doneDetail : action.alreadyDoneDetail, source: at, facts, outputs: recorded)
            if effectful {
                effects.append(.action(name: name, arguments: rendered))
                // Each movement of money needs its own yes; one yes covers the changes that follow it.
                if action.signature.effect == "refund" { state.confirmed = nil }
            }
            return true
        case .refused(let why), .failed(let why), .notFound(let why):
            let result: String
            switch outcome {
            case .refused: result = "refused"
            case .notFound: result = "not found"
            default: result = "failed"
            }
            let refused = result != "failed"
            state.actions.append(ActionRecord(action: name, arguments: rendered, result: result, turn: state.turn))
            note(.action, "`\(name)` \(result == "refused" ? "was refused" : result == "not found" ? "found nothing" : "failed"): \(why)", source: at, facts,
                 outputs: ["__result": .text(result), "__why": .text(why)])
            // Details that match no account (or someone else's) may be tried another way; a connector
            // that failed says nothing about the customer, and is handed off with its cause below.
            if verifying, result != "failed" {
                verificationFailed = true
                return false
            }
            if result == "not found", action.signature.effect == "read" {
                return nothingFound(action.signature, arguments: arguments, at: at, label: label, why: why)
            }
            if refused, action.signature.effect == "read" {
                send("I couldn't find that on your account.", source: at)
            }
            escalate(queue: nil, reason: "`\(name)` \(refused ? "was refused" : "failed"): \(why)", source: at, label: label, clause: "escalation.action_fails")
            return false
        }
    }

    /// A lookup that found nothing: the procedure decides when it checks for the missing record; else
    /// the customer is told and asked again for the value that was looked up (once); else a hand-off.
    mutating func nothingFound(_ signature: ActionSignature, arguments: [String: Expr], at: String?, label: String?, why: String) -> Bool {
        guard let proc = proc?.procedure else { return false }
        let outputs = signature.outputs.map(\.name)
        if outputs.contains(where: { Self.checksMissing($0, in: proc) }) {
            for o in outputs { state.slots[o] = nil }
            note(.value, "the procedure handles a missing \(outputs.map(FastText.words).joined(separator: " or "))", source: at)
            return true
        }
        let asked = signature.inputs.compactMap { input -> (String, Int)? in
            guard case .name(let slot)? = arguments[input.name],
                  let node = proc.steps.first(where: { if case .ask(slot, _, _, _, false) = $0.op { true } else { false } }) else { return nil }
            return (slot, node.id)
        }
        guard let (slot, node) = asked.first, state.misses < 1 else {
            escalate(queue: nil, reason: "`\(signature.name)` found nothing: \(why)", source: at, label: label, clause: "escalation.action_fails")
            return false
        }
        state.misses += 1
        state.slots[slot] = nil
        state.request = nil
        send("I couldn't find that on your account.", source: at)
        jump = node
        return false
    }

    /// Whether a condition of the procedure asks if `name` (or one of its fields) is missing.
    static func checksMissing(_ name: String, in proc: Procedure) -> Bool {
        func refers(_ e: Expr) -> Bool {
            switch e {
            case .name(let n): n == name
            case .field(let b, _): refers(b)
            default: false
            }
        }
        func walk(_ e: Expr) -> Bool {
            switch e {
            case .missing(let x): refers(x)
            case .and(let xs), .or(let xs): xs.contains(where: walk)
            case .not(let x): walk(x)
            default: false
            }
        }
        return proc.steps.contains { if case .branch(let c, _, _) = $0.op { walk(c) } else { false } }
    }

    /// The limit the action a `Confirm` leads to would break, checked before the customer is asked.
    func lookahead(from start: Int?, in p: ProcedureRuntime) -> (String, LimitBreach)? {
        // The steps alone: a copy of the whole procedure retained its every text and list.
        let steps = p.procedure.steps
        var ev = evaluator
        var current = start
        var n = 0
        while let id = current, id >= 0, id < steps.count, n < 50 {
            n += 1
            // The step's operation and next step read in place: a copy of the step retained its every text.
            switch steps[id].op {
            case .say: current = steps[id].next
            case .set(let name, let value, _):
                ev.values[name] = ev.eval(value)
                current = steps[id].next
            case .call(let action, let arguments, _):
                // The call as the procedure worked it out, else (an action not in the catalog) as written.
                let planned = p.calls[id]
                guard let catalogued = planned?.action ?? runtime.catalog[action], catalogued.effectful else { return nil }
                // The inputs by number, as `call` reads them (a list made by `reserveCapacity`: one made
                // by `Array(repeating:count:)` looked its storage type up at every call).
                var inputs: [RuntimeValue?] = []
                inputs.reserveCapacity(catalogued.signature.inputs.count)
                for (i, input) in catalogued.signature.inputs.enumerated() {
                    if input.type == .identity { inputs.append(state.verifiedCustomerID.map { .text($0) }); continue }
                    // Evaluated here, not through `flatMap(ev.eval)`, whose closure took a copy of the evaluator.
                    if let e = planned.map({ $0.arguments[i] }) ?? arguments[input.name] { inputs.append(ev.eval(e)) } else { inputs.append(nil) }
                }
                inputs = catalogued.byName(inputs)
                let customer = state.verifiedCustomerID ?? state.customer.id
                let entry = LedgerEntry(conversation: state.id, customerID: customer, action: action, scope: scopeKey(catalogued, inputs),
                                        idempotencyKey: "", amount: catalogued.signature.effect == "refund" ? refundAmount(catalogued, inputs) : nil, at: env.now)
                return checkLimits(catalogued, entry: entry, usage: ledgerUsage(catalogued, entry: entry)).map { (action, $0) }
            default: return nil
            }
        }
        return nil
    }

    /// The money an action with `effect: refund` moves: its money input (`inputs` by input number).
    func refundAmount(_ action: CatalogAction, _ inputs: [RuntimeValue?]) -> Money? {
        for (i, input) in action.signature.inputs.enumerated() where input.type == .money {
            if case .money(let m)? = inputs[i] { return m }
        }
        return nil
    }

    /// What a frequency limit counts per: `order:1042`, `customer:C-1001`. The inputs it may count
    /// per (`once per order`: the `Order` inputs) were found when the catalog was loaded.
    func scopeKey(_ action: CatalogAction, _ inputs: [RuntimeValue?]) -> String {
        guard let per = action.signature.limit?.per, per != "customer", per != "conversation" else {
            return action.signature.limit?.per == "conversation" ? FastText.concat("conversation:", state.id)
                : FastText.concat("customer:", state.verifiedCustomerID ?? state.customer.id)
        }
        for i in action.scopeInputs {
            if case .text(let id)? = inputs[i]?[field: "id"] { return FastText.concat(per, ":", id) }
        }
        return FastText.concat("customer:", state.verifiedCustomerID ?? state.customer.id)
    }

    /// The amounts a limit check compared, for the trace.
    func limitFigures(_ action: CatalogAction, entry: LedgerEntry, usage: LedgerUsage) -> TraceFacts {
        let g = goal
        var figures: TraceFacts = [:]
        // Room for every figure: the list is not regrown as they are added.
        figures.items.reserveCapacity(6)
        if let amount = entry.amount {
            figures.add("amount", format(.money(amount)))
            // The goal's limits, written once at load (`GoalRules`).
            if let max = g?.maxPerRefundText { figures.add("max_per_refund", max) }
            if let max = g?.maxByTierFigures[state.customer.tier] { figures.add(max.key, max.amount) }
            if let max = g?.maxPerCustomerText, let used = usage.refunded {
                // The goal's key, written once, for its own window (the one `ledgerUsage` reads).
                let key = g.map { $0.refundWindowDays == usage.refundDays ? $0.refundedKey : GoalRules.refundedKey(days: usage.refundDays) }
                    ?? GoalRules.refundedKey(days: usage.refundDays)
                figures.add(key,
                            format(.money(Money(minor: used, currency: amount.currency))))
                figures.add("max_per_customer", max)
            }
        }
        if let limit = action.signature.limit, let count = usage.runs {
            figures.add(FastText.concat("runs_for_", entry.scope), FastText.concat(FastText.decimal(count), " of ", FastText.decimal(limit.count)))
        }
        return figures
    }

    /// What the ledger holds against an action's limits, read once for the check and its trace
    /// figures: the customer's refunds in the goal's window, in the entry's currency (when the entry
    /// moves money and the goal caps a customer's refunds), and the runs of the action for the
    /// entry's scope in the limit's window (when it has a limit).
    func ledgerUsage(_ action: CatalogAction, entry: LedgerEntry) -> LedgerUsage {
        let g = goal
        var usage = LedgerUsage()
        var refundSince: Int64?
        if let amount = entry.amount, g?.guardrails.maxPerCustomer != nil {
            usage.refundDays = Int64(g?.guardrails.maxPerCustomerWindowDays ?? 30)
            refundSince = env.now - usage.refundDays * 86_400
            usage.refundCurrency = amount.currency
        }
        let limitSince = action.signature.limit.map { limit in limit.windowDays.map { env.now - Int64($0) * 86_400 } ?? Int64.min }
        guard refundSince != nil || limitSince != nil else { return usage }
        // One read from the earlier of the two moments; each figure keeps the entries of its own window.
        let entries = env.ledger.entries(customerID: entry.customerID, since: min(refundSince ?? .max, limitSince ?? .max))
        if let since = refundSince {
            var used: Int64 = 0
            for e in entries where e.at >= since {
                if let m = e.amount, m.currency == usage.refundCurrency { used += m.minor }
            }
            usage.refunded = used
        }
        if let since = limitSince {
            var count = 0
            for e in entries where e.at >= since && e.action == action.signature.name && e.scope == entry.scope { count += 1 }
            usage.runs = count
        }
        return usage
    }

    /// Checks the goal's refund limits and the action's frequency limit against the ledger.
    func checkLimits(_ action: CatalogAction, entry: LedgerEntry, usage: LedgerUsage) -> LimitBreach? {
        let g = goal
        if action.signature.effect == "refund" {
            guard let amount = entry.amount else {
                return LimitBreach(rule: "refund amount", detail: "a refund had no amount", source: nil)
            }
            if amount.minor <= 0 {
                return LimitBreach(rule: "refund amount", detail: "a refund of \(format(.money(amount))) is not a positive amount", source: nil)
            }
            if let max = g?.guardrails.maxPerRefund {
                if max.currency != amount.currency {
                    return LimitBreach(rule: "max_per_refund", detail: "a refund in \(amount.currency) cannot be checked against a limit in \(max.currency)",
                                       source: goalSource(.maxPerRefund))
                }
                if amount.minor > max.minor {
                    return LimitBreach(rule: "max_per_refund", detail: "a refund of \(format(.money(amount))) is above the limit of \(format(.money(max))) per refund",
                                       source: goalSource(.maxPerRefund))
                }
            }
            if let max = g?.guardrails.maxByTier[state.customer.tier], max.currency == amount.currency, amount.minor > max.minor {
                return LimitBreach(rule: "max_by_tier", detail: "a refund of \(format(.money(amount))) is above the \(state.customer.tier) tier's limit of \(format(.money(max)))",
                                   source: goalSource(.maxByTier), clause: "refunds.max_by_tier:\(state.customer.tier)")
            }
            if let max = g?.guardrails.maxPerCustomer, let used = usage.refunded {
                let days = usage.refundDays
                if used + amount.minor > max.minor {
                    return LimitBreach(rule: "max_per_customer",
                                       detail: "a refund of \(format(.money(amount))) would bring this customer's refunds in \(days) days to \(format(.money(Money(minor: used + amount.minor, currency: amount.currency)))), above the limit of \(format(.money(max)))",
                                       source: goalSource(.maxPerCustomer))
                }
            }
        }
        if let limit = action.signature.limit, let count = usage.runs {
            if count >= limit.count {
                let window = limit.windowDays.map { $0 == 1 ? " per day" : " per \($0) days" } ?? ""
                return LimitBreach(rule: "limit", detail: "`\(action.signature.name)` may run \(limit.count == 1 ? "once" : "at most \(limit.count) times") per \(limit.per)\(window), and it already has",
                                   source: action.signature.source.description, clause: "limit:\(action.signature.name)")
            }
        }
        return nil
    }
}
