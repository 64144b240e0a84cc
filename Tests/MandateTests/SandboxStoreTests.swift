import Foundation
import MandateCLI
import MandateIR
@testable import MandateRuntime
@testable import MandateStore
import Testing

/// The sandbox connector over SQLite narrows each lookup with its indexes, then lets
/// `SandboxActions.perform` decide: it must answer exactly as the sandbox over all the records.
@Suite struct SandboxStoreTests {
    @Test func everyLookupAnswersAsTheSandboxOverAllRecords() throws {
        let lookups = try referenceLookups()
        var full = lookups.data
        #expect(full.records["Order"]?.isEmpty == false)
        let folder = try temporaryFolder("sandbox")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("m.sqlite").path)
        try store.loadSandbox(full, plan: referencePlan)
        #expect(try store.sandbox().records == full.records)
        var compared = 0
        for request in lookups.requests {
            let expected = SandboxActions.perform(request, on: &full)
            let got = try store.queue.write { db -> ActionOutcome in
                let port = SandboxPortInTransaction(db, cache: store.cache, now: fixedNow)
                let outcome = port.perform(request)
                if let failure = port.failure { throw failure }
                return outcome
            }
            #expect(got == expected, "\(request.action) \(request.arguments)")
            compared += 1
        }
        #expect(compared > 1000)
    }
}

/// The reference project's sandbox, and a read or identify request of each of its actions on every
/// text its records hold (in their case and upper case, and on texts that match nothing), for
/// several customers: no inputs, each input given the text, the first input alone.
func referenceLookups() throws -> (data: SandboxData, requests: [ActionRequest]) {
    let (console, _) = Console.capturing()
    let root = repositoryRoot.appendingPathComponent("Procedures").path
    let data = try #require(Commands.loadSandbox(nil, root: root, plan: referencePlan, console: console))
    let owners = Dictionary(referencePlan.records.compactMap { r in r.owner.map { (r.name, $0) } }, uniquingKeysWith: { a, _ in a })
    var texts: Set<String> = ["nothing-like-this", "9999"]
    for records in data.records.values {
        for case .record(let fields) in records {
            for case .text(let t) in fields.values { texts.formUnion([t, t.uppercased()]) }
        }
    }
    var requests: [ActionRequest] = []
    for action in referencePlan.actions where action.effect == "read" || action.effect == "identify" {
        let inputs = action.inputs.filter { $0.type != .identity }
        var argumentSets: [[String: RuntimeValue]] = [[:]]
        for t in texts.sorted() {
            var a: [String: RuntimeValue] = [:]
            for input in inputs { a[input.name] = .text(t) }
            if !inputs.isEmpty { argumentSets.append(a) }
            if let first = inputs.first { argumentSets.append([first.name: .text(t)]) }
        }
        for customer in ["C-1001", "C-1002", "C-2001", "C-3001", "C-0000"] {
            for arguments in argumentSets {
                var args = arguments
                for input in action.inputs where input.type == .identity { args[input.name] = .text(customer) }
                requests.append(ActionRequest(signature: action, arguments: args, customerID: customer, idempotencyKey: nil, owners: owners))
            }
        }
    }
    return (data, requests)
}
