import Foundation

/// The plan as a file: format, version, compiler, content hash, and the plan.
///
/// A plan file has two forms with the same content and the same hash:
/// - the **binary** form (`PlanFile.binary`), what `mandate compile -o FILE` writes and the
///   runtime loads: compact, with a table of contents so that procedures are decoded when a
///   conversation first reaches them, and a SHA-256 of its own bytes at the end;
/// - the **JSON** form (`PlanFile.json`), for people, reviews and golden files: pretty JSON with
///   sorted keys, the same fields as this type.
///
/// `contentHash` is the SHA-256 of the binary form's bytes before its 32-byte trailer, so one
/// plan has one hash whichever form it is kept in. Both forms are deterministic: identical
/// plans give identical bytes. docs/PLAN-FORMAT.md describes the binary layout.
public struct PlanFile: Codable, Sendable, Equatable {
    /// The format version this library writes and reads (both forms).
    public static let currentFormatVersion = 2
    /// The value of `format`.
    public static let formatName = "mandate-plan"
    /// Plan files larger than this, in either form, are refused before they are read: the
    /// generated 1,000-procedure project's plan is 1.7 MB in binary and 44 MB as JSON.
    public static let maximumFileSize = 256 << 20

    /// Always `mandate-plan`.
    public var format: String
    /// The plan format's version.
    public var formatVersion: Int
    /// The compiler that wrote it.
    public var compiler: String
    /// `sha256:<hex>` of the binary form's bytes before its trailer.
    public var contentHash: String
    /// The plan.
    public var plan: Plan

    /// Wraps a plan, hashing its binary form with `sha256` (which returns the 32-byte digest).
    public init(plan: Plan, compiler: String, sha256: (UnsafeRawBufferPointer) -> [UInt8]) throws(PlanLoadError) {
        self = try PlanFile.encoded(plan: plan, compiler: compiler, sha256: sha256).file
    }

    /// Wraps a plan and returns its binary form too: the bytes its hash was taken over, so a
    /// caller that writes them does not encode the plan a second time.
    public static func encoded(plan: Plan, compiler: String, sha256: (UnsafeRawBufferPointer) -> [UInt8]) throws(PlanLoadError) -> (file: PlanFile, binary: Data) {
        let bytes = try PlanBinary.encode(plan, compiler: compiler, sha256: sha256)
        return (PlanFile(plan: plan, compiler: compiler, trailer: Array(bytes.suffix(PlanBinary.trailerSize))), Data(bytes))
    }

    init(plan: Plan, compiler: String, trailer: [UInt8]) {
        format = PlanFile.formatName
        formatVersion = PlanFile.currentFormatVersion
        self.compiler = compiler
        self.plan = plan
        contentHash = "sha256:" + PlanBinary.hex(trailer)
    }

    /// The binary form: what the runtime loads. Identical plans give identical bytes.
    public func binary(sha256: (UnsafeRawBufferPointer) -> [UInt8]) throws(PlanLoadError) -> Data {
        Data(try PlanBinary.encode(plan, compiler: compiler, sha256: sha256))
    }

    /// The JSON form: pretty JSON with sorted keys and a final newline. Identical plans give identical bytes.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// When a binary plan's procedures are decoded.
    public enum ProcedureDecoding: Sendable {
        /// All of them while loading: every problem is found before `load` returns (tools, diffs, tests).
        case eager
        /// Each the first time it is used: the runtime's choice, so that loading costs the same
        /// whatever the number of procedures. The file's hash is still checked while loading.
        case lazy
    }

    /// Whether these bytes start like a binary plan (its 8-byte signature).
    public static func isBinary(_ data: Data) -> Bool {
        data.count >= PlanBinary.signature.count && data.prefix(PlanBinary.signature.count).elementsEqual(PlanBinary.signature)
    }

    /// Reads a plan file from disk in either form; refuses a file larger than `maximumFileSize`
    /// before reading it.
    public static func load(contentsOf path: String, sha256: (UnsafeRawBufferPointer) -> [UInt8],
                            procedures: ProcedureDecoding = .eager) throws(PlanLoadError) -> PlanFile {
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw .unreadable("cannot read `\(path)`: no such file")
        }
        guard size <= maximumFileSize else { throw .tooLarge(bytes: size, limit: maximumFileSize) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable("cannot read `\(path)`") }
        return try load(data, sha256: sha256, procedures: procedures)
    }

    /// Loads a plan file in either form, told apart by their first bytes. Refuses another format
    /// version, a hash that does not match the bytes, and anything that does not decode, with
    /// an error that says which; never traps, whatever the bytes.
    public static func load(_ data: Data, sha256: (UnsafeRawBufferPointer) -> [UInt8],
                            procedures: ProcedureDecoding = .eager) throws(PlanLoadError) -> PlanFile {
        if isBinary(data) { return try loadBinary(data, sha256: sha256, procedures: procedures) }
        let signature = PlanBinary.signature
        if !data.isEmpty, data.count < signature.count, signature.starts(with: data) { throw .truncated(expected: nil, found: data.count) }
        guard let first = data.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw .notAPlan("the file is empty")
        }
        guard first == UInt8(ascii: "{") else {
            throw .notAPlan("it starts neither with a binary plan's signature nor with `{` (JSON)")
        }
        return try loadJSON(data, sha256: sha256)
    }

    static func loadBinary(_ data: Data, sha256: (UnsafeRawBufferPointer) -> [UInt8],
                           procedures decoding: ProcedureDecoding) throws(PlanLoadError) -> PlanFile {
        guard data.count <= maximumFileSize else { throw .tooLarge(bytes: data.count, limit: maximumFileSize) }
        let opened = data.withUnsafeBytes { raw in
            Result { () throws(PlanLoadError) -> (PlanFile, LazyProcedures) in
                let layout = try PlanBinary.layout(raw, sha256: sha256)
                let strings = try StringTable(raw, layout.ranges[.strings]!)
                var meta = BinaryReader(raw, layout.ranges[.meta]!, strings: strings, cache: StringCache(), context: "the plan's header")
                let compiler = try meta.string()
                try meta.finish()

                var model: ClassifierModel?
                var r = BinaryReader(raw, layout.ranges[.plan]!, strings: strings, cache: meta.takeCache(), context: "the plan")
                if let range = layout.ranges[.classifier] {
                    var c = BinaryReader(raw, range, strings: strings, cache: r.takeCache(), context: "the intent classifier")
                    model = try c.classifier()
                    r.cache = c.takeCache()
                }
                var plan = try r.plan(classifier: model)

                let bodies = layout.ranges[.procedures]!
                var toc = BinaryReader(raw, layout.ranges[.procedureTable]!, strings: strings, cache: r.takeCache(), context: "the table of procedures")
                var entries: [LazyProcedures.Entry] = []
                let count = try toc.count()
                entries.reserveCapacity(min(count, 4096))
                var offset = bodies.lowerBound
                for _ in 0..<count {
                    let id = try toc.string()
                    let name = try toc.string()
                    let goal = try toc.string()
                    let handles = try toc.strings()
                    let length = try toc.unsigned()
                    guard length <= UInt64(bodies.upperBound - offset) else {
                        throw toc.failure("procedure `\(id)` runs past the end of the procedures")
                    }
                    entries.append(LazyProcedures.Entry(id: id, name: name, goal: goal, handles: handles, range: offset..<(offset + Int(length))))
                    offset += Int(length)
                }
                try toc.finish()
                guard offset == bodies.upperBound else {
                    throw .malformed("\(bodies.upperBound - offset) bytes of the procedures belong to no procedure")
                }

                var queues: [String: String] = [:]
                for g in plan.goals { if let q = g.escalation.defaultQueue { queues[g.id] = q } }
                let lazy = LazyProcedures(file: data, strings: strings, entries: entries, fallbackQueues: queues,
                                          defaultQueue: Plan.fallbackQueue(of: plan.project), cache: toc.takeCache())
                plan.procedures = ProcedureList(lazy: lazy)
                let trailer = Array(raw[(raw.count - PlanBinary.trailerSize)...])
                return (PlanFile(plan: plan, compiler: compiler, trailer: trailer), lazy)
            }
        }
        var (file, lazy) = try opened.get()
        if decoding == .eager {
            var all: [Procedure] = []
            all.reserveCapacity(lazy.entries.count)
            for i in lazy.entries.indices { all.append(try lazy.decode(i).get()) }
            file.plan.procedures = ProcedureList(all)
        }
        return file
    }

    static func loadJSON(_ data: Data, sha256: (UnsafeRawBufferPointer) -> [UInt8]) throws(PlanLoadError) -> PlanFile {
        struct Header: Decodable {
            var format: String?
            var formatVersion: Int?
        }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data) }
        catch { throw .notAPlan("the file is not JSON: \(error.localizedDescription)") }
        guard header.format == formatName else { throw .notAPlan("the file has no `format: \(formatName)`") }
        guard let version = header.formatVersion else { throw .notAPlan("the file has no `formatVersion`") }
        guard version == currentFormatVersion else {
            throw .unsupportedFormatVersion(found: version, supported: currentFormatVersion)
        }
        let file: PlanFile
        do { file = try JSONDecoder().decode(PlanFile.self, from: data) }
        catch { throw .malformed(String(describing: error)) }
        let computed = try PlanFile(plan: file.plan, compiler: file.compiler, sha256: sha256).contentHash
        guard computed == file.contentHash else { throw .hashMismatch(recorded: file.contentHash, computed: computed) }
        return file
    }
}

/// Why a plan file was refused.
public enum PlanLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a Mandate plan at all.
    case notAPlan(String)
    /// The file could not be read.
    case unreadable(String)
    /// Written for another format version.
    case unsupportedFormatVersion(found: Int, supported: Int)
    /// Shorter than its header says (nil when even the header is cut).
    case truncated(expected: Int?, found: Int)
    /// Larger than Mandate reads.
    case tooLarge(bytes: Int, limit: Int)
    /// Edited or corrupted after compiling.
    case hashMismatch(recorded: String, computed: String)
    /// A plan of this version that does not decode.
    case malformed(String)

    /// A message naming both sides.
    public var description: String {
        switch self {
        case .notAPlan(let why): "this is not a Mandate plan: \(why)"
        case .unreadable(let why): why
        case .unsupportedFormatVersion(let found, let supported):
            "this plan has format version \(found); this Mandate reads format version \(supported) — compile the project again with this Mandate"
        case .truncated(let expected?, let found):
            "this plan is cut short: it should be \(expected) bytes but is \(found) — copy it again, or compile the project again"
        case .truncated(nil, let found):
            "this plan is cut short: \(found) bytes is less than its header — copy it again, or compile the project again"
        case .tooLarge(let bytes, let limit):
            "this plan is \(bytes) bytes; Mandate reads plans of at most \(limit) bytes"
        case .hashMismatch(let recorded, let computed):
            "this plan was changed after it was compiled: it records \(recorded) but its content hashes to \(computed) — compile it again instead of editing it"
        case .malformed(let why): "this plan cannot be read: \(why)"
        }
    }
}
