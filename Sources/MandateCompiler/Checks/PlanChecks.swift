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
        // Each procedure's check takes its working memory from these and gives it back.
        let arenas = ArenaPool()
        // Index 0 checks the classifier's examples, which need no procedure, alongside the
        // procedures (1…): it is the largest single piece of work, so it starts first.
        let results = Parallel.map(checked.count + 1, threads: threads) { index -> (CheckedProcedure?, [Diagnostic]) in
            var local = shared
            local.diagnostics = []
            guard index > 0 else {
                PolicyChecks.trainingData(&local)
                return (nil, local.diagnostics)
            }
            let p = ProcedureUnderCheck(checked[index - 1], context: shared, pool: arenas)
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
        // Procedures share a handful of outcomes: each is hashed into the set once.
        var outcomes = NameTable<Bool>(minimumCapacity: 64)
        for (p, diagnostics) in results.dropFirst() {
            if let p {
                procedures.append(p)
                for o in p.outcomes where outcomes[o] == nil {
                    outcomes[o] = true
                    context.reachableOutcomes.insert(o)
                }
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
        // Counted first, so each array is allocated once.
        var resolves = 0, followSteps = 0
        for n in steps.indices where p.reachable(n) {
            switch steps[n].op {
            case .resolve: resolves += 1
            case .follow: followSteps += 1
            default: break
            }
        }
        outcomes.reserveCapacity(resolves)
        follows.reserveCapacity(followSteps)
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
