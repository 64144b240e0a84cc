import Foundation
import MandateIR

/// Answers actions from a recorded trace, in order: the outside world as it was.
public final class RecordedActions: ActionPort, @unchecked Sendable {
    private var outcomes: [ActionOutcome]
    private var next = 0

    /// The action outcomes recorded in `trace`, in order.
    public init(trace: [TraceEvent]) {
        outcomes = trace.filter { $0.kind == .action && $0.outputs != nil }.map { e in
            var outputs = e.outputs ?? [:]
            let result = outputs.removeValue(forKey: "__result")
            let why = outputs.removeValue(forKey: "__why")
            var reason = ""
            if case .text(let w)? = why { reason = w }
            switch result {
            case .text("refused")?: return .refused(reason)
            case .text("not found")?: return .notFound(reason)
            case .text("failed")?: return .failed(reason)
            case .text("already done")?: return .alreadyDone(outputs)
            default: return .done(outputs)
            }
        }
    }

    public func perform(_ request: ActionRequest) -> ActionOutcome {
        guard next < outcomes.count else { return .failed("the recorded trace has no more action results") }
        defer { next += 1 }
        return outcomes[next]
    }
}

/// The outcome of replaying a conversation from its trace.
public struct ReplayReport: Sendable, Equatable {
    /// Whether every decision came out the same.
    public var identical: Bool
    /// The first recorded and replayed events that differ.
    public var firstDifference: (recorded: TraceEvent?, replayed: TraceEvent?)?

    public static func == (a: ReplayReport, b: ReplayReport) -> Bool {
        a.identical == b.identical && a.firstDifference?.recorded == b.firstDifference?.recorded
            && a.firstDifference?.replayed == b.firstDifference?.replayed
    }
}

extension Runtime {
    /// Runs a conversation again from its recorded trace — the messages, the clock and the
    /// actions' answers come from the trace; `ledger` is the ledger as it stood before the
    /// conversation — and compares every decision.
    public func replay(start: ConversationState, trace recorded: [TraceEvent], ledger: any LedgerPort,
                       intents: [Int: IntentPrediction] = [:]) -> ReplayReport {
        let actions = RecordedActions(trace: recorded)
        var state = start
        var replayed: [TraceEvent] = []
        for event in recorded where event.kind == .message {
            guard let text = event.datum("text"), let now = event.datum("now").flatMap({ Int64($0) }) else { continue }
            let result = turn(state, CustomerEvent(message: text, intent: intents[event.turn]),
                              environment: TurnEnvironment(now: now, actions: actions, ledger: ledger))
            state = result.state
            replayed += result.trace
        }
        if replayed == recorded { return ReplayReport(identical: true, firstDifference: nil) }
        let i = zip(recorded, replayed).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(recorded.count, replayed.count)
        return ReplayReport(identical: false, firstDifference: (i < recorded.count ? recorded[i] : nil, i < replayed.count ? replayed[i] : nil))
    }
}
