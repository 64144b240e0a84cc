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
        let results = Parallel.map(checked.count + 1, threads: threads) { index -> (CheckedProcedure?, [Diagnostic]) in
            var local = shared
            local.diagnostics = []
            guard index > 0 else {
                PolicyChecks.trainingData(&local)
                return (nil, local.diagnostics)
            }
            let p = ProcedureUnderCheck(checked[index - 1], context: shared)
            FlowChecks.run(p, &local)
            PolicyProofs.run(p, &local)
            PolicyChecks.outputGuardrails(p, &local)
            PolicyChecks.untrustedIdentity(p, &local)
            TableChecks.run(p, &local)
            // Only what the project-wide checks need is kept: the procedure's check is freed
            // here, on the thread that made it, rather than all of them at the end on one.
            return (CheckedProcedure(p), local.diagnostics)
        }
        var procedures: [CheckedProcedure] = []
        procedures.reserveCapacity(checked.count)
        for (p, diagnostics) in results.dropFirst() {
            if let p {
                procedures.append(p)
                context.reachableOutcomes.formUnion(p.outcomes)
            }
            context.diagnostics += diagnostics
        }
        FlowChecks.followCycles(procedures, &context)
        context.diagnostics += results[0].1
        PolicyChecks.completeness(procedures, procedures: syntax, &context)
        ScenarioChecks.run(&context)
    }
}

/// What the project-wide checks (`Follow` cycles, completeness) need of one checked procedure.
struct CheckedProcedure {
    let id: String
    let name: String
    let goal: String
    /// The outcomes of its reachable `Resolve` steps, in step order.
    let outcomes: [String]
    /// Its reachable `Follow` steps, with the procedure each follows.
    let follows: [(target: String, node: StepNode)]

    init(_ p: ProcedureUnderCheck) {
        id = p.procedure.id
        name = p.procedure.name
        goal = p.procedure.goal
        var outcomes: [String] = []
        var follows: [(target: String, node: StepNode)] = []
        let steps = p.steps
        for n in steps.indices where p.reachable(n) {
            switch steps[n].op {
            case .resolve(let outcome): outcomes.append(outcome)
            case .follow(let target): follows.append((target, steps[n]))
            default: break
            }
        }
        self.outcomes = outcomes
        self.follows = follows
    }
}
