@testable import MandateSyntax
import Testing

/// A table row's cells are counted, and rule rows told, without walking its cells: on random
/// rows (pipes, blanks, tabs, dashes, colons, letters, text that is not ASCII) the count must
/// be the number of cells `LineLayer.Cells` gives, and a rule exactly a row whose cells hold
/// only `-`, `:` and spaces.
@Suite struct TableRowTests {
    typealias Numbers = ParserPiecesTests.Numbers

    static let pieces: [String] = ["|", "|", "|", " ", " ", "   ", "\t", "-", "---", ":", "a", "vip", "$15", "é", "missing parts"]

    @Test func cellsCountedAndRulesToldAsCellByCell() {
        var numbers = Numbers(state: 20_261_130)
        for round in 0..<5_000 {
            var row = "|"
            for _ in 0..<numbers.next(round < 2_500 ? 8 : 40) {
                row += round % 3 == 0 ? ["|", "-", " ", ":", "\t", "--"][numbers.next(6)] : Self.pieces[numbers.next(Self.pieces.count)]
            }
            // The row within a longer buffer, as in a file.
            let bytes = Array(("  " + row + "\n  ").utf8)
            let range = 2..<(2 + row.utf8.count)
            bytes.withUnsafeBufferPointer { b in
                var cells = LineLayer.Cells(range)
                var contents: [String] = []
                while let (s, e) = cells.next(b) { contents.append(String(decoding: b[s..<e], as: UTF8.self)) }
                #expect(LineLayer.cellCount(b, range) == contents.count, "\(row.debugDescription)")
                let rule = row.utf8.allSatisfy { [0x7C, 0x2D, 0x3A, 0x20, 0x09].contains($0) }
                    && contents.allSatisfy { $0.utf8.allSatisfy { [0x2D, 0x3A, 0x20].contains($0) } }
                #expect(LineLayer.isRuleRow(b, range.lowerBound, range.upperBound) == rule, "\(row.debugDescription)")
            }
        }
    }
}
