import Foundation
import MandateIR

/// A piece of a message for value extraction: a number as written, a word, or a symbol.
struct Lexeme: Sendable, Equatable {
    enum Kind: Sendable { case number, word, symbol }
    var kind: Kind
    /// The text, lowercase; numbers without their thousands commas.
    var text: String
    /// Whether a space came before it.
    var spaced: Bool

    /// Splits normalised message bytes. `1,299.50` is one number; `20th` is a number and a word.
    static func lex(_ message: String) -> [Lexeme] {
        let bytes = MessageText(message).bytes
        var out: [Lexeme] = []
        var i = 0
        var spaced = true
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D { spaced = true; i += 1; continue }
            var j = i
            if isDigit(b) {
                var digits: [UInt8] = []
                while j < bytes.count {
                    if isDigit(bytes[j]) { digits.append(bytes[j]); j += 1; continue }
                    // A thousands comma: `1,299` (exactly three digits follow).
                    if bytes[j] == 0x2C, j + 3 < bytes.count, bytes[(j + 1)..<(j + 4)].allSatisfy(isDigit),
                       j + 4 == bytes.count || !isDigit(bytes[j + 4]) {
                        j += 1
                        continue
                    }
                    // A decimal point followed by a digit.
                    if bytes[j] == 0x2E, j + 1 < bytes.count, isDigit(bytes[j + 1]), !digits.contains(0x2E) {
                        digits.append(0x2E)
                        j += 1
                        continue
                    }
                    break
                }
                out.append(Lexeme(kind: .number, text: String(decoding: digits, as: UTF8.self), spaced: spaced))
            } else if isLetter(b) {
                while j < bytes.count, isLetter(bytes[j]) || bytes[j] == 0x27 { j += 1 }
                out.append(Lexeme(kind: .word, text: String(decoding: bytes[i..<j], as: UTF8.self).replacingOccurrences(of: "'", with: ""), spaced: spaced))
            } else {
                // One symbol, a whole UTF-8 character (`€`, `£`).
                j += 1
                while j < bytes.count, bytes[j] & 0xC0 == 0x80 { j += 1 }
                out.append(Lexeme(kind: .symbol, text: String(decoding: bytes[i..<j], as: UTF8.self), spaced: spaced))
            }
            spaced = false
            i = j
        }
        return out
    }
}

/// Numbers, money, percents, durations and emails in a message.
enum EntityNumbers {
    static let numberWords: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
        "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
    ]

    /// The first number: digits (`-3`, `1,299.5`) or a number word (`three`).
    static func number(in message: String) -> Decimal? {
        let lexemes = Lexeme.lex(message)
        for (i, l) in lexemes.enumerated() where l.kind == .number {
            let negative = i > 0 && lexemes[i - 1].text == "-" && !l.spaced && (i == 1 || lexemes[i - 1].spaced)
            return Decimal(string: (negative ? "-" : "") + l.text, locale: Locale(identifier: "en_US_POSIX"))
        }
        for l in lexemes where l.kind == .word { if let n = numberWords[l.text] { return Decimal(n) } }
        return nil
    }

    // MARK: Money

    /// Currency words and symbols; `$` and "dollars" mean the project's dollar when it has one.
    static let currencyWords: [String: String] = [
        "usd": "USD", "eur": "EUR", "euro": "EUR", "euros": "EUR", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
        "quid": "GBP", "cad": "CAD", "aud": "AUD", "nzd": "NZD", "jpy": "JPY", "yen": "JPY", "chf": "CHF",
        "sek": "SEK", "nok": "NOK", "dkk": "DKK", "inr": "INR", "rupees": "INR", "mxn": "MXN", "sgd": "SGD", "hkd": "HKD",
        "€": "EUR", "£": "GBP", "¥": "JPY",
    ]
    static let dollarWords: Set<String> = ["$", "dollar", "dollars", "bucks", "buck", "usd$"]
    static let dollarCurrencies: Set<String> = ["USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"]


    /// `"89.5"` at exponent 2 → 8950; nil when it has more decimals than the currency.
    static func minorUnits(_ text: String, exponent: Int) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.count > exponent, fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= exponent else { return nil }
        fraction += String(repeating: "0", count: exponent - fraction.count)
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let (product, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        return product + (Int64(fraction) ?? 0)
    }

    /// The currency a word or symbol names, if any.
    static func currency(of text: String, project: String) -> String? {
        if dollarWords.contains(text) { return dollarCurrencies.contains(project) ? project : "USD" }
        if text == project.lowercased() { return project }
        return currencyWords[text]
    }

    /// The first amount: `$89`, `89 dollars`, `89.00 USD`, `USD 89`, `€20`, `50 cents`. A message
    /// with one bare number and no other is that amount in the project's currency.
    static func money(in message: String, currency project: String) -> Money? {
        let l = Lexeme.lex(message)
        for i in l.indices where l[i].kind == .number {
            // Before: `$89`, `usd 89`, `us$ 89`.
            if i > 0, let code = currency(of: l[i - 1].text, project: project) {
                if let minor = minorUnits(l[i].text, exponent: Money.exponent(of: code)) { return Money(minor: minor, currency: code) }
            }
            // After: `89 dollars`, `89.00 usd`, `20€`, `50 cents`.
            if i + 1 < l.count {
                let next = l[i + 1].text
                if next == "cents" || next == "cent" || next == "c" && !l[i + 1].spaced {
                    if let minor = Int64(l[i].text) { return Money(minor: minor, currency: project) }
                }
                if let code = currency(of: next, project: project),
                   let minor = minorUnits(l[i].text, exponent: Money.exponent(of: code)) { return Money(minor: minor, currency: code) }
            }
        }
        let numbers = l.filter { $0.kind == .number }
        if numbers.count == 1, !l.contains(where: { $0.text == "%" || $0.text == "percent" }),
           let minor = minorUnits(numbers[0].text, exponent: Money.exponent(of: project)) {
            return Money(minor: minor, currency: project)
        }
        return nil
    }

    // MARK: Percent

    /// `15%`, `15 percent`, `12.5 per cent` → hundredths of a percent (1500, 1250).
    static func percent(in message: String) -> Int? {
        let l = Lexeme.lex(message)
        for i in l.indices where l[i].kind == .number && i + 1 < l.count {
            let next = l[i + 1].text
            let isPercent = next == "%" || next == "percent" || next == "pct"
                || (next == "per" && i + 2 < l.count && l[i + 2].text == "cent")
            if isPercent, let bp = minorUnits(l[i].text, exponent: 2), bp <= Int64(Int.max) { return Int(bp) }
        }
        return nil
    }

    // MARK: Duration

    static let units: [String: String] = [
        "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
        "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours",
        "day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "wk": "weeks", "wks": "weeks",
        "month": "months", "months": "months", "mo": "months", "mos": "months", "mth": "months", "mths": "months",
        "year": "years", "years": "years", "yr": "years", "yrs": "years",
    ]

    /// `2 months`, `two weeks`, `a month`, `a couple of days`, `a fortnight`, `30-day`.
    static func duration(in message: String) -> (amount: Int, unit: String)? {
        let l = Lexeme.lex(message)
        for i in l.indices {
            if l[i].text == "fortnight" { return (2, "weeks") }
            guard let unit = units[l[i].text], i > 0 else { continue }
            var k = i - 1
            if l[k].text == "-" || l[k].text == "of", k > 0 { k -= 1 }
            let w = l[k].text
            if l[k].kind == .number, let n = Int(w) { return (n, unit) }
            if let n = numberWords[w] { return (n, unit) }
            if w == "a" || w == "an" || w == "one" { return (1, unit) }
            if w == "couple" { return (2, unit) }
            if w == "few" { return (3, unit) }
        }
        return nil
    }

    // MARK: Email

    /// The first email address, as written.
    static func email(in message: String) -> String? {
        let chars = Array(message.unicodeScalars)
        func local(_ c: Unicode.Scalar) -> Bool {
            c.isASCII && (CharacterSet.alphanumerics.contains(c) || "._%+-".unicodeScalars.contains(c))
        }
        func domain(_ c: Unicode.Scalar) -> Bool { c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "." || c == "-") }
        for (at, c) in chars.enumerated() where c == "@" {
            var s = at
            while s > 0, local(chars[s - 1]) { s -= 1 }
            var e = at + 1
            while e < chars.count, domain(chars[e]) { e += 1 }
            while e > at + 1, chars[e - 1] == "." || chars[e - 1] == "-" { e -= 1 }
            while s < at, chars[s] == "." { s += 1 }
            guard s < at, e > at + 1 else { continue }
            let host = String(String.UnicodeScalarView(chars[(at + 1)..<e]))
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), let tld = labels.last, tld.count >= 2,
                  tld.allSatisfy(\.isLetter) else { continue }
            return String(String.UnicodeScalarView(chars[s..<at])) + "@" + host.lowercased()
        }
        return nil
    }
}
