import Foundation
import GRDB
import MandateIR
import MandateRuntime

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

/// Decoded sandbox records, reused across turns while the records in the file do not change
/// (`meta.sandbox_generation` counts their changes, across processes).
final class RecordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var generation: Int64 = -1
    private var records: [String: [RuntimeValue]] = [:]

    func get(_ type: String, generation g: Int64) -> [RuntimeValue]? {
        lock.withLock { g == generation ? records[type] : nil }
    }

    func put(_ type: String, _ value: [RuntimeValue], generation g: Int64) {
        lock.withLock {
            if g != generation { generation = g; records = [:] }
            records[type] = value
        }
    }
}

/// The sandbox connector inside a turn's transaction: the records an action needs are read into
/// a `SandboxData`, `SandboxActions.perform` runs on it (the one definition of the sandbox's
/// behaviour), and what it changed — actions performed, journal lines, records — is written back.
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
            let effectful = request.signature.effect != "read" && request.signature.effect != "identify"
            if !effectful {
                for output in request.signature.outputs {
                    if case .record(let type) = output.type { try load(type) }
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
            for (key, outputs) in data.performed where !performedBefore.contains(key) {
                try db.cachedStatement(sql: "INSERT INTO sandbox_performed (idempotency_key, action, outputs, at) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [key, request.action, try SQLiteStore.json(outputs), now])
            }
            for line in data.journal[journalBefore...] {
                try db.cachedStatement(sql: "INSERT INTO sandbox_journal (line, at) VALUES (?, ?)").execute(arguments: [line, now])
            }
            if effectful, data.records != recordsBefore { try writeBack(changedFrom: recordsBefore, owners: request.owners) }
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

    func load(_ type: String) throws {
        guard data.records[type] == nil else { return }
        let g = try currentGeneration()
        if let cached = cache.get(type, generation: g) {
            data.records[type] = cached
            return
        }
        let rows = try String.fetchAll(db.cachedStatement(sql: "SELECT record FROM sandbox_record WHERE type = ? ORDER BY position"), arguments: [type])
        let records = try rows.map { try SQLiteStore.decode(RuntimeValue.self, $0, what: "a sandbox record of type \(type)") }
        data.records[type] = records
        cache.put(type, records, generation: g)
    }

    /// Records an action changed, written back; the generation moves so every process rereads them.
    func writeBack(changedFrom before: [String: [RuntimeValue]], owners: [String: String]) throws {
        for (type, records) in data.records where before[type] != records {
            try db.execute(sql: "DELETE FROM sandbox_record WHERE type = ?", arguments: [type])
            for (i, r) in records.enumerated() {
                var id: String?
                var owner: String?
                if case .text(let s)? = r[field: "id"] { id = s }
                if let field = owners[type], case .text(let s)? = r[field: field] { owner = s }
                try db.execute(sql: "INSERT INTO sandbox_record (type, position, id, owner, record) VALUES (?, ?, ?, ?, ?)",
                               arguments: [type, i, id, owner, try SQLiteStore.json(r)])
            }
        }
        try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'sandbox_generation'")
        generation = nil
    }
}
