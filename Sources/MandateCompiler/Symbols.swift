import MandateDiagnostics
import MandateIR
import MandateSyntax

/// A piece of an action phrase: a word, or a hole naming an input.
enum PhrasePart: Equatable {
    /// A literal word, by its number in `Symbols.phraseWordIDs`.
    case word(Int32)
    case possessive
    case hole(String)
}

/// An action's phrase as a sentence is matched against it: its parts, and for the quick tests
/// first, the numbers of its literal words in order (`Symbols.phraseWordIDs`) and their bits.
struct ActionPhrase {
    let name: String
    let parts: [PhrasePart]
    /// Its literal words' numbers, in order.
    let words: [Int32]
    /// Its words' bits (`wordBit`): a sentence lacking one of them cannot match the phrase.
    let wordMask: UInt64

    init(name: String, parts: [PhrasePart]) {
        self.name = name
        self.parts = parts
        var words: [Int32] = []
        for case .word(let w) in parts { words.append(w) }
        self.words = words
        self.wordMask = words.reduce(0) { $0 | Self.wordBit($1) }
    }

    /// One bit per word number, shared by every 64th number.
    @inline(__always) static func wordBit(_ id: Int32) -> UInt64 { id < 0 ? 0 : 1 << UInt64(id & 63) }
}

/// An action with its phrase split into parts.
struct ActionInfo {
    var signature: ActionSignature
    var inputTypes: NameTable<ValueType>
}

/// Everything names can refer to: the declare stage's result.
struct Symbols {
    let project: ProjectSyntax?
    let catalog: CatalogSyntax?
    let goalSyntax: [GoalSyntax]
    /// The procedure files, given to `declare(procedures:)`.
    private(set) var procedureSyntax: [ProcedureFile] = []
    let lookup: SourceLookup
    var diagnostics: [Diagnostic] = []
    /// Whether some goal file could not be read at all (its intents and outcomes are unknown).
    var goalFilesIncomplete: Bool { goalSyntax.contains { $0.goal == nil } }
    /// Whether the action catalog had errors (actions may be missing from it).
    var catalogIncomplete = false

    var currency = "USD"
    var tiers: [String] = []
    var queues: [String] = []
    var goals: [String: Goal] = [:]
    var intentGoal: [String: String] = [:]
    var records: [String: RecordType] = [:]
    var actions: [String: ActionInfo] = [:]
    /// The phrases a sentence may match, by the sentence's first word: the actions whose phrase
    /// starts with that word and those whose phrase starts with a hole, sorted by name.
    var actionsByFirstWord = NameTable<[ActionPhrase]>()
    /// The actions whose phrase starts with a hole: the candidates of a sentence whose first
    /// word starts no phrase.
    var actionsByHole: [ActionPhrase] = []
    /// Each action's phrase with its words, lowercased, for suggesting a phrase when a sentence
    /// matches none (computed once, not for every unknown sentence).
    var phraseWords: [(phrase: String, words: [String])] = []
    /// The literal words of the catalog's phrases, numbered: a sentence's words are looked up
    /// once, and every candidate phrase is then tested on numbers rather than strings.
    var phraseWordIDs = NameTable<Int32>()
    /// Procedure names (lowercased) → ids.
    var procedureIDs: [String: String] = [:]
    /// Types of every catalog input name, for slots asked for by that name.
    var slotTypes = NameTable<(ValueType, String?)>()

    init(project: ProjectSyntax?, catalog: CatalogSyntax?, goals: [GoalSyntax], lookup: SourceLookup) {
        self.project = project
        self.catalog = catalog
        self.goalSyntax = goals
        self.lookup = lookup
    }

    func ref(_ range: SourceRange) -> SourceRef {
        let location = lookup[range.file]?.location(of: range.start) ?? SourceLocation(line: 1, column: 1)
        return SourceRef(file: range.file, line: location.line, column: location.column)
    }

    mutating func report(_ d: Diagnostic) { diagnostics.append(d) }

    /// A procedure's id: its file name without `.procedure`.
    static func procedureID(_ path: String) -> String {
        let slash = UInt8(ascii: "/")
        return path.utf8.withContiguousStorageIfAvailable { bytes -> String in
            // A path ending in `/` names no file; its last non-empty component stands in.
            var end = bytes.count
            while end > 0, bytes[end - 1] == slash { end -= 1 }
            var start = end
            while start > 0, bytes[start - 1] != slash { start -= 1 }
            let suffix = ".procedure".utf8
            if end - start >= suffix.count, bytes[(end - suffix.count)..<end].elementsEqual(suffix) { end -= suffix.count }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        } ?? procedureID(String(decoding: Array(path.utf8), as: UTF8.self))
    }

    /// Declares what the YAML files name: tiers, queues, records, actions, goals and intents.
    /// It needs no procedure file, so it runs while those are parsed.
    mutating func declare() {
        if let project {
            currency = project.currency?.value ?? "USD"
            tiers = project.tiers.map(\.value)
            queues = project.queues.map(\.name.value)
        }
        declareRecords()
        declareActions()
        declareGoals()
    }

    /// Declares the procedures' names, for `Follow`.
    mutating func declare(procedures: [ProcedureFile]) {
        procedureSyntax = procedures
        var names: [String: SourceRange] = [:]
        for p in procedures {
            guard let name = p.name else { continue }
            let key = name.value.lowercased()
            if let first = names[key] {
                report(Diagnostic(.duplicateDefinition, "two procedures are named `\(name.value)`", at: name.range,
                                  labels: [DiagnosticLabel(range: first, message: "the other one")],
                                  help: "give each procedure its own name: `Follow` finds procedures by name"))
                continue
            }
            names[key] = name.range
            procedureIDs[key] = Symbols.procedureID(p.path)
        }
    }

    // MARK: records and types

    mutating func resolveType(_ t: TypeSyntax) -> ValueType {
        switch t {
        case .enumeration(let values, _): return .enumeration(values.map(\.value))
        case .list(let inner, _): return .list(resolveType(inner))
        case .named(let name):
            switch name.value {
            case "text", "string": return .text
            case "number", "integer": return .number
            case "money": return .money
            case "percent": return .percent
            case "date": return .date
            case "datetime", "time": return .datetime
            case "duration": return .duration
            case "boolean", "bool": return .boolean
            case "email": return .email
            case "identity": return .identity
            default:
                if catalog?.records.contains(where: { $0.name.value == name.value }) ?? false { return .record(name.value) }
                let known = ["text", "number", "money", "percent", "date", "datetime", "duration", "boolean", "email", "identity"]
                    + (catalog?.records.map(\.name.value) ?? [])
                report(Diagnostic(.unknownType, "`\(name.value)` is not a type", at: name.range,
                                  notes: ["the types are `text`, `number`, `money`, `percent`, `date`, `datetime`, `duration`, `boolean`, `email`, `identity`, an enumeration `[a, b]`, `list of <type>`, and the records under `types:`"],
                                  help: Suggestions.didYouMean(name.value, in: known) ?? "declare it under `types:` or use a built-in type"))
                return .unknown
            }
        }
    }

    mutating func declareRecords() {
        guard let catalog else { return }
        for r in catalog.records {
            let fields = r.fields.map { Field(name: $0.name.value, type: resolveType($0.type), pattern: $0.pattern?.value) }
            if let owner = r.owner, !fields.contains(where: { $0.name == owner.value }) {
                report(Diagnostic(.unknownField, "the owner field `\(owner.value)` is not a field of `\(r.name.value)`", at: owner.range,
                                  help: Suggestions.didYouMean(owner.value, in: fields.map(\.name)) ?? "add the field, such as `\(owner.value): text`"))
            }
            records[r.name.value] = RecordType(name: r.name.value, owner: r.owner?.value, fields: fields)
        }
    }

    mutating func declareActions() {
        guard let catalog else { return }
        var byWord: [String: [ActionPhrase]] = [:]
        defer {
            // In the actions' order by name: suggestions are sorted, but ties keep this order.
            phraseWords = actions.keys.sorted().map { name in
                let phrase = actions[name]!.signature.phrase
                // Split on the space byte: a phrase's words are separated by plain spaces.
                return (phrase, phrase.lowercased().utf8.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) })
            }
            // INVARIANT: every list is sorted by name, so a sentence's matches come in a stable order.
            actionsByHole.sort { $0.name < $1.name }
            for (word, list) in byWord { actionsByFirstWord[word] = (list + actionsByHole).sorted { $0.name < $1.name } }
        }
        for a in catalog.actions {
            let inputs = a.inputs.map { Field(name: $0.name.value, type: resolveType($0.type), pattern: $0.pattern?.value) }
            let outputs = a.outputs.map { Field(name: $0.name.value, type: resolveType($0.type), pattern: nil) }
            for input in inputs where input.type != .identity && slotTypes[input.name] == nil {
                slotTypes[input.name] = (input.type, input.pattern)
            }
            guard let phrase = a.phrase, let effect = a.effect else { continue }
            let lexed = Lexer.tokenize(Array(phrase.value.utf8), segments: [0..<phrase.value.utf8.count])
            var parts: [PhrasePart] = []
            var firstWord: String?
            for t in lexed.tokens {
                switch t.kind {
                case .hole:
                    let name = lexed.text(t).trimmingCharacters(in: " ")
                    if let input = inputs.first(where: { $0.name == name }) {
                        if input.type == .identity {
                            report(Diagnostic(.phraseHoleNotInput, "`{\(name)}` is an identity input; it comes from the verified customer, never from a sentence",
                                              at: phrase.range, help: "remove `{\(name)}` from the phrase: Mandate fills identity inputs itself"))
                        }
                    } else {
                        report(Diagnostic(.phraseHoleNotInput, "the phrase of `\(a.name.value)` has `{\(name)}`, which is not one of its inputs",
                                          at: phrase.range,
                                          help: Suggestions.didYouMean(name, in: inputs.map(\.name)) ?? "add `\(name)` under `input:`"))
                    }
                    parts.append(.hole(name))
                case .possessive: parts.append(.possessive)
                case .period: continue
                default:
                    let word = lexed.text(t)
                    if parts.isEmpty { firstWord = word }
                    parts.append(.word(phraseWordID(word)))
                }
            }
            var limit: ActionSignature.Limit?
            if let l = a.limit, let parsed = FrequencyLimitSyntax.parse(l.value) {
                limit = ActionSignature.Limit(count: parsed.count, per: parsed.per, windowDays: parsed.windowDays)
            }
            let signature = ActionSignature(
                name: a.name.value, description: a.description, phrase: phrase.value, inputs: inputs, outputs: outputs,
                effect: effect.value, runsOn: a.runsOn?.value ?? "sandbox", idempotencyKey: a.idempotencyKey.map(\.value),
                limit: limit, source: ref(a.name.range))
            actions[a.name.value] = ActionInfo(
                signature: signature,
                inputTypes: inputs.reduce(into: NameTable<ValueType>()) { table, input in
                    if table[input.name] == nil { table[input.name] = input.type }
                })
            let entry = ActionPhrase(name: a.name.value, parts: parts)
            if let firstWord { byWord[firstWord, default: []].append(entry) }
            else { actionsByHole.append(entry) }
        }
    }

    /// The number of a phrase word, given on first sight.
    mutating func phraseWordID(_ word: String) -> Int32 {
        if let id = phraseWordIDs[word] { return id }
        let id = Int32(phraseWordIDs.count)
        phraseWordIDs[word] = id
        return id
    }

    // MARK: goals

    mutating func checkTier(_ t: Located<String>) {
        guard !tiers.contains(t.value) else { return }
        report(Diagnostic(.unknownTier, "`\(t.value)` is not a tier of this project", at: t.range,
                          notes: tiers.isEmpty ? ["`mandate.yaml` declares no `tiers:`"] : ["the tiers are " + Suggestions.list(tiers.map { "`\($0)`" })],
                          help: Suggestions.didYouMean(t.value, in: tiers) ?? "add it to `tiers:` in `mandate.yaml`"))
    }

    mutating func checkQueue(_ q: Located<String>) {
        guard !queues.contains(q.value), project?.queuesReadable ?? true else { return }
        report(Diagnostic(.unknownQueue, "`\(q.value)` is not a queue of this project", at: q.range,
                          notes: queues.isEmpty ? ["`mandate.yaml` declares no `queues:`"] : ["the queues are " + Suggestions.list(queues.map { "`\($0)`" })],
                          help: Suggestions.didYouMean(q.value, in: queues) ?? "declare it under `queues:` in `mandate.yaml`"))
    }

    func money(_ m: MoneyLiteral) -> Money { Money(minor: m.minorUnits, currency: m.currency) }

    mutating func checkCurrency(_ m: Located<MoneyLiteral>) {
        guard project?.currency != nil, m.value.currency != currency else { return }
        report(Diagnostic(.currencyMismatch, "this limit is in \(m.value.currency) but the project's currency is \(currency)", at: m.range,
                          help: "write the limit in \(currency)"))
    }

    mutating func declareGoals() {
        var goalRanges: [String: SourceRange] = [:]
        var intentRanges: [String: SourceRange] = [:]
        for g in goalSyntax {
            guard let id = g.goal else { continue }
            if let first = goalRanges[id.value] {
                report(Diagnostic(.duplicateDefinition, "two goal files declare the goal `\(id.value)`", at: id.range,
                                  labels: [DiagnosticLabel(range: first, message: "declared here too")],
                                  help: "give each goal its own id"))
                continue
            }
            goalRanges[id.value] = id.range
            for intent in g.intents {
                if let first = intentRanges[intent.name.value] {
                    report(Diagnostic(.duplicateDefinition, "the intent `\(intent.name.value)` is declared twice", at: intent.name.range,
                                      labels: [DiagnosticLabel(range: first, message: "declared here too")],
                                      help: "declare each intent in one goal only"))
                    continue
                }
                intentRanges[intent.name.value] = intent.name.range
                intentGoal[intent.name.value] = id.value
            }
        }
        for g in goalSyntax {
            guard let id = g.goal, goalRanges[id.value] == g.goal?.range else { continue }
            var sourceMap: [String: SourceRef] = ["goal": ref(id.range)]
            for t in g.alwaysEscalateTiers { checkTier(t) }
            for t in g.maxByTier { checkTier(t.tier); checkCurrency(t.amount) }
            if let m = g.maxPerRefund { checkCurrency(m); sourceMap["guardrails.refunds.max_per_refund"] = ref(m.range) }
            if let m = g.maxPerCustomer { sourceMap["guardrails.refunds.max_per_customer"] = ref(m.range) }
            if let q = g.defaultQueue { checkQueue(q); sourceMap["escalation.default_queue"] = ref(q.range) }
            if let t = g.confidenceThreshold { sourceMap["guardrails.confidence.threshold"] = ref(t.range) }
            for intent in g.alwaysEscalateIntents { sourceMap["guardrails.always_escalate.intents.\(intent.value)"] = ref(intent.range) }
            for p in g.alwaysEscalatePhrases { sourceMap["guardrails.always_escalate.phrases.\(p.value)"] = ref(p.range) }
            for t in g.alwaysEscalateTiers { sourceMap["guardrails.always_escalate.tiers.\(t.value)"] = ref(t.range) }
            for (_, q) in g.alwaysEscalateQueues.sorted(by: { $0.key < $1.key }) { checkQueue(q) }
            for e in g.confirmWithCustomer { sourceMap["guardrails.confirm_with_customer.\(e.value)"] = ref(e.range) }
            if let m = g.inputMaxCharacters { sourceMap["guardrails.input.max_characters"] = ref(m.range) }
            if let v = g.onAskForHuman { sourceMap["escalation.when.customer_asks_for_human"] = ref(v.range) }
            if let v = g.sameQuestionRepeated { sourceMap["escalation.when.same_question_repeated"] = ref(v.range) }
            if let v = g.onFrustration { sourceMap["escalation.when.frustration_detected"] = ref(v.range) }
            if let v = g.onActionFailure { sourceMap["escalation.when.action_fails"] = ref(v.range) }
            for p in g.neverSay { sourceMap["guardrails.output.never_say.\(p.value)"] = ref(p.range) }
            for t in g.maxByTier { sourceMap["guardrails.refunds.max_by_tier.\(t.tier.value)"] = ref(t.amount.range) }
            if let m = g.outputMaxCharacters { sourceMap["guardrails.output.max_characters"] = ref(m.range) }
            if let m = g.promptInjection { sourceMap["guardrails.input.prompt_injection"] = ref(m.range) }
            var byTier: [String: Money] = [:]
            for t in g.maxByTier { byTier[t.tier.value] = money(t.amount.value) }
            let guardrails = Guardrails(
                confidenceThreshold: g.confidenceThreshold.flatMap { Double($0.value) }, onLowConfidence: g.onLowConfidence?.value,
                alwaysEscalateIntents: g.alwaysEscalateIntents.map(\.value), alwaysEscalatePhrases: g.alwaysEscalatePhrases.map(\.value),
                alwaysEscalateTiers: g.alwaysEscalateTiers.map(\.value), alwaysEscalateQueues: g.alwaysEscalateQueues.mapValues(\.value),
                confirmEffects: g.confirmWithCustomer.map(\.value),
                maxPerRefund: g.maxPerRefund.map { money($0.value) }, maxPerCustomer: g.maxPerCustomer.map { money($0.value.0) },
                maxPerCustomerWindowDays: g.maxPerCustomer?.value.1, maxByTier: byTier, allowedTopics: g.allowedTopics.map(\.value),
                promptInjection: g.promptInjection?.value, inputMaxCharacters: g.inputMaxCharacters?.value,
                neverSay: g.neverSay.map(\.value), outputMaxCharacters: g.outputMaxCharacters?.value)
            let escalation = EscalationPolicy(
                defaultQueue: g.defaultQueue?.value, onAskForHuman: g.onAskForHuman?.value ?? false,
                sameQuestionRepeated: g.sameQuestionRepeated?.value, onFrustration: g.onFrustration?.value ?? false,
                onActionFailure: g.onActionFailure?.value ?? false)
            goals[id.value] = Goal(
                id: id.value, outcome: g.outcome?.value, owner: g.owner?.value, file: g.path,
                intents: g.intents.filter { intentGoal[$0.name.value] == id.value && intentRanges[$0.name.value] == $0.name.range && $0.outOfScope?.value != true }
                    .map { Goal.Intent(name: $0.name.value, description: $0.description, examples: $0.examples.map(\.value)) },
                resolvedWhen: g.resolvedWhen.map(\.value),
                targets: g.targets.map { Goal.Target(metric: $0.metric.value, atLeast: $0.atLeast, basisPoints: $0.percent) },
                guardrails: guardrails, escalation: escalation, sourceMap: sourceMap)
        }
        // Always-escalated intents must be declared somewhere.
        for g in goalSyntax {
            for intent in g.alwaysEscalateIntents where intentGoal[intent.value] == nil {
                report(Diagnostic(.unknownIntent, "`\(intent.value)` is always escalated but no goal declares it", at: intent.range,
                                  help: Suggestions.didYouMean(intent.value, in: intentGoal.keys) ?? "declare it under `intents:` with its examples"))
            }
        }
    }

    // MARK: plan

    /// The examples of intents marked `out_of_scope: true`, by intent name: the classifier learns
    /// them as "none of these", so a customer asking for one gets the out-of-scope answer.
    var outOfScopeIntentExamples: [String] {
        var seen: Set<String> = []
        return goalSyntax.flatMap(\.intents).filter { seen.insert($0.name.value).inserted && $0.outOfScope?.value == true }
            .sorted { $0.name.value < $1.name.value }
            .flatMap { $0.examples.map(\.value) }
    }

    func plan(procedures: [MandateIR.Procedure]) -> Plan {
        let projectIR = MandateIR.Project(
            name: project?.project?.value ?? "", currency: currency, timeZone: project?.timeZone?.value, tiers: tiers,
            queues: (project?.queues ?? []).map { .init(name: $0.name.value, description: $0.description, urgent: $0.urgent) }
                .sorted { $0.name < $1.name },
            outOfScopeExamples: (project?.outOfScope.map(\.value) ?? []) + outOfScopeIntentExamples)
        return Plan(
            project: projectIR,
            goals: goals.values.sorted { $0.id < $1.id },
            actions: actions.values.map(\.signature).sorted { $0.name < $1.name },
            records: records.values.sorted { $0.name < $1.name },
            procedures: procedures.sorted { $0.id < $1.id },
            sources: [])
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
