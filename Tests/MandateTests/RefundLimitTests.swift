import Foundation
import MandateCompiler
import MandateDiagnostics
import MandateIR
import MandateRuntime
import MandateStore
import Testing

/// The base project with refunds limited per refund, per customer per rolling 7 days and per
/// tier, and a procedure that leaves every refund to those limits (no hand-off above an amount).
let limitsPlan: Plan = {
    func file(_ path: String) -> String { Explanation.baseProject.first { $0.path == path }!.text }
    let goal = ExampleFile("orders.goal.yaml", file("orders.goal.yaml").replacingOccurrences(of: "max_per_refund: 150 USD", with: """
        max_per_refund: 180 USD
            max_per_customer: 300 USD per 7 days
            max_by_tier: { standard: 120 USD, vip: 250 USD }
        """))
    // No hand-off above an amount: every refund is left to the limits.
    let procedure = ExampleFile("refund.procedure", file("refund.procedure").replacingOccurrences(of: "more than $150", with: "more than $1000"))
    let compilation = compileBase(replacing: [goal, procedure])
    guard let plan = compilation.plan else { fatalError("the limits plan does not compile: \(compilation.errorCodes)") }
    return plan
}()

/// The limits of `limitsPlan`, in cents.
struct RefundLimits {
    var perRefund: Int64 = 18_000
    var perCustomer: Int64 = 30_000
    var windowSeconds: Int64 = 7 * 86_400
    var byTier: [String: Int64] = ["standard": 12_000, "vip": 25_000]

    /// The reference project's: $150 per refund, $300 per customer per 30 days, $150 standard, $250 vip.
    static let reference = RefundLimits(perRefund: 15_000, perCustomer: 30_000, windowSeconds: 30 * 86_400,
                                        byTier: ["standard": 15_000, "vip": 25_000])

    /// Every way the ledger breaks these limits, in words; empty when it keeps them.
    func overshoots(_ ledger: [LedgerEntry], tiers: [String: String]) -> [String] {
        var found: [String] = []
        let refunds = ledger.filter { $0.action == "issue_refund" }
        var orders: [String: Int] = [:]
        for e in refunds {
            let amount = e.amount?.minor ?? 0
            if amount > perRefund { found.append("\(e.idempotencyKey): \(amount) is above \(perRefund) per refund") }
            if let tier = tiers[e.customerID], let max = byTier[tier], amount > max {
                found.append("\(e.idempotencyKey): \(amount) is above the \(tier) tier's \(max)")
            }
            let window = refunds.filter { $0.customerID == e.customerID && $0.at <= e.at && $0.at >= e.at - windowSeconds }
            let total = window.reduce(Int64(0)) { $0 + ($1.amount?.minor ?? 0) }
            if total > perCustomer { found.append("\(e.customerID) at \(e.at): \(total) in the window is above \(perCustomer)") }
            // The key ends with what it is unique for: `order.id=5001`.
            orders[e.idempotencyKey.components(separatedBy: "#").last ?? "", default: 0] += 1
        }
        for (order, n) in orders where n > 1 { found.append("\(order) was refunded \(n) times") }
        return found
    }
}

/// An order of the base project's `Order` type.
func baseOrder(id: String, customer: String, total: String) -> [String: Any] {
    ["id": id, "status": "delivered", "total": total, "delivered_at": "2026-11-20", "customer_id": customer]
}

/// Messages of one refund conversation.
func refundMessages(order: String) -> [String] { ["I'd like a refund please", order, "yes please"] }

/// One refund attempt: a customer asks for the refund of one of their orders.
struct RefundAttempt {
    var conversation: String
    var customer: CustomerProfile
    var order: String
}

/// A ledger whose reads see the entries as they were when the turn began (a snapshot), while its
/// appends land in the real ledger: a limit check without the write lock, as two transactions
/// that read, then write, would make it. It must overshoot, or the property test proves nothing.
final class NaiveLedger: LedgerPort {
    let snapshot: [LedgerEntry]
    let real: MemoryLedger
    init(snapshot: [LedgerEntry], real: MemoryLedger) {
        self.snapshot = snapshot
        self.real = real
    }
    func entries(customerID: String, since: Int64) -> [LedgerEntry] { snapshot.filter { $0.customerID == customerID && $0.at >= since } }
    func entry(idempotencyKey: String) -> LedgerEntry? { snapshot.first { $0.idempotencyKey == idempotencyKey } }
    func append(_ entry: LedgerEntry) { real.append(entry) }
}

/// Random refund attempts, run in rounds of up to four that race each other: the same harness
/// drives a store (the confirming turns of a round one after another, each in its own atomic
/// turn) or the naive check (every confirming turn of a round checks the ledger as it was when
/// the round began).
struct RefundRace {
    enum Mode {
        case store(any ConversationStore)
        case naive
    }

    var attempts: [RefundAttempt] = []
    var rounds: [(start: Int, count: Int, now: Int64)] = []
    var sandbox: SandboxData
    var tiers: [String: String] = [:]

    init(seed: UInt64, attempts count: Int = 120) throws {
        var g = SeededGenerator(state: seed)
        let customers = (1...4).map { i in
            CustomerProfile(id: "C-\(i)", tier: Bool.random(using: &g) ? "vip" : "standard", verified: true)
        }
        var orders: [[String: Any]] = []
        for i in 0..<count {
            let customer = customers.randomElement(using: &g)!
            let cents = Int64.random(in: 100...20_000, using: &g)
            let id = "\(5000 + i)"
            orders.append(baseOrder(id: id, customer: customer.id, total: "\(cents / 100).\(String(format: "%02d", cents % 100)) USD"))
            attempts.append(RefundAttempt(conversation: "s\(seed)-\(id)", customer: customer, order: id))
        }
        sandbox = try SandboxData(fixtures: ["orders": orders], plan: limitsPlan)
        for c in customers { tiers[c.id] = c.tier }
        var now = fixedNow
        var start = 0
        while start < count {
            let n = min(Int.random(in: 1...4, using: &g), count - start)
            rounds.append((start, n, now))
            start += n
            now += Int64.random(in: 0...(3 * 86_400), using: &g)
        }
    }

    /// Runs every attempt; returns the ledger and how many refunds a limit stopped.
    func run(_ mode: Mode) throws -> (ledger: [LedgerEntry], stopped: Int) {
        let runtime = Runtime(plan: limitsPlan)
        var stopped = 0
        // The naive harness keeps its own states, sandbox and ledger.
        var states: [String: ConversationState] = [:]
        let actions = SandboxActions(data: sandbox)
        let ledger = MemoryLedger()
        if case .store(let store) = mode { try store.loadSandbox(sandbox, plan: limitsPlan) }

        func turn(_ a: RefundAttempt, _ i: Int, now: Int64, snapshot: [LedgerEntry]?) throws -> TurnResult {
            let event = CustomerEvent(message: refundMessages(order: a.order)[i], intent: i == 0 ? refundIntent : nil)
            switch mode {
            case .store(let store):
                return try store.turn(conversationID: a.conversation, customer: a.customer, event: event, runtime: runtime, now: now)
            case .naive:
                let state = states[a.conversation] ?? runtime.start(id: a.conversation, customer: a.customer)
                let port: any LedgerPort = snapshot.map { NaiveLedger(snapshot: $0, real: ledger) } ?? ledger
                let result = runtime.turn(state, event, environment: TurnEnvironment(now: now, actions: actions, ledger: port))
                states[a.conversation] = result.state
                return result
            }
        }

        for round in rounds {
            let racing = attempts[round.start..<(round.start + round.count)]
            for a in racing {
                for i in 0..<2 { _ = try turn(a, i, now: round.now, snapshot: nil) }
            }
            let snapshot = ledger.all
            for a in racing {
                let result = try turn(a, 2, now: round.now, snapshot: snapshot)
                if result.trace.contains(where: { $0.kind == .limit }) { stopped += 1 }
            }
        }
        switch mode {
        case .store(let store): return (try store.ledger(customerID: nil, since: .min), stopped)
        case .naive: return (ledger.all, stopped)
        }
    }
}

@Suite struct RefundLimitTests {
    @Test func theLimitsPlanRefundsWithinItsLimits() throws {
        let rules = limitsPlan.goals[0].guardrails
        #expect(rules.maxPerRefund == Money(minor: 18_000, currency: "USD"))
        #expect(rules.maxPerCustomer == Money(minor: 30_000, currency: "USD") && rules.maxPerCustomerWindowDays == 7)
        #expect(rules.maxByTier == ["standard": Money(minor: 12_000, currency: "USD"), "vip": Money(minor: 25_000, currency: "USD")])
        var h = try Harness(plan: limitsPlan, customer: dana, fixtures: ["orders": [baseOrder(id: "5000", customer: "C-1001", total: "99.00 USD")]])
        _ = h.say("I'd like a refund please", intent: "refund_request")
        #expect(says(h.say("5000")).contains("Shall I refund $99.00?"))
        #expect(h.say("yes please").contains(.action(name: "issue_refund", arguments: ["amount": "$99.00", "order": "5000", "customer_id": "C-1001"])))
        #expect(h.ledger.all.count == 1)
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func randomRefundAttemptsNeverOvershootALimitInTheMemoryStore(seed: UInt64) throws {
        let race = try RefundRace(seed: seed)
        let safe = try race.run(.store(MemoryStore()))
        #expect(RefundLimits().overshoots(safe.ledger, tiers: race.tiers) == [])
        #expect(safe.stopped > 0, "the attempts never reached a limit, so they tested nothing")
        #expect(safe.ledger.count > 10)
    }

    @Test(arguments: 1...3 as ClosedRange<UInt64>)
    func randomRefundAttemptsNeverOvershootALimitInTheSQLiteStore(seed: UInt64) throws {
        let folder = try temporaryFolder("property")
        defer { try? FileManager.default.removeItem(at: folder) }
        let race = try RefundRace(seed: seed, attempts: 60)
        let store = try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path)
        let safe = try race.run(.store(store))
        #expect(RefundLimits().overshoots(safe.ledger, tiers: race.tiers) == [])
        #expect(safe.stopped > 0)
        // The same attempts in memory give the same ledger: the store changes nothing but durability.
        #expect(safe.ledger == (try race.run(.store(MemoryStore()))).ledger)
    }

    @Test func theNaiveCheckInTheSameHarnessOvershoots() throws {
        var overshooting = 0
        for seed in 1...10 as ClosedRange<UInt64> {
            let race = try RefundRace(seed: seed)
            if !RefundLimits().overshoots(try race.run(.naive).ledger, tiers: race.tiers).isEmpty { overshooting += 1 }
        }
        // Without the lock, racing refunds of one customer each pass a limit that fits only one.
        #expect(overshooting >= 8, "the naive check overshot for only \(overshooting) of 10 seeds")
    }
}
