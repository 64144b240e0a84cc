import Foundation
import MandateIR

/// Runs conversations from a compiled plan.
///
/// `turn` is a pure function of the plan, the state, the customer's message and the injected
/// environment (clock, actions, ledger): no I/O happens here. The same inputs give the same
/// state, effects and trace, which is what makes a conversation replayable from its trace.
public struct Runtime: Sendable {
    /// The plan.
    public var plan: Plan { core.plan }
    /// Everything a turn reads from the plan, worked out once at load and shared by reference,
    /// so that a turn holds one reference rather than a copy of every table.
    let core: RuntimeCore
    /// Steps one turn may run before the runtime calls it a loop and hands off.
    public var stepBudget = 500

    /// Loads a plan; `classifier` replaces the embedded one (a caller's own model). A plan without a
    /// trained classifier (one built by `Compiler.compile` rather than `Compiler.planFile`) reads every
    /// message as fitting no intent unless the caller supplies the intent with the event.
    public init(plan: Plan, classifier: (any IntentClassifier)? = nil) {
        core = RuntimeCore(plan: plan, classifier: classifier)
    }

    /// A new conversation with a customer.
    public func start(id: String, customer: CustomerProfile) -> ConversationState {
        ConversationState(id: id, customer: customer)
    }

    /// Runs one customer turn.
    public func turn(_ state: consuming ConversationState, _ event: CustomerEvent, environment: TurnEnvironment) -> TurnResult {
        var t = Turn(runtime: core, stepBudget: stepBudget, state: state, message: event.message, supplied: event.intent, env: environment)
        t.run()
        return t.finish()
    }

    /// The classifier of a plan that carries none: nothing is recognised.
    struct NoClassifier: IntentClassifier {
        func classify(_ message: String) -> IntentPrediction { IntentPrediction(intent: nil, confidence: 0, ranking: []) }
    }

    /// The calendar day of a moment in the project's time zone.
    public func today(at now: Int64) -> CalendarDate { core.today(at: now) }

    /// The goal whose rules apply before any intent is known: the one whose default queue most goals share
    /// (the general desk), else the first.
    static func fallbackGoal(of plan: Plan) -> Goal? {
        var counts: [String: Int] = [:]
        for g in plan.goals { if let q = g.escalation.defaultQueue { counts[q, default: 0] += 1 } }
        let common = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        return plan.goals.first { $0.escalation.defaultQueue == common } ?? plan.goals.first
    }
}

/// What a turn reads from the plan, indexed once when the plan is loaded.
final class RuntimeCore: Sendable {
    let plan: Plan
    let classifier: any IntentClassifier
    let extractor: EntityExtractor
    /// The intent each procedure handles → the procedure's id (the first procedure wins).
    let handler: [String: (id: String, position: Int)]
    let goalOfIntent: [String: GoalRules]
    let goals: [String: GoalRules]
    /// The goals in the plan's order, when there are few: found by comparing ids (`goal(id:)`).
    let fewGoals: [GoalRules]?
    let actions: [String: ActionSignature]
    /// Each catalog action with what a call works out about it, once (`CatalogAction`).
    let catalog: [String: CatalogAction]
    let owners: [String: String]
    let queues: [String: Project.Queue]
    /// The always-escalate phrases split into words, for `MessageSignals`.
    let escalationPhraseWords: [(phrase: String, words: [[UInt8]])]
    /// The phrases by the first byte of their first word (`MessageSignals.leads`).
    let escalationLeads: [[Int]]
    /// What the agent says to a message that fits no intent.
    let outOfScopeMessage: String
    /// The shortest `input.max_characters` of any goal: the limit while no goal applies.
    let shortestInputLimit: Int?
    /// The ways to verify a customer when a procedure names none: every `identify` action.
    let implicitMethods: [VerificationMethod]
    /// The project's first queue, where a hand-off goes when nothing names one.
    let firstQueue: String
    let zone: TimeZone
    /// The zone's offset from UTC when it never changes (UTC itself): no time-zone arithmetic per turn.
    let fixedOffset: Int64?
    /// The goal whose rules apply before any intent is known (`Runtime.fallbackGoal(of:)`).
    let fallbackGoal: GoalRules?
    /// Each procedure as a turn runs it, made the first time it runs.
    let procedures: ProcedureCache

    init(plan: Plan, classifier: (any IntentClassifier)?) {
        self.plan = plan
        self.classifier = classifier ?? plan.classifier.map { EmbeddedClassifier(model: $0) } ?? Runtime.NoClassifier()
        self.extractor = EntityExtractor(currency: plan.project.currency)
        // Ids and intents only: nothing is decoded from a lazily loaded plan here.
        // With its position in the plan, so that routing fetches it without looking its id up.
        var handler: [String: (id: String, position: Int)] = [:]
        for i in plan.procedures.indices {
            for intent in plan.procedures.handles(at: i) where handler[intent] == nil { handler[intent] = (plan.procedures.id(at: i), i) }
        }
        self.handler = handler
        var goalOfIntent: [String: GoalRules] = [:]
        var goals: [String: GoalRules] = [:]
        var phrases: [String] = []
        var topics: [String] = []
        for g in plan.goals {
            let rules = GoalRules(g)
            goals[g.id] = rules
            for i in g.intents where goalOfIntent[i.name] == nil { goalOfIntent[i.name] = rules }
            phrases += g.guardrails.alwaysEscalatePhrases.filter { !phrases.contains($0) }
            topics += g.guardrails.allowedTopics.filter { !topics.contains($0) }
        }
        self.goalOfIntent = goalOfIntent
        self.goals = goals
        self.fewGoals = plan.goals.count <= RuntimeCore.fewGoalsAtMost ? plan.goals.compactMap { goals[$0.id] } : nil
        let phraseWords: [(phrase: String, words: [[UInt8]])] = phrases.map { ($0, MessageText($0).words) }
        self.escalationPhraseWords = phraseWords
        self.escalationLeads = MessageSignals.leads(phraseWords)
        self.outOfScopeMessage = topics.isEmpty ? "Sorry, that's not something I can help with here."
            : "Sorry, that's not something I can help with. I can help with " + Turn.list(topics) + "."
        self.shortestInputLimit = plan.goals.compactMap(\.guardrails.inputMaxCharacters).min()
        self.implicitMethods = plan.actions.filter { $0.effect == "identify" }.map { a in
            VerificationMethod(action: a.name, slots: a.inputs.filter { $0.type != .identity }.map(\.name))
        }
        self.firstQueue = Plan.fallbackQueue(of: plan.project)
        let actions = Dictionary(plan.actions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let owners = Dictionary(plan.records.compactMap { r in r.owner.map { (r.name, $0) } }, uniquingKeysWith: { a, _ in a })
        self.actions = actions
        self.owners = owners
        self.catalog = actions.mapValues { CatalogAction($0, owners: owners) }
        self.queues = Dictionary(plan.project.queues.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.procedures = ProcedureCache(plan.procedures, catalog: catalog)
        self.fallbackGoal = Runtime.fallbackGoal(of: plan).map { GoalRules($0) }
        let zone = plan.project.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        self.zone = zone
        self.fixedOffset = ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) && zone.secondsFromGMT() == 0 ? 0 : nil
    }

    /// Up to how many goals are found by comparing ids rather than by hashing one.
    static let fewGoalsAtMost = 8

    /// The goal with id `id`. Among a few goals, by comparing ids: the id a conversation keeps is
    /// the goal's own text (routing stores it), which compares equal at once, and other ids differ
    /// in their first bytes; hashing the id cost more than the comparisons.
    func goal(id: String) -> GoalRules? {
        guard let fewGoals else { return goals[id] }
        for g in fewGoals where g.id == id { return g }
        return nil
    }

    /// The zone's offset at the last moment asked, and until when it holds.
    let offsets = OffsetCache()

    /// The calendar day of a moment in the project's time zone.
    func today(at now: Int64) -> CalendarDate {
        let local = now + (fixedOffset ?? offsets.offset(at: now, in: zone))
        return CalendarDate(dayNumber: Int((local >= 0 ? local : local - 86_399) / 86_400))
    }
}

/// A time zone's offset from UTC, kept from the moment it was asked for until the zone's next
/// change (daylight saving time): the turns of a day ask the zone once, not once each.
final class OffsetCache: @unchecked Sendable {
    private let lock = NSLock()
    private var from = Int64.max
    private var until = Int64.min
    private var offset: Int64 = 0

    /// `zone.secondsFromGMT(for:)` at `now`, in seconds.
    func offset(at now: Int64, in zone: TimeZone) -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        if now >= from && now < until { return offset }
        let date = Date(timeIntervalSince1970: TimeInterval(now))
        offset = Int64(zone.secondsFromGMT(for: date))
        from = now
        // No change of offset lies between `now` and the zone's next transition.
        until = zone.nextDaylightSavingTimeTransition(after: date).map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? Int64.max
        return offset
    }
}

/// A catalog action as a call reads it: its signature, and what is worked out once about it
/// rather than at every call (the owner look-ups, the key's paths split at their dots). The runtime
/// makes one for each action of the plan when it loads it; every `ActionRequest` of the action
/// shares it.
public final class CatalogAction: Sendable {
    /// The inputs by number as a dictionary of the arguments by name reads them: each the value of
    /// the last input with its name (the same list, unless two inputs share a name).
    func byName(_ inputs: [RuntimeValue?]) -> [RuntimeValue?] {
        guard let sameNamed else { return inputs }
        return sameNamed.map { inputs[$0] }
    }

    /// The action as the plan declares it.
    public let signature: ActionSignature
    /// The owner field of each record type (`Order` → `customer_id`), as the plan declares them.
    public let owners: [String: String]
    /// By input, and by output: the field naming the owner of its record type, when it is a record with an owner.
    let inputOwners: [String?]
    let outputOwners: [String?]
    /// Each idempotency key path (`order.id`), its parts, and the input its first part names (by number), if any.
    let keyPaths: [(path: String, parts: [String], input: Int?)]
    /// When two inputs share a name (which the catalog should not allow), the last input with each
    /// input's name, by number: its value is the one a dictionary of the arguments by name keeps.
    let sameNamed: [Int]?
    /// The inputs a journal line names, by number, in the order `<` sorts their names (the last
    /// input of a name that two share).
    let journalOrder: [Int]
    /// The inputs a read or identify action matches records on: all but `identity` inputs, by number.
    public let givenInputs: [Int]
    /// The record inputs a frequency limit counts per (`once per order` → the `Order` inputs), by number.
    let scopeInputs: [Int]
    /// Whether it changes something: its effect is neither `read` nor `identify`.
    public let effectful: Bool
    /// What the trace says when it passes its limits, and when it is done or was already done.
    let withinLimitsDetail: String
    let doneDetail: String
    let alreadyDoneDetail: String

    /// The action `signature`, with `owners` naming the owner field of each record type.
    public init(_ signature: ActionSignature, owners: [String: String]) {
        self.signature = signature
        self.owners = owners
        func owner(_ type: ValueType) -> String? {
            if case .record(let name) = type { return owners[name] }
            return nil
        }
        inputOwners = signature.inputs.map { owner($0.type) }
        outputOwners = signature.outputs.map { owner($0.type) }
        // A name given to two inputs names the last of them, as in a dictionary of the arguments by name.
        let inputs = signature.inputs
        keyPaths = signature.idempotencyKey.map { path in
            let parts = path.split(separator: ".").map(String.init)
            return (path, parts, inputs.lastIndex { $0.name == parts[0] })
        }
        // In one walk of the inputs, without closures (a plan is loaded with all its actions):
        // the inputs sharing a name, the journal's order, the inputs a lookup matches on and the
        // record inputs a limit counts per. `sameNamed` is made only when two inputs share a name.
        var last: [Int]?
        var order: [Int] = []
        order.reserveCapacity(inputs.count)
        var given: [Int] = []
        given.reserveCapacity(inputs.count)
        var scopes: [Int] = []
        let per = signature.limit?.per
        let perRecord = per != nil && per != "customer" && per != "conversation"
        for i in inputs.indices {
            var named = false
            for j in (i + 1)..<inputs.count where inputs[j].name == inputs[i].name {
                if last == nil { last = Array(inputs.indices) }
                last?[i] = j
                named = true
            }
            if !named {
                // Sorted as it is made: after every name that `<` puts before it.
                var k = order.count
                order.append(i)
                while k > 0 && inputs[i].name < inputs[order[k - 1]].name {
                    order[k] = order[k - 1]
                    k -= 1
                }
                order[k] = i
            }
            if inputs[i].type != .identity { given.append(i) }
            if perRecord, let per, case .record(let type) = inputs[i].type, FastText.equalLowercased(type, per) { scopes.append(i) }
        }
        sameNamed = last
        journalOrder = order
        givenInputs = given
        scopeInputs = scopes
        effectful = signature.effect != "read" && signature.effect != "identify"
        withinLimitsDetail = "`\(signature.name)` is within its limits"
        doneDetail = "`\(signature.name)` done"
        alreadyDoneDetail = "`\(signature.name)` already done"
    }

    /// The owner field of input number `i`'s record type (`customer_id` for an `Order`), when it is a record with an owner.
    public func ownerField(ofInput i: Int) -> String? { inputOwners[i] }
    /// The owner field of output number `i`'s record type, when it is a record with an owner.
    public func ownerField(ofOutput i: Int) -> String? { outputOwners[i] }
}

/// A goal as a turn reads it: its rules, and what is worked out once about them.
final class GoalRules: Sendable {
    /// The goal's id.
    let id: String
    /// Its file: `resolve-order-issues.goal.yaml`.
    let file: String
    let guardrails: Guardrails
    let escalation: EscalationPolicy
    let index: GoalIndex
    /// The refund limits as a limit check's trace figures show them (`Turn.limitFigures`), written
    /// once: `max_per_refund` and `max_per_customer`, and by tier the key and amount of `max_for_<tier>`.
    let maxPerRefundText: String?
    let maxPerCustomerText: String?
    let maxByTierFigures: [String: (key: String, amount: String)]
    /// The window of `max_per_customer` in days, and the key of its figure (`refunded_in_30_days`), written once.
    let refundWindowDays: Int64
    let refundedKey: String
    /// The verdicts of the output check on messages that state no amount (`Turn.outputCheck`).
    let verdicts = OutputVerdicts()

    init(_ goal: Goal) {
        id = goal.id
        file = goal.file
        guardrails = goal.guardrails
        escalation = goal.escalation
        index = GoalIndex(goal)
        maxPerRefundText = goal.guardrails.maxPerRefund.map(Turn.formatMoney)
        maxPerCustomerText = goal.guardrails.maxPerCustomer.map(Turn.formatMoney)
        maxByTierFigures = goal.guardrails.maxByTier.reduce(into: [:]) { $0[$1.key] = ("max_for_\($1.key)", Turn.formatMoney($1.value)) }
        refundWindowDays = Int64(goal.guardrails.maxPerCustomerWindowDays ?? 30)
        refundedKey = GoalRules.refundedKey(days: refundWindowDays)
    }

    /// `refunded_in_30_days`: the key of the figure of a customer's refunds in the window.
    static func refundedKey(days: Int64) -> String { FastText.concat("refunded_in_", FastText.decimal(Int(days)), "_days") }

    /// Where a setting of the goal is written (`Goal.location(of:)`), from the index.
    func location(of key: String) -> String { index.location(of: key) }

    /// Where a setting the runtime names is written: read by number.
    func location(of setting: GoalIndex.Setting) -> String { index.settingLocations[setting.rawValue] }
}

/// What a turn looks up about a goal, worked out once when the plan is loaded.
struct GoalIndex: Sendable {
    /// The `never_say` phrases, each with its lowercase bytes (nil when the phrase is empty or not ASCII: matched as before).
    let neverSay: [(phrase: String, lower: [UInt8]?)]
    /// For each byte, the first 64 `never_say` phrases with lowercase bytes whose first byte it is, ignoring
    /// case, as bits (bit `k`: `neverSay[k]`): the phrases are looked for in one pass over a message.
    let neverSayStarts: [UInt64]
    /// Whether every `never_say` phrase has its bit in `neverSayFound` (at most 64, all with lowercase bytes):
    /// then a message with no bit set contains none of them.
    let neverSayAllInBits: Bool
    /// `file:line` of each source-map key, and for each dotted prefix of a key (`guardrails.refunds`)
    /// of the first of the keys under it, as `Goal.location(of:)` looks for them; and the location of
    /// each setting the runtime names in its trace (`GoalIndex.runtimeKeys`), worked out here once.
    let locations: [String: String]
    let file: String

    /// The settings the runtime's trace events name, whatever the goal writes.
    static let runtimeKeys = Setting.allCases.map(\.key)

    /// A setting the runtime's trace events name, by number: its location is read from
    /// `settingLocations` without hashing the key.
    enum Setting: Int, CaseIterable {
        case inputMaxCharacters, promptInjection, topicsAllowed, confidenceThreshold, confirmWithCustomer, maxPerRefund,
             maxByTier, maxPerCustomer, asksForHuman, frustration, sameQuestionRepeated

        /// The setting's key in the goal file.
        var key: String {
            switch self {
            case .inputMaxCharacters: "guardrails.input.max_characters"
            case .promptInjection: "guardrails.input.prompt_injection"
            case .topicsAllowed: "guardrails.topics.allowed"
            case .confidenceThreshold: "guardrails.confidence.threshold"
            case .confirmWithCustomer: "guardrails.confirm_with_customer"
            case .maxPerRefund: "guardrails.refunds.max_per_refund"
            case .maxByTier: "guardrails.refunds.max_by_tier"
            case .maxPerCustomer: "guardrails.refunds.max_per_customer"
            case .asksForHuman: "escalation.when.customer_asks_for_human"
            case .frustration: "escalation.when.frustration_detected"
            case .sameQuestionRepeated: "escalation.when.same_question_repeated"
            }
        }
    }

    /// `location(of: setting.key)` for each `Setting`, by its number.
    let settingLocations: [String]

    init(_ goal: Goal) {
        let neverSay = goal.guardrails.neverSay.map { ($0, $0.isEmpty ? nil : FastText.lowercasedASCII($0)) }
        self.neverSay = neverSay
        var starts = [UInt64](repeating: 0, count: 256)
        for (k, (_, needle)) in neverSay.prefix(64).enumerated() {
            if let first = needle?.first { starts[Int(first)] |= 1 << UInt64(k) }
        }
        // A capital starts what its lowercase letter starts: the scan reads the table with the text's byte as it is.
        for upper in 0x41...0x5A { starts[upper] = starts[upper + 32] }
        neverSayStarts = starts
        neverSayAllInBits = neverSay.count <= 64 && neverSay.allSatisfy { $0.1 != nil }
        file = goal.file
        var table = GoalIndex.lines(goal.sourceMap).mapValues { "\(goal.file):\($0)" }
        // A key's location is where the search from it ends, so keeping it changes no other key's.
        // Each setting's location is kept by number as well, from the same look-up.
        var settings: [String] = []
        settings.reserveCapacity(Setting.allCases.count)
        for key in GoalIndex.runtimeKeys {
            if let known = table[key] {
                settings.append(known)
            } else {
                let location = GoalIndex.location(of: key, in: table, file: goal.file)
                table[key] = location
                settings.append(location)
            }
        }
        settingLocations = settings
        locations = table
    }

    /// Which of the first 64 `never_say` phrases with lowercase bytes occur in the ASCII text, ignoring case, as bits.
    func neverSayFound(in text: String) -> UInt64 {
        FastText.withBytes(text) { h in neverSayStarts.withUnsafeBufferPointer { starts in
            var found: UInt64 = 0
            var i = 0
            while i < h.count {
                var candidates = starts[Int(h[i])] & ~found
                guard candidates != 0 else { i += 1; continue }
                while candidates != 0 {
                    let k = candidates.trailingZeroBitCount
                    candidates &= candidates - 1
                    guard let needle = neverSay[k].lower, i + needle.count <= h.count else { continue }
                    var j = 1
                    while j < needle.count, FastText.lower(h[i + j]) == needle[j] { j += 1 }
                    if j == needle.count { found |= 1 << UInt64(k) }
                }
                i += 1
            }
            return found
        } }
    }

    /// The key's own line, else the first line of the keys inside it (prefix `key.`).
    static func lines(_ sourceMap: [String: SourceRef]) -> [String: Int] {
        var inside: [String: Int] = [:]
        inside.reserveCapacity(sourceMap.count * 2)
        func note(_ prefix: String, _ line: Int) {
            if inside[prefix].map({ line < $0 }) ?? true { inside[prefix] = line }
        }
        for (key, ref) in sourceMap {
            var key = key
            let ascii = key.withUTF8 { bytes in
                guard bytes.allSatisfy({ $0 < 0x80 }) else { return false }
                // An ASCII key's characters are its bytes: its prefixes are cut at its dot bytes.
                for i in bytes.indices where bytes[i] == UInt8(ascii: ".") {
                    note(String(decoding: UnsafeBufferPointer(rebasing: bytes[..<i]), as: UTF8.self), ref.line)
                }
                return true
            }
            if ascii { continue }
            // Otherwise by characters: a dot with a combining accent on it is not a dot.
            var i = key.startIndex
            while i != key.endIndex {
                if key[i] == "." { note(String(key[..<i]), ref.line) }
                i = key.index(after: i)
            }
        }
        for (key, ref) in sourceMap { inside[key] = ref.line }
        return inside
    }

    /// `file:line` for the key, or its nearest parent with a line; the file alone when none has one.
    func location(of key: String) -> String { GoalIndex.location(of: key, in: locations, file: file) }

    static func location(of key: String, in locations: [String: String], file: String) -> String {
        guard !key.isEmpty else { return file }
        if let found = locations[key] { return found }
        var k = Substring(key)
        while let dot = k.lastIndex(of: ".") {
            k = k[..<dot]
            guard !k.isEmpty else { break }
            if let found = locations[String(k)] { return found }
        }
        return file
    }
}

/// A procedure as a turn runs it: its steps, what the trace calls them, the amounts its messages write.
final class ProcedureRuntime: Sendable {
    let procedure: Procedure
    /// `refund-delivered-order:7`, by step: the coverage key.
    let keys: [String]
    /// `refund-delivered-order.procedure:12`, by step: where the sentence is.
    let sources: [String]
    /// The amounts the procedure's messages and reasons write (`$150`, `89.00 USD`), as customers see them.
    let writtenAmounts: [String]
    /// What the trace says when each step runs (`Turn.stepDetails`): usually, and when a condition does not hold.
    let details: [String]
    let otherwiseDetails: [String]
    /// Each step's next step and label, by step: read without copying the step.
    let nexts: [Int?]
    let labels: [String]
    /// `refund-delivered-order.procedure`: where a route to the procedure points.
    let file: String
    /// Its decision tables, with their keys as lookups compare them.
    let tables: [KeyedTable]
    /// What the trace says when an intent the procedure handles is routed to it, by intent.
    let routeDetails: [(intent: String, detail: String)]
    /// What the trace says when the customer answers an ask step (`the customer gave the order number`), by step.
    let answerDetails: [String]
    /// How many names the procedure's steps may give a value (asked, set, added to, bound by an
    /// action, looped over): the conversation's values are given room for them once, on entry,
    /// rather than grown and rehashed as they come.
    let valueCapacity: Int

    /// A call step as a turn makes it: its catalog action, and the expression the step gives each
    /// input, by input number (as `arguments[input.name]` reads them): no name is hashed per call.
    struct Call {
        let action: CatalogAction
        let arguments: [Expr?]
    }

    /// By step: its call, worked out once, for a call step whose action is in the catalog.
    let calls: [Call?]

    init(_ p: Procedure, catalog: [String: CatalogAction] = [:]) {
        procedure = p
        calls = p.steps.map { step in
            guard case .call(let name, let arguments, _) = step.op, let action = catalog[name] else { return nil }
            return Call(action: action, arguments: action.signature.inputs.map { arguments[$0.name] })
        }
        file = "\(p.id).procedure"
        tables = p.tables.map(KeyedTable.init)
        routeDetails = p.handles.map { ($0, "`\($0)` is handled by “\(p.name)”") }
        answerDetails = p.steps.map { step in
            if case .ask(let slot, _, _, _, _) = step.op { "the customer gave the \(FastText.words(slot))" } else { "" }
        }
        keys = p.steps.map { "\(p.id):\($0.label)" }
        nexts = p.steps.map(\.next)
        labels = p.steps.map(\.label)
        sources = p.steps.map { $0.source.description }
        let details = p.steps.map(Turn.stepDetails)
        self.details = details.map(\.usual)
        otherwiseDetails = details.map(\.otherwise)
        var amounts: [String] = []
        for step in p.steps {
            switch step.op {
            case .say(let t), .confirm(let t, _): amounts += Turn.amounts(in: t.text)
            case .escalate(_, let reason): amounts += Turn.amounts(in: reason)
            default: break
            }
        }
        writtenAmounts = amounts
        var names = Set<String>()
        for step in p.steps {
            switch step.op {
            case .ask(let slot, _, _, _, _): names.insert(slot)
            case .set(let name, _, _): names.insert(name)
            case .append(let list, _): names.insert(list)
            case .call(_, _, let binds): names.formUnion(binds)
            case .forEach(let variable, _, _): names.insert(variable)
            default: break
            }
        }
        valueCapacity = names.count
        slotPatterns = p.slots.map { ($0.name, $0.pattern) }
        var questions: [(slot: String, text: String)] = []
        for step in p.steps {
            if case .ask(let slot, _, _, _, _) = step.op, !questions.contains(where: { $0.slot == slot }) {
                questions.append((slot, "What's the \(FastText.words(slot))?"))
            }
        }
        plainQuestions = questions
    }

    /// The pattern of each slot the procedure declares, by name, read without copying the procedure.
    let slotPatterns: [(name: String, pattern: String?)]

    /// The question for each slot an ask step asks for, when it offers no choices: `What's the order number?`.
    let plainQuestions: [(slot: String, text: String)]

    /// `What's the order number?`, written once, for a slot one of its steps asks for.
    func plainQuestion(_ slot: String) -> String? {
        for q in plainQuestions where q.slot == slot { return q.text }
        return nil
    }

    /// The pattern of the slot `name` declares (`[0-9]{4,8}`), if it declares one.
    func pattern(of name: String) -> String? {
        for s in slotPatterns where s.name == name { return s.pattern }
        return nil
    }

    /// The route's trace detail for an intent, written once when the procedure handles it.
    func routeDetail(_ intent: String) -> String {
        for (handled, detail) in routeDetails where handled == intent { return detail }
        return "`\(intent)` is handled by “\(procedure.name)”"
    }
}

/// Each procedure's `ProcedureRuntime`, made once per procedure the first time it runs (a plan
/// loaded lazily decodes a procedure only when it is used); a turn fetches it once.
final class ProcedureCache: @unchecked Sendable {
    private let procedures: ProcedureList
    private let lock = NSLock()
    private var made: [ProcedureRuntime?]

    /// The catalog, for what a procedure's calls are worked out against when it is made.
    private let catalog: [String: CatalogAction]

    init(_ procedures: ProcedureList, catalog: [String: CatalogAction]) {
        self.procedures = procedures
        self.catalog = catalog
        made = Array(repeating: nil, count: procedures.count)
    }

    /// The id and position last asked for: the turns of a conversation ask for its procedure by the
    /// same id, which compares equal at once, without hashing it again.
    private var lastID: String?
    private var lastPosition = 0

    /// The procedure with id `id`; nil for a procedure the plan does not have.
    subscript(id: String) -> ProcedureRuntime? {
        lock.lock()
        defer { lock.unlock() }
        if id != lastID {
            guard let position = procedures.position(of: id) else { return nil }
            lastID = id
            lastPosition = position
        }
        return runtime(at: lastPosition)
    }

    /// The procedure at `position` in the plan.
    subscript(at position: Int) -> ProcedureRuntime {
        lock.lock()
        defer { lock.unlock() }
        return runtime(at: position)
    }

    /// The procedure at `position`, made if it was not yet; the lock is held.
    private func runtime(at position: Int) -> ProcedureRuntime {
        if let known = made[position] { return known }
        let p = ProcedureRuntime(procedures[position], catalog: catalog)
        made[position] = p
        return p
    }
}

/// What the output check said about a message: the rule it breaks, if any.
struct OutputVerdict: Sendable {
    var rule: (why: String, clause: String)?
}

/// A goal's output-check verdicts on messages that state no amount, by text: such a verdict
/// depends on the goal and the text alone. At most `limit` texts are kept (the plan's questions
/// and fixed messages come first and stay); a text beyond them is checked every time.
///
/// The texts are kept in a table of their own, found by a hash of their bytes read eight at a
/// time: a dictionary hashed the whole text with SipHash at every look-up (about a thousand
/// instructions for a question). Two texts are the same only when their bytes are.
final class OutputVerdicts: @unchecked Sendable {
    static let limit = 1024
    /// Slots in the table: a power of two, twice the texts it keeps at most.
    static let width = 2048
    private let lock = NSLock()
    /// By slot: the text's hash (never 0; 0 marks a free slot), the text and its verdict. Made at
    /// the first verdict kept, so that loading a plan makes none.
    /// Read and written under `lock` only, so not checked for exclusive access at each use (a
    /// dynamic check of a class's property costs more than the look-up it guards).
    @exclusivity(unchecked) private var hashes: [UInt64] = []
    @exclusivity(unchecked) private var texts: [String] = []
    @exclusivity(unchecked) private var verdicts: [OutputVerdict] = []
    @exclusivity(unchecked) private var count = 0
    /// The last `recentCount` texts found or kept, with their slots, looked through before the
    /// table: a turn mostly sends the plan's fixed texts, the same string each time, which compare
    /// equal at once (a different text mostly differs in length), so the text is not hashed.
    @exclusivity(unchecked) private var recent: [(text: String, slot: Int)] = []
    @exclusivity(unchecked) private var nextRecent = 0
    static let recentCount = 8

    /// The verdict kept on `text`, if any.
    func verdict(on text: String) -> OutputVerdict? {
        lock.lock()
        defer { lock.unlock() }
        guard !hashes.isEmpty else { return nil }
        for r in recent.indices where recent[r].text == text { return verdicts[recent[r].slot] }
        let h = Self.hash(text)
        var i = Int(truncatingIfNeeded: h >> 32) & (Self.width - 1)
        while hashes[i] != 0 {
            if hashes[i] == h && texts[i] == text {
                remember(i)
                return verdicts[i]
            }
            i = (i + 1) & (Self.width - 1)
        }
        return nil
    }

    /// Puts the text of slot `i` among the recent ones, in place of the oldest. Called under `lock`.
    private func remember(_ i: Int) {
        if recent.count < Self.recentCount {
            if recent.isEmpty { recent.reserveCapacity(Self.recentCount) }
            recent.append((texts[i], i))
        } else {
            recent[nextRecent] = (texts[i], i)
            nextRecent = (nextRecent + 1) % Self.recentCount
        }
    }

    /// Keeps the verdict on `text`, while there is room.
    func keep(_ verdict: OutputVerdict, on text: String) {
        let h = Self.hash(text)
        lock.lock()
        defer { lock.unlock() }
        guard count < Self.limit else { return }
        if hashes.isEmpty {
            hashes = Array(repeating: 0, count: Self.width)
            texts = Array(repeating: "", count: Self.width)
            verdicts = Array(repeating: OutputVerdict(rule: nil), count: Self.width)
        }
        var i = Int(truncatingIfNeeded: h >> 32) & (Self.width - 1)
        while hashes[i] != 0 {
            if hashes[i] == h && texts[i] == text { verdicts[i] = verdict; return }
            i = (i + 1) & (Self.width - 1)
        }
        hashes[i] = h
        texts[i] = text
        verdicts[i] = verdict
        count += 1
        remember(i)
    }

    /// A hash of the text's bytes, never 0: eight bytes at a time, each word mixed by a multiply.
    static func hash(_ text: String) -> UInt64 {
        FastText.withBytes(text) { b in
            let raw = UnsafeRawBufferPointer(b)
            let n = raw.count
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
            var i = 0
            while i + 8 <= n {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 32
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(raw[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 29
            return h | 1
        }
    }
}
