import Foundation

// The binary plan file: what `mandate compile -o FILE` writes and what the runtime loads.
// docs/PLAN-FORMAT.md describes every byte; keep the two in step.
//
//   header    32 bytes: signature, format version, section count, file length, zero
//   sections  a table (16 bytes each: tag, offset, length, zero), then the sections in that order
//   trailer   32 bytes: SHA-256 of every byte before it
//
// Integers inside sections are LEB128 varints (signed ones zigzag-coded) unless said otherwise;
// strings are indexes into the string table. Every count is checked against the bytes left
// before anything is allocated for it, so a hostile file costs at most a bounded multiple of
// its own size.

/// The binary encoding of a plan file.
enum PlanBinary {
    /// The first eight bytes of every binary plan. Like PNG's: a high byte, the letters, and
    /// line ends and a DOS end-of-file that a text-mode copy would mangle.
    static let signature: [UInt8] = [0x89, 0x4D, 0x50, 0x4C, 0x0D, 0x0A, 0x1A, 0x0A]  // \x89 M P L \r \n \x1A \n
    static let headerSize = 32
    static let entrySize = 16
    static let trailerSize = 32
    /// How deeply expressions and types may nest: far more than a sentence makes, few enough
    /// that reading a hostile file cannot exhaust a thread's stack.
    static let maximumDepth = 64

    /// The sections, in the order they appear; the classifier's is the only optional one.
    enum Section: CaseIterable {
        case strings, meta, plan, procedureTable, procedures, classifier

        /// Its four-letter tag.
        var tag: [UInt8] {
            switch self {
            case .strings: Array("STRS".utf8)
            case .meta: Array("META".utf8)
            case .plan: Array("PLAN".utf8)
            case .procedureTable: Array("PTOC".utf8)
            case .procedures: Array("PROC".utf8)
            case .classifier: Array("CLSF".utf8)
            }
        }
    }

    // MARK: Writing

    /// The file's bytes for a plan: deterministic, so identical plans give identical files.
    static func encode(_ plan: Plan, compiler: String, sha256: (UnsafeRawBufferPointer) -> [UInt8]) throws(PlanLoadError) -> [UInt8] {
        let pool = StringPool()
        var meta = BinaryWriter(pool)
        meta.string(compiler)
        var body = BinaryWriter(pool)
        try body.plan(plan)
        var table = BinaryWriter(pool)
        var procedures = BinaryWriter(pool)
        table.count(plan.procedures.count)
        for p in plan.procedures {
            let start = procedures.bytes.count
            try procedures.procedureBody(p)
            table.string(p.id)
            table.string(p.name)
            table.string(p.goal)
            table.strings(p.handles)
            table.unsigned(UInt64(procedures.bytes.count - start))
        }
        var classifier: BinaryWriter?
        if let model = plan.classifier {
            var w = BinaryWriter(pool)
            w.classifier(model)
            classifier = w
        }
        let sections: [[UInt8]] = [pool.encoded(), meta.bytes, body.bytes, table.bytes, procedures.bytes] + (classifier.map { [$0.bytes] } ?? [])
        let tableEnd = headerSize + entrySize * sections.count
        let length = tableEnd + sections.reduce(0) { $0 + $1.count } + trailerSize
        guard length <= PlanFile.maximumFileSize else { throw .tooLarge(bytes: length, limit: PlanFile.maximumFileSize) }
        var out: [UInt8] = []
        out.reserveCapacity(length)
        out += signature
        appendFixed(&out, UInt32(PlanFile.currentFormatVersion))
        appendFixed(&out, UInt32(sections.count))
        appendFixed(&out, UInt64(length))
        appendFixed(&out, UInt64(0))
        var offset = tableEnd
        for (section, bytes) in zip(Section.allCases, sections) {
            out += section.tag
            appendFixed(&out, UInt32(offset))
            appendFixed(&out, UInt32(bytes.count))
            appendFixed(&out, UInt32(0))
            offset += bytes.count
        }
        for bytes in sections { out += bytes }
        let digest = out.withUnsafeBytes { sha256($0) }
        out += digest
        return out
    }

    static func appendFixed<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    // MARK: Reading

    /// Where each section lies in a file whose header, length and hash have been checked.
    struct Layout {
        var ranges: [Section: Range<Int>] = [:]
    }

    /// Checks the header, the length and the hash, then the section table. `raw` is the whole file.
    static func layout(_ raw: UnsafeRawBufferPointer, sha256: (UnsafeRawBufferPointer) -> [UInt8]) throws(PlanLoadError) -> Layout {
        let size = raw.count
        guard size >= headerSize + trailerSize else {
            throw .truncated(expected: nil, found: size)
        }
        guard raw.prefix(signature.count).elementsEqual(signature) else {
            throw .notAPlan("it does not start with a binary plan's signature")
        }
        let version = fixed(raw, 8, UInt32.self)
        guard version == UInt32(PlanFile.currentFormatVersion) else {
            throw .unsupportedFormatVersion(found: Int(version), supported: PlanFile.currentFormatVersion)
        }
        let declared = fixed(raw, 16, UInt64.self)
        guard declared <= UInt64(PlanFile.maximumFileSize) else { throw .tooLarge(bytes: declared > UInt64(Int.max) ? Int.max : Int(declared), limit: PlanFile.maximumFileSize) }
        guard Int(declared) <= size else { throw .truncated(expected: Int(declared), found: size) }
        guard Int(declared) == size else {
            let extra = size - Int(declared)
            throw .malformed("\(extra == 1 ? "1 byte follows" : "\(extra) bytes follow") the end of the plan (it says it is \(declared) bytes long)")
        }
        guard fixed(raw, 24, UInt64.self) == 0 else { throw .malformed("the header's reserved bytes are not zero") }
        let recorded = Array(raw[(size - trailerSize)...])
        let computed = sha256(UnsafeRawBufferPointer(rebasing: raw[..<(size - trailerSize)]))
        guard recorded == computed else { throw .hashMismatch(recorded: "sha256:" + hex(recorded), computed: "sha256:" + hex(computed)) }

        let count = Int(fixed(raw, 12, UInt32.self))
        let all = Section.allCases
        guard count == all.count || count == all.count - 1 else {
            throw .malformed("the plan has \(count) sections; this Mandate reads \(all.count - 1) or \(all.count)")
        }
        var layout = Layout()
        var expected = headerSize + entrySize * count
        guard expected <= size - trailerSize else { throw .malformed("the section table runs past the end of the plan") }
        for i in 0..<count {
            let at = headerSize + entrySize * i
            let section = all[i]
            guard Array(raw[at..<(at + 4)]) == section.tag else {
                throw .malformed("section \(i + 1) should be \(String(decoding: section.tag, as: UTF8.self)) but is tagged \(printable(Array(raw[at..<(at + 4)])))")
            }
            let offset = Int(fixed(raw, at + 4, UInt32.self))
            let length = Int(fixed(raw, at + 8, UInt32.self))
            guard fixed(raw, at + 12, UInt32.self) == 0 else { throw .malformed("section \(i + 1)'s reserved bytes are not zero") }
            guard offset == expected, length <= size - trailerSize - offset else {
                throw .malformed("section \(String(decoding: section.tag, as: UTF8.self)) is not where the table says the sections lie")
            }
            layout.ranges[section] = offset..<(offset + length)
            expected = offset + length
        }
        guard expected == size - trailerSize else {
            throw .malformed("\(size - trailerSize - expected) bytes between the last section and the hash belong to no section")
        }
        return layout
    }

    /// A fixed-width little-endian integer at `offset` (the caller has checked the bounds).
    static func fixed<T: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, _ offset: Int, _: T.Type) -> T {
        T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Four bytes as text when they are letters, else in hex.
    static func printable(_ bytes: [UInt8]) -> String {
        bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? "`\(String(decoding: bytes, as: UTF8.self))`" : "0x" + hex(bytes)
    }
}

// MARK: - The string table

/// Every distinct string of the plan, numbered in the order the writer first met them.
final class StringPool {
    private var index: [String: Int] = [:]
    private var strings: [String] = []

    func number(_ s: String) -> Int {
        if let n = index[s] { return n }
        let n = strings.count
        index[s] = n
        strings.append(s)
        return n
    }

    /// `STRS`: the count (u32), each string's end offset in the text (u32 each), then the text.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        PlanBinary.appendFixed(&out, UInt32(strings.count))
        var end = 0
        for s in strings {
            end += s.utf8.count
            PlanBinary.appendFixed(&out, UInt32(truncatingIfNeeded: end))
        }
        for s in strings { out += s.utf8 }
        return out
    }
}

/// The string table of a loaded plan: strings are made when first asked for.
struct StringTable: Sendable {
    /// Where the end offsets start, and where the text starts, in the file.
    let endsAt: Int
    let textAt: Int
    let count: Int

    /// Reads and checks the table's shape (offsets in order, inside the section).
    init(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) throws(PlanLoadError) {
        guard range.count >= 4 else { throw .malformed("the string table is cut short") }
        let count = Int(PlanBinary.fixed(raw, range.lowerBound, UInt32.self))
        guard count <= (range.count - 4) / 4 else { throw .malformed("the string table claims \(count) strings, more than fit in it") }
        endsAt = range.lowerBound + 4
        textAt = endsAt + 4 * count
        self.count = count
        let textLength = range.upperBound - textAt
        var previous: UInt32 = 0
        for i in 0..<count {
            let end = PlanBinary.fixed(raw, endsAt + 4 * i, UInt32.self)
            guard end >= previous, Int(end) <= textLength else { throw .malformed("string \(i) of the string table lies outside it") }
            previous = end
        }
        guard Int(previous) == textLength else { throw .malformed("the string table has \(textLength - Int(previous)) bytes that belong to no string") }
    }

    /// String `i`, checked to be UTF-8.
    func string(_ i: Int, _ raw: UnsafeRawBufferPointer) throws(PlanLoadError) -> String {
        guard i >= 0 && i < count else { throw .malformed("a string number (\(i)) is past the end of the string table (\(count) strings)") }
        let start = i == 0 ? 0 : Int(PlanBinary.fixed(raw, endsAt + 4 * (i - 1), UInt32.self))
        let end = Int(PlanBinary.fixed(raw, endsAt + 4 * i, UInt32.self))
        let bytes = UnsafeRawBufferPointer(rebasing: raw[(textAt + start)..<(textAt + end)])
        guard let s = String(validating: bytes, as: UTF8.self) else { throw .malformed("string \(i) of the string table is not UTF-8") }
        return s
    }
}

/// Strings already made from the table, by number, so that one string used many times is
/// made once (and a hostile file cannot multiply a long string by referring to it over and
/// over). Passed from reader to reader, never copied: each takes it from the last.
struct StringCache {
    var made: [String?] = []
}

// MARK: - Writer

/// Appends a plan's values as bytes.
struct BinaryWriter {
    var bytes: [UInt8] = []
    let pool: StringPool

    init(_ pool: StringPool) { self.pool = pool }

    mutating func unsigned(_ v: UInt64) { VarInt.append(v, to: &bytes) }
    mutating func int(_ v: Int) { unsigned(VarInt.zigzag(Int64(v))) }
    mutating func count(_ n: Int) { unsigned(UInt64(n)) }
    mutating func bool(_ b: Bool) { bytes.append(b ? 1 : 0) }
    mutating func string(_ s: String) { unsigned(UInt64(pool.number(s))) }
    mutating func string(_ s: String?) {
        if let s { unsigned(UInt64(pool.number(s)) + 1) } else { unsigned(0) }
    }
    mutating func strings(_ list: [String]) {
        count(list.count)
        for s in list { string(s) }
    }
    mutating func int(_ v: Int?) {
        if let v { bool(true); int(v) } else { bool(false) }
    }
    mutating func double(_ v: Double?) {
        guard let v else { bool(false); return }
        bool(true)
        PlanBinary.appendFixed(&bytes, v.bitPattern)
    }
    mutating func ints(_ list: [Int]) {
        count(list.count)
        for v in list { int(v) }
    }
    /// Int32s as fixed-width little-endian words, count first: read back in one copy.
    mutating func words(_ list: [Int32]) {
        count(list.count)
        if Int32(1).littleEndian == 1 {
            list.withUnsafeBytes { bytes.append(contentsOf: $0) }
        } else {
            for v in list { PlanBinary.appendFixed(&bytes, v) }
        }
    }
    mutating func raw(_ list: [UInt8]) {
        count(list.count)
        bytes += list
    }
    /// Dictionary entries sorted by key, so the bytes do not depend on hashing.
    mutating func sorted<V>(_ d: [String: V], _ value: (inout BinaryWriter, V) throws(PlanLoadError) -> Void) throws(PlanLoadError) {
        count(d.count)
        for key in d.keys.sorted() {
            string(key)
            try value(&self, d[key]!)
        }
    }
    mutating func list<T>(_ list: [T], _ element: (inout BinaryWriter, T) throws(PlanLoadError) -> Void) throws(PlanLoadError) {
        count(list.count)
        for x in list { try element(&self, x) }
    }
}

// MARK: - Reader

/// Reads a plan's values from one section of the file; every read is checked against the
/// section's end, and a failure names what was being read.
struct BinaryReader {
    let raw: UnsafeRawBufferPointer
    let table: StringTable
    var position: Int
    let end: Int
    var cache: StringCache
    var depth = 0
    /// What is being read, for error messages: `procedure refund-delivered-order`.
    let context: String

    init(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>, strings: StringTable, cache: StringCache, context: String) {
        self.raw = raw
        self.table = strings
        self.position = range.lowerBound
        self.end = range.upperBound
        self.cache = cache
        self.context = context
    }

    func failure(_ what: String) -> PlanLoadError { .malformed("\(context): \(what) (byte \(position))") }

    var atEnd: Bool { position == end }

    mutating func finish() throws(PlanLoadError) {
        guard position == end else { throw failure("\(end - position) bytes left over") }
    }

    mutating func byte() throws(PlanLoadError) -> UInt8 {
        guard position < end else { throw failure("cut short") }
        let b = raw[position]
        position += 1
        return b
    }

    mutating func unsigned() throws(PlanLoadError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw failure("a number too large") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    mutating func int() throws(PlanLoadError) -> Int {
        let z = try unsigned()
        return Int(Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1))))
    }

    /// A count of things each at least one byte long: never more than the bytes left.
    mutating func count() throws(PlanLoadError) -> Int {
        let n = try unsigned()
        guard n <= UInt64(end - position) else { throw failure("a count of \(n) with only \(end - position) bytes left") }
        return Int(n)
    }

    mutating func bool() throws(PlanLoadError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let b: throw failure("\(b) where a yes/no (0 or 1) belongs")
        }
    }

    mutating func string() throws(PlanLoadError) -> String {
        let n = try unsigned()
        guard n < UInt64(table.count) else { throw failure("string number \(n) of \(table.count)") }
        return try made(Int(n))
    }

    mutating func optionalString() throws(PlanLoadError) -> String? {
        let n = try unsigned()
        if n == 0 { return nil }
        guard n <= UInt64(table.count) else { throw failure("string number \(n - 1) of \(table.count)") }
        return try made(Int(n - 1))
    }

    private mutating func made(_ i: Int) throws(PlanLoadError) -> String {
        if cache.made.isEmpty { cache.made = Array(repeating: nil, count: table.count) }
        if let s = cache.made[i] { return s }
        let s = try table.string(i, raw)
        cache.made[i] = s
        return s
    }

    /// The strings made so far, for the next reader (this one keeps none, so nothing is copied).
    mutating func takeCache() -> StringCache {
        let taken = cache
        cache = StringCache()
        return taken
    }

    mutating func strings() throws(PlanLoadError) -> [String] {
        try list { r throws(PlanLoadError) in try r.string() }
    }

    mutating func optionalInt() throws(PlanLoadError) -> Int? {
        try bool() ? try int() : nil
    }

    mutating func optionalDouble() throws(PlanLoadError) -> Double? {
        guard try bool() else { return nil }
        guard end - position >= 8 else { throw failure("cut short") }
        let v = Double(bitPattern: PlanBinary.fixed(raw, position, UInt64.self))
        position += 8
        return v
    }

    mutating func ints() throws(PlanLoadError) -> [Int] {
        try list { r throws(PlanLoadError) in try r.int() }
    }

    /// Int32s written by `BinaryWriter.words`: one copy on a little-endian machine.
    mutating func words() throws(PlanLoadError) -> [Int32] {
        let n = try unsigned()
        guard n <= UInt64(end - position) / 4 else { throw failure("\(n) numbers with only \(end - position) bytes left") }
        let count = Int(n)
        let start = position
        position += 4 * count
        if Int32(1).littleEndian == 1 {
            return [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + 4 * count)]))
                initialized = count
            }
        }
        return (0..<count).map { PlanBinary.fixed(raw, start + 4 * $0, Int32.self) }
    }

    mutating func rawBytes() throws(PlanLoadError) -> [UInt8] {
        let n = try count()
        let start = position
        position += n
        return Array(raw[start..<(start + n)])
    }

    mutating func list<T>(_ element: (inout BinaryReader) throws(PlanLoadError) -> T) throws(PlanLoadError) -> [T] {
        let n = try count()
        var out: [T] = []
        // Not more up front than a few pages: a hostile count is only as good as the elements that follow it.
        out.reserveCapacity(Swift.min(n, 1024))
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }

    mutating func dictionary<V>(_ value: (inout BinaryReader) throws(PlanLoadError) -> V) throws(PlanLoadError) -> [String: V] {
        let n = try count()
        var out: [String: V] = [:]
        out.reserveCapacity(Swift.min(n, 1024))
        for _ in 0..<n {
            let key = try string()
            out[key] = try value(&self)
        }
        return out
    }

    /// One level deeper into an expression or a type; refuses to go past `PlanBinary.maximumDepth`.
    mutating func nested<T>(_ body: (inout BinaryReader) throws(PlanLoadError) -> T) throws(PlanLoadError) -> T {
        guard depth < PlanBinary.maximumDepth else { throw failure("values nested more than \(PlanBinary.maximumDepth) levels deep") }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }
}
