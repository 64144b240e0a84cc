/// The output formats for diagnostics.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    /// `file:line:col`, the source line and an underline; color only when asked.
    case human
    /// One line per finding, then indented help: for logs and grep.
    case plain
    /// One JSON document: machine-readable and stable.
    case json
    /// SARIF 2.1.0, for code-scanning tools.
    case sarif
    /// GitHub Actions annotations (`::error file=…::…`).
    case github
}

/// Looks up the text of the files diagnostics point into.
public struct SourceLookup: Sendable {
    private var files: [String: SourceFile]
    /// Makes a lookup over these files.
    public init(_ files: [SourceFile] = []) {
        self.files = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    }
    /// Adds a file.
    public mutating func add(_ file: SourceFile) { files[file.path] = file }
    /// The file at a display path.
    public subscript(path: String) -> SourceFile? { files[path] }
}

/// Pure functions from findings to text.
public enum DiagnosticRenderer {
    /// Renders every diagnostic in the given format; `color` applies to `human` only.
    /// `pathPrefix` turns project-relative paths into repository-relative ones (SARIF, GitHub).
    public static func render(
        _ diagnostics: [Diagnostic], format: DiagnosticFormat, sources: SourceLookup, color: Bool = false,
        pathPrefix: String = "", toolVersion: String = "0.1.0"
    ) -> String {
        switch format {
        case .human: return diagnostics.map { human($0, sources: sources, color: color) }.joined()
        case .plain: return diagnostics.map { plain($0, sources: sources) }.joined()
        case .json: return json(diagnostics, sources: sources)
        case .sarif: return sarif(diagnostics, sources: sources, pathPrefix: pathPrefix, toolVersion: toolVersion)
        case .github: return github(diagnostics, sources: sources, pathPrefix: pathPrefix)
        }
    }

    // MARK: human

    /// `error[M0301]: message`, the location arrow, the source line with an underline,
    /// labels, notes and help.
    public static func human(_ d: Diagnostic, sources: SourceLookup, color: Bool) -> String {
        let paint = Paint(enabled: color)
        var out = paint.severity(d.severity, "\(d.severity.rawValue)[\(d.code.rawValue)]")
        out += paint.bold(": \(d.message)") + "\n"
        var gutterWidth = 1
        var snippets: [(line: Int, text: String, start: Int, width: Int, label: String?, primary: Bool)] = []
        if let range = d.range, let file = sources[range.file] {
            let start = file.location(of: range.start)
            out += paint.blue(" --> ") + "\(range.file):\(start.line):\(start.column)\n"
            snippets.append(snippet(file, range, label: d.primaryLabel, primary: true))
            for label in d.labels where label.range.file == range.file {
                snippets.append(snippet(file, label.range, label: label.message, primary: false))
            }
            gutterWidth = String(snippets.map(\.line).max() ?? 1).count
        } else if let range = d.range {
            out += paint.blue(" --> ") + "\(range.file)\n"
        }
        if !snippets.isEmpty {
            let pad = String(repeating: " ", count: gutterWidth)
            out += paint.blue("\(pad) |") + "\n"
            for s in snippets.sorted(by: { $0.line < $1.line }) {
                let number = String(s.line)
                let lineNo = String(repeating: " ", count: gutterWidth - number.count) + number
                out += paint.blue("\(lineNo) |") + " " + s.text + "\n"
                let mark = String(repeating: s.primary ? "^" : "-", count: max(1, s.width))
                let underline = String(repeating: " ", count: s.start) + mark + (s.label.map { " " + $0 } ?? "")
                out += paint.blue("\(pad) |") + " " + (s.primary ? paint.severity(d.severity, underline) : paint.blue(underline)) + "\n"
            }
        }
        let pad = String(repeating: " ", count: gutterWidth)
        for label in d.labels where label.range.file != d.range?.file {
            if let file = sources[label.range.file] {
                out += "\(pad) = note: \(label.message) (\(label.range.file):\(file.location(of: label.range.start).line))\n"
            }
        }
        for note in d.notes { out += "\(pad) = " + paint.bold("note") + ": \(note)\n" }
        if let help = d.help { out += "\(pad) = " + paint.bold("help") + ": \(help)\n" }
        for fix in d.fixIts { out += "\(pad) = " + paint.bold("fix") + ": \(fix.message)\n" }
        return out + "\n"
    }

    private static func snippet(_ file: SourceFile, _ range: SourceRange, label: String?, primary: Bool)
        -> (line: Int, text: String, start: Int, width: Int, label: String?, primary: Bool)
    {
        let start = file.location(of: range.start)
        let end = file.location(of: range.end)
        var text = file.lineText(start.line)
        // Show at most 200 scalars of a long line around the start.
        var startColumn = start.column - 1
        let scalars = Array(text.unicodeScalars)
        if scalars.count > 200 {
            let from = max(0, startColumn - 40)
            let to = min(scalars.count, from + 200)
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[from..<to])
            text = (from > 0 ? "…" : "") + String(view) + (to < scalars.count ? "…" : "")
            startColumn = startColumn - from + (from > 0 ? 1 : 0)
        }
        text = text.replacingTabs()
        let lineLength = text.unicodeScalars.count
        let width = end.line == start.line ? end.column - start.column : lineLength - startColumn
        return (start.line, text, startColumn, max(1, min(width, max(1, lineLength - startColumn))), label, primary)
    }

    // MARK: plain

    /// `file:line:col: error[M0301]: message`, then indented notes and help.
    public static func plain(_ d: Diagnostic, sources: SourceLookup) -> String {
        var out = ""
        if let range = d.range {
            if let file = sources[range.file] {
                let l = file.location(of: range.start)
                out += "\(range.file):\(l.line):\(l.column): "
            } else {
                out += "\(range.file): "
            }
        }
        out += "\(d.severity.rawValue)[\(d.code.rawValue)]: \(d.message)\n"
        for label in d.labels {
            let at = sources[label.range.file].map { "\(label.range.file):\($0.location(of: label.range.start))" } ?? label.range.file
            out += "  note: \(label.message) at \(at)\n"
        }
        for note in d.notes { out += "  note: \(note)\n" }
        if let help = d.help { out += "  help: \(help)\n" }
        return out
    }

    // MARK: json

    /// One JSON object: `{"diagnostics": [...], "summary": {...}, "version": 1}`, keys sorted.
    public static func json(_ diagnostics: [Diagnostic], sources: SourceLookup) -> String {
        var items: [JSONValue] = []
        for d in diagnostics {
            var object: [String: JSONValue] = [
                "code": .string(d.code.rawValue),
                "severity": .string(d.severity.rawValue),
                "message": .string(d.message),
                "notes": .array(d.notes.map { .string($0) }),
            ]
            if let help = d.help { object["help"] = .string(help) }
            if let range = d.range { object["location"] = location(range, sources) }
            if let label = d.primaryLabel { object["label"] = .string(label) }
            if !d.labels.isEmpty {
                object["labels"] = .array(d.labels.map {
                    .object(["message": .string($0.message), "location": location($0.range, sources)])
                })
            }
            if !d.fixIts.isEmpty {
                object["fixIts"] = .array(d.fixIts.map {
                    .object([
                        "message": .string($0.message), "replacement": .string($0.replacement),
                        "location": location($0.range, sources),
                    ])
                })
            }
            items.append(.object(object))
        }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        let root: JSONValue = .object([
            "version": .int(1),
            "diagnostics": .array(items),
            "summary": .object(["errors": .int(errors), "warnings": .int(warnings)]),
        ])
        return root.encoded(pretty: true) + "\n"
    }

    private static func location(_ range: SourceRange, _ sources: SourceLookup) -> JSONValue {
        var object: [String: JSONValue] = [
            "file": .string(range.file), "startOffset": .int(range.start), "endOffset": .int(range.end),
        ]
        if let file = sources[range.file] {
            let s = file.location(of: range.start), e = file.location(of: range.end)
            object["line"] = .int(s.line)
            object["column"] = .int(s.column)
            object["endLine"] = .int(e.line)
            object["endColumn"] = .int(e.column)
        }
        return .object(object)
    }
}

/// ANSI styling that does nothing when disabled.
struct Paint {
    let enabled: Bool
    func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { wrap("1", text) }
    func blue(_ text: String) -> String { wrap("1;34", text) }
    func severity(_ severity: Severity, _ text: String) -> String {
        switch severity {
        case .error: wrap("1;31", text)
        case .warning: wrap("1;33", text)
        case .note: wrap("1;36", text)
        }
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        contains("\t") ? String(map { $0 == "\t" ? " " : $0 }) : self
    }
}
