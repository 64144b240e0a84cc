import MandateDiagnostics
import MandateIR
import MandateSyntax

/// Scenario tests checked against the plan before they run: a test that expects what the
/// policy forbids, or what no path can do, is a bug in the test (or in the procedures).
enum ScenarioChecks {
    static func run(_ context: inout CheckContext) {
        for scenario in context.scenarios {
            let tier = scenario.customer.first { $0.key.value == "tier" }?.value.value
            for name in scenario.unavailable where context.actions[name.value] == nil {
                context.diagnostics.append(Diagnostic(
                    .scenarioContradictsPolicy, "the test makes `\(name.value)` unavailable, but the catalog has no such action",
                    at: name.range,
                    help: Suggestions.didYouMean(name.value, in: context.actions.keys) ?? "name an action from `actions.yaml`"))
            }
            for turn in scenario.turns {
                for (key, value) in turn.expect {
                    switch key.value {
                    case "action": action(value, tier: tier, &context)
                    case "outcome": outcome(value, &context)
                    default: break
                    }
                }
            }
        }
    }

    static func action(_ node: YAMLNode, tier: String?, _ context: inout CheckContext) {
        guard case .mapping(let m) = node else { return }
        for entry in m.entries {
            guard let signature = context.actions[entry.key.value] else {
                context.diagnostics.append(Diagnostic(
                    .scenarioContradictsPolicy, "the test expects the action `\(entry.key.value)`, which the catalog does not have",
                    at: entry.key.range,
                    help: Suggestions.didYouMean(entry.key.value, in: context.actions.keys) ?? "name an action from `actions.yaml`"))
                continue
            }
            guard signature.effect == "refund", case .mapping(let inputs) = entry.value else { continue }
            for input in inputs.entries {
                guard signature.inputs.first(where: { $0.name == input.key.value })?.type == .money,
                      case .scalar(let s) = input.value, case .success(let amount) = LiteralParser.money(s.value) else { continue }
                // The most any goal lets this customer have refunded at once: in each goal both
                // limits apply, as the runtime checks them, and the lower one decides.
                let limits = context.plan.goals.compactMap { g in
                    [g.guardrails.maxPerRefund, tier.flatMap { g.guardrails.maxByTier[$0] }].compactMap { $0 }.min(by: { $0.minor < $1.minor })
                }
                guard let most = limits.max(by: { $0.minor < $1.minor }), amount.minorUnits > most.minor else { continue }
                context.diagnostics.append(Diagnostic(
                    .scenarioContradictsPolicy,
                    "the test expects a refund of \(s.value), above the \(Words.money(most)) limit\(tier.map { " for the \($0) tier" } ?? "")",
                    at: s.range,
                    notes: ["the runtime never refunds more than the limit; it hands the customer off instead"],
                    help: "expect the hand-off (`handoff: { queue: … }`), or an amount within the limit"))
            }
        }
    }

    static func outcome(_ node: YAMLNode, _ context: inout CheckContext) {
        guard case .scalar(let s) = node else { return }
        let words = s.value.split(separator: " ")
        guard words.count == 3, words[0] == "resolved", words[1] == "as" else { return }
        let outcome = String(words[2])
        guard !context.reachableOutcomes.contains(outcome), context.checkedProcedures.count == context.plan.procedures.count else { return }
        context.diagnostics.append(Diagnostic(
            .scenarioContradictsPolicy, "the test expects `resolved as \(outcome)`, but no procedure can resolve as `\(outcome)`",
            at: s.range,
            help: Suggestions.didYouMean(outcome, in: context.reachableOutcomes).map { $0 } ?? "expect an outcome a procedure reaches"))
    }
}
