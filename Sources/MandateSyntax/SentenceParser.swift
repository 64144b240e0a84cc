import MandateDiagnostics

/// A position in a window `lower..<upper` of a token list. Indices are those of the whole
/// list, so a hole of an action sentence is read in place, without copying its tokens.
struct Cursor {
    /// The tokens, read in place: copying a cursor retains nothing, and reading a token
    /// checks no bounds beyond the window's. The list outlives every cursor over it (the
    /// parse of its file, or the read of one hole).
    let tokens: UnsafeBufferPointer<Token>
    /// The window's first token.
    let lower: Int
    /// One past the window's last token.
    let upper: Int
    var index: Int

    init(tokens: UnsafeBufferPointer<Token>, window: Range<Int>) {
        self.tokens = tokens
        self.lower = window.lowerBound
        self.upper = window.upperBound
        self.index = window.lowerBound
    }

    var isEmpty: Bool { lower >= upper }
    var atEnd: Bool { index >= upper }
    /// The window's last token (the window must not be empty).
    var last: Token { tokens[upper - 1] }
    var peek: Token? { index < upper ? tokens[index] : nil }
    func peek(_ offset: Int) -> Token? { index + offset < upper ? tokens[index + offset] : nil }
    /// Whether the token at `offset` is the keyword `w` (short ASCII, lowercase, as every
    /// keyword of the parser is); reads the token in place (no copy).
    @inline(__always) func isWord(_ w: String, at offset: Int = 0) -> Bool {
        let i = index + offset
        return i < upper && tokens[i].isWord(WordKey(w))
    }
    /// Whether the token at `offset` is the keyword whose key is `k`.
    @inline(__always) func isWord(_ k: WordKey, at offset: Int = 0) -> Bool {
        let i = index + offset
        return i < upper && tokens[i].isWord(k)
    }
    @inline(__always) func isKind(_ k: Token.Kind, at offset: Int = 0) -> Bool {
        let i = index + offset
        return i < upper && tokens[i].kind == k
    }
    /// Whether the keywords `words` (short ASCII, lowercase) come next.
    func matches(_ words: [String]) -> Bool {
        guard index + words.count <= upper else { return false }
        for k in words.indices where !tokens[index + k].isWord(WordKey(words[k])) { return false }
        return true
    }
    /// Whether the keywords `keys` (a `Phrase`) come next; compares integers only.
    func matches(_ keys: [WordKey]) -> Bool {
        guard index + keys.count <= upper else { return false }
        for k in keys.indices where !tokens[index + k].isWord(keys[k]) { return false }
        return true
    }
    /// Whether the keywords `w` come next; compares integers only, with no array.
    @inline(__always) func matches(_ w: Words) -> Bool {
        guard index + w.count <= upper, tokens[index].isWord(w.k0) else { return false }
        if w.count > 1, !tokens[index + 1].isWord(w.k1) { return false }
        if w.count > 2, !tokens[index + 2].isWord(w.k2) { return false }
        if w.count > 3, !tokens[index + 3].isWord(w.k3) { return false }
        return true
    }
    @inline(__always) mutating func eat(_ w: Words) -> Bool {
        guard matches(w) else { return false }
        index += w.count
        return true
    }
    mutating func eat(_ keys: [WordKey]) -> Bool {
        guard matches(keys) else { return false }
        index += keys.count
        return true
    }
    mutating func eat(_ words: [String]) -> Bool {
        guard matches(words) else { return false }
        index += words.count
        return true
    }
    mutating func eat(_ kind: Token.Kind) -> Bool {
        guard isKind(kind) else { return false }
        index += 1
        return true
    }
    /// Skips to just after the next `.`, or to the end.
    mutating func skipSentence() {
        while let t = peek {
            index += 1
            if t.kind == .period { return }
        }
    }
}

/// One to four keywords in a row (short ASCII, lowercase), held in place: a phrase the parser
/// looks for (`Phrase`). Made from literals where it is read, it folds to constants.
struct Words {
    let k0: WordKey
    let k1: WordKey
    let k2: WordKey
    let k3: WordKey
    let count: Int

    @inline(__always) init(_ a: String) { self.init(WordKey(a), WordKey(low: 0, high: 0), WordKey(low: 0, high: 0), WordKey(low: 0, high: 0), 1) }
    @inline(__always) init(_ a: String, _ b: String) { self.init(WordKey(a), WordKey(b), WordKey(low: 0, high: 0), WordKey(low: 0, high: 0), 2) }
    @inline(__always) init(_ a: String, _ b: String, _ c: String) { self.init(WordKey(a), WordKey(b), WordKey(c), WordKey(low: 0, high: 0), 3) }
    @inline(__always) init(_ a: String, _ b: String, _ c: String, _ d: String) { self.init(WordKey(a), WordKey(b), WordKey(c), WordKey(d), 4) }
    @inline(__always) init(_ k0: WordKey, _ k1: WordKey, _ k2: WordKey, _ k3: WordKey, _ count: Int) {
        self.k0 = k0
        self.k1 = k1
        self.k2 = k2
        self.k3 = k3
        self.count = count
    }
}

/// Reads the sentences of steps, conditions and values.
public struct SentenceParser {
    let file: SourceFile
    let tables: [(words: [String], keys: Int, name: String)]
    /// The first word of every table's name (an array: a file has few tables, and comparing
    /// a short word costs less than hashing it).
    let tableFirstWords: [WordKey]
    /// What went wrong, in order.
    public internal(set) var diagnostics: [Diagnostic] = []
    /// Where the clause being read starts: "missing part" errors cover the whole sentence.
    var clauseStart = 0
    /// Whether the clause `clause` returned last could not be read.
    var lastClauseInvalid = false
    /// The procedure's items, tokens and text segments (see `LineLayer`); empty when the
    /// parser reads only values (`parseValue`).
    var items: [Item] = []
    /// The file's tokens, valid while its steps are read (`ProcedureParser.read` lends them).
    var tokens = UnsafeBufferPointer<Token>(start: nil, count: 0)
    /// The texts `tokens` do not hold themselves (see `Token.bits`).
    var texts: [String] = []
    var segments: [Range<Int>] = []
    /// Step-numbering warnings found while reading the steps, in the order
    /// `ProcedureParser.checkNumbering` would find them (see `countsNumbering`).
    var numberingDiagnostics: [Diagnostic] = []
    /// Whether the lists of steps read now are checked for numbering: those a step holds
    /// through its own sentences, not those under the clauses of an `If`, an `Otherwise`
    /// or a declined confirmation (as `checkNumbering` walks the tree).
    var countsNumbering = true
    /// Set when a shape was read whose numbering the walk must check instead: an `If …, …:`
    /// whose clauses became a step of their own, or an `Otherwise` with no `If` before it,
    /// which drops the step before it from the tree.
    var numberingIrregular = false
    /// The tokens of the file's action sentences, made at the first one (see `ActionTokens`),
    /// and the tokens it will hold, gathered while the file is read.
    var actionTokens: ActionTokens?
    var actionTokenList: [Token] = []
    /// The file's steps and statements, each list contiguous (see `ProcedureBody`).
    var body = ProcedureBody()
    /// Keeps no diagnostics (the compiler's parser for the holes of action sentences, where
    /// a candidate that does not read as a value is no error).
    public var quiet = false

    /// Makes a parser for sentences of `file`, knowing its decision tables.
    public init(file: SourceFile, tables: [DecisionTable]) {
        self.file = file
        // Each table's fields are read in place (a copy of the table would retain its rows),
        // and the lists are made at their size.
        var named: [(words: [String], keys: Int, name: String)] = []
        named.reserveCapacity(tables.count)
        var firstWords: [WordKey] = []
        firstWords.reserveCapacity(tables.count)
        for k in tables.indices {
            let name = tables[k].name.value
            // ASCII names (as always in practice) are split on bytes, without walking characters.
            let words = Self.asciiWords(name) ?? name.split(separator: " ").map(String.init)
            // The name as the parser spells it: the words joined by single spaces. Usually the
            // name as written (its length says so), with no join.
            let spelled = name.utf8.count == words.reduce(words.count - 1, { $0 + $1.utf8.count }) ? name : words.joined(separator: " ")
            if let first = words.first { firstWords.append(WordKey(first)) }
            named.append((words, tables[k].columns.count == 1 ? 1 : 2, spelled))
        }
        self.tables = named.count > 1 ? named.sorted { $0.words.count > $1.words.count } : named
        // In the tables' order as written: it is only searched.
        self.tableFirstWords = firstWords
    }

    /// The words of `name` between spaces (`name.split(separator: " ")`), read on its bytes in
    /// one pass; nil when it is not ASCII.
    static func asciiWords(_ name: String) -> [String]? {
        var name = name
        return name.withUTF8 { b -> [String]? in
            var words: [String] = []
            words.reserveCapacity(4)
            var start = 0
            for k in 0...b.count {
                if k < b.count {
                    if b[k] >= 0x80 { return nil }
                    if b[k] != 0x20 { continue }
                }
                // A word of 15 bytes or fewer is built as a small string from its bits (no
                // validation pass, no allocation).
                if k > start {
                    words.append(SmallWords.bits(b, start, k, lower: false)?.string
                        ?? String(decoding: UnsafeBufferPointer(rebasing: b[start..<k]), as: UTF8.self))
                }
                start = k + 1
            }
            return words
        }
    }

    /// The text of `t`, one of `tokens` (or of the action sentence whose hole is read).
    @inline(__always) func text(_ t: Token) -> String { t.text(in: texts) }

    @inline(__always) func range(_ c: Cursor, from start: Int) -> SourceRange {
        guard !c.isEmpty else { return file.range(0, 0) }
        let first = c.tokens[min(start, c.upper - 1)]
        let lastIndex = max(start, min(c.index, c.upper) - 1)
        let last = c.tokens[min(lastIndex, c.upper - 1)]
        return file.range(first.start, max(first.end, last.end))
    }

    func sentenceRange(_ c: Cursor) -> SourceRange {
        let start = c.peek ?? c.last
        var end = start.end
        var k = c.index
        while k < c.upper, c.tokens[k].kind != .period { end = c.tokens[k].end; k += 1 }
        return file.range(start.start, end)
    }

    mutating func error(_ code: DiagnosticCode, _ message: String, _ range: SourceRange, help: String? = nil, notes: [String] = []) {
        // A quiet parser (holes of action sentences) keeps nothing.
        guard !quiet else { return }
        diagnostics.append(Diagnostic(code, message, at: range, notes: notes, help: help))
    }

    /// Room for the file's tree, from the number of its items (a step's item usually holds
    /// one statement), so the body's arrays are seldom grown.
    mutating func reserveBody() {
        body.steps.reserveCapacity(items.count)
        body.statements.reserveCapacity(items.count + items.count / 2)
    }

    /// A list of statements being read: its statements so far are
    /// `body.statements[start..<start + count]`.
    struct OpenList {
        var start = 0
        var count = 0
        /// The list, once complete.
        var list: StatementList { count == 0 ? .empty : StatementList(start: start, count: count) }
    }

    /// Appends `statement` to `list`, in `body.statements`. A statement is appended once the
    /// lists read inside it (an `If`'s clauses and sub-steps) are complete and stored, so a
    /// list's statements are usually stored one after another as they are read; when a list
    /// read inside one was stored after the list's earlier statements, those move to the end
    /// first (their old places are left blank, named by no list). `statement` is taken, not
    /// copied.
    mutating func append(_ statement: consuming Statement, to list: inout OpenList) {
        if list.count == 0 {
            list.start = body.statements.count
        } else if body.statements.count != list.start + list.count {
            let old = list.start
            list.start = body.statements.count
            for k in old..<old + list.count {
                body.statements.append(body.statements[k])
                body.statements[k] = Statement(kind: .invalid, range: body.statements[k].range)
            }
        }
        body.statements.append(statement)
        list.count += 1
    }

    /// Hands the action sentences' tokens to their storage, once every step is read.
    mutating func finishActions() {
        actionTokens?.tokens = actionTokenList
        actionTokenList = []
    }

    // MARK: steps

    /// The steps of a list of items; `Otherwise` items attach to the `If` before them.
    mutating func steps(from list: [Int]) -> StepList {
        // The list's places are made first, at the end of `body.steps`, one for each step item
        // (the lists read inside its steps come after them); each step is then stored in its
        // place, with no copy through a scratch list. A step an `Otherwise` drops, or items an
        // `Otherwise:` takes as its own steps, leave places blank after the list: no list
        // names them.
        var room = 0
        for i in list where items[i].kind == .step { room += 1 }
        let start = body.steps.count
        if room > 0 {
            let blank = Step(label: Located("", file.range(0, 0)), statements: .empty, range: file.range(0, 0))
            for _ in 0..<room { body.steps.append(blank) }
        }
        var filled = 0
        var index = 0
        let counted = countsNumbering
        var previousValue = Int.min
        var previousLabel: String?
        while index < list.count {
            let itemIndex = list[index]
            index += 1
            // The item's fields are read in place: copying it would retain its label and children.
            switch items[itemIndex].kind {
            case .step:
                if counted {
                    // Its label against the one before, before its own sub-steps are read.
                    let label = items[itemIndex].label ?? Located("", file.range(items[itemIndex].start, items[itemIndex].start))
                    let value = ProcedureParser.labelValue(label.value)
                    if let previous = previousLabel, value <= previousValue {
                        numberingDiagnostics.append(ProcedureParser.numberingWarning(label, value: value, after: previous, previousValue: previousValue))
                    }
                    previousValue = value
                    previousLabel = label.value
                }
                let read = step(itemIndex)
                body.steps[start + filled] = read
                filled += 1
            case .bullet:
                error(.bulletOutsideList, "a bullet can only list the conditions of `If any of these is true` or `If all of these are true`",
                      file.range(items[itemIndex].start, items[itemIndex].end),
                      help: "number it as a step, or put it under an `If any of these is true:` line")
            case .otherwise:
                let hadStep = filled > 0
                let lastStep = start + filled - 1
                guard hadStep, case let lastIndex = Int(body.steps[lastStep].statements.range.upperBound) - 1,
                      !body.steps[lastStep].statements.isEmpty,
                      case .conditional(let condition, let then, nil) = body.statements[lastIndex].kind
                else {
                    if hadStep {
                        filled -= 1
                        body.steps[lastStep] = Step(label: Located("", file.range(0, 0)), statements: .empty, range: file.range(0, 0))
                    }
                    // A step dropped here is dropped from the tree, with whatever was checked in it.
                    if hadStep { numberingIrregular = true }
                    error(.otherwiseWithoutIf, "`Otherwise` has no `If` step just before it", file.range(items[itemIndex].start, items[itemIndex].end),
                          help: "put `Otherwise` right after the `If` step it answers")
                    continue
                }
                // The branch's own steps are stored after the list's places, so the step keeps its place.
                let (branch, consumed) = otherwiseBranch(itemIndex, following: list[index...])
                index += consumed
                let whole = file.range(items[itemIndex].start, items[itemIndex].end)
                body.statements[lastIndex] = Statement(
                    kind: .conditional(condition: condition, then: then, otherwise: branch),
                    range: body.statements[lastIndex].range.union(whole))
                body.steps[lastStep].range = body.steps[lastStep].range.union(whole)
            case .root:
                break
            }
        }
        return filled == 0 ? .empty : StepList(start: start, count: filled)
    }

    /// The branch an `Otherwise` item holds, and how many following items it took.
    mutating func otherwiseBranch(_ itemIndex: Int, following: ArraySlice<Int>) -> (Branch, Int) {
        // The item's fields are read in place: copying it would retain its label and children.
        let children = items[itemIndex].children
        var c = Cursor(tokens: tokens, window: items[itemIndex].tokenWindow)
        _ = c.eat(Phrase.otherwise)
        _ = c.eat(.comma)
        let blockForm = c.atEnd || c.isKind(.colon)
        if blockForm {
            _ = c.eat(.colon)
            if children.contains(where: { items[$0].kind == .step }) {
                return (.steps(steps(from: children)), 0)
            }
            let taken = following.prefix { items[$0].kind == .step }
            if taken.isEmpty {
                error(.malformedSentence, "`Otherwise:` has no steps under it", file.range(items[itemIndex].start, items[itemIndex].end),
                      help: "write what to do: `Otherwise, say \"…\"`, or sub-steps below `Otherwise:`")
            }
            return (.steps(steps(from: Array(taken))), taken.count)
        }
        var used = false
        let clauses = chain(&c, item: itemIndex, childrenUsed: &used)
        finishSentence(&c)
        return (.clauses(clauses), 0)
    }

    /// One step: its sentences, and the sub-steps an `If …:` or `For each …:` takes.
    mutating func step(_ itemIndex: Int) -> Step {
        let label = items[itemIndex].label ?? Located("", file.range(items[itemIndex].start, items[itemIndex].start))
        var c = Cursor(tokens: tokens, window: items[itemIndex].tokenWindow)
        let whole = file.range(items[itemIndex].start, items[itemIndex].end)
        if !c.isEmpty, case let bad = c.last, bad.kind == .unterminatedQuote {
            error(.unterminatedQuote, "this quotation is never closed", file.range(bad.start, min(bad.end, bad.start + 1)),
                  help: "end the quoted text with `\"`")
            var list = OpenList()
            append(Statement(kind: .invalid, range: whole), to: &list)
            return Step(label: label, statements: list.list, range: whole)
        }
        if c.isEmpty {
            error(.emptyStep, "step `\(label.value)` has no text", label.range, help: "write what the step does, or remove it")
            return Step(label: label, statements: .empty, range: whole)
        }
        // The step's statements (see `append(_:to:)`).
        var list = OpenList()
        var childrenUsed = false
        while !c.atEnd {
            if c.eat(.period) { continue }
            // Cheap tests first: the last statement's case (read in place, not copied), then
            // the decline phrases; only then are the confirmation's parts taken out.
            let lastIndex = list.start + list.count - 1
            if list.count > 0, case .confirm = body.statements[lastIndex].kind,
               let length = declineClause(c), case .confirm(let question, let declines) = body.statements[lastIndex].kind, declines.isEmpty
            {
                c.index += length
                _ = c.eat(.comma)
                let clauses = chain(&c, item: itemIndex, childrenUsed: &childrenUsed)
                body.statements[lastIndex] = Statement(
                    kind: .confirm(question: question, onDecline: clauses),
                    range: body.statements[lastIndex].range.union(range(c, from: c.index - 1)))
                finishSentence(&c)
                continue
            }
            chain(&c, item: itemIndex, childrenUsed: &childrenUsed, into: &list)
            // `Confirm "…?" If the customer declines, …` needs no period between.
            if list.count > 0, case .confirm = body.statements[list.start + list.count - 1].kind, declineClause(c) != nil { continue }
            finishSentence(&c)
        }
        if !childrenUsed, let firstIndex = items[itemIndex].children.first(where: { items[$0].kind != .root }) {
            let first = items[firstIndex]
            error(.malformedSentence, "sub-steps can only follow a step that ends with `:`",
                  file.range(first.start, first.end),
                  help: "end step `\(label.value)` with `If …:`, `For each … in …:` or `Otherwise:`, or number these as steps of their own")
        }
        return Step(label: label, statements: list.list, range: whole)
    }

    /// After a sentence: `.`, or the end; anything else is reported and skipped.
    mutating func finishSentence(_ c: inout Cursor) {
        guard let t = c.peek else { return }
        if t.kind == .period { c.index += 1; return }
        let r = sentenceRange(c)
        error(.malformedSentence, "`\(file.text(of: r).prefix(60))` does not fit the sentence before it", r,
              help: "end each sentence with a period, and join actions with `and`")
        c.skipSentence()
    }

    /// `If the customer declines` and its synonyms: the number of tokens, if present.
    func declineClause(_ c: Cursor) -> Int? {
        // Every decline phrase starts with `if`; the phrases are compared in place.
        guard c.isWord("if") else { return nil }
        return Phrase.declines.indices.first { c.matches(Phrase.declines[$0]) }.map { Phrase.declines[$0].count }
    }

    /// Clauses joined by `and`, `then`, `, and`.
    mutating func chain(_ c: inout Cursor, item: Int, childrenUsed: inout Bool) -> StatementList {
        // These clauses are no step's own sentences: the steps below them are not numbered.
        let counted = countsNumbering
        countsNumbering = false
        var list = OpenList()
        chain(&c, item: item, childrenUsed: &childrenUsed, into: &list)
        countsNumbering = counted
        return list.list
    }

    /// Clauses joined by `and`, `then`, `, and`, appended to `list`.
    mutating func chain(_ c: inout Cursor, item: Int, childrenUsed: inout Bool, into list: inout OpenList) {
        while !c.atEnd {
            // `clause` says whether it was invalid. The clause's own lists are stored before
            // it returns.
            let read = clause(&c, item: item, childrenUsed: &childrenUsed)
            append(consume read, to: &list)
            if lastClauseInvalid { break }
            if c.isKind(.comma), c.isWord("and", at: 1) || c.isWord("then", at: 1) { c.index += 2; continue }
            if c.isWord("and") || c.isWord("then") { c.index += 1; continue }
            if c.isKind(.comma), let next = c.peek(1), next.kind == .word, Vocabulary.sentenceStarterSet.contains(next.key) {
                c.index += 1
                continue
            }
            break
        }
    }

    // MARK: clauses

    /// One clause: a sentence form, or an action sentence.
    mutating func clause(_ c: inout Cursor, item: Int, childrenUsed: inout Bool) -> Statement {
        let start = c.index
        guard let first = c.peek else {
            lastClauseInvalid = true
            return Statement(kind: .invalid, range: file.range(items[item].start, items[item].end))
        }
        let outerStart = clauseStart
        clauseStart = start
        defer { clauseStart = outerStart }
        var kind: StatementKind
        switch Keyword(first) {
        case "ask" where c.isWord("for", at: 1): kind = ask(&c)
        case "confirm": kind = confirm(&c)
        case "say", "tell": kind = say(&c)
        case "escalate", "hand": kind = escalate(&c)
        case "resolve": kind = resolve(&c)
        case "set": kind = set(&c)
        case "follow": kind = follow(&c)
        case "verify" where c.matches(Phrase.verify_the_customer): kind = verify(&c)
        case "for" where c.isWord("each", at: 1): kind = forEach(&c, item: item, childrenUsed: &childrenUsed)
        case "add": kind = add(&c)
        case "if": kind = conditional(&c, item: item, childrenUsed: &childrenUsed)
        default: kind = action(&c)
        }
        lastClauseInvalid = false
        if case .invalid = kind {
            c.skipSentence()
            lastClauseInvalid = true
        }
        // Moved into the statement, not copied (a copy retains the form's box).
        return Statement(kind: consume kind, range: range(c, from: start))
    }

    mutating func malformed(_ c: inout Cursor, _ message: String, help: String) -> StatementKind {
        var whole = c
        whole.index = min(clauseStart, c.upper - 1)
        let r = sentenceRange(whole)
        error(.malformedSentence, message, r.start < r.end ? r : sentenceRange(c), help: help)
        return .invalid
    }

    mutating func template(_ token: Token) -> Template {
        let whole = file.range(token.start, token.end)
        var content = text(token)
        content.makeContiguousUTF8()
        // The text's bytes, read in place; a static function with no captured variables, so
        // its appends need no exclusivity checks.
        let read = { (b: UnsafeBufferPointer<UInt8>) in Self.templateBraces(b) }
        let (braces, bad) = content.utf8.withContiguousStorageIfAvailable(read) ?? Array(content.utf8).withUnsafeBufferPointer(read)
        let template = Template(text: content, braces: braces, range: whole)
        for b in bad {
            let inner = String(decoding: content.utf8.dropFirst(Int(b.open) + 1).prefix(Int(b.close) - Int(b.open) - 1), as: UTF8.self).trimmingSpaces()
            error(.malformedSentence, "`{\(inner)}` is not a placeholder Mandate can fill", template.range(of: b),
                  help: "name a value inside the braces, such as `{order.total}` or `{order_number}`")
        }
        return template
    }

    /// Where the placeholders of a template whose text's bytes are `b` are, and those that name
    /// nothing (a piece of their path is empty: only blanks and `_`).
    static func templateBraces(_ b: UnsafeBufferPointer<UInt8>) -> (Template.Placeholders, [Template.Braces]) {
        let n = b.count
        var i = SmallWords.firstIndex(of: 0x7B, in: b, from: 0, to: n)
        var braces = Template.Placeholders()
        guard i < n else { return (braces, []) }
        var bad: [Template.Braces] = []
        while i < n {
            // `b[i]` is `{`: its `}` (none after this `{` means none after any later one).
            let close = SmallWords.firstIndex(of: 0x7D, in: b, from: i + 1, to: n)
            guard close < n else { break }
            let found = Template.Braces(open: Int32(truncatingIfNeeded: i), close: Int32(truncatingIfNeeded: close))
            if hasEmptyPiece(b, i + 1, close) { bad.append(found) }
            braces.append(found)
            i = SmallWords.firstIndex(of: 0x7B, in: b, from: close + 1, to: n)
        }
        return (braces, bad)
    }

    /// Whether a piece of the path `b[from..<to]` (its pieces split at `.`) is empty: only
    /// blanks and `_` (see `placeholderPath`). The dots are found eight bytes at a time, and a
    /// piece whose first byte is neither a blank nor `_` (as nearly every piece's is) is not
    /// read further; any other piece is read to its end.
    @inline(__always) static func hasEmptyPiece(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var start = from
        while true {
            let end = SmallWords.firstIndex(of: 0x2E, in: b, from: start, to: to)
            if start >= end { return true }
            var k = start
            while k < end, b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x5F { k += 1 }
            if k == end { return true }
            if end == to { return false }
            start = end + 1
        }
    }

    /// `{ Order.Total }` → `["order", "total"]`, `{order number}` → `["order_number"]`: split at dots,
    /// trimmed, ASCII-lowercased, inner spaces as `_`; done on bytes (`b[from..<to]`), each part
    /// written straight into its string, as this runs for every placeholder.
    static func placeholderPath(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> [String] {
        var path: [String] = []
        var dots = 0
        for k in from..<to where b[k] == 0x2E { dots += 1 }
        path.reserveCapacity(dots + 1)
        var partStart = from
        for k in from...to where k == to || b[k] == 0x2E {
            let start = partStart
            partStart = k + 1
            // A short ASCII part with no blank and no trailing `_` (`{order.total}`): its
            // lowercased bytes are the part, built in place as a small string.
            if k > start, k - start <= 15, b[k - 1] != 0x5F,
               !b[start..<k].contains(where: { $0 >= 0x80 || $0 == 0x20 || $0 == 0x09 })
            {
                path.append(SmallWords.lowered(b, start, k))
                continue
            }
            path.append(String(unsafeUninitializedCapacity: max(k - start, 1)) { out in
                var length = 0
                for j in start..<k {
                    let byte = b[j]
                    switch byte {
                    case 0x20, 0x09:
                        if length > 0, out[length - 1] != 0x5F { out[length] = 0x5F; length += 1 }
                    case 0x41...0x5A: out[length] = byte | 0x20; length += 1
                    default: out[length] = byte; length += 1
                    }
                }
                while length > 0, out[length - 1] == 0x5F { length -= 1 }
                return length
            })
        }
        return path
    }

    mutating func ask(_ c: inout Cursor) -> StatementKind {
        c.index += 2
        let start = c.index
        _ = c.eat(Phrase.the) || c.eat(Phrase.a) || c.eat(Phrase.an) || c.eat(Phrase.their) || c.eat(Phrase.the_customers)
        // The words and where possessives split them, built directly (as `nounPhrase` does):
        // a split with no word on either side of it counts for nothing.
        var words = Spelling()
        var wordCount = 0
        var breaks: [Int] = []
        var again = false
        while c.index < c.upper {
            let kind = c.tokens[c.index].kind
            if kind == .word {
                if c.isWord("again"), c.peek(1).map({ $0.kind == .period }) ?? true { again = true; c.index += 1; break }
                words.append(c.tokens[c.index], texts: texts)
                wordCount += 1
            } else if kind == .possessive {
                if wordCount > 0, breaks.last != wordCount { breaks.append(wordCount) }
            } else {
                break
            }
            c.index += 1
        }
        if breaks.last == wordCount { breaks.removeLast() }
        guard wordCount > 0 else {
            return malformed(&c, "`Ask for` needs the value to ask for", help: "write `Ask for the order number.`")
        }
        let slot = NounPhrase(spelled: words.string, breaks: breaks, range: range(c, from: start))
        var choices: [Located<String>] = []
        var from: Expression?
        if c.isKind(.colon) {
            c.index += 1
            while let t = c.peek, t.kind == .quoted {
                choices.append(Located(text(t), file.range(t.start, t.end)))
                c.index += 1
                if !(c.eat(.comma) || c.eat(Phrase.or)) { break }
                _ = c.eat(Phrase.or)
            }
            if choices.isEmpty {
                return malformed(&c, "the choices after `Ask for the \(slot.text):` must be quoted",
                                 help: "write `Ask for the \(slot.text): \"first choice\" or \"second choice\".`")
            }
        } else if c.isKind(.comma), c.isWord("from", at: 1) {
            c.index += 2
            guard let list = value(&c) else { return .invalid }
            from = list
        }
        if c.isWord("again") { again = true; c.index += 1 }
        return .ask(Ask(slot: slot, choices: choices, from: from, again: again))
    }

    mutating func confirm(_ c: inout Cursor) -> StatementKind {
        c.index += 1
        _ = c.eat(Phrase.with_the_customer)
        _ = c.eat(.colon)
        guard let t = c.peek, t.kind == .quoted else {
            return malformed(&c, "`Confirm` needs the question in quotes", help: "write `Confirm \"Shall I refund {order.total}?\"`")
        }
        c.index += 1
        return .confirm(question: template(t), onDecline: .empty)
    }

    mutating func say(_ c: inout Cursor) -> StatementKind {
        c.index += 1
        _ = c.eat(Phrase.the_customer) || c.eat(Phrase.them)
        _ = c.eat(.colon)
        guard let t = c.peek, t.kind == .quoted else {
            var words: [String] = []
            var k = c.index
            while k < c.upper, c.tokens[k].kind != .period, words.count < 12 { words.append(file.text(of: file.range(c.tokens[k].start, c.tokens[k].end))); k += 1 }
            let said = words.isEmpty ? "Your order is on its way." : words.joined(separator: " ")
            return malformed(&c, "`Say` needs the message in quotes", help: "write `Say \"\(said)\"`")
        }
        c.index += 1
        return .say(template(t))
    }

    mutating func escalate(_ c: inout Cursor) -> StatementKind {
        if !(c.eat(Phrase.escalate_to) || c.eat(Phrase.hand_off_to) || c.eat(Phrase.escalate)) {
            return action(&c)
        }
        _ = c.eat(Phrase.the)
        let queueStart = c.index
        // The queue's words, compared by key (`because` and `queue` are short ASCII words);
        // a queue of one word (as most are) is that word's text, with no list and no join.
        let because = Phrase.because.k0, queueWord = Phrase.queue.k0
        while c.index < c.upper, case let t = c.tokens[c.index], t.kind == .word, t.key != because, t.key != queueWord || c.index == queueStart {
            c.index += 1
        }
        let queueRange = range(c, from: queueStart)
        let queueEnd = c.index
        _ = c.eat(Phrase.queue)
        guard queueEnd > queueStart else {
            return malformed(&c, "`Escalate to` needs the queue to hand off to", help: "write `Escalate to billing because \"high-value refund\".`")
        }
        let queue = queueEnd - queueStart == 1 ? text(c.tokens[queueStart])
            : (queueStart..<queueEnd).map { text(c.tokens[$0]) }.joined(separator: "-")
        guard c.eat(Phrase.because), let reason = c.peek, reason.kind == .quoted else {
            return malformed(&c, "`Escalate to \(queue)` needs a reason in quotes",
                             help: "write `Escalate to \(queue) because \"<why a person must take over>\".`")
        }
        c.index += 1
        return .escalate(queue: Located(queue, queueRange), reason: Located(text(reason), file.range(reason.start, reason.end)))
    }

    mutating func resolve(_ c: inout Cursor) -> StatementKind {
        guard c.eat(Phrase.resolve_as) || c.eat(Phrase.resolve_with) else {
            return malformed(&c, "`Resolve` needs `as` and an outcome", help: "write `Resolve as refund_issued.`")
        }
        guard let t = c.peek, t.kind == .word || t.kind == .quoted else {
            return malformed(&c, "`Resolve as` needs an outcome", help: "write `Resolve as refund_issued.` with an outcome from the goal's `resolved_when`")
        }
        c.index += 1
        return .resolve(outcome: Located(text(t), file.range(t.start, t.end)))
    }

    mutating func set(_ c: inout Cursor) -> StatementKind {
        c.index += 1
        guard let target = nounPhrase(&c, stops: Phrase.setStops) else {
            return malformed(&c, "`Set` needs a name", help: "write `Set the free bags to 2.`")
        }
        guard c.eat(Phrase.to) || c.eat(Phrase.`as`) else {
            return malformed(&c, "`Set \(target.text)` needs `to` and a value", help: "write `Set \(target.text) to <value>.`")
        }
        guard let v = value(&c) else { return .invalid }
        return .set(target: target, value: v)
    }

    mutating func follow(_ c: inout Cursor) -> StatementKind {
        c.index += 1
        _ = c.eat(Phrase.the_procedure) || c.eat(Phrase.procedure)
        if let t = c.peek, t.kind == .quoted {
            c.index += 1
            return .follow(procedure: Located(text(t), file.range(t.start, t.end)))
        }
        return malformed(&c, "`Follow` needs the procedure's name in quotes", help: "write `Follow \"Verify the customer\".`")
    }

    mutating func verify(_ c: inout Cursor) -> StatementKind {
        c.index += 3
        var methods: [[NounPhrase]] = []
        while c.eat(Phrase.by) || c.eat(Phrase.using) || c.eat(Phrase.with) {
            var method: [NounPhrase] = []
            repeat {
                guard let np = nounPhrase(&c, stops: []) else {
                    return malformed(&c, "`Verify the customer by` needs the details to check",
                                     help: "write `Verify the customer by email, or by name and zip code.`")
                }
                method.append(np)
            } while c.eat(Phrase.and)
            methods.append(method)
            _ = c.eat(.comma)
            if !c.eat(Phrase.or) { break }
        }
        guard !methods.isEmpty else {
            return malformed(&c, "`Verify the customer` needs `by` and the details to check",
                             help: "write `Verify the customer by email, or by name and zip code.`")
        }
        return .verify(methods: methods)
    }

    mutating func forEach(_ c: inout Cursor, item itemIndex: Int, childrenUsed: inout Bool) -> StatementKind {
        c.index += 2
        guard let v = c.peek, v.kind == .word else {
            return malformed(&c, "`For each` needs a name for each item", help: "write `For each item in the items to return:`")
        }
        c.index += 1
        guard c.eat(Phrase.`in`) || c.eat(Phrase.of) else {
            return malformed(&c, "`For each \(text(v))` needs `in` and the list", help: "write `For each \(text(v)) in the <list>:`")
        }
        guard let list = value(&c) else { return .invalid }
        guard c.eat(.colon) else {
            return malformed(&c, "`For each \(text(v)) in …` must end with `:` and have sub-steps below it",
                             help: "end the line with `:` and write lettered sub-steps below it")
        }
        childrenUsed = true
        let body = steps(from: items[itemIndex].children)
        if body.isEmpty {
            error(.malformedSentence, "`For each \(text(v))` has no sub-steps", file.range(items[itemIndex].start, items[itemIndex].end),
                  help: "write lettered sub-steps below it")
        }
        return .forEach(variable: Located(text(v), file.range(v.start, v.end)), list: list, body: body)
    }

    mutating func add(_ c: inout Cursor) -> StatementKind {
        c.index += 1
        // The value runs to the first `to` of the sentence (the grammar's rule).
        var end = c.index
        var lastTo: Int?
        while end < c.upper, c.tokens[end].kind != .period {
            if c.tokens[end].isWord(K.to), lastTo == nil { lastTo = end }
            end += 1
        }
        guard let to = lastTo, to > c.index else {
            return malformed(&c, "`Add` needs `to` and the list to add to", help: "write `Add the new item to the new items.`")
        }
        var inner = Cursor(tokens: c.tokens, window: c.index..<to)
        guard let v = value(&inner) else { return .invalid }
        c.index = to + 1
        guard let list = nounPhrase(&c, stops: []) else {
            return malformed(&c, "`Add` needs `to` and the list to add to", help: "write `Add the new item to the new items.`")
        }
        return .add(value: v, list: list)
    }

    /// An action sentence: to the end of the sentence, or to `and` + a sentence keyword.
    mutating func action(_ c: inout Cursor) -> StatementKind {
        let start = c.index
        // Tokens are read in place (a copy would retain each one's text).
        while c.index < c.upper {
            let kind = c.tokens[c.index].kind
            if kind == .period || kind == .colon { break }
            if kind == .comma || c.isWord(K.and) || c.isWord(K.then) {
                let k = kind == .comma && (c.isWord(K.and, at: 1) || c.isWord(K.then, at: 1)) ? 2 : 1
                if c.index + k < c.upper, case let nextKey = c.tokens[c.index + k].key, Vocabulary.sentenceStarterSet.contains(nextKey),
                   !(nextKey == K.for && !c.isWord(K.each, at: k + 1)), !(nextKey == WordKey("ask") && !c.isWord(K.for, at: k + 1))
                { break }
            }
            c.index += 1
        }
        guard c.index > start else { return .invalid }
        // The sentence keeps a window of its file's action tokens, to which its own are
        // copied: the file's other tokens are not kept alive by the syntax tree. They are
        // gathered here and handed to the storage once the file is read (`finishActions`).
        let storage: ActionTokens
        if let existing = actionTokens {
            storage = existing
        } else {
            storage = ActionTokens(texts: texts)
            actionTokens = storage
            // About half a generated file's tokens are its action sentences'.
            actionTokenList.reserveCapacity(max(16, tokens.count / 2))
        }
        let first = actionTokenList.count
        // Tokens hold no references: the sentence's are appended as one copy of bytes.
        actionTokenList.append(contentsOf: UnsafeBufferPointer(rebasing: c.tokens[start..<c.index]))
        return .action(ActionSentence(storage: storage, window: first..<actionTokenList.count, range: range(c, from: start)))
    }

    // MARK: conditionals

    mutating func conditional(_ c: inout Cursor, item itemIndex: Int, childrenUsed: inout Bool) -> StatementKind {
        // The item's fields are read in place: copying it would retain its label and children.
        let children = items[itemIndex].children
        c.index += 1
        var condition: Condition
        var bulletForm = false
        let headStart = c.index
        // Every list form starts with `any` or `all`: the forms are compared only then, in
        // place (taking each out of the table would retain its arrays).
        var listForm: Int?
        if c.isWord("any") || c.isWord("all") {
            listForm = Phrase.listForms.indices.first { c.matches(Phrase.listForms[$0].keys) }
        }
        if let form = listForm {
            let (words, keys, isAny) = Phrase.listForms[form]
            c.index += keys.count
            bulletForm = true
            childrenUsed = true
            let bullets = children.filter { items[$0].kind == .bullet }
            if bullets.isEmpty {
                error(.malformedCondition, "`If \(words.joined(separator: " "))` has no conditions below it", range(c, from: headStart),
                      help: "list the conditions below it, one per line, each starting with `- `")
            }
            let conditions = bullets.map { bulletCondition($0) }
            condition = isAny ? .or(conditions) : .and(conditions)
        } else {
            condition = self.condition(&c)
            if case .invalid = condition {
                childrenUsed = true  // the condition's own error says what is wrong; its sub-steps are not
                return .invalid
            }
        }
        // An `Otherwise` answers the nearest `If` step before it at its own level; only when
        // none stands there does it answer this `If`, whose sub-steps those are.
        var otherwiseItem: Int?
        var previousIsIf = false
        for child in children {
            switch items[child].kind {
            case .step:
                // Read through the static test: a call of a method that does not mutate, from
                // one that does, copies the whole parser first (retaining its every array).
                previousIsIf = items[child].segmentEnd > items[child].segmentStart
                    && Self.startsWithIf(segments[items[child].segmentStart], in: file.bytes)
            case .otherwise:
                if previousIsIf { previousIsIf = false } else if otherwiseItem == nil { otherwiseItem = child }
            default: break
            }
        }
        if !bulletForm {
            for bulletIndex in children where items[bulletIndex].kind == .bullet {
                error(.bulletOutsideList, "a bullet can only list the conditions of `If any of these is true` or `If all of these are true`",
                      file.range(items[bulletIndex].start, items[bulletIndex].end), help: "write sub-steps with letters: `a. …`")
            }
        }
        var then: Branch
        if c.eat(.colon) {
            childrenUsed = true
            let stepItems: [Int]
            if let o = otherwiseItem, let at = children.firstIndex(where: { $0 == o }) {
                stepItems = children[..<at].filter { items[$0].kind == .step || items[$0].kind == .otherwise }
            } else {
                // Usually every child is a step: the list itself, without filtering it into a new one.
                stepItems = children.allSatisfy { items[$0].kind == .step || items[$0].kind == .otherwise } ? children
                    : children.filter { items[$0].kind == .step || items[$0].kind == .otherwise }
            }
            if stepItems.isEmpty {
                error(.malformedSentence, "this `If …:` has no sub-steps below it", file.range(items[itemIndex].start, items[itemIndex].end),
                      help: "write lettered sub-steps below it, or write the step on the same line: `If …, <what to do>.`")
            }
            then = .steps(steps(from: stepItems))
        } else if c.eat(.comma) || c.eat(Phrase.then) {
            let clauses = chain(&c, item: itemIndex, childrenUsed: &childrenUsed)
            then = .clauses(clauses)
            if c.eat(.colon) {
                // `If any of these is true, cancel the reservation:` — the sub-steps below the
                // bullets run after the clauses, in the same branch.
                let end = otherwiseItem.flatMap { o in children.firstIndex { $0 == o } } ?? children.count
                let stepItems = children[..<end].filter { items[$0].kind == .step || items[$0].kind == .otherwise }
                if !stepItems.isEmpty {
                    // The clauses become a step whose sub-steps the walk checks: left to it.
                    numberingIrregular = true
                    let lead = Step(label: Located("", file.range(items[itemIndex].start, items[itemIndex].start)), statements: clauses,
                                    range: clauses.isEmpty ? file.range(items[itemIndex].start, items[itemIndex].end)
                                        : body.statements[clauses.range.lowerBound].range.union(body.statements[clauses.range.upperBound - 1].range))
                    // The lead step, then the sub-steps: one list (the sub-steps, read first,
                    // are copied after the lead; a rare shape).
                    let sub = steps(from: Array(stepItems))
                    let start = body.steps.count
                    body.steps.append(lead)
                    for k in sub.range { body.steps.append(body.steps[k]) }
                    then = .steps(StepList(start: start, count: sub.count + 1))
                }
                childrenUsed = true
            }
            if bulletForm || otherwiseItem != nil { childrenUsed = true }
        } else {
            error(.malformedCondition, "after the condition, write `,` and what to do, or `:` and sub-steps below",
                  sentenceRange(c), help: "for example: `If the order total is more than $150, escalate to billing because \"high-value refund\".`")
            return .invalid
        }
        var otherwise: Branch?
        if let o = otherwiseItem, childrenUsed {
            let after = children.firstIndex(where: { $0 == o }).map { children[(children.index(after: $0))...] } ?? []
            otherwise = otherwiseBranch(o, following: after).0
        }
        return .conditional(condition: condition, then: then, otherwise: otherwise)
    }

    /// Whether the text `first` of `b` (an item's first segment) starts with `If` and a
    /// blank, after blanks.
    static func startsWithIf(_ first: Range<Int>, in b: [UInt8]) -> Bool {
        var p = first.lowerBound
        while p < first.upperBound, b[p] == 0x20 || b[p] == 0x09 { p += 1 }
        return p + 2 < first.upperBound && b[p] | 0x20 == 0x69 && b[p + 1] | 0x20 == 0x66 && (b[p + 2] == 0x20 || b[p + 2] == 0x09)
    }

    mutating func bulletCondition(_ itemIndex: Int) -> Condition {
        var c = Cursor(tokens: tokens, window: items[itemIndex].tokenWindow)
        guard !c.atEnd else { return .invalid(file.range(items[itemIndex].start, items[itemIndex].end)) }
        let result = condition(&c)
        while c.isKind(.comma) || c.isKind(.period) || c.isWord("or") || c.isWord("and") || c.isKind(.symbol) && c.peek.map { text($0) } == ";" {
            c.index += 1
        }
        if !c.atEnd, case .invalid = result {} else if !c.atEnd {
            error(.malformedCondition, "`\(file.text(of: sentenceRange(c)))` does not continue the condition", sentenceRange(c),
                  help: "write one condition per bullet")
        }
        return result
    }

    // MARK: conditions

    /// `a or b`, with `and` binding tighter.
    mutating func condition(_ c: inout Cursor) -> Condition {
        // Most conditions have no `or`: no array for them.
        let first = andCondition(&c)
        guard c.isWord("or"), let next = c.peek(1), !Self.isLiteralStart(next) else { return first }
        var parts = [first]
        while c.isWord("or"), let next = c.peek(1), !Self.isLiteralStart(next) {
            c.index += 1
            parts.append(andCondition(&c))
        }
        return .or(parts)
    }

    @inline(__always) mutating func andCondition(_ c: inout Cursor) -> Condition {
        let first = simpleCondition(&c)
        guard c.isWord("and"), let next = c.peek(1), !Self.isLiteralStart(next), !startsClause(c, at: 1) else { return first }
        var parts = [first]
        while c.isWord("and"), let next = c.peek(1), !Self.isLiteralStart(next), !startsClause(c, at: 1) {
            c.index += 1
            parts.append(simpleCondition(&c))
        }
        return .and(parts)
    }

    /// Whether a sentence keyword starts at `offset` (so `and` ends the condition).
    func startsClause(_ c: Cursor, at offset: Int) -> Bool {
        guard let t = c.peek(offset), t.kind == .word else { return false }
        switch Keyword(t) {
        case "say", "escalate", "resolve", "confirm", "follow", "set", "verify": return true
        case "ask": return c.isWord("for", at: offset + 1)
        default: return false
        }
    }

    /// Whether the token at `offset` starts a literal.
    static func literalStarts(_ c: Cursor, at offset: Int) -> Bool {
        guard let t = c.peek(offset) else { return false }
        return isLiteralStart(t)
    }

    static func isLiteralStart(_ t: Token) -> Bool {
        switch t.kind {
        case .quoted, .number, .money, .percent, .date: true
        default: false
        }
    }

    mutating func conditionError(_ c: inout Cursor, _ message: String, help: String) -> Condition {
        let r = c.atEnd ? file.range(c.last.start, c.last.end) : sentenceRange(c)
        error(.malformedCondition, message, r, help: help)
        c.skipSentence()
        return .invalid(r)
    }

    mutating func simpleCondition(_ c: inout Cursor) -> Condition {
        // Quantifiers: every/any/no/each <name> in <list> <predicate>
        if let q = c.peek, q.kind == .word, WordKey.contains(Phrase.quantifiers, q.key),
           let length = (1...3).first(where: { n in (1...n).allSatisfy { c.isKind(.word, at: $0) && !c.isWord("in", at: $0) } && (c.isWord("in", at: n + 1) || c.isWord("of", at: n + 1)) })
        {
            let words = (1...length).map { text(c.peek($0)!) }
            let v = c.peek(1)!, vEnd = c.peek(length)!.end
            c.index += length + 2
            guard let list = value(&c) else { return .invalid(file.range(q.start, vEnd)) }
            let variable = Located(words.joined(separator: "_"), file.range(v.start, vEnd))
            let subject = Expression.noun(NounPhrase(segments: [words], range: variable.range))
            let predicate = self.predicate(&c, subject: subject)
            let quantifier: Quantifier = text(q) == "any" ? .any : text(q) == "no" ? .none : .every
            return .quantified(quantifier, variable: variable, list: list, predicate: predicate)
        }
        guard let subject = value(&c) else {
            return conditionError(&c, "this condition does not start with a value Mandate can read",
                                  help: "start with what to check, such as `the order total is more than $150`")
        }
        // A noun phrase `value` returns ends at the token before the cursor: its last word is
        // that token, or the one before a closing `'s`.
        let end = c.index - 1
        let lastWord = c.tokens[end].kind == .possessive ? c.tokens[end - 1].key : c.tokens[end].key
        return predicate(&c, subject: subject, lastWord: lastWord)
    }

    /// Whether `subject` is a noun phrase that ends in the words of a comparison with words
    /// before them (`the order total more than`), and which comparison; `lastWord` is the
    /// phrase's last word's key when the caller knows it (nil: read from the phrase).
    func swallowedComparison(_ subject: Expression, lastWord: WordKey?) -> (phrase: NounPhrase, comparison: [String])? {
        // The usual case, told without taking the phrase out of the value.
        if let lastWord, !Self.mayEndComparison(lastWord) { return nil }
        guard case .noun(let np) = subject, Self.mayEndComparison(lastWord ?? np.lastWordKey) else { return nil }
        let words = np.words
        guard let (comparison, _) = Vocabulary.comparisons.first(where: { words.count > $0.words.count && words.suffix($0.words.count).elementsEqual($0.words) })
        else { return nil }
        return (np, comparison)
    }

    /// Whether `word` is the last word of a comparison phrase (`Vocabulary.comparisonEnds`:
    /// `than`, `least`, …), compared with the words' constant keys (no lazy global, no list;
    /// `comparisonEndsMatchTheVocabulary` holds them to the table).
    @inline(__always) static func mayEndComparison(_ word: WordKey) -> Bool {
        word == K.than || word == K.to || word == K.over || word == K.above || word == K.least
            || word == K.under || word == K.below || word == K.most
    }

    /// What is said about `subject`: `is more than …`, `was delivered …`, `has …`, `contains …`.
    ///
    /// `subject` is taken, not copied: the condition made holds it. `lastWord` is the key of its
    /// last word when it is a noun phrase and the caller knows it (see `swallowedComparison`).
    mutating func predicate(_ c: inout Cursor, subject: __owned Expression, lastWord: WordKey? = nil) -> Condition {
        // `the order total more than $150`: the comparison words were read into the value; `is` is missing.
        // Only a phrase ending in a comparison's last word can have swallowed one: test that first.
        if lastWord.map(Self.mayEndComparison) ?? true, let (np, comparison) = swallowedComparison(subject, lastWord: lastWord) {
            let words = comparison
            let value = np.words.dropLast(words.count).joined(separator: " ")  // rare: broken input only
            error(.malformedCondition, "`is` is missing between `\(value)` and `\(words.joined(separator: " "))`", np.range,
                  help: "write `the \(value) is \(words.joined(separator: " ")) …`")
            c.skipSentence()
            return .invalid(np.range)
        }
        guard let t = c.peek, t.kind == .word else {
            return conditionError(&c, "`\(file.text(of: subject.range))` needs something said about it",
                                  help: "write a comparison such as `is more than $150`, `is \"delivered\"` or `is missing`")
        }
        switch Keyword(t) {
        case "is", "are":
            c.index += 1
            let negated = c.eat(Phrase.not)
            // The word forms below are tried only when a word follows (`is "delivered"` needs none of them).
            let wordFollows = c.isKind(.word)
            if wordFollows, c.eat(Phrase.one_of) || c.eat(Phrase.any_of) || c.eat(Phrase.`in`) {
                var options: [Expression] = []
                options.reserveCapacity(4)
                while true {
                    _ = c.eat(Phrase.or) || c.eat(Phrase.and)
                    guard let v = value(&c) else { return .invalid(subject.range) }
                    options.append(v)
                    // `, "b"`, `, or …`, `, and …`: the comma is passed; `or "b"`, `and "b"`: the word is read next.
                    if c.isKind(.comma), Self.literalStarts(c, at: 1) || c.isWord("or", at: 1) || c.isWord("and", at: 1) {
                        c.index += 1
                        continue
                    }
                    if c.isWord("or") || c.isWord("and"), Self.literalStarts(c, at: 1) { continue }
                    break
                }
                return .oneOf(subject, options, negated: negated)
            }
            if wordFollows, c.eat(Phrase.missing) || c.eat(Phrase.empty) || c.eat(Phrase.unknown) || c.eat(Phrase.not_given) {
                return .missing(subject, negated: negated)
            }
            if wordFollows, c.eat(Phrase.present) || c.eat(Phrase.known) || c.eat(Phrase.given) {
                return .missing(subject, negated: !negated)
            }
            if wordFollows, c.matches(Phrase.on_the), let tier = c.peek(2), tier.kind == .word, c.isWord("tier", at: 3) {
                c.index += 4
                return .onTier(subject: subject, tier: Located(text(tier), file.range(tier.start, tier.end)), negated: negated)
            }
            if wordFollows, let k = Self.comparison(at: c) {
                let op = Vocabulary.comparisonKeys[k].op
                c.index += Vocabulary.comparisonKeys[k].keys.count
                guard let rhs = value(&c) else { return .invalid(subject.range) }
                return .compare(subject, negated ? op.negated : op, rhs)
            }
            if let next = c.peek, Self.isLiteralStart(next) || next.kind == .word && (WordKey.contains(Vocabulary.determinerKeys, next.key) || next.key == K.now || next.key == K.today || Self.boolean(next.key) != nil) {
                guard let rhs = value(&c) else { return .invalid(subject.range) }
                // `the reason is "health" or "weather"` reads as one of. The list is made only
                // when a second value comes: most comparisons have one.
                var options: [Expression] = []
                while (c.isWord("or") || (c.isKind(.comma) && c.isWord("or", at: 1))), let n = c.peek(c.isKind(.comma) ? 2 : 1), Self.isLiteralStart(n) {
                    c.index += c.isKind(.comma) ? 2 : 1
                    guard let v = value(&c) else { break }
                    if options.isEmpty { options.reserveCapacity(4); options.append(rhs) }
                    options.append(v)
                }
                if !options.isEmpty { return .oneOf(subject, options, negated: negated) }
                return .compare(subject, negated ? .notEqual : .equal, rhs)
            }
            if let words = stateWords(&c) { return .state(subject: subject, words: words, negated: negated) }
            return conditionError(&c, "`\(file.text(of: subject.range)) is` needs a value or a comparison after it",
                                  help: "write `is \"delivered\"`, `is more than $150`, `is one of \"a\", \"b\"` or `is missing`")
        case "was", "were":
            c.index += 1
            let negated = c.eat(Phrase.not)
            guard case .noun(let np) = subject, let verb = c.peek, verb.kind == .word else {
                return conditionError(&c, "`was` needs a record and what happened to it",
                                      help: "write `the order was delivered more than 30 days ago`")
            }
            c.index += 1
            let verbLocated = Located(text(verb), file.range(verb.start, verb.end))
            if c.eat(Phrase.more_than) || c.eat(Phrase.over) {
                guard let d = duration(&c), c.eat(Phrase.ago) else {
                    return conditionError(&c, "`was \(text(verb)) more than` needs a duration and `ago`",
                                          help: "write `was \(text(verb)) more than 30 days ago`")
                }
                return .time(subject: np, verb: verbLocated, relation: negated ? .lessThanAgo(d) : .moreThanAgo(d))
            }
            if c.eat(Phrase.less_than) {
                guard let d = duration(&c), c.eat(Phrase.ago) else {
                    return conditionError(&c, "`was \(text(verb)) less than` needs a duration and `ago`",
                                          help: "write `was \(text(verb)) less than 2 hours ago`")
                }
                return .time(subject: np, verb: verbLocated, relation: negated ? .moreThanAgo(d) : .lessThanAgo(d))
            }
            if c.eat(Phrase.within_the_last) || c.eat(Phrase.in_the_last) || c.eat(Phrase.within_the_past) || c.eat(Phrase.within) {
                guard let d = duration(&c) else {
                    return conditionError(&c, "`within the last` needs a duration", help: "write `within the last 24 hours`")
                }
                return .time(subject: np, verb: verbLocated, relation: negated ? .moreThanAgo(d) : .withinLast(d))
            }
            if c.eat(Phrase.before) {
                guard let v = value(&c) else { return .invalid(subject.range) }
                return .time(subject: np, verb: verbLocated, relation: .before(v))
            }
            if c.eat(Phrase.after) {
                guard let v = value(&c) else { return .invalid(subject.range) }
                return .time(subject: np, verb: verbLocated, relation: .after(v))
            }
            var words = [text(verb)]
            var end = verb.end
            while let w = c.peek, w.kind == .word, text(w) != "and", text(w) != "or" { words.append(text(w)); end = w.end; c.index += 1 }
            return .state(subject: subject, words: Located(words.joined(separator: " "), file.range(verb.start, end)), negated: negated)
        case "has", "have", "had":
            c.index += 1
            var negated = c.eat(Phrase.not) || c.eat(Phrase.no)
            if c.eat(Phrase.been) {
                if c.eat(Phrase.not) { negated.toggle() }
                guard let words = stateWords(&c) else {
                    return conditionError(&c, "`has been` needs a word after it", help: "write `has been flown`")
                }
                return .state(subject: subject, words: words, negated: negated)
            }
            _ = c.eat(Phrase.a) || c.eat(Phrase.an) || c.eat(Phrase.the)
            guard let words = stateWords(&c) else {
                return conditionError(&c, "`has` needs what the record has", help: "write `the customer has travel insurance`")
            }
            return .has(subject: subject, words: words, negated: negated)
        case "does", "do":
            if c.matches([text(t), "not", "contain"]) || c.matches([text(t), "not", "include"]) {
                c.index += 3
                guard let v = value(&c) else { return .invalid(subject.range) }
                return .contains(subject, v, negated: true)
            }
            if c.matches([text(t), "not", "have"]) {
                c.index += 3
                _ = c.eat(Phrase.a) || c.eat(Phrase.an)
                guard let words = stateWords(&c) else { return .invalid(subject.range) }
                return .has(subject: subject, words: words, negated: true)
            }
        case "contains", "contain", "includes", "include":
            c.index += 1
            guard let v = value(&c) else { return .invalid(subject.range) }
            return .contains(subject, v, negated: false)
        case "sounds", "seems", "sound", "seem":
            c.index += 1
            guard let words = stateWords(&c) else { return .invalid(subject.range) }
            return .sounds(subject: subject, words: words)
        default:
            break
        }
        return conditionError(&c, "`\(file.text(of: subject.range)) \(text(t))` is not a condition Mandate can read",
                              help: "after the value, write `is …`, `was …`, `has …` or `contains …`")
    }

    /// Bare words up to `and`, `or` or punctuation: `available`, `travel insurance`.
    mutating func stateWords(_ c: inout Cursor) -> Located<String>? {
        // Compared by key (`and`, `or`, `then` are short ASCII words); one word (as most
        // are) is its own text, with no list and no join.
        let first = c.index
        while c.index < c.upper, case let w = c.tokens[c.index], w.kind == .word, w.key != K.and, w.key != K.or, w.key != K.then {
            c.index += 1
        }
        guard c.index > first else { return nil }
        let words = c.index - first == 1 ? text(c.tokens[first]) : (first..<c.index).map { text(c.tokens[$0]) }.joined(separator: " ")
        return Located(words, file.range(c.tokens[first].start, c.tokens[c.index - 1].end))
    }

    /// The comparison phrase (`Vocabulary.comparisonKeys`) that comes next, if any: its index.
    static func comparison(at c: Cursor) -> Int? {
        guard let t = c.peek, t.kind == .word else { return nil }
        let comparisons = Vocabulary.comparisonKeys
        // A phrase is compared only when its first word is the token's.
        for k in comparisons.indices where comparisons[k].keys[0] == t.key && c.matches(comparisons[k].keys) { return k }
        return nil
    }

    // MARK: values

    /// `Vocabulary.arithmetic[word]`, without hashing the word: compared with the words'
    /// constant keys (no lazy global to reach; `arithmeticAndBooleansMatchTheVocabulary`
    /// holds them to the table).
    @inline(__always) static func arithmetic(_ word: WordKey) -> ArithmeticOperator? {
        if word == K.plus { return .add }
        if word == K.minus { return .subtract }
        if word == K.times { return .multiply }
        return nil
    }

    /// `Vocabulary.booleans[word]`, without hashing the word (see `arithmetic`).
    @inline(__always) static func boolean(_ word: WordKey) -> Bool? {
        if word == K.yes || word == K.true { return true }
        if word == K.no || word == K.false { return false }
        return nil
    }

    /// `a plus b minus c`.
    mutating func value(_ c: inout Cursor) -> Expression? {
        guard var lhs = term(&c) else { return nil }
        while let t = c.peek, t.kind == .word, let op = Self.arithmetic(t.key) {
            c.index += 1
            guard let rhs = term(&c) else { return nil }
            lhs = .arithmetic(op, lhs, rhs)
        }
        return lhs
    }

    mutating func duration(_ c: inout Cursor) -> DurationLiteral? {
        guard let n = c.peek, n.kind == .number, let amount = Int(text(n)), let u = c.peek(1), u.kind == .word,
              let unit = LiteralParser.durationUnit(text(u))
        else { return nil }
        c.index += 2
        return DurationLiteral(amount: amount, unit: unit)
    }

    mutating func literalError(_ t: Token, _ e: LiteralError) -> Expression? {
        error(.invalidLiteral, e.message, file.range(t.start, t.end), help: e.help)
        return nil
    }

    /// A literal, `now`, `the number of …`, `the total … of …`, a table lookup, or a noun phrase.
    mutating func term(_ c: inout Cursor) -> Expression? {
        guard let t = c.peek else {
            let last = c.last
            error(.malformedCondition, "a value is missing at the end of this sentence", file.range(last.start, last.end),
                  help: "finish the sentence with the value to use")
            return nil
        }
        let r = file.range(t.start, t.end)
        switch t.kind {
        case .quoted:
            c.index += 1
            return .literal(.text(text(t)), r)
        case .money:
            c.index += 1
            switch LiteralParser.money(text(t)) {
            case .success(let m): return .literal(.money(m), r)
            case .failure(let e): return literalError(t, e)
            }
        case .percent:
            c.index += 1
            guard let p = LiteralParser.percent(text(t)) else {
                return literalError(t, LiteralError(message: "`\(text(t))` is not a percentage", help: "write a percentage such as `80%`"))
            }
            return .literal(.percent(p), r)
        case .date:
            c.index += 1
            guard let d = LiteralParser.date(text(t)) else {
                return literalError(t, LiteralError(message: "`\(text(t))` is not a date on the calendar", help: "write a date as YYYY-MM-DD, such as `2026-11-20`"))
            }
            return .literal(.date(d), r)
        case .number:
            if let u = c.peek(1), u.kind == .word {
                let upper = file.text(of: file.range(u.start, u.end))
                if upper.count == 3, upper == upper.uppercased(), upper.allSatisfy(\.isLetter) {
                    c.index += 2
                    switch LiteralParser.money("\(text(t)) \(upper)") {
                    case .success(let m): return .literal(.money(m), r.union(file.range(u.start, u.end)))
                    case .failure(let e): return literalError(t, e)
                    }
                }
                if let unit = LiteralParser.durationUnit(text(u)) {
                    guard let amount = Int(text(t)) else {
                        return literalError(t, LiteralError(message: "`\(text(t)) \(text(u))` is not a whole number of \(unit.rawValue)",
                                                            help: "write a whole number, such as `30 days`"))
                    }
                    c.index += 2
                    return .literal(.duration(DurationLiteral(amount: amount, unit: unit)), r.union(file.range(u.start, u.end)))
                }
                if text(u) == "percent" {
                    c.index += 2
                    guard let p = LiteralParser.percent(text(t) + "%") else { return nil }
                    return .literal(.percent(p), r.union(file.range(u.start, u.end)))
                }
            }
            c.index += 1
            // Most numbers have no thousands separator: no split and join for them.
            return .literal(.number(text(t).utf8.contains(0x2C) ? text(t).replacingOccurrences(",", "") : text(t)), r)
        case .word:
            let key = t.key
            if key == K.now { c.index += 1; return .now(r) }
            if key == K.today { c.index += 1; return .today(r) }
            if let b = Self.boolean(key), key != K.no || !(c.peek(1)?.kind == .word) {
                c.index += 1
                return .literal(.boolean(b), r)
            }
            let start = c.index
            // The counting and summing forms are told by their first two words: their phrases
            // are compared only when those fit.
            let startsWithThe = key == K.the
            let second = c.index + 1 < c.upper ? c.tokens[c.index + 1].key : .none
            let counting = startsWithThe ? second == K.number || second == K.count : key == K.number && second == K.of
            if counting, c.eat(Phrase.the_number_of) || c.eat(Phrase.number_of) || c.eat(Phrase.the_count_of) {
                guard let list = term(&c) else { return nil }
                var whose: Condition?
                if c.eat(Phrase.whose) || c.eat(Phrase.`where`) || c.eat(Phrase.that) {
                    let field = value(&c)
                    if let field { whose = predicate(&c, subject: field) }
                }
                return .count(list: list, whose: whose, range: range(c, from: start))
            }
            if startsWithThe, second == K.total || second == K.sum, c.eat(Phrase.the_total) || c.eat(Phrase.the_sum_of_the) {
                guard let field = nounPhrase(&c, stops: []), c.eat(Phrase.of) else {
                    error(.malformedCondition, "`the total` needs a field and `of` the list", range(c, from: start),
                          help: "write `the total price of the items`")
                    return nil
                }
                guard let list = term(&c) else { return nil }
                return .total(field: field, list: list, range: range(c, from: start))
            }
            if let lookup = tableLookup(&c) { return lookup }
            guard let np = nounPhrase(&c, stops: []) else {
                error(.malformedCondition, "`\(text(t))` is not a value Mandate can read", r,
                      help: "name a value such as `the order total`, or write a literal such as `$150` or `\"delivered\"`")
                return nil
            }
            if c.isWord(K.of), let next = c.peek(1), next.kind == .word {
                c.index += 1
                guard let base = term(&c) else { return nil }
                return .fieldOf(field: np, base: base)
            }
            return .noun(np)
        default:
            error(.malformedCondition, "`\(text(t))` cannot start a value", r,
                  help: "name a value such as `the order total`, or write a literal such as `$150`")
            return nil
        }
    }

    /// `the free checked bags for <value> [and <value>]`. The cheap test (does a table's name
    /// start here?) is made where it is called, as most values are no lookup.
    @inline(__always) mutating func tableLookup(_ c: inout Cursor) -> Expression? {
        guard !tableFirstWords.isEmpty else { return nil }
        let skip = c.isWord(K.the) ? 1 : 0
        guard let first = c.peek(skip), first.kind == .word, WordKey.contains(tableFirstWords, first.key) else { return nil }
        return tableLookup(&c, skip: skip)
    }

    /// A lookup of a table whose name may start after `skip` tokens.
    mutating func tableLookup(_ c: inout Cursor, skip: Int) -> Expression? {
        let start = c.index
        for table in tables {
            var matched = true
            for (k, w) in table.words.enumerated() {
                let i = c.index + skip + k
                // A table's words may be long or not ASCII: compared with the text's list.
                if i >= c.upper || !c.tokens[i].isWord(w, in: texts) { matched = false; break }
            }
            guard matched, c.isWord("for", at: skip + table.words.count) else { continue }
            let nameStart = c.tokens[c.index + skip].start
            let nameEnd = c.tokens[c.index + skip + table.words.count - 1].end
            c.index += skip + table.words.count + 1
            var keys: [Expression] = []
            keys.reserveCapacity(table.keys)
            for k in 0..<table.keys {
                if k > 0 && !c.eat(Phrase.and) { break }
                guard let v = term(&c) else { return nil }
                keys.append(v)
            }
            return .tableLookup(table: Located(table.name, file.range(nameStart, nameEnd)), keys: keys,
                                range: range(c, from: start))
        }
        return nil
    }

    /// `the order total`, `the customer's membership`: words up to a stop word.
    mutating func nounPhrase(_ c: inout Cursor, stops: [WordKey]) -> NounPhrase? {
        let start = c.index
        let stopWords = Vocabulary.stopWordSet
        if c.index < c.upper, case let first = c.tokens[c.index].key, first == K.the || first == WordKey("a") || first == WordKey("an") { c.index += 1 }
        // One pass: the words are spelled as they are found (a phrase's `'s` splits are few:
        // their list is made at the first).
        var words = Spelling()
        var wordCount = 0
        var breaks: [Int] = []
        var end = c.index
        var lastBreak = -1
        while end < c.upper {
            // The token's kind and key are read in place: a copy would retain its text.
            let kind = c.tokens[end].kind
            let key = c.tokens[end].key
            if kind == .word, stops.isEmpty || !WordKey.contains(stops, key), !stopWords.contains(key) {
                words.append(c.tokens[end], texts: texts)
                wordCount += 1
            } else if kind == .possessive, wordCount > 0, lastBreak != wordCount {
                lastBreak = wordCount
                breaks.append(wordCount)
            } else {
                break
            }
            end += 1
        }
        guard wordCount > 0 else {
            c.index = start
            return nil
        }
        c.index = end
        if breaks.last == wordCount { breaks.removeLast() }
        return NounPhrase(spelled: words.string, breaks: breaks, range: range(c, from: start))
    }

    // MARK: public entry points for the compiler

    /// Parses a value from the tokens `window` of an action sentence (a hole), in place;
    /// nil and diagnostics on failure. `window` holds indices of `sentence.tokens`.
    public mutating func parseValue(in sentence: ActionSentence, window: Range<Int>) -> Expression? {
        texts = sentence.texts
        return sentence.storage.tokens.withUnsafeBufferPointer { b in
            var c = Cursor(tokens: b, window: window)
            guard !c.isEmpty, let v = value(&c) else { return nil }
            return c.atEnd ? v : nil
        }
    }
}

extension ComparisonOperator {
    /// `is not more than` → `at most`.
    var negated: ComparisonOperator {
        switch self {
        case .equal: .notEqual
        case .notEqual: .equal
        case .greaterThan: .atMost
        case .atLeast: .lessThan
        case .lessThan: .atLeast
        case .atMost: .greaterThan
        }
    }
}

extension String {
    /// Every occurrence of `target` (one character) removed or replaced.
    func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// The fixed word sequences the sentence parser looks for. A single phrase is a `Words`, made
/// where it is read from its literal words (so reading one costs no lazy initialisation of a
/// global and no array); the lists of phrases and of words are arrays, made once.
enum Phrase {
    /// Words that end the name in `Set <name> to …`.
    static let setStops = WordKey.list(["to", "as"])
    /// Words that start a quantified condition: `every item in …`.
    static let quantifiers = WordKey.list(["every", "any", "no", "each", "all"])
    @inline(__always) static var a: Words { Words("a") }
    @inline(__always) static var after: Words { Words("after") }
    @inline(__always) static var ago: Words { Words("ago") }
    @inline(__always) static var an: Words { Words("an") }
    @inline(__always) static var and: Words { Words("and") }
    @inline(__always) static var any_of: Words { Words("any", "of") }
    @inline(__always) static var `as`: Words { Words("as") }
    @inline(__always) static var because: Words { Words("because") }
    @inline(__always) static var been: Words { Words("been") }
    @inline(__always) static var before: Words { Words("before") }
    @inline(__always) static var by: Words { Words("by") }
    @inline(__always) static var empty: Words { Words("empty") }
    @inline(__always) static var escalate: Words { Words("escalate") }
    @inline(__always) static var escalate_to: Words { Words("escalate", "to") }
    @inline(__always) static var given: Words { Words("given") }
    @inline(__always) static var hand_off_to: Words { Words("hand", "off", "to") }
    @inline(__always) static var `in`: Words { Words("in") }
    @inline(__always) static var in_the_last: Words { Words("in", "the", "last") }
    @inline(__always) static var known: Words { Words("known") }
    @inline(__always) static var less_than: Words { Words("less", "than") }
    @inline(__always) static var missing: Words { Words("missing") }
    @inline(__always) static var more_than: Words { Words("more", "than") }
    @inline(__always) static var no: Words { Words("no") }
    @inline(__always) static var not: Words { Words("not") }
    @inline(__always) static var not_given: Words { Words("not", "given") }
    @inline(__always) static var number_of: Words { Words("number", "of") }
    @inline(__always) static var of: Words { Words("of") }
    @inline(__always) static var on_the: Words { Words("on", "the") }
    @inline(__always) static var one_of: Words { Words("one", "of") }
    @inline(__always) static var or: Words { Words("or") }
    @inline(__always) static var otherwise: Words { Words("otherwise") }
    @inline(__always) static var over: Words { Words("over") }
    @inline(__always) static var present: Words { Words("present") }
    @inline(__always) static var procedure: Words { Words("procedure") }
    @inline(__always) static var queue: Words { Words("queue") }
    @inline(__always) static var resolve_as: Words { Words("resolve", "as") }
    @inline(__always) static var resolve_with: Words { Words("resolve", "with") }
    @inline(__always) static var that: Words { Words("that") }
    @inline(__always) static var the: Words { Words("the") }
    @inline(__always) static var the_count_of: Words { Words("the", "count", "of") }
    @inline(__always) static var the_customer: Words { Words("the", "customer") }
    @inline(__always) static var the_customers: Words { Words("the", "customer's") }
    @inline(__always) static var the_number_of: Words { Words("the", "number", "of") }
    @inline(__always) static var the_procedure: Words { Words("the", "procedure") }
    @inline(__always) static var the_sum_of_the: Words { Words("the", "sum", "of", "the") }
    @inline(__always) static var the_total: Words { Words("the", "total") }
    @inline(__always) static var their: Words { Words("their") }
    @inline(__always) static var them: Words { Words("them") }
    @inline(__always) static var then: Words { Words("then") }
    @inline(__always) static var to: Words { Words("to") }
    @inline(__always) static var unknown: Words { Words("unknown") }
    @inline(__always) static var using: Words { Words("using") }
    @inline(__always) static var verify_the_customer: Words { Words("verify", "the", "customer") }
    @inline(__always) static var `where`: Words { Words("where") }
    @inline(__always) static var whose: Words { Words("whose") }
    @inline(__always) static var with: Words { Words("with") }
    @inline(__always) static var with_the_customer: Words { Words("with", "the", "customer") }
    @inline(__always) static var within: Words { Words("within") }
    @inline(__always) static var within_the_last: Words { Words("within", "the", "last") }
    @inline(__always) static var within_the_past: Words { Words("within", "the", "past") }
    /// `If any of these is true` and its kin: the words and whether one is enough.
    static let listForms: [(words: [String], keys: [WordKey], isAny: Bool)] = [
        (["any", "of", "these", "is", "true"], true), (["any", "of", "these", "are", "true"], true),
        (["any", "of", "the", "following", "is", "true"], true), (["any", "of", "the", "following", "are", "true"], true),
        (["all", "of", "these", "are", "true"], false), (["all", "of", "these", "is", "true"], false),
        (["all", "of", "the", "following", "are", "true"], false), (["all", "of", "the", "following", "is", "true"], false),
    ].map { ($0.0, WordKey.list($0.0), $0.1) }
    /// `If the customer declines` and its synonyms.
    static let declines: [[WordKey]] = [
        ["if", "the", "customer", "declines"], ["if", "the", "customer", "says", "no"],
        ["if", "they", "decline"], ["if", "the", "customer", "does", "not", "agree"],
    ].map(WordKey.list)
}
