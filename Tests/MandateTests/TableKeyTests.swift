import MandateIR
@testable import MandateRuntime
import Testing

/// The checker and the runtime find a table's rows and columns the same way: case, spaces and
/// underscores do not count (`basic_economy` finds the column `basic economy`).
@Suite struct TableKeyTests {
    @Test func aLookupFindsAColumnWrittenWithSpacesFromAValueWithUnderscores() throws {
        let table = Procedure.Table(name: "free checked bags", rowHeader: "status", columns: ["basic economy", "Main Cabin"],
                                    rowKeys: ["Gold Member", "none"], cells: [[.number("1"), .number("2")], [.number("0"), .number("1")]],
                                    source: SourceRef(file: "bags.procedure", line: 1, column: 1))
        let evaluator = Evaluator(values: ["cabin": .text("basic_economy"), "status": .text("gold_member"), "other": .text("main  cabin")],
                                  customer: CustomerProfile(id: "C-1", tier: "standard", verified: true), verified: true,
                                  confidence: nil, frustrated: false, now: 0, today: CalendarDate(dayNumber: 0), tables: [table])
        #expect(evaluator.eval(.lookup(table: "free checked bags", keys: [.name("status"), .name("cabin")])) == .number(1))
        #expect(evaluator.eval(.lookup(table: "free checked bags", keys: [.name("status"), .name("other")])) == .number(2))
        #expect(Procedure.Table.key("Basic_Economy") == Procedure.Table.key("basic  economy"))
    }
}
