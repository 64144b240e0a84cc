@testable import MandateCompiler
import MandateDiagnostics
import MandateIR
import Testing

/// The checker's fast paths give what the plain ones give.
@Suite struct CheckerInternalsTests {
    /// Value sets past the first 64 values behave as sets: equal contents are equal values.
    @Test func valueSetsPastOneWord() {
        let large = LargeValueSets()
        func set(_ ids: [Int]) -> ValueSet { ValueSet(ids, in: large) }
        var a = set([1, 63, 64, 130])
        let b = set([130, 2, 64])
        #expect(a.members(in: large) == [1, 63, 64, 130])
        #expect(a.contains(130, in: large) && !a.contains(129, in: large) && !a.contains(500, in: large))
        #expect(a.intersection(b, in: large) == set([64, 130]))
        #expect(a.subtracting(b, in: large) == set([1, 63]))
        #expect(a.subtracting(set([64, 130]), in: large).hashValue == set([1, 63]).hashValue)
        #expect(a.union(b, in: large).members(in: large) == [1, 2, 63, 64, 130])
        #expect(set([200]).subtracting(set([200]), in: large).isEmpty)
        #expect(set([200]).intersection(set([199]), in: large) == ValueSet())
        a.formUnion(set([300]), in: large)
        #expect(a.members(in: large) == [1, 63, 64, 130, 300])
    }

    /// The words of large value sets belong to one procedure's check and go with it, so a
    /// process that checks again and again (an editor, a test run) keeps nothing from before.
    @Test func largeValueSetsGoWithTheirCheck() throws {
        // 70 kinds: the facts about `problem kind` need values past the first 64.
        let kinds = (1...70).map { "\"kind \($0)\"" }.joined(separator: ", ")
        let files = [ExampleFile("refund.procedure", """
            Procedure: Refund an order
            Goal: resolve-order-issues
            Handles: refund_request

            1. Ask for the problem kind.
            2. If the problem kind is one of \(kinds), resolve as declined.
            3. If the problem kind is "kind 70", say "Never said." and resolve as declined.
            4. Escalate to tier-1 because "another problem".
            """)]
        let compilation = compileBase(replacing: files)
        // Step 3 can never run: every kind up to 70 resolved at step 2.
        #expect(compilation.diagnostics.map(\.code.rawValue).contains("M0502"))
        let input = try #require(compilation.proofInput)
        let context = CheckContext(plan: input.plan, lookup: input.lookup, goalSyntax: input.goals, scenarios: input.scenarios, skippedFiles: input.broken)
        let procedure = try #require(context.checkedProcedures.first { $0.id == "refund" })
        weak var table: LargeValueSets?
        do {
            let p = ProcedureUnderCheck(procedure, context: context)
            table = p.facts.analysis.keys.large
            #expect(p.facts.analysis.keys.large.count > 0)
        }
        #expect(table == nil)
    }

    /// A check whose arena comes from a pool reuses the keys, code, names and types of the
    /// arena's last procedure, emptied: every procedure of the reference project and of the
    /// examples (the broken one's findings included), checked in turn and again in reverse with
    /// one arena, is numbered, compiled, analysed and reported as a check with a fresh arena does.
    @Test func reusedArenasCheckAsFreshOnes() throws {
        let pool = ArenaPool()
        // The keys each pooled check used: one object, emptied and used again, for every procedure.
        var keyObjects = Set<ObjectIdentifier>()
        var checked = 0, reported = 0
        // A project with findings: a step that can never run, a value that may be unknown, a refund above the limit.
        let findings = compileBase(replacing: [ExampleFile("refund.procedure", """
            Procedure: Refund an order
            Goal: resolve-order-issues
            Handles: refund_request

            1. Ask for the problem kind.
            2. If the problem kind is one of "broken", "late", resolve as declined.
            3. If the problem kind is "late", say "Never said." and resolve as declined.
            4. If the problem kind is "lost", ask for the order number.
            5. Say "Order {order_number} is noted."
            6. Escalate to tier-1 because "another problem".
            """)])
        var compilations = [findings]
        for path in ["Procedures", "Examples/refund-limits", "Examples/confirmation", "Examples/decision-table", "Examples/airline"] {
            compilations.append(Compiler.compile(try ProjectSources.load(path: repositoryRoot.appendingPathComponent(path).path)))
        }
        for compilation in compilations {
            let input = try #require(compilation.proofInput)
            let context = CheckContext(plan: input.plan, lookup: input.lookup, goalSyntax: input.goals, scenarios: input.scenarios, skippedFiles: input.broken)
            let procedures = context.checkedProcedures
            for procedure in procedures + procedures.reversed() {
                checked += 1
                let fresh = ProcedureUnderCheck(procedure, context: context)
                let pooled = ProcedureUnderCheck(procedure, context: context, pool: pool)
                keyObjects.insert(ObjectIdentifier(pooled.facts.analysis.keys))
                #expect(pooled.names.names == fresh.names.names && pooled.names.defined == fresh.names.defined, "\(procedure.id)")
                #expect(pooled.names.read == fresh.names.read && pooled.names.mentioned == fresh.names.mentioned, "\(procedure.id)")
                #expect(pooled.names.lookups.map(\.table) == fresh.names.lookups.map(\.table), "\(procedure.id)")
                let a = pooled.facts.analysis, b = fresh.facts.analysis
                #expect(a.keys.count == b.keys.count && a.keys.values == b.keys.values, "\(procedure.id)")
                #expect(a.code.nodes == b.code.nodes && a.code.parts == b.code.parts, "\(procedure.id)")
                for k in 0..<a.keys.count where a.keys.domain(k) != b.keys.domain(k) {
                    Issue.record("\(procedure.id): key \(k)'s enumeration values differ")
                }
                for n in procedure.steps.indices {
                    #expect(pooled.facts.before(n) == fresh.facts.before(n), "\(procedure.id) step \(n)")
                }
                var mine = context, theirs = context
                FlowChecks.run(pooled, &mine)
                PolicyProofs.run(pooled, &mine)
                TableChecks.run(pooled, &mine)
                FlowChecks.run(fresh, &theirs)
                PolicyProofs.run(fresh, &theirs)
                TableChecks.run(fresh, &theirs)
                #expect(mine.diagnostics == theirs.diagnostics, "\(procedure.id)")
                reported += mine.diagnostics.count
            }
        }
        #expect(checked > 20 && reported > 0)
        #expect(keyObjects.count == 1)
    }

    /// An ASCII example splits into the same words as by Unicode letters and digits.
    @Test func exampleWordsFastPath() {
        for text in ["Where is my ORDER 17902?", "can't find it\r\nat all", "refund--order  45326 please!", "", "'tis 3x"] {
            let slow = text.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "'" }.map(String.init)
            #expect(PolicyChecks.normalized(text) == slow, "\(text)")
        }
        #expect(PolicyChecks.normalized("Où est ma COMMANDE") == ["où", "est", "ma", "commande"])
    }

    /// A word set with one word left out is the set whose marks sum to one mark less, and
    /// `same` tells it from another set with that sum.
    @Test func exampleWordSetsByMarks() {
        let set = [2, 5, 9, 14]
        #expect(PolicyChecks.same([2, 9, 14], set, without: 1))
        #expect(!PolicyChecks.same([2, 5, 14], set, without: 1) && !PolicyChecks.same([2, 9], set, without: 1))
        #expect(PolicyChecks.same(set, set, without: -1) && !PolicyChecks.same([2, 5, 9], set, without: -1))
        let sum = set.reduce(UInt64(0)) { $0 &+ PolicyChecks.wordMark($1) }
        #expect(sum &- PolicyChecks.wordMark(5) == [2, 9, 14].reduce(UInt64(0)) { $0 &+ PolicyChecks.wordMark($1) })
        #expect(Set((0..<10_000).map(PolicyChecks.wordMark)).count == 10_000)
    }

    /// Few strings are numbered as a dictionary would number them, before and after they
    /// outgrow the list: same numbers, and strings equal as `String`s (the same letter
    /// written two ways in Unicode) share one.
    @Test func fewStringsNumberAsADictionary() {
        var few = FewStrings()
        var plain: [String: Int] = [:]
        // Past 16 strings the list becomes a dictionary: the two spellings are met before and after.
        let words = ["cafe\u{301}", "caf\u{E9}"] + (0..<140).map { "value \($0 % 90)" } + ["caf\u{E9}", "cafe\u{301}", "na\u{EF}ve", "nai\u{308}ve"]
        for w in words {
            let n = few.number(w)
            #expect(n == plain[w, default: plain.count], "\(w)")
            if plain[w] == nil { plain[w] = n }
            #expect(few.find(w) == n)
        }
        #expect(few.strings.count == plain.count && few.find("missing") == nil)
        #expect(few.number("caf\u{E9}") == few.number("cafe\u{301}"))
    }

    static func step(_ n: Int, _ op: Op) -> StepNode {
        StepNode(id: n, label: "\(n + 1)", source: SourceRef(file: "t.procedure", line: n + 1, column: 1), op: op, next: n + 1)
    }

    /// One walk numbers every name once: what each step gives a value to, reads (without the
    /// variables a value binds itself), comes from, and looks up.
    @Test func procedureNamesOneWalk() {
        let whose = Expr.compare(op: "equal", lhs: .field(.name("item"), "kind"), rhs: .literal(.text("spare")))
        let steps = [
            Self.step(0, .ask(slot: "order_number", type: .text, choices: [], from: nil, again: false)),
            Self.step(1, .call(action: "find_order", arguments: ["number": .name("order_number")], binds: ["order"])),
            Self.step(2, .set(name: "spares", value: .count(list: .field(.name("order"), "items"), variable: "item", whose: whose), type: .number)),
            Self.step(3, .forEach(variable: "line", list: .field(.name("order"), "items"), body: 4)),
            Self.step(4, .say(MandateIR.Template(text: "{credit}", parts: [.value(.lookup(table: "credit", keys: [.customer("tier"), .name("kind")]))]))),
            Self.step(5, .confirm(question: MandateIR.Template(text: "{spares}", parts: [.value(.name("spares"))]), onDecline: nil)),
        ]
        let names = ProcedureNames(steps)
        func spelled(_ ids: ArraySlice<Int>) -> [String] { ids.map { names.names[$0] } }
        #expect(spelled(names.defined[names.definedRange(0)]) == ["order_number"])
        #expect(spelled(names.defined[names.definedRange(1)]) == ["order"])
        #expect(spelled(names.read[names.readRange(1)]) == ["order_number"])
        #expect(spelled(names.mentioned[names.mentionedRange(1)]) == ["order_number"])
        // `item` is bound by the count: it is not read, and the `whose` is not where the value comes from.
        #expect(spelled(names.read[names.readRange(2)]) == ["order"])
        #expect(spelled(names.mentioned[names.mentionedRange(2)]) == ["order"])
        #expect(names.names[names.loopVariable[3]] == "line" && names.loopVariable[2] == -1)
        #expect(names.definedRange(3).isEmpty)
        #expect(spelled(names.read[names.readRange(4)]) == ["kind"])
        #expect(names.mentionedRange(4).isEmpty)
        #expect(names.lookups[names.lookupRange(4)].map(\.table) == ["credit"])
        #expect(names.lookupRange(3).isEmpty)
        #expect(spelled(names.mentioned[names.mentionedRange(5)]) == ["spares"])
        #expect(Set(names.names).count == names.count)
        #expect(names.existingID("order") == names.defined[names.definedRange(1)].first)
    }

    /// Compiling the steps' values and conditions in the walk that numbers the names gives what
    /// compiling them after it gives; `the customer's tier` met before a later step names a value
    /// `customer` is compiled again after the walk, as one key with that value's `tier`.
    @Test func namesWalkCompilesAsTheFactsDo() {
        let total = Expr.field(.name("order"), "total")
        let tier = Expr.compare(op: "equal", lhs: .customer("tier"), rhs: .literal(.text("vip")))
        func program(_ steps: [StepNode]) -> (walked: Bool, same: Bool, keys: Int) {
            let procedure = MandateIR.Procedure(id: "p", name: "p", goal: "g", handles: [], requiresVerifiedCustomer: false, entry: 0,
                                                steps: steps, slots: [], tables: [])
            let graph = StepGraph(procedure, arena: CheckArena())
            let analysis = FactAnalysis(domain: { _ in nil })
            var compiled: CompiledSteps?
            let names = ProcedureNames(steps, arena: graph.arena, compiling: analysis, into: &compiled)
            analysis.keys.finish(names: names)
            let separate = FactAnalysis(names: names, domain: { _ in nil })
            let expected = FactProgram(graph, separate, names: names)
            guard let compiled else { return (false, false, separate.keys.count) }
            let walked = FactProgram(graph, analysis, names: names, compiled: compiled)
            let same = walked.same(as: expected, steps: steps.count) && analysis.code.nodes == separate.code.nodes
                && analysis.code.parts == separate.code.parts && analysis.keys.values == separate.keys.values
            return (true, same, analysis.keys.count)
        }
        let steps = [
            Self.step(0, .ask(slot: "order", type: .text, choices: [], from: nil, again: false)),
            Self.step(1, .set(name: "refund", value: .arithmetic(op: "add", lhs: total, rhs: .literal(.money(Money(minor: 500, currency: "USD")))), type: .money)),
            Self.step(2, .branch(condition: .and([tier, .oneOf(.field(.name("order"), "status"), options: [.literal(.text("open")), .literal(.text("late"))]),
                                                  .not(.compare(op: "greaterThan", lhs: .name("refund"), rhs: .lookup(table: "credit", keys: [.name("kind")])))]),
                                 then: 3, otherwise: 3)),
            Self.step(3, .set(name: "kind", value: .literal(.text("late")), type: .text)),
            Self.step(4, .branch(condition: .compare(op: "atLeast", lhs: .sum(list: .field(.name("order"), "items"), variable: "i", field: "price"),
                                                     rhs: .count(list: .field(.name("order"), "items"), variable: "i", whose: nil)), then: nil, otherwise: nil)),
        ]
        let walked = program(steps)
        #expect(walked.walked && walked.same)
        // A value named `customer`, asked for after the condition on the customer's tier.
        let later = steps + [Self.step(5, .ask(slot: "customer", type: .text, choices: [], from: nil, again: false)),
                             Self.step(6, .branch(condition: .compare(op: "equal", lhs: .field(.name("customer"), "tier"), rhs: .literal(.text("vip"))), then: nil, otherwise: nil))]
        #expect(!program(later).walked)
        // Named before it: compiled in the walk, and the two spellings are one key.
        let earlier = [Self.step(0, .ask(slot: "customer", type: .text, choices: [], from: nil, again: false))] + steps.map { s in
            Self.step(s.id + 1, s.op)
        }
        #expect(program(earlier).walked && program(earlier).same)
    }

    /// Two values have the same fact key exactly when their keys spelled out would be equal.
    @Test func factKeysByStructure() {
        let steps = [
            Self.step(0, .ask(slot: "customer", type: .text, choices: [], from: nil, again: false)),
            Self.step(1, .branch(condition: .compare(op: "equal", lhs: .field(.name("order"), "total"), rhs: .name("limit")), then: 2, otherwise: 2)),
        ]
        let keys = FactKeys(names: ProcedureNames(steps), domain: { _ in nil })
        let total = keys.intern(.field(.name("order"), "total"))
        #expect(total != nil && keys.intern(.field(.name("order"), "total")) == total)
        #expect(keys.id(of: .field(.name("order"), "status")) == nil)
        #expect(keys.intern(.field(.name("order"), "status")) != total)
        // `the customer's tier` and the field `tier` of a value named `customer` are both `customer.tier`.
        let tier = keys.intern(.customer("tier"))
        #expect(tier != nil && keys.id(of: .field(.name("customer"), "tier")) == tier)
        #expect(keys.intern(.conversation("tier")) != tier)
        let sum = keys.intern(.sum(list: .field(.name("order"), "items"), variable: "i", field: "price"))
        #expect(sum != nil && sum == keys.id(of: .sum(list: .field(.name("order"), "items"), variable: "j", field: "price")))
        #expect(keys.intern(.count(list: .field(.name("order"), "items"), variable: "i", whose: .literal(.boolean(true)))) == nil)
        #expect(keys.intern(.literal(.number("3"))) == nil)
        // Asking for `order` again forgets what is known of its total and of its items' prices.
        let order = ProcedureNames(steps).existingID("order")!
        #expect(Set(keys.dependents(of: order)).isSuperset(of: [total!, sum!]))
        #expect(!keys.dependents(of: order).contains(tier!))
    }

    /// A state that knows nothing of a key equals one that never had it, whatever their widths.
    @Test func factStatesByKey() {
        var a = FactState(width: 4)
        let b = FactState()
        #expect(a == b && a.hashValue == b.hashValue)
        var f = Fact()
        f.interval = .exactly(5)
        a.set(2, f)
        var c = FactState()
        c.set(2, f)
        #expect(a == c && a.hashValue == c.hashValue)
        #expect(a.join(c, in: LargeValueSets()).fact(2) == f)
        // Joined in place, as `join` joins: what both know, of either width.
        var g = Fact()
        g.interval = .exactly(9)
        var wide = FactState(width: 6)
        wide.set(2, g)
        wide.set(5, f)
        for (x, y) in [(a, wide), (wide, a), (c, wide)] {
            var joined = x
            joined.formJoin(y, in: LargeValueSets())
            #expect(joined == x.join(y, in: LargeValueSets()) && joined.fact(5) == nil && joined.fact(2)?.interval == Interval(lo: 5, hi: 9))
        }
        a.forget([2])
        #expect(a == b && a.fact(2) == nil)
    }

    /// Two names are the same for `NameHash.same` exactly when `==` says so: short ASCII names
    /// by their bits, others (long, accented, written two ways) by `==`.
    @Test func namesComparedAsStringsDo() {
        // A short name kept in a heap buffer of its own, not as a small string.
        var heap = String()
        heap.reserveCapacity(64)
        heap += "order_number"
        let names = ["", "a", "ab", "ba", "a\u{0}", "order_number", heap, "order_numbers", "a name of more than fifteen bytes",
                     "a name of more than fifteen byteS", "caf\u{E9}", "cafe\u{301}", "K", "\u{212A}", "tier", "tiers"]
        for a in names {
            for b in names { #expect(NameHash.same(a, b) == (a == b), "\(a) \(b)") }
            #expect(NameHash.firstIndex(of: a, in: names) == names.firstIndex(of: a), "\(a)")
            #expect(NameHash.firstIndex(of: a, in: names.reversed()) == names.reversed().firstIndex(of: a), "\(a)")
        }
        #expect(NameHash.firstIndex(of: "order_number", in: ["tier", heap]) == 1 && NameHash.firstIndex(of: "x", in: []) == nil)
    }

    /// A fact keeps what it is given, in 48 bytes with `Optional`; a fact that knows nothing is `Fact()`.
    @Test func factsKeptFlat() {
        let large = LargeValueSets()
        #expect(MemoryLayout<Fact?>.stride == 48)
        var f = Fact()
        #expect(f.interval == .top && f.allowed == nil && f.excluded.isEmpty)
        f.interval = Interval(lo: -5, loStrict: true, hi: nil, hiStrict: true)
        f.allowed = ValueSet([1, 70], in: large)
        f.excluded = ValueSet(only: 3, in: large)
        #expect(f.interval.lo == -5 && f.interval.loStrict && f.interval.hi == nil && f.interval.hiStrict)
        #expect(f.allowed?.members(in: large) == [1, 70] && f.excluded.members(in: large) == [3])
        f.interval.atMost(9, strict: false)
        #expect(f.interval == Interval(lo: -5, loStrict: true, hi: 9, hiStrict: false))
        f.interval = .top
        f.allowed = nil
        f.excluded = ValueSet()
        #expect(f == Fact() && f.hashValue == Fact().hashValue)
        var g = Interval.exactly(4)
        g.lo = nil
        #expect(g != .top && g == Interval(hi: 4))
    }

    /// A phrase is found at a position exactly when the text, ASCII letters lowered, has it there.
    @Test func neverSayPhraseMatches() {
        for text in ["We GUARANTEE it", "no legal advice here", "guarantee", "guarante", "", "Ünïcode guarantee €5"] {
            for phrase in ["guarantee", "legal advice", "€5", "ü"] {
                let lowered = phrase.utf8.map(PolicyChecks.lower)
                var t = text
                let found = t.withUTF8 { bytes in bytes.indices.contains { PolicyChecks.matches(bytes, at: $0, lowered) } }
                let asciiLowered = String(decoding: text.utf8.map(PolicyChecks.lower), as: UTF8.self)
                #expect(found == asciiLowered.contains(phrase), "\(phrase) in \(text)")
            }
        }
    }
}
