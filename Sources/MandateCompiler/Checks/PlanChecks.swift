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
        let results = Parallel.map(checked.count, threads: threads) { index in
            var local = shared
            local.diagnostics = []
            let p = ProcedureUnderCheck(checked[index], context: shared)
            FlowChecks.run(p, &local)
            PolicyProofs.run(p, &local)
            PolicyChecks.outputGuardrails(p, &local)
            PolicyChecks.untrustedIdentity(p, &local)
            TableChecks.run(p, &local)
            var outcomes: [String] = []
            for node in p.steps where p.reachable(node.id) {
                if case .resolve(let outcome) = node.op { outcomes.append(outcome) }
            }
            return (p, local.diagnostics, outcomes)
        }
        var procedures: [ProcedureUnderCheck] = []
        procedures.reserveCapacity(results.count)
        for (p, diagnostics, outcomes) in results {
            procedures.append(p)
            context.diagnostics += diagnostics
            context.reachableOutcomes.formUnion(outcomes)
        }
        FlowChecks.followCycles(procedures, &context)
        PolicyChecks.trainingData(&context)
        PolicyChecks.completeness(procedures, procedures: syntax, &context)
        ScenarioChecks.run(&context)
    }
}
