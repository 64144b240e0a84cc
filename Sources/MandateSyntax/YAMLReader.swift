import CYAML
import MandateDiagnostics

/// Reads YAML through libyaml's event API into `YAMLNode`s that keep every range.
///
/// Hostile input is refused before it can cost memory: anchors, aliases and tags are
/// errors; nesting and node counts are capped; invalid UTF-8 and tab indentation are
/// reported at their exact place.
public enum YAMLReader {
    /// Limits on what one file may hold.
    public struct Limits: Sendable {
        /// Deepest nesting of lists and mappings.
        public var maxDepth = 32
        /// Most nodes in one file.
        public var maxNodes = 200_000
        /// Largest file, in bytes.
        public var maxBytes = 4 << 20
        /// The default limits.
        public static let standard = Limits()
    }

    /// Reads a file; returns the root (nil when nothing usable was read) and findings.
    public static func read(_ file: SourceFile, limits: Limits = .standard) -> (YAMLNode?, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        if let problem = TextChecks.check(file, maxBytes: limits.maxBytes, maxLine: 10_000) {
            return (nil, [problem])
        }
        if let tab = firstTabIndent(file) {
            diagnostics.append(Diagnostic(
                .yamlTab, "this line is indented with a tab", at: file.range(tab, tab + 1),
                label: "tab here", help: "indent YAML with spaces only (two per level is usual)"))
            return (nil, diagnostics)
        }
        var builder = Builder(file: file, limits: limits)
        let root = builder.run()
        diagnostics.append(contentsOf: builder.diagnostics)
        if root == nil, diagnostics.isEmpty {
            diagnostics.append(Diagnostic(.emptyFile, "`\(file.path)` holds no YAML values", at: file.range(0, 0),
                                          help: "write the file's keys, or remove the file"))
        }
        return (root, diagnostics)
    }

    /// The offset of the first tab used for indentation, if any.
    static func firstTabIndent(_ file: SourceFile) -> Int? {
        let bytes = file.bytes
        var atLineStart = true
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case 0x0A: atLineStart = true
            case 0x20: continue
            case 0x09: if atLineStart { return index }
            default: atLineStart = false
            }
        }
        return nil
    }

    /// A mapping or sequence being read. Its arrays grow in place on the stack (`attach`): a
    /// frame taken off the stack and put back would copy them at every value, which made a
    /// list or mapping of n values cost n² (20 s for a list of 50,000 values).
    private struct Frame {
        var isMapping: Bool
        var start: Int
        var entries: [YAMLMapping.Entry] = []
        /// The keys' first ranges, made once a mapping has more than `fewKeys` entries; below
        /// that, looking through the entries costs less than a dictionary per mapping.
        var keys: [String: SourceRange]?
        var pendingKey: YAMLScalar?
        var items: [YAMLNode] = []

        static let fewKeys = 16

        /// Where `key` was first given in this mapping, if it was.
        func range(ofKey key: String) -> SourceRange? {
            if let keys { return keys[key] }
            for e in entries where e.key.value == key { return e.key.range }
            return nil
        }

        /// Adds an entry whose key is not in the mapping yet.
        mutating func add(_ entry: YAMLMapping.Entry) {
            entries.append(entry)
            if keys != nil {
                keys![entry.key.value] = entry.key.range
            } else if entries.count > Frame.fewKeys {
                var all: [String: SourceRange] = [:]
                for e in entries { all[e.key.value] = e.key.range }
                keys = all
            }
        }

        static func mapping(start: Int) -> Frame { Frame(isMapping: true, start: start) }
        static func sequence(start: Int) -> Frame { Frame(isMapping: false, start: start) }
    }

    private struct Builder {
        let file: SourceFile
        let limits: Limits
        var diagnostics: [Diagnostic] = []
        var stack: [Frame] = []
        var root: YAMLNode?
        var nodes = 0
        var documents = 0

        init(file: SourceFile, limits: Limits) {
            self.file = file
            self.limits = limits
        }

        /// The last mark turned into an offset: an event's end, and the next event's start, are
        /// mostly further along the same line, so the count of scalars goes on from there.
        var lastMark = (line: -1, column: 0, offset: 0)

        mutating func offset(_ mark: yaml_mark_t) -> Int {
            let line = Int(mark.line) + 1, column = Int(mark.column)
            let offset: Int
            if line == lastMark.line, column >= lastMark.column {
                offset = file.offset(from: lastMark.offset, scalars: column - lastMark.column)
            } else {
                offset = file.offset(line: line, scalarColumn: column)
            }
            lastMark = (line, column, offset)
            return offset
        }

        mutating func run() -> YAMLNode? {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            return file.bytes.withUnsafeBufferPointer { buffer -> YAMLNode? in
                yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
                yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
                var event = yaml_event_t()
                while true {
                    guard yaml_parser_parse(&parser, &event) == 1 else {
                        reportParserError(parser)
                        return nil
                    }
                    let keepGoing = handle(&event)
                    let done = event.type == YAML_STREAM_END_EVENT
                    yaml_event_delete(&event)
                    if !keepGoing { return nil }
                    if done { return root }
                }
            }
        }

        mutating func reportParserError(_ parser: yaml_parser_t) {
            let problem = parser.problem.map { String(cString: $0) } ?? "unreadable YAML"
            let context = parser.context.map { String(cString: $0) }
            let at = offset(parser.problem_mark)
            var message = "the YAML cannot be read: \(problem)"
            if let context { message += " (\(context))" }
            diagnostics.append(Diagnostic(
                .yamlSyntax, message, at: file.range(at, min(file.bytes.count, at + 1)),
                help: "check the indentation and the quotes around this place; text with `: ` or `#` in it needs quotes"))
        }

        /// Handles one event; false stops reading.
        mutating func handle(_ event: inout yaml_event_t) -> Bool {
            let start = offset(event.start_mark)
            let end = offset(event.end_mark)
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    diagnostics.append(Diagnostic(
                        .yamlMultipleDocuments, "this file holds a second YAML document",
                        at: file.range(start, max(end, start + 3)),
                        help: "keep one document per file: remove the `---` line and what follows, or move it to its own file"))
                    return false
                }
                return true
            case YAML_ALIAS_EVENT:
                diagnostics.append(Diagnostic(
                    .yamlAlias, "aliases (`*name`) are not allowed in Mandate files", at: file.range(start, end),
                    help: "write the value out in full where it is needed"))
                return false
            case YAML_SCALAR_EVENT:
                let data = event.data.scalar
                if !refuseAnchorOrTag(anchor: data.anchor, tag: data.tag, start: start, end: end) { return false }
                let value = data.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self)
                } ?? ""
                let quoted = data.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || data.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
                return attach(.scalar(YAMLScalar(value: value, range: file.range(start, end), isQuoted: quoted)))
            case YAML_MAPPING_START_EVENT:
                let data = event.data.mapping_start
                if !refuseAnchorOrTag(anchor: data.anchor, tag: data.tag, start: start, end: end) { return false }
                return push(.mapping(start: start), at: start)
            case YAML_SEQUENCE_START_EVENT:
                let data = event.data.sequence_start
                if !refuseAnchorOrTag(anchor: data.anchor, tag: data.tag, start: start, end: end) { return false }
                return push(.sequence(start: start), at: start)
            case YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast(), frame.isMapping else { return false }
                return attach(.mapping(YAMLMapping(entries: frame.entries, range: file.range(frame.start, max(frame.start, end)))))
            case YAML_SEQUENCE_END_EVENT:
                guard let frame = stack.popLast(), !frame.isMapping else { return false }
                return attach(.sequence(YAMLSequence(items: frame.items, range: file.range(frame.start, max(frame.start, end)))))
            default:
                return true
            }
        }

        mutating func refuseAnchorOrTag(
            anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?, start: Int, end: Int
        ) -> Bool {
            if anchor != nil {
                diagnostics.append(Diagnostic(
                    .yamlAlias, "anchors (`&name`) are not allowed in Mandate files",
                    at: file.range(start, max(end, start + 1)),
                    help: "write the value out in full where it is needed"))
                return false
            }
            if let tag {
                var name = String(cString: tag)
                if name.hasPrefix("tag:yaml.org,2002:") { name = "!!" + name.dropFirst("tag:yaml.org,2002:".count) }
                diagnostics.append(Diagnostic(
                    .yamlTag, "tags such as `\(name)` are not allowed in Mandate files",
                    at: file.range(start, max(end, start + 1)),
                    help: "remove the tag; Mandate reads each value by the key it stands under"))
                return false
            }
            return true
        }

        mutating func push(_ frame: Frame, at start: Int) -> Bool {
            if stack.count >= limits.maxDepth {
                diagnostics.append(Diagnostic(
                    .yamlTooDeep, "the values here are nested more than \(limits.maxDepth) levels deep",
                    at: file.range(start, start + 1),
                    help: "Mandate files need only a few levels; check for a runaway list or mapping"))
                return false
            }
            stack.append(frame)
            return true
        }

        mutating func attach(_ node: YAMLNode) -> Bool {
            nodes += 1
            if nodes > limits.maxNodes {
                diagnostics.append(Diagnostic(
                    .yamlTooDeep, "the file holds more than \(limits.maxNodes) values", at: node.range,
                    help: "split the file, or check for generated content"))
                return false
            }
            guard !stack.isEmpty else {
                root = node
                return true
            }
            // The innermost frame, changed where it lies on the stack.
            let top = stack.count - 1
            guard stack[top].isMapping else {
                stack[top].items.append(node)
                return true
            }
            if let key = stack[top].pendingKey {
                stack[top].pendingKey = nil
                if let first = stack[top].range(ofKey: key.value) {
                    diagnostics.append(Diagnostic(
                        .yamlDuplicateKey, "`\(key.value)` is given twice here", at: key.range,
                        label: "second time",
                        labels: [DiagnosticLabel(range: first, message: "first time")],
                        help: "keep one `\(key.value)`; YAML would silently use only one of them"))
                } else {
                    stack[top].add(YAMLMapping.Entry(key: key, value: node))
                }
            } else {
                guard case .scalar(let key) = node else {
                    diagnostics.append(Diagnostic(
                        .yamlWrongType, "a key must be a single word or text, not \(node.kindDescription)",
                        at: node.range, help: "write the key as plain text followed by `:`"))
                    return false
                }
                stack[top].pendingKey = key
            }
            return true
        }
    }
}
