import Foundation
import MandateIR

/// A semantic difference between two compiled plans: what a CX lead must review before a
/// deploy. It compares policy, not text: limits, actions, hand-offs, consent, thresholds,
/// and the paths that reach a money-moving action.
public struct PlanDiff: Sendable, Equatable {
    /// One change.
    public struct Change: Sendable, Equatable, Codable {
        /// What kind of change: `limitRaised`, `limitLowered`, `actionAdded`, `alwaysEscalateRemoved`, ….
        public var kind: String
        /// The goal, procedure or action it is about.
        public var subject: String
        /// The setting or item, such as `max_per_refund` or `chargeback`.
        public var item: String
        /// The old value, when there was one.
        public var old: String?
        /// The new value, when there is one.
        public var new: String?
        /// Whether it loosens a guardrail (a reviewer must look).
        public var needsReview: Bool
        /// The change in one sentence.
        public var summary: String
    }

    /// Every change, grouped by kind of policy, in a stable order.
    public var changes: [Change]

    /// Compares two plans.
    public static func between(_ old: Plan, _ new: Plan) -> PlanDiff {
        var d = Builder()
        d.goals(old, new)
        d.actions(old, new)
        d.procedures(old, new)
        return PlanDiff(changes: d.changes)
    }

    /// The diff as Markdown, for a pull-request comment.
    public var markdown: String {
        guard !changes.isEmpty else { return "## Mandate plan changes\n\nNo policy changes: limits, actions, hand-offs and confirmations are the same.\n" }
        let review = changes.filter(\.needsReview).count
        var out = "## Mandate plan changes\n\n"
        out += "\(changes.count) change\(changes.count == 1 ? "" : "s")"
        out += review > 0 ? ", \(review) loosening a guardrail (marked **review**).\n" : "; none loosens a guardrail.\n"
        let sections: [(String, [String])] = [
            ("Refund limits", ["limitRaised", "limitLowered", "limitAdded", "limitRemoved"]),
            ("Actions", ["actionAdded", "actionRemoved", "actionEffectChanged"]),
            ("Hand-offs", ["alwaysEscalateAdded", "alwaysEscalateRemoved", "queueAdded", "queueRemoved"]),
            ("Confirmation", ["confirmAdded", "confirmRemoved"]),
            ("Thresholds and output", ["thresholdChanged", "neverSayAdded", "neverSayRemoved"]),
            ("Paths to money-moving actions", ["moneyPathAdded", "moneyPathChanged", "moneyPathRemoved"]),
            ("Procedures and intents", ["procedureAdded", "procedureRemoved", "intentHandled", "intentNoLongerHandled"]),
        ]
        for (title, kinds) in sections {
            let items = changes.filter { kinds.contains($0.kind) }
            guard !items.isEmpty else { continue }
            out += "\n### \(title)\n\n"
            for c in items { out += "- " + (c.needsReview ? "**review** " : "") + c.summary + "\n" }
        }
        return out
    }

    /// The diff as JSON with sorted keys.
    public func json() throws -> Data {
        struct Document: Codable { var changes: [Change]; var needsReview: Int }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(Document(changes: changes, needsReview: changes.filter(\.needsReview).count))
    }

    struct Builder {
        var changes: [Change] = []

        mutating func add(_ kind: String, _ subject: String, _ item: String, old: String? = nil, new: String? = nil,
                          review: Bool, _ summary: String) {
            changes.append(Change(kind: kind, subject: subject, item: item, old: old, new: new, needsReview: review, summary: summary))
        }

        mutating func limit(_ goal: String, _ name: String, _ a: Money?, _ b: Money?) {
            switch (a, b) {
            case (let a?, let b?) where a != b:
                let up = b.minor > a.minor
                add(up ? "limitRaised" : "limitLowered", goal, name, old: a.description, new: b.description, review: up,
                    "`\(goal)`: `\(name)` \(up ? "raised" : "lowered") from \(Words.money(a)) to \(Words.money(b))")
            case (nil, let b?):
                add("limitAdded", goal, name, new: b.description, review: false, "`\(goal)`: `\(name)` set to \(Words.money(b))")
            case (let a?, nil):
                add("limitRemoved", goal, name, old: a.description, review: true, "`\(goal)`: `\(name)` (\(Words.money(a))) removed: no limit now")
            default: break
            }
        }

        mutating func list(_ goal: String, _ what: String, _ a: [String], _ b: [String], added: String, removed: String,
                           reviewRemoved: Bool) {
            for x in Set(b).subtracting(a).sorted() {
                add(added, goal, x, new: x, review: !reviewRemoved, "`\(goal)`: `\(x)` added to \(what)")
            }
            for x in Set(a).subtracting(b).sorted() {
                add(removed, goal, x, old: x, review: reviewRemoved, "`\(goal)`: `\(x)` removed from \(what)")
            }
        }

        mutating func goals(_ old: Plan, _ new: Plan) {
            let before = Dictionary(old.goals.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for g in new.goals {
                guard let o = before[g.id] else { continue }
                let a = o.guardrails, b = g.guardrails
                limit(g.id, "max_per_refund", a.maxPerRefund, b.maxPerRefund)
                limit(g.id, "max_per_customer", a.maxPerCustomer, b.maxPerCustomer)
                for tier in Set(a.maxByTier.keys).union(b.maxByTier.keys).sorted() {
                    limit(g.id, "max_by_tier.\(tier)", a.maxByTier[tier], b.maxByTier[tier])
                }
                list(g.id, "`always_escalate` intents", a.alwaysEscalateIntents, b.alwaysEscalateIntents,
                     added: "alwaysEscalateAdded", removed: "alwaysEscalateRemoved", reviewRemoved: true)
                list(g.id, "`always_escalate` phrases", a.alwaysEscalatePhrases, b.alwaysEscalatePhrases,
                     added: "alwaysEscalateAdded", removed: "alwaysEscalateRemoved", reviewRemoved: true)
                list(g.id, "`always_escalate` tiers", a.alwaysEscalateTiers, b.alwaysEscalateTiers,
                     added: "alwaysEscalateAdded", removed: "alwaysEscalateRemoved", reviewRemoved: true)
                list(g.id, "`confirm_with_customer`", a.confirmEffects, b.confirmEffects,
                     added: "confirmAdded", removed: "confirmRemoved", reviewRemoved: true)
                list(g.id, "`never_say`", a.neverSay, b.neverSay, added: "neverSayAdded", removed: "neverSayRemoved", reviewRemoved: true)
                if a.confidenceThreshold != b.confidenceThreshold {
                    let lower = (b.confidenceThreshold ?? 0) < (a.confidenceThreshold ?? 0)
                    add("thresholdChanged", g.id, "confidence.threshold", old: a.confidenceThreshold.map { "\($0)" },
                        new: b.confidenceThreshold.map { "\($0)" }, review: lower,
                        "`\(g.id)`: confidence threshold \(lower ? "lowered" : "raised") from \(a.confidenceThreshold.map { "\($0)" } ?? "none") to \(b.confidenceThreshold.map { "\($0)" } ?? "none")")
                }
                if a.outputMaxCharacters != b.outputMaxCharacters {
                    let longer = (b.outputMaxCharacters ?? .max) > (a.outputMaxCharacters ?? .max)
                    add("thresholdChanged", g.id, "output.max_characters", old: a.outputMaxCharacters.map { "\($0)" },
                        new: b.outputMaxCharacters.map { "\($0)" }, review: longer,
                        "`\(g.id)`: longest message \(a.outputMaxCharacters.map { "\($0)" } ?? "unlimited") → \(b.outputMaxCharacters.map { "\($0)" } ?? "unlimited") characters")
                }
            }
            let oldQueues = old.project.queues.map(\.name), newQueues = new.project.queues.map(\.name)
            list(new.project.name, "the queues", oldQueues, newQueues, added: "queueAdded", removed: "queueRemoved", reviewRemoved: false)
        }

        mutating func actions(_ old: Plan, _ new: Plan) {
            let before = Dictionary(old.actions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let after = Dictionary(new.actions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for a in new.actions where before[a.name] == nil {
                add("actionAdded", a.name, a.effect, new: a.effect, review: a.effect != "read",
                    "action `\(a.name)` added (effect `\(a.effect)`): \"\(a.phrase)\"")
            }
            for a in old.actions where after[a.name] == nil {
                add("actionRemoved", a.name, a.effect, old: a.effect, review: false, "action `\(a.name)` removed")
            }
            for a in new.actions {
                guard let o = before[a.name], o.effect != a.effect else { continue }
                add("actionEffectChanged", a.name, "effect", old: o.effect, new: a.effect, review: true,
                    "action `\(a.name)`: effect `\(o.effect)` → `\(a.effect)`")
            }
        }

        /// The paths from the entry to each money-moving call, without repeating a step, at most 64 a
        /// procedure. A path is known by what decides it (each condition and the way it went, each
        /// action and confirmation), so renumbered steps are not a new path; it is shown by its labels.
        static func moneyPaths(_ p: MandateIR.Procedure, _ moving: Set<String>) -> [String: String] {
            var found: [String: String] = [:]
            guard let entry = p.entry, entry < p.steps.count else { return found }
            var onPath = [Bool](repeating: false, count: p.steps.count)
            var labels: [String] = []
            var decisions: [String] = []
            func walk(_ n: Int) {
                guard found.count < 64, !onPath[n] else { return }
                onPath[n] = true
                let label = StepGraph.display(p.steps[n].label)
                let pushed = labels.last != label
                if pushed { labels.append(label) }
                if case .call(let action, _, _) = p.steps[n].op {
                    decisions.append("call \(action)")
                    if moving.contains(action) {
                        found[decisions.joined(separator: "; ")] = labels.joined(separator: " → ") + " (`\(action)`)"
                    }
                }
                for (t, edge) in StepGraph.successors(of: p.steps[n]) {
                    guard let t, t < p.steps.count else { continue }
                    var decided = false
                    switch p.steps[n].op {
                    case .branch(let c, _, _): decisions.append("\(c) \(edge)"); decided = true
                    case .confirm: decisions.append("confirm \(edge)"); decided = true
                    default: break
                    }
                    walk(t)
                    if decided { decisions.removeLast() }
                }
                if case .call = p.steps[n].op { decisions.removeLast() }
                if pushed { labels.removeLast() }
                onPath[n] = false
            }
            walk(entry)
            return found
        }

        mutating func procedures(_ old: Plan, _ new: Plan) {
            let before = Dictionary(old.procedures.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let after = Dictionary(new.procedures.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let moving = Set(new.actions.filter { $0.effect == "refund" }.map(\.name))
            let movedBefore = Set(old.actions.filter { $0.effect == "refund" }.map(\.name))
            for p in new.procedures where before[p.id] == nil {
                add("procedureAdded", p.id, p.name, new: p.name, review: false, "procedure \"\(p.name)\" added")
            }
            for p in old.procedures where after[p.id] == nil {
                add("procedureRemoved", p.id, p.name, old: p.name, review: false, "procedure \"\(p.name)\" removed")
            }
            for p in new.procedures {
                let o = before[p.id]
                let oldPaths = o.map { Self.moneyPaths($0, movedBefore) } ?? [:]
                let newPaths = Self.moneyPaths(p, moving)
                let added = Set(newPaths.keys).subtracting(oldPaths.keys).map { newPaths[$0]! }
                let removed = Set(oldPaths.keys).subtracting(newPaths.keys).map { oldPaths[$0]! }
                // The same steps with other conditions: one change, not a path added and one removed.
                let changedSteps = Set(added).intersection(removed)
                for path in changedSteps.sorted() {
                    add("moneyPathChanged", p.id, path, old: path, new: path, review: true,
                        "\"\(p.name)\": the conditions on the path to money changed: steps \(path)")
                }
                for path in Set(added).subtracting(changedSteps).sorted() {
                    add("moneyPathAdded", p.id, path, new: path, review: true, "\"\(p.name)\": a new path reaches money: steps \(path)")
                }
                for path in Set(removed).subtracting(changedSteps).sorted() {
                    add("moneyPathRemoved", p.id, path, old: path, review: false, "\"\(p.name)\": a path no longer reaches money: steps \(path)")
                }
                let oldHandles = Set(o?.handles ?? []), newHandles = Set(p.handles)
                for i in newHandles.subtracting(oldHandles).sorted() where o != nil {
                    add("intentHandled", p.id, i, new: i, review: false, "\"\(p.name)\" now handles `\(i)`")
                }
                for i in oldHandles.subtracting(newHandles).sorted() {
                    add("intentNoLongerHandled", p.id, i, old: i, review: false, "\"\(p.name)\" no longer handles `\(i)`")
                }
            }
        }
    }
}
