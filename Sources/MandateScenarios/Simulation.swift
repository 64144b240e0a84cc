import Foundation
import MandateIR
import MandateRuntime

/// A customer conversation of a corpus: one line of a JSON Lines file.
public struct CorpusConversation: Sendable {
    /// Its id.
    public var id: String
    /// The customer.
    public var customer: CustomerProfile
    /// The clock at the first message.
    public var now: Int64
    /// What the customer writes, in order.
    public var messages: [String]
    /// The sandbox for this conversation: the project's, with the line's fixtures added.
    public var sandbox: SandboxData
    /// The expected intent of the first message (`nil` inside: out of scope), if given.
    public var expectedIntent: String??
    /// The expected outcome (`resolved as X`, `escalated to Q`, `unresolved`), if given.
    public var expectedOutcome: String?
    /// Tags.
    public var tags: [String]
}

/// A corpus line that cannot be used.
public struct CorpusError: Error, Sendable, CustomStringConvertible {
    /// `line 12: …`.
    public var description: String
}

/// Reads a corpus of conversations.
public enum CorpusReader {
    /// Reads JSON Lines against a plan and the project's sandbox data. Blank lines and lines starting with `//` are skipped.
    public static func read(_ text: String, plan: Plan, sandbox base: SandboxData) -> Result<[CorpusConversation], CorpusError> {
        var out: [CorpusConversation] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("//") { continue }
            func fail(_ why: String) -> Result<[CorpusConversation], CorpusError> { .failure(CorpusError(description: "line \(i + 1): \(why)")) }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return fail("not a JSON object")
            }
            let id = object["id"] as? String ?? "line-\(i + 1)"
            guard let messages = object["messages"] as? [String], !messages.isEmpty else { return fail("`messages` must be a list of texts") }
            var sandbox = base
            if let fixtures = object["fixtures"] as? [String: Any] {
                do { sandbox.merge(try SandboxData(fixtures: fixtures, plan: plan)) } catch { return fail("fixtures: \(error)") }
            }
            let profile: CustomerProfile
            if let customerID = object["customer"] as? String {
                guard let p = CorpusReader.profile(customerID, in: sandbox) else {
                    return fail("there is no customer `\(customerID)` in the sandbox data or the line's fixtures")
                }
                profile = p
            } else if let c = object["customer"] as? [String: Any], let id = c["id"] as? String {
                var fields: [String: RuntimeValue] = [:]
                for key in ["name", "email", "zip_code"] { if let v = c[key] as? String { fields[key] = .text(v) } }
                profile = CustomerProfile(id: id, tier: c["tier"] as? String ?? plan.project.tiers.first ?? "standard",
                                          verified: c["verified"] as? Bool ?? true, fields: fields)
            } else {
                return fail("`customer` must be a customer's id, or `{\"id\": …, \"tier\": …}`")
            }
            let nowText = object["now"] as? String ?? "2026-11-28T10:00:00Z"
            guard let now = FixtureConversion.parseMoment(nowText) else { return fail("`now` is not a moment like 2026-11-28T10:00:00Z") }
            var expectedIntent: String??
            var expectedOutcome: String?
            if let expected = object["expected"] as? [String: Any] {
                if expected.keys.contains("intent") { expectedIntent = .some(expected["intent"] as? String) }
                expectedOutcome = expected["outcome"] as? String
            }
            out.append(CorpusConversation(id: id, customer: profile, now: now, messages: messages, sandbox: sandbox,
                                          expectedIntent: expectedIntent, expectedOutcome: expectedOutcome, tags: object["tags"] as? [String] ?? []))
        }
        return .success(out)
    }

    /// The sandbox customer with this id, as a session knows them (signed in: verified).
    public static func profile(_ id: String, in data: SandboxData, verified: Bool = true) -> CustomerProfile? {
        for record in data.records["Customer"] ?? [] {
            guard case .record(let fields) = record, fields["id"] == .text(id) else { continue }
            var tier = "standard"
            if case .text(let t)? = fields["tier"] { tier = t }
            return CustomerProfile(id: id, tier: tier, verified: verified, fields: fields.dictionary.filter { $0.key != "id" && $0.key != "tier" })
        }
        return nil
    }
}

extension SandboxData {
    /// Adds `other`'s records; a record with the same type and id replaces this one's.
    public mutating func merge(_ other: SandboxData) {
        for (type, records) in other.records {
            var existing = self.records[type] ?? []
            for r in records {
                if case .text(let id)? = r[field: "id"], let i = existing.firstIndex(where: { $0[field: "id"] == .text(id) }) {
                    existing[i] = r
                } else {
                    existing.append(r)
                }
            }
            self.records[type] = existing
        }
    }
}

/// What happened in one simulated conversation.
public struct SimulatedConversation: Sendable, Codable, Equatable {
    /// The conversation's id.
    public var id: String
    /// The customer's tier.
    public var tier: String
    /// The intent the first message read as (nil: none).
    public var intent: String?
    /// The goal of that intent.
    public var goal: String?
    /// `resolved as X`, `escalated to Q` or `unresolved`.
    public var outcome: String
    /// Whether the outcome counts as an AI resolution: resolved with an outcome of the goal's `resolved_when`, no hand-off.
    public var aiResolved: Bool
    /// The hand-off's queue and reason, if any.
    public var queue: String?
    /// Why it was handed off.
    public var reason: String?
    /// The clause that decided the hand-off or stopped something, if any.
    public var clauses: [String]
    /// Whether the agent asked the customer to say more.
    public var clarified: Bool
    /// Turns taken.
    public var turns: Int
    /// Refunds issued, in minor units.
    public var refunds: [Money]
    /// Injection attempts blocked or flagged.
    public var injectionsBlocked: Int
    /// The expected outcome, if the corpus gave one.
    public var expectedOutcome: String?
    /// The expected first intent, if the corpus gave one (`none` for out of scope).
    public var expectedIntent: String?
    /// The trace.
    public var trace: [TraceEvent]
}

/// Replays a corpus through a plan.
public struct Simulator: Sendable {
    /// The runtime.
    public var runtime: Runtime

    /// A simulator over a plan.
    public init(runtime: Runtime) { self.runtime = runtime }

    /// Every conversation, in parallel across cores; results in corpus order.
    public func run(_ corpus: [CorpusConversation]) -> [SimulatedConversation] {
        final class Slots: @unchecked Sendable {
            var results: [SimulatedConversation?]
            let lock = NSLock()
            init(_ n: Int) { results = Array(repeating: nil, count: n) }
        }
        let slots = Slots(corpus.count)
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = (corpus.count + workers - 1) / max(1, workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk
            let hi = min(corpus.count, lo + chunk)
            guard lo < hi else { return }
            var local: [(Int, SimulatedConversation)] = []
            for i in lo..<hi { local.append((i, run(corpus[i]))) }
            slots.lock.lock()
            for (i, r) in local { slots.results[i] = r }
            slots.lock.unlock()
        }
        return slots.results.map { $0! }
    }

    /// One conversation: its messages in order until it is resolved or handed off.
    public func run(_ c: CorpusConversation) -> SimulatedConversation {
        let sandbox = SandboxActions(data: c.sandbox)
        let ledger = MemoryLedger()
        var state = runtime.start(id: c.id, customer: c.customer)
        var trace: [TraceEvent] = []
        var refunds: [Money] = []
        var firstIntent: String??
        for (i, message) in c.messages.enumerated() {
            let r = runtime.turn(state, CustomerEvent(message: message), environment: TurnEnvironment(now: c.now + Int64(i) * 30, actions: sandbox, ledger: ledger))
            state = r.state
            trace += r.trace
            if firstIntent == nil, let e = r.trace.first(where: { $0.kind == .intent }) {
                firstIntent = .some(e.datum("intent") == "none" ? nil : e.datum("intent"))
            }
            if state.status != .open { break }
        }
        for entry in ledger.all { if let a = entry.amount { refunds.append(a) } }
        var outcome = "unresolved"
        var queue: String?
        var reason: String?
        var aiResolved = false
        switch state.status {
        case .open: break
        case .resolved(let o):
            outcome = "resolved as \(o)"
            let goal = state.goal.flatMap { g in runtime.plan.goals.first { $0.id == g } }
            aiResolved = goal?.resolvedWhen.contains(o) ?? false
        case .escalated(let q, let why):
            outcome = "escalated to \(q)"
            queue = q
            reason = why
        }
        let clauses = trace.compactMap { e -> String? in
            guard e.kind == .guardrail || e.kind == .limit || e.kind == .handoff else { return nil }
            return e.datum("clause")
        }
        let intent = firstIntent ?? nil
        return SimulatedConversation(
            id: c.id, tier: c.customer.tier, intent: intent, goal: intent.flatMap { i in runtime.plan.goals.first { $0.intents.contains { $0.name == i } }?.id },
            outcome: outcome, aiResolved: aiResolved, queue: queue, reason: reason, clauses: Array(Set(clauses)).sorted(),
            clarified: trace.contains { $0.kind == .route && $0.datum("clause")?.hasSuffix("confidence.threshold") == true },
            turns: state.turn, refunds: refunds,
            injectionsBlocked: trace.filter { $0.datum("clause")?.hasSuffix("input.prompt_injection") == true && $0.kind == .guardrail }.count,
            expectedOutcome: c.expectedOutcome, expectedIntent: c.expectedIntent.map { $0 ?? "none" }, trace: trace)
    }
}
