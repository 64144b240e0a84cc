import Foundation
import MandateDiagnostics
import MandateIR

/// One procedure under check: its graph, the types of its values, and the facts on each path.
/// A class: every check reads it, none copies it.
final class ProcedureUnderCheck {
    let graph: StepGraph
    let facts: FlowFacts
    /// The goal the procedure serves, read in place.
    let served: ServedGoal?
    /// The values an enumeration-typed value can have, as its type lists them.
    let enumeration: (Expr) -> [String]?

    /// Whether some path reaches each step.
    let reached: UnsafeMutableBufferPointer<Bool>
    /// The working memory of this check: its per-step arrays are cut from it, and it goes
    /// back to `pool` (when there is one) with the check.
    let arena: CheckArena
    private let pool: ArenaPool?
    /// The procedure's names by number, and what each step reads and gives a value to.
    let names: ProcedureNames
    /// The plan's actions, and the one each step calls (its place there; -1 for other steps
    /// and unknown actions), looked up once per procedure.
    private let actions: [ActionSignature], actionOf: UnsafeMutableBufferPointer<Int32>

    /// The name of the first money input of the action step `n` calls, without copying its
    /// signature; nil when it has none, for other steps and unknown actions.
    func moneyInput(_ n: Int) -> String? {
        actionOf[n] < 0 ? nil : actions[Int(actionOf[n])].inputs.first { $0.type == .money }?.name
    }

    /// The effect of the action step `n` calls, without copying its signature; nil for other
    /// steps and unknown actions.
    func effect(_ n: Int) -> String? { actionOf[n] < 0 ? nil : actions[Int(actionOf[n])].effect }

    var procedure: MandateIR.Procedure { graph.procedure }
    var steps: [StepNode] { graph.steps }

    /// `pool`: where the arena comes from and goes back to; without one, the check has an arena of its own.
    init(_ p: MandateIR.Procedure, context: CheckContext, pool: ArenaPool? = nil) {
        let arena = pool?.take() ?? CheckArena()
        self.arena = arena
        self.pool = pool
        graph = StepGraph(p, arena: arena)
        served = context.servedGoal(of: p)
        // The slots, and room for the outputs of the actions the steps call.
        // The arena's table from its last procedure, emptied, when it has one: its storage is used again.
        var types = arena.takeTypes() ?? NameTable<ValueType>(minimumCapacity: p.slots.count + 16)
        types.removeAll()
        for s in p.slots { types[s.name] = s.type }
        let steps = p.steps
        let actions = context.planActions
        let actionOf = arena.buffer(count: steps.count, repeating: Int32(-1))
        for n in steps.indices {
            if case .call(let action, _, _) = steps[n].op, let i = context.actionNumber(action) {
                actionOf[n] = Int32(i)
                for o in actions[i].outputs { types[o.name] = o.type }
            }
        }
        self.actions = actions
        self.actionOf = actionOf
        let records = context.records
        let tiers = context.tiers
        for n in steps.indices {
            if case .forEach(let v, let list, _) = steps[n].op, case .list(let element)? = Self.type(of: list, types, records, tiers) {
                types[v] = element
            }
        }
        // The closure keeps the finished table as a constant: a variable it captured would be
        // boxed, and every look-up above checked for exclusive access.
        let known = types
        arena.keep(types: known)
        let enumeration = { (e: Expr) -> [String]? in
            if case .enumeration(let values)? = Self.type(of: e, known, records, tiers) { return values }
            return nil
        }
        self.enumeration = enumeration
        // The range of each table whose cells are all amounts or numbers: whatever row and
        // column are looked up, the value is one of the cells. A procedure has a table or two,
        // so they are found by comparing names; of two tables with one name, the later counts.
        var tableRanges: [(name: String, range: Interval)] = []
        for t in p.tables {
            var lo = Int64.max, hi = Int64.min, count = 0, numeric = true
            for row in t.cells {
                for cell in row {
                    guard let (v, _) = FactAnalysis.number(cell) else { numeric = false; break }
                    lo = min(lo, v)
                    hi = max(hi, v)
                    count += 1
                }
                if !numeric { break }
            }
            guard numeric, count > 0 else { continue }
            tableRanges.append((t.name, Interval(lo: lo, hi: hi)))
        }
        let table: ((String) -> Interval?)? = tableRanges.isEmpty ? nil : { name in tableRanges.last { NameHash.same($0.name, name) }?.range }
        // One walk numbers the names and compiles what the steps do to the facts.
        // The keys and code of the arena's last procedure, emptied: none of their storage is allocated again.
        var analysis = arena.factAnalysis(domain: enumeration)
        if let table { analysis.table = table }
        var compiled: CompiledSteps?
        let names = ProcedureNames(steps, arena: arena, compiling: analysis, into: &compiled)
        self.names = names
        if compiled != nil {
            analysis.keys.finish(names: names)
        } else {
            // A key the walk numbered before the name it depends on: compiled again, in the same
            // keys and code emptied, given the names first (as `FactAnalysis(names:domain:)` would).
            analysis = arena.factAnalysis(domain: enumeration)
            analysis.keys.finish(names: names)
            if let table { analysis.table = table }
        }
        #if DEBUG
        if let compiled {
            // Compiling in the names' walk must give what compiling after it gives.
            var separate = FactAnalysis(names: names, domain: enumeration)
            if let table { separate.table = table }
            let program = FactProgram(graph, separate, names: names)
            let walked = FactProgram(graph, analysis, names: names, compiled: compiled)
            assert(program.same(as: walked, steps: steps.count), "the names' walk compiled \(p.id) differently")
            assert(separate.keys.count == analysis.keys.count && separate.keys.values == analysis.keys.values, "the names' walk numbered the keys of \(p.id) differently")
            assert(separate.code.nodes == analysis.code.nodes && separate.code.parts == analysis.code.parts, "the names' walk compiled \(p.id) differently")
        }
        #endif
        facts = FlowFacts(graph, analysis: analysis, names: names, compiled: compiled)
        reached = facts.reached
    }

    deinit {
        // Nothing cut from the arena outlives the check: the arrays above are plain data.
        // An arena of the check's own is reset too: the keys it keeps hold the names, which
        // hold the arena, and the reset lets go of them.
        if let pool { pool.give(arena) } else { arena.reset() }
    }

    func reachable(_ n: Int) -> Bool { reached[n] }

    /// The type of a value: a slot's, an action output's or a loop variable's (`types`), a
    /// record's field, or the customer's tier.
    private static func type(of e: Expr, _ types: NameTable<ValueType>, _ records: [String: RecordType], _ tiers: [String]) -> ValueType? {
        switch e {
        case .name(let n): return types[n]
        case .field(let b, let f):
            guard case .record(let r)? = type(of: b, types, records, tiers), let rec = records[r] else { return nil }
            return rec.fields.first { $0.name == f }?.type
        case .customer("tier"): return tiers.isEmpty ? nil : .enumeration(tiers)
        default: return nil
        }
    }

    /// The shortest path to a step over edges some path can take.
    func path(to n: Int, avoiding: (Int, StepGraph.Edge, Int) -> Bool = { _, _, _ in true }) -> [Int]? {
        graph.path(to: n) { from, edge, to in facts.canTake(from, edge) && avoiding(from, edge, to) }
    }

    /// The number after the top-level step of a label: `4.b` → 5.
    func nextTopLevel(after label: String) -> Int {
        (Int(label.split(separator: ".").first ?? "") ?? steps.count) + 1
    }
}

/// Flow: every path ends, every step can run, every value is known where it is used,
/// and `Follow` never goes round in a circle.
enum FlowChecks {
    static func run(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        fallsOffTheEnd(p, &context)
        unreachable(p, &context)
        definiteAssignment(p, &context)
    }

    // MARK: every path ends

    static func fallsOffTheEnd(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        var reported = Set<String>()
        for n in 0..<p.steps.count where p.reachable(n) {
            for (target, edge) in p.graph.successors[n] where target == nil && p.facts.canTake(n, edge) {
                let node = p.steps[n]
                let label = StepGraph.display(node.label)
                guard reported.insert(label).inserted else { continue }
                let path = (p.path(to: node.id) ?? [node.id])
                let used = p.steps.compactMap { if case .resolve(let o) = $0.op { o } else { nil } }
                let outcome = used.first ?? p.served?.goal.resolvedWhen.first ?? "<outcome>"
                let how = edge == .otherwise ? "when its condition does not hold, " : edge == .decline ? "when the customer declines, " : ""
                context.report(
                    .pathFallsOffEnd,
                    "\(p.graph.describe(path)) fall off the end of the procedure: after `\(context.sentence(node))` \(how)nothing resolves, escalates or follows another procedure",
                    at: node,
                    notes: ["the assistant would stop mid-conversation on this path, with the customer left waiting"],
                    help: "end every path: add `\(p.nextTopLevel(after: node.label)). Resolve as \(outcome).`, or an `Escalate to … because \"…\"` or `Follow \"…\"` step, after step \(label)")
            }
        }
    }

    // MARK: unreachable steps

    static func unreachable(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        var n = 0
        let steps = p.steps
        var predecessors: [[Int]]?
        while n < steps.count {
            guard !p.reachable(n) else { n += 1; continue }
            let first = n
            while n < steps.count, !p.reachable(n) { n += 1 }
            let node = steps[first]
            if predecessors == nil { predecessors = p.graph.predecessors() }
            let preds = predecessors![first]
            let label = StepGraph.display(node.label)
            if preds.isEmpty {
                // Nothing leads here: the steps before it end every path.
                guard first > 0 else { continue }
                let before = steps[first - 1]
                context.report(
                    .unreachableStep,
                    "step \(label) can never run: every path before it has already ended, the last at `\(context.sentence(before))`",
                    at: node,
                    notes: ["`Resolve as`, `Escalate to` and `Follow` end the procedure; steps after them on the same path never run"],
                    help: "remove step \(label), or move it before the step that ends the path")
            } else if let (from, edge) = preds.lazy.compactMap({ pred -> (Int, StepGraph.Edge)? in
                guard p.reachable(pred) else { return nil }
                for (t, e) in p.graph.successors[pred] where t == first && !p.facts.canTake(pred, e) { return (pred, e) }
                return nil
            }).first {
                let branch = steps[from]
                let fromLabel = StepGraph.display(branch.label)
                if edge == .then {
                    context.report(
                        .unreachableStep,
                        "step \(label) can never run: the condition of step \(fromLabel) can never hold on any path that reaches it",
                        at: node,
                        notes: ["`\(context.sentence(branch))`: the steps before it, or the condition itself, rule this out"],
                        help: "correct the condition of step \(fromLabel), or remove what it guards")
                } else {
                    context.report(
                        .unreachableStep,
                        "step \(label) can never run: the condition of step \(fromLabel) always holds on the paths that reach it",
                        at: node,
                        notes: ["`\(context.sentence(branch))`: the steps before it leave no other case"],
                        help: "correct the condition of step \(fromLabel), or remove the steps after it")
                }
            }
        }
    }

    // MARK: definite assignment

    /// The names a step gives a value to, on every edge out of it.
    static func defines(_ op: Op) -> [String] {
        var out: [String] = []
        defines(op) { out.append($0) }
        return out
    }

    /// Calls `body` with each name a step gives a value to, on every edge out of it.
    static func defines(_ op: Op, _ body: (String) -> Void) {
        switch op {
        case .ask(let slot, _, _, _, _): body(slot)
        case .set(let name, _, _): body(name)
        case .call(_, _, let binds): for b in binds { body(b) }
        case .append(let list, _): body(list)
        case .verify(let methods): for m in methods { for s in m.slots { body(s) } }
        default: break
        }
    }

    /// A set of up to 256 names by their index: the must-analysis runs without allocating.
    struct NameBits: Equatable {
        var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
        static let capacity = 256
        mutating func insert(_ i: Int) {
            let bit = UInt64(1) << UInt64(i & 63)
            switch i >> 6 { case 0: w0 |= bit; case 1: w1 |= bit; case 2: w2 |= bit; default: w3 |= bit }
        }
        func contains(_ i: Int) -> Bool {
            let bit = UInt64(1) << UInt64(i & 63)
            switch i >> 6 { case 0: return w0 & bit != 0; case 1: return w1 & bit != 0; case 2: return w2 & bit != 0; default: return w3 & bit != 0 }
        }
        func union(_ o: NameBits) -> NameBits { NameBits(w0: w0 | o.w0, w1: w1 | o.w1, w2: w2 | o.w2, w3: w3 | o.w3) }
        func intersection(_ o: NameBits) -> NameBits { NameBits(w0: w0 & o.w0, w1: w1 & o.w1, w2: w2 & o.w2, w3: w3 & o.w3) }
    }

    /// The names definite assignment follows, numbered densely from the procedure's numbering
    /// in the order it first meets them.
    struct DenseNumbers {
        /// Each name's dense number, by its number in `ProcedureNames`; -1 when not followed.
        let numbers: UnsafeMutableBufferPointer<Int32>
        private(set) var count = 0

        init(count: Int, in arena: CheckArena) { numbers = arena.buffer(count: count, repeating: -1) }

        /// The dense number of name `i`, numbering it if it is new.
        mutating func number(_ i: Int) -> Int {
            if numbers[i] < 0 { numbers[i] = Int32(count); count += 1 }
            return Int(numbers[i])
        }
    }

    static func definiteAssignment(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        let steps = p.steps
        guard let entry = p.procedure.entry, entry < steps.count else { return }
        // The names this check follows, renumbered densely from the procedure's numbering: the
        // ones steps give values to, loop variables, and the names steps read.
        let names = p.names
        let arena = p.arena
        var dense = DenseNumbers(count: names.count, in: arena)
        let defs = arena.buffer(count: steps.count, repeating: NameBits())
        var start = NameBits()
        for n in 0..<steps.count {
            for d in names.definedRange(n) { defs[n].insert(dense.number(names.defined[d])) }
            if names.loopVariable[n] >= 0 { _ = dense.number(names.loopVariable[n]) }
            // A list that `Add … to` builds starts empty: it is known from the first step.
            if case .append = steps[n].op { for d in names.definedRange(n) { start.insert(dense.number(names.defined[d])) } }
            for r in names.readRange(n) { _ = dense.number(names.read[r]) }
        }
        guard dense.count <= NameBits.capacity else { return }
        // Must-analysis: the names known on every path into each step (`reached` false: not yet reached).
        let known = arena.buffer(count: steps.count, repeating: NameBits())
        let reached = arena.buffer(count: steps.count, repeating: false)
        known[entry] = start
        reached[entry] = true
        let successors = p.graph.successors
        p.graph.settle(from: entry) { n, changed in
            let out = known[n].union(defs[n])
            for (target, edge) in successors[n] {
                guard let target, target < steps.count, p.facts.canTake(n, edge) else { continue }
                var s = out
                if edge == .body, names.loopVariable[n] >= 0 { s.insert(Int(dense.numbers[names.loopVariable[n]])) }
                if reached[target] {
                    let merged = known[target].intersection(s)
                    if merged == known[target] { continue }
                    known[target] = merged
                } else {
                    known[target] = s
                    reached[target] = true
                }
                changed(target)
            }
        }
        // Built at the first report: most procedures have none.
        var reported: [Bool] = []
        for n in steps.indices where reached[n] {
            let k = known[n]
            for r in names.readRange(n) {
                let id = names.read[r]
                guard !k.contains(Int(dense.numbers[id])) else { continue }
                if reported.isEmpty { reported = [Bool](repeating: false, count: names.count) }
                guard !reported[id] else { continue }
                reported[id] = true
                let name = names.names[id]
                let node = steps[n]
                let path = p.path(to: node.id) { _, _, to in
                    !defines(steps[to].op).contains(name) || to == node.id
                } ?? p.path(to: node.id) ?? [node.id]
                let words = Words.of(.name(name))
                let label = StepGraph.display(node.label)
                let giver = steps.first { defines($0.op).contains(name) }
                let how: String
                if let giver, case .call = giver.op {
                    how = "look it up on every path before step \(label): move `\(context.sentence(giver))` (step \(StepGraph.display(giver.label))) out of its condition, or step \(label) into it"
                } else {
                    how = "ask for it or set it on every path before step \(label), for example `Ask for \(words).`, or move step \(label) after the step that gives it a value"
                }
                context.report(
                    .valueMaybeUnknown,
                    "\(words) may not be known at step \(label): on \(p.graph.describe(path)) it is never asked for, set or looked up",
                    at: node,
                    notes: ["`\(context.sentence(node))` uses it; on this path the assistant would have nothing to put there"],
                    help: how)
            }
        }
    }

    // MARK: Follow cycles

    static func followCycles(_ procedures: [CheckedProcedure], _ context: inout CheckContext) {
        var byID: [String: CheckedProcedure] = [:]
        for p in procedures { byID[p.id] = p }
        var edges: [String: [(to: String, node: StepNode)]] = [:]
        for p in procedures {
            for (target, node) in p.follows where byID[target] != nil { edges[p.id, default: []].append((target, node)) }
        }
        var state: [String: Int] = [:]  // 1: on the stack, 2: done
        var stack: [String] = []
        func visit(_ id: String) {
            state[id] = 1
            stack.append(id)
            for (to, node) in edges[id] ?? [] {
                if state[to] == 1 {
                    let cycle = stack[stack.firstIndex(of: to)!...] + [to]
                    let names = cycle.map { "\"\(byID[$0]!.name)\"" }
                    context.report(
                        .followCycle,
                        "`\(context.sentence(node))` at step \(StepGraph.display(node.label)) leads back to \"\(byID[to]!.name)\": " + names.joined(separator: " → "),
                        at: node,
                        notes: ["a customer on this path would go round these procedures without end"],
                        help: "end one of these procedures with `Resolve as …` or `Escalate to … because \"…\"` instead of following back")
                } else if state[to] == nil {
                    visit(to)
                }
            }
            stack.removeLast()
            state[id] = 2
        }
        // Only a procedure that follows another can be on a cycle: the walk starts from those.
        for id in edges.keys.sorted() where state[id] == nil { visit(id) }
    }
}
