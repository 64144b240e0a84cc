import Foundation
import MandateCLI
import MandateIR
import MandateRuntime
import MandateScenarios
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `mandate test`, end to end from the command line, on Procedures/ and Examples/.
@Suite struct ScenarioCommandTests {
    func mandate(_ arguments: [String]) -> (exit: Int32, out: String, err: String) {
        let (console, captured) = Console.capturing()
        let exit = MandateCommand.run(arguments: arguments, console: console)
        return (exit, captured().out, captured().err)
    }

    func path(_ p: String) -> String { repositoryRoot.appendingPathComponent(p).path }

    @Test func theReferenceProjectsScenariosPassAndCoverAtLeast90Percent() throws {
        let r = mandate(["test", path("Procedures"), "--min-coverage", "90", "--coverage", "--coverage-format", "json"])
        #expect(r.exit == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("0 failed"))
        #expect(!r.out.contains("✘"))
        // Issue #5: at least 90% of the steps and, separately, of the guardrail clauses.
        let start = try #require(r.out.firstIndex(of: "{"))
        let coverage = try JSONDecoder().decode(Coverage.self, from: Data(r.out[start...].utf8))
        #expect(Coverage.percent(coverage.steps) >= 90, "\(coverage.text())")
        #expect(Coverage.percent(coverage.clauses) >= 90, "\(coverage.text())")
    }

    @Test func exampleScenariosPass() {
        let r = mandate(["test", path("Examples/refund-limits")])
        #expect(r.exit == 0, "\(r.out)\(r.err)")
        #expect(r.out.hasSuffix("2 scenarios: 2 passed, 0 failed\n"))
    }

    @Test func aFailingScenarioShowsExpectedAgainstActualTheTraceAndTheSteps() {
        let r = mandate(["test", path("Examples/failing-scenario")])
        #expect(r.exit == 1)
        Corpus.golden(repositoryRoot.appendingPathComponent("Examples/failing-scenario/expected-test-output.txt"), r.out)
    }

    @Test func junitReportsTheFailureAsXML() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-junit-\(UUID().uuidString).xml")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = mandate(["test", path("Examples/failing-scenario"), "--junit", file.path])
        #expect(r.exit == 1)
        let xml = try XMLDocument(contentsOf: file)
        let suite = try #require(xml.rootElement())
        #expect(suite.attribute(forName: "tests")?.stringValue == "1")
        #expect(suite.attribute(forName: "failures")?.stringValue == "1")
        let failures = try xml.nodes(forXPath: "//testcase/failure")
        #expect(failures.count == 1)
        #expect(failures.first?.stringValue?.contains("expected:") == true)
    }

    @Test func filterSelectsScenariosAndAnUnknownFilterIsAUsageError() {
        let r = mandate(["test", path("Procedures"), "--filter", "forgot the password"])
        #expect(r.exit == 0)
        #expect(r.out.contains("1 scenario: 1 passed"))
        #expect(mandate(["test", path("Procedures"), "--filter", "no-such-scenario"]).exit == 64)
    }

    @Test func coverageListsWhatNoScenarioExercisedAndMinCoverageFails() throws {
        let text = mandate(["test", path("Examples/refund-limits"), "--coverage"])
        #expect(text.exit == 0)
        #expect(text.out.contains("guardrail clauses"))
        #expect(text.out.contains("refunds.goal.yaml:"))
        let json = mandate(["test", path("Examples/refund-limits"), "--coverage", "--coverage-format", "json"])
        let start = try #require(json.out.firstIndex(of: "{"))
        let coverage = try JSONDecoder().decode(Coverage.self, from: Data(json.out[start...].utf8))
        // The procedure hands the $160 refund off before the runtime limit could trip: that clause stays uncovered.
        #expect(coverage.clauses.first { $0.id == "refund-delivered-orders:refunds.max_by_tier:standard" }?.covered == false)
        #expect(coverage.steps.contains { $0.covered })
        let low = mandate(["test", path("Examples/refund-limits"), "--min-coverage", "100"])
        #expect(low.exit == 1)
        #expect(low.err.contains("below the minimum"))
    }

    @Test func aBrokenScenarioFileIsReportedNotCrashed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-scn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for f in ["mandate.yaml", "actions.yaml", "refunds.goal.yaml", "refund.procedure"] {
            try FileManager.default.copyItem(atPath: path("Examples/failing-scenario/\(f)"), toPath: dir.appendingPathComponent(f).path)
        }
        try "name: no customer\nturns:\n  - customer: hi\n".write(to: dir.appendingPathComponent("x.test.yaml"), atomically: true, encoding: .utf8)
        let r = mandate(["test", dir.path])
        #expect(r.exit == 1)
        #expect(r.out.contains("cannot be run"))
    }

    @Test func simulationReportsMetricsAndEveryExpectedOutcomeHolds() throws {
        let r = mandate(["simulate", path("Examples/refund-limits"), "--conversations", path("Examples/refund-limits/conversations.jsonl"), "--format", "json"])
        #expect(r.exit == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let metrics = try #require(object["metrics"] as? [String: Any])
        #expect(metrics["conversations"] as? Int == 12)
        #expect(metrics["matchedOutcomes"] as? Int == 12)
        let refunds = try #require(metrics["refunds"] as? [String: Any])
        #expect(refunds["aboveLimit"] as? Int == 0)
        #expect(r.err.contains("turns/s"))
    }

    @Test func aBaselineComparisonFindsTheConversationsALimitChangeMoves() throws {
        // The baseline is the same project with the standard self-service limit at $100 instead of $150:
        // exactly the $120, $149.99 and $150 refunds of standard customers change outcome.
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("mandate-baseline-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        try fm.copyItem(atPath: path("Examples/refund-limits"), toPath: dir.path)
        let procedure = dir.appendingPathComponent("refund-delivered-order.procedure")
        let text = try String(contentsOf: procedure, encoding: .utf8)
        try text.replacingOccurrences(of: "more than $150, escalate to billing because \"refund above the $150",
                                      with: "more than $100, escalate to billing because \"refund above the $100")
            .write(to: procedure, atomically: true, encoding: .utf8)
        let plan = dir.appendingPathComponent("old.plan.json").path
        #expect(mandate(["compile", dir.path, "-o", plan]).exit == 0)
        let r = mandate(["simulate", path("Examples/refund-limits"), "--conversations", path("Examples/refund-limits/conversations.jsonl"),
                         "--baseline", plan, "--format", "json"])
        #expect(r.exit == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let comparison = try #require(object["comparison"] as? [String: Any])
        let changed = try #require(comparison["changed"] as? [[String: Any]])
        #expect(changed.compactMap { $0["id"] as? String } == ["rl-03", "rl-04", "rl-05"])
        #expect(changed.allSatisfy { $0["before"] as? String == "escalated to billing" && $0["after"] as? String == "resolved as refund_issued" })
        // The HTML report links each changed conversation to its two traces, and loads nothing from the network.
        let html = dir.appendingPathComponent("report.html").path
        #expect(mandate(["simulate", path("Examples/refund-limits"), "--conversations", path("Examples/refund-limits/conversations.jsonl"),
                         "--baseline", plan, "-o", html]).exit == 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg"))
        #expect(page.contains("href=\"#baseline-rl-03\"") && page.contains("id=\"baseline-rl-03\""))
        #expect(page.contains("href=\"#current-rl-03\"") && page.contains("id=\"current-rl-03\""))
        #expect(!page.contains("src=") && !page.contains("href=\"http"))
    }

    @Test func suggestWritesBoundaryScenariosThatSplitAtTheEdge() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("mandate-suggest-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        try fm.copyItem(atPath: path("Procedures"), toPath: dir.path)
        let out = dir.appendingPathComponent("tests/suggested").path
        let r = mandate(["test", dir.path, "--suggest", "--now", "2026-11-28T10:00:00Z"])
        #expect(r.exit == 0, "\(r.err)")
        func outcome(_ name: String) throws -> String? {
            let text = try String(contentsOfFile: "\(out)/\(name).test.yaml", encoding: .utf8)
            return text.split(separator: "\n").last { $0.contains("outcome:") }.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        // The per-refund limit: at it the refund goes through, one cent above it does not.
        #expect(try outcome("resolve-order-issues-refund-at-standard-tier-limit") == "outcome: resolved as refund_issued")
        #expect(try outcome("resolve-order-issues-refund-one-cent-above-standard-tier-limit") == "outcome: escalated to billing")
        // The damage window: delivered 30 days ago is inside it, 31 days ago is not.
        #expect(try outcome("refund-damaged-item-delivered-30-days-ago") == "outcome: resolved as refund_issued")
        #expect(try outcome("refund-damaged-item-delivered-31-days-ago") == "outcome: escalated to returns")
        // A shipped order has no delivery date yet, and is expected after it shipped.
        let shipped = try String(contentsOfFile: "\(out)/where-is-my-order-shipped-10-days-ago.test.yaml", encoding: .utf8)
        #expect(!shipped.contains("delivered_at"))
        // Its first message is one the agent acts on, not one it asks to clarify.
        #expect(shipped.contains("intent: order_status"), "\(shipped)")
        #expect(try outcome("where-is-my-order-shipped-11-days-ago") == "outcome: escalated to tier-1")
        #expect(shipped.contains("shipped_at: \"2026-11-18\"") && shipped.contains("expected_at: \"2026-11-21\""), "\(shipped)")
        // Suggestions are valid scenarios: the project's tests, suggestions included, pass.
        let run = mandate(["test", dir.path])
        #expect(run.exit == 0, "\(run.out)")
        #expect(run.out.contains("suggested/"))
    }
}


/// `mandate run`, end to end from the command line.
@Suite struct RunCommandTests {
    func mandate(_ arguments: [String]) -> (exit: Int32, out: String, err: String) {
        let (console, captured) = Console.capturing()
        let exit = MandateCommand.run(arguments: arguments, console: console)
        return (exit, captured().out, captured().err)
    }

    func path(_ p: String) -> String { repositoryRoot.appendingPathComponent(p).path }

    @Test func aScriptedConversationRefundsAndExplainsEachDecision() {
        let r = mandate(["run", path("Procedures"), "--script", path("Examples/conversations/refund-stand-mixer.yaml"), "--explain"])
        #expect(r.exit == 0, "\(r.err)")
        #expect(r.out.contains("agent: Shall I refund $89.00 for order 1042"))
        #expect(r.out.contains("[action] issue_refund amount=$89.00 customer_id=C-1001 order=1042"))
        #expect(r.out.contains("refund-delivered-order.procedure:24  step 7: the condition does not hold"))
        #expect(r.out.contains("[resolved] refund_issued"))
    }

    @Test func jsonLinesFromACompiledPlan() throws {
        // The binary form: the runtime decodes its procedures as the conversation reaches them.
        let plan = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-run-\(UUID().uuidString).mplan").path
        defer { try? FileManager.default.removeItem(atPath: plan) }
        #expect(mandate(["compile", path("Procedures"), "-o", plan]).exit == 0)
        let r = mandate(["run", plan, "--fixtures", path("Procedures/sandbox.yaml"), "--script", path("Examples/conversations/refund-stand-mixer.yaml"), "--json"])
        #expect(r.exit == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.allSatisfy { $0 != nil })
        let effects = lines.compactMap { $0?["effect"] as? [String: Any] }
        #expect(effects.contains { $0["kind"] as? String == "action" && $0["name"] as? String == "issue_refund" })
        #expect((lines.last??["end"] as? [String: Any])?["status"] as? String == "resolved as refund_issued")
    }

    @Test func anUnknownCustomerOrAnEditedPlanIsAClearError() throws {
        let r = mandate(["run", path("Procedures"), "--customer", "C-9999", "--script", path("Examples/conversations/refund-stand-mixer.yaml")])
        #expect(r.exit == 64)
        #expect(r.err.contains("there is no customer `C-9999`"))
        let plan = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-edit-\(UUID().uuidString).plan.json").path
        defer { try? FileManager.default.removeItem(atPath: plan) }
        #expect(mandate(["compile", path("Procedures"), "-o", plan]).exit == 0)
        let text = try String(contentsOfFile: plan, encoding: .utf8).replacingOccurrences(of: "\"15000\"", with: "\"99999\"")
            .replacingOccurrences(of: "150.00", with: "999.00")
        try text.replacingOccurrences(of: "\"minor\" : 15000", with: "\"minor\" : 99900").write(toFile: plan, atomically: true, encoding: .utf8)
        let edited = mandate(["run", plan, "--script", path("Examples/conversations/refund-stand-mixer.yaml")])
        #expect(edited.exit == 1)
        #expect(edited.err.contains("changed after it was compiled"))
    }
}

/// `mandate run --store`, `mandate trace` and `mandate ledger`, end to end.
@Suite struct StoreCommandTests {
    func mandate(_ arguments: [String]) -> (exit: Int32, out: String, err: String) {
        let (console, captured) = Console.capturing()
        let exit = MandateCommand.run(arguments: arguments, console: console)
        return (exit, captured().out, captured().err)
    }

    func path(_ p: String) -> String { repositoryRoot.appendingPathComponent(p).path }

    @Test func aStoredConversationHasATraceAndItsRefundStaysInTheLedger() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("m.sqlite").path
        let script = path("Examples/conversations/refund-stand-mixer.yaml")
        let first = mandate(["run", path("Procedures"), "--script", script, "--store", store, "--conversation", "first"])
        #expect(first.exit == 0, "\(first.err)")
        #expect(first.out.contains("[resolved] refund_issued"))
        // Another run, another process's worth of state: the refund is in the ledger, so order 1042 is not refunded twice.
        let second = mandate(["run", path("Procedures"), "--script", script, "--store", store, "--conversation", "second"])
        #expect(second.out.contains("[hand-off]"))
        #expect(!second.out.contains("[action] issue_refund"))
        let trace = mandate(["trace", "first", "--store", store])
        #expect(trace.exit == 0)
        #expect(trace.out.contains("refund-delivered-order.procedure:27  `issue_refund` done"))
        let ledger = mandate(["ledger", "--customer", "C-1001", "--store", store])
        #expect(ledger.out.contains("issue_refund") && ledger.out.contains("89.00 USD"))
        #expect(ledger.out.split(separator: "\n").filter { $0.contains("issue_refund") }.count == 1)
        #expect(mandate(["trace", "nobody", "--store", store]).exit == 64)
        #expect(mandate(["ledger", "--store", dir.appendingPathComponent("none.sqlite").path]).exit == 66)
    }
}
