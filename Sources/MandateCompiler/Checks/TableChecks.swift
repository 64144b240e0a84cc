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
            for (table, keys) in p.names.lookups[p.names.lookupRange(n)] {
                guard let index = tables.firstIndex(where: { $0.name == table }) else { continue }
                let t = tables[index]
                let dimensions: [(keys: [String], what: String)] = t.columns.count == 1
                    ? [(t.rowKeys, "row")] : [(t.rowKeys, "row"), (t.columns, "column")]
                let presentSets = presentByTable[index] ?? dimensions.map { Set($0.keys.map(normalizedKey)) }
                presentByTable[index] = presentSets
                for ((key, dimension), present) in zip(zip(keys, dimensions), presentSets) {
                    guard let listed = p.enumeration(key) else { continue }
                    // Each value once, in order.
                    var values = listed.sorted()
                    var kept = 0
                    for v in values where kept == 0 || values[kept - 1] != v { values[kept] = v; kept += 1 }
                    values.removeLast(values.count - kept)
                    if case .customer("tier") = key, let goal = p.goal {
                        values.removeAll { goal.guardrails.alwaysEscalateTiers.contains($0) }
                    }
                    // Values the steps before it already handled cannot reach the lookup.
                    let facts = p.facts.analysis.keys
                    if let k = facts.id(of: key), let f = p.facts.before[n]?.fact(k) {
                        if let allowed = f.allowed { values.removeAll { v in facts.existingValue(v).map { !allowed.contains($0) } ?? true } }
                        values.removeAll { v in facts.existingValue(v).map { f.excluded.contains($0) } ?? false }
                    }
                    let missing = values.filter { !present.contains(normalizedKey($0)) }
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
}
