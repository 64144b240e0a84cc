import MandateDiagnostics

/// A stable, indented text form of a procedure's syntax tree, for `mandate dump --stage ast`
/// and golden tests. Ranges appear as `line:column`.
public enum ASTDump {
    /// The dump of one file.
    public static func dump(_ p: ProcedureFile, source: SourceFile) -> String {
        var out = "ProcedureFile \(p.path)\n"
        func at(_ r: SourceRange) -> String { "@\(source.location(of: r.start))" }
        if let n = p.name { out += "  name \"\(n.value)\" \(at(n.range))\n" }
        if let g = p.goal { out += "  goal \(g.value) \(at(g.range))\n" }
        if !p.handles.isEmpty { out += "  handles " + p.handles.map(\.value).joined(separator: ", ") + "\n" }
        if let r = p.requiresVerifiedCustomer, r.value { out += "  requires verified customer\n" }
        for s in p.suppressions { out += "  allow \(s.code.value) because \"\(s.reason?.value ?? "")\"\n" }
        for t in p.tables {
            out += "  table \"\(t.name.value)\" rows=\(t.rowHeader.value) columns=[\(t.columns.map(\.value).joined(separator: ", "))] \(at(t.range))\n"
            for row in t.rows { out += "    \(row.key.value): \(row.cells.map(\.value).joined(separator: " | "))\n" }
        }
        out += steps(p.steps, in: p.body, indent: 1, at: at)
        return out
    }

    static func steps(_ list: StepList, in body: ProcedureBody, indent: Int, at: (SourceRange) -> String) -> String {
        var out = ""
        let pad = String(repeating: "  ", count: indent)
        for step in body[list] {
            out += "\(pad)step \(step.label.value) \(at(step.range))\n"
            for s in body[step.statements] { out += statement(s, in: body, indent: indent + 1, at: at) }
        }
        return out
    }

    static func statement(_ s: Statement, in body: ProcedureBody, indent: Int, at: (SourceRange) -> String) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch s.kind {
        case .ask(let a):
            var line = "\(pad)ask \(a.slot.text)"
            if !a.choices.isEmpty { line += " choices=[\(a.choices.map { "\"\($0.value)\"" }.joined(separator: ", "))]" }
            if let f = a.from { line += " from=\(expression(f))" }
            if a.again { line += " again" }
            return line + "\n"
        case .confirm(let q, let declines):
            var out = "\(pad)confirm \(template(q))\n"
            if !declines.isEmpty {
                out += "\(pad)  if declined:\n"
                for d in body[declines] { out += statement(d, in: body, indent: indent + 2, at: at) }
            }
            return out
        case .say(let t): return "\(pad)say \(template(t))\n"
        case .escalate(let q, let r): return "\(pad)escalate to \(q.value) because \"\(r.value)\"\n"
        case .resolve(let o): return "\(pad)resolve as \(o.value)\n"
        case .set(let t, let v): return "\(pad)set \(t.text) = \(expression(v))\n"
        case .follow(let p): return "\(pad)follow \"\(p.value)\"\n"
        case .verify(let methods):
            return "\(pad)verify by " + methods.map { $0.map(\.text).joined(separator: " + ") }.joined(separator: " | ") + "\n"
        case .forEach(let v, let list, let inner):
            return "\(pad)for each \(v.value) in \(expression(list))\n" + steps(inner, in: body, indent: indent + 1, at: at)
        case .add(let v, let list): return "\(pad)add \(expression(v)) to \(list.text)\n"
        case .conditional(let c, let then, let otherwise):
            var out = "\(pad)if \(condition(c))\n\(pad)  then:\n" + branch(then, in: body, indent: indent + 2, at: at)
            if let o = otherwise { out += "\(pad)  otherwise:\n" + branch(o, in: body, indent: indent + 2, at: at) }
            return out
        case .action(let a):
            return "\(pad)action \"" + a.tokens.map { $0.kind == .quoted ? "\"\(a.text($0))\"" : a.text($0) }.joined(separator: " ") + "\"\n"
        case .invalid: return "\(pad)<invalid>\n"
        }
    }

    static func branch(_ b: Branch, in body: ProcedureBody, indent: Int, at: (SourceRange) -> String) -> String {
        switch b {
        case .clauses(let c): body[c].map { statement($0, in: body, indent: indent, at: at) }.joined()
        case .steps(let s): steps(s, in: body, indent: indent, at: at)
        }
    }

    static func template(_ t: Template) -> String {
        "\"" + t.parts.map {
            switch $0 {
            case .text(let s): s
            case .placeholder(let p, _): "{" + p.joined(separator: ".") + "}"
            }
        }.joined() + "\""
    }

    /// A value in prefix form.
    public static func expression(_ e: Expression) -> String {
        switch e {
        case .literal(let l, _):
            switch l {
            case .text(let s): return "\"\(s)\""
            case .number(let n): return n
            case .money(let m): return m.description
            case .percent(let p): return "\(p / 100)\(p % 100 == 0 ? "" : "." + (p % 100 < 10 ? "0" : "") + String(p % 100))%"
            case .duration(let d): return "\(d.amount) \(d.amount == 1 ? String(d.unit.rawValue.dropLast()) : d.unit.rawValue)"
            case .date(let d): return "date(\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)-\(d.day < 10 ? "0" : "")\(d.day))"
            case .boolean(let b): return b ? "yes" : "no"
            }
        case .now: return "now"
        case .today: return "today"
        case .noun(let n): return "<\(n.text)>"
        case .fieldOf(let f, let b): return "(\(f.text) of \(expression(b)))"
        case .count(let l, let w, _): return "count(\(expression(l))\(w.map { " whose " + condition($0) } ?? ""))"
        case .total(let f, let l, _): return "total(\(f.text) of \(expression(l)))"
        case .tableLookup(let t, let keys, _): return "lookup(\"\(t.value)\"; \(keys.map(expression).joined(separator: "; ")))"
        case .arithmetic(let op, let a, let b): return "(\(expression(a)) \(op.rawValue) \(expression(b)))"
        }
    }

    /// A condition in prefix form.
    public static func condition(_ c: Condition) -> String {
        switch c {
        case .compare(let a, let op, let b): return "(\(expression(a)) \(op.rawValue) \(expression(b)))"
        case .oneOf(let v, let o, let n): return "(\(expression(v)) \(n ? "not " : "")one of [\(o.map(expression).joined(separator: ", "))])"
        case .missing(let v, let n): return "(\(expression(v)) is \(n ? "present" : "missing"))"
        case .contains(let a, let b, let n): return "(\(expression(a)) \(n ? "does not contain" : "contains") \(expression(b)))"
        case .time(let s, let v, let r):
            let rel: String
            switch r {
            case .moreThanAgo(let d): rel = "more than \(d.amount) \(d.unit.rawValue) ago"
            case .lessThanAgo(let d): rel = "less than \(d.amount) \(d.unit.rawValue) ago"
            case .withinLast(let d): rel = "within the last \(d.amount) \(d.unit.rawValue)"
            case .before(let e): rel = "before \(expression(e))"
            case .after(let e): rel = "after \(expression(e))"
            }
            return "(<\(s.text)> \(v.value) \(rel))"
        case .quantified(let q, let v, let l, let p): return "(\(q.rawValue) \(v.value) in \(expression(l)): \(condition(p)))"
        case .state(let s, let w, let n): return "(\(expression(s)) is \(n ? "not " : "")\(w.value))"
        case .has(let s, let w, let n): return "(\(expression(s)) has \(n ? "no " : "")\(w.value))"
        case .onTier(let s, let t, let n): return "(\(expression(s)) \(n ? "not " : "")on tier \(t.value))"
        case .sounds(let s, let w): return "(\(expression(s)) sounds \(w.value))"
        case .and(let parts): return "and(" + parts.map(condition).joined(separator: ", ") + ")"
        case .or(let parts): return "or(" + parts.map(condition).joined(separator: ", ") + ")"
        case .invalid: return "<invalid>"
        }
    }
}
