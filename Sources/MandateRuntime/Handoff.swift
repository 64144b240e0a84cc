import Foundation
import MandateIR

/// Builds hand-off packets from the conversation and its trace, deterministically.
enum Handoff {
    static func packet(state: ConversationState, trace: [TraceEvent], queue: String, urgent: Bool, reason: String, source: String?,
                       procedureName: String?, label: String?, formatted: (RuntimeValue) -> String) -> HandoffPacket {
        var collected: [String: String] = [:]
        for (k, v) in state.slots where !k.hasPrefix("__") {
            collected[FastText.words(k)] = formatted(v)
        }
        let failed = trace.filter { $0.kind == .guardrail || $0.kind == .limit }.map { e in
            e.source.map { "\(e.detail) (\($0))" } ?? e.detail
        }
        var summary: [String] = []
        if let intent = state.intent {
            summary.append("The customer wants help with `\(intent)`" + (state.confidence.map { " (confidence \(FastText.fixed2($0)))" } ?? "") + ".")
        } else {
            summary.append("The agent did not identify what the customer needs.")
        }
        if let procedureName { summary.append("The agent was following “\(procedureName)”" + (label.map { ", step \($0)" } ?? "") + ".") }
        if !collected.isEmpty {
            summary.append("Collected: " + collected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ") + ".")
        }
        let done = state.actions.filter { $0.result == "done" }.map { FastText.words($0.action) }
        summary.append(done.isEmpty ? "No action was taken." : "Actions taken: " + done.joined(separator: ", ") + ".")
        summary.append("Handed off because \(reason)" + (source.map { " (\($0))" } ?? "") + ".")
        let next: String
        if reason.contains("limit") || reason.contains("above") {
            next = "Review the request against the limit and approve or decline it; the customer has been told a person will help."
        } else if state.intent == nil {
            next = "Ask the customer what they need; the transcript shows what they wrote."
        } else if let procedureName {
            next = "Continue “\(procedureName)”" + (label.map { " from step \($0)" } ?? "") + " with the details collected."
        } else {
            next = "Pick up the `\(state.intent ?? "request")` request with the details collected."
        }
        return HandoffPacket(queue: queue, reason: reason, urgency: urgent ? "urgent" : "normal", source: source,
                             summary: summary.joined(separator: " "), customer: state.customer, collected: collected,
                             actions: state.actions, failedChecks: failed, suggestedNextStep: next, transcript: state.transcript)
    }
}
