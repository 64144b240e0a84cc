import Foundation
import MandateCLI
import MandateCompiler
@testable import MandateIR
import MandateRuntime
import Testing

/// The binary plan file (docs/PLAN-FORMAT.md): round trips, determinism, lazy procedures, and
/// every kind of bad file refused with a clear error, never a crash.
@Suite struct PlanFormatTests {
    /// The reference project's plan file.
    static let file: PlanFile = referencePlanFile!
    static let binary: [UInt8] = [UInt8](try! file.binary(sha256: Compiler.sha256))

    /// Loads bytes as a plan file.
    static func load(_ bytes: [UInt8], _ decoding: PlanFile.ProcedureDecoding = .eager) throws(PlanLoadError) -> PlanFile {
        try PlanFile.load(Data(bytes), sha256: Compiler.sha256, procedures: decoding)
    }

    /// The bytes with their trailer recomputed: a file whose hash matches whatever it holds,
    /// as someone crafting a hostile plan could make.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= PlanBinary.trailerSize else { return bytes }
        var out = Array(bytes.dropLast(PlanBinary.trailerSize))
        out += out.withUnsafeBytes { Compiler.sha256($0) }
        return out
    }

    /// The error `load` throws, or nil when it loads.
    static func error(_ bytes: [UInt8], _ decoding: PlanFile.ProcedureDecoding = .eager) -> PlanLoadError? {
        do {
            _ = try load(bytes, decoding)
            return nil
        } catch {
            return error
        }
    }

    /// Where a section starts and how long it is, from the section table.
    static func section(_ tag: String, in bytes: [UInt8]) -> Range<Int> {
        let count = Int(bytes[12])
        for i in 0..<count {
            let at = PlanBinary.headerSize + PlanBinary.entrySize * i
            if bytes[at..<(at + 4)].elementsEqual(tag.utf8) {
                let offset = bytes[(at + 4)..<(at + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
                let length = bytes[(at + 8)..<(at + 12)].reversed().reduce(0) { $0 << 8 | Int($1) }
                return offset..<(offset + length)
            }
        }
        return 0..<0
    }

    // MARK: Round trips

    @Test func theBinaryFormRoundTripsEagerlyAndLazily() throws {
        let eager = try Self.load(Self.binary)
        #expect(eager == Self.file)
        #expect(eager.plan.procedures.decodedCount == eager.plan.procedures.count)
        let lazy = try Self.load(Self.binary, .lazy)
        #expect(lazy.plan.procedures.decodedCount == 0)
        #expect(lazy.contentHash == Self.file.contentHash)
        #expect(lazy.plan.procedures.position(of: "refund-delivered-order") != nil)
        #expect(lazy.plan.procedures.decodedCount == 0, "looking up an id decodes nothing")
        let one = try #require(lazy.plan.procedures["refund-delivered-order"])
        #expect(one == Self.file.plan.procedures["refund-delivered-order"])
        #expect(lazy.plan.procedures.decodedCount == 1)
        #expect(lazy == Self.file)
        #expect(lazy.plan.procedures.decodedCount == lazy.plan.procedures.count)
        #expect(try lazy.binary(sha256: Compiler.sha256) == Data(Self.binary))
    }

    @Test func bothFormsCarryTheSameHashAndTheJSONFormLoads() throws {
        let json = try Self.file.json()
        let loaded = try PlanFile.load(json, sha256: Compiler.sha256)
        #expect(loaded == Self.file)
        let digest = Self.binary.dropLast(32).withUnsafeBytes { Compiler.sha256Hex($0) }
        #expect(Self.file.contentHash == "sha256:" + digest)
        #expect(Self.file.contentHash == "sha256:" + PlanBinary.hex(Array(Self.binary.suffix(32))))
        #expect(String(decoding: json, as: UTF8.self).contains("\"formatVersion\" : 2"))
    }

    @Test func identicalProjectsGiveIdenticalBytes() throws {
        let path = repositoryRoot.appendingPathComponent("Procedures").path
        let again = try #require(try Compiler.planFile(Compiler.compile(ProjectSources.load(path: path))))
        #expect(try again.binary(sha256: Compiler.sha256) == Data(Self.binary))
        #expect(try again.json() == Self.file.json())
    }

    @Test func theBinaryFormIsSmallerThanTheJSONForm() throws {
        // The reference project's plan is mostly its classifier (packed, 4 bytes a number); the
        // generated 1,000-procedure project's binary plan is 25× smaller than its JSON (PERFORMANCE.md).
        let json = try Self.file.json()
        #expect(Self.binary.count * 3 / 2 < json.count, "binary \(Self.binary.count) bytes, JSON \(json.count)")
    }

    @Test func aPlanWithoutAClassifierRoundTrips() throws {
        var plan = Self.file.plan
        plan.classifier = nil
        let file = try PlanFile(plan: plan, compiler: "test", sha256: Compiler.sha256)
        let bytes = [UInt8](try file.binary(sha256: Compiler.sha256))
        #expect(Self.section("CLSF", in: bytes).isEmpty)
        #expect(try Self.load(bytes) == file)
    }

    @Test func lazyProceduresAreSafeToReadFromManyThreadsAtOnce() async throws {
        let lazy = try Self.load(Self.binary, .lazy).plan.procedures
        let expected = Self.file.plan.procedures
        await withTaskGroup(of: Bool.self) { group in
            for t in 0..<8 {
                group.addTask {
                    (0..<lazy.count).allSatisfy { k in
                        let i = (k + t * 3) % lazy.count
                        return lazy[i] == expected[i]
                    }
                }
            }
            for await ok in group { #expect(ok) }
        }
        #expect(lazy.decodedCount == lazy.count)
    }

    @Test func aRuntimeFromALazyPlanRunsTheReferenceRefund() throws {
        let plan = try Self.load(Self.binary, .lazy).plan
        var h = try Harness(plan: plan, customer: dana, fixtures: ["orders": [orderFixture(id: "1042", customer: "C-1001", total: "89.00 USD")]])
        #expect(plan.procedures.decodedCount == 0, "making a runtime decodes no procedure")
        _ = h.say("can I get a refund?", intent: "refund_request")
        _ = h.say("it's order 1042")
        let third = h.say("yes please")
        #expect(third.contains(.action(name: "issue_refund", arguments: ["amount": "$89.00", "order": "1042", "customer_id": "C-1001"])))
        #expect(plan.procedures.decodedCount >= 1 && plan.procedures.decodedCount < plan.procedures.count)
    }

    // MARK: Bad files

    @Test func aFileWithAnotherSignatureIsNotAPlan() {
        var bytes = Self.binary
        bytes[1] = UInt8(ascii: "X")
        guard case .notAPlan? = Self.error(bytes) else { Issue.record("\(String(describing: Self.error(bytes)))"); return }
        #expect(Self.error(Array("hello".utf8)) == .notAPlan("it starts neither with a binary plan's signature nor with `{` (JSON)"))
        #expect(Self.error([]) == .notAPlan("the file is empty"))
    }

    @Test func anotherFormatVersionIsRefusedNamingBoth() {
        var bytes = Self.binary
        bytes[8] = 7
        #expect(Self.error(bytes) == .unsupportedFormatVersion(found: 7, supported: 2))
        #expect(Self.error(bytes)!.description.contains("format version 7; this Mandate reads format version 2"))
    }

    @Test func aChangedByteIsRefusedNamingBothHashes() throws {
        var bytes = Self.binary
        let plan = Self.section("PLAN", in: bytes)
        bytes[plan.lowerBound + 3] ^= 0x01
        guard case .hashMismatch(let recorded, let computed)? = Self.error(bytes) else { Issue.record("accepted a changed byte"); return }
        #expect(recorded == Self.file.contentHash)
        #expect(recorded != computed)
        #expect(Self.error(bytes)!.description.contains("changed after it was compiled"))
    }

    @Test func aTruncatedFileSaysHowLongItShouldBe() {
        let full = Self.binary.count
        for cut in [full - 1, full - 33, full / 2, 100, 64] {
            #expect(Self.error(Array(Self.binary.prefix(cut))) == .truncated(expected: full, found: cut), "cut at \(cut)")
        }
        for cut in [63, 40, 8, 3] {
            #expect(Self.error(Array(Self.binary.prefix(cut))) == .truncated(expected: nil, found: cut), "cut at \(cut)")
        }
        #expect(Self.error(Self.binary + [0]) == .malformed("1 byte follows the end of the plan (it says it is \(full) bytes long)"))
    }

    @Test func hugeLengthsAreRefusedBeforeAnythingIsAllocated() {
        // The header claims a terabyte.
        var bytes = Self.binary
        bytes[16..<24] = [0, 0, 0, 0, 0, 1, 0, 0]
        #expect(Self.error(bytes) == .tooLarge(bytes: 1 << 40, limit: PlanFile.maximumFileSize))
        // The string table claims four billion strings (with the hash made to match).
        bytes = Self.binary
        let strings = Self.section("STRS", in: bytes)
        bytes.replaceSubrange(strings.lowerBound..<(strings.lowerBound + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        guard case .malformed(let why)? = Self.error(Self.resealed(bytes)) else { Issue.record("accepted"); return }
        #expect(why.contains("claims 4294967295 strings"))
        // The table of procedures claims 2⁶³ of them.
        bytes = Self.binary
        let toc = Self.section("PTOC", in: bytes)
        let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        // Replace the one-byte count with a nine-byte one, keeping the section's length: drop the
        // eight bytes after the count's first byte is not possible without breaking entries, so
        // overwrite the start of the section instead.
        bytes.replaceSubrange(toc.lowerBound..<(toc.lowerBound + huge.count), with: huge)
        guard case .malformed(let tocWhy)? = Self.error(Self.resealed(bytes)) else { Issue.record("accepted"); return }
        #expect(tocWhy.contains("the table of procedures: a count of 9223372036854775807"))
        // A section table entry that points past the end.
        bytes = Self.binary
        bytes[PlanBinary.headerSize + 8..<PlanBinary.headerSize + 12] = [0xFF, 0xFF, 0xFF, 0x7F]
        guard case .malformed? = Self.error(Self.resealed(bytes)) else { Issue.record("accepted"); return }
    }

    @Test func binaryJunkIsRefused() {
        var g = SeededGenerator(state: 7)
        for n in [1, 10, 64, 1000, 100_000] {
            let junk = (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
            #expect(Self.error(junk) != nil)
            #expect(Self.error(PlanBinary.signature + junk) != nil)
            #expect(Self.error(Self.resealed(PlanBinary.signature + junk)) != nil)
        }
    }

    @Test func aProcedureThatDoesNotDecodeIsReportedWhenFirstUsedAndHandsOff() throws {
        // Break the first step of `refund-delivered-order` (its op tag) and make the hash match.
        let lazyFile = try Self.load(Self.binary, .lazy)
        let position = try #require(lazyFile.plan.procedures.position(of: "refund-delivered-order"))
        guard case .lazy(let store) = lazyFile.plan.procedures.storage else { Issue.record("not lazy"); return }
        var bytes = Self.binary
        let body = store.entries[position].range
        for i in body { bytes[i] = 0xEE }
        let crafted = Self.resealed(bytes)
        // Eagerly: refused at load, naming the procedure.
        guard case .malformed(let why)? = Self.error(crafted) else { Issue.record("accepted"); return }
        #expect(why.contains("procedure `refund-delivered-order`"))
        // Lazily: the load succeeds, the procedure says why when used, and a conversation that
        // reaches it is handed to a person.
        let plan = try Self.load(crafted, .lazy).plan
        #expect(throws: PlanLoadError.self) { try plan.procedures.decoded(at: position) }
        // The failure is kept: asking again gives the same answer without decoding again.
        #expect(throws: PlanLoadError.self) { try plan.procedures.decoded(at: position) }
        #expect(plan.procedures.decodedCount == 0)
        var h = try Harness(plan: plan, customer: dana, fixtures: ["orders": [orderFixture(id: "1042", customer: "C-1001", total: "89.00 USD")]])
        let effects = h.say("can I get a refund?", intent: "refund_request")
        let packet = try #require(handoff(effects))
        #expect(packet.reason.contains("cannot be read"))
        #expect(plan.procedures["share-order-status"] == Self.file.plan.procedures["share-order-status"])
    }

    @Test func deeplyNestedExpressionsAreRefusedWithoutExhaustingTheStack() throws {
        // 10,000 `not` tags, then a name: far past the nesting limit.
        var bytes = [UInt8](repeating: 20, count: 10_000) + [1, 0]
        let table: [UInt8] = [1, 0, 0, 0, 1, 0, 0, 0, UInt8(ascii: "x")]
        let tableStart = bytes.count
        bytes += table
        try bytes.withUnsafeBytes { raw in
            let strings = try StringTable(raw, tableStart..<raw.count)
            var r = BinaryReader(raw, 0..<tableStart, strings: strings, cache: StringCache(), context: "test")
            #expect(throws: PlanLoadError.self) { _ = try r.expr() }
            var shallow = BinaryReader(raw, (10_000 - 5)..<tableStart, strings: strings, cache: StringCache(), context: "test")
            #expect(try shallow.expr() == .not(.not(.not(.not(.not(.name("x")))))))
        }
        // And the writer will not write what the reader would refuse.
        var deep = Expr.name("x")
        for _ in 0..<(PlanBinary.maximumDepth + 1) { deep = .not(deep) }
        var plan = Self.file.plan
        var procedures = Array(plan.procedures)
        procedures[0].steps[0].op = .set(name: "x", value: deep, type: .boolean)
        plan.procedures = ProcedureList(procedures)
        #expect(throws: PlanLoadError.self) { try PlanFile(plan: plan, compiler: "test", sha256: Compiler.sha256) }
    }

    @Test func anInconsistentClassifierIsRefused() throws {
        let model = try #require(Self.file.plan.classifier)
        // A weight for a label that does not exist.
        #expect(throws: ClassifierModel.Inconsistent.self) {
            try ClassifierModel(method: model.method, labels: model.labels, features: model.features, biasMilli: model.biasMilli,
                                unseenMilli: model.unseenMilli, temperatureMilli: model.temperatureMilli, examples: model.examples,
                                featureText: model.featureText, featureEnds: model.featureEnds, weightEnds: model.weightEnds,
                                weightLabels: model.weightLabels.map { _ in 999 }, weightMilli: model.weightMilli)
        }
        // In a file, with the hash made to match: the last label index made 999. The section ends
        // with the labels' count and words, then the weights' count and words.
        var bytes = Self.binary
        let clsf = Self.section("CLSF", in: bytes)
        let n = model.weightMilli.count
        var countLength = 1
        while n >> (7 * countLength) > 0 { countLength += 1 }
        let labelsEnd = clsf.upperBound - 4 * n - countLength
        bytes.replaceSubrange((labelsEnd - 4)..<labelsEnd, with: [0xE7, 0x03, 0, 0])
        guard case .malformed(let why)? = Self.error(Self.resealed(bytes)) else { Issue.record("accepted"); return }
        #expect(why.contains("label 999"))
    }

    // MARK: Random mutations

    /// A random change to the bytes: flip, overwrite, cut, insert, delete or repeat.
    static func mutate(_ bytes: [UInt8], _ g: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        // Half the changes land in the first 300 bytes: the header, the section table and the string table's start.
        func position() -> Int {
            Bool.random(using: &g) ? Int.random(in: 0..<min(300, out.count), using: &g) : Int.random(in: 0..<out.count, using: &g)
        }
        for _ in 0..<Int.random(in: 1...4, using: &g) where !out.isEmpty {
            switch Int.random(in: 0..<7, using: &g) {
            case 0: out[position()] ^= UInt8(1 << Int.random(in: 0..<8, using: &g))
            case 1: out[position()] = [0, 0xFF, 0x7F, 0x80, 1].randomElement(using: &g)!
            case 2: out[position()] = UInt8.random(in: 0...255, using: &g)
            case 3: out = Array(out.prefix(position()))
            case 4: out.insert(contentsOf: (0..<Int.random(in: 1...16, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }, at: position())
            case 5:
                let start = position()
                out.removeSubrange(start..<min(out.count, start + Int.random(in: 1...64, using: &g)))
            default:
                let start = position()
                out.insert(contentsOf: out[start..<min(out.count, start + Int.random(in: 1...64, using: &g))], at: start)
            }
        }
        return out
    }

    /// Everything a runtime would touch in a loaded plan.
    static func exercise(_ file: PlanFile) {
        let procedures = file.plan.procedures
        for i in procedures.indices {
            _ = try? procedures.decoded(at: i)
            _ = procedures[i].steps.count
        }
        if let model = file.plan.classifier {
            _ = EmbeddedClassifier(model: model).classify("I want a refund for order 1042 please")
        }
        _ = Runtime(plan: file.plan)
    }

    @Test(arguments: 0..<6)
    func randomMutationsNeverCrashTheLoader(_ batch: Int) {
        var g = SeededGenerator(state: UInt64(batch) &* 0x9E37_79B9 &+ 11)
        var loadedAsIs = 0
        var loadedResealed = 0
        for _ in 0..<150 {
            let mutated = Self.mutate(Self.binary, &g)
            if let file = try? Self.load(mutated) {
                loadedAsIs += 1
                Self.exercise(file)
            }
            // With the hash made to match, the mutation reaches the decoders.
            let crafted = Self.resealed(mutated)
            if let file = try? Self.load(crafted) {
                loadedResealed += 1
                Self.exercise(file)
            }
            if let file = try? Self.load(crafted, .lazy) { Self.exercise(file) }
        }
        // Nearly every change is caught by the hash; some resealed ones still decode (a changed
        // string, a changed number), and those must be safe to run.
        #expect(loadedAsIs <= 5, "\(loadedAsIs) mutated files loaded without resealing")
        #expect(loadedResealed < 150)
    }
}
