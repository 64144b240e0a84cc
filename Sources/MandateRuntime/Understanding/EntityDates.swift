import Foundation
import MandateIR

/// Dates in a message: `2026-11-20`, `11/20`, `Nov 20`, `20th of November`, `yesterday`,
/// `last Tuesday`, `3 days ago`, `on the 3rd`. A date written without a year is the one
/// nearest to today.
enum EntityDates {
    static let months: [String: Int] = [
        "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
        "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
        "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
    ]
    /// Monday is 0.
    static let weekdays: [String: Int] = [
        "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3, "thu": 3,
        "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
    ]
    static let ordinalSuffixes: Set<String> = ["st", "nd", "rd", "th"]

    /// Monday 0 … Sunday 6 (1970-01-01 was a Thursday).
    static func weekday(_ d: CalendarDate) -> Int { ((d.dayNumber + 3) % 7 + 7) % 7 }

    /// Month and day in the year nearest to today.
    static func nearest(month: Int, day: Int, today: CalendarDate) -> CalendarDate? {
        let year = today.components.year
        let candidates = [year - 1, year, year + 1].compactMap { CalendarDate(year: $0, month: month, day: day) }
        return candidates.min { abs($0.dayNumber - today.dayNumber) < abs($1.dayNumber - today.dayNumber) }
    }

    static func year(_ text: String) -> Int? {
        guard let n = Int(text) else { return nil }
        if text.count == 4 { return n }
        if text.count == 2 { return 2000 + n }
        return nil
    }

    /// The first date in the message.
    static func date(in message: String, today: CalendarDate) -> CalendarDate? {
        let l = Lexeme.lex(message)
        func text(_ i: Int) -> String? { i >= 0 && i < l.count ? l[i].text : nil }
        func number(_ i: Int) -> Int? { i >= 0 && i < l.count && l[i].kind == .number ? Int(l[i].text) : nil }
        /// A day number at `i`, with its ordinal suffix skipped: (day, next index).
        func day(_ i: Int) -> (Int, Int)? {
            guard let d = number(i), (1...31).contains(d) else { return nil }
            if let s = text(i + 1), ordinalSuffixes.contains(s), !l[i + 1].spaced { return (d, i + 2) }
            return (d, i + 1)
        }
        for i in l.indices {
            let t = l[i].text
            // 2026-11-20
            if l[i].kind == .number, t.count == 4, text(i + 1) == "-", let m = number(i + 2), text(i + 3) == "-",
               let d = number(i + 4), let y = Int(t), let date = CalendarDate(year: y, month: m, day: d) {
                return date
            }
            // 11/20, 11/20/2026, 20/11/26 (day first when the first number cannot be a month).
            if let a = number(i), text(i + 1) == "/", let b = number(i + 2) {
                let (m, d) = a > 12 ? (b, a) : (a, b)
                if text(i + 3) == "/", let yt = text(i + 4), let y = year(yt) {
                    if let date = CalendarDate(year: y, month: m, day: d) { return date }
                } else if (1...12).contains(m), let date = nearest(month: m, day: d, today: today) {
                    return date
                }
            }
            // Nov 20, November 20th, Nov 20 2026, Nov. 20, 2026
            if let m = months[t] {
                var k = i + 1
                if text(k) == "." { k += 1 }
                if let (d, next) = day(k) {
                    var n = next
                    if text(n) == "," { n += 1 }
                    if let yt = text(n), l[n].kind == .number, yt.count == 4, let y = Int(yt) {
                        if let date = CalendarDate(year: y, month: m, day: d) { return date }
                    }
                    if let date = nearest(month: m, day: d, today: today) { return date }
                }
            }
            // 20 Nov, 20th of November, 20 November 2026
            if let (d, next) = day(i) {
                var k = next
                if text(k) == "of" { k += 1 }
                if let mt = text(k), let m = months[mt] {
                    if let yt = text(k + 1), l[k + 1].kind == .number, yt.count == 4, let y = Int(yt),
                       let date = CalendarDate(year: y, month: m, day: d) { return date }
                    if let date = nearest(month: m, day: d, today: today) { return date }
                }
                // "the 3rd": this month's, or last month's when that is still to come.
                if i > 0, text(i - 1) == "the", next == i + 2 {
                    let c = today.components
                    if let date = CalendarDate(year: c.year, month: c.month, day: d), date <= today { return date }
                    let previous = today.adding(months: -1).components
                    if let date = CalendarDate(year: previous.year, month: previous.month, day: d) { return date }
                }
            }
            // Relative words.
            switch t {
            case "today", "tonight": return today
            case "yesterday":
                if text(i - 1) == "before", text(i - 2) == "day" { return CalendarDate(dayNumber: today.dayNumber - 2) }
                return CalendarDate(dayNumber: today.dayNumber - 1)
            case "tomorrow": return CalendarDate(dayNumber: today.dayNumber + 1)
            case "night" where text(i - 1) == "last": return CalendarDate(dayNumber: today.dayNumber - 1)
            case "morning", "afternoon", "evening": if text(i - 1) == "this" { return today }
            case "ago":
                if let (amount, unit) = EntityNumbers.duration(in: l[..<i].map(\.text).joined(separator: " ")) {
                    return shifted(today, by: -amount, unit)
                }
            case "week" where text(i - 1) == "last": return CalendarDate(dayNumber: today.dayNumber - 7)
            case "month" where text(i - 1) == "last": return today.adding(months: -1)
            default: break
            }
            if let w = weekdays[t], t.count >= 3 {
                let todayW = weekday(today)
                switch text(i - 1) {
                case "next", "coming":
                    let ahead = (w - todayW + 7) % 7
                    return CalendarDate(dayNumber: today.dayNumber + (ahead == 0 ? 7 : ahead))
                case "last", "past":
                    let back = (todayW - w + 7) % 7
                    return CalendarDate(dayNumber: today.dayNumber - (back == 0 ? 7 : back))
                default:
                    // "on Tuesday": the latest Tuesday, today included.
                    return CalendarDate(dayNumber: today.dayNumber - (todayW - w + 7) % 7)
                }
            }
        }
        return nil
    }

    static func shifted(_ d: CalendarDate, by amount: Int, _ unit: String) -> CalendarDate? {
        switch unit {
        case "days": CalendarDate(dayNumber: d.dayNumber + amount)
        case "weeks": CalendarDate(dayNumber: d.dayNumber + 7 * amount)
        case "months": d.adding(months: amount)
        case "years": d.adding(months: 12 * amount)
        default: d
        }
    }

    /// The first ISO 8601 moment (`2026-11-20T14:30:00Z`), as seconds since 1970.
    static func moment(in message: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        for token in message.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," }) {
            let t = token.trimmingCharacters(in: CharacterSet(charactersIn: ".;()"))
            if t.contains("T"), let date = formatter.date(from: t) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        }
        return nil
    }
}
