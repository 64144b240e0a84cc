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
        // A short ASCII label (as every label is: `12`, `b`) is read from the small string's
        // bits: one letter, or up to eight digits; anything else goes the general way below.
        if SmallWords.enabled {
            let x = unsafeBitCast(label, to: (UInt64, UInt64).self)
            let n = Int((x.1 >> 56) & 0x0F)
            if x.1 >> 60 == 0xE, n >= 1, n <= 8 {
                let first = UInt8(truncatingIfNeeded: x.0)
                if n == 1, first >= 0x61, first <= 0x7A { return Int(first) - 96 }
                var value = 0
                var k = 0
                while k < n {
                    let d = UInt8(truncatingIfNeeded: x.0 >> UInt64(8 * k))
                    guard d >= 0x30, d <= 0x39 else { break }
                    value = value * 10 + Int(d - 0x30)
                    k += 1
                }
                if k == n { return value }
            }
        }
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

    init(kind: Kind, indent: Int, label: Located<String>?, start: Int, end: Int, segments: Range<Int>) {
        self.kind = kind
        self.indent = indent
        self.label = label
        self.start = start
        self.end = end
        self.segmentStart = segments.lowerBound
        self.segmentEnd = segments.upperBound
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
        // Little room for now: `lex` makes room for every item's text at once (at most a token
        // a byte), and only `Handles:` is lexed before that.
        tokens = TokenSink(capacity: 16)
        // Room for the texts of a few long quotations at once, rather than growing one by one.
        tokens.texts.reserveCapacity(16)
    }

    /// The item tree while it is read: items and text segments written in place into
    /// arrays made at their largest size (one item and one segment a line at most, and the
    /// root), each item's parent, and the open items.
    struct Room {
        let items: UnsafeMutablePointer<Item>
        var itemCount = 0
        let segments: UnsafeMutablePointer<Range<Int>>
        var segmentCount = 0
        /// `parents[k]`: the item that item k is below.
        let parents: UnsafeMutablePointer<Int>
        /// The open items, innermost last: `stack[0..<depth]`, the root first.
        let stack: UnsafeMutablePointer<Int>
        var depth = 0

        /// Adds an item below the innermost open item, and opens it.
        @inline(__always) mutating func add(_ item: Item) {
            (items + itemCount).initialize(to: item)
            parents[itemCount] = depth > 0 ? stack[depth &- 1] : 0
            stack[depth] = itemCount
            depth &+= 1
            itemCount &+= 1
        }

        /// Extends item `index`'s text (the newest item's) with `range`, merging it with its
        /// last range when contiguous.
        @inline(__always) mutating func addText(_ index: Int, _ range: Range<Int>, contiguous: Bool) {
            if contiguous, items[index].segmentEnd > items[index].segmentStart {
                segments[segmentCount &- 1] = segments[segmentCount &- 1].lowerBound..<range.upperBound
            } else {
                (segments + segmentCount).initialize(to: range)
                segmentCount &+= 1
                items[index].segmentEnd = segmentCount
            }
            items[index].end = max(items[index].end, range.upperBound)
        }

        /// Gives every item the list of the items below it, in order, each list made once at
        /// its size: the items sorted by parent (counting), `scratch` holding
        /// `2 * itemCount + 1` integers.
        func listChildren(_ scratch: UnsafeMutablePointer<Int>) {
            let n = itemCount
            guard n > 1 else { return }
            let offsets = scratch, order = scratch + (n &+ 1)
            offsets.initialize(repeating: 0, count: n &+ 1)
            for k in 1..<n { offsets[parents[k] &+ 1] &+= 1 }
            for p in 0..<n { offsets[p &+ 1] &+= offsets[p] }
            // Each parent's children go to its place in turn; after this, `offsets[p]` is where
            // the children of `p` end, and so where those of `p + 1` start.
            for k in 1..<n {
                order[offsets[parents[k]]] = k
                offsets[parents[k]] &+= 1
            }
            for p in 0..<n {
                let start = p == 0 ? 0 : offsets[p &- 1], end = offsets[p]
                if end > start { items[p].children = Array(UnsafeBufferPointer(start: order + start, count: end &- start)) }
            }
        }
    }

    /// Lexes every item's text once, into `tokens`.
    mutating func lex() {
        let bytes = file.bytes
        let segments = self.segments
        bytes.withUnsafeBufferPointer { b in
            segments.withUnsafeBufferPointer { s in
                items.withUnsafeMutableBufferPointer { it in Lexer.lexItems(b, s, it, into: &tokens) }
            }
        }
    }

    /// A decision table being read: its name, its lines, and its rows (rule rows left out).
    struct OpenTable {
        var name: Located<String>
        var start: Int
        var end: Int
        var rows: [Range<Int>]
    }

    /// Reads the file line by line: headers, comments, tables, and the item tree.
    mutating func run() {
        let bytes = file.bytes
        let starts = file.lineStarts
        let lines = starts.count
        var builtSegments: [Range<Int>] = []
        let builtItems = [Item](unsafeUninitializedCapacity: lines &+ 1) { itemRoom, itemCount in
            // Scratch integers: the parents, the stack, room to list the children, then the
            // segments (two integers each), copied into their array once all are read: an array
            // of plain values made from a buffer is allocated on the path specialized for its
            // type, where `Array(unsafeUninitializedCapacity:)` looks the array's type up each time.
            let intCount = (lines &+ 1) &+ (ProcedureParser.maxDepth &+ 2) &+ (2 &* (lines &+ 1) &+ 1)
            withUnsafeTemporaryAllocation(of: Int.self, capacity: intCount &+ 2 &* lines) { scratch in
                guard let items = itemRoom.baseAddress, let ints = scratch.baseAddress else { return }
                let segments = UnsafeMutableRawPointer(ints + intCount).bindMemory(to: Range<Int>.self, capacity: lines)
                var room = Room(items: items, segments: segments, parents: ints, stack: ints + (lines &+ 1))
                room.add(Item(kind: .root, indent: -1, label: nil, start: 0, end: 0, segments: 0..<0))
                bytes.withUnsafeBufferPointer { b in
                    starts.withUnsafeBufferPointer { s in scan(b, s, &room) }
                }
                room.listChildren(ints + ((lines &+ 1) &+ (ProcedureParser.maxDepth &+ 2)))
                itemCount = room.itemCount
                builtSegments = Array(UnsafeBufferPointer(start: segments, count: room.segmentCount))
            }
        }
        items = builtItems
        segments = builtSegments
    }

    /// `run` on the file's bytes and line starts.
    private mutating func scan(_ b: UnsafeBufferPointer<UInt8>, _ starts: UnsafeBufferPointer<Int>, _ room: inout Room) {
        var last: Int?             // the item the next text line may continue
        var lastLineWasItemText = false
        var seenStep = false
        var reportedDepth = false
        var table: OpenTable?
        // Where each header key was first seen (its key's range), when it was.
        var headerSeen: (SourceRange?, SourceRange?, SourceRange?, SourceRange?) = (nil, nil, nil, nil)
        // Suppressions waiting for their step, and those whose step is still open.
        var pendingSuppressions: [Int] = []
        var openScopes: [(index: Int, indent: Int)] = []
        let count = b.count

        for lineIndex in 0..<starts.count {
            let lineStart = starts[lineIndex]
            var lineEnd = lineIndex &+ 1 < starts.count ? starts[lineIndex &+ 1] &- 1 : count
            if lineEnd > lineStart, b[lineEnd &- 1] == 0x0D { lineEnd &-= 1 }
            var p = lineStart
            var indent = 0
            while p < lineEnd {
                let d = b[p]
                if d == 0x20 { indent &+= 1 } else if d == 0x09 { indent &+= 4 } else { break }
                p &+= 1
            }
            if p == lineEnd {  // blank
                lastLineWasItemText = false
                if let t = table { finishTable(t, b); table = nil }
                continue
            }
            let c = b[p]
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
                } else if !Self.isRuleRow(b, p, lineEnd) {
                    table!.rows.append(p..<lineEnd)
                    table!.end = lineEnd
                }
                lastLineWasItemText = false
                continue
            }
            if let t = table { finishTable(t, b); table = nil }

            // `Key: value` lines: headers and tables.
            if Self.mayStartWithKey(b, p, lineEnd), let (key, keyEnd) = Self.headerKey(b, p, lineEnd) {
                var v = keyEnd &+ 1
                while v < lineEnd, b[v] == 0x20 || b[v] == 0x09 { v &+= 1 }
                let valueRange = file.range(v, lineEnd)
                let value = trimmedText(v, lineEnd)
                if key == .table {
                    // Room for a few rows at once, rather than growing one by one.
                    var rows: [Range<Int>] = []
                    rows.reserveCapacity(8)
                    table = OpenTable(name: Located(value.smallLowercased, valueRange), start: p, end: lineEnd, rows: rows)
                    lastLineWasItemText = false
                    last = nil
                    continue
                }
                if !seenStep && indent == 0 {
                    let keyRange = file.range(p, keyEnd)
                    let seen: SourceRange?
                    switch key {
                    case .procedure: seen = headerSeen.0; headerSeen.0 = seen ?? keyRange
                    case .goal: seen = headerSeen.1; headerSeen.1 = seen ?? keyRange
                    case .handles: seen = headerSeen.2; headerSeen.2 = seen ?? keyRange
                    case .requires: seen = headerSeen.3; headerSeen.3 = seen ?? keyRange
                    case .table: seen = nil  // read above
                    }
                    if let first = seen {
                        let name = key.name.capitalizedFirst
                        diagnostics.append(Diagnostic(
                            .duplicateHeader, "`\(name):` is given twice", at: keyRange,
                            label: "second time", labels: [DiagnosticLabel(range: first, message: "first time")],
                            help: "keep one `\(name):` line"))
                        continue
                    }
                    readHeader(key, keyRange: keyRange, value: value, valueRange: valueRange)
                    lastLineWasItemText = false
                    continue
                }
            }

            // Items: numbered or lettered steps, bullets, `Otherwise`.
            var kind: Item.Kind?
            var label: Located<String>?
            var textStart = p
            if let after = Self.marker(b, p, lineEnd) {
                kind = .step
                label = Located(Self.shortLabel(b, p, after &- 1), file.range(p, after &- 1))
                textStart = after
            } else if (c == UInt8(ascii: "-") || c == UInt8(ascii: "*")), p &+ 1 < lineEnd, b[p &+ 1] == 0x20 {
                kind = .bullet
                textStart = p &+ 2
            } else if Self.startsWithOtherwise(b, p, lineEnd) {
                kind = .otherwise
            }
            while textStart < lineEnd, b[textStart] == 0x20 || b[textStart] == 0x09 { textStart &+= 1 }

            guard let itemKind = kind else {
                // A text line: continues the item above it.
                if let item = last, lastLineWasItemText || indent > room.items[item].indent {
                    room.addText(item, p..<lineEnd, contiguous: lastLineWasItemText)
                    lastLineWasItemText = true
                } else if !seenStep && indent == 0 && Self.looksLikeHeader(b, p, lineEnd) {
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
            // Close the open items at this indentation or deeper (never the root).
            while room.depth > 1, room.items[room.stack[room.depth &- 1]].indent >= indent { room.depth &-= 1 }
            if room.depth > ProcedureParser.maxDepth {
                if !reportedDepth {
                    diagnostics.append(Diagnostic(
                        .nestingTooDeep, "sub-steps are nested more than \(ProcedureParser.maxDepth) levels deep",
                        at: file.range(p, lineEnd),
                        help: "split the deepest part into its own procedure and `Follow` it"))
                    reportedDepth = true
                }
                room.depth = ProcedureParser.maxDepth
            }
            if itemKind == .step, !(openScopes.isEmpty && pendingSuppressions.isEmpty) {
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
            let item = room.itemCount
            var text = room.segmentCount..<room.segmentCount
            if textStart < lineEnd {
                (room.segments + room.segmentCount).initialize(to: textStart..<lineEnd)
                room.segmentCount &+= 1
                text = text.lowerBound..<room.segmentCount
            }
            room.add(Item(kind: itemKind, indent: indent, label: label, start: p, end: lineEnd, segments: text))
            last = item
            lastLineWasItemText = true
        }
        if let t = table { finishTable(t, b) }
    }

    /// `file.text(of: start..<end).trimmingSpaces()`; ASCII text (almost every header) is
    /// trimmed on bytes, without walking the string's characters.
    func trimmedText(_ start: Int, _ end: Int) -> String {
        file.bytes.withUnsafeBufferPointer { b in
            for k in start..<end where b[k] >= 0x80 { return file.text(of: file.range(start, end)).trimmingSpaces() }
            var s = start, e = end
            while s < e, b[s] == 0x20 || b[s] == 0x09 { s &+= 1 }
            while e > s, b[e &- 1] == 0x20 || b[e &- 1] == 0x09 { e &-= 1 }
            return SmallWords.exact(b, s, e)
        }
    }

    /// `12.` or `b.` followed by a space or the line's end: where the step's text starts (the
    /// label is `b[p..<after - 1]`).
    @inline(__always) static func marker(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int) -> Int? {
        var q = p
        while q < end, b[q] &- 0x30 < 10 { q &+= 1 }
        if q > p, q &- p <= 4, q < end, b[q] == 0x2E, q &+ 1 == end || b[q &+ 1] == 0x20 || b[q &+ 1] == 0x09 {
            return q &+ 1
        }
        if q == p, p &+ 1 < end, b[p] &- 0x61 < 26, b[p &+ 1] == 0x2E,
           p &+ 2 == end || b[p &+ 2] == 0x20 || b[p &+ 2] == 0x09
        {
            return p &+ 2
        }
        return nil
    }

    /// The label `b[p..<q]` (one to four ASCII bytes: digits, or one letter) as a small
    /// string, its bits put together from the bytes.
    @inline(__always) static func shortLabel(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ q: Int) -> String {
        var low: UInt64 = 0
        for k in 0..<(q &- p) { low |= UInt64(b[p &+ k]) &<< UInt64(8 &* k) }
        return WordKey(low: low, high: SmallWords.tagged(0, q &- p)).string
    }

    /// `otherwise` in any case at `p`, not followed by a letter; compared on bytes.
    @inline(__always) static func startsWithOtherwise(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int) -> Bool {
        guard end &- p >= 9, b[p] | 0x20 == UInt8(ascii: "o") else { return false }
        var k = 0
        for w in "otherwise".utf8 {
            if b[p &+ k] | 0x20 != w { return false }
            k &+= 1
        }
        return p &+ 9 == end || !Lexer.isLetter(b[p &+ 9])
    }

    /// A known header or `Table` key at the line's start: which, and the colon's offset.
    static func headerKey(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int) -> (HeaderKey, Int)? {
        var q = p
        while q < end, q &- p <= 12, Lexer.isLetter(b[q]) { q &+= 1 }
        // Cheap test first: most lines are steps or text, with no `Word:` at their start.
        guard q > p, q < end, b[q] == 0x3A, q &- p <= 12 else { return nil }
        // A–Z lowered on bytes and compared as a small string's bits: a key that is not
        // ASCII is no header either way.
        guard let bits = SmallWords.bits(b, p, q, lower: true), let key = HeaderKey(bits) else { return nil }
        return (key, q)
    }

    /// The keys of `Key: value` lines: the headers (`Vocabulary.headers`, in its order) and
    /// `Table`. Told apart by their bits, without making the key's text.
    enum HeaderKey: Int, CaseIterable {
        case procedure, goal, handles, requires, table

        /// The key as written in lowercase, as `Vocabulary.headers` lists it.
        var name: String {
            switch self {
            case .procedure: "procedure"
            case .goal: "goal"
            case .handles: "handles"
            case .requires: "requires"
            case .table: "table"
            }
        }

        /// The key whose lowercased bits (`WordKey`) are `bits`, if any: compared as two words
        /// with each key's bits, written out (a test checks them against the names).
        @inline(__always) init?(_ bits: WordKey) {
            switch (bits.low, bits.high) {
            case (0x7275_6465_636F_7270, 0xE900_0000_0000_0065): self = .procedure
            case (0x0000_0000_6C61_6F67, 0xE400_0000_0000_0000): self = .goal
            case (0x0073_656C_646E_6168, 0xE700_0000_0000_0000): self = .handles
            case (0x7365_7269_7571_6572, 0xE800_0000_0000_0000): self = .requires
            case (0x0000_0065_6C62_6174, 0xE500_0000_0000_0000): self = .table
            default: return nil
            }
        }
    }

    /// Whether the line at `p` may start with a header key (`headerKey`): its first four bytes
    /// are ASCII letters and a colon may follow, every key being four ASCII letters or more.
    /// Most lines (steps, sub-steps, text) fail here, without a call.
    @inline(__always) static func mayStartWithKey(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int) -> Bool {
        guard end &- p > 4 else { return false }
        return (b[p] | 0x20) &- 0x61 < 26 && (b[p &+ 1] | 0x20) &- 0x61 < 26
            && (b[p &+ 2] | 0x20) &- 0x61 < 26 && (b[p &+ 3] | 0x20) &- 0x61 < 26
    }

    /// `Word:` or `Two words:` at the start: an attempted header.
    static func looksLikeHeader(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int) -> Bool {
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

    mutating func readHeader(_ key: HeaderKey, keyRange: SourceRange, value: String, valueRange: SourceRange) {
        if value.isEmpty {
            diagnostics.append(Diagnostic(
                .malformedSentence, "`\(key.name.capitalizedFirst):` has nothing after it", at: keyRange,
                help: key == .handles ? "list the intents it handles: `Handles: refund_request, damaged_item`"
                    : "write the \(key == .goal ? "goal's id" : key == .requires ? "requirement: `a verified customer`" : "procedure's name") after the colon"))
            return
        }
        switch key {
        case .procedure: name = Located(value, valueRange)
        case .goal: goal = Located(value, valueRange)
        case .handles:
            // Split on commas and `and`, keeping each name's exact range. Lexed into the file's
            // room for tokens (empty until `lex`) and dropped from it again.
            let mark = tokens.count, textMark = tokens.texts.count
            file.bytes.withUnsafeBufferPointer { b in
                tokens.reserve(max(0, valueRange.end - valueRange.start))
                _ = Lexer.lexSegment(b, valueRange.start, min(valueRange.end, b.count), &tokens)
            }
            var start = -1, end = 0
            func flush() {
                guard start >= 0 else { return }
                handles.append(Located(file.text(of: file.range(start, end)), file.range(start, end)))
                start = -1
            }
            for token in tokens.buffer[mark...] {
                if token.kind == .comma || token.isWord(K.and) || token.kind == .period {
                    flush()
                } else {
                    if start < 0 { start = token.start }
                    end = token.end
                }
            }
            flush()
            tokens.truncate(to: mark, texts: textMark)
        case .requires:
            let words: String
            if Self.equalsIgnoringCase(value, "a verified customer") {
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
        case .table: break  // a table is read by `scan`
        }
    }

    /// Whether `value` is `lower` (lowercase ASCII) with any of its letters in capitals,
    /// compared on the bytes of both (`|` 0x20 on each byte of `value`, as before).
    static func equalsIgnoringCase(_ value: String, _ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard value.utf8.count == n else { return false }
        let w = lower.utf8Start
        return value.utf8.withContiguousStorageIfAvailable { v in
            for k in 0..<n where v[k] | 0x20 != w[k] { return false }
            return true
        } ?? value.utf8.elementsEqual(UnsafeBufferPointer(start: w, count: n), by: { $0 | 0x20 == $1 })
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
        file.bytes.withUnsafeBufferPointer { b in
            var q = p &+ 1
            while q < end, b[q] == 0x20 || b[q] == 0x09 { q &+= 1 }
            // `mandate:`, its letters in any case, compared on bytes (no array made for it).
            if end &- q >= 8 {
                var k = 0
                var same = true
                for w in "mandate:".utf8 {
                    if b[q &+ k] | (w == 0x3A ? 0 : 0x20) != w { same = false; break }
                    k &+= 1
                }
                if same { return true }
            }
            // Otherwise, whether any byte is not ASCII: eight at a time.
            var k = p
            if let base = b.baseAddress {
                while k &+ 8 <= end {
                    if UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return true }
                    k &+= 8
                }
            }
            while k < end { if b[k] >= 0x80 { return true }; k &+= 1 }
            return false
        }
    }

    /// Whether a row is a rule such as `|---|:--:|`: every cell only `-`, `:` and spaces.
    static func isRuleRow(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int) -> Bool {
        // Cheap test first: a byte other than `|`, `-`, `:` and blanks (a letter, a digit:
        // any row of values) stands in some cell, so the row is no rule.
        var tab = false
        for k in p..<end {
            switch b[k] {
            case 0x7C, 0x2D, 0x3A, 0x20: continue
            case 0x09: tab = true
            default: return false
            }
        }
        // With no tab, every cell holds only `-`, `:` and spaces: a rule. A tab may stand inside
        // a cell, between its dashes, which makes the row no rule.
        if !tab { return true }
        var rule = true
        forEachCell(b, p, end) { s, e in
            for k in s..<e where b[k] != 0x2D && b[k] != 0x3A && b[k] != 0x20 { rule = false; break }
        }
        return rule
    }

    /// The cells of a row `b[p..<end]` (`p` at its first `|`), trimmed of blanks, one after
    /// the other; a last cell after the final `|` only when it is not blank.
    struct Cells {
        /// Where the next cell starts.
        private var q: Int
        private let end: Int

        init(_ row: Range<Int>) {
            q = row.lowerBound &+ 1
            end = row.upperBound
        }

        /// The next cell's bytes, `s..<e`: up to the next `|` (found eight bytes at a time).
        @inline(__always) mutating func next(_ b: UnsafeBufferPointer<UInt8>) -> (s: Int, e: Int)? {
            guard q <= end else { return nil }
            let at = SmallWords.firstIndex(of: UInt8(ascii: "|"), in: b, from: q, to: end)
            var s = q, e = at
            q = at &+ 1
            while s < e, b[s] == 0x20 || b[s] == 0x09 { s &+= 1 }
            while e > s, b[e &- 1] == 0x20 || b[e &- 1] == 0x09 { e &-= 1 }
            return at < end || s < e ? (s, e) : nil
        }
    }

    /// Calls `body` with each cell of the row `b[p..<end]` (see `Cells`).
    @inline(__always) static func forEachCell(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int, _ body: (Int, Int) -> Void) {
        var cells = Cells(p..<end)
        while let (s, e) = cells.next(b) { body(s, e) }
    }

    /// The number of cells of the row `b[row]`.
    static func cellCount(_ b: UnsafeBufferPointer<UInt8>, _ row: Range<Int>) -> Int {
        // One cell before each `|` after the first, counted eight bytes at a time, and one after
        // the last `|` when it is not blank (as `Cells` gives them).
        var n = 0
        var k = row.lowerBound &+ 1
        var last = row.lowerBound
        let end = row.upperBound
        if let base = b.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            while k &+ 8 <= end {
                // Exactly the bytes that are `|`: the top bit of each, no carry between bytes.
                let y = UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self) ^ (ones &* 0x7C)
                let pipes = ~(((y & (ones &* 0x7F)) &+ ones &* 0x7F) | y) & (ones &* 0x80)
                if pipes != 0 {
                    n &+= pipes.nonzeroBitCount
                    last = k &+ ((63 &- pipes.leadingZeroBitCount) &>> 3)
                }
                k &+= 8
            }
        }
        while k < end {
            if b[k] == 0x7C { n &+= 1; last = k }
            k &+= 1
        }
        var t = last &+ 1
        while t < end, b[t] == 0x20 || b[t] == 0x09 { t &+= 1 }
        return t < end ? n &+ 1 : n
    }

    /// The cell `b[s..<e]` of the file numbered `pathID`, as written or lowercased (a header or
    /// a row's key). Static, so that the closures filling a row capture no copy of the layer.
    /// The row's next `count` cells (fewer if it has fewer), made at their size. (Room made
    /// by `reserveCapacity`, whose allocation is specialized for the element type, then
    /// appended: `Array(unsafeUninitializedCapacity:)` allocates through the standard
    /// library's unspecialized path, a look-up of the array's type each time.)
    @inline(__always) static func cells(_ b: UnsafeBufferPointer<UInt8>, _ row: inout Cells, count: Int, pathID: UInt32, lowered: Bool) -> [Located<String>] {
        var list: [Located<String>] = []
        list.reserveCapacity(count)
        var n = 0
        while n < count, let (s, e) = row.next(b) {
            list.append(Self.cell(b, s, e, pathID: pathID, lowered: lowered))
            n &+= 1
        }
        return list
    }

    @inline(__always) static func cell(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, pathID: UInt32, lowered: Bool) -> Located<String> {
        let text = SmallWords.exact(b, s, e)
        return Located(lowered ? text.smallLowercased : text, SourceRange(pathID: pathID, start: s, end: e))
    }

    /// Checks the table read and adds it: its header row gives the row key's name and the
    /// columns, every other row its key and its cells, made once from the bytes.
    mutating func finishTable(_ table: OpenTable, _ b: UnsafeBufferPointer<UInt8>) {
        let range = file.range(table.start, table.end)
        let pathID = file.pathID
        let width = table.rows.isEmpty ? 0 : Self.cellCount(b, table.rows[0])
        guard width >= 2 else {
            diagnostics.append(Diagnostic(
                .malformedTable, "the table `\(table.name.value)` needs a header row and at least one row", at: range,
                help: "write a header row such as `| membership | economy | business |`, a rule `|---|---|---|`, then one row per value"))
            return
        }
        var header = Cells(table.rows[0])
        let (ks, ke) = header.next(b)!
        let rowHeader = Self.cell(b, ks, ke, pathID: pathID, lowered: true)
        // The header's other cells, and each row's after its key, are `width - 1` cells.
        let columns = Self.cells(b, &header, count: width &- 1, pathID: pathID, lowered: true)
        var body: [(key: Located<String>, cells: [Located<String>])] = []
        body.reserveCapacity(table.rows.count &- 1)
        for index in 1..<table.rows.count {
            let row = table.rows[index]
            let count = Self.cellCount(b, row)
            if count != width {
                diagnostics.append(Diagnostic(
                    .malformedTable, "this row of `\(table.name.value)` has \(count) cells; the header has \(width)",
                    at: file.range(row.lowerBound, row.upperBound), help: "give every row one cell per column"))
                continue
            }
            var cells = Cells(row)
            let (rs, re) = cells.next(b)!
            let key = Self.cell(b, rs, re, pathID: pathID, lowered: true)
            let values = Self.cells(b, &cells, count: width &- 1, pathID: pathID, lowered: false)
            body.append((key: key, cells: values))
        }
        if body.isEmpty && table.rows.count == 1 {
            diagnostics.append(Diagnostic(
                .malformedTable, "the table `\(table.name.value)` has no rows", at: range,
                help: "add one row per value below the header"))
        }
        tables.append(DecisionTable(name: table.name, rowHeader: rowHeader, columns: columns, rows: body, range: range))
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
