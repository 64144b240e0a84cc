import Foundation
import MandateIR

/// The working memory of one procedure's check: its arrays of plain data (a flag, a number or
/// the facts of each step) are cut from a few large blocks, and all of it is given back at once
/// when the check ends.
///
/// Checking a procedure made some thirty such arrays, each allocated, found its type's
/// metadata, and freed on its own (about 400 instructions each). An arena is reused from
/// procedure to procedure through an `ArenaPool`, so a worker that checks a thousand
/// procedures allocates its blocks once. What is cut from it is uninitialised until given a
/// value (`buffer(_:count:repeating:)` does), and lives as long as the arena's current use:
/// the `ProcedureUnderCheck` that holds it.
///
/// It also keeps the objects and arrays a check fills and cannot cut from blocks — the path
/// facts' keys and compiled code, the names' arrays and table, the types table — and hands them,
/// emptied, to its next use: a check used to allocate and free some thirty of them. What they
/// held of the last procedure stays until then, or until the pool (one run of the checks) ends.
final class CheckArena {
    /// The blocks, each `blockSize` bytes or one larger request's size; the last one is cut from.
    private var blocks: [(base: UnsafeMutableRawPointer, size: Int)] = []
    /// Bytes used in the current block.
    private var used = 0
    /// The block being cut from (an index in `blocks`).
    private var current = -1
    private static let blockSize = 64 * 1024
    /// The path facts' keys and compiled code of the arena's last use, emptied and handed to
    /// the next (`factAnalysis(domain:)`): a procedure's check made and freed them, with a
    /// dozen arrays and tables inside, every time.
    private var keptKeys: FactKeys?
    private var keptCode: FactCode?
    /// The arrays of the last use's procedure names (`ProcedureNames.Kept`).
    private var keptNames: ProcedureNames.Kept?
    /// The table of the types of the last use's procedure's values (`ProcedureUnderCheck`).
    private var keptTypes: NameTable<ValueType>?
    /// What the last use's steps do to the facts (`CompiledSteps.facts`), and the keys they forget (`FactProgram`).
    private var keptStepFacts: [StepFacts]?
    private var keptForgotten: [Int]?

    init() {}

    deinit {
        for b in blocks { b.base.deallocate() }
    }

    /// `count` values of a plain-data type, each set to `value`.
    func buffer<T: BitwiseCopyable>(_ type: T.Type = T.self, count: Int, repeating value: T) -> UnsafeMutableBufferPointer<T> {
        let b = uninitialized(T.self, count: count)
        b.initialize(repeating: value)
        return b
    }

    /// Room for `count` values of a plain-data type, not yet given values.
    func uninitialized<T: BitwiseCopyable>(_ type: T.Type = T.self, count: Int) -> UnsafeMutableBufferPointer<T> {
        let bytes = max(0, count) * MemoryLayout<T>.stride
        let align = max(MemoryLayout<T>.alignment, 8)
        var start = (used + align - 1) & ~(align - 1)
        if current < 0 || start + bytes > blocks[current].size {
            // The next block that holds it, kept for the next use; a larger one when needed.
            current += 1
            while current < blocks.count && blocks[current].size < bytes { current += 1 }
            if current == blocks.count {
                let size = max(Self.blockSize, bytes)
                blocks.append((UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16), size))
            }
            start = 0
        }
        used = start + bytes
        let p = (blocks[current].base + start).bindMemory(to: T.self, capacity: max(count, 0))
        return UnsafeMutableBufferPointer(start: p, count: max(count, 0))
    }

    /// An analysis with no keys and no code, for this use's procedure: the last use's, emptied
    /// (`FactKeys.reuse(domain:)`, `FactCode.reset()`), or new ones kept for the next use.
    func factAnalysis(domain: @escaping (Expr) -> [String]?) -> FactAnalysis {
        if let keys = keptKeys, let code = keptCode {
            keys.reuse(domain: domain)
            code.reset()
            return FactAnalysis(keys: keys, code: code)
        }
        let analysis = FactAnalysis(domain: domain)
        keptKeys = analysis.keys
        keptCode = analysis.code
        return analysis
    }

    /// The arrays the last use's `ProcedureNames` kept here, handed over (the arena no longer
    /// holds them); nil the first time.
    func takeNames() -> ProcedureNames.Kept? {
        defer { keptNames = nil }
        return keptNames
    }

    /// Keeps a procedure's name arrays for the arena's next use.
    func keep(_ names: ProcedureNames.Kept) { keptNames = names }

    /// The types table the last use kept here, handed over; nil the first time.
    func takeTypes() -> NameTable<ValueType>? {
        defer { keptTypes = nil }
        return keptTypes
    }

    /// Keeps a procedure's types table for the arena's next use.
    func keep(types: NameTable<ValueType>) { keptTypes = types }

    /// The `StepFacts` array the last use kept here, handed over; nil the first time.
    func takeStepFacts() -> [StepFacts]? {
        defer { keptStepFacts = nil }
        return keptStepFacts
    }

    /// Keeps a procedure's `StepFacts` array for the arena's next use.
    func keep(stepFacts: [StepFacts]) { keptStepFacts = stepFacts }

    /// The forgotten keys' array the last use kept here, handed over; nil the first time.
    func takeForgotten() -> [Int]? {
        defer { keptForgotten = nil }
        return keptForgotten
    }

    /// Keeps a procedure's forgotten keys' array for the arena's next use.
    func keep(forgotten: [Int]) { keptForgotten = forgotten }

    /// Forgets everything cut from it, keeping its blocks for the next use; the kept keys let
    /// go of what they held of the last procedure (its names, types and values).
    func reset() {
        used = 0
        current = -1
        keptKeys?.release()
    }
}

/// Arenas shared by the workers of one run of the checks: a worker takes one for a procedure
/// and gives it back when the procedure's check ends, so there are about as many as threads.
/// Freed with the run.
final class ArenaPool: @unchecked Sendable {
    // INVARIANT: `free` is read and written only under `lock`.
    private let lock = NSLock()
    private var free: [CheckArena] = []

    init() {}

    /// An arena with nothing cut from it.
    func take() -> CheckArena {
        lock.lock()
        let a = free.popLast()
        lock.unlock()
        return a ?? CheckArena()
    }

    /// Gives an arena back; what was cut from it must no longer be used.
    func give(_ arena: CheckArena) {
        arena.reset()
        lock.lock()
        free.append(arena)
        lock.unlock()
    }
}
