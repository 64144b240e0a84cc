import MandateDiagnostics
import MandateSyntax
import Testing

/// Parser recovery, marked inline: `1️⃣` in the source is where the first expected
/// diagnostic must start. One run must report every mistake in the file.
@Suite struct RecoveryTests {
    static let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    /// Removes the markers; returns the clean text and each marker's byte offset in it.
    func strip(_ marked: String) -> (String, [String: Int]) {
        var clean = marked
        var offsets: [String: Int] = [:]
        let ordered = Self.markers.compactMap { m in marked.range(of: m).map { (m, $0.lowerBound) } }.sorted { $0.1 < $1.1 }
        for (marker, _) in ordered {
            let r = clean.range(of: marker)!
            offsets[marker] = clean.utf8.distance(from: clean.utf8.startIndex, to: r.lowerBound.samePosition(in: clean.utf8)!)
            clean.removeSubrange(r)
        }
        return (clean, offsets)
    }

    func assertDiagnostics(_ marked: String, _ expected: [(String, DiagnosticCode)], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let (text, offsets) = strip(marked)
        let (_, diagnostics) = ProcedureParser.parse(SourceFile(path: "t.procedure", text: text))
        let actual = diagnostics.map { ($0.range?.start ?? -1, $0.code) }.sorted { $0.0 < $1.0 }
        let wanted = expected.map { (offsets[$0.0]!, $0.1) }.sorted { $0.0 < $1.0 }
        #expect(actual.map(\.0) == wanted.map(\.0), "positions; got \(diagnostics.map { "\($0.code) \($0.message)" })", sourceLocation: sourceLocation)
        #expect(actual.map(\.1) == wanted.map(\.1), "codes", sourceLocation: sourceLocation)
    }

    @Test func everyMistakeInAFileIsReportedInOneRun() {
        assertDiagnostics("""
            Procedure: Refund
            Goal: resolve-order-issues
            1️⃣Handels: refund_request

            1. Ask for the order number.
            2. 2️⃣Escalate to billing.
            3. If the order total frobs 3️⃣$150, escalate to billing because "big".
            4. Say "Done."
            5️⃣Otherwise, say "never".

            4️⃣Refund the order.
            6. Resolve as refund_issued.
            """, [("1️⃣", .unknownHeader), ("2️⃣", .malformedSentence), ("3️⃣", .malformedCondition),
                  ("5️⃣", .otherwiseWithoutIf), ("4️⃣", .textOutsideStep)])
    }

    @Test func anUnterminatedQuoteLosesOnlyItsStep() {
        assertDiagnostics("""
            Procedure: Q
            Goal: g

            1. Say 1️⃣"hello.
            2. Confirm 2️⃣"Shall I?" If the customer declines, 3️⃣frobnicate.
            3. Resolve as done.
            """, [("1️⃣", .unterminatedQuote)])
    }

    @Test func tablesWithRaggedRowsAndBulletsOutsideLists() {
        assertDiagnostics("""
            Procedure: T
            Goal: g
            Table: bags
            | tier | economy | business |
            |------|---------|----------|
            1️⃣| gold | 1 |

            1. Set the bags to 2.
            2️⃣- the order is late
            3. 3️⃣Ask for.
            """, [("1️⃣", .malformedTable), ("2️⃣", .bulletOutsideList), ("3️⃣", .malformedSentence)])
    }

    @Test func missingHeadersAreReportedAtTheStart() {
        assertDiagnostics("""
            1️⃣1. Say "hi".
            2. Resolve as done.
            """, [("1️⃣", .missingHeader), ("1️⃣", .missingHeader)])
    }

    @Test func stepsOutOfOrderWarn() {
        let (_, d) = ProcedureParser.parse(SourceFile(path: "t.procedure", text: "Procedure: x\nGoal: g\n1. Say \"a\".\n3. Say \"b\".\n2. Resolve as done.\n"))
        #expect(d.map(\.code) == [.stepNumbering])
        #expect(d.first?.severity == .warning)
    }
}

@Suite struct DumpTests {
    @Test func percentagesKeepTheirHundredths() {
        let r = SourceRange(file: "x", start: 0, end: 0)
        #expect(ASTDump.expression(.literal(.percent(1205), r)) == "12.05%")
        #expect(ASTDump.expression(.literal(.percent(1250), r)) == "12.50%")
        #expect(ASTDump.expression(.literal(.percent(8000), r)) == "80%")
    }
}
