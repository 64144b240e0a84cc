import MandateDiagnostics

/// Reads typed values out of YAML nodes, reporting every shape problem at its place.
struct YAMLFields {
    var diagnostics: [Diagnostic] = []

    /// The entries of a mapping with only `allowed` keys; reports unknown and missing keys.
    mutating func mapping(
        _ node: YAMLNode?, in context: String, allowed: [String], required: [String] = [], at fallback: SourceRange
    ) -> [String: YAMLMapping.Entry]? {
        guard let node else { return nil }
        guard case .mapping(let m) = node else {
            if case .scalar(let s) = node, s.value.isEmpty, !s.isQuoted { return [:] }
            wrongType(node, expected: "a set of keys", in: context)
            return nil
        }
        var out: [String: YAMLMapping.Entry] = [:]
        for entry in m.entries {
            if allowed.contains(entry.key.value) {
                out[entry.key.value] = entry
            } else {
                let suggestion = Suggestions.closest(to: entry.key.value, in: allowed)
                diagnostics.append(Diagnostic(
                    .yamlUnknownKey, "`\(entry.key.value)` is not a key of \(context)", at: entry.key.range,
                    notes: ["the keys of \(context) are " + Suggestions.list(allowed.map { "`\($0)`" })],
                    help: suggestion.first.map { "did you mean `\($0)`?" },
                    fixIts: suggestion.first.map { [FixIt(message: "rename to `\($0)`", range: entry.key.range, replacement: $0)] } ?? []))
            }
        }
        for key in required where out[key] == nil {
            diagnostics.append(Diagnostic(
                .yamlMissingKey, "\(context) needs the key `\(key)`", at: SourceRange(file: m.range.file, start: m.range.start, end: m.range.start),
                help: "add `\(key): …`"))
        }
        return out
    }

    mutating func wrongType(_ node: YAMLNode, expected: String, in context: String) {
        diagnostics.append(Diagnostic(
            .yamlWrongType, "\(context) should be \(expected), not \(node.kindDescription)", at: node.range,
            help: "write \(expected) here"))
    }

    mutating func invalid(_ scalar: YAMLScalar, _ message: String, help: String, code: DiagnosticCode = .yamlInvalidValue) {
        diagnostics.append(Diagnostic(code, message, at: scalar.range, help: help))
    }

    /// A text value.
    mutating func text(_ entry: YAMLMapping.Entry?, _ context: String) -> Located<String>? {
        guard let entry else { return nil }
        guard case .scalar(let s) = entry.value else {
            wrongType(entry.value, expected: "text", in: "`\(entry.key.value)` of \(context)")
            return nil
        }
        return Located(s.value, s.range)
    }

    /// A name: a single word of letters, digits, `_` and `-`.
    mutating func name(_ scalar: YAMLScalar, what: String) -> Located<String>? {
        let ok = !scalar.value.isEmpty && scalar.value.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
        }
        guard ok else {
            invalid(scalar, "`\(scalar.value)` is not a valid \(what) name",
                    help: "use one word of letters, digits, `_` or `-`, such as `refund_request`")
            return nil
        }
        return Located(scalar.value, scalar.range)
    }

    /// A list of scalars (a single scalar counts as a list of one).
    mutating func list(_ entry: YAMLMapping.Entry?, _ context: String) -> [Located<String>] {
        guard let entry else { return [] }
        switch entry.value {
        case .sequence(let seq):
            return seq.items.compactMap { item in
                guard case .scalar(let s) = item else {
                    wrongType(item, expected: "text", in: "an item of `\(entry.key.value)` in \(context)")
                    return nil
                }
                return Located(s.value, s.range)
            }
        case .scalar(let s):
            if s.value.isEmpty, !s.isQuoted { return [] }
            return [Located(s.value, s.range)]
        case .mapping:
            wrongType(entry.value, expected: "a list", in: "`\(entry.key.value)` of \(context)")
            return []
        }
    }

    /// A list of names.
    mutating func names(_ entry: YAMLMapping.Entry?, _ context: String, what: String) -> [Located<String>] {
        list(entry, context).compactMap { name(YAMLScalar(value: $0.value, range: $0.range, isQuoted: false), what: what) }
    }

    /// A list of entries, or a mapping of entries to queue names (`billing_dispute: billing`):
    /// `always_escalate` sends each entry to its own queue, or to the goal's default queue.
    mutating func routed(_ entry: YAMLMapping.Entry?, _ context: String, what: String?) -> [(item: Located<String>, queue: Located<String>?)] {
        guard let entry else { return [] }
        guard case .mapping(let m) = entry.value else {
            let items = list(entry, context)
            guard let what else { return items.map { ($0, nil) } }
            return items.compactMap { i in name(YAMLScalar(value: i.value, range: i.range, isQuoted: false), what: what).map { ($0, nil) } }
        }
        var out: [(item: Located<String>, queue: Located<String>?)] = []
        for e in m.entries {
            let item: Located<String>? = what.map { name(e.key, what: $0) } ?? Located(e.key.value, e.key.range)
            guard let item else { continue }
            guard case .scalar(let q) = e.value, let queue = name(q, what: "queue") else {
                if case .scalar = e.value {} else { wrongType(e.value, expected: "a queue's name", in: "`\(e.key.value)` of \(context)") }
                continue
            }
            out.append((item, queue))
        }
        return out
    }

    /// `true` / `false` (and YAML's yes/no).
    mutating func bool(_ entry: YAMLMapping.Entry?, _ context: String) -> Located<Bool>? {
        guard let entry else { return nil }
        guard case .scalar(let s) = entry.value, !s.isQuoted else {
            wrongType(entry.value, expected: "`true` or `false`", in: "`\(entry.key.value)` of \(context)")
            return nil
        }
        switch s.value.lowercased() {
        case "true", "yes", "on": return Located(true, s.range)
        case "false", "no", "off": return Located(false, s.range)
        default:
            invalid(s, "`\(entry.key.value)` should be `true` or `false`, not `\(s.value)`", help: "write `true` or `false`")
            return nil
        }
    }

    /// A whole number in a range.
    mutating func int(_ entry: YAMLMapping.Entry?, _ context: String, range: ClosedRange<Int>) -> Located<Int>? {
        guard let entry else { return nil }
        guard case .scalar(let s) = entry.value, let v = Int(s.value), range.contains(v) else {
            diagnostics.append(Diagnostic(
                .yamlWrongType, "`\(entry.key.value)` should be a whole number from \(range.lowerBound) to \(range.upperBound)",
                at: entry.value.range, help: "write a number such as `\(range.lowerBound + (range.upperBound - range.lowerBound) / 10)`"))
            return nil
        }
        return Located(v, s.range)
    }

    /// A decimal number kept exactly as text (`0.75`), checked to lie in a range.
    mutating func decimal(_ entry: YAMLMapping.Entry?, _ context: String, range: ClosedRange<Double>, example: String) -> Located<String>? {
        guard let entry else { return nil }
        guard case .scalar(let s) = entry.value, !s.isQuoted, let v = Double(s.value), s.value.allSatisfy({ $0.isNumber || $0 == "." }) else {
            let shown: String
            if case .scalar(let s) = entry.value { shown = "`\(s.value)`" } else { shown = entry.value.kindDescription }
            diagnostics.append(Diagnostic(
                .yamlWrongType, "`\(entry.key.value)` should be a number, not \(shown)", at: entry.value.range,
                help: "write a number such as `\(example)`"))
            return nil
        }
        guard range.contains(v) else {
            invalid(s, "`\(entry.key.value)` must be between \(range.lowerBound) and \(range.upperBound), not \(s.value)",
                    help: "write a number such as `\(example)`")
            return nil
        }
        return Located(s.value, s.range)
    }

    /// One of a fixed set of words.
    mutating func choice(_ entry: YAMLMapping.Entry?, _ context: String, _ options: [String],
                         code: DiagnosticCode = .yamlInvalidValue) -> Located<String>? {
        guard let value = text(entry, context) else { return nil }
        guard options.contains(value.value) else {
            let scalar = YAMLScalar(value: value.value, range: value.range, isQuoted: false)
            invalid(scalar, "`\(value.value)` is not one of " + Suggestions.list(options.map { "`\($0)`" }, joiner: "or"),
                    help: Suggestions.didYouMean(value.value, in: options) ?? "write one of " + Suggestions.list(options.map { "`\($0)`" }, joiner: "or"),
                    code: code)
            return nil
        }
        return value
    }

    /// An amount of money: `150 USD`, `$150`.
    mutating func money(_ entry: YAMLMapping.Entry?, _ context: String) -> Located<MoneyLiteral>? {
        guard let value = text(entry, context) else { return nil }
        return money(YAMLScalar(value: value.value, range: value.range, isQuoted: false), key: entry!.key.value)
    }

    mutating func money(_ scalar: YAMLScalar, key: String) -> Located<MoneyLiteral>? {
        switch LiteralParser.money(scalar.value) {
        case .success(let m): return Located(m, scalar.range)
        case .failure(let e):
            invalid(scalar, "`\(key)`: \(e.message)", help: e.help)
            return nil
        }
    }
}

/// The bytes of a YAML file and its parsed root, ready for a typed reader.
public struct YAMLDocument: Sendable {
    /// The file.
    public let file: SourceFile
    /// Its root, when it could be read.
    public let root: YAMLNode?
    /// Problems found reading it.
    public let diagnostics: [Diagnostic]

    /// Reads a file.
    public init(_ file: SourceFile) {
        self.file = file
        (root, diagnostics) = YAMLReader.read(file)
    }

    /// The root as a mapping, or a diagnostic.
    func rootMapping(_ fields: inout YAMLFields, kind: String) -> YAMLNode? {
        guard let root else { return nil }
        guard case .mapping = root else {
            fields.wrongType(root, expected: "a set of keys", in: "a \(kind)")
            return nil
        }
        return root
    }
}
