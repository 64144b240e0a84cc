import Foundation
import MandateCompiler
import MandateIR
import MandateRuntime
import MandateStore

#if canImport(Glibc)
import Glibc
#endif

/// Latencies in seconds, summarised.
struct Latencies {
    var samples: [Double]

    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    /// `p50 3.1 µs  p99 9.8 µs  max 40.2 µs  (n = 6000)`.
    var line: String {
        "p50 \(Self.us(percentile(0.5)))  p90 \(Self.us(percentile(0.9)))  p99 \(Self.us(percentile(0.99)))  max \(Self.us(samples.max() ?? .nan))  (n = \(Bench.grouped(samples.count)))"
    }

    static func us(_ s: Double) -> String { s < 1e-3 ? Bench.fixed(s * 1e6, 1) + " µs" : Bench.fixed(s * 1e3, 2) + " ms" }
}

/// The turns benchmark: the interpreter alone in memory, a full durable turn on SQLite, memory
/// per idle conversation. Each conversation is the reference project's refund of a delivered
/// order in three turns: the request (intent supplied by the caller), the order number, "yes".
struct TurnBench {
    let plan: Plan
    let runtime: Runtime
    static let refund = IntentPrediction(intent: "refund_request", confidence: 0.95, ranking: [IntentScore(intent: "refund_request", score: 0.95)])
    static let now = FixtureConversion.parseMoment("2026-11-28T10:00:00Z")!

    init(project: String) throws {
        let compilation = Compiler.compile(try ProjectSources.load(path: project))
        guard let plan = compilation.plan, !compilation.hasErrors else { throw BenchError("the project at \(project) does not compile; run `mandate check \(project)`") }
        self.plan = plan
        runtime = Runtime(plan: plan)
    }

    /// Customer `i` and their delivered $89 stand mixer, order `100000 + i`.
    static func customer(_ i: Int) -> CustomerProfile { CustomerProfile(id: "B-\(i)", tier: "standard", verified: true) }
    static func order(_ i: Int) -> String { "\(100_000 + i)" }
    static func messages(_ i: Int) -> [CustomerEvent] {
        [CustomerEvent(message: "I'd like a refund for my stand mixer please", intent: refund),
         CustomerEvent(message: "it's order \(order(i))"), CustomerEvent(message: "yes please")]
    }

    func sandbox(customers n: Int) throws -> SandboxData {
        let orders: [[String: Any]] = (0..<n).map { i in
            ["id": Self.order(i), "status": "delivered", "total": "89.00 USD", "placed_at": "2026-11-14T16:20:00Z", "delivered_at": "2026-11-20",
             "customer_id": Self.customer(i).id, "carrier": "UPS",
             "items": [["id": "I-\(i)", "name": "Stand mixer", "category": "home", "price": "89.00 USD", "quantity": 1]]]
        }
        return try SandboxData(fixtures: ["orders": orders], plan: plan)
    }

    /// Runs one conversation in memory and checks it refunded: the benchmark measures the path it claims to.
    func conversationInMemory(_ data: SandboxData, classifier: Bool, timing: (Int, Double) -> Void) throws {
        var state = runtime.start(id: "bench", customer: Self.customer(0))
        let env = TurnEnvironment(now: Self.now, actions: SandboxActions(data: data), ledger: MemoryLedger())
        for (t, event) in Self.messages(0).enumerated() {
            var e = event
            if classifier { e.intent = nil }
            let start = monotonicSeconds()
            let result = runtime.turn(state, e, environment: env)
            timing(t, monotonicSeconds() - start)
            state = result.state
        }
        // With the classifier the first message may need a clarifying question: only its first turn is reported.
        guard classifier || state.status == .resolved(outcome: "refund_issued") else {
            throw BenchError("the benchmark conversation ended as \(state.status), not with a refund: the reference project changed")
        }
    }

    struct Report {
        var inMemory = Latencies(samples: [])
        var inMemoryByTurn: [Latencies] = []
        var classified = Latencies(samples: [])
        var durable: [(workers: Int, shared: Bool, durability: SQLiteStore.Durability, latencies: Latencies, turnsPerSecond: Double, turnsPerCommit: Double)] = []
        var flush = Latencies(samples: [])
        var idleBytes: Double?
        var stateJSONBytes = 0
        var stateStoredBytes = 0
        var synchronous = 0
        var journalMode = ""
    }

    func run(conversations: Int, memoryRounds: Int, idle: Int, database: String?) throws -> Report {
        var report = Report()
        // 1. The interpreter alone.
        let small = try sandbox(customers: 1)
        for _ in 0..<200 { try conversationInMemory(small, classifier: false) { _, _ in } }
        var byTurn: [[Double]] = [[], [], []]
        for _ in 0..<memoryRounds { try conversationInMemory(small, classifier: false) { byTurn[$0].append($1) } }
        report.inMemoryByTurn = byTurn.map { Latencies(samples: $0) }
        report.inMemory = Latencies(samples: byTurn.flatMap { $0 })
        var first: [Double] = []
        for _ in 0..<memoryRounds { try conversationInMemory(small, classifier: true) { if $0 == 0 { first.append($1) } } }
        report.classified = Latencies(samples: first)

        // 2. Memory per idle conversation: states waiting for the customer's yes.
        report.idleBytes = try idleMemory(count: idle)
        // `--conversations 0`: the interpreter alone, for a profile of the in-memory turns without the store's.
        guard conversations > 0 else { return report }

        // 3. Durable turns on SQLite.
        let folder = database.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("mandate-bench-turns-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if database == nil { try? FileManager.default.removeItem(at: folder) } }
        let warm = 50
        let configurations: [(Int, Bool, SQLiteStore.Durability)] = [(1, true, .full), (2, true, .full), (2, false, .full), (1, true, .normal)]
        let total = configurations.count * (warm + conversations)
        let data = try sandbox(customers: total)
        var next = 0
        for (workers, shared, durability) in configurations {
            let path = folder.appendingPathComponent("turns-\(workers)-\(shared ? "shared" : "own")-\(durability).sqlite").path
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let first = try SQLiteStore(path: path, durability: durability)
            try first.loadSandbox(data, plan: plan)
            let d = try first.durability()
            if durability == .full {
                report.synchronous = d.synchronous
                report.journalMode = d.journalMode
            }
            let stores = try (0..<workers).map { w in w == 0 || shared ? first : try SQLiteStore(path: path, durability: durability) }
            for _ in 0..<warm {
                try durableConversation(stores[0], next) { _ in }
                next += 1
            }
            let per = conversations / workers
            let base = next
            next += per * workers
            let box = SampleBox()
            let before = stores.map(\.groupCommits)
            let start = monotonicSeconds()
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var local: [Double] = []
                do {
                    for c in 0..<per { try durableConversation(stores[w], base + w * per + c) { local.append($0) } }
                } catch { box.fail(error) }
                box.add(local)
            }
            let wall = monotonicSeconds() - start
            if let error = box.error { throw error }
            // Commits and the turns in them, over the distinct connections.
            let distinct = shared ? 1 : workers
            let commits = (0..<distinct).reduce((0, 0)) { sum, w in
                let now = stores[w].groupCommits
                return (sum.0 + now.commits - before[w].commits, sum.1 + now.turns - before[w].turns)
            }
            report.durable.append((workers, shared, durability, Latencies(samples: box.samples), Double(box.samples.count) / wall,
                                   Double(commits.1) / Double(max(commits.0, 1))))
            let state = try first.load(conversationID: "d-\(base)")
            report.stateJSONBytes = try JSONEncoder().encode(state).count
            report.stateStoredBytes = state.map { StateEncoding.encode($0).count } ?? 0
        }
        report.flush = try Self.flushLatency(folder.appendingPathComponent("flush-probe").path)
        return report
    }

    /// What the disk alone needs to make a write durable: 4 KB appended and `fsync`ed, 500 times.
    /// No durable turn can commit faster than this.
    static func flushLatency(_ path: String) throws -> Latencies {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(path)") }
        defer { close(fd); unlink(path) }
        let page = [UInt8](repeating: 0x2a, count: 4096)
        var samples: [Double] = []
        for _ in 0..<500 {
            _ = page.withUnsafeBytes { write(fd, $0.baseAddress, 4096) }
            let start = monotonicSeconds()
            guard fsync(fd) == 0 else { throw BenchError("fsync failed on \(path)") }
            samples.append(monotonicSeconds() - start)
        }
        return Latencies(samples: samples)
    }

    func durableConversation(_ store: SQLiteStore, _ i: Int, timing: (Double) -> Void) throws {
        var last: TurnResult?
        for event in Self.messages(i) {
            let start = monotonicSeconds()
            last = try store.turn(conversationID: "d-\(i)", customer: Self.customer(i), event: event, runtime: runtime, now: Self.now)
            timing(monotonicSeconds() - start)
        }
        guard last?.state.status == .resolved(outcome: "refund_issued") else {
            throw BenchError("durable conversation d-\(i) ended as \(String(describing: last?.state.status)), not with a refund")
        }
    }

    /// Bytes of memory held per conversation waiting for the customer (after the order number, before "yes").
    func idleMemory(count: Int) throws -> Double? {
        let data = try sandbox(customers: 1)
        let actions = SandboxActions(data: data)
        let ledger = MemoryLedger()
        let events = Self.messages(0)
        var kept: [String: ConversationState] = [:]
        kept.reserveCapacity(count)
        let before = heapInUse()
        for i in 0..<count {
            var state = runtime.start(id: "idle-\(i)", customer: Self.customer(0))
            for e in events.prefix(2) {
                state = runtime.turn(state, e, environment: TurnEnvironment(now: Self.now, actions: actions, ledger: ledger)).state
            }
            kept[state.id] = state
        }
        let after = heapInUse()
        guard let before, let after else { return nil }
        withExtendedLifetime(kept) {}
        return Double(after - before) / Double(count)
    }
}

/// Resident memory of this process in bytes (`VmRSS`).
func heapInUse() -> Int? { procStatusKB("VmRSS").map { $0 * 1024 } }

/// Latencies gathered from several threads.
final class SampleBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var samples: [Double] = []
    private(set) var error: Error?
    func add(_ s: [Double]) { lock.withLock { samples += s } }
    func fail(_ e: Error) { lock.withLock { error = e } }
}

extension TurnBench.Report {
    func render(command: String, conversations: Int) -> String {
        var out = "$ \(command)\n"
        out += "load average before: \(loadAverage() ?? "?")\n\n"
        out += "Interpreter alone, in memory (Runtime.turn, intents supplied by the caller, sandbox and ledger in memory):\n"
        out += "  all turns        \(inMemory.line)   target p50 ≤ 5 µs, p99 ≤ 25 µs\n"
        for (i, l) in inMemoryByTurn.enumerated() {
            let what = ["request → ask order", "order → look up, confirm", "yes → refund, resolve"][i]
            out += "  turn \(i + 1) (\(what))".padding(toLength: 38, withPad: " ", startingAt: 0) + l.line + "\n"
        }
        out += "  first turn with the embedded classifier  \(classified.line)   target p50 ≤ 50 µs\n\n"
        guard conversations > 0 else { return out + "Durable turns not run (--conversations 0).\n\nload average after: \(loadAverage() ?? "?")\n" }
        out += "Durable turn on SQLite (state, ledger entry, trace, audit line, outcome and sandbox action in one BEGIN IMMEDIATE\n"
        out += "transaction; journal_mode=\(journalMode), synchronous=\(synchronous == 2 ? "FULL" : "\(synchronous)"); \(Bench.grouped(conversations)) conversations × 3 turns per row):\n"
        for d in durable {
            var how = d.workers == 1 ? "1 worker" : "\(d.workers) workers, \(d.shared ? "one shared connection" : "a connection each")"
            if d.durability == .normal { how += ", synchronous=NORMAL (no flush; comparison only)" }
            out += "  \(how)".padding(toLength: 66, withPad: " ", startingAt: 0)
                + "\(d.latencies.line)  \(Bench.grouped(Int(d.turnsPerSecond))) turns/s  \(Bench.fixed(d.turnsPerCommit, 2)) turns per commit\n"
        }
        out += "  the disk's own flush (4 KB write + fsync, no SQLite)".padding(toLength: 66, withPad: " ", startingAt: 0) + flush.line + "\n"
        out += "  target p50 ≤ 0.5 ms, p99 ≤ 5 ms\n\n"
        out += "Memory per idle conversation (a ConversationState waiting for the customer's yes; growth of resident memory):\n"
        out += "  \(idleBytes.map { Bench.grouped(Int($0)) + " bytes" } ?? "not measured (no /proc/self/status)")   target < 10 KB\n"
        out += "  the same state as SQLite stores it: \(Bench.grouped(stateStoredBytes)) bytes (binary form); as JSON: \(Bench.grouped(stateJSONBytes)) bytes\n"
        out += "\nload average after: \(loadAverage() ?? "?")\n"
        return out
    }
}

/// Plan load: a project's plan file, in the binary form `mandate compile DIR -o plan.mplan`
/// writes, read back as the runtime reads it — header, SHA-256 of the file, table of
/// contents, goals, actions and classifier; procedures left for first use — and made into a
/// `Runtime`. Also: what one procedure costs on first use, every procedure decoded at once,
/// and the JSON form for comparison.
struct PlanLoadBench {
    static func run(_ dir: String, runs: Int, planPath: String?, json: Bool) throws -> String {
        let data: Data
        var jsonData: Data?
        if let planPath {
            guard let d = FileManager.default.contents(atPath: planPath) else { throw BenchError("cannot read `\(planPath)`") }
            data = d
        } else {
            let compilation = Compiler.compile(try ProjectSources.load(path: dir))
            guard let (file, binary) = try Compiler.encodedPlan(compilation) else { throw BenchError("the project at \(dir) does not compile") }
            data = binary
            jsonData = try file.json()
        }
        var load: [Double] = []
        var hash: [Double] = []
        var runtime: [Double] = []
        var total: [Double] = []
        var kept: [PlanFile] = []
        for _ in 0..<runs {
            let t0 = monotonicSeconds()
            let file = try PlanFile.load(data, sha256: Compiler.sha256, procedures: .lazy)
            let t1 = monotonicSeconds()
            let r = Runtime(plan: file.plan)
            let t2 = monotonicSeconds()
            // Freed after the runs, so that no run pays for freeing the one before.
            kept.append(file)
            withExtendedLifetime(r) {}
            let digest = data.withUnsafeBytes { Compiler.sha256(UnsafeRawBufferPointer(rebasing: $0.dropLast(32))) }
            let t3 = monotonicSeconds()
            withExtendedLifetime(digest) {}
            load.append(t1 - t0)
            runtime.append(t2 - t1)
            total.append(t2 - t0)
            hash.append(t3 - t2)
        }
        // First use: each procedure of a fresh lazy load decoded once.
        let fresh = try PlanFile.load(data, sha256: Compiler.sha256, procedures: .lazy).plan.procedures
        var firstUse: [Double] = []
        var steps = 0
        for i in fresh.indices {
            let t0 = monotonicSeconds()
            let p = try fresh.decoded(at: i)
            firstUse.append(monotonicSeconds() - t0)
            steps += p.steps.count
        }
        var eager: [Double] = []
        for _ in 0..<max(1, runs / 4) {
            let t0 = monotonicSeconds()
            let all = try PlanFile.load(data, sha256: Compiler.sha256, procedures: .eager)
            eager.append(monotonicSeconds() - t0)
            kept.append(all)
        }
        withExtendedLifetime(kept) {}
        func med(_ a: [Double]) -> String { Bench.ms(Latencies(samples: a).percentile(0.5)) }
        func best(_ a: [Double]) -> String { Bench.ms(a.min() ?? .nan) }
        let plan = try PlanFile.load(data, sha256: Compiler.sha256, procedures: .lazy).plan
        let model = plan.classifier
        var out = """
            plan file: \(Bench.grouped(data.count)) bytes (binary)\(jsonData.map { ", \(Bench.grouped($0.count)) bytes as JSON" } ?? ""); \
            \(plan.procedures.count) procedures (\(Bench.grouped(steps)) steps), \(plan.goals.count) goals, \(plan.actions.count) actions; \
            classifier: \(Bench.grouped(model?.featureCount ?? 0)) features, \(Bench.grouped(model?.weightMilli.count ?? 0)) weights
            PlanFile.load(.lazy): header, SHA-256, contents, goals, classifier   median \(med(load))  best \(best(load))
              of which SHA-256 over the file (measured alone)                  median \(med(hash))  best \(best(hash))
            Runtime(plan:) (indexes, the classifier's hash table)               median \(med(runtime))  best \(best(runtime))
            load = PlanFile.load + Runtime(plan:)                               median \(med(total))  best \(best(total))   target < 10 ms
            first use of a procedure (its body decoded, once)                   median \(Bench.ms(Latencies(samples: firstUse).percentile(0.5)))  \
            max \(Bench.ms(firstUse.max() ?? .nan))
            every procedure at once (PlanFile.load(.eager), \(eager.count) runs)            median \(med(eager))  best \(best(eager))

            """
        if json, let jsonData {
            let t0 = monotonicSeconds()
            let j = try PlanFile.load(jsonData, sha256: Compiler.sha256)
            let t1 = monotonicSeconds()
            withExtendedLifetime(j) {}
            out += "the JSON form, for comparison (decode and hash check by re-encoding, 1 run)  \(Bench.ms(t1 - t0))\n"
        }
        out += "(\(runs) runs)\n"
        return out
    }
}
