import MandateDiagnostics

/// Parses a `.procedure` file: a line scanner and classifier build a tree of items by
/// indentation; the sentence parser reads each item's text. It never gives up: every
/// problem becomes a diagnostic and parsing goes on with the next sentence.
public enum ProcedureParser {
    /// Limits that keep hostile files cheap.
    public static let maxDepth = 16
    /// Longest line accepted, in bytes.
    public static let maxLineLength = 4_000
    /// Largest file accepted, in bytes.
    public static let maxFileSize = 8 << 20

    /// Parses a file.
    public static func parse(_ file: SourceFile) -> (ProcedureFile, [Diagnostic]) {
        let (result, diagnostics, _) = read(file)
        return (result, diagnostics)
    }

    /// Parses a file; also says whether its step numbering was checked by the walk over the
    /// tree (`checkNumbering`) rather than while reading the steps.
    static func read(_ file: SourceFile) -> (ProcedureFile, [Diagnostic], numberingWalked: Bool) {
        var result = ProcedureFile(
            path: file.path, name: nil, goal: nil, handles: [], requiresVerifiedCustomer: nil,
            tables: [], steps: .empty, suppressions: [], body: ProcedureBody())
        if let problem = TextChecks.check(file, maxBytes: maxFileSize, maxLine: maxLineLength) {
            return (result, [problem], false)
        }
        var lines = LineLayer(file: file)
        lines.run()
        result.name = lines.name
        result.goal = lines.goal
        result.handles = lines.handles
        result.requiresVerifiedCustomer = lines.requires
        result.tables = lines.tables
        result.suppressions = lines.suppressions
        lines.lex()
        var sentences = SentenceParser(file: file, tables: lines.tables)
        sentences.items = lines.items
        sentences.texts = lines.tokens.texts
        sentences.segments = lines.segments
        // The file's tokens live until its steps are read; action sentences keep copies of theirs.
        sentences.tokens = lines.tokens.buffer
        sentences.reserveBody()
        result.steps = sentences.steps(from: lines.items[0].children)
        result.body = sentences.body
        sentences.tokens = UnsafeBufferPointer(start: nil, count: 0)
        lines.tokens.deallocate()
        sentences.finishActions()
        var diagnostics = lines.diagnostics
        diagnostics.append(contentsOf: sentences.diagnostics)
        if result.name == nil {
            diagnostics.append(Diagnostic(
                .missingHeader, "this procedure has no `Procedure:` line", at: file.range(0, 0),
                help: "start the file with `Procedure: <a name for it>`"))
        }
        if result.goal == nil {
            diagnostics.append(Diagnostic(
                .missingHeader, "this procedure has no `Goal:` line", at: file.range(0, 0),
                help: "add `Goal: <the goal it serves>` below the `Procedure:` line"))
        }
        if sentences.numberingIrregular {
            checkNumbering(result.steps, in: result.body, file: file, into: &diagnostics)
        } else {
            // Checked while the steps were read, in the order the walk would check them.
            diagnostics.append(contentsOf: sentences.numberingDiagnostics)
        }
        return (result, diagnostics, sentences.numberingIrregular)
    }

    /// The warning for step `label` coming after step `previous` (whose place is `previousValue`).
    static func numberingWarning(_ label: Located<String>, value: Int, after previous: String, previousValue: Int) -> Diagnostic {
        Diagnostic(
            .stepNumbering, value == previousValue ? "step `\(label.value)` is numbered twice" : "step `\(label.value)` comes after step `\(previous)`",
            at: label.range, help: "number the steps in order, without repeats")
    }

    /// Warns when step numbers or letters go backwards or repeat: every list of steps a step
    /// holds through its own sentences (`If …:` branches, `For each` bodies), not those under
    /// clauses. The sentence parser does the same while it reads the steps
    /// (`SentenceParser.numberingDiagnostics`); this walk is for the rare shapes it leaves to it.
    static func checkNumbering(_ list: StepList, in body: ProcedureBody, file: SourceFile, into diagnostics: inout [Diagnostic]) {
        let steps = body[list]
        var previous = Int.min
        var previousIndex = -1
        for index in steps.indices {
            let value = labelValue(steps[index].label.value)
            if previousIndex >= 0, value <= previous {
                diagnostics.append(numberingWarning(
                    steps[index].label, value: value, after: steps[previousIndex].label.value, previousValue: previous))
            }
            previous = value
            previousIndex = index
            for k in steps[index].statements.range {
                // Most statements hold no steps: told by their case alone, before any payload is read.
                switch body.statements[k].kind {
                case .conditional, .forEach: break
                default: continue
                }
                switch body.statements[k].kind {
                case .conditional(_, let then, let otherwise):
                    if case .steps(let s) = then { checkNumbering(s, in: body, file: file, into: &diagnostics) }
                    if case .steps(let s)? = otherwise { checkNumbering(s, in: body, file: file, into: &diagnostics) }
                case .forEach(_, _, let inner): checkNumbering(inner, in: body, file: file, into: &diagnostics)
                default: break
                }
            }
        }
    }

    /// A step label's place: `12` → 12, `b` → 2; decimal labels read on bytes.
    static func labelValue(_ label: String) -> Int {
        var utf8 = label.utf8.makeIterator()
        guard let first = utf8.next() else { return 0 }
        if first >= 0x61, first <= 0x7A, label.utf8.count == 1 { return Int(first) - 96 }
        if first >= 0x30, first <= 0x39 {
            var n = Int(first - 0x30)
            var digits = 1
            while let d = utf8.next() {
                guard d >= 0x30, d <= 0x39, digits < 18 else { return Int(label) ?? Int(first) - 96 }
                n = n * 10 + Int(d - 0x30)
                digits += 1
            }
            return n
        }
        return Int(label) ?? label.unicodeScalars.first.map { Int($0.value) - 96 } ?? 0
    }
}

/// An entry of the item tree: a step, a bullet, or an `Otherwise` line. Items live in one
/// array per file (`LineLayer.items`, the root first) and name each other by index, so the
/// tree costs no object per line.
struct Item {
    enum Kind { case root, step, bullet, otherwise }
    let kind: Kind
    let indent: Int
    let label: Located<String>?
    /// The item's text: contiguous byte ranges, `segments[segmentStart..<segmentEnd]` of the layer.
    var segmentStart: Int
    var segmentEnd: Int
    /// The item's tokens: `tokens[tokenStart..<tokenEnd]` of the layer, once lexed.
    var tokenStart = 0
    var tokenEnd = 0
    /// Indices of the items below it, in order.
    var children: [Int] = []
    let start: Int
    var end: Int

    init(kind: Kind, indent: Int, label: Located<String>?, start: Int, segments: Int) {
        self.kind = kind
        self.indent = indent
        self.label = label
        self.start = start
        self.end = start
        self.segmentStart = segments
        self.segmentEnd = segments
    }

    /// The item's tokens, as a window of the file's tokens.
    var tokenWindow: Range<Int> { tokenStart..<tokenEnd }
}

/// The line scanner and classifier.
struct LineLayer {
    let file: SourceFile
    var diagnostics: [Diagnostic] = []
    var name: Located<String>?
    var goal: Located<String>?
    var handles: [Located<String>] = []
    var requires: Located<Bool>?
    var tables: [DecisionTable] = []
    var suppressions: [Suppression] = []
    /// Every item, the root first.
    var items: [Item] = []
    /// The items' text. Text is only ever added to the newest item, so each item's
    /// segments are contiguous here.
    var segments: [Range<Int>] = []
    /// Every item's tokens, item after item (see `lex`); the parse frees them.
    var tokens: TokenSink

    init(file: SourceFile) {
        self.file = file
        tokens = TokenSink(capacity: file.bytes.count / 4)
        // One item per line at most, and the root: allocated once.
        items.reserveCapacity(file.lineStarts.count + 1)
        items.append(Item(kind: .root, indent: -1, label: nil, start: 0, segments: 0))
    }

    /// Extends the newest item's text with `range`, merging with its previous range when contiguous.
    mutating func addText(_ index: Int, _ range: Range<Int>, contiguous: Bool) {
        if contiguous, items[index].segmentEnd > items[index].segmentStart {
            let last = segments[segments.count - 1]
            segments[segments.count - 1] = last.lowerBound..<range.upperBound
        } else {
            segments.append(range)
            items[index].segmentEnd = segments.count
        }
        items[index].end = max(items[index].end, range.upperBound)
    }

    /// Lexes every item's text once, into `tokens`.
    mutating func lex() {
        // One pass over the file's bytes for every item.
        file.bytes.withUnsafeBufferPointer { b in
            for index in items.indices.dropFirst() {
                items[index].tokenStart = tokens.count
                Lexer.tokenize(b, segments: segments[items[index].segmentStart..<items[index].segmentEnd], into: &tokens)
                items[index].tokenEnd = tokens.count
            }
        }
    }

    mutating func run() {
        let bytes = file.bytes
        segments.reserveCapacity(file.lineStarts.count)
        var stack: [Int] = [0]
        stack.reserveCapacity(ProcedureParser.maxDepth + 2)
        var last: Int?             // the item the next text line may continue
        var lastLineWasItemText = false
        var seenStep = false
        var reportedDepth = false
        var table: (name: Located<String>, rows: [[Located<String>]], start: Int, end: Int, rowRanges: [SourceRange])?
        // The headers seen so far (at most a handful: searched, not hashed).
        var headerSeen: [(key: String, range: SourceRange)] = []
        headerSeen.reserveCapacity(4)
        // Suppressions waiting for their step, and those whose step is still open.
        var pendingSuppressions: [Int] = []
        var openScopes: [(index: Int, indent: Int)] = []

        func closeTable(_ t: inout (name: Located<String>, rows: [[Located<String>]], start: Int, end: Int, rowRanges: [SourceRange])?) {
            guard let current = t else { return }
            finishTable(current.name, current.rows, current.rowRanges, file.range(current.start, current.end))
            t = nil
        }

        for lineIndex in 0..<file.lineStarts.count {
            let lineStart = file.lineStarts[lineIndex]
            var lineEnd = lineIndex + 1 < file.lineStarts.count ? file.lineStarts[lineIndex + 1] - 1 : bytes.count
            if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            var p = lineStart
            var indent = 0
            while p < lineEnd, bytes[p] == 0x20 || bytes[p] == 0x09 {
                indent += bytes[p] == 0x09 ? 4 : 1
                p += 1
            }
            if p == lineEnd {  // blank
                lastLineWasItemText = false
                closeTable(&table)
                continue
            }
            let c = bytes[p]
            if c == UInt8(ascii: "#") {
                let before = suppressions.count
                readComment(p, lineEnd)
                if suppressions.count > before { pendingSuppressions.append(before) }
                continue
            }
            if c == UInt8(ascii: "|") {
                if table == nil {
                    diagnostics.append(Diagnostic(
                        .malformedTable, "this table row has no `Table:` line above it", at: file.range(p, lineEnd),
                        help: "name the table on the line before it: `Table: <name>`"))
                } else if !isRuleRow(p, lineEnd) {
                    table!.rows.append(splitRow(p, lineEnd))
                    table!.rowRanges.append(file.range(p, lineEnd))
                    table!.end = lineEnd
                }
                lastLineWasItemText = false
                continue
            }
            closeTable(&table)

            // `Key: value` lines: headers and tables.
            if let (key, keyEnd) = headerKey(p, lineEnd) {
                var v = keyEnd + 1
                while v < lineEnd, bytes[v] == 0x20 || bytes[v] == 0x09 { v += 1 }
                let valueRange = file.range(v, lineEnd)
                let value = trimmedText(v, lineEnd)
                if key == "table" {
                    // Room for a few rows at once, rather than growing one by one.
                    var rows: [[Located<String>]] = [], rowRanges: [SourceRange] = []
                    rows.reserveCapacity(8)
                    rowRanges.reserveCapacity(8)
                    table = (Located(value.smallLowercased, valueRange), rows, p, lineEnd, rowRanges)
                    lastLineWasItemText = false
                    last = nil
                    continue
                }
                if !seenStep && indent == 0 {
                    let keyRange = file.range(p, keyEnd)
                    if let first = headerSeen.first(where: { SmallWords.equal($0.key, key) })?.range {
                        diagnostics.append(Diagnostic(
                            .duplicateHeader, "`\(key.capitalizedFirst):` is given twice", at: keyRange,
                            label: "second time", labels: [DiagnosticLabel(range: first, message: "first time")],
                            help: "keep one `\(key.capitalizedFirst):` line"))
                        continue
                    }
                    headerSeen.append((key, keyRange))
                    readHeader(key, keyRange: keyRange, value: value, valueRange: valueRange)
                    lastLineWasItemText = false
                    continue
                }
            }

            // Items: numbered or lettered steps, bullets, `Otherwise`.
            var kind: Item.Kind?
            var label: Located<String>?
            var textStart = p
            if let (labelText, after) = marker(p, lineEnd) {
                kind = .step
                label = Located(labelText, file.range(p, after - 1))
                textStart = after
            } else if (c == UInt8(ascii: "-") || c == UInt8(ascii: "*")), p + 1 < lineEnd, bytes[p + 1] == 0x20 {
                kind = .bullet
                textStart = p + 2
            } else if startsWithOtherwise(p, lineEnd) {
                kind = .otherwise
            }
            while textStart < lineEnd, bytes[textStart] == 0x20 || bytes[textStart] == 0x09 { textStart += 1 }

            guard let itemKind = kind else {
                // A text line: continues the item above it.
                if let item = last, lastLineWasItemText || indent > items[item].indent {
                    addText(item, p..<lineEnd, contiguous: lastLineWasItemText)
                    lastLineWasItemText = true
                } else if !seenStep && indent == 0 && looksLikeHeader(p, lineEnd) {
                    reportUnknownHeader(p, lineEnd)
                } else {
                    let text = file.text(of: file.range(p, lineEnd))
                    let shown = text.count > 80 ? text.prefix(77) + "…" : Substring(text)
                    diagnostics.append(Diagnostic(
                        .textOutsideStep, "`\(shown)` is not part of any step", at: file.range(p, lineEnd),
                        help: "number it as a step, indent it under the step it belongs to, or make it a comment with `#`"))
                }
                continue
            }
            if itemKind == .step { seenStep = true }
            while let top = stack.last, top != 0, items[top].indent >= indent { stack.removeLast() }
            if stack.count > ProcedureParser.maxDepth {
                if !reportedDepth {
                    diagnostics.append(Diagnostic(
                        .nestingTooDeep, "sub-steps are nested more than \(ProcedureParser.maxDepth) levels deep",
                        at: file.range(p, lineEnd),
                        help: "split the deepest part into its own procedure and `Follow` it"))
                    reportedDepth = true
                }
                stack.removeLast(stack.count - ProcedureParser.maxDepth)
            }
            if itemKind == .step {
                // A suppression's scope ends where a step at its step's level or above begins.
                for k in openScopes.indices.reversed() where indent <= openScopes[k].indent {
                    suppressions[openScopes[k].index].scope = file.range(suppressions[openScopes[k].index].scope!.start, p)
                    openScopes.remove(at: k)
                }
                for index in pendingSuppressions {
                    suppressions[index].scope = file.range(p, file.bytes.count)
                    openScopes.append((index, indent))
                }
                pendingSuppressions.removeAll()
            }
            let item = items.count
            items.append(Item(kind: itemKind, indent: indent, label: label, start: p, segments: segments.count))
            items[item].end = lineEnd
            if textStart < lineEnd { addText(item, textStart..<lineEnd, contiguous: false) }
            // Room for a few sub-steps at once, rather than growing one by one.
            if items[stack.last!].children.isEmpty { items[stack.last!].children.reserveCapacity(stack.last! == 0 ? 32 : 4) }
            items[stack.last!].children.append(item)
            stack.append(item)
            last = item
            lastLineWasItemText = true
        }
        closeTable(&table)
    }

    /// `file.text(of: start..<end).trimmingSpaces()`; ASCII text (almost every header) is
    /// trimmed on bytes, without walking the string's characters.
    func trimmedText(_ start: Int, _ end: Int) -> String {
        let b = file.bytes
        var e = end
        var ascii = true
        for k in start..<end where b[k] >= 0x80 { ascii = false; break }
        guard ascii else { return file.text(of: file.range(start, end)).trimmingSpaces() }
        var s = start
        while s < e, b[s] == 0x20 || b[s] == 0x09 { s += 1 }
        while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x09 { e -= 1 }
        return String(decoding: b[s..<e], as: UTF8.self)
    }

    /// `12.` or `b.` followed by a space or the line's end: the label and where text starts.
    @inline(__always) func marker(_ p: Int, _ end: Int) -> (String, Int)? {
        let b = file.bytes
        var q = p
        while q < end, b[q] >= 0x30, b[q] <= 0x39 { q += 1 }
        if q > p, q - p <= 4, q < end, b[q] == 0x2E, q + 1 == end || b[q + 1] == 0x20 || b[q + 1] == 0x09 {
            return (Self.shortLabel(b, p, q), q + 1)
        }
        if q == p, p + 1 < end, b[p] >= 0x61, b[p] <= 0x7A, b[p + 1] == 0x2E,
           p + 2 == end || b[p + 2] == 0x20 || b[p + 2] == 0x09
        {
            return (Self.shortLabel(b, p, p + 1), p + 2)
        }
        return nil
    }

    /// The label `b[p..<q]` (one to four ASCII bytes: digits, or one letter) as a small
    /// string, its bits put together from the bytes.
    @inline(__always) static func shortLabel(_ b: [UInt8], _ p: Int, _ q: Int) -> String {
        var low: UInt64 = 0
        for k in 0..<(q - p) { low |= UInt64(b[p + k]) << UInt64(8 * k) }
        return WordKey(low: low, high: SmallWords.tagged(0, q - p)).string
    }

    @inline(__always) func startsWithOtherwise(_ p: Int, _ end: Int) -> Bool {
        // `otherwise` in any case, compared on bytes without building an array for it.
        guard end - p >= 9, file.bytes[p] | 0x20 == UInt8(ascii: "o") else { return false }
        var k = 0
        for w in "otherwise".utf8 {
            if file.bytes[p + k] | 0x20 != w { return false }
            k += 1
        }
        return p + 9 == end || !Lexer.isLetter(file.bytes[p + 9])
    }

    /// A known header or `Table` key at the line's start: its lowercased name and the colon's offset.
    @inline(__always) func headerKey(_ p: Int, _ end: Int) -> (String, Int)? {
        let b = file.bytes
        var q = p
        while q < end, q - p <= 12, Lexer.isLetter(b[q]) { q += 1 }
        // Cheap test first: most lines are steps or text, with no `Word:` at their start.
        guard q > p, q < end, b[q] == 0x3A, q - p <= 12 else { return nil }
        let key = String(decoding: b[p..<q], as: UTF8.self).smallLowercased
        return key == "table" || Vocabulary.headers.contains(key) ? (key, q) : nil
    }

    /// `Word:` or `Two words:` at the start: an attempted header.
    func looksLikeHeader(_ p: Int, _ end: Int) -> Bool {
        let b = file.bytes
        var q = p
        while q < end, Lexer.isLetter(b[q]) || b[q] == 0x20 { q += 1 }
        return q > p && q < end && b[q] == 0x3A && q - p <= 20
    }

    mutating func reportUnknownHeader(_ p: Int, _ end: Int) {
        let b = file.bytes
        var q = p
        while q < end, b[q] != 0x3A { q += 1 }
        let key = String(decoding: b[p..<q], as: UTF8.self)
        let known = Vocabulary.headers.map { $0.capitalizedFirst } + ["Table"]
        let suggestion = Suggestions.closest(to: key, in: known)
        diagnostics.append(Diagnostic(
            .unknownHeader, "`\(key):` is not a header Mandate knows", at: file.range(p, q),
            notes: ["the headers are `Procedure:`, `Goal:`, `Handles:`, `Requires:`, and `Table:` for a decision table"],
            help: suggestion.first.map { "did you mean `\($0):`?" },
            fixIts: suggestion.first.map { [FixIt(message: "write `\($0):`", range: file.range(p, q), replacement: $0)] } ?? []))
    }

    mutating func readHeader(_ key: String, keyRange: SourceRange, value: String, valueRange: SourceRange) {
        if value.isEmpty {
            diagnostics.append(Diagnostic(
                .malformedSentence, "`\(key.capitalizedFirst):` has nothing after it", at: keyRange,
                help: key == "handles" ? "list the intents it handles: `Handles: refund_request, damaged_item`"
                    : "write the \(key == "goal" ? "goal's id" : key == "requires" ? "requirement: `a verified customer`" : "procedure's name") after the colon"))
            return
        }
        switch key {
        case "procedure": name = Located(value, valueRange)
        case "goal": goal = Located(value, valueRange)
        case "handles":
            // Split on commas and `and`, keeping each name's exact range.
            let tokens = Lexer.tokenize(file.bytes, segments: [valueRange.start..<valueRange.end])
            var current: [Token] = []
            func flush() {
                guard let first = current.first, let lastToken = current.last else { return }
                let text = file.text(of: file.range(first.start, lastToken.end))
                handles.append(Located(text, file.range(first.start, lastToken.end)))
                current = []
            }
            for token in tokens.tokens {
                if token.kind == .comma || token.isWord(K.and) || token.kind == .period { flush() } else { current.append(token) }
            }
            flush()
        case "requires":
            let words: String
            if value.utf8.count == 19, value.utf8.elementsEqual("a verified customer".utf8, by: { $0 | 0x20 == $1 }) {
                // As almost every procedure writes it: no splitting and joining.
                words = "a verified customer"
            } else if value.utf8.allSatisfy({ $0 < 0x80 }) {
                // ASCII (as always in practice): lowercased and split on bytes.
                words = String(decoding: value.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
                    .utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x2E }).map { String(decoding: $0, as: UTF8.self) }
                    .joined(separator: " ")
            } else {
                words = value.lowercased().split(whereSeparator: { $0 == " " || $0 == "." }).joined(separator: " ")
            }
            if ["a verified customer", "verified customer", "the customer to be verified", "a verified user"].contains(words) {
                requires = Located(true, valueRange)
            } else {
                diagnostics.append(Diagnostic(
                    .malformedSentence, "`Requires: \(value)` is not a requirement Mandate knows", at: valueRange,
                    help: "write `Requires: a verified customer`"))
            }
        default: break
        }
    }

    mutating func readComment(_ p: Int, _ end: Int) {
        // `# mandate: allow M0412 because "…"`
        if !isSuppressionComment(p, end) { return }
        let text = file.text(of: file.range(p, end))
        let body = text.dropFirst().trimmingCharacters()
        guard body.lowercased().hasPrefix("mandate:") else { return }
        let rest = body.dropFirst("mandate:".count).trimmingCharacters()
        let list = Lexer.tokenize(file.bytes, segments: [p..<end])
        let tokens = list.tokens
        // tokens: # mandate : allow CODE because "…"
        guard let allowIndex = tokens.firstIndex(where: { list.isWord($0, "allow") }), allowIndex + 1 < tokens.count else {
            diagnostics.append(Diagnostic(
                .malformedSentence, "`# mandate: \(rest)` is not a suppression Mandate knows", at: file.range(p, end),
                help: "write `# mandate: allow M0000 because \"<why this is fine>\"`"))
            return
        }
        let codeToken = tokens[allowIndex + 1]
        let codeText = file.text(of: file.range(codeToken.start, codeToken.end)).uppercased()
        var reason: Located<String>?
        if let becauseIndex = tokens.firstIndex(where: { list.isWord($0, "because") }), becauseIndex + 1 < tokens.count,
           tokens[becauseIndex + 1].kind == .quoted, !list.text(tokens[becauseIndex + 1]).isEmpty
        {
            let q = tokens[becauseIndex + 1]
            reason = Located(list.text(q), file.range(q.start, q.end))
        }
        suppressions.append(Suppression(
            code: Located(codeText, file.range(codeToken.start, codeToken.end)), reason: reason, range: file.range(p, end), scope: nil))
    }

    /// Whether the comment at `p..<end` may be a suppression: false when it is ASCII (as
    /// almost every comment is) and does not start with `mandate:` after `#` and blanks,
    /// decided on bytes, without building its text.
    func isSuppressionComment(_ p: Int, _ end: Int) -> Bool {
        let b = file.bytes
        for k in p..<end where b[k] >= 0x80 { return true }
        var q = p + 1
        while q < end, b[q] == 0x20 || b[q] == 0x09 { q += 1 }
        let word: [UInt8] = Array("mandate:".utf8)
        guard end - q >= word.count else { return false }
        for k in 0..<word.count where b[q + k] | (word[k] == 0x3A ? 0 : 0x20) != word[k] { return false }
        return true
    }

    /// Cells of a `| a | b |` row, trimmed, with their ranges.
    func splitRow(_ p: Int, _ end: Int) -> [Located<String>] {
        var cells: [Located<String>] = []
        file.bytes.withUnsafeBufferPointer { b in
            var pipes = 0
            for k in p..<end where b[k] == UInt8(ascii: "|") { pipes += 1 }
            cells.reserveCapacity(pipes)
            forEachCell(b, p, end) { s, e in cells.append(Located(SmallWords.exact(b, s, e), file.range(s, e))) }
        }
        return cells
    }

    /// Whether a row is a rule such as `|---|:--:|`: every cell only `-`, `:` and spaces.
    func isRuleRow(_ p: Int, _ end: Int) -> Bool {
        file.bytes.withUnsafeBufferPointer { b in
            // Cheap test first: a byte other than `|`, `-`, `:` and blanks (a letter, a digit:
            // any row of values) stands in some cell, so the row is no rule.
            for k in p..<end {
                switch b[k] {
                case 0x7C, 0x2D, 0x3A, 0x20, 0x09: continue
                default: return false
                }
            }
            var rule = true
            forEachCell(b, p, end) { s, e in
                for k in s..<e where b[k] != 0x2D && b[k] != 0x3A && b[k] != 0x20 { rule = false; break }
            }
            return rule
        }
    }

    /// Calls `body` with each cell of the row `b[p..<end]` (`p` at its first `|`), trimmed
    /// of blanks; a last cell after the final `|` only when it is not blank.
    @inline(__always) func forEachCell(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int, _ body: (Int, Int) -> Void) {
        var q = p + 1
        var cellStart = q
        while q <= end {
            if q == end || b[q] == UInt8(ascii: "|") {
                var s = cellStart, e = q
                while s < e, b[s] == 0x20 || b[s] == 0x09 { s += 1 }
                while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x09 { e -= 1 }
                if q < end || s < e { body(s, e) }
                cellStart = q + 1
            }
            q += 1
        }
    }

    mutating func finishTable(
        _ name: Located<String>, _ rows: [[Located<String>]], _ rowRanges: [SourceRange], _ range: SourceRange
    ) {
        guard let header = rows.first, header.count >= 2 else {
            diagnostics.append(Diagnostic(
                .malformedTable, "the table `\(name.value)` needs a header row and at least one row", at: range,
                help: "write a header row such as `| membership | economy | business |`, a rule `|---|---|---|`, then one row per value"))
            return
        }
        var body: [(key: Located<String>, cells: [Located<String>])] = []
        for (index, row) in rows.enumerated().dropFirst() {
            if row.count != header.count {
                diagnostics.append(Diagnostic(
                    .malformedTable, "this row of `\(name.value)` has \(row.count) cells; the header has \(header.count)",
                    at: rowRanges[index], help: "give every row one cell per column"))
                continue
            }
            body.append((Located(row[0].value.smallLowercased, row[0].range), Array(row.dropFirst())))
        }
        if body.isEmpty && rows.count == 1 {
            diagnostics.append(Diagnostic(
                .malformedTable, "the table `\(name.value)` has no rows", at: range,
                help: "add one row per value below the header"))
        }
        tables.append(DecisionTable(
            name: name, rowHeader: Located(header[0].value.smallLowercased, header[0].range),
            columns: header.dropFirst().map { Located($0.value.smallLowercased, $0.range) }, rows: body, range: range))
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces.
    func trimmingCharacters() -> String { String(self).trimmingSpaces() }
}

extension String {
    /// `handles` → `Handles`.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
