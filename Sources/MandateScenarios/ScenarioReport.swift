import Foundation
import MandateRuntime

/// Renders scenario results: a line per scenario, and for a failure the expectation against
/// what happened, the trace around the failing turn and the source lines of its steps.
public enum ScenarioReport {
    /// The human report. `line(file, n)` gives a project file's line `n`, for the steps involved.
    public static func text(_ results: [ScenarioResult], line: (String, Int) -> String?) -> String {
        var out = ""
        for r in results {
            let turns = r.scenario.turns.count
            if r.passed {
                out += "✔ \(r.scenario.file)  \(r.scenario.name) (\(turns) turn\(turns == 1 ? "" : "s"))\n"
                continue
            }
            guard let f = r.failure else { continue }
            out += "✘ \(r.scenario.file)  \(r.scenario.name)\n"
            out += "    turn \(f.turn) (\(r.scenario.file):\(f.line)): the customer writes “\(f.message)”\n"
            out += "      expected: \(f.expected)\n"
            out += "      actual:   \(f.actual)\n"
            let events = r.trace.filter { $0.turn == f.turn }
            if !events.isEmpty {
                out += "    trace of turn \(f.turn):\n"
                for e in events {
                    out += "      \(e.kind.rawValue)  " + (e.source.map { "\($0)  " } ?? "") + e.detail + "\n"
                }
            }
            var seen = Set<String>()
            var involved: [(String, String)] = []
            for e in events {
                guard let s = e.source, s.hasSuffix(".procedure") == false, seen.insert(s).inserted else { continue }
                let parts = s.split(separator: ":")
                guard parts.count >= 2, let n = Int(parts[1]), let text = line(String(parts[0]), n) else { continue }
                involved.append((s, text.trimmingCharacters(in: .whitespaces)))
            }
            if !involved.isEmpty {
                out += "    steps involved:\n"
                let width = involved.map(\.0.count).max() ?? 0
                for (s, text) in involved { out += "      \(s.padding(toLength: width, withPad: " ", startingAt: 0)) | \(text)\n" }
            }
        }
        let failed = results.filter { !$0.passed }.count
        out += "\n\(results.count) scenario\(results.count == 1 ? "" : "s"): \(results.count - failed) passed, \(failed) failed\n"
        return out
    }

    /// JUnit XML, as CI systems read it.
    public static func junit(_ results: [ScenarioResult], suite: String) -> String {
        func esc(_ s: String) -> String {
            var o = ""
            for ch in s.unicodeScalars {
                switch ch {
                case "&": o += "&amp;"
                case "<": o += "&lt;"
                case ">": o += "&gt;"
                case "\"": o += "&quot;"
                default:
                    // XML 1.0 allows tab, newline, carriage return and the printable range only.
                    if ch.value >= 0x20 || ch == "\t" || ch == "\n" || ch == "\r" { o.unicodeScalars.append(ch) }
                }
            }
            return o
        }
        let failed = results.filter { !$0.passed }.count
        let total = results.reduce(0) { $0 + $1.seconds }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"mandate\" tests=\"\(results.count)\" failures=\"\(failed)\" time=\"\(String(format: "%.3f", total))\">\n"
        out += "  <testsuite name=\"\(esc(suite))\" tests=\"\(results.count)\" failures=\"\(failed)\" errors=\"0\" time=\"\(String(format: "%.3f", total))\">\n"
        for r in results {
            out += "    <testcase classname=\"\(esc(r.scenario.file))\" name=\"\(esc(r.scenario.name))\" time=\"\(String(format: "%.3f", r.seconds))\""
            if let f = r.failure {
                out += ">\n      <failure message=\"\(esc("turn \(f.turn): expected \(f.expected)"))\" type=\"expectation\">"
                out += esc("\(r.scenario.file):\(f.line)\nthe customer writes: \(f.message)\nexpected: \(f.expected)\nactual: \(f.actual)")
                out += "</failure>\n    </testcase>\n"
            } else {
                out += "/>\n"
            }
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }
}
