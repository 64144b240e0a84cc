import Foundation
import MandateIR
import MandateSyntax
@testable import MandateRuntime
import Testing

/// Saturday 2026-11-28.
let extractionToday = CalendarDate(year: 2026, month: 11, day: 28)!

@Suite struct EntityExtractionTests {
    let usd = EntityExtractor(currency: "USD")

    func value(_ type: ValueType, _ message: String, pattern: String? = nil, choices: [String] = []) -> RuntimeValue? {
        usd.extract(type, pattern: pattern, choices: choices, from: message, today: extractionToday)
    }

    @Test(arguments: [
        ("refund order #58213 please", "58213"),
        ("can I get a refund for order 1042", "1042"),
        ("pls refund 77120 i dont need it anymore", "77120"),
        ("I paid $1042 for order 30917", "30917"),
        ("order no. 44718 came with a dent", "44718"),
        ("it's 2026-11-20 and order 61032 still hasn't arrived", "61032"),
        ("my order number is: 88214", "88214"),
    ])
    func orderNumbersByThePattern(_ message: String, _ expected: String) {
        #expect(value(.text, message, pattern: "[0-9]{4,8}") == .text(expected))
    }

    @Test func noOrderNumberIsNil() {
        #expect(value(.text, "where is my order", pattern: "[0-9]{4,8}") == nil)
        #expect(value(.text, "it cost $64", pattern: "[0-9]{4,8}") == nil)
        #expect(value(.text, "order 123456789", pattern: "[0-9]{4,8}") == nil)
    }

    @Test(arguments: [
        ("$89", 8900, "USD"), ("it was 89 dollars", 8900, "USD"), ("89.00 USD", 8900, "USD"),
        ("USD 89.5", 8950, "USD"), ("$1,299.99 for the sofa", 129_999, "USD"), ("89", 8900, "USD"),
        ("about 64 bucks", 6400, "USD"), ("€20", 2000, "EUR"), ("50 cents", 50, "USD"), ("$ 12.40 on nov 3", 1240, "USD"),
        ("what is this $49.99 charge on my card", 4999, "USD"), ("20 euros", 2000, "EUR"),
    ] as [(String, Int64, String)])
    func money(_ message: String, _ minor: Int64, _ currency: String) {
        #expect(value(.money, message) == .money(Money(minor: minor, currency: currency)))
    }

    @Test func moneyThatIsNotThere() {
        #expect(value(.money, "refund order 30917 and 44718") == nil)
        #expect(value(.money, "I want my money back") == nil)
        #expect(value(.money, "$89.999") == nil)
    }

    @Test(arguments: [
        ("2026-11-20", "2026-11-20"), ("it arrived Nov 20", "2026-11-20"), ("on November 3rd", "2026-11-03"),
        ("20th of November", "2026-11-20"), ("11/20", "2026-11-20"), ("12/30/2025", "2025-12-30"),
        ("yesterday", "2026-11-27"), ("today", "2026-11-28"), ("tomorrow", "2026-11-29"),
        ("last Tuesday", "2026-11-24"), ("on Friday", "2026-11-27"), ("next monday", "2026-11-30"),
        ("3 days ago", "2026-11-25"), ("two weeks ago", "2026-11-14"), ("ordered on the 3rd", "2026-11-03"),
        ("Dec 30", "2026-12-30"), ("Oct 30", "2026-10-30"), ("Jan 2", "2027-01-02"), ("last night", "2026-11-27"),
        ("day before yesterday", "2026-11-26"), ("Nov. 20, 2025", "2025-11-20"),
    ])
    func dates(_ message: String, _ expected: String) {
        #expect(value(.date, message) == .date(CalendarDate(iso: expected)!), "\(message)")
    }

    @Test func datesThatAreNotThere() {
        #expect(value(.date, "where is my order") == nil)
        #expect(value(.date, "may I get a refund") == nil)
        #expect(value(.date, "2026-02-30") == nil)
    }

    @Test func datetime() {
        #expect(value(.datetime, "at 2026-11-20T14:30:00Z please") == .datetime(1_795_185_000))
    }

    @Test(arguments: [
        ("email me at Jane.Doe+acme@Example.COM please", "Jane.Doe+acme@example.com"),
        ("jane@example.co.uk.", "jane@example.co.uk"),
        ("my email is bob_smith@mail.example.org", "bob_smith@mail.example.org"),
    ])
    func emails(_ message: String, _ expected: String) {
        #expect(value(.email, message) == .text(expected))
    }

    @Test func notAnEmail() {
        #expect(value(.email, "send it to me @ home") == nil)
        #expect(value(.email, "a@b") == nil)
    }

    @Test(arguments: [("3 items", "3"), ("about 2.5", "2.5"), ("three of them", "3"), ("-4", "-4"), ("1,200 units", "1200")])
    func numbers(_ message: String, _ expected: String) {
        #expect(value(.number, message) == .number(Decimal(string: expected)!))
    }

    @Test(arguments: [
        ("pause it for 2 months", 2, "months"), ("two weeks", 2, "weeks"), ("a month", 1, "months"),
        ("a couple of days", 2, "days"), ("30-day trial", 30, "days"), ("1 yr", 1, "years"), ("a fortnight", 2, "weeks"),
    ] as [(String, Int, String)])
    func durations(_ message: String, _ amount: Int, _ unit: String) {
        #expect(value(.duration, message) == .duration(amount: amount, unit: unit))
    }

    @Test(arguments: [("15%", 1500), ("12.5 percent off", 1250), ("100 per cent", 10000)])
    func percents(_ message: String, _ basisPoints: Int) {
        #expect(value(.percent, message) == .percent(basisPoints))
    }

    @Test(arguments: [
        ("I'd like to pause it", "pause"), ("downgrade please", "downgrade"), ("puase", "pause"),
        ("lets downgrde", "downgrade"), ("store credit is fine", "store_credit"), ("the second one", "downgrade"),
        ("2", "downgrade"), ("cancel it completely", "cancel"),
    ])
    func choices(_ message: String, _ expected: String) {
        let choices = ["pause", "downgrade", "cancel", "store_credit"]
        #expect(value(.enumeration(choices), message) == .text(expected), "\(message)")
        #expect(value(.text, message, choices: choices) == .text(expected))
    }

    @Test func choicesThatAreUnclear() {
        let choices = ["pause", "downgrade", "cancel"]
        #expect(value(.enumeration(choices), "pause or downgrade, not sure") == nil)
        #expect(value(.enumeration(choices), "hmm what are my options") == nil)
    }

    @Test func booleansAndTextAndRecords() {
        #expect(value(.boolean, "yes please") == .boolean(true))
        #expect(value(.boolean, "hmm") == nil)
        #expect(value(.text, "  14 Elm Street, Apt 2 ") == .text("14 Elm Street, Apt 2"))
        #expect(value(.record("Order"), "order 1042") == nil)
    }
}

@Suite struct ConfirmationReaderTests {
    @Test(arguments: [
        ("yes", true), ("Yes please", true), ("sure", true), ("ok", true), ("yep go ahead", true), ("do it", true),
        ("sounds good", true), ("that's fine", true), ("Absolutely!", true), ("y", true), ("👍", true),
        ("no problem, go ahead", true), ("please", true), ("of course", true), ("yeah that works", true),
        ("no", false), ("no, don't", false), ("nope", false), ("don't do it", false), ("not now", false),
        ("never mind", false), ("no thanks", false), ("wait", false), ("I changed my mind", false), ("nah", false),
        ("please don't", false), ("stop", false), ("👎", false), ("not ok", false), ("hold on", false),
        ("not sure", nil), ("maybe", nil), ("yes... actually no", nil), ("what?", nil), ("", nil),
        ("I don't know", nil), ("where is my order", nil),
    ] as [(String, Bool?)])
    func answers(_ message: String, _ expected: Bool?) {
        #expect(ConfirmationReader.answer(message) == expected, "\(message)")
    }
}

@Suite struct CurrencyExponentTests {
    /// The compiler accepts a currency with the decimals `Currency.exponents` gives it; the
    /// runtime writes and reads amounts with `Money.exponent(of:)`: the two must agree.
    @Test func theCompilerAndTheRuntimeAgreeOnEveryCurrencysDecimals() {
        for (code, exponent) in Currency.exponents {
            #expect(Money.exponent(of: code) == exponent, "\(code)")
        }
        #expect(Money(minor: 1500, currency: "JPY").description == "1500 JPY")
        #expect(Money(minor: 1500, currency: "KWD").description == "1.500 KWD")
        #expect(Turn.formatMoney(Money(minor: -500, currency: "EUR")) == "-€5.00")
    }
}
