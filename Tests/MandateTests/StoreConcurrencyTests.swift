import Foundation
import MandateIR
import MandateRuntime
import MandateStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Four standard customers with eight $90 orders each, on the reference project: each may have
/// three refunds ($270) in 30 days; a fourth ($360) is above the $300 per customer.
struct Crowd {
    static let customers = (1...4).map { CustomerProfile(id: "C-\($0)", tier: "standard", verified: true) }
    static let orders: [(order: String, customer: CustomerProfile)] = customers.enumerated().flatMap { i, c in
        (0..<8).map { j in ("\(7000 + i * 8 + j)", c) }
    }
    static var tiers: [String: String] { Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0.tier) }) }

    static func sandbox() throws -> SandboxData {
        try SandboxData(fixtures: ["orders": orders.map { orderFixture(id: $0.order, customer: $0.customer.id, total: "90.00 USD") }],
                        plan: referencePlan)
    }

    /// Runs a refund conversation to its end in `store`.
    static func refund(_ store: any ConversationStore, conversation: String, customer: CustomerProfile, order: String, runtime: Runtime) throws {
        for (i, m) in refundMessages(order: "order \(order)").enumerated() {
            let r = try store.turn(conversationID: conversation, customer: customer,
                                   event: CustomerEvent(message: m, intent: i == 0 ? refundIntent : nil), runtime: runtime, now: fixedNow)
            if r.state.status != .open { return }
        }
    }

    /// The ledger keeps every limit, each customer got exactly their three refunds, and the
    /// sandbox acted exactly once per ledger entry.
    static func check(_ store: any ConversationStore) throws {
        let ledger = try store.ledger(customerID: nil, since: .min)
        #expect(RefundLimits.reference.overshoots(ledger, tiers: tiers) == [])
        for c in customers {
            #expect(ledger.filter { $0.customerID == c.id }.count == 3, "\(c.id) should have exactly three refunds")
        }
        let journal = try store.sandbox().journal
        #expect(journal.count == ledger.count)
        #expect(Set(journal).count == journal.count, "an order was refunded twice in the sandbox")
    }
}

/// The folder of the test binary, where `swift build` puts `mandate-stress` too.
func builtProduct(_ name: String) throws -> String {
    let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    while dir.path != "/" {
        let candidate = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        if dir.lastPathComponent == "debug" || dir.lastPathComponent == "release" { break }
        dir = dir.deletingLastPathComponent()
    }
    throw StoreError.database("`\(name)` is not built next to the tests; run `swift build` first")
}

/// A `mandate-stress` job: refund conversations against one database file.
struct StressJob: Encodable {
    struct Attempt: Encodable {
        var conversation: String
        var customer: String
        var tier: String
        var order: String
    }
    var project = repositoryRoot.appendingPathComponent("Procedures").path
    var database: String
    var now = fixedNow
    var attempts: [Attempt]

    /// A job asking for the refund of each of `orders`, in conversations named `PREFIX-ORDER`, written into `folder`.
    static func write(_ orders: [(order: String, customer: CustomerProfile)], prefix: String, database: String, folder: URL) throws -> URL {
        let job = StressJob(database: database, attempts: orders.map {
            Attempt(conversation: "\(prefix)-\($0.order)", customer: $0.customer.id, tier: $0.customer.tier, order: $0.order)
        })
        let url = folder.appendingPathComponent("job-\(prefix).json")
        try JSONEncoder().encode(job).write(to: url)
        return url
    }
}

/// A database file in a fresh folder, with the crowd's orders in its sandbox.
func crowdDatabase(_ name: String) throws -> (folder: URL, path: String, store: SQLiteStore) {
    let folder = try temporaryFolder(name)
    let path = folder.appendingPathComponent("m.sqlite").path
    let store = try SQLiteStore(path: path)
    try store.loadSandbox(try Crowd.sandbox(), plan: referencePlan)
    return (folder, path, store)
}

/// A running `mandate-stress`, its acknowledgements read line by line.
final class StressProcess {
    let process = Process()
    let output = Pipe()
    var buffer = Data()

    init(job: URL, environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: try builtProduct("mandate-stress"))
        process.arguments = [job.path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = output
        try process.run()
    }

    /// The next line, or nil at the end of the output.
    func line() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    /// Every remaining line; waits for the exit.
    func finish() -> (lines: [String], status: Int32, reason: Process.TerminationReason) {
        var lines: [String] = []
        while let l = line() { lines.append(l) }
        process.waitUntilExit()
        return (lines, process.terminationStatus, process.terminationReason)
    }
}

@Suite(.serialized) struct StoreConcurrencyTests {
    let runtime = Runtime(plan: referencePlan)

    /// Two conversations per order, from 16 tasks at once.
    func race(_ stores: [any ConversationStore]) async throws {
        try stores[0].loadSandbox(try Crowd.sandbox(), plan: referencePlan)
        let work = Crowd.orders.flatMap { o in (0..<2).map { copy in ("t\(copy)-\(o.order)", o.customer, o.order) } }
        let runtime = self.runtime
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<16 {
                let mine = work.enumerated().filter { $0.offset % 16 == t }.map(\.element)
                let store = stores[t % stores.count]
                group.addTask {
                    for (conversation, customer, order) in mine {
                        try Crowd.refund(store, conversation: conversation, customer: customer, order: order, runtime: runtime)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func concurrentRefundsInTheMemoryStoreNeverOvershoot() async throws {
        let store = MemoryStore()
        try await race([store])
        try Crowd.check(store)
    }

    @Test func concurrentRefundsOnOneSQLiteFileNeverOvershoot() async throws {
        let folder = try temporaryFolder("concurrent")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.sqlite").path
        // Four connections to one file: the lock that matters is SQLite's, not one connection's queue.
        let stores = try (0..<4).map { _ in try SQLiteStore(path: path) }
        try await race(stores)
        try Crowd.check(stores[0])
    }

    @Test func twoProcessesOnOneDatabaseFileNeverOvershoot() throws {
        let (folder, path, store) = try crowdDatabase("processes")
        defer { try? FileManager.default.removeItem(at: folder) }
        var processes: [StressProcess] = []
        for p in 0..<2 {
            // Each process asks for every order, the second in the opposite order.
            let orders = p == 0 ? Crowd.orders : Crowd.orders.reversed()
            processes.append(try StressProcess(job: try StressJob.write(orders, prefix: "p\(p)", database: path, folder: folder)))
        }
        for p in processes {
            let end = p.finish()
            #expect(end.status == 0 && end.reason == .exit)
            #expect(end.lines.count >= Crowd.orders.count * 2)
        }
        try Crowd.check(store)
    }

    /// A process killed inside a refund turn, after the action ran and before the commit, then started again.
    @Test func aProcessKilledMidTurnLosesNoAcknowledgedRefundAndRefundsNothingTwice() throws {
        let (folder, path, _) = try crowdDatabase("kill")
        defer { try? FileManager.default.removeItem(at: folder) }
        let chosen = [Crowd.orders[0], Crowd.orders[1], Crowd.orders[8], Crowd.orders[9]]
        let url = try StressJob.write(chosen, prefix: "k", database: path, folder: folder)

        let victim = "k-\(chosen[2].order)"
        let first = try StressProcess(job: url, environment: ["MANDATE_STRESS_KILL_BEFORE_COMMIT": "\(victim):3"]).finish()
        #expect(first.reason == .uncaughtSignal && first.status == SIGKILL)
        let acknowledged = first.lines.filter { $0.hasSuffix("resolved:refund_issued") }.map { $0.split(separator: " ")[1] }
        #expect(acknowledged == ["k-\(chosen[0].order)", "k-\(chosen[1].order)"])
        #expect(first.lines.last == "ack \(victim) 2 open")
        // The killed turn left nothing: no ledger entry, no sandbox action, the conversation still waits for its yes.
        let afterKill = try SQLiteStore(path: path)
        #expect(try afterKill.ledger(customerID: nil, since: .min).map(\.conversation) == acknowledged.map(String.init))
        #expect(try afterKill.sandbox().journal.count == 2)
        #expect(try afterKill.load(conversationID: victim)?.turn == 2)
        #expect(try afterKill.trace(conversationID: victim).allSatisfy { $0.turn <= 2 })

        let second = try StressProcess(job: url).finish()
        #expect(second.status == 0 && second.reason == .exit)
        #expect(second.lines == ["ack \(victim) 3 resolved:refund_issued", "ack k-\(chosen[3].order) 1 open",
                                 "ack k-\(chosen[3].order) 2 open", "ack k-\(chosen[3].order) 3 resolved:refund_issued"])
        let ledger = try afterKill.ledger(customerID: nil, since: .min)
        #expect(Set(ledger.map(\.scope)) == Set(chosen.map { "order:\($0.order)" }))
        #expect(ledger.count == 4)
        #expect(try afterKill.sandbox().journal.count == 4)
    }

    /// Killed at an arbitrary moment, many times over: whatever was acknowledged is in the ledger,
    /// the sandbox acted once per ledger entry, and no order was refunded twice.
    @Test func processesKilledAtArbitraryMomentsKeepTheLedgerWhole() throws {
        let (folder, path, store) = try crowdDatabase("kill-anywhere")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try StressJob.write(Crowd.orders, prefix: "r", database: path, folder: folder)
        var acknowledged: Set<String> = []
        var g = SeededGenerator(state: 42)
        for _ in 0..<6 {
            let p = try StressProcess(job: url)
            let stopAfter = Int.random(in: 1...12, using: &g)
            var seen = 0
            while seen < stopAfter, let l = p.line() {
                seen += 1
                if l.hasSuffix("resolved:refund_issued") { acknowledged.insert(String(l.split(separator: " ")[1])) }
            }
            kill(p.process.processIdentifier, SIGKILL)
            for l in p.finish().lines where l.hasSuffix("resolved:refund_issued") { acknowledged.insert(String(l.split(separator: " ")[1])) }
        }
        let last = try StressProcess(job: url).finish()
        #expect(last.status == 0)
        for l in last.lines where l.hasSuffix("resolved:refund_issued") { acknowledged.insert(String(l.split(separator: " ")[1])) }
        let ledger = try store.ledger(customerID: nil, since: .min)
        #expect(acknowledged.isSubset(of: Set(ledger.map(\.conversation))), "an acknowledged refund is missing from the ledger")
        try Crowd.check(store)
    }
}
