import MandateDiagnostics
import MandateIR

/// Decision tables: every value a lookup can be given has its row and column, and no row
/// is written twice.
enum TableChecks {
    static func run(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        for t in p.procedure.tables {
            var seen = Set<String>()
            for key in t.rowKeys where !seen.insert(key).inserted {
                context.diagnostics.append(Diagnostic(
                    .tableRowRepeated, "the table `\(t.name)` has two rows for `\(key)`", at: context.range(t.source),
                    notes: ["a lookup would find the first one; the second is never used"],
                    help: "keep one row for `\(key)`, with the values that are meant"))
            }
        }
        let tables = p.procedure.tables
        guard !tables.isEmpty else { return }
        var reported = Set<String>()
        // Each table's rows and columns as a lookup finds them, worked out once.
        var presentByTable = [[Set<String>]?](repeating: nil, count: tables.count)
        let steps = p.steps
        for n in steps.indices where p.reachable(n) {
            // The closure takes the step's number, not the step: a captured step would be copied on every call.
            forEachLookup(in: steps[n].op) { table, keys in
                guard let index = tables.firstIndex(where: { $0.name == table }) else { return }
                let t = tables[index]
                let dimensions: [(keys: [String], what: String)] = t.columns.count == 1
                    ? [(t.rowKeys, "row")] : [(t.rowKeys, "row"), (t.columns, "column")]
                let presentSets = presentByTable[index] ?? dimensions.map { Set($0.keys.map(normalizedKey)) }
                presentByTable[index] = presentSets
                for ((key, dimension), present) in zip(zip(keys, dimensions), presentSets) {
                    guard var values = p.domain(key) else { continue }
                    if case .customer("tier") = key, let goal = p.goal { values.subtract(goal.guardrails.alwaysEscalateTiers) }
                    // Values the steps before it already handled cannot reach the lookup.
                    if let k = FactAnalysis.key(key).flatMap(p.facts.analysis.keys.id), let f = p.facts.before[n]?.fact(k) {
                        let keys = p.facts.analysis.keys
                        if let allowed = f.allowed { values.formIntersection(keys.names(allowed)) }
                        values.subtract(keys.names(f.excluded))
                    }
                    let missing = values.filter { !present.contains(normalizedKey($0)) }.sorted()
                    guard !missing.isEmpty, reported.insert("\(t.name)|\(dimension.what)|\(missing)").inserted else { continue }
                    let node = steps[n]
                    let label = StepGraph.display(node.label)
                    context.report(
                        .tableMissingCase,
                        "the table `\(t.name)` has no \(dimension.what) for " + Suggestions.list(missing.map { "`\($0)`" }, joiner: "or")
                            + ", but \(Words.of(key)) at step \(label) can be " + (missing.count == 1 ? "that" : "any of them"),
                        at: node,
                        notes: ["`\(context.sentence(node))` looks it up; with no \(dimension.what) the assistant has no value to use"],
                        help: "add a \(dimension.what) for " + Suggestions.list(missing.map { "`\($0)`" }) + " to `\(t.name)`, or check for "
                            + (missing.count == 1 ? "it" : "them") + " before step \(label)")
                }
            }
        }
    }

    /// A row or column key as a lookup finds it (`Procedure.Table.key`, as the runtime looks it up).
    static func normalizedKey(_ v: String) -> String { Procedure.Table.key(v) }

    /// Calls `body` with each decision-table lookup a step makes.
    static func forEachLookup(in op: Op, _ body: (String, [Expr]) -> Void) {
        switch op {
        case .set(_, let v, _), .append(_, let v), .branch(let v, _, _): visit(v, body)
        case .call(_, let args, _):
            if args.count == 1 { for (_, e) in args { visit(e, body) } }
            else { for (_, e) in args.sorted(by: { $0.key < $1.key }) { visit(e, body) } }
        case .say(let t), .confirm(let t, _): for part in t.parts { if case .value(let e) = part { visit(e, body) } }
        default: break
        }
    }

    /// Calls `body` with each decision-table lookup in an expression.
    private static func visit(_ e: Expr, _ body: (String, [Expr]) -> Void) {
        switch e {
        case .lookup(let t, let keys): body(t, keys); for k in keys { visit(k, body) }
        case .field(let b, _): visit(b, body)
        case .arithmetic(_, let l, let r), .compare(_, let l, let r), .contains(let l, let r): visit(l, body); visit(r, body)
        case .oneOf(let v, let o): visit(v, body); for x in o { visit(x, body) }
        case .not(let v), .missing(let v), .olderThan(let v, _, _), .within(let v, _, _): visit(v, body)
        case .and(let xs), .or(let xs): for x in xs { visit(x, body) }
        case .quantified(_, _, let l, let pr): visit(l, body); visit(pr, body)
        case .count(let l, _, let w): visit(l, body); if let w { visit(w, body) }
        case .sum(let l, _, _): visit(l, body)
        case .literal, .name, .customer, .conversation, .now, .today: break
        }
    }
}
