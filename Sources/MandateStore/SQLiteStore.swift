import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif
import MandateIR
import MandateRuntime

/// Conversations, the refund ledger, traces, the audit log, outcomes and the sandbox's records in
/// one SQLite file, through GRDB.
///
/// The file is in WAL mode with `synchronous = FULL`: a turn that returned has been written to
/// disk, so an acknowledged refund survives a crash or a power loss. Turns run in a `BEGIN
/// IMMEDIATE` transaction, which takes the write lock before the first read — one turn alone, or
/// the turns that arrived together from several threads, each in its own savepoint (group commit,
/// see `turn`). A turn's state, limit checks against the ledger, the sandbox's action, ledger
/// entry, trace, audit line and outcome are one atomic step, across threads and across
/// processes sharing the file. Another process holding the lock makes a turn wait up to `busyTimeout`.
public final class SQLiteStore: ConversationStore, @unchecked Sendable {
    /// How a commit reaches the disk.
    public enum Durability: String, Sendable {
        /// `synchronous = FULL`: every commit is on disk when the turn returns (the default; what the ledger needs).
        case full
        /// `synchronous = NORMAL`: a crashed process loses nothing, but a power loss may lose the last
        /// commits. For measuring what a turn costs without its disk flush, not for money.
        case normal
    }

    /// The database file.
    public let path: String
    let queue: DatabaseQueue
    let beforeCommit: (@Sendable (_ conversationID: String, _ turn: Int) -> Void)?
    let cache = RecordCache()
    let states = StateCache()
    let commits = GroupCommit()
    let checkpointer: Checkpointer

    /// Opens (or creates) the store at `path` and brings its schema up to date.
    ///
    /// `busyTimeout` is how long a turn waits for another process's turn to finish.
    /// `durability` is `.full` unless you are measuring.
    /// `beforeCommit` runs inside each turn's savepoint after everything is written, before the
    /// group's commit (other turns of the group may still run before it): the crash tests stop a
    /// process there.
    public init(path: String, busyTimeout: TimeInterval = 10, durability: Durability = .full,
                beforeCommit: (@Sendable (_ conversationID: String, _ turn: Int) -> Void)? = nil) throws {
        self.path = path
        self.beforeCommit = beforeCommit
        var config = Configuration()
        config.journalMode = .wal
        // SQLite's own busy timeout backs off to 100 ms sleeps, so a turn waiting for the lock
        // could lose to newer ones for seconds (seen: 2.9 s with two connections). Retrying every
        // 0.2 ms keeps the wait close to the other turn's length, up to `busyTimeout`.
        let tries = max(1, Int(busyTimeout / 0.000_2))
        config.busyMode = .callback { n in
            guard n < tries else { return false }
            usleep(200)
            return true
        }
        config.label = "mandate-store"
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            // GRDB sets `synchronous = NORMAL` with WAL; the ledger needs every commit on disk.
            let synchronous = "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")"
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: synchronous)
                // 16 MiB of pages (SQLite's default is 2 MiB): the indexes a turn reads stay in memory.
                try db.execute(sql: "PRAGMA cache_size = -16384")
                // Checkpoints run on the checkpointer's connection, not in a turn; this connection
                // checkpoints only if that one falls far behind.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Checkpointer.backstopPages)")
            }
            try Self.migrator.migrate(queue)
            checkpointer = try Checkpointer(path: path, configuration: config, synchronous: synchronous)
        } catch {
            throw StoreError.database("cannot open \(path): \(error)")
        }
    }

    /// Commits made so far by `turn`, and the turns they held: more turns than commits means
    /// turns from several threads shared commits.
    public var groupCommits: (commits: Int, turns: Int) {
        let c = commits.counts
        return (c.groups, c.turns)
    }

    /// Closes the file. Using the store afterwards fails.
    public func close() throws {
        do {
            try checkpointer.close()
            try queue.close()
        } catch { throw StoreError.database("\(error)") }
    }

    /// `PRAGMA synchronous` and `PRAGMA journal_mode` as the connection has them: `2` (FULL) and `wal`.
    public func durability() throws -> (synchronous: Int, journalMode: String) {
        try wrap {
            try queue.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1, try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "")
            }
        }
    }

    // MARK: the turn

    /// Runs one turn and returns once it is committed.
    ///
    /// Turns arriving together from several threads share one commit (group commit): the first
    /// caller opens the transaction, runs every waiting turn in it — each in its own savepoint, so
    /// a failing turn is rolled back alone — commits once, and wakes the others. Each turn still
    /// sees the ones before it, the ledger checks included, and none returns before its commit is
    /// on disk. On one thread nothing waits: a turn is its own group.
    public func turn(conversationID: String, customer: CustomerProfile, event: CustomerEvent, runtime: Runtime, now: Int64) throws -> TurnResult {
        defer { checkpointer.committed() }
        return try commits.run { db in
            try self.turnInTransaction(db, conversationID: conversationID, customer: customer, event: event, runtime: runtime, now: now)
        } group: { batch -> [Result<TurnResult, Error>] in
            try self.wrap {
                try self.queue.writeWithoutTransaction { db in
                    var results: [Result<TurnResult, Error>] = []
                    if batch.count == 1 {
                        // A turn alone needs no savepoint: if it fails, the transaction is rolled back
                        // as its savepoint would have been, and nothing else is in it.
                        try Self.immediateTransaction(db) {
                            do {
                                results = [.success(try batch[0](db))]
                                return .commit
                            } catch {
                                results = [.failure(error)]
                                return .rollback
                            }
                        }
                        return results
                    }
                    try db.inTransaction(.immediate) {
                        results = batch.map { work in
                            Result {
                                var result: TurnResult?
                                try db.inSavepoint {
                                    result = try work(db)
                                    return .commit
                                }
                                return result!
                            }
                        }
                        return .commit
                    }
                    return results
                }
            }
        }
    }

    /// `Database.inTransaction(.immediate)` with its `BEGIN IMMEDIATE` and `COMMIT` prepared once
    /// per connection: GRDB prepares both statements again every time (≈ 20 K instructions a
    /// turn). The rest is GRDB's: `body` runs inside the transaction; if it throws, returns
    /// `.rollback`, or the commit fails, the transaction is rolled back and the first error thrown;
    /// waiting for the lock follows the connection's busy handler. A transaction SQLite already
    /// rolled back itself (a full disk, an I/O error) is not committed: that is an error, as in
    /// GRDB, and the ports refuse to write once it happened (`Database.checkTurnTransaction`).
    static func immediateTransaction(_ db: Database, _ body: () throws -> Database.TransactionCompletion) throws {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        var firstError: Error?
        var committed = false
        do {
            if try body() == .commit {
                try db.checkTurnTransaction()
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                committed = true
            }
        } catch {
            firstError = error
        }
        if !committed {
            do { try db.rollback() } catch { if firstError == nil { firstError = error } }
        }
        if let firstError { throw firstError }
    }

    /// One turn inside the group's transaction.
    func turnInTransaction(_ db: Database, conversationID: String, customer: CustomerProfile, event: CustomerEvent, runtime: Runtime, now: Int64) throws -> TurnResult {
        try wrap {
            let stored = try Self.keyedState(db, conversationID, cache: states)
            let state = stored?.state ?? runtime.start(id: conversationID, customer: customer)
            guard state.customer.id == customer.id else {
                throw StoreError.conversationOfAnotherCustomer(conversation: conversationID, owner: state.customer.id, session: customer.id)
            }
            let ledger = LedgerPortInTransaction(db)
            let sandbox = SandboxPortInTransaction(db, cache: cache, now: now)
            let result = runtime.turn(state, event, environment: TurnEnvironment(now: now, actions: sandbox, ledger: ledger))
            if let failure = ledger.failure ?? sandbox.failure { throw failure }
            try Self.write(db, result, key: stored?.key, event: event, customerID: state.customer.id, now: now, cache: states)
            beforeCommit?(conversationID, result.state.turn)
            return result
        }
    }

    /// Turns a conversation may have: a `turn_log` row's key holds the turn in its low 20 bits.
    static let turnsPerConversation = 1 << 20

    /// Writes a turn's state, audit line, trace and outcome. `key` is the conversation's key, nil
    /// when the turn starts it.
    static func write(_ db: Database, _ result: TurnResult, key: Int64?, event: CustomerEvent, customerID: String, now: Int64,
                      cache: StateCache) throws {
        let s = result.state
        guard s.turn >= 0, s.turn < turnsPerConversation else {
            throw StoreError.database("conversation \(s.id) has reached \(turnsPerConversation - 1) turns, the most a conversation can store")
        }
        let stored = Data(StateEncoding.encode(s))
        let key = try key.map { try updateState(db, key: $0, s, stored: stored, now: now); return $0 }
            ?? insertState(db, s, stored: stored, now: now)
        cache.put(s, stored: stored)
        // The audit line and the trace: one row (migrations 4 and 5).
        try Bindings.run(db.cachedStatement(sql: """
            INSERT INTO turn_log (key, conversation_id, turn, customer_id, at, message, effects, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)) { b in
            b.int(key << 20 | Int64(s.turn)); b.text(s.id); b.int(s.turn); b.text(customerID); b.int(now); b.text(event.message)
            b.text(StoredJSON.effects(result.effects)); b.text(StoredJSON.trace(result.trace))
        }
        if let o = OutcomeRecord.of(result, customerID: customerID, at: now) {
            let (status, outcome, reason) = columns(o.status)
            try Bindings.run(db.cachedStatement(sql: """
                INSERT INTO outcome (conversation_id, turn, customer_id, at, status, outcome, reason, handoff) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)) { b in
                b.text(o.conversationID); b.int(o.turn); b.text(customerID); b.int(now); b.text(status); b.text(outcome); b.text(reason)
                b.text(o.handoff.map(StoredJSON.handoff))
            }
        }
    }

    /// The SQL of a new conversation's key: one more than every key given so far, including those
    /// of traces an old file kept without their conversation (see migration 5).
    static let nextKey = "max(coalesce((SELECT max(key) FROM conversation), 0), coalesce((SELECT max(key) FROM turn_log), 0) >> 20) + 1"

    /// Writes a state in its binary form (`StateEncoding`), inserting the conversation (with the
    /// next key) or updating it by its id; returns its key.
    @discardableResult
    static func saveState(_ db: Database, _ s: ConversationState, stored: Data? = nil, now: Int64) throws -> Int64 {
        let (status, outcome, reason) = columns(s.status)
        let stored = stored ?? Data(StateEncoding.encode(s))
        let statement = try db.cachedStatement(sql: """
            INSERT INTO conversation (key, id, customer_id, status, outcome, reason, turn, state, created_at, updated_at)
            VALUES (\(nextKey), ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status, outcome = excluded.outcome,
                reason = excluded.reason, turn = excluded.turn, state = excluded.state, updated_at = excluded.updated_at
            RETURNING key
            """)
        var key: Int64?
        try Bindings.run(statement, execute: { key = try Int64.fetchOne($0) }) { b in
            b.text(s.id); b.text(s.customer.id); b.text(status); b.text(outcome); b.text(reason); b.int(s.turn); b.blob(stored); b.int(now); b.int(now)
        }
        guard let key else { throw StoreError.database("conversation \(s.id) was saved without a key") }
        return key
    }

    /// Inserts a conversation that is not stored yet (its turn read no row inside the turn's
    /// transaction) with the next key; returns the key. `saveState`'s upsert and `RETURNING`
    /// cost a new conversation's turn ≈ 30 K instructions more.
    static func insertState(_ db: Database, _ s: ConversationState, stored: Data, now: Int64) throws -> Int64 {
        let (status, outcome, reason) = columns(s.status)
        try Bindings.run(db.cachedStatement(sql: """
            INSERT INTO conversation (key, id, customer_id, status, outcome, reason, turn, state, created_at, updated_at)
            VALUES (\(nextKey), ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)) { b in
            b.text(s.id); b.text(s.customer.id); b.text(status); b.text(outcome); b.text(reason); b.int(s.turn); b.blob(stored); b.int(now); b.int(now)
        }
        return db.lastInsertedRowID
    }

    /// Writes the state of a stored conversation, found by its key.
    static func updateState(_ db: Database, key: Int64, _ s: ConversationState, stored: Data, now: Int64) throws {
        let (status, outcome, reason) = columns(s.status)
        try Bindings.run(db.cachedStatement(sql: """
            UPDATE conversation SET status = ?, outcome = ?, reason = ?, turn = ?, state = ?, updated_at = ? WHERE key = ?
            """)) { b in
            b.text(status); b.text(outcome); b.text(reason); b.int(s.turn); b.blob(stored); b.int(now); b.int(key)
        }
        guard db.changesCount == 1 else { throw StoreError.database("conversation \(s.id) (key \(key)) is not stored") }
    }

    /// The stored state; decoded again only when its bytes differ from the ones this store last
    /// wrote or read. A state is stored in the binary form (a blob); one written as JSON text by
    /// an earlier Mandate is still read, and written back in the binary form at its next turn.
    static func state(_ db: Database, _ id: String, cache: StateCache? = nil) throws -> ConversationState? {
        try keyedState(db, id, cache: cache)?.state
    }

    /// The stored state with the conversation's key (see `state`).
    static func keyedState(_ db: Database, _ id: String, cache: StateCache? = nil) throws -> (key: Int64, state: ConversationState)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT key, state FROM conversation WHERE id = ?"), arguments: [id]) else {
            return nil
        }
        let key: Int64 = row[0]
        switch (row[1] as DatabaseValue).storage {
        case .blob(let bytes):
            if let cached = cache?.get(id, stored: bytes) { return (key, cached) }
            let state: ConversationState
            do {
                state = try bytes.withUnsafeBytes { raw throws(StateDecodingError) in try StateEncoding.decode(raw) }
            } catch {
                throw StoreError.unreadable("conversation \(id): \(error)")
            }
            cache?.put(state, stored: bytes)
            return (key, state)
        case .string(let text):
            return (key, try decode(ConversationState.self, text, what: "conversation \(id)"))
        default:
            throw StoreError.unreadable("conversation \(id): its state is neither the stored binary form nor JSON text")
        }
    }

    static func columns(_ status: ConversationStatus) -> (String, String?, String?) {
        switch status {
        case .open: ("open", nil, nil)
        case .resolved(let outcome): ("resolved", outcome, nil)
        case .escalated(let queue, let reason): ("escalated", queue, reason)
        }
    }

    static func status(_ row: Row) -> ConversationStatus {
        switch row["status"] as String {
        case "resolved": .resolved(outcome: row["outcome"] ?? "")
        case "escalated": .escalated(queue: row["outcome"] ?? "", reason: row["reason"] ?? "")
        default: .open
        }
    }

    // MARK: reading

    public func load(conversationID: String) throws -> ConversationState? {
        try wrap { try queue.read { db in try Self.state(db, conversationID) } }
    }

    public func save(_ state: ConversationState, now: Int64) throws {
        try wrap {
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try Self.saveState(db, state, now: now)
                    return .commit
                }
            }
        }
    }

    public func conversations() throws -> [ConversationSummary] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT id, customer_id, status, outcome, reason, turn, updated_at FROM conversation ORDER BY updated_at DESC, id")
                    .map { r in
                        ConversationSummary(id: r["id"], customerID: r["customer_id"], status: Self.status(r), turns: r["turn"], updatedAt: r["updated_at"])
                    }
            }
        }
    }

    public func trace(conversationID: String) throws -> [TraceEvent] {
        try wrap {
            try queue.read { db in
                try String.fetchAll(db, sql: "SELECT events FROM turn_log WHERE \(Self.turnsOf(db, conversationID)) ORDER BY key", arguments: [conversationID])
                    .flatMap { try Self.decode([TraceEvent].self, $0, what: "a turn's trace") }
            }
        }
    }

    public func ledger(customerID: String?, since: Int64) throws -> [LedgerEntry] {
        try wrap {
            try queue.read { db in
                if let customerID { return try LedgerPortInTransaction.entries(db, customerID: customerID, since: since) }
                return try Row.fetchAll(db, sql: "SELECT * FROM ledger WHERE at >= ? ORDER BY seq", arguments: [since]).map(LedgerPortInTransaction.entry)
            }
        }
    }

    public func audit(conversationID: String) throws -> [AuditEntry] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT conversation_id, turn, customer_id, at, message, effects FROM turn_log
                    WHERE \(Self.turnsOf(db, conversationID)) AND message IS NOT NULL ORDER BY key
                    """, arguments: [conversationID]).map { r in
                    AuditEntry(conversationID: r["conversation_id"], turn: r["turn"], customerID: r["customer_id"], at: r["at"], message: r["message"],
                               effects: try Self.decode([TurnEffect].self, r["effects"], what: "an audit line"))
                }
            }
        }
    }

    public func outcomes(conversationID: String?) throws -> [OutcomeRecord] {
        try wrap {
            try queue.read { db in
                let rows = if let conversationID {
                    try Row.fetchAll(db, sql: "SELECT * FROM outcome WHERE conversation_id = ? ORDER BY at, turn", arguments: [conversationID])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM outcome ORDER BY at, conversation_id, turn")
                }
                return try rows.map { r in
                    OutcomeRecord(conversationID: r["conversation_id"], turn: r["turn"], customerID: r["customer_id"], at: r["at"], status: Self.status(r),
                                  handoff: try (r["handoff"] as String?).map { try Self.decode(HandoffPacket.self, $0, what: "a hand-off packet") })
                }
            }
        }
    }

    /// The `turn_log` condition (its one argument the conversation's id) that selects a
    /// conversation's turns: the range of keys its own key gives. Turns whose conversation row a
    /// file lacks (kept from traces an old file held alone, see migration 5) are found by their
    /// id, reading the whole table.
    static func turnsOf(_ db: Database, _ conversationID: String) throws -> String {
        guard let key = try Int64.fetchOne(db, sql: "SELECT key FROM conversation WHERE id = ?", arguments: [conversationID]) else {
            return "conversation_id = ?"
        }
        return "key BETWEEN \(key << 20) AND \(key << 20 | Int64(turnsPerConversation - 1)) AND conversation_id = ?"
    }

    // MARK: the sandbox's records

    public func loadSandbox(_ data: SandboxData, plan: Plan) throws {
        let owners = Dictionary(plan.records.compactMap { r in r.owner.map { (r.name, $0) } }, uniquingKeysWith: { a, _ in a })
        try wrap {
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try db.execute(sql: "DELETE FROM sandbox_record")
                    let insert = try db.cachedStatement(sql: "INSERT INTO sandbox_record (type, position, id, owner, record) VALUES (?, ?, ?, ?, ?)")
                    for (type, records) in data.records.sorted(by: { $0.key < $1.key }) {
                        for (i, r) in records.enumerated() {
                            var id: String?
                            var owner: String?
                            if case .text(let s)? = r[field: "id"] { id = s }
                            if let field = owners[type], case .text(let s)? = r[field: field] { owner = s }
                            try insert.execute(arguments: [type, i, id, owner, try Self.json(r)])
                        }
                    }
                    for (key, outputs) in data.performed.sorted(by: { $0.key < $1.key }) {
                        try db.execute(sql: "INSERT OR IGNORE INTO sandbox_performed (idempotency_key, action, outputs, at) VALUES (?, '', ?, 0)",
                                       arguments: [key, try Self.json(outputs)])
                    }
                    for line in data.journal {
                        try db.execute(sql: "INSERT INTO sandbox_journal (line, at) VALUES (?, 0)", arguments: [line])
                    }
                    try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'sandbox_generation'")
                    return .commit
                }
            }
        }
    }

    public func sandbox() throws -> SandboxData {
        try wrap {
            try queue.read { db in
                var data = SandboxData()
                for r in try Row.fetchAll(db, sql: "SELECT type, record FROM sandbox_record ORDER BY type, position") {
                    data.records[r["type"], default: []].append(try Self.decode(RuntimeValue.self, r["record"], what: "a sandbox record"))
                }
                for r in try Row.fetchAll(db, sql: "SELECT idempotency_key, outputs FROM sandbox_performed ORDER BY seq") {
                    data.performed[r["idempotency_key"]] = try Self.decode([String: RuntimeValue].self, r["outputs"], what: "a performed action")
                }
                data.journal = try String.fetchAll(db, sql: "SELECT line FROM sandbox_journal ORDER BY seq")
                return data
            }
        }
    }

    // MARK: encoding

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw StoreError.unreadable("\(what): \(error)")
        }
    }

    /// Runs `body`, turning database errors into `StoreError`.
    func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError { throw e } catch {
            throw StoreError.database("\(error)")
        }
    }
}

/// The states this store last wrote or read, with their stored bytes: a turn that finds the same
/// bytes in the file (no other process changed the conversation) skips decoding them. Bounded:
/// cleared past 4,096.
final class StateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (stored: Data, state: ConversationState)] = [:]

    func get(_ id: String, stored: Data) -> ConversationState? {
        lock.withLock {
            guard let e = entries[id], e.stored == stored else { return nil }
            return e.state
        }
    }

    func put(_ state: ConversationState, stored: Data) {
        lock.withLock {
            if entries.count >= 4_096, entries[state.id] == nil { entries.removeAll(keepingCapacity: true) }
            entries[state.id] = (stored, state)
        }
    }
}

/// Copies committed turns from the write-ahead log into the database file (a checkpoint) on a
/// connection and thread of its own, so that no turn waits for one: a checkpoint writes and
/// flushes many pages, and run inside a turn's commit (SQLite's default) it made about one turn
/// in a hundred several milliseconds slower.
///
/// Durability does not change: a turn is on disk once its commit has flushed the log, before and
/// after this. A passive checkpoint never blocks turns; the store's own connection still
/// checkpoints if the log grows past `backstopPages` (this thread stalled).
final class Checkpointer: @unchecked Sendable {
    /// Turns between checkpoints: about 12 pages each, so some 600 pages of log.
    static let everyTurns = 50
    /// Log pages past which the store's connection checkpoints itself.
    static let backstopPages = 4_000

    private let queue: DatabaseQueue
    private let thread = DispatchQueue(label: "mandate-store-checkpoint", qos: .utility)
    private let lock = NSLock()
    private var turns = 0
    private var running = false

    init(path: String, configuration: Configuration, synchronous: String) throws {
        var config = configuration
        config.label = "mandate-store-checkpoint"
        queue = try DatabaseQueue(path: path, configuration: config)
        try queue.writeWithoutTransaction { db in try db.execute(sql: synchronous) }
    }

    /// Counts a turn; every `everyTurns` turns starts a checkpoint unless one is running.
    func committed() {
        let start: Bool = lock.withLock {
            turns += 1
            guard turns >= Self.everyTurns, !running else { return false }
            turns = 0
            running = true
            return true
        }
        guard start else { return }
        thread.async { [self] in
            // Busy (another process checkpointing or a turn restarting the log): the next one will do.
            try? queue.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
            lock.withLock { running = false }
        }
    }

    /// Waits for a running checkpoint, then closes the connection.
    func close() throws {
        thread.sync {}
        try queue.close()
    }
}

/// Turns waiting to be committed together (see `SQLiteStore.turn`).
///
/// Leader and followers: a caller queues its turn; if no group is being committed it leads —
/// takes every queued turn, commits them as one group and wakes the others; otherwise it waits,
/// and either finds its turn done or leads the next group.
final class GroupCommit: @unchecked Sendable {
    typealias Work = (Database) throws -> TurnResult

    /// A queued turn and, once its group is committed, what it returned. Guarded by `condition`.
    private final class Pending {
        let work: Work
        var result: Result<TurnResult, Error>?
        init(_ work: @escaping Work) { self.work = work }
    }

    private let condition = NSCondition()
    private var queued: [Pending] = []
    private var leading = false
    private var groups = 0, grouped = 0

    /// Groups committed, and turns in them.
    var counts: (groups: Int, turns: Int) { condition.withLock { (groups, grouped) } }

    /// Turns queued behind the group being committed.
    var waiting: Int { condition.withLock { queued.count } }

    /// Queues `work` and returns its result once the group holding it is committed. `group` runs
    /// a group's turns in one transaction and returns each one's result; if it throws (the
    /// commit failed), every turn of the group fails with that error.
    func run(_ work: @escaping Work, group: ([Work]) throws -> [Result<TurnResult, Error>]) throws -> TurnResult {
        let mine = Pending(work)
        condition.lock()
        queued.append(mine)
        while mine.result == nil && leading { condition.wait() }
        if let done = mine.result {
            condition.unlock()
            return try done.get()
        }
        leading = true
        let batch = queued
        queued = []
        condition.unlock()
        let results: [Result<TurnResult, Error>]
        do { results = try group(batch.map(\.work)) } catch {
            results = Array(repeating: .failure(error), count: batch.count)
        }
        condition.lock()
        for (p, r) in zip(batch, results) { p.result = r }
        groups += 1
        grouped += batch.count
        leading = false
        condition.broadcast()
        condition.unlock()
        return try mine.result!.get()
    }
}

/// Binds a cached statement's parameters by position straight into SQLite, then runs it: a turn's
/// inserts skip GRDB's `StatementArguments` (an array of boxed values, checked and copied on every
/// run). SQLite copies each text and blob as it is bound.
struct Bindings {
    let statement: SQLiteStatement
    var index: CInt = 1
    var code = SQLITE_OK

    /// Runs `statement` once with the values `bind` gives, in the order of its `?`s; all of them
    /// must be given. `execute` runs it (by default, for a statement that returns no rows).
    static func run(_ statement: Statement, execute: (Statement) throws -> Void = { try $0.execute() }, _ bind: (inout Bindings) -> Void) throws {
        // Resets the statement and clears its bindings; GRDB then runs it with the ones bound here.
        statement.setUncheckedArguments(StatementArguments())
        var b = Bindings(statement: statement.sqliteStatement)
        bind(&b)
        guard b.code == SQLITE_OK else {
            throw StoreError.database("cannot bind value \(b.index - 1) of \(statement.sql): SQLite error \(b.code)")
        }
        guard b.index - 1 == sqlite3_bind_parameter_count(statement.sqliteStatement) else {
            throw StoreError.database("\(b.index - 1) values bound for the \(sqlite3_bind_parameter_count(statement.sqliteStatement)) parameters of \(statement.sql)")
        }
        try execute(statement)
    }

    private mutating func next(_ bind: (SQLiteStatement, CInt) -> CInt) {
        guard code == SQLITE_OK else { return }
        code = bind(statement, index)
        index += 1
    }

    mutating func int<I: BinaryInteger>(_ v: I) { next { sqlite3_bind_int64($0, $1, Int64(v)) } }

    mutating func text(_ s: String?) {
        guard var s else { return next { sqlite3_bind_null($0, $1) } }
        next { stmt, i in
            s.withUTF8 { u in
                // An empty text still needs a pointer: a null one would bind NULL.
                guard let start = u.baseAddress, !u.isEmpty else { return sqlite3_bind_text(stmt, i, "", 0, Bindings.transient) }
                return sqlite3_bind_text(stmt, i, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self), CInt(u.count), Bindings.transient)
            }
        }
    }

    mutating func blob(_ d: Data) {
        next { stmt, i in
            d.withUnsafeBytes { u in
                guard let start = u.baseAddress, !u.isEmpty else { return sqlite3_bind_zeroblob(stmt, i, 0) }
                return sqlite3_bind_blob(stmt, i, start, CInt(u.count), Bindings.transient)
            }
        }
    }

    /// SQLite's `SQLITE_TRANSIENT`: copy the bytes now.
    static var transient: sqlite3_destructor_type { unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self) }
}
