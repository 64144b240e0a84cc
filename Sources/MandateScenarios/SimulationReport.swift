import Foundation
import MandateIR
import MandateRuntime

/// Renders a simulation as Markdown, JSON or a self-contained HTML page (inline SVG, no network).
public enum SimulationReport {
    static func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
    static func money(_ m: Money?) -> String { m.map { $0.description } ?? "—" }

    /// JSON: the metrics, the comparison if any, and one summary per conversation.
    public static func json(_ metrics: SimulationMetrics, comparison: SimulationComparison?, results: [SimulatedConversation], traces: Bool) -> String {
        struct Out: Encodable {
            var metrics: SimulationMetrics
            var comparison: SimulationComparison?
            var conversations: [SimulatedConversation]
        }
        let convs = traces ? results : results.map { var r = $0; r.trace = []; return r }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Out(metrics: metrics, comparison: comparison, conversations: convs))) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Markdown, for a pull-request comment or a wiki page.
    public static func markdown(_ m: SimulationMetrics, comparison: SimulationComparison?, project: String) -> String {
        var o = "# Simulation of \(project)\n\n"
        o += "\(m.conversations) conversations, \(m.turns) turns.\n\n"
        o += "| metric | value |\n|---|---|\n"
        o += "| AI resolution rate | \(pct(m.aiResolutionRate)) |\n| escalation rate | \(pct(m.escalationRate)) |\n| unresolved | \(pct(m.unresolvedRate)) |\n"
        o += "| refunds issued | \(m.refunds.count) (total \(money(m.refunds.total)), largest \(money(m.refunds.largest)), limit \(money(m.refunds.limit)), above the limit: \(m.refunds.aboveLimit)) |\n"
        o += "| injection attempts blocked | \(m.injectionsBlocked) |\n"
        if m.expectedOutcomes > 0 { o += "| outcomes as expected | \(m.matchedOutcomes)/\(m.expectedOutcomes) |\n" }
        if m.expectedIntents > 0 { o += "| first intents as expected | \(m.matchedIntents)/\(m.expectedIntents) |\n" }
        o += "\n## Goal targets\n\n| goal | metric | target | actual | |\n|---|---|---|---|---|\n"
        for t in m.targets {
            o += "| \(t.goal) | \(t.metric) | \(t.target) | \(t.actual.map(pct) ?? "not measured") | \(t.met.map { $0 ? "met" : "**missed**" } ?? "") |\n"
        }
        o += "\n## By intent\n\n| intent | volume | resolved | escalated | clarified | average turns |\n|---|---:|---:|---:|---:|---:|\n"
        for r in m.intents {
            o += "| \(r.intent) | \(r.volume) | \(r.resolved) | \(r.escalated) | \(r.clarified) | \(String(format: "%.1f", r.averageTurns)) |\n"
        }
        o += "\n## Escalations\n\n| queue | count |\n|---|---:|\n"
        for (k, v) in m.escalationsByQueue.sorted(by: { $0.key < $1.key }) { o += "| \(k) | \(v) |\n" }
        o += "\n| reason | count |\n|---|---:|\n"
        for (k, v) in m.escalationsByReason.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) { o += "| \(k) | \(v) |\n" }
        o += "\n## Guardrail trips\n\n| clause | count |\n|---|---:|\n"
        for (k, v) in m.guardrailTrips.sorted(by: { $0.key < $1.key }) { o += "| \(k) | \(v) |\n" }
        if let c = comparison {
            o += "\n## Change against the baseline\n\n| | baseline | this plan |\n|---|---:|---:|\n"
            o += "| AI resolution rate | \(pct(c.baseline.aiResolutionRate)) | \(pct(c.current.aiResolutionRate)) |\n"
            o += "| escalation rate | \(pct(c.baseline.escalationRate)) | \(pct(c.current.escalationRate)) |\n"
            o += "| refunds issued | \(c.baseline.refunds.count) (\(money(c.baseline.refunds.total))) | \(c.current.refunds.count) (\(money(c.current.refunds.total))) |\n"
            o += "\n| intent | resolved before | resolved after | escalated before | escalated after |\n|---|---:|---:|---:|---:|\n"
            let names = Set(c.baseline.intents.map(\.intent)).union(c.current.intents.map(\.intent)).sorted()
            for n in names {
                let b = c.baseline.intents.first { $0.intent == n }
                let a = c.current.intents.first { $0.intent == n }
                o += "| \(n) | \(b?.resolved ?? 0) | \(a?.resolved ?? 0) | \(b?.escalated ?? 0) | \(a?.escalated ?? 0) |\n"
            }
            o += "\n\(c.changed.count) conversation\(c.changed.count == 1 ? "" : "s") changed outcome:\n\n"
            for ch in c.changed { o += "- `\(ch.id)`: \(ch.before) → \(ch.after)\n" }
        }
        if !m.mismatches.isEmpty {
            o += "\n## Outcomes not as expected\n\n"
            for x in m.mismatches { o += "- `\(x.id)`: expected \(x.expected), got \(x.actual)\n" }
        }
        return o
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A horizontal bar chart as inline SVG.
    static func bars(_ title: String, _ rows: [(String, Double, String)]) -> String {
        guard !rows.isEmpty else { return "" }
        let maxValue = max(rows.map(\.1).max() ?? 1, 1e-9)
        let height = 24 * rows.count + 30
        var s = "<figure><figcaption>\(esc(title))</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"\(height)\" role=\"img\" aria-label=\"\(esc(title))\">"
        for (i, row) in rows.enumerated() {
            let y = 10 + i * 24
            let w = Int(360 * row.1 / maxValue)
            s += "<text x=\"190\" y=\"\(y + 15)\" text-anchor=\"end\" font-size=\"12\">\(esc(row.0))</text>"
            s += "<rect x=\"200\" y=\"\(y + 3)\" width=\"\(max(w, 1))\" height=\"16\" fill=\"#3b6ea8\"/>"
            s += "<text x=\"\(206 + w)\" y=\"\(y + 15)\" font-size=\"12\">\(esc(row.2))</text>"
        }
        return s + "</svg></figure>\n"
    }

    /// The self-contained HTML report.
    public static func html(_ m: SimulationMetrics, comparison: SimulationComparison?, results: [SimulatedConversation],
                            baseline: [SimulatedConversation]?, project: String) -> String {
        var o = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Simulation of \(esc(project))</title>\n"
        o += "<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}"
        o += "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        o += ".met{color:#1a7f37}.missed{color:#c62828;font-weight:bold}figure{margin:1em 0}figcaption{font-weight:bold}"
        o += "details{margin:.3em 0}pre{background:#f6f8fa;padding:.5em;overflow-x:auto;font-size:12px}.kpi{display:inline-block;margin:0 2em 1em 0}"
        o += ".kpi b{display:block;font-size:2em}</style></head><body>\n"
        o += "<h1>Simulation of \(esc(project))</h1>\n<p>\(m.conversations) conversations, \(m.turns) turns.</p>\n"
        o += "<div class=\"kpi\"><b>\(pct(m.aiResolutionRate))</b>AI resolution rate</div>"
        o += "<div class=\"kpi\"><b>\(pct(m.escalationRate))</b>escalation rate</div>"
        o += "<div class=\"kpi\"><b>\(m.refunds.count)</b>refunds (\(esc(money(m.refunds.total))))</div>"
        o += "<div class=\"kpi\"><b>\(m.injectionsBlocked)</b>injection attempts blocked</div>\n"
        o += "<h2>Goal targets</h2><table><tr><th>goal</th><th>metric</th><th>target</th><th>actual</th><th></th></tr>"
        for t in m.targets {
            let cls = t.met.map { $0 ? "met" : "missed" } ?? ""
            o += "<tr><td>\(esc(t.goal))</td><td>\(esc(t.metric))</td><td>\(esc(t.target))</td><td>\(t.actual.map(pct) ?? "not measured")</td><td class=\"\(cls)\">\(t.met.map { $0 ? "met" : "missed" } ?? "")</td></tr>"
        }
        o += "</table>\n"
        o += bars("Resolved by the plan, by intent", m.intents.map { ($0.intent, Double($0.resolved), "\($0.resolved) of \($0.volume)") })
        o += bars("Escalations by queue", m.escalationsByQueue.sorted { $0.key < $1.key }.map { ($0.key, Double($0.value), "\($0.value)") })
        o += bars("Guardrail trips", m.guardrailTrips.sorted { $0.key < $1.key }.map { ($0.key, Double($0.value), "\($0.value)") })
        o += "<h2>By intent</h2><table><tr><th>intent</th><th>volume</th><th>resolved</th><th>escalated</th><th>clarified</th><th>average turns</th></tr>"
        for r in m.intents {
            o += "<tr><td>\(esc(r.intent))</td><td>\(r.volume)</td><td>\(r.resolved)</td><td>\(r.escalated)</td><td>\(r.clarified)</td><td>\(String(format: "%.1f", r.averageTurns))</td></tr>"
        }
        o += "</table>\n<h2>Escalation reasons</h2><table><tr><th>reason</th><th>count</th></tr>"
        for (k, v) in m.escalationsByReason.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) { o += "<tr><td>\(esc(k))</td><td>\(v)</td></tr>" }
        o += "</table>\n<p>Refunds: \(m.refunds.count), total \(esc(money(m.refunds.total))), largest \(esc(money(m.refunds.largest))), per-refund limit \(esc(money(m.refunds.limit))), above the limit: \(m.refunds.aboveLimit).</p>\n"
        if let c = comparison {
            o += "<h2>Change against the baseline</h2><table><tr><th></th><th>baseline</th><th>this plan</th></tr>"
            o += "<tr><td>AI resolution rate</td><td>\(pct(c.baseline.aiResolutionRate))</td><td>\(pct(c.current.aiResolutionRate))</td></tr>"
            o += "<tr><td>escalation rate</td><td>\(pct(c.baseline.escalationRate))</td><td>\(pct(c.current.escalationRate))</td></tr>"
            o += "<tr><td>refunds</td><td>\(c.baseline.refunds.count)</td><td>\(c.current.refunds.count)</td></tr></table>\n"
            o += "<p>\(c.changed.count) conversation\(c.changed.count == 1 ? "" : "s") changed outcome:</p><ul>"
            for ch in c.changed {
                o += "<li><code>\(esc(ch.id))</code>: \(esc(ch.before)) → \(esc(ch.after)) — <a href=\"#baseline-\(esc(ch.id))\">baseline trace</a>, <a href=\"#current-\(esc(ch.id))\">new trace</a></li>"
            }
            o += "</ul>\n"
        }
        o += "<h2>Conversations</h2>\n"
        func traceBlock(_ r: SimulatedConversation, _ prefix: String, _ label: String) -> String {
            var t = "<details id=\"\(prefix)-\(esc(r.id))\"><summary>\(label) <code>\(esc(r.id))</code> — \(esc(r.intent ?? "none")) — \(esc(r.outcome))</summary><pre>"
            for e in r.trace { t += esc(e.line) + "\n" }
            return t + "</pre></details>\n"
        }
        for r in results { o += traceBlock(r, "current", "") }
        if let baseline, let c = comparison {
            let changed = Set(c.changed.map(\.id))
            o += "<h2>Baseline traces of changed conversations</h2>\n"
            for r in baseline where changed.contains(r.id) { o += traceBlock(r, "baseline", "baseline") }
        }
        return o + "</body></html>\n"
    }
}
