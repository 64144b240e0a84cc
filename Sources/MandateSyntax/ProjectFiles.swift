import MandateDiagnostics

/// `mandate.yaml`.
public struct ProjectSyntax: Sendable {
    /// A queue and what it is for.
    public struct Queue: Sendable {
        /// The queue's name.
        public var name: Located<String>
        /// What it handles.
        public var description: String?
        /// Whether hand-offs to it are urgent.
        public var urgent: Bool
    }
    /// The file's path.
    public var path: String
    /// `project:`
    public var project: Located<String>?
    /// `currency:`
    public var currency: Located<String>?
    /// `time_zone:`
    public var timeZone: Located<String>?
    /// `tiers:`
    public var tiers: [Located<String>] = []
    /// `queues:`
    public var queues: [Queue] = []
    /// False when `queues:` could not be read (names of queues are then unknown, not wrong).
    public var queuesReadable = true
    /// `out_of_scope: { examples: […] }`
    public var outOfScope: [Located<String>] = []
    /// `actions:` — the catalog's path.
    public var actionsPath: Located<String>?
    /// `severity:` — per-project overrides.
    public var severity: [(code: Located<String>, level: Located<String>)] = []

    /// The keys of `mandate.yaml`.
    public static let keys = ["project", "currency", "time_zone", "tiers", "queues", "out_of_scope", "actions", "severity"]

    /// Reads `mandate.yaml`.
    public static func read(_ document: YAMLDocument) -> (ProjectSyntax, [Diagnostic]) {
        var f = YAMLFields()
        var p = ProjectSyntax(path: document.file.path)
        let whole = document.file.range(0, 0)
        guard let root = document.rootMapping(&f, kind: "project file"),
              let m = f.mapping(root, in: "`mandate.yaml`", allowed: keys, required: ["project", "currency"], at: whole)
        else { return (p, document.diagnostics + f.diagnostics) }
        p.project = f.text(m["project"], "the project")
        if let c = f.text(m["currency"], "the project") {
            if Currency.exponents[c.value] == nil {
                f.invalid(YAMLScalar(value: c.value, range: c.range, isQuoted: false),
                          "`\(c.value)` is not a currency Mandate knows", help: "use an ISO 4217 code such as `USD`, `EUR` or `GBP`")
            } else {
                p.currency = c
            }
        }
        p.timeZone = f.text(m["time_zone"], "the project")
        p.tiers = f.names(m["tiers"], "the project", what: "tier")
        if let q = m["queues"], !(q.value.isMapping) {
            p.queuesReadable = false
            f.wrongType(q.value, expected: "a set of queues, each with its `description`", in: "`queues`")
        }
        if let q = m["queues"], case .mapping(let qm) = q.value {
            for entry in qm.entries {
                guard let name = f.name(entry.key, what: "queue") else { continue }
                var queue = Queue(name: name, description: nil, urgent: false)
                if let fields = f.mapping(entry.value, in: "the queue `\(name.value)`", allowed: ["description", "urgent"], at: entry.key.range) {
                    queue.description = f.text(fields["description"], "the queue")?.value
                    queue.urgent = f.bool(fields["urgent"], "the queue")?.value ?? false
                }
                p.queues.append(queue)
            }
        }
        if let o = m["out_of_scope"], let fields = f.mapping(o.value, in: "`out_of_scope`", allowed: ["examples"], at: o.key.range) {
            p.outOfScope = f.list(fields["examples"], "`out_of_scope`")
        }
        if let path = f.text(m["actions"], "the project") {
            if path.value.hasPrefix("/") || path.value.split(separator: "/").contains("..") {
                f.invalid(YAMLScalar(value: path.value, range: path.range, isQuoted: false),
                          "the action catalog `\(path.value)` is outside the project folder",
                          help: "keep `actions.yaml` inside the project and write its path from `mandate.yaml`, such as `actions: actions.yaml`")
            } else {
                p.actionsPath = path
            }
        }
        if let s = m["severity"], case .mapping(let sm) = s.value {
            for entry in sm.entries {
                guard case .scalar(let level) = entry.value else {
                    f.wrongType(entry.value, expected: "`error`, `warning` or `off`", in: "the severity of `\(entry.key.value)`")
                    continue
                }
                guard ["error", "warning", "off"].contains(level.value) else {
                    f.invalid(level, "`\(level.value)` is not a severity", help: "write `error`, `warning` or `off`")
                    continue
                }
                p.severity.append((Located(entry.key.value, entry.key.range), Located(level.value, level.range)))
            }
        } else if let s = m["severity"] {
            f.wrongType(s.value, expected: "a set of `CODE: level` entries", in: "`severity`")
        }
        return (p, document.diagnostics + f.diagnostics)
    }

    init(path: String) { self.path = path }
}

/// A `*.goal.yaml` file.
public struct GoalSyntax: Sendable {
    /// An intent and its training examples.
    public struct Intent: Sendable {
        /// lower_snake_case name.
        public var name: Located<String>
        /// What it means.
        public var description: String?
        /// Example customer messages.
        public var examples: [Located<String>]
        /// `out_of_scope: true`: the assistant recognises it but does not take it on; a customer
        /// asking for it gets the polite out-of-scope answer. Its range when set.
        public var outOfScope: Located<Bool>? = nil
    }
    /// `ai_resolution_rate: at least 60%`.
    public struct Target: Sendable {
        /// The metric.
        public var metric: Located<String>
        /// `true` for at least, `false` for at most.
        public var atLeast: Bool
        /// Hundredths of a percent.
        public var percent: Int
    }
    /// The file's path.
    public var path: String
    /// `goal:`
    public var goal: Located<String>?
    /// `outcome:`
    public var outcome: Located<String>?
    /// `owner:`
    public var owner: Located<String>?
    /// `intents:`
    public var intents: [Intent] = []
    /// `resolved_when:`
    public var resolvedWhen: [Located<String>] = []
    /// `targets:`
    public var targets: [Target] = []
    /// `guardrails.confidence.threshold` as written (`0.75`).
    public var confidenceThreshold: Located<String>?
    /// `guardrails.confidence.on_low_confidence`.
    public var onLowConfidence: Located<String>?
    /// `guardrails.always_escalate.intents`.
    public var alwaysEscalateIntents: [Located<String>] = []
    /// `guardrails.always_escalate.phrases`.
    public var alwaysEscalatePhrases: [Located<String>] = []
    /// `guardrails.always_escalate.tiers`.
    public var alwaysEscalateTiers: [Located<String>] = []
    /// Queues named for always-escalate entries (`intents: { billing_dispute: billing }`), by `intent:NAME`, `phrase:TEXT`, `tier:NAME`.
    public var alwaysEscalateQueues: [String: Located<String>] = [:]
    /// `guardrails.confirm_with_customer`.
    public var confirmWithCustomer: [Located<String>] = []
    /// `guardrails.refunds.max_per_refund`.
    public var maxPerRefund: Located<MoneyLiteral>?
    /// `guardrails.refunds.max_per_customer` and its window in days.
    public var maxPerCustomer: Located<(MoneyLiteral, Int)>?
    /// `guardrails.refunds.max_by_tier`.
    public var maxByTier: [(tier: Located<String>, amount: Located<MoneyLiteral>)] = []
    /// `guardrails.topics.allowed`.
    public var allowedTopics: [Located<String>] = []
    /// `guardrails.input.prompt_injection`.
    public var promptInjection: Located<String>?
    /// `guardrails.input.max_characters`.
    public var inputMaxCharacters: Located<Int>?
    /// `guardrails.output.never_say`.
    public var neverSay: [Located<String>] = []
    /// `guardrails.output.max_characters`.
    public var outputMaxCharacters: Located<Int>?
    /// `escalation.default_queue`.
    public var defaultQueue: Located<String>?
    /// `escalation.when.customer_asks_for_human`.
    public var onAskForHuman: Located<Bool>?
    /// `escalation.when.same_question_repeated`.
    public var sameQuestionRepeated: Located<Int>?
    /// `escalation.when.frustration_detected`.
    public var onFrustration: Located<Bool>?
    /// `escalation.when.action_fails`.
    public var onActionFailure: Located<Bool>?

    /// The top-level keys of a goal file.
    public static let keys = ["goal", "outcome", "owner", "intents", "resolved_when", "targets", "guardrails", "escalation"]

    /// The keys under `guardrails`.
    public static let guardrailKeys = ["confidence", "always_escalate", "confirm_with_customer", "refunds", "topics", "input", "output"]

    init(path: String) { self.path = path }

    /// Reads a goal file.
    public static func read(_ document: YAMLDocument) -> (GoalSyntax, [Diagnostic]) {
        var f = YAMLFields()
        var g = GoalSyntax(path: document.file.path)
        let whole = document.file.range(0, 0)
        guard let root = document.rootMapping(&f, kind: "goal file"),
              let m = f.mapping(root, in: "a goal file", allowed: keys, required: ["goal", "intents"], at: whole)
        else { return (g, document.diagnostics + f.diagnostics) }
        if let e = m["goal"], case .scalar(let s) = e.value { g.goal = f.name(s, what: "goal") } else { g.goal = f.text(m["goal"], "the goal") }
        g.outcome = f.text(m["outcome"], "the goal")
        g.owner = f.text(m["owner"], "the goal")
        if let i = m["intents"] {
            if case .mapping(let im) = i.value {
                for entry in im.entries {
                    guard let name = f.name(entry.key, what: "intent") else { continue }
                    var intent = Intent(name: name, description: nil, examples: [])
                    if case .sequence = entry.value {
                        intent.examples = f.list(entry, "the intent `\(name.value)`")
                    } else if let fields = f.mapping(entry.value, in: "the intent `\(name.value)`", allowed: ["description", "examples", "out_of_scope"],
                                                     required: ["examples"], at: entry.key.range) {
                        intent.description = f.text(fields["description"], "the intent")?.value
                        intent.examples = f.list(fields["examples"], "the intent `\(name.value)`")
                        intent.outOfScope = f.bool(fields["out_of_scope"], "the intent")
                    }
                    g.intents.append(intent)
                }
            } else {
                f.wrongType(i.value, expected: "a set of intents, each with its `examples`", in: "`intents`")
            }
        }
        g.resolvedWhen = f.names(m["resolved_when"], "the goal", what: "outcome")
        if let t = m["targets"], let fields = f.mapping(t.value, in: "`targets`", allowed: ["ai_resolution_rate", "escalation_rate", "containment_rate"], at: t.key.range) {
            for key in fields.keys.sorted() {
                guard let v = f.text(fields[key], "`targets`") else { continue }
                let words = v.value.lowercased().split(separator: " ")
                if words.count == 3, words[0] == "at", words[1] == "least" || words[1] == "most",
                   let pct = LiteralParser.percent(String(words[2])), pct <= 10_000 {
                    g.targets.append(Target(metric: Located(key, fields[key]!.key.range), atLeast: words[1] == "least", percent: pct))
                } else {
                    f.invalid(YAMLScalar(value: v.value, range: v.range, isQuoted: false), "`\(v.value)` is not a target Mandate can check",
                              help: "write `at least 60%` or `at most 30%`")
                }
            }
        }
        if let gr = m["guardrails"], let fields = f.mapping(
            gr.value, in: "`guardrails`",
            allowed: guardrailKeys, at: gr.key.range)
        {
            if let c = fields["confidence"], let cf = f.mapping(c.value, in: "`confidence`", allowed: ["threshold", "on_low_confidence"], at: c.key.range) {
                g.confidenceThreshold = f.decimal(cf["threshold"], "`confidence`", range: 0...1, example: "0.75")
                g.onLowConfidence = f.choice(cf["on_low_confidence"], "`confidence`", ["clarify_then_escalate", "escalate", "clarify"])
            }
            if let a = fields["always_escalate"], let af = f.mapping(a.value, in: "`always_escalate`", allowed: ["intents", "phrases", "tiers"], at: a.key.range) {
                for (key, what) in [("intents", "intent"), ("phrases", nil), ("tiers", "tier")] as [(String, String?)] {
                    let entries = f.routed(af[key], "`always_escalate`", what: what)
                    for (item, queue) in entries { if let queue { g.alwaysEscalateQueues["\(String(key.dropLast())):\(item.value)"] = queue } }
                    switch key {
                    case "intents": g.alwaysEscalateIntents = entries.map(\.item)
                    case "phrases": g.alwaysEscalatePhrases = entries.map(\.item)
                    default: g.alwaysEscalateTiers = entries.map(\.item)
                    }
                }
            }
            g.confirmWithCustomer = f.list(fields["confirm_with_customer"], "`guardrails`")
            for effect in g.confirmWithCustomer where !["refund", "write", "identify", "read"].contains(effect.value) {
                f.invalid(YAMLScalar(value: effect.value, range: effect.range, isQuoted: false),
                          "`\(effect.value)` is not an effect",
                          help: Suggestions.didYouMean(effect.value, in: ["read", "write", "refund", "identify"])
                            ?? "list effects: `refund`, `write`, `identify` or `read`", code: .unknownEffect)
            }
            if let r = fields["refunds"], let rf = f.mapping(r.value, in: "`refunds`", allowed: ["max_per_refund", "max_per_customer", "max_by_tier"], at: r.key.range) {
                g.maxPerRefund = f.money(rf["max_per_refund"], "`refunds`")
                if let v = f.text(rf["max_per_customer"], "`refunds`") {
                    let parts = v.value.components(separatedBy: " per ")
                    let scalar = YAMLScalar(value: parts[0], range: v.range, isQuoted: false)
                    if parts.count == 2, let money = f.money(scalar, key: "max_per_customer") {
                        let window = parts[1].split(separator: " ")
                        if window.count == 2, let n = Int(window[0]), n > 0, window[1] == "days" || window[1] == "day" {
                            g.maxPerCustomer = Located((money.value, n), v.range)
                        } else if window.count == 1, window[0] == "day" || window[0] == "week" || window[0] == "month" {
                            g.maxPerCustomer = Located((money.value, window[0] == "day" ? 1 : window[0] == "week" ? 7 : 30), v.range)
                        } else {
                            f.invalid(scalar, "`\(v.value)` needs a window such as `per 30 days`", help: "write `300 USD per 30 days`")
                        }
                    } else if parts.count != 2 {
                        f.invalid(scalar, "`max_per_customer` needs an amount and a window", help: "write `300 USD per 30 days`")
                    }
                }
                if let t = rf["max_by_tier"], case .mapping(let tm) = t.value {
                    for entry in tm.entries {
                        guard let tier = f.name(entry.key, what: "tier") else { continue }
                        guard case .scalar(let s) = entry.value else {
                            f.wrongType(entry.value, expected: "an amount such as `500 USD`", in: "the limit of `\(tier.value)`")
                            continue
                        }
                        if let amount = f.money(s, key: tier.value) { g.maxByTier.append((tier, amount)) }
                    }
                } else if let t = rf["max_by_tier"] {
                    f.wrongType(t.value, expected: "a set of `tier: amount` entries", in: "`max_by_tier`")
                }
            }
            if let t = fields["topics"], let tf = f.mapping(t.value, in: "`topics`", allowed: ["allowed"], at: t.key.range) {
                g.allowedTopics = f.list(tf["allowed"], "`topics`")
            }
            if let i = fields["input"], let inf = f.mapping(i.value, in: "`input`", allowed: ["prompt_injection", "max_characters"], at: i.key.range) {
                g.promptInjection = f.choice(inf["prompt_injection"], "`input`", ["block", "escalate", "flag"])
                g.inputMaxCharacters = f.int(inf["max_characters"], "`input`", range: 1...1_000_000)
            }
            if let o = fields["output"], let of = f.mapping(o.value, in: "`output`", allowed: ["never_say", "max_characters"], at: o.key.range) {
                g.neverSay = f.list(of["never_say"], "`output`")
                g.outputMaxCharacters = f.int(of["max_characters"], "`output`", range: 1...100_000)
            }
        }
        if let e = m["escalation"], let ef = f.mapping(e.value, in: "`escalation`", allowed: ["default_queue", "when"], at: e.key.range) {
            g.defaultQueue = f.text(ef["default_queue"], "`escalation`")
            if let w = ef["when"], let wf = f.mapping(
                w.value, in: "`when`", allowed: ["customer_asks_for_human", "same_question_repeated", "frustration_detected", "action_fails"], at: w.key.range)
            {
                g.onAskForHuman = f.bool(wf["customer_asks_for_human"], "`when`")
                g.sameQuestionRepeated = f.int(wf["same_question_repeated"], "`when`", range: 1...100)
                g.onFrustration = f.bool(wf["frustration_detected"], "`when`")
                g.onActionFailure = f.bool(wf["action_fails"], "`when`")
            }
        }
        return (g, document.diagnostics + f.diagnostics)
    }
}

extension String {
    /// Splits on a multi-character separator.
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var rest = Substring(self)
        while !rest.isEmpty {
            if rest.hasPrefix(separator) {
                parts.append(current)
                current = ""
                rest = rest.dropFirst(separator.count)
            } else {
                current.append(rest.removeFirst())
            }
        }
        parts.append(current)
        return parts
    }
}
