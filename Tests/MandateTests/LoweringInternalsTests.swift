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
}
