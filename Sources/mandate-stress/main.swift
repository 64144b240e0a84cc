// mandate-stress: refund conversations against one SQLite store file, from its own process.
//
// The store tests start it twice at once on one file (no refund limit may be overshot), and
// stop it with SIGKILL in the middle of a turn, then start it again (no acknowledged refund may
// be lost, none may be made twice).
//
//   mandate-stress JOB.json
//
// The job names the project folder, the database, and the conversations: each is a customer
// asking for a refund of one order, in three messages (the request, the order number, "yes").
// A conversation already in the file continues where it stopped; one that ended is left alone.
// After each committed turn it prints `ack CONVERSATION TURN STATUS` on its own line.
//
// With MANDATE_STRESS_KILL_BEFORE_COMMIT=CONVERSATION:TURN the process kills itself (SIGKILL)
// inside that turn's transaction, after the action ran and everything was written, before commit.
import Foundation
import MandateCompiler
import MandateIR
import MandateRuntime
import MandateStore

#if canImport(Glibc)
import Glibc
#endif

struct Job: Decodable {
    struct Attempt: Decodable {
        var conversation: String
        var customer: String
        var tier: String
        var order: String
    }
    var project: String
    var database: String
    var now: Int64
    var attempts: [Attempt]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("mandate-stress: \(message)\n".utf8))
    exit(1)
}

let args = CommandLine.arguments
guard args.count == 2 else { fail("usage: mandate-stress JOB.json") }
let job: Job
do { job = try JSONDecoder().decode(Job.self, from: Data(contentsOf: URL(fileURLWithPath: args[1]))) } catch {
    fail("cannot read the job \(args[1]): \(error)")
}
guard let plan = Compiler.compile(try ProjectSources.load(path: job.project)).plan else {
    fail("the project at \(job.project) does not compile; run `mandate check \(job.project)`")
}
let runtime = Runtime(plan: plan)

var hook: (@Sendable (String, Int) -> Void)?
if let target = ProcessInfo.processInfo.environment["MANDATE_STRESS_KILL_BEFORE_COMMIT"] {
    hook = { conversation, turn in
        if "\(conversation):\(turn)" == target { kill(getpid(), SIGKILL) }
    }
}
let store: SQLiteStore
do { store = try SQLiteStore(path: job.database, busyTimeout: 30, beforeCommit: hook) } catch { fail("\(error)") }

let messages = ["I'd like a refund please", "it's order %@", "yes please"]
let refund = IntentPrediction(intent: "refund_request", confidence: 0.95, ranking: [IntentScore(intent: "refund_request", score: 0.95)])
do {
    for a in job.attempts {
        let customer = CustomerProfile(id: a.customer, tier: a.tier, verified: true)
        var state = try store.load(conversationID: a.conversation)
        while (state?.turn ?? 0) < messages.count, state?.status ?? .open == .open {
            let i = state?.turn ?? 0
            let text = messages[i].replacingOccurrences(of: "%@", with: a.order)
            let result = try store.turn(conversationID: a.conversation, customer: customer,
                                        event: CustomerEvent(message: text, intent: i == 0 ? refund : nil), runtime: runtime, now: job.now)
            state = result.state
            let status: String
            switch result.state.status {
            case .open: status = "open"
            case .resolved(let o): status = "resolved:\(o)"
            case .escalated(let q, _): status = "escalated:\(q)"
            }
            // Unbuffered: a line printed is a turn committed, even if the process dies next.
            FileHandle.standardOutput.write(Data("ack \(a.conversation) \(result.state.turn) \(status)\n".utf8))
        }
    }
} catch {
    fail("\(error)")
}
