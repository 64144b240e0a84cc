import Foundation
import MandateIR

/// A call to a catalog action, with identity already bound to the verified customer.
public struct ActionRequest: Sendable, Equatable {
    /// The catalog action.
    public var action: String
    /// Its signature.
    public var signature: ActionSignature
    /// Arguments by input name; `identity` inputs hold the verified customer's id.
    public var arguments: [String: RuntimeValue]
    /// The verified customer the action runs as.
    public var customerID: String?
    /// Set on every action with effects: the same key never acts twice.
    public var idempotencyKey: String?
    /// The owner field of each record type (`Order` → `customer_id`), for the connector's ownership check.
    public var owners: [String: String]
}

/// What an action did.
public enum ActionOutcome: Sendable, Equatable {
    /// Done; outputs by name.
    case done([String: RuntimeValue])
    /// Done before under the same idempotency key; its outputs.
    case alreadyDone([String: RuntimeValue])
    /// It belongs to someone else, or may not be done: the connector refused.
    case refused(String)
    /// Nothing matches what was given (an order number with a typo).
    case notFound(String)
    /// It broke.
    case failed(String)
}

/// Where actions run: the sandbox, HTTP, MCP. The connector refuses records of another customer.
public protocol ActionPort {
    /// Performs a call.
    func perform(_ request: ActionRequest) -> ActionOutcome
}

/// An entry of the ledger: an action with effects, and the money it moved.
public struct LedgerEntry: Codable, Sendable, Equatable {
    /// The conversation.
    public var conversation: String
    /// The customer.
    public var customerID: String
    /// The action.
    public var action: String
    /// What the frequency limit counts per (`order:1042`, `customer:C-1001`).
    public var scope: String
    /// The idempotency key.
    public var idempotencyKey: String
    /// The money it moved, if any.
    public var amount: Money?
    /// When: seconds since 1970.
    public var at: Int64

    /// Makes an entry.
    public init(conversation: String, customerID: String, action: String, scope: String, idempotencyKey: String, amount: Money?, at: Int64) {
        self.conversation = conversation
        self.customerID = customerID
        self.action = action
        self.scope = scope
        self.idempotencyKey = idempotencyKey
        self.amount = amount
        self.at = at
    }
}

/// The ledger as a turn sees it. A store runs each turn in one transaction that holds the write
/// lock (`BEGIN IMMEDIATE` on SQLite), so reading the entries and appending one is atomic.
public protocol LedgerPort: AnyObject {
    /// Entries of a customer at or after `since`.
    func entries(customerID: String, since: Int64) -> [LedgerEntry]
    /// The entry with this idempotency key, if any.
    func entry(idempotencyKey: String) -> LedgerEntry?
    /// Records an entry.
    func append(_ entry: LedgerEntry)
}

/// The outside world of one turn: everything the interpreter does not do itself.
public struct TurnEnvironment {
    /// The time: seconds since 1970 (an injected clock).
    public var now: Int64
    /// The actions.
    public var actions: any ActionPort
    /// The ledger.
    public var ledger: any LedgerPort

    /// Makes an environment.
    public init(now: Int64, actions: any ActionPort, ledger: any LedgerPort) {
        self.now = now
        self.actions = actions
        self.ledger = ledger
    }
}

/// A ledger in memory: for tests, simulation and the in-memory store. Callers that share one
/// across threads hold `lock` for the whole turn, as a database store holds its write lock.
///
/// A short ledger (a conversation's, a test's) is read by looking through its entries; once it
/// holds more than `indexedFrom` entries, they are indexed by idempotency key and by customer.
/// Indexing every entry of a short ledger made two dictionaries and a list for its first entry,
/// and hashed every key looked for.
public final class MemoryLedger: LedgerPort, @unchecked Sendable {
    /// Held by a caller for a whole turn.
    public let lock = NSLock()
    private var storage: [LedgerEntry] = []
    /// The indexes, made when the ledger grows past `indexedFrom` entries.
    private var indexed = false
    private var byKey: [String: Int] = [:]
    private var byCustomer: [String: [Int]] = [:]
    /// How many entries are looked through before they are indexed.
    static let indexedFrom = 16

    /// An empty ledger.
    public init() {}

    /// Every entry, oldest first.
    public var all: [LedgerEntry] { storage }

    public func entries(customerID: String, since: Int64) -> [LedgerEntry] {
        var found: [LedgerEntry] = []
        guard indexed else {
            for e in storage where e.at >= since && e.customerID == customerID { found.append(e) }
            return found
        }
        guard let positions = byCustomer[customerID] else { return [] }
        for i in positions where storage[i].at >= since { found.append(storage[i]) }
        return found
    }

    /// The last entry appended with this key, as the index by key keeps it.
    public func entry(idempotencyKey: String) -> LedgerEntry? {
        guard indexed else { return storage.last { $0.idempotencyKey == idempotencyKey } }
        return byKey[idempotencyKey].map { storage[$0] }
    }

    public func append(_ entry: LedgerEntry) {
        storage.append(entry)
        if indexed {
            index(storage.count - 1)
        } else if storage.count > Self.indexedFrom {
            indexed = true
            for i in storage.indices { index(i) }
        }
    }

    private func index(_ i: Int) {
        byKey[storage[i].idempotencyKey] = i
        byCustomer[storage[i].customerID, default: []].append(i)
    }
}
