import MandateDiagnostics
import MandateIR
import MandateSyntax

/// The checker's last stage: flow analysis and policy proofs over the lowered plan.
///
/// It runs after lowering, on the step graphs the runtime will execute, so what it proves
/// holds for the plan that ships. Procedures whose files had errors are left out: their
/// graphs are incomplete and those errors come first.
enum PlanChecks {
    static func run(_ context: inout CheckContext, syntax: [ProcedureFile]) {
        let procedures = context.checkedProcedures.map { ProcedureUnderCheck($0, context: context) }
        for p in procedures {
            FlowChecks.run(p, &context)
            PolicyProofs.run(p, &context)
            PolicyChecks.outputGuardrails(p, &context)
            PolicyChecks.untrustedIdentity(p, &context)
            TableChecks.run(p, &context)
            for node in p.steps where p.reachable(node.id) {
                if case .resolve(let outcome) = node.op { context.reachableOutcomes.insert(outcome) }
            }
        }
        FlowChecks.followCycles(procedures, &context)
        PolicyChecks.trainingData(&context)
        PolicyChecks.completeness(procedures, procedures: syntax, &context)
        ScenarioChecks.run(&context)
    }
}
