/// An exact amount of money: integer minor units and an ISO 4217 currency.
public struct MoneyLiteral: Hashable, Sendable, CustomStringConvertible {
    /// Minor units (cents for USD).
    public var minorUnits: Int64
    /// ISO 4217 code.
    public var currency: String
    /// Makes an amount.
    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }
    /// `150.00 USD`.
    public var description: String {
        let exponent = Currency.exponent(of: currency)
        return "\(Currency.formatMinor(minorUnits, exponent: exponent)) \(currency)"
    }
}

/// A calendar date, as written `2026-11-20`.
public struct DateLiteral: Hashable, Sendable {
    /// The year.
    public var year: Int
    /// 1–12.
    public var month: Int
    /// 1–31.
    public var day: Int
}

/// A length of time: an amount of a unit.
public struct DurationLiteral: Hashable, Sendable {
    /// The unit of a duration.
    public enum Unit: String, Sendable, CaseIterable {
        case minutes, hours, days, weeks, months, years
    }
    /// How many.
    public var amount: Int
    /// Of what.
    public var unit: Unit
}

/// What currencies Mandate knows, and how many decimals each has.
public enum Currency {
    /// Minor-unit exponents of the ISO 4217 currencies Mandate accepts.
    public static let exponents: [String: Int] = [
        "USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CHF": 2, "SEK": 2, "NOK": 2,
        "DKK": 2, "PLN": 2, "CZK": 2, "INR": 2, "BRL": 2, "MXN": 2, "CNY": 2, "SGD": 2, "HKD": 2,
        "ZAR": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3,
    ]
    /// Symbols written before an amount.
    public static let symbols: [String: String] = ["$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"]

    /// The exponent of a code (2 when unknown).
    public static func exponent(of code: String) -> Int { exponents[code] ?? 2 }

    /// `8900, 2` → `89.00`.
    public static func formatMinor(_ minor: Int64, exponent: Int) -> String {
        let negative = minor < 0
        let magnitude = minor.magnitude
        guard exponent > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let whole = magnitude / divisor
        var fraction = String(magnitude % divisor)
        fraction = String(repeating: "0", count: exponent - fraction.count) + fraction
        return (negative ? "-" : "") + "\(whole).\(fraction)"
    }
}

/// Why a literal could not be read.
public struct LiteralError: Error, Sendable {
    /// In the operator's words.
    public var message: String
    /// What to write instead.
    public var help: String
}

/// Reads the literal forms shared by procedures and YAML files.
public enum LiteralParser {
    /// `$150`, `$1,250.50`, `150 USD`, `89.00 USD`, `€20.50`, `USD 150`.
    public static func money(_ text: String) -> Result<MoneyLiteral, LiteralError> {
        // `$150`, `$1,250.50` held in a small string (as nearly every amount in a procedure
        // is): read from the string's bits, with no byte view; any other text, and any
        // amount that is wrong, takes the general way (which says what is wrong).
        if let minor = smallNumber(text, skippingFirst: 0x24, last: nil, commas: true) {
            return .success(MoneyLiteral(minorUnits: minor, currency: "USD"))
        }
        return moneyInGeneral(text)
    }

    /// The value of a small ASCII string (15 bytes or fewer) of digits with at most one `.`
    /// and at most two decimals, scaled by 100: `1,250.5` → 125050. `first` and `last`, when
    /// given, must be its first and last bytes and are not read as the number; `commas` lets
    /// `,` stand before the point (and nowhere after it). Nil for any other text (no digit,
    /// two points, a third decimal, a blank, a longer or non-ASCII string): the callers then
    /// read it the general way, so this says only what that way would say on success.
    @inline(__always) static func smallNumber(_ text: String, skippingFirst first: UInt8?, last: UInt8?, commas: Bool) -> Int64? {
        guard SmallWords.enabled else { return nil }
        let x = unsafeBitCast(text, to: (UInt64, UInt64).self)
        guard x.1 >> 60 == 0xE else { return nil }
        var n = Int((x.1 >> 56) & 0x0F)
        let bytes = UInt128(x.0) | UInt128(x.1 & 0x00FF_FFFF_FFFF_FFFF) << 64
        var k = 0
        if let first {
            guard n > 0, UInt8(truncatingIfNeeded: bytes) == first else { return nil }
            k = 1
        }
        if let last {
            guard n > k, UInt8(truncatingIfNeeded: bytes >> UInt128(8 * (n - 1))) == last else { return nil }
            n -= 1
        }
        // At most 14 digits: the whole part stays below the general way's limit (10^15).
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var decimals = -1
        var digits = 0
        while k < n {
            let byte = UInt8(truncatingIfNeeded: bytes >> UInt128(8 * k))
            k += 1
            let d = byte &- 0x30
            if d < 10 {
                digits += 1
                if decimals < 0 {
                    whole = whole &* 10 &+ Int64(d)
                } else {
                    decimals += 1
                    guard decimals <= 2 else { return nil }
                    fraction = fraction &* 10 &+ Int64(d)
                }
            } else if byte == 0x2E, decimals < 0 {
                decimals = 0
            } else if byte == 0x2C, commas, decimals < 0 {
                continue
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        return whole &* 100 &+ fraction &* (decimals == 1 ? 10 : decimals == 2 ? 1 : 100)
    }

    /// `money(_:)` without its fast path: every form, and the errors.
    static func moneyInGeneral(_ text: String) -> Result<MoneyLiteral, LiteralError> {
        // `$150`, `$1,250.50` (ASCII, no blanks: as almost every amount in a procedure is
        // written): the same result as the general path below, without its string work.
        if let first = text.utf8.first, first == 0x24, text.utf8.count > 1,
           !text.utf8.contains(where: { $0 >= 0x80 || $0 == 0x20 || $0 == 0x09 })
        {
            // Read on the bytes after `$`; the number's text is made only for an error.
            switch decimal(text.utf8.dropFirst(), exponent: 2, text: { String(Substring(text).dropFirst()) }) {
            case .success(let minor): return .success(MoneyLiteral(minorUnits: minor, currency: "USD"))
            case .failure(let error): return .failure(error)
            }
        }
        let trimmed = text.trimmingSpaces()
        var currency: String?
        var number = trimmed
        if let first = trimmed.first, let code = Currency.symbols[String(first)] {
            currency = code
            number = String(trimmed.dropFirst()).trimmingSpaces()
        }
        // One part when there is no space at all (`$150`), without splitting characters.
        let parts = !number.isEmpty && !number.utf8.contains(0x20) ? [number]
            : number.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if parts.count == 2 {
            if parts[1].count == 3, parts[1].allSatisfy({ $0.isUppercase }) {
                guard currency == nil || currency == parts[1] else {
                    return .failure(LiteralError(message: "`\(text)` names two currencies", help: "write either `$150` or `150 USD`"))
                }
                currency = parts[1]
                number = parts[0]
            } else if parts[0].count == 3, parts[0].allSatisfy({ $0.isUppercase }), currency == nil {
                currency = parts[0]
                number = parts[1]
            }
        } else if parts.count != 1 {
            return .failure(LiteralError(message: "`\(text)` is not an amount of money", help: "write an amount and a currency, such as `150 USD` or `$150`"))
        }
        guard let code = currency else {
            return .failure(LiteralError(message: "`\(text)` has no currency", help: "write the currency, such as `\(text) USD` or `$\(text)`"))
        }
        guard let exponent = Currency.exponents[code] else {
            return .failure(LiteralError(
                message: "`\(code)` is not a currency Mandate knows",
                help: "use an ISO 4217 code such as USD, EUR or GBP"))
        }
        switch decimal(number, exponent: exponent) {
        case .success(let minor): return .success(MoneyLiteral(minorUnits: minor, currency: code))
        case .failure(let error): return .failure(error)
        }
    }

    /// An exact decimal scaled by 10^exponent: `1,250.50`, 2 → 125050.
    public static func decimal(_ text: String, exponent: Int) -> Result<Int64, LiteralError> {
        decimal(text.utf8, exponent: exponent, text: { text })
    }

    /// `decimal(_:exponent:)` on the bytes of a text; `text` makes the text, for an error.
    static func decimal<Bytes: Collection<UInt8>>(_ bytes: Bytes, exponent: Int, text makeText: () -> String) -> Result<Int64, LiteralError> {
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var digits = 0
        for ch in bytes {
            switch ch {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let d = Int64(ch - UInt8(ascii: "0"))
                digits += 1
                if seenPoint {
                    fractionDigits += 1
                    if fractionDigits > exponent {
                        return .failure(LiteralError(
                            message: "`\(makeText())` has more decimal places than the currency allows (\(exponent))",
                            help: "round the amount to \(exponent) decimal places"))
                    }
                    fraction = fraction * 10 + d
                } else {
                    let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(d)
                    if o1 || o2 || a > 1_000_000_000_000_000 {
                        return .failure(LiteralError(message: "`\(makeText())` is too large an amount", help: "write an amount below one quadrillion"))
                    }
                    whole = a
                }
            case UInt8(ascii: "."):
                if seenPoint {
                    return .failure(LiteralError(message: "`\(makeText())` has two decimal points", help: "write an amount such as `150.50`"))
                }
                seenPoint = true
            case UInt8(ascii: ","):
                if seenPoint {
                    return .failure(LiteralError(message: "`\(makeText())` has a comma after the decimal point", help: "write an amount such as `1,250.50`"))
                }
            default:
                return .failure(LiteralError(message: "`\(makeText())` is not a number", help: "write digits, such as `150` or `150.50`"))
            }
        }
        guard digits > 0 else {
            return .failure(LiteralError(message: "`\(makeText())` has no digits", help: "write an amount such as `150`"))
        }
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        var fractionScale: Int64 = 1
        for _ in 0..<(exponent - fractionDigits) { fractionScale *= 10 }
        return .success(whole * scale + fraction * fractionScale)
    }

    /// `2026-11-20`, checked against the calendar.
    public static func date(_ text: String) -> DateLiteral? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1
        else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days ? DateLiteral(year: y, month: m, day: d) : nil
    }

    /// The unit a word names (`day`, `days`, `hrs`…).
    public static func durationUnit(_ word: String) -> DurationLiteral.Unit? {
        Vocabulary.durationUnits[word]
    }

    /// `80%`, `12.5%` → hundredths of a percent (8000, 1250).
    public static func percent(_ text: String) -> Int? {
        // `80%`, `12.5%` held in a small string: read from its bits (see `money(_:)`).
        if let v = smallNumber(text, skippingFirst: nil, last: 0x25, commas: false) { return Int(v) }
        return percentInGeneral(text)
    }

    /// `percent(_:)` without its fast path.
    static func percentInGeneral(_ text: String) -> Int? {
        guard text.hasSuffix("%") else { return nil }
        guard case .success(let v) = decimal(String(text.dropLast()).trimmingSpaces(), exponent: 2) else { return nil }
        return Int(v)
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        // Nothing to trim when neither end is a space or tab byte (a character that is a space
        // or tab is exactly that byte): no walk over characters.
        if let f = utf8.first, let l = utf8.last, f != 0x20, f != 0x09, l != 0x20, l != 0x09 { return self }
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
