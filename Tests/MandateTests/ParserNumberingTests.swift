import MandateDiagnostics
@testable import MandateSyntax
import Testing

/// The sentence parser checks step numbering while it reads the steps; the walk over the
/// finished tree (`ProcedureParser.checkNumbering`) is the reference it must agree with.
@Suite struct ParserNumberingTests {
    /// Lines of procedures with steps out of order at every level, `If` and `For each` blocks,
    /// `Otherwise` at both levels, clauses holding blocks, and broken shapes.
    static let lines = [
        "1. Say \"a\".", "2. Say \"b\".", "3. Resolve as done.", "2. Say \"again\".", "12. Say \"twelve\".", "0. Say \"zero\".",
        "4. If the order total is more than $150:", "5. If the order is late, say \"x\".", "6. For each item in the items:",
        "7. If any of these is true, say \"y\":", "8. Confirm \"Go on?\" If the customer declines, say \"no\".",
        "9. If the order is late, if the order is lost:", "10. If the order is late, say \"x\" and if the order is lost:",
        "Otherwise:", "Otherwise, say \"z\".", "   Otherwise:", "   Otherwise, say \"w\".",
        "   a. Say \"a\".", "   b. Say \"b\".", "   a. Resolve as done.", "   c. If the order is late:", "   d. For each item in the items:",
        "      a. Say \"deep\".", "      b. Say \"deeper\".", "      a. Say \"again\".", "      Otherwise:",
        "         a. Say \"x\".", "         a. Say \"y\".",
        "   - the order is late", "   - the order is lost", "13. Look up the order.", "3. Say \"three\".",
    ]

    static func procedure(_ seed: UInt64) -> String {
        var g = SeededGenerator(state: seed)
        var text = "Procedure: p\nGoal: g\n"
        for _ in 0..<Int.random(in: 1...30, using: &g) { text += lines.randomElement(using: &g)! + "\n" }
        return text
    }

    @Test func numberingWhileReadingAgreesWithTheWalk() {
        var read = 0
        var walkedInstead = 0
        for k in 0..<3_000 {
            let file = SourceFile(path: "n.procedure", text: Self.procedure(UInt64(k) &* 2_654_435_761))
            let (tree, diagnostics, numberingWalked) = ProcedureParser.read(file)
            var walked: [Diagnostic] = []
            ProcedureParser.checkNumbering(tree.steps, in: tree.body, file: file, into: &walked)
            let found = diagnostics.filter { $0.code == .stepNumbering }
            #expect(found.map(\.message) == walked.map(\.message), "seed \(k)")
            #expect(found.map(\.range) == walked.map(\.range), "seed \(k)")
            // The warnings come last, as the walk puts them.
            #expect(diagnostics.suffix(found.count).map(\.message) == found.map(\.message), "seed \(k)")
            if numberingWalked { walkedInstead += 1 } else if !walked.isEmpty { read += 1 }
        }
        // Both ways are reached, and most warnings are found while reading.
        #expect(read > 1_000)
        #expect(walkedInstead > 20)
    }
}
