import Foundation
import MandateIR

/// Where conversations live between turns: their state, the refund ledger, the trace, the audit
/// log, outcomes and the sandbox's records.
///
/// `turn` is the heart of it: it loads the conversation (or starts it), runs `Runtime.turn` with a
/// ledger and a sandbox bound to one write transaction, and commits the new state, the ledger
/// entries, the trace, the audit line and the outcome together — or nothing. Because the
/// transaction holds the write lock from its first read, a limit check and the ledger entry it
/// allows are one atomic step: two racing turns cannot both pass a limit that fits only one.
///
/// `MemoryStore` keeps everything in memory; `SQLiteStore` (in `MandateStore`) on disk. A
/// PostgreSQL store can follow with the same contract.
public protocol ConversationStore: AnyObject, Sendable {
    /// Runs one customer turn atomically and returns what it produced. A conversation that does
    /// not exist yet starts with `customer`; one that exists must belong to `customer`.
    func turn(conversationID: String, customer: CustomerProfile, event: CustomerEvent, runtime: Runtime, now: Int64) throws -> TurnResult
    /// A conversation's state, or nil when there is none with that id.
    func load(conversationID: String) throws -> ConversationState?
    /// Saves a conversation's state outside a turn (importing or repairing one); `now` is the time of the change.
    func save(_ state: ConversationState, now: Int64) throws
    /// Every conversation, most recently changed first.
    func conversations() throws -> [ConversationSummary]
    /// The trace of a conversation, turn by turn, in order.
    func trace(conversationID: String) throws -> [TraceEvent]
    /// Ledger entries, oldest first: of one customer, or all when `customerID` is nil, at or after `since`.
    func ledger(customerID: String?, since: Int64) throws -> [LedgerEntry]
    /// The audit log of a conversation: one line per turn with what the customer wrote and what the agent did.
    func audit(conversationID: String) throws -> [AuditEntry]
    /// Outcomes (resolved or handed off), oldest first: of one conversation, or all when nil.
    func outcomes(conversationID: String?) throws -> [OutcomeRecord]
    /// Replaces the sandbox's records with `data` (fixtures), keeping the actions already performed.
    func loadSandbox(_ data: SandboxData, plan: Plan) throws
    /// The sandbox's records, performed actions and journal as they are now.
    func sandbox() throws -> SandboxData
}

/// A conversation in a list.
public struct ConversationSummary: Codable, Sendable, Equatable {
    /// Its id.
    public var id: String
    /// The customer it is with.
    public var customerID: String
    /// Open, resolved or escalated.
    public var status: ConversationStatus
    /// Turns taken.
    public var turns: Int
    /// When it last changed: seconds since 1970.
    public var updatedAt: Int64

    /// Makes a summary.
    public init(id: String, customerID: String, status: ConversationStatus, turns: Int, updatedAt: Int64) {
        self.id = id
        self.customerID = customerID
        self.status = status
        self.turns = turns
        self.updatedAt = updatedAt
    }
}

/// One line of the audit log: a turn, what the customer wrote, what the agent did.
public struct AuditEntry: Codable, Sendable, Equatable {
    /// The conversation.
    public var conversationID: String
    /// The turn.
    public var turn: Int
    /// The customer.
    public var customerID: String
    /// When: seconds since 1970.
    public var at: Int64
    /// What the customer wrote.
    public var message: String
    /// What the turn sent and did.
    public var effects: [TurnEffect]

    /// Makes an entry.
    public init(conversationID: String, turn: Int, customerID: String, at: Int64, message: String, effects: [TurnEffect]) {
        self.conversationID = conversationID
        self.turn = turn
        self.customerID = customerID
        self.at = at
        self.message = message
        self.effects = effects
    }
}

/// How a request ended: resolved with an outcome, or handed to a person.
public struct OutcomeRecord: Codable, Sendable, Equatable {
    /// The conversation.
    public var conversationID: String
    /// The turn it ended on.
    public var turn: Int
    /// The customer.
    public var customerID: String
    /// When: seconds since 1970.
    public var at: Int64
    /// Resolved or escalated, with the outcome or the queue and reason.
    public var status: ConversationStatus
    /// The hand-off packet, when handed off.
    public var handoff: HandoffPacket?

    /// Makes a record.
    public init(conversationID: String, turn: Int, customerID: String, at: Int64, status: ConversationStatus, handoff: HandoffPacket?) {
        self.conversationID = conversationID
        self.turn = turn
        self.customerID = customerID
        self.at = at
        self.status = status
        self.handoff = handoff
    }

    /// The outcome of a turn, if it ended the request.
    public static func of(_ result: TurnResult, customerID: String, at: Int64) -> OutcomeRecord? {
        guard result.state.status != .open,
              result.effects.contains(where: { if case .resolved = $0 { true } else if case .handoff = $0 { true } else { false } })
        else { return nil }
        let packet = result.effects.lazy.compactMap { e -> HandoffPacket? in if case .handoff(let p) = e { p } else { nil } }.first
        return OutcomeRecord(conversationID: result.state.id, turn: result.state.turn, customerID: customerID, at: at,
                             status: result.state.status, handoff: packet)
    }
}

/// Why a store refused or failed.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The conversation belongs to another customer than the session's.
    case conversationOfAnotherCustomer(conversation: String, owner: String, session: String)
    /// The stored data cannot be read back (a damaged or foreign database).
    case unreadable(String)
    /// The database failed.
    case database(String)

    /// In plain words.
    public var description: String {
        switch self {
        case .conversationOfAnotherCustomer(let c, let owner, let session):
            "the conversation \(c) belongs to customer \(owner), not to \(session), so it cannot continue in this session"
        case .unreadable(let why): "the stored conversation data cannot be read: \(why)"
        case .database(let why): "the conversation database failed: \(why)"
        }
    }
}

/// A store in memory: for tests, simulation and a terminal chat that keeps nothing. One lock per
/// store is held for a whole turn, as a database store holds its write lock.
public final class MemoryStore: ConversationStore, @unchecked Sendable {
    private let lock = NSLock()
    private var states: [String: ConversationState] = [:]
    private var updated: [String: Int64] = [:]
    private let ledgerEntries = MemoryLedger()
    private var traces: [String: [TraceEvent]] = [:]
    private var auditLog: [AuditEntry] = []
    private var outcomeLog: [OutcomeRecord] = []
    private var data = SandboxData()

    /// An empty store.
    public init() {}

    public func turn(conversationID: String, customer: CustomerProfile, event: CustomerEvent, runtime: Runtime, now: Int64) throws -> TurnResult {
        lock.lock()
        defer { lock.unlock() }
        let state = states[conversationID] ?? runtime.start(id: conversationID, customer: customer)
        guard state.customer.id == customer.id else {
            throw StoreError.conversationOfAnotherCustomer(conversation: conversationID, owner: state.customer.id, session: customer.id)
        }
        let port = MemorySandboxPort(data: data)
        data = SandboxData() // the port holds the only copy while it runs: no copy on write
        let result = runtime.turn(state, event, environment: TurnEnvironment(now: now, actions: port, ledger: ledgerEntries))
        data = port.data
        states[conversationID] = result.state
        updated[conversationID] = now
        traces[conversationID, default: []] += result.trace
        auditLog.append(AuditEntry(conversationID: conversationID, turn: result.state.turn, customerID: state.customer.id, at: now,
                                   message: event.message, effects: result.effects))
        if let outcome = OutcomeRecord.of(result, customerID: state.customer.id, at: now) { outcomeLog.append(outcome) }
        return result
    }

    public func load(conversationID: String) throws -> ConversationState? {
        lock.withLock { states[conversationID] }
    }

    public func save(_ state: ConversationState, now: Int64) throws {
        lock.withLock {
            states[state.id] = state
            updated[state.id] = now
        }
    }

    public func conversations() throws -> [ConversationSummary] {
        lock.withLock {
            states.values.map { s in
                ConversationSummary(id: s.id, customerID: s.customer.id, status: s.status, turns: s.turn, updatedAt: updated[s.id] ?? 0)
            }.sorted { ($0.updatedAt, $1.id) > ($1.updatedAt, $0.id) }
        }
    }

    public func trace(conversationID: String) throws -> [TraceEvent] {
        lock.withLock { traces[conversationID] ?? [] }
    }

    public func ledger(customerID: String?, since: Int64) throws -> [LedgerEntry] {
        lock.withLock {
            if let customerID { return ledgerEntries.entries(customerID: customerID, since: since) }
            return ledgerEntries.all.filter { $0.at >= since }
        }
    }

    public func audit(conversationID: String) throws -> [AuditEntry] {
        lock.withLock { auditLog.filter { $0.conversationID == conversationID } }
    }

    public func outcomes(conversationID: String?) throws -> [OutcomeRecord] {
        lock.withLock { outcomeLog.filter { conversationID == nil || $0.conversationID == conversationID } }
    }

    public func loadSandbox(_ data: SandboxData, plan: Plan) throws {
        lock.withLock {
            self.data.records = data.records
            self.data.performed.merge(data.performed) { old, _ in old }
            self.data.journal += data.journal
        }
    }

    public func sandbox() throws -> SandboxData {
        lock.withLock { data }
    }
}

/// The sandbox's behaviour over data a store lends for one turn.
final class MemorySandboxPort: ActionPort {
    var data: SandboxData
    init(data: SandboxData) { self.data = data }
    func perform(_ request: ActionRequest) -> ActionOutcome { SandboxActions.perform(request, on: &data) }
}
