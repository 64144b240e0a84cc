import MandateIR

/// A procedure's names numbered once, with what each step reads and gives a value to by
/// number. Worked out in one walk of the steps and shared by every check, so no check hashes
/// a name again: definite assignment, confirmations, the path facts' keys and the decision
/// tables all read these numbers.
struct ProcedureNames {
    /// Names (and the field names of the facts' keys) by number.
    private(set) var names: [String] = []
    /// Each name's number; `NameTable` hashes a short name in a few multiplies, and agrees with `String`'s `==`.
    /// Set by the initialiser: a default value here would allocate a table that the arena's kept one then replaces.
    private var ids: NameTable<Int>

    /// What each step gives a value to on every edge out of it (`FlowChecks.defines`), by number.
    private(set) var defined: [Int] = []
    /// The names each step's values read, in reading order, without the variables an
    /// expression binds itself (a `count … whose`, an `any/every/no`): what must be known there.
    private(set) var read: [Int] = []
    /// The names each step's values come from (`FactAnalysis.roots`): for a step that gives a
    /// value, what its value is worked out from; for a `Confirm`, the names its question shows.
    private(set) var mentioned: [Int] = []
    /// Each decision-table lookup in what a step computes or says (not an `Ask`'s list of
    /// choices, nor a `For each` list), with its keys.
    private(set) var lookups: [(table: String, keys: [Expr])] = []
    /// The loop variable of each `For each` step; -1 for other steps.
    let loopVariable: UnsafeMutableBufferPointer<Int>
    /// Where each step's part of the arrays above ends: four a step (`defined`, `read`,
    /// `mentioned`, `lookups`), in one array.
    private let ends: UnsafeMutableBufferPointer<Int32>
    /// Where the two arrays above are: the arena of the procedure's check, kept alive with them.
    private let arena: CheckArena

    /// `arena`: where the per-step arrays go (the procedure's check's; without one, an arena of its own).
    init(_ steps: [StepNode], arena: CheckArena = CheckArena()) {
        var none: CompiledSteps?
        self.init(steps, arena: arena, compiling: nil, into: &none)
    }

    /// Numbers the names, and in the same walk compiles what each `Set` and branch step does to
    /// the facts (`FactProgram`) into `analysis`, whose keys it numbers from the names' numbers
    /// it already has: the values are walked once, and no name is looked up again by its
    /// spelling. `compiled` is set to the steps' `StepFacts` — or left nil when the walk met
    /// `the customer's …` (or `the conversation's …`) before a name `customer` (`conversation`)
    /// that a later step mentions: that key depends on every name of the procedure, so it is
    /// compiled again after the walk (`FactProgram`), in a fresh analysis.
    init(_ steps: [StepNode], arena: CheckArena = CheckArena(), compiling analysis: FactAnalysis?, into compiled: inout CompiledSteps?) {
        let count = steps.count
        self.arena = arena
        loopVariable = arena.buffer(count: count, repeating: -1)
        ends = arena.buffer(count: 4 * count, repeating: 0)
        var bound: [Int] = []
        // The arrays of the arena's last procedure, emptied, when it has them: their storage is
        // used again instead of allocated (and freed with the check) for every procedure.
        if var kept = arena.takeNames() {
            kept.empty()
            // Moved out, not copied: a copy left in `kept` would make the first insertion copy the table.
            ids = kept.ids.take() ?? NameTable<Int>(minimumCapacity: 32)
            swap(&names, &kept.names)
            swap(&defined, &kept.defined)
            swap(&read, &kept.read)
            swap(&mentioned, &kept.mentioned)
            swap(&lookups, &kept.lookups)
            swap(&bound, &kept.bound)
        } else {
            ids = NameTable<Int>(minimumCapacity: 32)
            names.reserveCapacity(32)
            lookups.reserveCapacity(4)
            bound.reserveCapacity(4)
        }
        defined.reserveCapacity(count)
        read.reserveCapacity(2 * count)
        mentioned.reserveCapacity(2 * count)
        // Unwrapped once: `analysis!` at each step copied it (retaining its three references).
        let compiling = analysis != nil
        let a = analysis ?? Self.notCompiling
        // The `StepFacts` of the `Set` and branch steps, when compiling.
        var facts: [StepFacts] = compiling ? arena.takeStepFacts() ?? [] : []
        facts.removeAll(keepingCapacity: true)
        let place = arena.buffer(count: compiling ? count : 0, repeating: Int32(-1))
        if compiling { facts.reserveCapacity(count) }
        // Bit 0 (1): a `the customer's …` key was numbered while no name `customer` was; bit 1: the same for `conversation`.
        var absent: UInt8 = 0
        for n in 0..<count {
            switch steps[n].op {
            case .set(let name, let v, _) where compiling:
                let i = id(name)
                defined.append(i)
                // In the order `FactProgram` compiles them: the value's number (of a text or yes/no
                // literal), the name's key, then the value.
                var discrete: Int?
                if case .literal(let lit) = v { discrete = FactLiteral(lit, a.keys).discrete }
                let key = a.keys.intern(name: i)
                let node = compile(v, bound: &bound, mention: true, a, &absent)
                place[n] = Int32(facts.count)
                facts.append(StepFacts(sets: (key, FactExpr(node: node), discrete)))
            case .branch(let c, _, _) where compiling:
                let node = compile(c, bound: &bound, mention: false, a, &absent)
                place[n] = Int32(facts.count)
                facts.append(StepFacts(condition: FactExpr(node: node)))
            case .ask(let slot, _, _, let from, _):
                define(slot)
                if let from { walk(from, bound: &bound, mention: true, lookups: false) }
            case .confirm(let q, _): walk(q, bound: &bound)
            case .say(let t): walk(t, bound: &bound, mention: false)
            case .set(let name, let v, _):
                define(name)
                walk(v, bound: &bound, mention: true, lookups: true)
            case .call(_, let args, let binds):
                for b in binds { define(b) }
                // The reading order (by the arguments' names) decides which unknown value is reported first.
                if args.count == 1 {
                    for (_, e) in args { walk(e, bound: &bound, mention: true, lookups: true) }
                } else if args.count == 2 {
                    // Each argument read once from the dictionary (each read copies its name and value).
                    let i = args.startIndex
                    let x = args[i], y = args[args.index(after: i)]
                    let inOrder = x.key < y.key
                    walk(inOrder ? x.value : y.value, bound: &bound, mention: true, lookups: true)
                    walk(inOrder ? y.value : x.value, bound: &bound, mention: true, lookups: true)
                } else {
                    for (_, e) in args.sorted(by: { $0.key < $1.key }) { walk(e, bound: &bound, mention: true, lookups: true) }
                }
            case .branch(let c, _, _): walk(c, bound: &bound, mention: false, lookups: true)
            case .forEach(let v, let l, _):
                let variable = id(v)
                loopVariable[n] = variable
                walk(l, bound: &bound, mention: true, lookups: false)
            case .append(let list, let v):
                define(list)
                walk(v, bound: &bound, mention: true, lookups: true)
            case .verify(let methods): for m in methods { for s in m.slots { define(s) } }
            case .escalate, .resolve, .follow: break
            }
            ends[4 * n] = Int32(defined.count)
            ends[4 * n + 1] = Int32(read.count)
            ends[4 * n + 2] = Int32(mentioned.count)
            ends[4 * n + 3] = Int32(lookups.count)
        }
        if compiling, !(absent & 1 != 0 && ids["customer"] != nil), !(absent & 2 != 0 && ids["conversation"] != nil) {
            compiled = CompiledSteps(facts: facts, place: place)
        }
        if compiling { arena.keep(stepFacts: facts) }
        // The arena keeps a reference to each array: once the check is over, it is the only one.
        arena.keep(Kept(names: names, ids: ids, defined: defined, read: read, mentioned: mentioned, lookups: lookups, bound: bound))
    }

    /// The arrays of a procedure's names, kept by its check's arena for the next procedure
    /// (`CheckArena.takeNames()`).
    struct Kept {
        var names: [String]
        var ids: NameTable<Int>?
        var defined: [Int], read: [Int], mentioned: [Int]
        var lookups: [(table: String, keys: [Expr])]
        var bound: [Int]

        /// Empties every array, keeping its storage (none is copied: the check that used them is over).
        mutating func empty() {
            names.removeAll(keepingCapacity: true)
            ids?.removeAll()
            defined.removeAll(keepingCapacity: true)
            read.removeAll(keepingCapacity: true)
            mentioned.removeAll(keepingCapacity: true)
            lookups.removeAll(keepingCapacity: true)
            bound.removeAll(keepingCapacity: true)
        }
    }

    /// The number of a name, numbering it if it is new.
    mutating func id(_ name: String) -> Int {
        if let known = ids[name] { return known }
        ids[name] = names.count
        names.append(name)
        return names.count - 1
    }

    /// The number of a name, when the procedure has it.
    func existingID(_ name: String) -> Int? { ids[name] }

    /// How many names are numbered.
    var count: Int { names.count }

    private mutating func define(_ name: String) { defined.append(id(name)) }

    private mutating func walk(_ t: MandateIR.Template, bound: inout [Int], mention: Bool = true) {
        for part in t.parts { if case .value(let e) = part { walk(e, bound: &bound, mention: mention, lookups: true) } }
    }

    /// One walk of a value: the names it reads (those not bound inside it), the names it
    /// comes from when `mention` (a `count … whose` condition is not one of them), and its
    /// decision-table lookups when `lookups`.
    private mutating func walk(_ e: Expr, bound: inout [Int], mention: Bool, lookups keep: Bool) {
        switch e {
        case .name(let n):
            let i = id(n)
            if !bound.contains(i) { read.append(i) }
            if mention { mentioned.append(i) }
        case .field(let b, _), .sum(let b, _, _): walk(b, bound: &bound, mention: mention, lookups: keep)
        case .count(let l, let v, let w):
            walk(l, bound: &bound, mention: mention, lookups: keep)
            if let w {
                bound.append(id(v))
                walk(w, bound: &bound, mention: false, lookups: keep)
                bound.removeLast()
            }
        case .lookup(let table, let keys):
            if keep { lookups.append((table, keys)) }
            for k in keys { walk(k, bound: &bound, mention: mention, lookups: keep) }
        case .arithmetic(_, let l, let r), .compare(_, let l, let r), .contains(let l, let r):
            walk(l, bound: &bound, mention: mention, lookups: keep)
            walk(r, bound: &bound, mention: mention, lookups: keep)
        case .oneOf(let v, let options):
            walk(v, bound: &bound, mention: mention, lookups: keep)
            for o in options { walk(o, bound: &bound, mention: mention, lookups: keep) }
        case .missing(let v), .not(let v), .olderThan(let v, _, _), .within(let v, _, _):
            walk(v, bound: &bound, mention: mention, lookups: keep)
        case .quantified(_, let v, let l, let p):
            walk(l, bound: &bound, mention: mention, lookups: keep)
            bound.append(id(v))
            walk(p, bound: &bound, mention: mention, lookups: keep)
            bound.removeLast()
        case .and(let xs), .or(let xs): for x in xs { walk(x, bound: &bound, mention: mention, lookups: keep) }
        case .literal, .customer, .conversation, .now, .today: break
        }
    }

    /// What the walk is given when it does not compile: never read nor changed, so it may be shared by the threads.
    nonisolated(unsafe) private static let notCompiling = FactAnalysis(domain: { _ in nil })

    /// Notes a name the walk meets: read, unless the value binds it itself; where the value
    /// comes from when `mention`. Its number.
    @inline(__always) private mutating func meet(_ n: String, bound: [Int], mention: Bool) -> Int {
        let i = id(n)
        if !bound.contains(i) { read.append(i) }
        if mention { mentioned.append(i) }
        return i
    }

    /// Walks a value as `walk` does (lookups kept) and compiles it as `FactAnalysis.compile`
    /// would, into `a`'s code: its node there.
    private mutating func compile(_ e: Expr, bound: inout [Int], mention: Bool, _ a: FactAnalysis, _ absent: inout UInt8) -> Int32 {
        switch e {
        case .name, .field, .customer, .conversation, .sum, .count(_, _, nil):
            // A value the facts may track: its key, or nothing learned from it.
            guard let (c, root) = key(e, bound: &bound, mention: mention, a, &absent) else { return a.code.add(.other) }
            return a.code.add(.key(a.keys.intern(code: c, e, root: root)))
        case .literal(let v):
            return a.code.add(.literal(FactLiteral(v, a.keys)))
        case .lookup(let table, let keys):
            lookups.append((table, keys))
            for k in keys { walk(k, bound: &bound, mention: mention, lookups: true) }
            return a.code.add(.lookup(a.table(table) ?? .top))
        case .arithmetic(let op, let l, let r):
            let x = compile(l, bound: &bound, mention: mention, a, &absent)
            let y = compile(r, bound: &bound, mention: mention, a, &absent)
            return a.code.add(.arithmetic(add: op == "add" ? true : op == "subtract" ? false : nil, x, y))
        case .compare(let op, let l, let r):
            let x = compile(l, bound: &bound, mention: mention, a, &absent)
            let y = compile(r, bound: &bound, mention: mention, a, &absent)
            return a.code.add(.compare(CompareOp(op), x, y))
        case .oneOf(let v, let options):
            let value = compile(v, bound: &bound, mention: mention, a, &absent)
            return a.code.add(.oneOf(value, options: parts(options, bound: &bound, mention: mention, a, &absent)))
        case .not(let c):
            return a.code.add(.not(compile(c, bound: &bound, mention: mention, a, &absent)))
        case .and(let xs):
            return a.code.add(.and(parts(xs, bound: &bound, mention: mention, a, &absent)))
        case .or(let xs):
            return a.code.add(.or(parts(xs, bound: &bound, mention: mention, a, &absent)))
        default:
            walk(e, bound: &bound, mention: mention, lookups: true)
            return a.code.add(.other)
        }
    }

    /// Compiles each of `xs`; their nodes are kept together in `a.code.parts`, in order (as `FactAnalysis.parts`).
    private mutating func parts(_ xs: [Expr], bound: inout [Int], mention: Bool, _ a: FactAnalysis, _ absent: inout UInt8) -> Range<Int32> {
        // The room is taken first: the parts' own parts go after it.
        let start = a.code.parts.count
        for _ in 0..<xs.count { a.code.parts.append(0) }
        var i = start
        for x in xs {
            let n = compile(x, bound: &bound, mention: mention, a, &absent)
            a.code.parts[i] = n
            i += 1
        }
        return Int32(start)..<Int32(start + xs.count)
    }

    /// Walks a value as `walk` does and, when the facts track it, works out its key's structure
    /// (`FactKeys.code`) and the name it depends on (-1: none), numbering the keys inside it
    /// and its fields as `FactKeys` does; nil, with nothing numbered but its names, when they do not.
    private mutating func key(_ e: Expr, bound: inout [Int], mention: Bool, _ a: FactAnalysis, _ absent: inout UInt8) -> (code: UInt64, root: Int)? {
        switch e {
        case .name(let n):
            let i = meet(n, bound: bound, mention: mention)
            return (FactKeys.code(0, i, 0), i)
        case .field(.name(let n), let f):
            let i = meet(n, bound: bound, mention: mention)
            return (FactKeys.code(1, i, a.keys.field(f)), i)
        case .field(let b, let f):
            guard let (c, root) = key(b, bound: &bound, mention: mention, a, &absent) else { return nil }
            let k = a.keys.intern(code: c, b, root: root)
            return (FactKeys.code(4, k, a.keys.field(f)), root)
        case .sum(let list, _, let field):
            guard let (c, root) = key(list, bound: &bound, mention: mention, a, &absent) else { return nil }
            let k = a.keys.intern(code: c, list, root: root)
            return (FactKeys.code(5, k, a.keys.field(field)), root)
        case .count(let list, _, nil):
            guard let (c, root) = key(list, bound: &bound, mention: mention, a, &absent) else { return nil }
            return (FactKeys.code(6, a.keys.intern(code: c, list, root: root), 0), root)
        case .customer(let f), .conversation(let f):
            // Spelled `customer.tier`: the same key as a field of a name `customer`, if one exists.
            let isCustomer = if case .customer = e { true } else { false }
            let j = a.keys.field(f)
            if let i = ids[isCustomer ? "customer" : "conversation"] { return (FactKeys.code(1, i, j), -1) }
            absent |= isCustomer ? 1 : 2
            return (FactKeys.code(isCustomer ? 2 : 3, 0, j), -1)
        default:
            walk(e, bound: &bound, mention: mention, lookups: true)
            return nil
        }
    }

    @inline(__always) private func range(_ kind: Int, _ n: Int) -> Range<Int> {
        (n == 0 ? 0 : Int(ends[4 * (n - 1) + kind]))..<Int(ends[4 * n + kind])
    }

    /// Where step `n`'s names are in `defined`.
    func definedRange(_ n: Int) -> Range<Int> { range(0, n) }
    /// Where step `n`'s names are in `read`.
    func readRange(_ n: Int) -> Range<Int> { range(1, n) }
    /// Where step `n`'s names are in `mentioned`.
    func mentionedRange(_ n: Int) -> Range<Int> { range(2, n) }
    /// Where step `n`'s lookups are in `lookups`.
    func lookupRange(_ n: Int) -> Range<Int> { range(3, n) }
}
