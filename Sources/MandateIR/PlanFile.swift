import Foundation

/// The plan as a file: format, versions, content hash, and the plan.
public struct PlanFile: Codable, Sendable, Equatable {
    /// The format this library writes and reads.
    public static let currentFormatVersion = 1
    /// Always `mandate-plan`.
    public var format: String
    /// The plan format's version.
    public var formatVersion: Int
    /// The compiler that wrote it.
    public var compiler: String
    /// `sha256:<hex>` of the plan's canonical encoding.
    public var contentHash: String
    /// The plan.
    public var plan: Plan

    /// Wraps a plan, hashing its canonical encoding with `sha256` (hex).
    public init(plan: Plan, compiler: String, sha256: (Data) -> String) throws {
        self.format = "mandate-plan"
        self.formatVersion = PlanFile.currentFormatVersion
        self.compiler = compiler
        self.plan = plan
        self.contentHash = "sha256:" + sha256(try PlanFile.canonical(plan))
    }

    /// The canonical bytes of a plan: compact JSON with sorted keys.
    public static func canonical(_ plan: Plan) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(plan)
    }

    /// The file's bytes: pretty JSON with sorted keys and a final newline. Identical plans give identical bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Loads a plan file, refusing another format version or a content hash that does not match.
    public static func load(_ data: Data, sha256: (Data) -> String) throws(PlanLoadError) -> PlanFile {
        struct Header: Decodable {
            var format: String?
            var formatVersion: Int?
            var contentHash: String?
        }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data) }
        catch { throw .notAPlan("the file is not JSON: \(error.localizedDescription)") }
        guard header.format == "mandate-plan" else { throw .notAPlan("the file has no `format: mandate-plan`") }
        guard let version = header.formatVersion else { throw .notAPlan("the file has no `formatVersion`") }
        guard version == currentFormatVersion else {
            throw .unsupportedFormatVersion(found: version, supported: currentFormatVersion)
        }
        let file: PlanFile
        do { file = try JSONDecoder().decode(PlanFile.self, from: data) }
        catch { throw .malformed(String(describing: error)) }
        let actual: String
        do { actual = "sha256:" + sha256(try canonical(file.plan)) }
        catch { throw .malformed(String(describing: error)) }
        guard actual == file.contentHash else { throw .hashMismatch(recorded: file.contentHash, computed: actual) }
        return file
    }
}

/// Why a plan file was refused.
public enum PlanLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a Mandate plan at all.
    case notAPlan(String)
    /// Written for another format version.
    case unsupportedFormatVersion(found: Int, supported: Int)
    /// Edited or corrupted after compiling.
    case hashMismatch(recorded: String, computed: String)
    /// A plan of this version that does not decode.
    case malformed(String)

    /// A message naming both sides.
    public var description: String {
        switch self {
        case .notAPlan(let why): "this is not a Mandate plan: \(why)"
        case .unsupportedFormatVersion(let found, let supported):
            "this plan has format version \(found); this Mandate reads format version \(supported) — compile the project again with this Mandate"
        case .hashMismatch(let recorded, let computed):
            "this plan was changed after it was compiled: it records \(recorded) but its content hashes to \(computed) — compile it again instead of editing it"
        case .malformed(let why): "this plan cannot be read: \(why)"
        }
    }
}
