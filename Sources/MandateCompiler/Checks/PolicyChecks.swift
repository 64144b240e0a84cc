import Foundation
import MandateDiagnostics
import MandateIR
import MandateSyntax

/// Policy checks that need no path facts: what messages say, where identities come from,
/// the classifier's examples, whether every intent and outcome is covered, and settings
/// that contradict each other.
enum PolicyChecks {
    // MARK: output guardrails

    /// What the output guardrails look for in the messages of one goal's procedures, worked
    /// out once per goal rather than once per procedure.
    struct MessageScan {
        /// The phrases never to say, with their bytes in lower case.
        let phrases: [(phrase: String, lowered: [UInt8])]
        /// What each byte can start (bit 0: a phrase, in either case; bit 1: an amount: `$`, or
        /// the first byte of `€` and `£`), so each message is read once, one table look-up a byte.
        let starts: [UInt8]
        /// Whether a phrase is empty (it is in every message).
        let anyEmpty: Bool

        init(_ g: Guardrails) {
            phrases = g.neverSay.map { (phrase: $0, lowered: $0.utf8.map(PolicyChecks.lower)) }
            var starts = [UInt8](repeating: 0, count: 256)
            for (_, lowered) in phrases {
                guard let b = lowered.first else { continue }
                starts[Int(b)] = 1
                if b >= 0x61 && b <= 0x7A { starts[Int(b - 0x20)] = 1 }
            }
            anyEmpty = phrases.contains { $0.lowered.isEmpty }
            starts[0x24] |= 2
            starts[0xE2] |= 2
            starts[0xC2] |= 2
            self.starts = starts
        }
    }

    static func outputGuardrails(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        guard let served = p.served, let scan = context.messageScan(goal: served.goal.id) else { return }
        let g = served.goal.guardrails
        // Amounts the plan computes or checks: the ones a message may state. Worked out when a
        // message first states an amount: most never do.
        var known: Set<Int64>?
        let phrases = scan.phrases, starts = scan.starts, anyEmpty = scan.anyEmpty
        let max = g.outputMaxCharacters
        let steps = p.steps
        for n in steps.indices where p.reachable(n) {
            let template: MandateIR.Template
            switch steps[n].op {
            case .say(let t): template = t
            case .confirm(let t, _): template = t
            default: continue
            }
            var text = template.text
            let (said, tooLong, statesMoney) = text.withUTF8 { bytes in
                starts.withUnsafeBufferPointer { starts in
                    var statesMoney = false
                    var found: [Bool]?
                    for i in bytes.indices {
                        let kind = starts[Int(bytes[i])]
                        guard kind != 0 else { continue }
                        // Most messages state no amount at all.
                        if kind & 2 != 0 { statesMoney = true }
                        guard kind & 1 != 0 else { continue }
                        for k in phrases.indices where found?[k] != true && Self.matches(bytes, at: i, phrases[k].lowered) {
                            if found == nil { found = [Bool](repeating: false, count: phrases.count) }
                            found![k] = true
                        }
                    }
                    // An empty phrase is in every message.
                    let said = found == nil && !anyEmpty ? [] : phrases.indices.filter { found?[$0] == true || phrases[$0].lowered.isEmpty }.map { phrases[$0].phrase }
                    return (said, max.map { bytes.count > $0 } ?? false, statesMoney)
                }
            }
            guard !said.isEmpty || tooLong || statesMoney else { continue }
            let node = steps[n]
            let label = StepGraph.display(node.label)
            for phrase in said {
                context.report(
                    .neverSayInMessage,
                    "the message at step \(label) says \"\(phrase)\", which the goal `\(served.goal.id)` must never say",
                    at: node,
                    notes: ["`\(phrase)` is under `never_say` in `\(served.goal.file)`; the runtime would block this message"],
                    help: "reword the message without \"\(phrase)\"")
            }
            if let max, tooLong {
                let literal = template.parts.reduce(0) { n, part in if case .text(let s) = part { n + s.count } else { n } }
                if literal > max {
                    context.report(
                        .messageTooLong,
                        "the message at step \(label) is \(literal) characters before its values are filled in; the goal `\(served.goal.id)` allows \(max)",
                        at: node,
                        notes: ["`max_characters: \(max)` is under `output` in `\(served.goal.file)`; the runtime would block this message"],
                        help: "shorten it, or split it into two `Say` steps")
                }
            }
            guard statesMoney else { continue }
            if known == nil {
                var amounts = Set<Int64>()
                for node in steps { collectMoney(node.op, into: &amounts) }
                for m in [g.maxPerRefund, g.maxPerCustomer].compactMap({ $0 }) + Array(g.maxByTier.values) { amounts.insert(m.minor) }
                known = amounts
            }
            for part in template.parts {
                guard case .text(let s) = part else { continue }
                for amount in moneyMentions(s) where !known!.contains(amount.minor) {
                    context.report(
                        .moneyNotComputed,
                        "the message at step \(label) states \(Words.money(amount)), an amount this procedure never computes or checks",
                        at: node,
                        notes: ["an amount typed into a message can drift from the real one; the runtime flags amounts it did not compute"],
                        help: "show the computed value with a placeholder such as `{order.total}`, or compute it first with `Set … to …`")
                }
            }
        }
    }

    /// An ASCII letter in lower case; any other byte as it is.
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// Whether `lowered` (already in lower case, not empty) is in `text` at `i`, ASCII letters compared without case.
    @inline(__always) static func matches(_ text: UnsafeBufferPointer<UInt8>, at i: Int, _ lowered: [UInt8]) -> Bool {
        guard !lowered.isEmpty, i + lowered.count <= text.count else { return false }
        var k = 0
        while k < lowered.count && lower(text[i + k]) == lowered[k] { k += 1 }
        return k == lowered.count
    }

    static func collectMoney(_ e: Expr, into set: inout Set<Int64>) {
        switch e {
        case .literal(.money(let m)): set.insert(m.minor)
        case .field(let b, _): collectMoney(b, into: &set)
        case .arithmetic(_, let l, let r), .compare(_, let l, let r), .contains(let l, let r):
            collectMoney(l, into: &set)
            collectMoney(r, into: &set)
        case .oneOf(let v, let o): collectMoney(v, into: &set); for x in o { collectMoney(x, into: &set) }
        case .not(let v), .missing(let v): collectMoney(v, into: &set)
        case .and(let xs), .or(let xs): for x in xs { collectMoney(x, into: &set) }
        case .quantified(_, _, let l, let pr): collectMoney(l, into: &set); collectMoney(pr, into: &set)
        case .count(_, _, let w): if let w { collectMoney(w, into: &set) }
        default: break
        }
    }

    static func collectMoney(_ op: Op, into set: inout Set<Int64>) {
        switch op {
        case .set(_, let v, _), .append(_, let v), .branch(let v, _, _): collectMoney(v, into: &set)
        case .call(_, let args, _): for (_, e) in args { collectMoney(e, into: &set) }
        default: break
        }
    }

    /// Amounts written in a message's text after a currency symbol: `$49.99`, `€20`, `£5`
    /// (an amount written with a currency code, `150 USD`, is not found).
    ///
    /// Scanned on the UTF-8 bytes: a symbol, then digits, commas, and points followed by a
    /// digit. A text with any other non-ASCII character (a digit of another script, a
    /// combining mark) is read by characters instead, which tell those apart.
    static func moneyMentions(_ text: String) -> [Money] {
        var text = text
        return text.withUTF8 { bytes in
            var found: [Money] = []
            @inline(__always) func digit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                let width: Int
                if b == 0x24 {
                    width = 1
                } else if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x82, bytes[i + 2] == 0xAC {
                    width = 3
                } else if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0xA3 {
                    width = 2
                } else if b < 0x80 {
                    i += 1
                    continue
                } else {
                    return moneyMentionsByCharacter(String(decoding: bytes, as: UTF8.self))
                }
                var j = i + width
                while digit(j) || (j < bytes.count && bytes[j] == 0x2C) || (j < bytes.count && bytes[j] == 0x2E && digit(j + 1)) { j += 1 }
                if j > i + width, case .success(let m) = LiteralParser.money(String(decoding: bytes[i..<j], as: UTF8.self)) {
                    found.append(Money(minor: m.minorUnits, currency: m.currency))
                }
                i = j
            }
            return found
        }
    }

    /// `moneyMentions` by characters, for texts with non-ASCII characters other than `€` and `£`.
    static func moneyMentionsByCharacter(_ text: String) -> [Money] {
        var found: [Money] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if "$€£".contains(chars[i]) {
                var j = i + 1
                while j < chars.count, chars[j].isNumber || chars[j] == "," || (chars[j] == "." && j + 1 < chars.count && chars[j + 1].isNumber) { j += 1 }
                if j > i + 1, case .success(let m) = LiteralParser.money(String(chars[i..<j])) {
                    found.append(Money(minor: m.minorUnits, currency: m.currency))
                }
                i = j
            } else {
                i += 1
            }
        }
        return found
    }

    // MARK: untrusted data

    /// Inputs that name whose data an action touches: identity inputs, and the catalog's owner fields.
    static func identityInputs(_ plan: Plan) -> Set<String> {
        var names: Set<String> = ["customer_id", "account_id", "user_id"]
        for r in plan.records { if let o = r.owner { names.insert(o) } }
        return names
    }

    /// Whether an action takes an identity-named input of a type other than `identity`.
    static func takesTypedIdentity(_ plan: Plan, identityNames: Set<String>) -> Bool {
        plan.actions.contains(where: { a in a.inputs.contains { $0.type != .identity && identityNames.contains($0.name) } })
    }

    static func untrustedIdentity(_ p: ProcedureUnderCheck, _ context: inout CheckContext) {
        let identityNames = context.identityNames
        // Inputs of type `identity` cannot be in a phrase (M0313); only identity-named inputs of
        // another type can take a typed value. Most catalogs have none, and then there is nothing to follow.
        guard context.takesTypedIdentity else { return }
        // What the customer typed, and every variable set from it.
        var typed = Set<String>()
        for node in p.steps { if case .ask(let slot, _, _, _, _) = node.op { typed.insert(slot) } }
        var changed = true
        while changed {
            changed = false
            for node in p.steps {
                if case .set(let name, let value, _) = node.op, !typed.contains(name), !FactAnalysis.roots(value).isDisjoint(with: typed) {
                    typed.insert(name)
                    changed = true
                }
            }
        }
        guard !typed.isEmpty else { return }
        for node in p.steps where p.reachable(node.id) {
            guard case .call(let action, let args, _) = node.op, let signature = context.actions[action] else { continue }
            for input in signature.inputs where input.type == .identity || identityNames.contains(input.name) {
                guard let e = args[input.name] else { continue }
                let from = FactAnalysis.roots(e).intersection(typed).sorted()
                guard let slot = from.first else { continue }
                context.report(
                    .untrustedIdentity,
                    "`\(context.sentence(node))` at step \(StepGraph.display(node.label)) takes `\(input.name)` from \(Words.of(.name(slot))), which the customer typed",
                    at: node,
                    notes: ["anyone can type someone else's id; `\(input.name)` of `\(action)` decides whose data the action touches"],
                    help: "declare `\(input.name): identity` in the catalog and remove it from the phrase: Mandate then fills it from the verified customer")
            }
        }
    }

    // MARK: classifier examples

    /// The minimum number of examples an intent needs for the classifier to tell it apart.
    static let minimumExamples = 3

    /// An example's words, lowercased: letters, digits and apostrophes; everything else separates them.
    static func normalized(_ s: String) -> [String] {
        var s = s
        // Most examples are ASCII: there a letter is A–Z or a–z and a digit 0–9, so the bytes
        // decide without the Unicode properties of each character.
        // A word is made from the text's own bytes; only one with a capital letter is copied to lower it.
        let ascii: [String]? = s.withUTF8 { bytes in
            var words: [String] = []
            words.reserveCapacity(8)
            var start = -1
            var capital = false
            func close(_ end: Int) {
                let word = UnsafeBufferPointer(rebasing: bytes[start..<end])
                words.append(capital ? String(decoding: word.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
                                     : String(decoding: word, as: UTF8.self))
            }
            for i in bytes.indices {
                let b = bytes[i]
                guard b < 0x80 else { return nil }
                if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x27 || (b >= 0x41 && b <= 0x5A) {
                    if start < 0 { start = i; capital = false }
                    if b <= 0x5A && b >= 0x41 { capital = true }
                } else if start >= 0 {
                    close(i)
                    start = -1
                }
            }
            if start >= 0 { close(bytes.count) }
            return words
        }
        if let ascii { return ascii }
        return s.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "'" }.map(String.init)
    }

    static func trainingData(_ context: inout CheckContext) {
        struct Seen { let intent: String; let range: SourceRange; let text: String }
        // Words by number: an example is its words' numbers, a word set its numbers in order.
        // Examples are indexed by a fingerprint of their words in order, and word sets by the
        // sum of their words' marks (`wordMark`), so a set with one word left out is found by
        // one subtraction, without building it. Every hit is compared with the real words:
        // two examples that only share a fingerprint are never taken for each other.
        var wordIDs = NameTable<Int>(minimumCapacity: 1024)
        var exact = FiledEntries<(words: [Int], seen: Seen)>()
        var byWords = FiledEntries<(distinct: [Int], seen: Seen)>()
        // Each example of three words or more, with its distinct words' numbers in order and their marks' sum.
        var pending: [(seen: Seen, distinct: [Int], mark: UInt64)] = []
        for goal in context.goalSyntax {
            for intent in goal.intents {
                if intent.examples.count < minimumExamples {
                    context.diagnostics.append(Diagnostic(
                        .tooFewExamples,
                        "the intent `\(intent.name.value)` has \(intent.examples.count) example\(intent.examples.count == 1 ? "" : "s"); the classifier needs at least \(minimumExamples) to recognise it",
                        at: intent.name.range,
                        help: "add \(minimumExamples - intent.examples.count) or more real customer messages under `examples:`, in different words"))
                }
                for example in intent.examples {
                    let words = normalized(example.value)
                    guard !words.isEmpty else { continue }
                    let seen = Seen(intent: intent.name.value, range: example.range, text: example.value)
                    let key = words.map { word in
                        if let id = wordIDs[word] { return id }
                        wordIDs[word] = wordIDs.count
                        return wordIDs.count - 1
                    }
                    let fingerprint = key.reduce(UInt64(0)) { $0 &* 0x100_0000_01B3 &+ wordMark($1) }
                    var same = exact.first(under: fingerprint)
                    while same >= 0 && exact.entries[same].words != key { same = exact.next(after: same) }
                    if same >= 0 {
                        let first = exact.entries[same].seen
                        if first.intent != seen.intent {
                            context.diagnostics.append(Diagnostic(
                                .duplicateExample,
                                "\"\(example.value)\" is an example of both `\(first.intent)` and `\(seen.intent)`",
                                at: example.range,
                                labels: [DiagnosticLabel(range: first.range, message: "an example of `\(first.intent)` here")],
                                notes: ["the classifier cannot learn two answers for the same message"],
                                help: "keep it under the one intent it means, and remove it here"))
                        }
                        continue
                    }
                    exact.file((key, seen), under: fingerprint)
                    var distinct = key.sorted()
                    var kept = 0
                    for w in distinct where kept == 0 || distinct[kept - 1] != w { distinct[kept] = w; kept += 1 }
                    distinct.removeLast(distinct.count - kept)
                    guard distinct.count >= 3 else { continue }
                    let mark = distinct.reduce(UInt64(0)) { $0 &+ wordMark($1) }
                    byWords.file((distinct, seen), under: mark)
                    pending.append((seen, distinct, mark))
                }
            }
        }
        // Near-duplicates: the same words in another order, or one word more or less. Indexed by
        // word set, so the check stays linear in the number of examples.
        var reported = Set<String>()
        for (seen, distinct, mark) in pending {
            // The same words, then each one left out in turn (-1: none left out).
            for left in -1..<distinct.count {
                let key = left < 0 ? mark : mark &- wordMark(distinct[left])
                var i = byWords.first(under: key)
                while i >= 0 {
                    let (words, other) = byWords.entries[i]
                    i = byWords.next(after: i)
                    guard other.intent != seen.intent && Self.same(words, distinct, without: left) else { continue }
                    let pair = [other.text, seen.text].sorted().joined(separator: "\u{1}")
                    guard reported.insert(pair).inserted else { continue }
                    context.diagnostics.append(Diagnostic(
                        .nearDuplicateExample,
                        "\"\(seen.text)\" under `\(seen.intent)` is almost the same as \"\(other.text)\" under `\(other.intent)`",
                        at: seen.range,
                        labels: [DiagnosticLabel(range: other.range, message: "the example of `\(other.intent)`")],
                        notes: ["near-identical examples under two intents blur the line between them"],
                        help: "reword one so it says what only its own intent means, or remove it"))
                }
            }
        }
    }

    /// Entries filed under 64-bit keys, each key's in the order they were filed: a `CodeTable`
    /// from a key to its chain, and a link from each entry to the next in its chain. A key is
    /// a multiply and a probe, not a seeded hash of a dictionary.
    struct FiledEntries<Entry> {
        private(set) var entries: [Entry] = []
        private var nextInChain: [Int32] = []
        private var chains = CodeTable()
        private var firsts: [Int32] = [], lasts: [Int32] = []

        /// Files `entry` under `key`, after the entries already there.
        mutating func file(_ entry: Entry, under key: UInt64) {
            let i = Int32(entries.count)
            entries.append(entry)
            nextInChain.append(-1)
            if let c = chains[key] {
                nextInChain[Int(lasts[c])] = i
                lasts[c] = i
            } else {
                chains[key] = firsts.count
                firsts.append(i)
                lasts.append(i)
            }
        }

        /// The first entry filed under `key`; -1: none.
        func first(under key: UInt64) -> Int { chains[key].map { Int(firsts[$0]) } ?? -1 }

        /// The entry filed after entry `i` under the same key; -1: none.
        func next(after i: Int) -> Int { Int(nextInChain[i]) }
    }

    /// A word's mark: its number scrambled (SplitMix64's finaliser), so sums of marks of
    /// different word sets rarely meet.
    static func wordMark(_ word: Int) -> UInt64 {
        var z = UInt64(truncatingIfNeeded: word) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Whether `words` are `distinct` with the word at `left` left out (-1: none), both in order.
    static func same(_ words: [Int], _ distinct: [Int], without left: Int) -> Bool {
        guard left >= 0 else { return words == distinct }
        guard words.count == distinct.count - 1 else { return false }
        for i in words.indices where words[i] != distinct[i < left ? i : i + 1] { return false }
        return true
    }

    // MARK: completeness and conflicts

    static func completeness(_ checked: [CheckedProcedure], procedures: [ProcedureFile], _ context: inout CheckContext) {
        let allChecked = checked.count == context.plan.procedures.count
        var handledBy: [String: (procedure: String, range: SourceRange)] = [:]
        for file in procedures where !context.skippedFiles.contains(file.path) {
            guard let name = file.name?.value else { continue }
            for intent in file.handles {
                if let first = handledBy[intent.value] {
                    context.diagnostics.append(Diagnostic(
                        .intentHandledTwice,
                        "`\(intent.value)` is handled by both \"\(first.procedure)\" and \"\(name)\"",
                        at: intent.range,
                        labels: [DiagnosticLabel(range: first.range, message: "handled here too")],
                        notes: ["a conversation goes to one procedure per intent; Mandate cannot tell which one you mean"],
                        help: "keep `\(intent.value)` under `Handles:` in one of them; the other can be reached with `Follow \"\(name)\"`"))
                } else {
                    handledBy[intent.value] = (name, intent.range)
                }
            }
        }
        // The outcomes each goal's procedures can resolve as: a table per goal, found by the goal's name.
        var goalNumbers = NameTable<Int>(minimumCapacity: 64)
        var resolvable: [NameTable<Bool>] = []
        for p in checked {
            let g: Int
            if let known = goalNumbers[p.goal] {
                g = known
            } else {
                g = resolvable.count
                goalNumbers[p.goal] = g
                resolvable.append(NameTable<Bool>(minimumCapacity: 16))
            }
            for o in p.outcomes { resolvable[g][o] = true }
        }
        for goal in context.goalSyntax {
            guard let id = goal.goal?.value else { continue }
            let escalated = Set(goal.alwaysEscalateIntents.map { $0.value })
            for intent in goal.intents {
                if let marked = intent.outOfScope, marked.value {
                    if let h = handledBy[intent.name.value] {
                        context.diagnostics.append(Diagnostic(
                            .intentNeverRuns,
                            "`\(intent.name.value)` is marked out of scope, so \"\(h.procedure)\" never runs for it",
                            at: h.range,
                            labels: [DiagnosticLabel(range: marked.range, message: "marked out of scope here")],
                            notes: ["a customer asking for an intent that is out of scope gets the out-of-scope answer"],
                            help: "remove `\(intent.name.value)` from `Handles:`, or remove `out_of_scope: true` if the assistant may handle it"))
                    } else if isEscalatedAnywhere(intent.name.value, context) {
                        context.diagnostics.append(Diagnostic(
                            .contradictorySettings,
                            "`\(intent.name.value)` is both always escalated and marked out of scope",
                            at: marked.range,
                            notes: ["an escalated intent goes to a person; an out-of-scope one gets the polite out-of-scope answer"],
                            help: "keep one: remove `out_of_scope: true`, or remove `\(intent.name.value)` from `always_escalate`"))
                    }
                } else if escalated.contains(intent.name.value), let h = handledBy[intent.name.value] {
                    context.diagnostics.append(Diagnostic(
                        .intentNeverRuns,
                        "`\(intent.name.value)` is always escalated, so \"\(h.procedure)\" never runs for it",
                        at: h.range,
                        labels: [DiagnosticLabel(range: intent.name.range, message: "declared here")],
                        notes: ["`always_escalate` is checked before any procedure"],
                        help: "remove `\(intent.name.value)` from `Handles:`, or from `always_escalate` if the assistant may handle it"))
                } else if allChecked, handledBy[intent.name.value] == nil, !isEscalatedAnywhere(intent.name.value, context) {
                    context.diagnostics.append(Diagnostic(
                        .intentNotCovered,
                        "no procedure handles `\(intent.name.value)` and it is not always escalated",
                        at: intent.name.range,
                        notes: ["a customer with this intent would get no answer"],
                        help: "add `\(intent.name.value)` to a procedure's `Handles:`, or to `always_escalate: { intents: [...] }`, or mark it `out_of_scope: true`"))
                }
            }
            if allChecked {
                for outcome in goal.resolvedWhen where !(goalNumbers[id].map { resolvable[$0][outcome.value] != nil } ?? false) {
                    context.diagnostics.append(Diagnostic(
                        .outcomeUnreachable,
                        "no procedure can resolve as `\(outcome.value)`",
                        at: outcome.range,
                        notes: ["no reachable `Resolve as \(outcome.value).` is in a procedure of the goal `\(id)`"],
                        help: "add `Resolve as \(outcome.value).` where it belongs, or remove it from `resolved_when`"))
                }
            }
            for t in goal.maxByTier where goal.alwaysEscalateTiers.contains(where: { $0.value == t.tier.value }) {
                context.diagnostics.append(Diagnostic(
                    .contradictorySettings,
                    "the \(t.tier.value) tier has a refund limit but is always escalated, so the limit never applies",
                    at: t.tier.range,
                    help: "remove the \(t.tier.value) limit from `max_by_tier`, or the tier from `always_escalate`"))
            }
            if let single = goal.maxPerRefund {
                for t in goal.maxByTier where t.amount.value.minorUnits > single.value.minorUnits {
                    context.diagnostics.append(Diagnostic(
                        .contradictorySettings,
                        "the \(t.tier.value) tier's limit (\(t.amount.value)) is above `max_per_refund` (\(single.value)), which caps every refund, so it never applies",
                        at: t.amount.range,
                        help: "raise `max_per_refund` to \(t.amount.value), or lower the \(t.tier.value) limit to at most \(single.value)"))
                }
            }
            if let single = goal.maxPerRefund, let total = goal.maxPerCustomer, single.value.minorUnits > total.value.0.minorUnits {
                context.diagnostics.append(Diagnostic(
                    .contradictorySettings,
                    "`max_per_refund` (\(single.value)) is above `max_per_customer` (\(total.value.0)), so no refund can ever reach it",
                    at: single.range,
                    help: "lower `max_per_refund` to at most \(total.value.0), or raise `max_per_customer`"))
            }
        }
    }

    static func isEscalatedAnywhere(_ intent: String, _ context: CheckContext) -> Bool {
        context.goalSyntax.contains { $0.alwaysEscalateIntents.contains { $0.value == intent } }
    }
}
