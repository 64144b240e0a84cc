import Foundation
import MandateIR
@testable import MandateRuntime
import Testing

/// A record keeps its fields in a list sorted by the bytes of their names, and finds a field by
/// looking through them (by halves past 16): it must answer as the dictionary it replaced, and be
/// stored in the same bytes.
@Suite struct RuntimeRecordTests {
    /// Random records (names of equal lengths, names not ASCII, up to 40 fields) built in random
    /// orders, with fields set again and removed: every name, and names they do not hold, read as
    /// from a dictionary; equal records are equal and hash alike whatever order they were built in.
    @Test func fieldsReadAsFromADictionary() {
        let names = ["id", "status", "total", "customer_id", "carrier", "items", "placed_at", "delivered_at", "name", "tier",
                     "ab", "ba", "aa", "bb", "Id", "ID", "é", "ärger", "zeta", "a", "b", "x1", "x10", "x2",
                     "order_number", "order", "orders", "reason", "amount", "email", "zip", "city", "line1", "line2",
                     "country", "phone", "note", "notes", "created", "updated", "kind"]
        var state: UInt64 = 11
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for round in 0..<600 {
            var dictionary: [String: RuntimeValue] = [:]
            var record = RuntimeRecord()
            for _ in 0..<(next() % 41) {
                let name = names[next() % names.count]
                let value: RuntimeValue = next() % 3 == 0 ? .number(Decimal(next() % 100)) : .text("v\(next() % 7)")
                dictionary[name] = value
                record[name] = value
                if next() % 9 == 0 {
                    let gone = names[next() % names.count]
                    dictionary[gone] = nil
                    record[gone] = nil
                }
            }
            for name in names + ["missing", "", "identifier"] { #expect(record[name] == dictionary[name], "\(name) in \(dictionary)") }
            #expect(record.count == dictionary.count)
            #expect(record.dictionary == dictionary)
            #expect(Array(record.keys) == dictionary.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            let shuffled = RuntimeRecord(dictionary)
            #expect(shuffled == record)
            #expect(shuffled.hashValue == record.hashValue)
            #expect(RuntimeValue.record(record)[field: "status"] == dictionary["status"])
            if round % 50 == 0, let (name, _) = dictionary.first {
                var other = record
                other[name] = .boolean(true)
                #expect(other != record)
            }
        }
        let literal: RuntimeRecord = ["total": .number(1), "id": .text("1042"), "id": .text("1043")]
        #expect(literal["id"] == .text("1043") && literal.count == 2)
        #expect(RuntimeRecord() == [:])
    }

    /// A record is stored as the dictionary was: the same JSON as `JSONEncoder` writes for a
    /// dictionary of its fields, the same binary state bytes as `keyed` writes for it, and read back
    /// equal from either.
    @Test func storedInTheBytesOfTheDictionary() throws {
        let fields: [String: RuntimeValue] = ["id": .text("1042"), "total": .money(Money(minor: 18_900, currency: "USD")),
                                              "customer_id": .text("C-1001"), "é": .boolean(true), "Zip": .boolean(false),
                                              "items": .list([.record(["name": .text("Stand mixer"), "quantity": .number(1)])])]
        for dictionary in [fields, [:], ["id": .text("1042")]] {
            let record = RuntimeRecord(dictionary)
            var writer = StateWriter()
            writer.value(.record(record))
            var expected = StateWriter()
            expected.bytes.append(8)
            expected.keyed(dictionary) { $0.value($1) }
            #expect(writer.bytes == expected.bytes)
            let read = try writer.bytes.withUnsafeBytes { bytes in
                var reader = StateReader(bytes)
                return try reader.value()
            }
            #expect(read == .record(record))
            let json = StoredJSON.value(.record(record))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let wrapped = try encoder.encode(["record": ["_0": dictionary]])
            #expect(json == String(decoding: wrapped, as: UTF8.self))
            #expect(try JSONDecoder().decode(RuntimeValue.self, from: Data(json.utf8)) == .record(record))
        }
    }
}
