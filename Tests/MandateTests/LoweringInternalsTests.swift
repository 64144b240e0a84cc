import MandateIR
import Testing
@testable import MandateCompiler

/// The lowering's byte-level helpers give what the `String` methods they replace gave.
@Suite struct LoweringInternalsTests {
    /// Words with underscores, doubled underscores, leading and trailing ones, and non-ASCII letters.
    static let wordLists: [[String]] = [
        [], ["order"], ["order", "total"], ["order_number"], ["order_number", "total"],
        ["a__b"], ["_leading", "trailing_"], ["_"], ["café", "crème_brûlée"], ["x", "", "y"], ["", "y"], ["y", ""],
        ["customer", "zip_code"], ["the", "refund_method", "of", "the", "order"],
    ]

    @Test func underscoredIsJoined() {
        for words in Self.wordLists {
            #expect(ProcedureLowering.underscored(words[...]) == words.joined(separator: "_"), "\(words)")
            if words.count > 1 {
                #expect(ProcedureLowering.underscored(words.dropFirst()) == words.dropFirst().joined(separator: "_"), "\(words)")
                #expect(ProcedureLowering.underscored(words[..<1]) == words[0], "\(words)")
            }
        }
    }

    @Test func splitAtUnderscoresIsSplit() {
        for words in Self.wordLists {
            let reference = words.flatMap { $0.split(separator: "_").map(String.init) }
            #expect(ProcedureLowering.splitAtUnderscores(words) == reference, "\(words)")
        }
    }

    @Test func namesWithNoEmptyPieceSurviveSplitting() {
        for name in ["order_number", "total", "a_b_c", "", "_x", "x_", "a__b", "_", "café_crème"] {
            let words = [name]
            let roundTrip = ProcedureLowering.underscored(ProcedureLowering.splitAtUnderscores(words)[...])
            #expect(ProcedureLowering.hasNoEmptyPiece(name) == (!name.isEmpty && roundTrip == name), "\(name)")
        }
    }

    @Test func procedureIDIsTheFileNameWithoutExtension() {
        let cases: [(String, String)] = [
            ("Procedures/refund.procedure", "refund"),
            ("refund.procedure", "refund"),
            ("a/b/notes", "notes"),
            ("a/b/x.procedure/", "x"),
            ("a/b/x.procedure//", "x"),
            ("a/b/remboursé.procedure", "remboursé"),
            ("a/b/.procedure", ""),
            ("a/b/procedure", "procedure"),
        ]
        for (path, id) in cases {
            #expect(Symbols.procedureID(path) == id, "\(path)")
        }
    }

    @Test func phraseWordsInOrder() {
        #expect(ProcedureLowering.wordsAppearInOrder([], []))
        #expect(ProcedureLowering.wordsAppearInOrder([1, 2], [1, -1, 2]))
        #expect(ProcedureLowering.wordsAppearInOrder([1, 1], [1, 3, 1]))
        #expect(!ProcedureLowering.wordsAppearInOrder([1, 1], [1, 3]))
        #expect(!ProcedureLowering.wordsAppearInOrder([2, 1], [1, 2]))
        #expect(!ProcedureLowering.wordsAppearInOrder([1], [-1, -1]))
    }

    @Test func aLookupHasItsTableCellsType() {
        let usd = { (minor: Int64) in Value.money(Money(minor: minor, currency: "USD")) }
        #expect(ProcedureLowering.lookupType([[usd(100), usd(200)], [usd(0), usd(5)]]) == .money)
        #expect(ProcedureLowering.lookupType([[.percent(1000)], [.percent(0)]]) == .percent)
        #expect(ProcedureLowering.lookupType([[usd(100), .percent(5)]]) == .unknown)
        #expect(ProcedureLowering.lookupType([]) == .number)
    }

    /// The lowering's name table answers as a `Dictionary` would, through a random sequence of
    /// sets, removals and look-ups, whatever way its keys are stored: short and long names,
    /// non-ASCII ones, the empty name, and the same text held as a small and as a heap string.
    @Test func nameTableAnswersAsADictionary() {
        var generator = SeededGenerator(state: 0x5EED)
        // Canonically equivalent spellings are equal Strings: `café` with one character or with
        // `e` and a combining accent, the Kelvin sign and `K`, a long name with either `é`.
        let base = ["", "a", "order", "order_number", "refund_amount_in_store_credit", "café", "crème_brûlée",
                    "x_", "_x", "exactly8", "exactly16bytes!!", "fifteen_bytes15", "a rather long name with spaces",
                    "cafe\u{301}", "K", "\u{212A}", "k", "caf\u{E9}_au_lait_with_sugar", "cafe\u{301}_au_lait_with_sugar"]
        var keys = base
        for b in base {
            // The same text, built so that it is stored on the heap rather than inline.
            var heap = String()
            heap.reserveCapacity(64)
            heap.append(b)
            keys.append(heap)
        }
        for n in 0..<200 { keys.append("name_\(n)") }
        var table = NameTable<Int>()
        var reference: [String: Int] = [:]
        for step in 0..<20_000 {
            let key = keys[Int(generator.next() % UInt64(keys.count))]
            switch generator.next() % 4 {
            case 0:
                table[key] = nil
                reference[key] = nil
            case 1, 2:
                table[key] = step
                reference[key] = step
            default:
                #expect(table[key] == reference[key], "\(key)")
            }
            #expect(table.count == reference.count)
        }
        for key in keys { #expect(table[key] == reference[key], "\(key)") }
        #expect(Set(table.keysInOrder) == Set(reference.keys))
        #expect(Dictionary(uniqueKeysWithValues: table.entries.map { ($0.key, $0.value) }) == reference)
    }

    @Test func nameTableKeepsTheOrderKeysWereFirstSet() {
        var table = NameTable<Int>()
        for (i, k) in ["zeta", "alpha", "mid", "beta"].enumerated() { table[k] = i }
        table["alpha"] = nil
        table["mid"] = 10
        table["alpha"] = 11
        #expect(table.keysInOrder == ["zeta", "alpha", "mid", "beta"])
        #expect(table.entries.map(\.value) == [0, 11, 10, 3])
    }

    @Test func nameHashDependsOnTheTextNotItsStorage() {
        for text in ["", "a", "exactly8", "fifteen_bytes15", "sixteen_bytes_16", "crème_brûlée"] {
            var heap = String()
            heap.reserveCapacity(64)
            heap.append(text)
            #expect(NameHash.of(text) == NameHash.of(heap), "\(text)")
            #expect(NameHash.of(text) == Array(text.utf8).withUnsafeBytes { NameHash.hash(bytes: $0) }, "\(text)")
        }
        // On this platform a small string's bits are read directly: the test above compares that
        // path with the bytes' path.
        #expect(NameHash.smallStringsAreReadable)
        #expect(NameHash.of("ab") != NameHash.of("ba"))
        // Equal Strings hash alike, however they are spelled.
        for (a, b) in [("caf\u{E9}", "cafe\u{301}"), ("K", "\u{212A}"), ("\u{212B}", "\u{C5}"),
                       ("caf\u{E9}_au_lait_with_sugar", "cafe\u{301}_au_lait_with_sugar")] {
            #expect(a == b)
            #expect(NameHash.of(a) == NameHash.of(b), "\(a) \(b)")
            var table = NameTable<Int>()
            table[a] = 1
            #expect(table[b] == 1, "\(a) \(b)")
        }
        #expect(NameHash.of("a") != NameHash.of("a\u{0}"))
    }
}
