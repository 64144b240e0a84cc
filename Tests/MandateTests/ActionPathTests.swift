import Foundation
import MandateIR
@testable import MandateRuntime
import Testing

/// The action call's parts were made cheaper (the sandbox's matching and journal, the in-memory
/// ledger, the kept output verdicts): each must answer exactly as the code it replaced, which is
/// kept here as the oracle.
@Suite struct ActionPathTests {
    /// Every read and identify action of the reference project, on every text its records hold (and
    /// on none), for several customers: the sandbox answers as it did when it filtered every match.
    @Test func sandboxReadsAnswerAsTheFilteringVersion() throws {
        let lookups = try referenceLookups()
        var data = lookups.data
        var compared = 0
        for request in lookups.requests {
            #expect(SandboxActions.perform(request, on: &data) == Self.performAsBefore(request, on: data), "\(request.action) \(request.arguments)")
            compared += 1
        }
        #expect(compared > 1000)
    }

    /// The journal line names the arguments in the order `sorted(by: <)` gives, from none to more
    /// than the few picked in place, as the line joined argument by argument did.
    @Test func journalLinesAsBefore() {
        let names = ["amount", "order", "customer_id", "a", "b_c", "zeta", "Order", "ärger", "x1", "x10", "x2", "reason"]
        let values: [RuntimeValue] = [.text("1042"), .money(Money(minor: 8900, currency: "USD")), .record(["id": .text("1042")]),
                                      .number(3), .boolean(true), .list([.text("a"), .text("b")])]
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        // The action's inputs: every name, in an order of their own (not sorted), two of them twice.
        var inputNames = names
        for i in inputNames.indices.reversed() { inputNames.swapAt(i, next() % (i + 1)) }
        inputNames += [names[1], names[7]]
        let signature = ActionSignature(name: "issue_refund", description: nil, phrase: "refund", inputs: inputNames.map { Field(name: $0, type: .text) },
                                        outputs: [], effect: "refund", runsOn: "sandbox", idempotencyKey: [], limit: nil,
                                        source: SourceRef(file: "actions.yaml", line: 1, column: 1))
        for _ in 0..<2_000 {
            var arguments: [String: RuntimeValue] = [:]
            for _ in 0..<(next() % 12) { arguments[names[next() % names.count]] = values[next() % values.count] }
            var old = FastText.concat("issue_refund", " ")
            for (i, (k, v)) in arguments.sorted(by: { $0.key < $1.key }).enumerated() {
                old = FastText.concat(old, i == 0 ? "" : " ", k, "=", Turn.format(v))
            }
            let request = ActionRequest(signature: signature, arguments: arguments, customerID: nil, idempotencyKey: "k", owners: [:])
            #expect(SandboxActions.journalLine(request) == old, "\(arguments)")
        }
    }

    /// The in-memory ledger, looked through while short and indexed once long, gives what a filter of
    /// all its entries gives, after every append.
    @Test func ledgerLookedThroughThenIndexedAsAFilter() {
        let ledger = MemoryLedger()
        var all: [LedgerEntry] = []
        let customers = ["C-1", "C-2", "C-3"]
        let keys = ["k1", "k2", "k3", "k4", "k5", "k6", "k7"]
        for i in 0..<(3 * MemoryLedger.indexedFrom) {
            let entry = LedgerEntry(conversation: "c", customerID: customers[i % 3], action: "issue_refund", scope: "order:\(i % 5)",
                                    idempotencyKey: keys[(i * 5) % keys.count], amount: Money(minor: Int64(i), currency: "USD"), at: Int64(i * 10))
            ledger.append(entry)
            all.append(entry)
            #expect(ledger.all == all)
            for c in customers + ["C-9"] {
                for since in [Int64.min, 0, Int64(i * 5), Int64(i * 10), Int64(i * 10 + 1)] {
                    #expect(ledger.entries(customerID: c, since: since) == all.filter { $0.customerID == c && $0.at >= since })
                }
            }
            for k in keys + ["none"] { #expect(ledger.entry(idempotencyKey: k) == all.last { $0.idempotencyKey == k }) }
        }
    }

    /// The output verdicts are found by the text's bytes: every text kept is found with its own
    /// verdict (texts that differ in one byte, in length only, or not at all but for where they are
    /// stored), a text not kept is not found, and no more than the limit are kept.
    @Test func outputVerdictsFoundByTheirBytes() {
        let verdicts = OutputVerdicts()
        var texts: [String] = []
        for i in 0..<(OutputVerdicts.limit + 200) {
            texts.append(i % 3 == 0 ? String(repeating: "a", count: i % 40) + "\(i)" : "What's the order number? \(i)")
        }
        for (i, t) in texts.enumerated() {
            verdicts.keep(OutputVerdict(rule: i % 2 == 0 ? nil : ("why \(i)", "clause \(i)")), on: t)
        }
        for (i, t) in texts.enumerated() {
            // The same bytes in a string of its own storage.
            let copy = String(decoding: Array(t.utf8), as: UTF8.self)
            let found = verdicts.verdict(on: copy)
            if i < OutputVerdicts.limit {
                #expect(found != nil, "\(t)")
                #expect(found?.rule?.why == (i % 2 == 0 ? nil : "why \(i)"), "\(t)")
            } else {
                #expect(found == nil, "\(t)")
            }
        }
        #expect(verdicts.verdict(on: "What's the order number?") == nil)
        #expect(verdicts.verdict(on: "") == nil)
        #expect(OutputVerdicts.hash("ab") != OutputVerdicts.hash("ba"))
        #expect(OutputVerdicts.hash("") != 0)
    }

    /// The runtime's requests carry the arguments in the order of the signature's inputs, readable by
    /// name, with identity bound to the verified customer, and share the catalog action (not a copy
    /// of the signature) from one call to the next.
    @Test func requestsCarryArgumentsByInputNumber() throws {
        final class Recording: ActionPort {
            let base: SandboxActions
            var requests: [ActionRequest] = []
            init(_ base: SandboxActions) { self.base = base }
            func perform(_ request: ActionRequest) -> ActionOutcome {
                requests.append(request)
                return base.perform(request)
            }
        }
        let h = try Harness(customer: dana, fixtures: ["orders": [orderFixture(id: "1042", customer: "C-1001", total: "89.00 USD")]])
        let port = Recording(h.sandbox)
        var state = h.state
        for (message, intent) in [("can I get a refund for the stand mixer?", "refund_request"), ("it's order 1042", nil), ("yes please", nil)] {
            let prediction = intent.map { IntentPrediction(intent: $0, confidence: 0.95, ranking: [IntentScore(intent: $0, score: 0.95)]) }
            state = h.runtime.turn(state, CustomerEvent(message: message, intent: prediction),
                                   environment: TurnEnvironment(now: h.now, actions: port, ledger: h.ledger)).state
        }
        #expect(port.requests.map(\.action) == ["lookup_order", "issue_refund"])
        let lookup = port.requests[0], refund = port.requests[1]
        #expect(lookup.arguments.inputs.map(\.name) == ["order_number", "customer_id"])
        #expect(lookup.arguments.values == [.text("1042"), .text("C-1001")])
        #expect(lookup.arguments["order_number"] == .text("1042"))
        #expect(lookup.arguments["customer_id"] == .text("C-1001"))
        #expect(lookup.arguments["order"] == nil)
        #expect(lookup.idempotencyKey == nil)
        #expect(refund.arguments.inputs.map(\.name) == ["amount", "order", "customer_id"])
        #expect(refund.arguments[input: 0] == .money(Money(minor: 8900, currency: "USD")))
        #expect(refund.arguments["order"]?[field: "id"] == .text("1042"))
        #expect(refund.arguments.map { $0.name } == ["amount", "order", "customer_id"])
        #expect(refund.customerID == "C-1001")
        #expect(refund.idempotencyKey?.hasSuffix("#issue_refund#order.id=1042") == true)
        #expect(refund.owners["Order"] == "customer_id")
        #expect(refund.catalogAction.ownerField(ofInput: 1) == "customer_id")
        #expect(refund.catalogAction.ownerField(ofInput: 0) == nil)
        #expect(refund.catalogAction.signature == referencePlan.actions.first { $0.name == "issue_refund" })
        // A second conversation's call of the same action shares its catalog action.
        var other = h.runtime.start(id: "conv-2", customer: dana)
        for (message, intent) in [("can I get a refund for the stand mixer?", "refund_request"), ("it's order 1042", nil)] {
            let prediction = intent.map { IntentPrediction(intent: $0, confidence: 0.95, ranking: [IntentScore(intent: $0, score: 0.95)]) }
            other = h.runtime.turn(other, CustomerEvent(message: message, intent: prediction),
                                   environment: TurnEnvironment(now: h.now, actions: port, ledger: h.ledger)).state
        }
        #expect(port.requests.count == 3)
        #expect(port.requests[2].catalogAction === lookup.catalogAction)
        #expect(port.requests[2] == lookup)
    }

    /// Arguments given by name land on their inputs; read by name they give the last input of a
    /// name two inputs share (as a dictionary by name did); equal when their values by name are.
    @Test func argumentsByNameAndByNumber() {
        let inputs = [Field(name: "order", type: .record("Order")), Field(name: "reason", type: .text), Field(name: "customer_id", type: .identity)]
        let a = ActionArguments(inputs: inputs, byName: ["reason": .text("late"), "customer_id": .text("C-1"), "unknown": .text("x")])
        #expect(a.values == [nil, .text("late"), .text("C-1")])
        #expect(a["reason"] == .text("late") && a["order"] == nil && a["unknown"] == nil)
        #expect(a.map { $0.name } == ["reason", "customer_id"])
        #expect(a.givenCount == 2)
        #expect(a.byName == ["reason": .text("late"), "customer_id": .text("C-1")])
        #expect(a.description == "[reason: late, customer_id: C-1]")
        let reordered = ActionArguments(inputs: [inputs[2], inputs[1], inputs[0]], values: [.text("C-1"), .text("late"), nil])
        #expect(a == reordered)
        #expect(a != ActionArguments(inputs: inputs, values: [nil, .text("early"), .text("C-1")]))
        let twice = ActionArguments(inputs: [Field(name: "n", type: .text), Field(name: "n", type: .text)], values: [.text("1"), .text("2")])
        #expect(twice["n"] == .text("2"))
    }

    /// `SandboxActions.perform` for reads as it was before it found the first match in one pass:
    /// every match filtered into a list, then the customer's own among them.
    static func performAsBefore(_ request: ActionRequest, on data: SandboxData) -> ActionOutcome {
        let sig = request.signature
        for input in sig.inputs {
            if case .record(let type) = input.type, let ownerField = request.owners[type],
               case .text(let owner)? = request.arguments[input.name]?[field: ownerField], owner != request.customerID {
                return .refused("the \(type.lowercased()) belongs to another customer")
            }
        }
        let given = sig.inputs.filter { $0.type != .identity }.compactMap { i in request.arguments[i.name].map { (i.name, $0) } }
        var outputs: [String: RuntimeValue] = [:]
        for output in sig.outputs {
            guard case .record(let type) = output.type else { continue }
            let candidates = data.records[type] ?? []
            let owner = request.owners[type]
            let matches = candidates.filter { r in given.allSatisfy { _, v in SandboxActions.holds(r, v) } }
            if sig.effect == "read", let owner {
                let own = (given.isEmpty ? candidates : matches).filter { r in
                    if case .text(let o)? = r[field: owner] { return o == request.customerID }
                    return false
                }
                if let found = own.first { outputs[output.name] = found; continue }
                if !matches.isEmpty && !given.isEmpty { return .refused("that \(type.lowercased()) belongs to another customer") }
                return .notFound("no \(type.lowercased()) matches " + given.map { "\($0.0.replacingOccurrences(of: "_", with: " ")) \(Turn.format($0.1))" }.joined(separator: " and "))
            }
            guard !given.isEmpty, let found = matches.first else {
                return .notFound("no \(type.lowercased()) matches the details given")
            }
            outputs[output.name] = found
        }
        return .done(outputs)
    }
}
