import Foundation
import MandateIR

/// A call to a catalog action, with identity already bound to the verified customer.
///
/// The arguments travel in the order of the signature's inputs, as the call worked them out, and
/// the catalog action (its signature, the owner field of each record) is shared by every call of
/// it rather than copied into each request. A connector reads an argument by name or by position:
///
/// ```swift
/// func perform(_ request: ActionRequest) -> ActionOutcome {
///     guard case .text(let number)? = request.arguments["order_number"] else { return .failed("no order number") }
///     for (name, value) in request.arguments { log("\(name)=\(value)") }   // in the signature's order
///     …
/// }
/// ```
public struct ActionRequest: Sendable, Equatable {
    /// The catalog action as the plan declares it, with what is worked out once about it.
    public let catalogAction: CatalogAction
    /// The arguments, by input number in the signature's order; `arguments["order_number"]` reads
    /// one by name. `identity` inputs hold the verified customer's id.
    public var arguments: ActionArguments
    /// The verified customer the action runs as.
    public var customerID: String?
    /// Set on every action with effects: the same key never acts twice.
    public var idempotencyKey: String?

    /// The catalog action's name.
    public var action: String { catalogAction.signature.name }
    /// Its signature (a copy: `catalogAction.signature` reads it in place).
    public var signature: ActionSignature { catalogAction.signature }
    /// The owner field of each record type (`Order` → `customer_id`), for the connector's ownership check.
    public var owners: [String: String] { catalogAction.owners }

    /// A call of `catalogAction` with `arguments` (made for its inputs).
    public init(_ catalogAction: CatalogAction, arguments: ActionArguments, customerID: String?, idempotencyKey: String?) {
        self.catalogAction = catalogAction
        self.arguments = arguments
        self.customerID = customerID
        self.idempotencyKey = idempotencyKey
    }

    /// A call of the action `signature` with its arguments by input name (an input not named is not
    /// given), `owners` naming the owner field of each record type: for connectors' tests and tools
    /// that make a request themselves. The runtime makes its requests from the catalog it loaded.
    public init(signature: ActionSignature, arguments: [String: RuntimeValue], customerID: String?, idempotencyKey: String?,
                owners: [String: String]) {
        let action = CatalogAction(signature, owners: owners)
        self.init(action, arguments: ActionArguments(inputs: signature.inputs, byName: arguments), customerID: customerID,
                  idempotencyKey: idempotencyKey)
    }

    /// Equal when they call actions of equal signatures and owners with equal arguments, as the same customer, under the same key.
    public static func == (a: ActionRequest, b: ActionRequest) -> Bool {
        a.customerID == b.customerID && a.idempotencyKey == b.idempotencyKey && a.arguments == b.arguments
            && (a.catalogAction === b.catalogAction
                || (a.catalogAction.signature == b.catalogAction.signature && a.catalogAction.owners == b.catalogAction.owners))
    }
}

/// The arguments of an action call: one value (or none) for each input of the signature, in the
/// signature's order. Read by position (`values[1]`, `arguments[input: 1]`) or by name
/// (`arguments["order"]`); iterating gives the given arguments as `(name, value)` in input order.
public struct ActionArguments: Sendable, Equatable, Sequence, CustomStringConvertible {
    /// The inputs the values are for: the signature's.
    public let inputs: [Field]
    /// By input number: `values[i]` is the value given for `inputs[i]`, nil when none is.
    public var values: [RuntimeValue?]

    /// Values for `inputs`, by input number (as many as there are inputs).
    public init(inputs: [Field], values: [RuntimeValue?]) {
        precondition(values.count == inputs.count, "an action's arguments need one value or nil for each of its inputs")
        self.inputs = inputs
        self.values = values
    }

    /// Values for `inputs` given by name: each input takes the value of its name, if any (a name
    /// that names no input is not kept).
    public init(inputs: [Field], byName arguments: [String: RuntimeValue]) {
        var values: [RuntimeValue?] = []
        values.reserveCapacity(inputs.count)
        for input in inputs { values.append(arguments[input.name]) }
        self.init(inputs: inputs, values: values)
    }

    /// The value given for the input named `name` (the last so named, should two share it), if any.
    /// A look through the few inputs: no name is hashed.
    public subscript(_ name: String) -> RuntimeValue? {
        let n = name.utf8.count
        var i = inputs.count - 1
        while i >= 0 {
            // The length first: comparing two different short texts is a call, comparing two lengths is not.
            if inputs[i].name.utf8.count == n && inputs[i].name == name { return values[i] }
            i -= 1
        }
        return nil
    }

    /// The value given for input number `i`.
    public subscript(input i: Int) -> RuntimeValue? { values[i] }

    /// The given arguments by name, as a dictionary.
    public var byName: [String: RuntimeValue] {
        var d = [String: RuntimeValue](minimumCapacity: inputs.count)
        for (name, value) in self { d[name] = value }
        return d
    }

    /// How many inputs are given a value.
    public var givenCount: Int { values.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// The given arguments, `(name, value)`, in the order of the inputs.
    public func makeIterator() -> Iterator { Iterator(arguments: self) }

    /// Walks the given arguments in input order.
    public struct Iterator: IteratorProtocol {
        let arguments: ActionArguments
        var position = 0
        /// The next given argument.
        public mutating func next() -> (name: String, value: RuntimeValue)? {
            while position < arguments.values.count {
                let i = position
                position += 1
                if let v = arguments.values[i] { return (arguments.inputs[i].name, v) }
            }
            return nil
        }
    }

    /// Equal when they give the same values by name, as two dictionaries of the arguments are.
    public static func == (a: ActionArguments, b: ActionArguments) -> Bool {
        if a.inputs == b.inputs { return a.values == b.values }
        return a.byName == b.byName
    }

    /// `[order_number: 1042, customer_id: C-1001]`, in input order.
    public var description: String {
        "[" + map { "\($0.name): \(Turn.format($0.value))" }.joined(separator: ", ") + "]"
    }
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
