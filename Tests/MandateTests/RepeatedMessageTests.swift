import Foundation
import MandateIR
import MandateRuntime
import Testing

/// `same_question_repeated`: a customer writing the same request again is handed off; answering
/// the agent's yes/no questions with the same word is not repeating anything.
@Suite struct RepeatedMessageTests {
    let fixtures: [String: Any] = ["orders": [orderFixture(id: "1042", customer: "C-1001", total: "89.00 USD"),
                                              orderFixture(id: "1044", customer: "C-1001", total: "35.00 USD")]]

    @Test func aSecondYesToAnotherConfirmationIsNotARepeatedQuestion() throws {
        var h = try Harness(customer: dana, fixtures: fixtures)
        _ = h.say("can I get a refund for order 1042", intent: "refund_request")
        #expect(h.say("yes").contains { if case .action("issue_refund", _) = $0 { true } else { false } })
        #expect(says(h.say("and a refund for order 1044 too", intent: "refund_request")).contains("Shall I refund $35.00 for order 1044"))
        let second = h.say("yes")
        #expect(handoff(second) == nil)
        #expect(second.contains(.action(name: "issue_refund", arguments: ["amount": "$35.00", "order": "1044", "customer_id": "C-1001"])))
    }

    @Test func theSameRequestTwiceIsStillHandedOff() throws {
        var h = try Harness(customer: dana, fixtures: fixtures)
        _ = h.say("where is my refund", intent: "refund_request")
        let again = h.say("where is my refund", intent: "refund_request")
        #expect(handoff(again)?.reason == "the customer wrote the same message 2 times")
    }
}

@Suite struct RepeatedAnswerTests {
    let fixtures: [String: Any] = ["orders": [orderFixture(id: "1042", customer: "C-1001", total: "89.00 USD")]]

    /// Giving the same answer to a question asked again in a new request repeats nothing.
    @Test func theSameAnswerInTwoRequestsIsNotARepeatedQuestion() throws {
        var h = try Harness(customer: dana, fixtures: fixtures)
        _ = h.say("I want a refund", intent: "refund_request")
        #expect(says(h.say("1042")).contains("Shall I refund $89.00 for order 1042"))
        _ = h.say("no")
        _ = h.say("actually, can I get that refund after all", intent: "refund_request")
        let again = h.say("1042")
        #expect(handoff(again) == nil)
        #expect(says(again).contains("Shall I refund $89.00 for order 1042"))
    }

    /// A request written again while the agent waits for an answer still counts.
    @Test func aRequestRepeatedWhileTheAgentWaitsIsHandedOff() throws {
        var h = try Harness(customer: dana, fixtures: fixtures)
        _ = h.say("where is my refund", intent: "refund_request")
        let again = h.say("where is my refund")
        #expect(handoff(again)?.reason == "the customer wrote the same message 2 times")
    }
}
