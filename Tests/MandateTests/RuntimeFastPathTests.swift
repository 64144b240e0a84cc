import Foundation
import MandateIR
@testable import MandateRuntime
import Testing

/// The interpreter does its per-turn text work on bytes for ASCII text. Each fast path must
/// give exactly what the Foundation or character-by-character code it replaced gives; the old
/// code is kept here (or beside the fast path, for text that is not ASCII) as the oracle.
@Suite struct RuntimeFastPathTests {
    /// Deterministic pseudo-random texts built from pieces that matter to the code under test.
    static func texts(_ pieces: [String], count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        return (0..<count).map { _ in (0..<(1 + next() % 8)).map { _ in pieces[next() % pieces.count] }.joined() }
    }

    @Test func twoDecimalsAsPrintfWritesThem() {
        var values: [Double] = [0, 0.005, 0.015, 0.025, 0.125, 0.375, 0.625, 0.875, 0.995, 0.999, 1, 0.75, 0.5, 0.3333333333,
                                0.1 + 0.2, 1e-9, 5e-324, 0.004999999, 0.0050000001, 12.345, 99.995, 123_456.785, 1e11, 0.95, 0.7499999999999999]
        for i in 0...20_000 { values.append(Double(i) / 20_000) }
        for i in 0...2_000 { values.append(Double(i) * 0.005) }
        var state: UInt64 = 7
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            values.append(Double(state >> 11) / Double(1 << 53) * 3)
        }
        for v in values { #expect(FastText.fixed2(v) == String(format: "%.2f", v), "\(v)") }
    }

    @Test func amountsOnBytesMatchTheCharacterScan() {
        let pieces = ["$", "$", "1", "23", "4", ".", ",", ".5", "..", " ", "a", "USD", "$.", "$,", "0", "99.995", "$1,000.5", "€", "£"]
        for text in Self.texts(pieces, count: 20_000, seed: 3) where FastText.isASCII(text) {
            #expect(Turn.asciiAmounts(Array(text.utf8)) == Turn.characterAmounts(text), "\(text)")
        }
        #expect(Turn.amounts(in: "a refund of €12.50 and $3") == ["€12.50", "$3.00"])
    }

    @Test func digitPatternsMatchAsTheRegexDoes() {
        let pieces = ["1042", "123456", "12", "123456789", " ", "order ", "#", "no. ", "$", "usd", " dollars", "%", "-", "/", ".", ".5",
                      "a", "B", "id ", "Order Number ", "\t", "euro", "x9", "2026-11-20", "ORDER NO "]
        for pattern in ["[0-9]{4,8}", "[0-9]{5}", "[0-9]+"] {
            #expect(EntityPatterns.digitRun(pattern) != nil)
            for text in Self.texts(pieces, count: 5_000, seed: 11) {
                #expect(EntityPatterns.match(pattern, in: text) == EntityPatterns.regexMatch(pattern, in: text), "\(pattern) in \(text)")
            }
        }
        for other in ["[0-9]{4,8}x", "[A-Z]{2}[0-9]{4}", "[0-9]*", "[0-9]{0,3}", "[0-9]{5,2}", "\\d{4}", "[0-9]{4,5,6}", "[0-9]{,5}", "[0-9]{5,}",
                      "[0-9]{1,123456789}", "[0-9]{}", "[0-9]", "[0-9]{x}"] { #expect(EntityPatterns.digitRun(other) == nil, "\(other)") }
        for (pattern, lengths) in [("[0-9]{4,8}", 4...8), ("[0-9]{5}", 5...5), ("[0-9]+", 1...Int.max), ("[0-9]{1,12345678}", 1...12_345_678),
                                   ("[0-9]{07,09}", 7...9)] {
            #expect(EntityPatterns.digitRun(pattern) == lengths, "\(pattern)")
        }
    }

    @Test func repeatsAreNormalisedAsBefore() {
        let pieces = ["Hello", " ", "WORLD", "!", "?", "42", "\r\n", "\t", "don't", "--", "é", "Ünïcode"]
        for text in Self.texts(pieces, count: 5_000, seed: 5) {
            #expect(Turn.normalizedForRepeats(text) == text.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " }, "\(text)")
        }
    }

    @Test func counts() {
        for text in Self.texts(["a", "\r\n", "\n", "\r", " ", "é", "👍🏽"], count: 2_000, seed: 9) {
            #expect(FastText.characterCount(text) == text.count)
        }
    }

    @Test func moneyIsWrittenAsBefore() {
        func old(_ m: Money) -> String {
            let symbol = ["USD": "$", "EUR": "€", "GBP": "£"][m.currency]
            let plain = m.description
            let amount = String(plain.split(separator: " ").first ?? "")
            if let symbol { return amount.hasPrefix("-") ? "-\(symbol)\(amount.dropFirst())" : "\(symbol)\(amount)" }
            return plain
        }
        for currency in ["USD", "EUR", "GBP", "JPY", "KRW", "KWD", "BHD", "CAD"] {
            for minor: Int64 in [0, 1, 9, 10, 99, 100, 101, 8900, -1, -150, 123_456_789, -1_000, Int64.max, Int64.min + 1] {
                let m = Money(minor: minor, currency: currency)
                #expect(Turn.formatMoney(m) == old(m))
            }
        }
    }

    @Test func neverSayAndWordsOnBytes() {
        let hay = Self.texts(["We ", "GUARANTEE", " it", "guaran", "tee", " refund", "!"], count: 2_000, seed: 2)
        for h in hay {
            for needle in ["guarantee", "we guarantee", "e", "refund!"] {
                #expect(FastText.containsIgnoringCase(h, Array(needle.utf8)) == h.lowercased().contains(needle), "\(needle) in \(h)")
            }
            #expect(FastText.contains(h, byte: 0x21) == h.contains("!"))
        }
        #expect(FastText.words("order_number") == "order number")
        #expect(FastText.replacing("tier-1", 0x2D, 0x20) == "tier 1")
    }

    @Test func phraseVocabularyNumbersEveryWordOnce() {
        let vocabulary = PhraseVocabulary.shared
        #expect(vocabulary.words.count > 300)
        #expect(Set(vocabulary.words).count == vocabulary.words.count)
        for (n, w) in vocabulary.words.enumerated() { #expect(vocabulary.id(w) == Int32(n), "\(String(decoding: w, as: UTF8.self))") }
        for w in ["", "refund", "mixer", "humanx", "huma", "ignoreinstructions", "é"] where !vocabulary.words.contains(Array(w.utf8)) {
            #expect(vocabulary.id(Array(w.utf8)) == -1, "\(w)")
        }
        #expect(vocabulary.id(Array("human".utf8)) >= 0)
    }

    @Test func neverSayPhrasesFoundInOnePass() {
        var goal = referencePlan.goals[0]
        goal.guardrails.neverSay = ["guarantee", "we guarantee", "e", "refund!", "", "garantía", "GUARANTEE", "ee", "tee it", "legal advice"]
        let index = GoalIndex(goal)
        let texts = Self.texts(["We ", "GUARANTEE", " it", "guaran", "tee", " refund", "!", "Legal", " advice", "e", "x"], count: 3_000, seed: 4)
        for text in texts {
            let found = index.neverSayFound(in: text)
            for (k, (_, needle)) in index.neverSay.enumerated() {
                guard let needle else { #expect(found & (1 << UInt64(k)) == 0); continue }
                #expect((found & (1 << UInt64(k)) != 0) == FastText.containsIgnoringCase(text, needle), "\(needle) in \(text)")
            }
        }
    }

    @Test func messageWordsAsTheByteByByteSplit() {
        /// The split as it was written before: byte by byte, a word grown one byte at a time.
        func split(_ bytes: [UInt8]) -> (words: [[UInt8]], starts: [Int]) {
            var words: [[UInt8]] = [], starts: [Int] = [], current: [UInt8] = []
            var start = 0
            for (i, b) in bytes.enumerated() {
                if MessageText.isWordByte(b) {
                    if current.isEmpty { start = i }
                    current.append(b)
                } else if b == 0x27, !current.isEmpty, i + 1 < bytes.count, MessageText.isWordByte(bytes[i + 1]) {
                } else if !current.isEmpty {
                    words.append(current)
                    starts.append(start)
                    current.removeAll()
                }
            }
            if !current.isEmpty { words.append(current); starts.append(start) }
            return (words, starts)
        }
        let texts = Self.texts(["don't", "'", "''", "a", "B", " ", "42", "é", "--", "o'", "'s", "it's order 100000", "\n"], count: 5_000, seed: 6)
        for text in texts + ["", "'", "a'", "'a", "a''b", "a'b'c", "ça va"] {
            let m = MessageText(text)
            let old = split(m.bytes)
            #expect(m.words == old.words, "\(text)")
            #expect(m.wordStarts == old.starts, "\(text)")
        }
    }

    @Test func textComparedIgnoringCaseAsFoundationDoes() {
        let words = ["order", "ORDER", "Order", "orders", "ordér", "C-1001", "c-1001", "", "straße", "STRASSE", "1042", "ǅ"]
        for a in words {
            for b in words { #expect(FastText.equalIgnoringCase(a, b) == (a.caseInsensitiveCompare(b) == .orderedSame), "\(a) \(b)") }
        }
    }

    @Test func goalLocationsFromTheIndex() {
        /// How `Goal.location(of:)` looked before it had an index: the whole source map filtered at each level.
        func scan(_ goal: Goal, _ key: String) -> String {
            var k = key
            while !k.isEmpty {
                if let ref = goal.sourceMap[k] { return "\(goal.file):\(ref.line)" }
                let inside = goal.sourceMap.filter { $0.key.hasPrefix(k + ".") }.map(\.value.line).min()
                if let line = inside { return "\(goal.file):\(line)" }
                guard let dot = k.lastIndex(of: ".") else { break }
                k = String(k[..<dot])
            }
            return goal.file
        }
        var goals = referencePlan.goals
        // Keys that are not ASCII, and a dot that a combining accent makes part of another character.
        var odd = goals[0]
        odd.sourceMap["guardrails.always_escalate.phrases.abogado señor"] = SourceRef(file: odd.file, line: 900, column: 1)
        odd.sourceMap["guardrails.e\u{301}.x"] = SourceRef(file: odd.file, line: 901, column: 1)
        odd.sourceMap["guardrails.a.\u{301}b.c"] = SourceRef(file: odd.file, line: 902, column: 1)
        odd.sourceMap[".hidden"] = SourceRef(file: odd.file, line: 903, column: 1)
        goals.append(odd)
        for goal in goals {
            var keys = Array(goal.sourceMap.keys)
            for k in goal.sourceMap.keys {
                var parts = k.split(separator: ".").map(String.init)
                while !parts.isEmpty {
                    keys.append(parts.joined(separator: "."))
                    keys.append(parts.joined(separator: ".") + ".nothing.here")
                    parts.removeLast()
                }
            }
            keys += GoalIndex.runtimeKeys
            keys += ["guardrails.topics.allowed", "escalation.when.frustration_detected", "nothing", "", "guardrails.", "guardrails.a", "guardrails.a.\u{301}b", ".", "..", ".hidden.y", ".other", "a..b"]
            let rules = GoalRules(goal)
            for key in keys {
                #expect(rules.location(of: key) == scan(goal, key), "\(goal.id) \(key)")
                #expect(goal.location(of: key) == scan(goal, key), "\(goal.id) \(key)")
            }
        }
    }

    @Test func currencySignsFoundEightBytesAtATime() {
        let pieces: [String] = ["$", "a", "€", "£", "12345678", "abcdefg", " ", "é", "\u{E2}", "$$", "\n"]
        let edges: [String] = ["", "$", "abcdefgh$", "abcdefghijklmnop", "abcdefghijklmno$"]
        for text in Self.texts(pieces, count: 5_000, seed: 12) + edges {
            let old = text.utf8.contains { (b: UInt8) -> Bool in b == 0x24 || b == 0xE2 || b == 0xC2 }
            let found = FastText.withBytes(text) { FastText.mayHaveCurrencySign($0) }
            #expect(found == old, "\(text)")
        }
    }

    @Test func knownAmountsCheckedWithoutTheList() {
        let runtime = Runtime(plan: referencePlan)
        var state = runtime.start(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: true))
        let usd = { (minor: Int64) in RuntimeValue.money(Money(minor: minor, currency: "USD")) }
        state.values = ["order": .record(["total": usd(8_900), "items": .list([.record(["price": usd(1_250)]), usd(-300)])]),
                        "fee": usd(5), "yen": .money(Money(minor: 1_500, currency: "JPY")), "name": .text("$12.00"),
                        "eur": .money(Money(minor: 1_250, currency: "EUR")), "zero": usd(0)]
        var turn = Turn(runtime: runtime.core, stepBudget: 500, state: state, message: "hi", supplied: nil,
                        env: TurnEnvironment(now: 0, actions: SandboxActions(data: SandboxData()), ledger: MemoryLedger()))
        for procedure in [nil, "refund-delivered-order"] {
            turn.proc = procedure.flatMap { runtime.core.procedures[$0] }
            let known = turn.knownAmounts()
            for amount in ["$89.00", "$12.50", "-$3.00", "$0.05", "$12.00", "$150.00", "$150", "1500 JPY", "$89.0", "", "$1.00", "$089.00",
                           "€12.50", "£12.50", "$.05", "$0.00", "$00.00", "$0.0", "$89.000", "$8.9.00", "$3.00", "$99999999999999999999.00"] {
                #expect(turn.isKnownAmount(amount) == known.contains(amount), "\(amount)")
            }
        }
    }

    @Test func fakeMessagesFoundInOnePass() {
        // `FormerReading.fakeMessageFindings` is the two passes as they were: the markers first, then `SYSTEM:` at the start of a line.
        let pieces = ["system", ":", " ", "\n", "<|", "|>", "[inst]", "tool", "ai", "bot", "roots", "root", ". ", "! ", "# ", "- ", "]", ")",
                      "hello", "im_start", "<s>", "</s", "### system", "assistant", "a", "[", "(", "\"role\":", "sysadmin", "moderator",
                      "tool result", "tool_", "function_call", "function", "endoftext", "end of system prompt", "begin system", "im_end",
                      "t", "s", "f", "e", "b", "i", "|", "<", "'role':", "system override", "#"]
        for text in Self.texts(pieces, count: 10_000, seed: 13) {
            let bytes = MessageText(text).bytes
            #expect(InjectionDetector.fakeMessageFindings(bytes) == FormerReading.fakeMessageFindings(bytes), "\(text)")
        }
    }

    @Test func limitsReadTheLedgerOnce() throws {
        let runtime = Runtime(plan: referencePlan)
        let now: Int64 = 1_800_000_000
        var seed: UInt64 = 21
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: seed >> 33) % n
        }
        let effectful = referencePlan.actions.filter { $0.effect != "read" && $0.effect != "identify" }
        let names = effectful.map(\.name)
        let scopes = ["order:1", "order:2", "customer:C-1", "subscription:S-1", "conversation:c"]
        func money() -> Money? {
            switch next(4) {
            case 0: nil
            case 1: Money(minor: Int64(next(40_000)), currency: "EUR")
            default: Money(minor: Int64(next(40_000)), currency: "USD")
            }
        }
        for round in 0..<200 {
            let ledger = MemoryLedger()
            for k in 0..<next(12) {
                ledger.append(LedgerEntry(conversation: "c", customerID: next(3) == 0 ? "C-2" : "C-1", action: names[next(names.count)],
                                          scope: scopes[next(scopes.count)], idempotencyKey: "\(round)-\(k)", amount: money(),
                                          at: now - Int64(next(40)) * 86_400 + Int64(next(3) - 1)))
            }
            let tier = ["standard", "vip", "enterprise"][next(3)]
            let state = runtime.start(id: "c", customer: CustomerProfile(id: "C-1", tier: tier, verified: true))
            var turn = Turn(runtime: runtime.core, stepBudget: 500, state: state, message: "hi", supplied: nil,
                            env: TurnEnvironment(now: now, actions: SandboxActions(data: SandboxData()), ledger: ledger))
            turn.servedGoal = [nil, runtime.core.goals["resolve-order-issues"], runtime.core.goals["manage-subscriptions"]][next(3)]
            for signature in effectful {
                let entry = LedgerEntry(conversation: "c", customerID: "C-1", action: signature.name, scope: scopes[next(scopes.count)],
                                        idempotencyKey: "", amount: signature.effect == "refund" ? money() : nil, at: now)
                let action = try #require(runtime.core.catalog[signature.name])
                let usage = turn.ledgerUsage(action, entry: entry)
                let new = turn.checkLimits(action, entry: entry, usage: usage)
                let old = turn.checkLimitsReadingEachTime(signature, entry: entry)
                #expect(new?.detail == old?.detail && new?.rule == old?.rule && new?.clause == old?.clause && new?.source == old?.source,
                        "\(signature.name) round \(round)")
                let figures = turn.limitFigures(action, entry: entry, usage: usage).items
                let oldFigures = turn.limitFiguresReadingEachTime(signature, entry: entry).items
                #expect(figures.map { "\($0.0)=\($0.1)" } == oldFigures.map { "\($0.0)=\($0.1)" }, "\(signature.name) round \(round)")
            }
        }
    }

    /// Also: the output check keeps its verdict on a message that states no amount (`OutputVerdicts`);
    /// each text is checked twice, and a kept verdict must be the one the rules give, while a text
    /// with a `$` is never kept.
    @Test func neverSayLeftUnreadWhenNoPhraseStarts() {
        let runtime = Runtime(plan: referencePlan)
        var turn = Turn.probe(runtime)
        let texts = Self.texts(["We ", "GUARANTEE", " it", "guaran", "tee", "your ", "Fault", "legal advice", "we are liable", "x", " ",
                                "{x}", "$89.00", "€5", "é"],
                               count: 2_000, seed: 23)
        for id in runtime.core.goals.keys.sorted() {
            let goal = runtime.core.goals[id]!
            turn.servedGoal = goal
            for text in texts + texts {
                let plain = goal.guardrails.neverSay.first { text.lowercased().contains($0.lowercased()) }
                let checked = turn.outputCheck(text)
                let clause = checked?.clause
                if let plain {
                    #expect(clause == "output.never_say:\(plain)", "\(text)")
                } else {
                    #expect(!(clause ?? "").hasPrefix("output.never_say"), "\(text)")
                }
                let rules = turn.outputRules(text, goal).rule
                #expect(checked?.why == rules?.why && clause == rules?.clause, "\(text)")
                if text.utf8.contains(0x24) { #expect(goal.verdicts.verdict(on: text) == nil, "\(text)") }
            }
        }
    }

    @Test func phraseMatchesCountedWithoutTheList() {
        /// The matches as `allMatches` listed them: in reading order, not overlapping.
        func all(_ set: PhraseSet, _ words: PhraseWords) -> Int {
            var n = 0
            var start = 0
            while start < words.count {
                if let m = set.match(words, at: start) { n += 1; start = max(m.words.upperBound, start + 1) } else { start += 1 }
            }
            return n
        }
        let pieces = ["so ", "angry ", "fed ", "up ", "waste of my time ", "never ", "again ", "fucking ", "third time ", "what a joke ", "ok ", "!!! "]
        for text in Self.texts(pieces, count: 3_000, seed: 14) {
            let words = PhraseWords(MessageText(text).wordSlices)
            for set in [MessageSignals.strongFrustration, MessageSignals.mildFrustration] { #expect(set.matchCount(words) == all(set, words), "\(text)") }
        }
    }

    @Test func lowercaseComparisonOnBytes() {
        let words = ["Order", "order", "ORDER", "Ordér", "ordér", "Straße", "STRASSE", "", "İ", "i", "Subscription"]
        for a in words {
            for b in words { #expect(FastText.equalLowercased(a, b) == (a.lowercased() == b.lowercased()), "\(a) \(b)") }
        }
    }
    @Test func zoneOffsetsKeptUntilTheNextChange() throws {
        for id in ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo", "UTC"] {
            let zone = try #require(TimeZone(identifier: id))
            let cache = OffsetCache()
            var moments: [Int64] = []
            // Every 20 minutes across two years, then the same moments shuffled by a fixed rule, and around the changes.
            var t: Int64 = 1_767_225_600 - 400 * 86_400
            while t < 1_767_225_600 + 400 * 86_400 { moments.append(t); t += 1_200 }
            let count = moments.count
            let shuffled = (0..<count).map { [moments] in moments[($0 * 7_919) % count] }
            moments += shuffled
            var d = Date(timeIntervalSince1970: 1_700_000_000)
            for _ in 0..<8 {
                guard let next = zone.nextDaylightSavingTimeTransition(after: d) else { break }
                let s = Int64(next.timeIntervalSince1970)
                moments += [s - 1, s, s + 1, s - 1, s - 3_600, s]
                d = next
            }
            for m in moments {
                #expect(cache.offset(at: m, in: zone) == Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(m)))), "\(id) \(m)")
            }
        }
    }
    @Test func phraseSetsSkipWordsNoPatternStartsWith() {
        /// Every pattern tried at every word: those indexed by the word first, then the others, each in order.
        func naive(_ set: PhraseSet, _ words: PhraseWords, _ start: Int) -> Range<Int>? {
            let id = words.ids[start]
            let indexed = set.patterns.indices.filter { set.patterns[$0].firstWords?.contains(id) ?? false }
            let others = set.patterns.indices.filter { set.patterns[$0].firstWords == nil }
            for i in indexed + others { if let end = set.patterns[i].match(words, at: start) { return start..<end } }
            return nil
        }
        let sets = [MessageSignals.human, MessageSignals.strongFrustration, MessageSignals.mildFrustration, ConfirmationReader.yesPhrases,
                    ConfirmationReader.noPhrases] + InjectionDetector.kinds.map(\.1)
        let pieces = ["fucking ", "frustrated ", "role ", "play ", "roleplaying ", "you ", "are ", "now ", "dan ", "pretend ", "ignore ", "all ",
                      "rules ", "so ", "angry ", "yes ", "no ", "please ", "agent ", "talk ", "to ", "a ", "human ", "disgusting ", "i ", "am ", "the ", "admin "]
        for text in Self.texts(pieces, count: 2_000, seed: 15) {
            let words = PhraseWords(MessageText(text).wordSlices)
            for set in sets {
                for start in 0..<words.count { #expect(set.match(words, at: start)?.words == naive(set, words, start), "\(text)") }
            }
        }
    }

    @Test func escalationPhrasesFoundInPlace() {
        /// The search as it was, on arrays of words.
        func old(_ phrases: [(phrase: String, words: [[UInt8]])], _ text: MessageText) -> String? {
            var best: (at: Int, phrase: String)?
            let words = text.words
            for (phrase, p) in phrases {
                guard !p.isEmpty, p.count <= words.count else { continue }
                for start in 0...(words.count - p.count) {
                    if best.map({ start >= $0.at }) ?? false { break }
                    var ok = true
                    for k in 0..<p.count {
                        let w = words[start + k]
                        if w == p[k] { continue }
                        if k == p.count - 1, w.count == p[k].count + 1, w.starts(with: p[k]), w.last == 0x73 { continue }
                        if k == p.count - 1, w.count == p[k].count + 2, w.starts(with: p[k]), w.suffix(2).elementsEqual([0x65, 0x73]) { continue }
                        ok = false
                        break
                    }
                    if ok { best = (start, phrase); break }
                }
            }
            return best?.phrase
        }
        let phrases = ["lawyer", "legal action", "chargeback", "sue", "witness", "bbb"].map { ($0, MessageText($0).words) }
        let pieces = ["lawyer", "lawyers", "lawyer's", "lawyeres", "lawyerss", " ", "legal ", "action", "actions", "sue", "sues", "suees",
                      "witnesses", "witness", "bbb", "chargebacks", "x", "'"]
        for text in Self.texts(pieces, count: 5_000, seed: 16) {
            let m = MessageText(text)
            #expect(MessageSignals.firstPhrase(phrases, in: m) == old(phrases, m), "\(text)")
        }
    }

    @Test func datesWrittenAsBefore() {
        /// `CalendarDate.description` as it was: each part padded with zeros by string.
        func old(_ d: CalendarDate) -> String {
            let c = d.components
            func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
            return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
        }
        // From before year 0 to after 9999, every 997th day, and the days around the ends of that range.
        let edges = [CalendarDate(year: 0, month: 1, day: 1)!, CalendarDate(year: 9999, month: 12, day: 31)!, CalendarDate(year: 2026, month: 11, day: 28)!]
        let days = Array(stride(from: -800_000, through: 3_000_000, by: 997)) + edges.flatMap { e in (-3...3).map { e.dayNumber + $0 } }
        for n in days {
            let d = CalendarDate(dayNumber: n)
            #expect(d.description == old(d), "\(n)")
        }
    }

    @Test func leetspeakLookedForInPlace() {
        // `undoLeet` is the copy-and-replace pass as it was, run on every message before the look in place.
        let pieces = ["ign0re ", "1gn0r3", "order ", "100000", "$5", "p@ss", "h3llo", "!", "|", "é", "x", " ", "4ll ", "rul3s", "7", "ok."]
        for text in Self.texts(pieces, count: 5_000, seed: 17) {
            let m = MessageText(text)
            #expect(InjectionDetector.deLeet(m)?.bytes == InjectionDetector.undoLeet(m)?.bytes, "\(text)")
            #expect(InjectionDetector.hasLeet(m.bytes, InjectionDetector.leetTable) == (InjectionDetector.undoLeet(m) != nil), "\(text)")
        }
    }
}

extension Turn {
    /// `checkLimits` as it was before `ledgerUsage`, reading the ledger for each limit: its oracle.
    func checkLimitsReadingEachTime(_ signature: ActionSignature, entry: LedgerEntry) -> LimitBreach? {
        let g = goal
        if signature.effect == "refund" {
            guard let amount = entry.amount else {
                return LimitBreach(rule: "refund amount", detail: "a refund had no amount", source: nil)
            }
            if amount.minor <= 0 {
                return LimitBreach(rule: "refund amount", detail: "a refund of \(format(.money(amount))) is not a positive amount", source: nil)
            }
            if let max = g?.guardrails.maxPerRefund {
                if max.currency != amount.currency {
                    return LimitBreach(rule: "max_per_refund", detail: "a refund in \(amount.currency) cannot be checked against a limit in \(max.currency)",
                                       source: goalSource("guardrails.refunds.max_per_refund"))
                }
                if amount.minor > max.minor {
                    return LimitBreach(rule: "max_per_refund", detail: "a refund of \(format(.money(amount))) is above the limit of \(format(.money(max))) per refund",
                                       source: goalSource("guardrails.refunds.max_per_refund"))
                }
            }
            if let max = g?.guardrails.maxByTier[state.customer.tier], max.currency == amount.currency, amount.minor > max.minor {
                return LimitBreach(rule: "max_by_tier", detail: "a refund of \(format(.money(amount))) is above the \(state.customer.tier) tier's limit of \(format(.money(max)))",
                                   source: goalSource("guardrails.refunds.max_by_tier"), clause: "refunds.max_by_tier:\(state.customer.tier)")
            }
            if let max = g?.guardrails.maxPerCustomer {
                let days = Int64(g?.guardrails.maxPerCustomerWindowDays ?? 30)
                let since = env.now - days * 86_400
                let used = env.ledger.entries(customerID: entry.customerID, since: since)
                    .compactMap(\.amount).filter { $0.currency == amount.currency }.reduce(Int64(0)) { $0 + $1.minor }
                if used + amount.minor > max.minor {
                    return LimitBreach(rule: "max_per_customer",
                                       detail: "a refund of \(format(.money(amount))) would bring this customer's refunds in \(days) days to \(format(.money(Money(minor: used + amount.minor, currency: amount.currency)))), above the limit of \(format(.money(max)))",
                                       source: goalSource("guardrails.refunds.max_per_customer"))
                }
            }
        }
        if let limit = signature.limit {
            let since = limit.windowDays.map { env.now - Int64($0) * 86_400 } ?? Int64.min
            let count = env.ledger.entries(customerID: entry.customerID, since: since)
                .filter { $0.action == signature.name && $0.scope == entry.scope }.count
            if count >= limit.count {
                let window = limit.windowDays.map { $0 == 1 ? " per day" : " per \($0) days" } ?? ""
                return LimitBreach(rule: "limit", detail: "`\(signature.name)` may run \(limit.count == 1 ? "once" : "at most \(limit.count) times") per \(limit.per)\(window), and it already has",
                                   source: signature.source.description, clause: "limit:\(signature.name)")
            }
        }
        return nil
    }

    /// `limitFigures` as it was before `ledgerUsage`: its oracle.
    func limitFiguresReadingEachTime(_ signature: ActionSignature, entry: LedgerEntry) -> TraceFacts {
        let g = goal
        var figures: TraceFacts = [:]
        if let amount = entry.amount {
            figures.add("amount", format(.money(amount)))
            if let max = g?.guardrails.maxPerRefund { figures.add("max_per_refund", format(.money(max))) }
            if let max = g?.guardrails.maxByTier[state.customer.tier] { figures.add("max_for_\(state.customer.tier)", format(.money(max))) }
            if let max = g?.guardrails.maxPerCustomer {
                let days = Int64(g?.guardrails.maxPerCustomerWindowDays ?? 30)
                let used = env.ledger.entries(customerID: entry.customerID, since: env.now - days * 86_400)
                    .compactMap(\.amount).filter { $0.currency == amount.currency }.reduce(Int64(0)) { $0 + $1.minor }
                figures.add("refunded_in_\(days)_days", format(.money(Money(minor: used, currency: amount.currency))))
                figures.add("max_per_customer", format(.money(max)))
            }
        }
        if let limit = signature.limit {
            let since = limit.windowDays.map { env.now - Int64($0) * 86_400 } ?? Int64.min
            let count = env.ledger.entries(customerID: entry.customerID, since: since).filter { $0.action == signature.name && $0.scope == entry.scope }.count
            figures.add("runs_for_\(entry.scope)", "\(count) of \(limit.count)")
        }
        return figures
    }

    /// Every amount the plan computed, as a list: the check as it was before `isKnownAmount`, kept
    /// as its oracle.
    func knownAmounts() -> [String] {
        var out: [String] = []
        func walk(_ v: RuntimeValue) {
            switch v {
            case .money(let m): out.append(format(.money(m)))
            case .record(let f): f.values.forEach(walk)
            case .list(let l): l.forEach(walk)
            default: break
            }
        }
        state.values.values.forEach(walk)
        if let p = proc { out += p.writtenAmounts }
        return out
    }
}

extension Turn {
    /// A turn of a standard, verified customer's new conversation, on "hi", to call the turn's parts on.
    static func probe(_ runtime: Runtime) -> Turn {
        let state = runtime.start(id: "c", customer: CustomerProfile(id: "C-1", tier: "standard", verified: true))
        return Turn(runtime: runtime.core, stepBudget: 500, state: state, message: "hi", supplied: nil,
                    env: TurnEnvironment(now: 0, actions: SandboxActions(data: SandboxData()), ledger: MemoryLedger()))
    }
}
