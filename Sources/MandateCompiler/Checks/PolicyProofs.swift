import Foundation
import MandateDiagnostics
import MandateIR

/// The proofs about money and consent: every refund stays within the goal's limits on every
/// path, and every action the goal wants confirmed is confirmed on every path.
enum PolicyProofs {
    static func run(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        refundLimits(p, &context)
        confirmations(p, &context)
    }

    // MARK: refund limits

    /// How a refund can break its limit.
    struct Breach {
        /// The amount's range on the path.
        var amount: Interval
        /// The limit broken, and the tier whose limit it is (nil: `max_per_refund` for everyone).
        var limit: Money
        var tier: String?
        /// True when the range has no upper end.
        var unbounded: Bool { amount.hi == nil }
    }

    /// The limit each tier a customer reaching this step can be on, and whether the amount can pass it.
    static func breach(_ amount: FactExpr, _ state: FactState, _ goal: Goal, _ context: CheckContext, _ analysis: FactAnalysis) -> Breach? {
        let g = goal.guardrails
        let range = analysis.evaluate(amount, in: state)
        // An amount at most every limit the goal sets breaks none, whatever the tier: most
        // refunds are bounded, and then the tiers need not be worked out.
        if let hi = range.hi {
            var lowest = g.maxPerRefund?.minor ?? .max
            for (_, m) in g.maxByTier where m.minor < lowest { lowest = m.minor }
            if hi <= lowest { return nil }
        }
        var tiers: [String?] = [nil]
        let declared = context.tiers
        if !declared.isEmpty {
            let keys = analysis.keys
            let fact = keys.id(of: .customer("tier")).flatMap { state.fact($0) }
            var possible = fact?.allowed.map { $0.members(in: keys.large).map { keys.values[$0] } } ?? declared
            if let excluded = fact?.excluded, !excluded.isEmpty {
                possible.removeAll { keys.existingValue($0).map { excluded.contains($0, in: keys.large) } ?? false }
            }
            possible.removeAll { g.alwaysEscalateTiers.contains($0) }
            possible.sort()
            tiers = []
            for tier in possible where tiers.last != tier { tiers.append(tier) }
        }
        var worst: Breach?
        for tier in tiers {
            // Both limits apply, as the runtime checks them: the lower one decides.
            let tierLimit = tier.flatMap { g.maxByTier[$0] }
            var lower = g.maxPerRefund
            if let t = tierLimit, lower == nil || t.minor < lower!.minor { lower = t }
            guard let limit = lower else { continue }
            let byTier = tierLimit != nil && tierLimit!.minor < (g.maxPerRefund?.minor ?? .max) ? tier : nil
            let over: Bool
            if let hi = range.hi { over = hi > limit.minor } else { over = true }
            guard over else { continue }
            let b = Breach(amount: range, limit: limit, tier: byTier)
            // A stated bound above the limit (an error) outranks no bound at all (a warning).
            if worst == nil || (worst!.unbounded && !b.unbounded) || (worst!.unbounded == b.unbounded && limit.minor < worst!.limit.minor) {
                worst = b
            }
        }
        return worst
    }

    /// A path on which the refund breaks its limit, followed with each path's own facts;
    /// nil when no path does (the merged facts were only imprecise).
    static func counterexample(_ p: ProcedureUnderCheck, to target: Int, amount: FactExpr, _ goal: Goal, _ context: CheckContext)
        -> (path: [Int], breach: Breach)?? {
        struct Visit: Hashable { let node: Int; let state: FactState }
        guard let entry = p.procedure.entry else { return nil }
        let analysis = p.facts.analysis
        let start = FactState(width: analysis.keys.count)
        var seen: Set<Visit> = [Visit(node: entry, state: start)]
        var queue: [(Visit, Int)] = [(Visit(node: entry, state: start), -1)]
        var head = 0
        let budget = 4_000
        while head < queue.count {
            let (visit, _) = queue[head]
            head += 1
            if visit.node == target {
                guard let b = breach(amount, visit.state, goal, context, analysis) else { continue }
                var path = [visit.node]
                var i = queue[head - 1].1
                while i >= 0 { path.append(queue[i].0.node); i = queue[i].1 }
                return .some((path.reversed(), b))
            }
            if queue.count > budget { return .some(nil) }
            var out = visit.state
            FlowFacts.transfer(p.facts.program, visit.node, &out, analysis)
            for (t, edge) in p.graph.successors[visit.node] {
                var s = out
                guard let t, FlowFacts.along(p.facts.program, visit.node, edge, &s, analysis) else { continue }
                let next = Visit(node: t, state: s)
                if seen.insert(next).inserted { queue.append((next, head - 1)) }
            }
        }
        return nil
    }

    static func refundLimits(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        // The goal is read in place (`served.goal`), never bound to a copy of its own.
        guard let served = p.served, served.goal.guardrails.maxPerRefund != nil || !served.goal.guardrails.maxByTier.isEmpty else { return }
        let steps = p.steps
        for n in steps.indices where p.reachable(n) {
            guard p.effect(n) == "refund", case .call(_, let args, _) = steps[n].op,
                  let input = p.moneyInput(n), let amount = args[input],
                  let state = p.facts.before(n)
            else { continue }
            let compiled = p.facts.analysis.compile(amount)
            guard let merged = breach(compiled, state, served.goal, context, p.facts.analysis) else { continue }
            let found: (path: [Int], breach: Breach)
            switch counterexample(p, to: n, amount: compiled, served.goal, context) {
            case .none: continue  // every single path is within the limit
            case .some(.none): found = (p.path(to: n) ?? [n], merged)  // too many paths to follow one by one
            case .some(.some(let f)): found = f
            }
            report(steps[n], amount: amount, found.path, found.breach, p, served.goal, &context)
        }
    }

    static func report(_ node: StepNode, amount: Expr, _ path: [Int], _ b: Breach, _ p: ProcedureUnderCheck, _ goal: Goal,
                       _ context: inout CheckContext) {
        let label = StepGraph.display(node.label)
        let limit = Words.money(b.limit)
        let whose = b.tier.map { "the \(limit) limit for the \($0) tier" } ?? "the \(limit) limit"
        let setting = b.tier.map { "`max_by_tier` gives the \($0) tier \(limit)" } ?? "`max_per_refund` is \(limit)"
        let amountWords = Words.of(amount)
        let queue = context.suggestedQueue(for: goal)
        let sentence = "If \(amountWords) is more than \(limit), escalate to \(queue) because \"refund above the \(limit) limit\"."
        var notes = ["\(setting) in `\(goal.file)`"]
        if let tier = b.tier, goal.guardrails.maxPerRefund != nil { notes.append("customers on the \(tier) tier can reach this step") }
        if b.unbounded {
            notes.append("the runtime enforces the limit anyway and would hand the customer off mid-conversation")
            context.report(
                .refundUnbounded,
                "`\(context.sentence(node))` at step \(label) can refund more than \(whose): on \(p.graph.describe(path)) no step checks that \(amountWords) is at most \(limit)",
                at: node, notes: notes,
                help: "add `\(sentence)` before step \(label)")
        } else {
            let hi = Words.money(Money(minor: b.amount.hi!, currency: b.limit.currency))
            let always = b.amount.lo.map { $0 > b.limit.minor } ?? false
            context.report(
                .refundOverLimit,
                always
                    ? "`\(context.sentence(node))` at step \(label) always refunds more than \(whose): on \(p.graph.describe(path)) \(amountWords) is at least \(Words.money(Money(minor: b.amount.lo!, currency: b.limit.currency)))"
                    : "`\(context.sentence(node))` at step \(label) can refund up to \(hi), above \(whose): on \(p.graph.describe(path)) nothing keeps \(amountWords) at or below \(limit)",
                at: node, notes: notes,
                help: "bound it at the limit before step \(label): `\(sentence)`")
        }
    }

    // MARK: confirmation

    /// `{order.total}`: a placeholder for a value, when it has one.
    static func placeholder(_ e: Expr) -> String? {
        switch e {
        case .name(let n): return "{\(n)}"
        case .field(.name(let n), let f): return "{\(n).\(f)}"
        default: return nil
        }
    }

    static func confirmations(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        guard let served = p.served, !served.goal.guardrails.confirmEffects.isEmpty else { return }
        let steps = p.steps
        // The calls whose effect needs the customer's yes; most procedures have none or one.
        let calls = steps.indices.filter { n in
            guard p.reachable(n), let effect = p.effect(n) else { return false }
            return served.goal.guardrails.confirmEffects.contains(effect)
        }
        guard !calls.isEmpty, let entry = p.procedure.entry else { return }
        let successors = p.graph.successors
        // A value is named by what it came from: `{order_number}` names the order looked up with it,
        // and `{amount_due}` the flights whose prices it was set from.
        // `p.names` is read in place: a copy would retain each of its arrays.
        // Each (name, what it was found with), in one array for every name.
        var pairs: [(name: Int32, source: Int32)] = []
        pairs.reserveCapacity(p.names.mentioned.count)
        for n in steps.indices {
            let from = p.names.mentionedRange(n)
            guard !from.isEmpty else { continue }
            let given: Range<Int>
            switch steps[n].op {
            case .call, .set, .ask, .append: given = p.names.definedRange(n)
            case .forEach: given = -1..<0
            default: continue
            }
            for d in given {
                let i = d < 0 ? p.names.loopVariable[n] : p.names.defined[d]
                for m in from { pairs.append((Int32(i), Int32(p.names.mentioned[m]))) }
            }
        }
        // A constant from here on: the passes below read it without checks for exclusive access.
        let foundWith = pairs
        let large = p.facts.analysis.keys.large
        // The names, with everything they were found with, and what that was found with, and so on.
        func closure(_ names: ValueSet) -> ValueSet {
            var all = names
            var grew = !foundWith.isEmpty
            while grew {
                grew = false
                for (name, source) in foundWith where all.contains(Int(name), in: large) && !all.contains(Int(source), in: large) {
                    all.insert(Int(source), in: large)
                    grew = true
                }
            }
            return all
        }
        // What each Confirm's question mentions, with what those values came from.
        var asked: [(step: Int, said: ValueSet)] = []
        for n in steps.indices {
            guard case .confirm = steps[n].op else { continue }
            asked.append((n, closure(ValueSet(p.names.mentioned[p.names.mentionedRange(n)], in: large))))
        }
        for call in calls {
            let node = steps[call]
            // The action's effect and money input are read in place, not with a copy of its signature.
            guard case .call(_, let args, _) = node.op, let effect = p.effect(call) else { continue }
            let direct = ValueSet(p.names.mentioned[p.names.mentionedRange(call)], in: large)
            let mentioned = closure(direct)
            let movesMoney = effect == "refund"
            // Which Confirm steps ask about these values, and which steps change them: each step's
            // answer is the same on every visit, so it is worked out once.
            let arena = p.arena
            let covering = arena.buffer(count: steps.count, repeating: false)
            for (n, said) in asked {
                // A question that names no value is judged by its words, which Mandate cannot read;
                // when money moves, the question must show the amount or the record.
                covering[n] = mentioned.isEmpty || (said.isEmpty && !movesMoney) || !said.intersection(mentioned, in: large).isEmpty
            }
            let redefining = arena.buffer(count: steps.count, repeating: false)
            for n in steps.indices {
                for d in p.names.definedRange(n) where direct.contains(p.names.defined[d], in: large) { redefining[n] = true }
            }
            // Must-analysis: on every path here, the customer said yes to a Confirm about these values,
            // and none of them changed since.
            // -1: no path yet, 0: not confirmed on some path, 1: confirmed on every path so far.
            let confirmed = arena.buffer(count: steps.count, repeating: Int8(-1))
            confirmed[entry] = 0
            // A stack of the steps to visit again; a step is on it at most once (`queued`).
            let work = arena.uninitialized(Int32.self, count: steps.count)
            var top = 1
            work[0] = Int32(entry)
            let queued = arena.buffer(count: steps.count, repeating: false)
            queued[entry] = true
            while top > 0 {
                top -= 1
                let n = Int(work[top])
                queued[n] = false
                let now = confirmed[n]
                guard now >= 0 else { continue }
                for (t, edge) in successors[n] {
                    guard let t, p.facts.canTake(n, edge) else { continue }
                    let out: Int8 = (covering[n] && edge == .next) ? 1 : (redefining[n] ? 0 : now)
                    let merged = confirmed[t] < 0 ? out : min(confirmed[t], out)
                    if merged == confirmed[t] { continue }
                    confirmed[t] = merged
                    if !queued[t] { queued[t] = true; work[top] = Int32(t); top += 1 }
                }
            }
            guard confirmed[node.id] == 0 else { continue }
            let path = p.path(to: node.id) { from, edge, _ in !(covering[from] && edge == .next) } ?? p.path(to: node.id) ?? [node.id]
            let label = StepGraph.display(node.label)
            let subject = args.sorted { $0.key < $1.key }.map(\.value)
            let what = subject.isEmpty ? "" : " mentioning " + Suggestions.list(subject.map { "`\(Words.of($0))`" }, joiner: "or")
            let ask: String
            if effect == "refund", let input = p.moneyInput(call),
               let amount = args[input], let ph = placeholder(amount) {
                ask = "Shall I refund \(ph)?"
            } else if let ph = subject.lazy.compactMap({ placeholder($0) }).first {
                ask = "Shall I go ahead with \(ph)?"
            } else {
                ask = "Shall I go ahead?"
            }
            context.report(
                .confirmationMissing,
                "`\(context.sentence(node))` at step \(label) runs without the customer's yes: on \(p.graph.describe(path)) no `Confirm`\(what) comes first",
                at: node,
                notes: ["the goal `\(served.goal.id)` lists `\(effect)` under `confirm_with_customer` in `\(served.goal.file)`"],
                help: "add before step \(label): `Confirm \"\(ask)\"` with `If the customer declines, say \"No problem, nothing has changed.\" and resolve as declined.`")
        }
    }
}
