import GRDB
import MandateRuntime

extension SQLiteStore {
    /// The schema, one migration per change; a database opened by an older Mandate is brought up to date.
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        // Migrations are never edited once shipped: comments in their SQL describe the file as
        // that migration left it. Today `conversation.state` holds `StateEncoding`'s binary form
        // (JSON text written by earlier versions is still read); docs/RUNTIME.md has every column.
        m.registerMigration("1: conversations, ledger, trace, audit log, outcomes, sandbox") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO meta (key, value) VALUES ('sandbox_generation', 0);

                -- One row per conversation: its state as JSON, and the columns lists and queries need.
                CREATE TABLE conversation (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'escalated')),
                    outcome TEXT,              -- the outcome when resolved, the queue when escalated
                    reason TEXT,               -- why it was handed off
                    turn INTEGER NOT NULL,
                    state TEXT NOT NULL,       -- ConversationState as JSON
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX conversation_by_customer ON conversation (customer_id, updated_at);
                CREATE INDEX conversation_by_update ON conversation (updated_at);

                -- Actions with effects and the money they moved; limits are checked against it.
                CREATE TABLE ledger (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    conversation_id TEXT NOT NULL,
                    customer_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    scope TEXT NOT NULL,       -- what a frequency limit counts per: order:1042, customer:C-1001
                    idempotency_key TEXT NOT NULL UNIQUE,
                    amount_minor INTEGER,      -- money in minor units (cents), exactly
                    currency TEXT,
                    at INTEGER NOT NULL,       -- seconds since 1970
                    CHECK ((amount_minor IS NULL) = (currency IS NULL))
                );
                CREATE INDEX ledger_by_customer ON ledger (customer_id, at);

                -- Every decision of every turn, in order.
                CREATE TABLE trace_event (
                    conversation_id TEXT NOT NULL,
                    turn INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    source TEXT,               -- refund-damaged-item.procedure:7
                    data TEXT NOT NULL,        -- facts as a JSON object
                    outputs TEXT,              -- what an action returned, as JSON: replay answers from it
                    PRIMARY KEY (conversation_id, turn, seq)
                ) WITHOUT ROWID;

                -- One line per turn: what the customer wrote, what the agent sent and did.
                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    conversation_id TEXT NOT NULL,
                    turn INTEGER NOT NULL,
                    customer_id TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    message TEXT NOT NULL,
                    effects TEXT NOT NULL,     -- TurnEffect list as JSON
                    UNIQUE (conversation_id, turn)
                );

                -- How requests ended: resolved with an outcome, or handed off with the packet.
                CREATE TABLE outcome (
                    conversation_id TEXT NOT NULL,
                    turn INTEGER NOT NULL,
                    customer_id TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('resolved', 'escalated')),
                    outcome TEXT,              -- the outcome, or the queue
                    reason TEXT,
                    handoff TEXT,              -- HandoffPacket as JSON
                    PRIMARY KEY (conversation_id, turn)
                ) WITHOUT ROWID;
                CREATE INDEX outcome_by_time ON outcome (at);

                -- The sandbox connector's fixture records, and the actions it performed.
                CREATE TABLE sandbox_record (
                    type TEXT NOT NULL,        -- Order, Customer, Subscription
                    position INTEGER NOT NULL, -- fixture order
                    id TEXT,
                    owner TEXT,                -- the owning customer's id
                    record TEXT NOT NULL,      -- the record as JSON
                    PRIMARY KEY (type, position)
                ) WITHOUT ROWID;
                CREATE INDEX sandbox_record_by_owner ON sandbox_record (type, owner);
                CREATE TABLE sandbox_performed (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    action TEXT NOT NULL,
                    outputs TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                CREATE TABLE sandbox_journal (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    line TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                """)
            // The ledger, the trace, the audit log, outcomes and the sandbox's performed actions are append-only.
            for table in ["ledger", "trace_event", "audit_log", "outcome", "sandbox_performed", "sandbox_journal"] {
                try appendOnly(db, table)
            }
        }
        m.registerMigration("2: the trace as one row per turn") { db in
            // One row per turn instead of one per event: a turn writes its trace with one insert and
            // one encoding. Events already stored are carried over, in order.
            try db.execute(sql: """
                CREATE TABLE trace_turn (
                    conversation_id TEXT NOT NULL,
                    turn INTEGER NOT NULL,
                    events TEXT NOT NULL,      -- the turn's TraceEvent list as JSON, in order
                    PRIMARY KEY (conversation_id, turn)
                ) WITHOUT ROWID;
                """)
            let rows = try Row.fetchAll(db, sql: "SELECT conversation_id, turn, kind, detail, source, data, outputs FROM trace_event ORDER BY conversation_id, turn, seq")
            var pending: (id: String, turn: Int, events: [TraceEvent])?
            func flush() throws {
                guard let p = pending else { return }
                try db.execute(sql: "INSERT INTO trace_turn (conversation_id, turn, events) VALUES (?, ?, ?)",
                               arguments: [p.id, p.turn, try SQLiteStore.json(p.events)])
            }
            for r in rows {
                let id: String = r["conversation_id"]
                let turn: Int = r["turn"]
                let kindName: String = r["kind"]
                guard let kind = TraceEvent.Kind(rawValue: kindName) else { throw StoreError.unreadable("a trace event of unknown kind `\(kindName)`") }
                let event = TraceEvent(turn: turn, kind: kind, detail: r["detail"], source: r["source"],
                                       data: try SQLiteStore.decode([String: String].self, r["data"], what: "a trace event"),
                                       outputs: try (r["outputs"] as String?).map { try SQLiteStore.decode([String: RuntimeValue].self, $0, what: "an action's outputs") })
                if pending?.id != id || pending?.turn != turn {
                    try flush()
                    pending = (id, turn, [])
                }
                pending?.events.append(event)
            }
            try flush()
            try db.execute(sql: "DROP TABLE trace_event")
            try appendOnly(db, "trace_turn")
        }
        m.registerMigration("3: fewer pages written per turn") { db in
            // Every turn rewrote a page of `sqlite_sequence` for AUTOINCREMENT and an entry of an
            // index no query reads. The append-only tables never lose a row, so a plain integer
            // key already only grows: each is rebuilt without AUTOINCREMENT, rows, indexes and
            // triggers kept, and `seq` values unchanged.
            try db.execute(sql: "DROP INDEX conversation_by_customer")
            for table in ["audit_log", "ledger", "sandbox_performed", "sandbox_journal"] {
                guard let create = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) else { continue }
                let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", arguments: [table])
                try db.execute(sql: create.replacingOccurrences(of: " AUTOINCREMENT", with: "")
                    .replacingOccurrences(of: "CREATE TABLE \(table) (", with: "CREATE TABLE \(table)_rebuilt ("))
                try db.execute(sql: "INSERT INTO \(table)_rebuilt SELECT * FROM \(table)")
                try db.execute(sql: "DROP TABLE \(table)")
                try db.execute(sql: "ALTER TABLE \(table)_rebuilt RENAME TO \(table)")
                for index in indexes { try db.execute(sql: index) }
                try appendOnly(db, table)
            }
        }
        m.registerMigration("4: one row per turn for the audit line and the trace") { db in
            // A turn wrote its audit line and its trace as two rows of two tables: two B-tree
            // leaves, the audit line's unique index, and most turns an overflow page for the trace
            // (longer than a leaf keeps). One `turn_log` row per turn, keyed by conversation and
            // turn, holds both: a leaf and an overflow page. `audit_log` and `trace_turn` become
            // views with their old columns, less the audit line's `seq` (turns are ordered by
            // conversation and turn, and in time by `at`). Every audit line and every trace is
            // carried over: an audit line without a trace gets an empty one (`[]`, what reading it
            // gave); a trace whose audit line an old file lacks keeps NULL audit columns, and
            // `audit_log` does not show it. The indexes on `conversation.updated_at` and
            // `outcome.at` go too: no query reads them, and the lists sorted by those columns read
            // every row anyway.
            try db.execute(sql: """
                CREATE TABLE turn_log (
                    conversation_id TEXT NOT NULL,
                    turn INTEGER NOT NULL,
                    customer_id TEXT,          -- the audit line: NULL only for a trace carried over without one
                    at INTEGER,                -- seconds since 1970
                    message TEXT,              -- what the customer wrote
                    effects TEXT,              -- the turn's TurnEffect list as JSON
                    events TEXT NOT NULL,      -- the turn's TraceEvent list as JSON, in order
                    PRIMARY KEY (conversation_id, turn),
                    CHECK ((customer_id IS NULL) = (at IS NULL) AND (at IS NULL) = (message IS NULL) AND (message IS NULL) = (effects IS NULL))
                ) WITHOUT ROWID;
                INSERT INTO turn_log (conversation_id, turn, customer_id, at, message, effects, events)
                    SELECT a.conversation_id, a.turn, a.customer_id, a.at, a.message, a.effects, coalesce(t.events, '[]')
                    FROM audit_log a LEFT JOIN trace_turn t ON t.conversation_id = a.conversation_id AND t.turn = a.turn;
                INSERT INTO turn_log (conversation_id, turn, events)
                    SELECT t.conversation_id, t.turn, t.events FROM trace_turn t
                    WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.conversation_id = t.conversation_id AND a.turn = t.turn);
                DROP TABLE audit_log;
                DROP TABLE trace_turn;
                CREATE VIEW audit_log AS
                    SELECT conversation_id, turn, customer_id, at, message, effects FROM turn_log WHERE message IS NOT NULL;
                CREATE VIEW trace_turn AS SELECT conversation_id, turn, events FROM turn_log;
                DROP INDEX conversation_by_update;
                DROP INDEX outcome_by_time;
                """)
            try appendOnly(db, "turn_log")
        }
        m.registerMigration("5: integer keys for conversations and turns") { db in
            // A `WITHOUT ROWID` leaf keeps at most ~1 KB of a row, so the look-up turn's 2.9 KB
            // `turn_log` row took an overflow page besides its leaf; and text keys put a new
            // conversation's rows in the middle of both B-trees, whose ~1 KB rows then split
            // their leaves (three siblings and the parent rewritten). Each conversation gets an
            // integer `key` (its `INTEGER PRIMARY KEY`: VACUUM keeps it), given in the order
            // conversations start; `id` stays unique. A `turn_log` row's key is the
            // conversation's key times 2^20 plus the turn, so a rowid leaf keeps the whole row
            // (up to ~4 KB), a conversation's turns stay together, and new rows go at the end.
            // Conversations already stored are numbered by `created_at`, then `id`; a trace
            // without a conversation row (only in files built by hand) gets a key after them.
            var keys: [String: Int64] = [:]
            for id in try String.fetchAll(db, sql: "SELECT id FROM conversation ORDER BY created_at, id") { keys[id] = Int64(keys.count + 1) }
            for id in try String.fetchAll(db, sql: "SELECT DISTINCT conversation_id FROM turn_log ORDER BY conversation_id") where keys[id] == nil {
                keys[id] = Int64(keys.count + 1)
            }
            try db.execute(sql: "CREATE TEMP TABLE conversation_number (id TEXT PRIMARY KEY, key INTEGER NOT NULL)")
            for (id, key) in keys { try db.execute(sql: "INSERT INTO conversation_number (id, key) VALUES (?, ?)", arguments: [id, key]) }
            try db.execute(sql: """
                DROP VIEW audit_log;
                DROP VIEW trace_turn;
                CREATE TABLE conversation_keyed (
                    key INTEGER PRIMARY KEY,   -- the conversation's number: given when it starts, never changed
                    id TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'escalated')),
                    outcome TEXT,              -- the outcome when resolved, the queue when escalated
                    reason TEXT,               -- why it was handed off
                    turn INTEGER NOT NULL,
                    state BLOB NOT NULL,       -- ConversationState in StateEncoding's binary form (JSON text if written before it)
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                INSERT INTO conversation_keyed (key, id, customer_id, status, outcome, reason, turn, state, created_at, updated_at)
                    SELECT n.key, c.id, c.customer_id, c.status, c.outcome, c.reason, c.turn, c.state, c.created_at, c.updated_at
                    FROM conversation c JOIN temp.conversation_number n ON n.id = c.id ORDER BY n.key;
                CREATE TABLE turn_log_keyed (
                    key INTEGER PRIMARY KEY,   -- the conversation's key * 2^20 + turn
                    conversation_id TEXT NOT NULL,
                    turn INTEGER NOT NULL,
                    customer_id TEXT,          -- the audit line: NULL only for a trace carried over without one
                    at INTEGER,                -- seconds since 1970
                    message TEXT,              -- what the customer wrote
                    effects TEXT,              -- the turn's TurnEffect list as JSON
                    events TEXT NOT NULL,      -- the turn's TraceEvent list as JSON, in order
                    CHECK (key >= 1048576 AND (key & 1048575) = turn),
                    CHECK ((customer_id IS NULL) = (at IS NULL) AND (at IS NULL) = (message IS NULL) AND (message IS NULL) = (effects IS NULL))
                );
                INSERT INTO turn_log_keyed (key, conversation_id, turn, customer_id, at, message, effects, events)
                    SELECT (n.key << 20) | t.turn, t.conversation_id, t.turn, t.customer_id, t.at, t.message, t.effects, t.events
                    FROM turn_log t JOIN temp.conversation_number n ON n.id = t.conversation_id ORDER BY 1;
                DROP TABLE conversation;
                DROP TABLE turn_log;
                DROP TABLE temp.conversation_number;
                ALTER TABLE conversation_keyed RENAME TO conversation;
                ALTER TABLE turn_log_keyed RENAME TO turn_log;
                CREATE VIEW audit_log AS
                    SELECT conversation_id, turn, customer_id, at, message, effects FROM turn_log WHERE message IS NOT NULL;
                CREATE VIEW trace_turn AS SELECT conversation_id, turn, events FROM turn_log;
                """)
            try appendOnly(db, "turn_log")
        }
        return m
    }()

    /// Triggers that refuse to change or delete a row of `table`.
    static func appendOnly(_ db: Database, _ table: String) throws {
        for op in ["UPDATE", "DELETE"] {
            try db.execute(sql: """
                CREATE TRIGGER \(table)_no_\(op.lowercased()) BEFORE \(op) ON \(table)
                BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END
                """)
        }
    }
}
