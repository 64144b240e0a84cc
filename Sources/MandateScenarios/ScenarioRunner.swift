import Foundation
import MandateIR
import MandateRuntime

/// Why a scenario failed: the first turn whose expectation did not hold.
public struct ScenarioFailure: Sendable {
    /// The turn, from 1.
    public var turn: Int
    /// Its line in the scenario file.
    public var line: Int
    /// What the customer wrote.
    public var message: String
    /// What should have happened.
    public var expected: String
    /// What happened.
    public var actual: String
}

/// The result of one scenario.
public struct ScenarioResult: Sendable {
    /// The scenario.
    public var scenario: Scenario
    /// The first failure, if any.
    public var failure: ScenarioFailure?
    /// The whole trace.
    public var trace: [TraceEvent]
    /// Seconds taken.
    public var seconds: Double
    /// Whether it passed.
    public var passed: Bool { failure == nil }
}

/// Runs scenarios against a plan with a fixed clock and their own sandbox and ledger.
public struct ScenarioRunner: Sendable {
    /// The runtime.
    public var runtime: Runtime

    /// A runner over a plan.
    public init(runtime: Runtime) { self.runtime = runtime }

    /// Runs every scenario, in parallel when the machine has cores; results in the given order.
    public func run(_ scenarios: [Scenario]) -> [ScenarioResult] {
        final class Slots: @unchecked Sendable {
            var results: [ScenarioResult?]
            let lock = NSLock()
            init(_ n: Int) { results = Array(repeating: nil, count: n) }
        }
        let slots = Slots(scenarios.count)
        DispatchQueue.concurrentPerform(iterations: scenarios.count) { i in
            let r = run(scenarios[i])
            slots.lock.lock()
            slots.results[i] = r
            slots.lock.unlock()
        }
        return slots.results.map { $0! }
    }

    /// Runs one scenario, stopping at the first turn that does not do what it expects.
    public func run(_ scenario: Scenario) -> ScenarioResult {
        let started = DispatchTime.now().uptimeNanoseconds
        let sandbox = SystemsDown(SandboxActions(data: scenario.sandbox), unavailable: scenario.unavailable)
        let ledger = MemoryLedger()
        var state = runtime.start(id: "scenario", customer: scenario.customer)
        var trace: [TraceEvent] = []
        var failure: ScenarioFailure?
        for (i, turn) in scenario.turns.enumerated() {
            let env = TurnEnvironment(now: scenario.now + Int64(i) * 30, actions: sandbox, ledger: ledger)
            let result = runtime.turn(state, CustomerEvent(message: turn.message), environment: env)
            state = result.state
            trace += result.trace
            for expectation in turn.expectations {
                if let actual = Self.check(expectation, result) {
                    failure = ScenarioFailure(turn: i + 1, line: turn.line, message: turn.message, expected: expectation.description, actual: actual)
                    break
                }
            }
            if failure != nil { break }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return ScenarioResult(scenario: scenario, failure: failure, trace: trace, seconds: seconds)
    }

    /// nil when the expectation holds; else what happened instead.
    static func check(_ e: Expectation, _ r: TurnResult) -> String? {
        let texts = r.effects.compactMap { effect -> String? in
            switch effect {
            case .say(let s), .confirm(let s), .ask(_, let s): s
            default: nil
            }
        }
        let said = texts.isEmpty ? "the agent said nothing" : "the agent said " + texts.map { "“\($0)”" }.joined(separator: " then ")
        switch e {
        case .intent(let want):
            let got = r.trace.last { $0.kind == .intent }?.datum("intent") ?? r.state.intent
            return got == want ? nil : "intent `\(got ?? "none")`"
        case .asksFor(let slot):
            let asked = r.effects.compactMap { if case .ask(let s, _) = $0 { s } else { nil } }
            return asked.contains(slot) ? nil : (asked.isEmpty ? "no question for a value; \(said)" : "asked for the " + asked.map { $0.replacingOccurrences(of: "_", with: " ") }.joined(separator: ", "))
        case .confirms(let text):
            let confirms = r.effects.compactMap { if case .confirm(let s) = $0 { s } else { nil } }
            return confirms.contains { $0.localizedCaseInsensitiveContains(text) } ? nil : (confirms.isEmpty ? "no yes/no question; \(said)" : "asked “\(confirms[0])”")
        case .says(let text):
            return texts.contains { $0.localizedCaseInsensitiveContains(text) } ? nil : said
        case .saysExactly(let text):
            return texts.contains(text) ? nil : said
        case .action(let name, let args):
            let actions = r.effects.compactMap { if case .action(let n, let a) = $0 { (n, a) } else { nil } }
            guard let found = actions.first(where: { $0.0 == name }) else {
                return actions.isEmpty ? "no action ran; \(said)" : "ran " + actions.map { "`\($0.0)`" }.joined(separator: ", ")
            }
            for (k, want) in args {
                guard let got = found.1[k] else { return "`\(name)` ran without `\(k)`" }
                if !Self.same(want, got) { return "`\(name)` ran with \(k) \(got)" }
            }
            return nil
        case .handoff(let queue, let reason):
            guard let p = r.effects.compactMap({ if case .handoff(let p) = $0 { p } else { nil } }).first else { return "no hand-off; \(said)" }
            if let queue, p.queue != queue { return "a hand-off to \(p.queue) because “\(p.reason)”" }
            if let reason, !p.reason.localizedCaseInsensitiveContains(reason) { return "a hand-off to \(p.queue) because “\(p.reason)”" }
            return nil
        case .outcome(let want):
            let got = r.state.status.summary
            return got == want.trimmingCharacters(in: .whitespaces) ? nil : "the conversation is \(got)"
        case .noAction:
            let actions = r.effects.compactMap { if case .action(let n, _) = $0 { n } else { nil } }
            return actions.isEmpty ? nil : "ran " + actions.map { "`\($0)`" }.joined(separator: ", ")
        }
    }

    /// An expected argument against a shown one: amounts compare as money (`89.00 USD` is `$89.00`).
    static func same(_ want: String, _ got: String) -> Bool {
        if want.caseInsensitiveCompare(got) == .orderedSame { return true }
        if let a = FixtureConversion.parseMoney(want, currency: "USD"), let b = FixtureConversion.parseMoney(got, currency: a.currency) { return a == b }
        return false
    }
}

/// The sandbox with some systems down: the actions a scenario lists under `unavailable:` fail
/// as a connector does when its system does not answer; every other action runs as usual.
struct SystemsDown: ActionPort {
    let base: any ActionPort
    let unavailable: Set<String>

    init(_ base: any ActionPort, unavailable: Set<String>) {
        self.base = base
        self.unavailable = unavailable
    }

    func perform(_ request: ActionRequest) -> ActionOutcome {
        if unavailable.contains(request.action) { return .failed("the system behind it did not answer (unavailable in this scenario)") }
        return base.perform(request)
    }
}
