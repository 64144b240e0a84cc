import Foundation
import GRDB
import MandateIR
import MandateRuntime

extension Database {
    /// Throws unless the turn's transaction is still open. SQLite rolls a transaction back by
    /// itself on some errors (a full disk, an I/O error); a port keeps such an error and the turn
    /// carries on to its end, so without this check a later write of the turn would run — and
    /// commit — on its own. (GRDB's `inTransaction` refuses such statements; the store's own
    /// transaction for a single turn does it here.)
    func checkTurnTransaction() throws {
        guard isInsideTransaction else {
            throw DatabaseError(resultCode: .SQLITE_ABORT, message: "the turn's transaction was rolled back by SQLite")
        }
    }
}

/// The ledger as one turn sees it, inside the turn's write transaction. A database error is kept
/// in `failure` (the port cannot throw); the store then rolls the whole turn back.
final class LedgerPortInTransaction: LedgerPort {
    let db: Database
    var failure: Error?

    init(_ db: Database) { self.db = db }

    func entries(customerID: String, since: Int64) -> [LedgerEntry] {
        guard failure == nil else { return [] }
        do { return try Self.entries(db, customerID: customerID, since: since) } catch {
            failure = error
            return []
        }
    }

    func entry(idempotencyKey: String) -> LedgerEntry? {
        guard failure == nil else { return nil }
        do {
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM ledger WHERE idempotency_key = ?"), arguments: [idempotencyKey]).map(Self.entry)
        } catch {
            failure = error
            return nil
        }
    }

    func append(_ e: LedgerEntry) {
        guard failure == nil else { return }
        do {
            try db.checkTurnTransaction()
            try db.cachedStatement(sql: """
                INSERT INTO ledger (conversation_id, customer_id, action, scope, idempotency_key, amount_minor, currency, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [e.conversation, e.customerID, e.action, e.scope, e.idempotencyKey, e.amount?.minor, e.amount?.currency, e.at])
        } catch {
            failure = error
        }
    }

    static func entries(_ db: Database, customerID: String, since: Int64) throws -> [LedgerEntry] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM ledger WHERE customer_id = ? AND at >= ? ORDER BY seq"),
                         arguments: [customerID, since]).map(entry)
    }

    static func entry(_ r: Row) -> LedgerEntry {
        let minor: Int64? = r["amount_minor"]
        let currency: String? = r["currency"]
        return LedgerEntry(conversation: r["conversation_id"], customerID: r["customer_id"], action: r["action"], scope: r["scope"],
                           idempotencyKey: r["idempotency_key"], amount: minor.flatMap { m in currency.map { Money(minor: m, currency: $0) } },
                           at: r["at"])
    }
}

/// The records of one type, decoded, with indexes that narrow a lookup to the records that can
/// match it: by the text of each field (compared without case, as the sandbox compares text) and
/// by owner.
struct IndexedRecords {
    var records: [RuntimeValue]
    var byText: [String: [Int]] = [:]
    var byOwner: [String: [Int]] = [:]

    init(_ records: [RuntimeValue], ownerField: String?) {
        self.records = records
        for (i, r) in records.enumerated() {
            guard case .record(let fields) = r else { continue }
            for (name, value) in fields {
                guard case .text(let t) = value else { continue }
                byText[Self.key(t), default: []].append(i)
                if name == ownerField { byOwner[t, default: []].append(i) }
            }
        }
    }

    static func key(_ text: String) -> String { text.folding(options: .caseInsensitive, locale: nil) }

    /// The records a lookup can find, in fixture order: those holding every text value given, or
    /// the customer's own when nothing is given. `SandboxActions.perform` still decides among them.
    func candidates(for request: ActionRequest, ownerField: String?) -> [RuntimeValue] {
        let action = request.catalogAction
        let given = action.givenInputs.compactMap { request.arguments.values[$0] }
        var narrowed: Set<Int>?
        if given.isEmpty {
            if action.signature.effect == "read", ownerField != nil, let customer = request.customerID {
                narrowed = Set(byOwner[customer] ?? [])
            }
        } else {
            for case .text(let t) in given {
                let hits = Set(byText[Self.key(t)] ?? [])
                narrowed = narrowed.map { $0.intersection(hits) } ?? hits
            }
        }
        guard let narrowed else { return records }
        return narrowed.sorted().map { records[$0] }
    }
}

/// Decoded sandbox records, reused across turns while the records in the file do not change
/// (`meta.sandbox_generation` counts their changes, across processes).
final class RecordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var generation: Int64 = -1
    private var types: [String: IndexedRecords] = [:]

    func get(_ type: String, generation g: Int64) -> IndexedRecords? {
        lock.withLock { g == generation ? types[type] : nil }
    }

    func put(_ type: String, _ value: IndexedRecords, generation g: Int64) {
        lock.withLock {
            if g != generation { generation = g; types = [:] }
            types[type] = value
        }
    }
}

/// The sandbox connector inside a turn's transaction: the records an action needs are read into
/// a `SandboxData`, `SandboxActions.perform` runs on it (the one definition of the sandbox's
/// behaviour), and what it changed — actions performed, journal lines — is written back.
final class SandboxPortInTransaction: ActionPort {
    let db: Database
    let cache: RecordCache
    let now: Int64
    var data = SandboxData()
    var generation: Int64?
    var failure: Error?

    init(_ db: Database, cache: RecordCache, now: Int64) {
        self.db = db
        self.cache = cache
        self.now = now
    }

    func perform(_ request: ActionRequest) -> ActionOutcome {
        guard failure == nil else { return .failed("the sandbox is unavailable") }
        do {
            let action = request.catalogAction
            let effectful = action.effectful
            if !effectful {
                for (j, output) in action.signature.outputs.enumerated() {
                    if case .record(let type) = output.type {
                        let ownerField = action.ownerField(ofOutput: j)
                        data.records[type] = try load(type, ownerField: ownerField).candidates(for: request, ownerField: ownerField)
                    }
                }
            } else if let key = request.idempotencyKey, data.performed[key] == nil,
                      let outputs = try String.fetchOne(db.cachedStatement(sql: "SELECT outputs FROM sandbox_performed WHERE idempotency_key = ?"),
                                                        arguments: [key]) {
                data.performed[key] = try SQLiteStore.decode([String: RuntimeValue].self, outputs, what: "a performed action")
            }
            let performedBefore = Set(data.performed.keys)
            let journalBefore = data.journal.count
            let recordsBefore = data.records
            let outcome = SandboxActions.perform(request, on: &data)
            if data.journal.count > journalBefore || data.performed.count > performedBefore.count { try db.checkTurnTransaction() }
            for (key, outputs) in data.performed where !performedBefore.contains(key) {
                try db.cachedStatement(sql: "INSERT INTO sandbox_performed (idempotency_key, action, outputs, at) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [key, request.action, StoredJSON.values(outputs), now])
            }
            for line in data.journal[journalBefore...] {
                try db.cachedStatement(sql: "INSERT INTO sandbox_journal (line, at) VALUES (?, ?)").execute(arguments: [line, now])
            }
            // The sandbox's actions journal their effects and change no record; if one ever does,
            // the turn fails rather than lose the change (only the records a lookup needed are here).
            if effectful, data.records != recordsBefore {
                throw StoreError.database("the sandbox action `\(request.action)` changed a record, and this store cannot write records back")
            }
            return outcome
        } catch {
            failure = error
            return .failed("the sandbox could not be reached")
        }
    }

    func currentGeneration() throws -> Int64 {
        if let generation { return generation }
        let g = try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'sandbox_generation'")) ?? 0
        generation = g
        return g
    }

    /// The records of `type`, from the cache while the file's records have not changed.
    func load(_ type: String, ownerField: String?) throws -> IndexedRecords {
        let g = try currentGeneration()
        if let cached = cache.get(type, generation: g) { return cached }
        let rows = try String.fetchAll(db.cachedStatement(sql: "SELECT record FROM sandbox_record WHERE type = ? ORDER BY position"), arguments: [type])
        let records = IndexedRecords(try rows.map { try SQLiteStore.decode(RuntimeValue.self, $0, what: "a sandbox record of type \(type)") },
                                     ownerField: ownerField)
        cache.put(type, records, generation: g)
        return records
    }
}
