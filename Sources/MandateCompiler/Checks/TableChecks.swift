import MandateDiagnostics
import MandateIR

/// Decision tables: every value a lookup can be given has its row and column, and no row
/// is written twice.
enum TableChecks {
    static func run(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        let tables = p.procedure.tables
        for t in tables {
            // Most tables have a few rows: compared in place, no set is built for them.
            let rows = t.rowKeys
            var seen: Set<String>? = rows.count > 16 ? [] : nil
            for (j, key) in rows.enumerated() {
                let repeated = seen != nil ? !seen!.insert(key).inserted : rows[..<j].contains(key)
                guard repeated else { continue }
                context.diagnostics.append(Diagnostic(
                    .tableRowRepeated, "the table `\(t.name)` has two rows for `\(key)`", at: context.range(t.source),
                    notes: ["a lookup would find the first one; the second is never used"],
                    help: "keep one row for `\(key)`, with the values that are meant"))
            }
        }
        guard !tables.isEmpty else { return }
        var reported = Set<String>()
        // Each table's rows and columns as a lookup finds them, worked out once.
        var presentByTable = [(rows: PresentKeys, columns: PresentKeys)?](repeating: nil, count: tables.count)
        let steps = p.steps
        let facts = p.facts.analysis.keys
        for n in steps.indices where p.reachable(n) {
            for (table, keys) in p.names.lookups[p.names.lookupRange(n)] {
                guard let index = tables.firstIndex(where: { $0.name == table }) else { continue }
                let t = tables[index]
                let present = presentByTable[index] ?? (PresentKeys(t.rowKeys), PresentKeys(t.columns))
                presentByTable[index] = present
                // A one-column table is looked up by its row only.
                for d in 0..<Swift.min(keys.count, t.columns.count == 1 ? 1 : 2) {
                    let key = keys[d]
                    guard let listed = p.enumeration(key) else { continue }
                    let what = d == 0 ? "row" : "column"
                    // Each value once, in order, but those that cannot reach the lookup: a tier
                    // that is always escalated, and values the steps before it already handled.
                    let values = listed.isSortedAscending ? listed : listed.sorted()
                    let escalated: [String]? = if case .customer("tier") = key { p.served?.goal.guardrails.alwaysEscalateTiers } else { nil }
                    let fact = facts.id(of: key).flatMap { p.facts.fact($0, before: n) }
                    var missing: [String] = []
                    for i in values.indices where i == 0 || values[i - 1] != values[i] {
                        let v = values[i]
                        if let escalated, escalated.contains(v) { continue }
                        if let fact {
                            let number = facts.existingValue(v)
                            if let allowed = fact.allowed, !(number.map { allowed.contains($0, in: facts.large) } ?? false) { continue }
                            if let number, fact.excluded.contains(number, in: facts.large) { continue }
                        }
                        if !(d == 0 ? present.rows : present.columns).contains(normalizedKey(v)) { missing.append(v) }
                    }
                    guard !missing.isEmpty, reported.insert("\(t.name)|\(what)|\(missing)").inserted else { continue }
                    let node = steps[n]
                    let label = StepGraph.display(node.label)
                    context.report(
                        .tableMissingCase,
                        "the table `\(t.name)` has no \(what) for " + Suggestions.list(missing.map { "`\($0)`" }, joiner: "or")
                            + ", but \(Words.of(key)) at step \(label) can be " + (missing.count == 1 ? "that" : "any of them"),
                        at: node,
                        notes: ["`\(context.sentence(node))` looks it up; with no \(what) the assistant has no value to use"],
                        help: "add a \(what) for " + Suggestions.list(missing.map { "`\($0)`" }) + " to `\(t.name)`, or check for "
                            + (missing.count == 1 ? "it" : "them") + " before step \(label)")
                }
            }
        }
    }

    /// A table's row or column keys as a lookup finds them: compared in turn while there are
    /// few, through a set past 16.
    struct PresentKeys {
        let keys: [String]
        let set: Set<String>?

        init(_ keys: [String]) {
            // Most keys are already as a lookup finds them: the array is copied only for one that is not.
            var found = keys
            for i in keys.indices where !TableChecks.isNormalized(keys[i]) { found[i] = Procedure.Table.key(keys[i]) }
            self.keys = found
            set = keys.count > 16 ? Set(self.keys) : nil
        }

        func contains(_ key: String) -> Bool {
            if let set { return set.contains(key) }
            return NameHash.firstIndex(of: key, in: keys) != nil
        }
    }

    /// A row or column key as a lookup finds it (`Procedure.Table.key`, as the runtime looks it up).
    /// A key of ASCII lower-case letters, digits and punctuation, with no space or underscore,
    /// is already one: it is returned as it is, without building another string.
    static func normalizedKey(_ v: String) -> String {
        isNormalized(v) ? v : Procedure.Table.key(v)
    }

    /// Whether a key is one `normalizedKey` returns as it is: ASCII lower-case letters, digits
    /// and punctuation, with no space or underscore.
    static func isNormalized(_ v: String) -> Bool {
        var v = v
        return v.withUTF8 { bytes in
            !bytes.isEmpty && !bytes.contains { $0 >= 0x80 || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x20 || $0 == 0x5F }
        }
    }
}

extension Array where Element == String {
    /// Whether the strings are in ascending order already (so sorting them would change nothing).
    var isSortedAscending: Bool {
        for i in indices.dropFirst() where self[i] < self[i - 1] { return false }
        return true
    }
}
