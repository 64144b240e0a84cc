import MandateIR

/// A procedure's names numbered once, with what each step reads and gives a value to by
/// number. Worked out in one walk of the steps and shared by every check, so no check hashes
/// a name again: definite assignment, confirmations, the path facts' keys and the decision
/// tables all read these numbers.
struct ProcedureNames {
    /// Names (and the field names of the facts' keys) by number.
    private(set) var names: [String] = []
    /// Each name's number; `NameTable` hashes a short name in a few multiplies, and agrees with `String`'s `==`.
    private var ids = NameTable<Int>(minimumCapacity: 32)

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
        let count = steps.count
        self.arena = arena
        loopVariable = arena.buffer(count: count, repeating: -1)
        ends = arena.buffer(count: 4 * count, repeating: 0)
        names.reserveCapacity(32)
        lookups.reserveCapacity(4)
        defined.reserveCapacity(count)
        read.reserveCapacity(2 * count)
        mentioned.reserveCapacity(2 * count)
        var bound: [Int] = []
        bound.reserveCapacity(4)
        for n in 0..<count {
            switch steps[n].op {
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
                    let i = args.startIndex, j = args.index(after: i)
                    let inOrder = args[i].key < args[j].key
                    walk(args[inOrder ? i : j].value, bound: &bound, mention: true, lookups: true)
                    walk(args[inOrder ? j : i].value, bound: &bound, mention: true, lookups: true)
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
