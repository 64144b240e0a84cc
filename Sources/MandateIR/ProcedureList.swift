import Foundation

/// A plan's procedures, sorted by id: either values in memory, or the procedures of a binary
/// plan file, each decoded from the file the first time it is used and kept from then on.
///
/// Ids and intents are known without decoding anything (they are in the file's table of
/// contents), so a runtime can index a plan of a thousand procedures and decode only the ones
/// its conversations reach. Safe to share between threads: decoding happens under a lock.
public struct ProcedureList: RandomAccessCollection, Sendable, Equatable, ExpressibleByArrayLiteral {
    enum Storage: Sendable {
        case decoded([Procedure])
        case lazy(LazyProcedures)
    }

    let storage: Storage
    /// Id → position; the first procedure with an id wins.
    let positions: [String: Int]

    /// Procedures already in memory.
    public init(_ procedures: [Procedure]) {
        storage = .decoded(procedures)
        var positions: [String: Int] = [:]
        positions.reserveCapacity(procedures.count)
        for (i, p) in procedures.enumerated() where positions[p.id] == nil { positions[p.id] = i }
        self.positions = positions
    }

    /// Procedures already in memory.
    public init(arrayLiteral elements: Procedure...) { self.init(elements) }

    init(lazy: LazyProcedures) {
        storage = .lazy(lazy)
        var positions: [String: Int] = [:]
        positions.reserveCapacity(lazy.entries.count)
        for (i, e) in lazy.entries.enumerated() where positions[e.id] == nil { positions[e.id] = i }
        self.positions = positions
    }

    /// The first position.
    public var startIndex: Int { 0 }
    /// One past the last position.
    public var endIndex: Int {
        switch storage {
        case .decoded(let list): list.count
        case .lazy(let lazy): lazy.entries.count
        }
    }

    /// The procedure at `position`. A procedure of a binary plan whose bytes do not decode
    /// (a file crafted to match its own hash, or damaged in memory) comes back as a procedure
    /// that hands the conversation to a person and says why; `decoded(at:)` throws instead.
    public subscript(position: Int) -> Procedure {
        switch storage {
        case .decoded(let list): list[position]
        case .lazy(let lazy): lazy.procedure(at: position)
        }
    }

    /// The procedure with this id, if the plan has one.
    public subscript(id: String) -> Procedure? {
        positions[id].map { self[$0] }
    }

    /// The position of the procedure with this id.
    public func position(of id: String) -> Int? { positions[id] }

    /// The id of the procedure at `position`, without decoding it.
    public func id(at position: Int) -> String {
        switch storage {
        case .decoded(let list): list[position].id
        case .lazy(let lazy): lazy.entries[position].id
        }
    }

    /// The intents the procedure at `position` handles, without decoding it.
    public func handles(at position: Int) -> [String] {
        switch storage {
        case .decoded(let list): list[position].handles
        case .lazy(let lazy): lazy.entries[position].handles
        }
    }

    /// The procedure at `position`, or why its bytes do not decode.
    public func decoded(at position: Int) throws(PlanLoadError) -> Procedure {
        switch storage {
        case .decoded(let list): return list[position]
        case .lazy(let lazy): return try lazy.decode(position).get()
        }
    }

    /// How many procedures are in memory (all of them for a list made from values).
    public var decodedCount: Int {
        switch storage {
        case .decoded(let list): list.count
        case .lazy(let lazy): lazy.decodedCount
        }
    }

    /// Same procedures in the same order.
    public static func == (a: ProcedureList, b: ProcedureList) -> Bool {
        a.count == b.count && a.elementsEqual(b)
    }
}

extension ProcedureList: Codable {
    /// Reads a JSON array of procedures.
    public init(from decoder: any Decoder) throws {
        self.init(try [Procedure](from: decoder))
    }

    /// Writes a JSON array of procedures.
    public func encode(to encoder: any Encoder) throws {
        try Array(self).encode(to: encoder)
    }
}

/// The procedures of a binary plan file: the table of contents read at load, each body
/// decoded on first use under a lock and kept.
final class LazyProcedures: @unchecked Sendable {
    /// A procedure's entry in the table of contents.
    struct Entry: Sendable {
        var id: String
        var name: String
        var goal: String
        var handles: [String]
        /// Its body's bytes in the file.
        var range: Range<Int>
    }

    /// The whole file; its hash was checked at load.
    let file: Data
    let strings: StringTable
    let entries: [Entry]
    /// The queue a procedure that cannot be read hands off to, by goal.
    let fallbackQueues: [String: String]
    let defaultQueue: String

    private let lock = NSLock()
    /// Each procedure's decoding, once tried: a body that does not decode is not tried again.
    private var cache: [Result<Procedure, PlanLoadError>?]
    /// The strings made so far: the load's, then every procedure's.
    private var stringCache: StringCache
    private var decodedSoFar = 0

    init(file: Data, strings: StringTable, entries: [Entry], fallbackQueues: [String: String], defaultQueue: String, cache: StringCache) {
        self.file = file
        self.strings = strings
        self.entries = entries
        self.fallbackQueues = fallbackQueues
        self.defaultQueue = defaultQueue
        self.cache = Array(repeating: nil, count: entries.count)
        stringCache = cache
    }

    var decodedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return decodedSoFar
    }

    /// The procedure at `i`, decoding it the first time.
    func decode(_ i: Int) -> Result<Procedure, PlanLoadError> {
        lock.lock()
        defer { lock.unlock() }
        if let done = cache[i] { return done }
        let e = entries[i]
        let taken = stringCache
        stringCache = StringCache()
        let result = file.withUnsafeBytes { raw -> Result<Procedure, PlanLoadError> in
            var r = BinaryReader(raw, e.range, strings: strings, cache: consume taken, context: "procedure `\(e.id)`")
            defer { stringCache = r.takeCache() }
            do throws(PlanLoadError) {
                return .success(try r.procedureBody(id: e.id, name: e.name, goal: e.goal, handles: e.handles))
            } catch {
                return .failure(error)
            }
        }
        cache[i] = result
        if case .success = result { decodedSoFar += 1 }
        return result
    }

    /// The procedure at `i`, or one that hands off and says why it cannot be read.
    func procedure(at i: Int) -> Procedure {
        switch decode(i) {
        case .success(let p): return p
        case .failure(let error):
            let e = entries[i]
            let reason = "the plan file's procedure “\(e.name)” cannot be read (\(error.description)); compile the project again"
            let step = StepNode(id: 0, label: "1", source: SourceRef(file: "\(e.id).procedure", line: 0, column: 0),
                                op: .escalate(queue: fallbackQueues[e.goal] ?? defaultQueue, reason: reason), next: nil)
            return Procedure(id: e.id, name: e.name, goal: e.goal, handles: e.handles, requiresVerifiedCustomer: false, entry: 0,
                             steps: [step], slots: [], tables: [])
        }
    }
}
