import MandateDiagnostics
import MandateIR
import MandateSyntax

/// The checker's last stage: flow analysis and policy proofs over the lowered plan.
///
/// It runs after lowering, on the step graphs the runtime will execute, so what it proves
/// holds for the plan that ships. Procedures whose files had errors are left out: their
/// graphs are incomplete and those errors come first.
enum PlanChecks {
    /// Runs every check. Each procedure is checked on its own, on every core (`threads`: at
    /// most that many); its findings are gathered in procedure order, so the output is the
    /// same whatever the number of threads.
    static func run(_ context: inout CheckContext, syntax: [ProcedureFile], threads: Int = Parallel.threads) {
        let checked = context.checkedProcedures
        let shared = context
        // Index 0 checks the classifier's examples, which need no procedure, alongside the
        // procedures (1…): it is the largest single piece of work, so it starts first.
        let results = Parallel.map(checked.count + 1, threads: threads) { index -> (ProcedureUnderCheck?, [Diagnostic], [String]) in
            var local = shared
            local.diagnostics = []
            guard index > 0 else {
                PolicyChecks.trainingData(&local)
                return (nil, local.diagnostics, [])
            }
            let p = ProcedureUnderCheck(checked[index - 1], context: shared)
            FlowChecks.run(p, &local)
            PolicyProofs.run(p, &local)
            PolicyChecks.outputGuardrails(p, &local)
            PolicyChecks.untrustedIdentity(p, &local)
            TableChecks.run(p, &local)
            var outcomes: [String] = []
            let steps = p.steps
            for n in steps.indices where p.reachable(n) {
                if case .resolve(let outcome) = steps[n].op { outcomes.append(outcome) }
            }
            return (p, local.diagnostics, outcomes)
        }
        var procedures: [ProcedureUnderCheck] = []
        procedures.reserveCapacity(checked.count)
        for (p, diagnostics, outcomes) in results.dropFirst() {
            if let p { procedures.append(p) }
            context.diagnostics += diagnostics
            context.reachableOutcomes.formUnion(outcomes)
        }
        FlowChecks.followCycles(procedures, &context)
        context.diagnostics += results[0].1
        PolicyChecks.completeness(procedures, procedures: syntax, &context)
        ScenarioChecks.run(&context)
    }
}
