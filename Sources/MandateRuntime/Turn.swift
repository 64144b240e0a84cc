import Foundation
import MandateIR

/// One turn in progress: routing, the step interpreter, guardrails. Mutates only its own copy.
///
/// Not copyable, so that `finish()` moves the state, effects and trace out of the finished turn:
/// a copyable turn copied them (a retain of every text and list in the state) and then released
/// them with the rest of the turn.
struct Turn: ~Copyable {
    let runtime: RuntimeCore
    /// Steps this turn may run (`Runtime.stepBudget`).
    let stepBudget: Int
    /// The conversation's state, kept in an optional that `finish()` empties: the state is moved
    /// out of the finished turn without a copy, and the turn then releases nothing of it.
    var held: ConversationState?
    /// The conversation's state, changed in place.
    var state: ConversationState {
        _read { yield held.unsafelyUnwrapped }
        _modify { yield &held! }
    }
    let message: String
    let supplied: IntentPrediction?
    var env: TurnEnvironment
    /// The words of the request being routed: the message, after an unclear one when the agent asked for more.
    var requestText: String
    var effects: [TurnEffect] = []
    var trace: [TraceEvent] = []
    var steps = 0
    /// The goal of the intent the message reads as, before it is routed: whose rules apply to a first message.
    var contextGoal: GoalRules?
    /// The intent `contextGoal` was found for: routing the same intent reuses it rather than looking it up again.
    var contextIntent: String?
    /// The goal `state.goal` names, kept beside it.
    var servedGoal: GoalRules?
    /// The procedure `state.procedure` names, kept beside it: fetched once, not at every step.
    var proc: ProcedureRuntime?
    /// The classifier's reading of this message, once made.
    var prediction: IntentPrediction?
    /// The message made plain for matching (`MessageText`), made once and read by every check of the turn.
    var plain: MessageText?
    /// Its words numbered for the phrase patterns, made once.
    var numbered: PhraseWords?
    /// Set when an identify action found no account.
    var verificationFailed = false
    /// Where to go on after an action that asks again (a lookup that found nothing).
    var jump: Int?
    /// The calendar day of this turn in the project's time zone (the clock does not move during a turn).
    let today: CalendarDate

    init(runtime: RuntimeCore, stepBudget: Int, state: consuming ConversationState, message: String, supplied: IntentPrediction?, env: consuming TurnEnvironment) {
        self.runtime = runtime
        self.stepBudget = stepBudget
        // The goal and procedure are read before the state is moved in, so that it is moved, not copied.
        self.servedGoal = state.goal.flatMap { runtime.goal(id: $0) }
        self.proc = state.procedure.flatMap { runtime.procedures[$0] }
        self.held = state
        self.message = message
        self.requestText = message
        self.supplied = supplied
        self.today = runtime.today(at: env.now)
        // Moved in, not copied (its ports retained and released again).
        self.env = env
        // Room for the events of most turns, in a block small enough for the allocator's quick
        // path (16 events took its slow one, at every turn).
        trace.reserveCapacity(12)
        // Every turn has an effect, and a refund's has three (the action, its message, the outcome):
        // room for them at once, rather than a list regrown at the second and the third.
        effects.reserveCapacity(4)
    }

    /// The goal whose rules apply: the one being served, else the one the message reads as, else the general desk's.
    var goal: GoalRules? { servedGoal ?? contextGoal ?? runtime.fallbackGoal }

    /// The intent reading of the words being routed (once per turn).
    mutating func predict() -> IntentPrediction {
        if let prediction { return prediction }
        let p = supplied ?? (requestText == message ? classify() : runtime.classifier.classify(requestText))
        prediction = p
        return p
    }

    /// The classifier's reading of this message alone.
    mutating func classify() -> IntentPrediction {
        let text = messageText()
        return runtime.classifier.classify(text, message: message)
    }

    /// The message made plain for matching, made the first time it is needed.
    mutating func messageText() -> MessageText {
        if let plain { return plain }
        let text = MessageText(message)
        plain = text
        return text
    }

    /// The message's words numbered for the phrase patterns, made the first time they are needed.
    mutating func phraseWords() -> PhraseWords {
        if let numbered { return numbered }
        let words = PhraseWords(messageText().wordSlices)
        numbered = words
        return words
    }

    /// Adds an event to the trace; `step` is the step it belongs to, given apart from the facts
    /// (the event keeps it apart: a `step` among the facts is taken out of their list, a copy of it).
    /// The event is made with the memberwise initializer, which moves it into the trace without a copy.
    mutating func note(_ kind: TraceEvent.Kind, _ detail: String, source: String? = nil, _ facts: TraceFacts = [:],
                       outputs: [String: RuntimeValue]? = nil, step: String? = nil) {
        var items = facts.items
        var step = step
        // The length first: comparing two different short strings is a call, comparing two lengths is not.
        if step == nil, let i = items.firstIndex(where: { $0.0.utf8.count == 4 && $0.0 == "step" }) {
            step = items[i].1
            items.remove(at: i)
        }
        trace.append(TraceEvent(turn: state.turn, kind: kind, detail: detail, source: source, facts: items, step: step, outputs: outputs))
    }

    /// A guardrail clause's id for coverage: `resolve-order-issues:refunds.max_per_refund`.
    func clauseID(_ clause: String) -> String {
        clause.hasPrefix("limit:") ? "actions.yaml:\(clause)" : "\(goal?.id ?? "project"):\(clause)"
    }

    func goalSource(_ key: String) -> String? { goal?.location(of: key) }

    /// Where a setting the runtime names is written in the goal that applies.
    func goalSource(_ setting: GoalIndex.Setting) -> String? { goal?.location(of: setting) }

    /// What the turn leaves: its state, effects and trace, moved out of the finished turn (the rest
    /// of the turn is released field by field).
    ///
    /// The state is taken out of its optional and the effects and trace swapped with empty lists:
    /// reading a copyable field of the consumed turn copied it (the state's every text and list
    /// retained) and released the original with the turn; swapping the state with a placeholder
    /// copied and released the placeholder's fields instead.
    consuming func finish() -> TurnResult {
        var effects: [TurnEffect] = []
        swap(&effects, &self.effects)
        var trace: [TraceEvent] = []
        swap(&trace, &self.trace)
        return TurnResult(state: held.take().unsafelyUnwrapped, effects: effects, trace: trace)
    }

    /// The facts of a condition that holds, and of one that does not: made once and shared by
    /// every event that has them (a dictionary literal made a new list for each event).
    static let thenFacts = TraceFacts(items: [("branch", "then")])
    static let otherwiseFacts = TraceFacts(items: [("branch", "otherwise")])

    // MARK: the turn, in order

    mutating func run() {
        state.turn += 1
        // Room for this turn's two usual lines (the customer's and the agent's): the list grew by
        // doubling when an append found it full, which the customer's line did at every turn.
        if state.transcript.capacity < state.transcript.count + 2 {
            state.transcript.reserveCapacity(max(2 * state.transcript.count, state.transcript.count + 4))
        }
        state.transcript.append(TranscriptLine(speaker: "customer", text: message, turn: state.turn))
        let length = FastText.characterCount(message)
        note(.message, Self.messageDetail(length), ["text": message, "now": FastText.decimal(Int(env.now))])
        if state.status != .open { beginAgain() }
        // A new request: the rules of the goal it reads as apply from the first check on.
        if state.awaiting == .clarification, let earlier = state.unclear { requestText = earlier + "\n" + message }
        if state.goal == nil, state.awaiting == nil, let intent = predict().intent {
            contextGoal = runtime.goalOfIntent[intent]
            contextIntent = intent
        }

        // 1. Input guardrails.
        let limit = goal?.guardrails.inputMaxCharacters ?? runtime.shortestInputLimit
        if let limit, length > limit {
            note(.guardrail, "the message is longer than \(limit) characters, so it was not read", source: goalSource(.inputMaxCharacters),
                 ["length": "\(length)", "limit": "\(limit)", "clause": clauseID("input.max_characters")])
            send("That message is too long for me to read. Could you say it in fewer than \(limit) characters?")
            return
        }
        let text = messageText()
        let words = phraseWords()
        let signals = MessageSignals.read(message, text: text, words: words, phrases: runtime.escalationPhraseWords, leads: runtime.escalationLeads)
        if !signals.injection.isEmpty {
            let kinds = signals.injection.map(\.kind.rawValue).joined(separator: ", ")
            let action = goal?.guardrails.promptInjection ?? "block"
            note(.guardrail, "prompt injection detected (\(kinds)); the goal says \(action)", source: goalSource(.promptInjection),
                 ["evidence": signals.injection.map(\.evidence).joined(separator: " | "), "clause": clauseID("input.prompt_injection")])
            switch action {
            case "escalate":
                escalate(queue: nil, reason: "the customer's message tried to change the agent's instructions", source: goalSource(.promptInjection))
                return
            case "flag": break
            default:
                send("I can't follow instructions like that. I'm here to help with your orders and your account. What can I do for you?")
                return
            }
        }

        // 2. Routing rules that come before anything else.
        if let phrase = signals.escalationPhrase {
            escalate(queue: goal?.guardrails.alwaysEscalateQueues["phrase:\(phrase)"], reason: "the customer mentioned “\(phrase)”", source: goalSource("guardrails.always_escalate.phrases.\(phrase)"), clause: "always_escalate.phrases:\(phrase)")
            return
        }
        if signals.asksForHuman, goal?.escalation.onAskForHuman ?? true {
            escalate(queue: nil, reason: "the customer asked for a person", source: goalSource(.asksForHuman), clause: "escalation.customer_asks_for_human")
            return
        }
        if signals.frustrated {
            state.frustrated = true
            if goal?.escalation.onFrustration ?? false {
                escalate(queue: nil, reason: "the customer sounds frustrated", source: goalSource(.frustration), clause: "escalation.frustration_detected")
                return
            }
        }
        // A message answering what the agent asked (a value, a choice, a yes or no) repeats no
        // request, even when it is the same answer as before; only a request written again counts,
        // whenever it comes.
        let answering: Bool
        switch state.awaiting {
        case .slot?, .confirmation?, .verification?: answering = true
        case .clarification?, nil: answering = false
        }
        let seen = countRepeat(request: !answering)
        let repeated = !answering || seen > 0
        if repeated, let n = goal?.escalation.sameQuestionRepeated, n > 1, seen + 1 >= n {
            escalate(queue: nil, reason: "the customer wrote the same message \(n) times", source: goalSource(.sameQuestionRepeated), clause: "escalation.same_question_repeated")
            return
        }

        // 3. An answer to what the conversation waits for, else a new request.
        switch state.awaiting {
        case .slot(let name, let node)?: answerSlot(name, node: node)
        case .confirmation(let node)?: answerConfirmation(node: node)
        case .verification(let node, let method, let slot)?: answerVerification(node: node, method: method, slot: slot)
        case .clarification?, nil: route()
        }
    }

    /// How often this message came before (`normalizedForRepeats`), counted again now when it is a
    /// request, and when it is an answer only if it came before.
    ///
    /// An ASCII message is normalised into a buffer on the stack and looked up from there: a string
    /// is made only for a request not seen before.
    mutating func countRepeat(request: Bool) -> Int {
        let m = message
        guard FastText.isASCII(m) else {
            return FastText.withBytes(Self.normalizedForRepeats(m)) { countRepeat(of: $0, request: request) }
        }
        return FastText.withBytes(m) { b in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(b.count, 1)) { out in
                let n = Self.normalizeASCIIForRepeats(b, into: out)
                return countRepeat(of: UnsafeBufferPointer(rebasing: out[..<n]), request: request)
            }
        }
    }

    /// `countRepeat(request:)` for the normalised bytes of the message: one look-up.
    mutating func countRepeat(of key: UnsafeBufferPointer<UInt8>, request: Bool) -> Int {
        if let i = state.repeatCounts.position(of: key) {
            let seen = state.repeatCounts[at: i]
            if request || seen > 0 { state.repeatCounts[at: i] = seen + 1 }
            return seen
        }
        if request { state.repeatCounts.appendNew(String(decoding: key, as: UTF8.self), 1) }
        return 0
    }

    /// What the trace says of a message of `length` characters: `the customer wrote 43 characters`.
    static func messageDetail(_ length: Int) -> String {
        length >= 0 && length < messageDetails.count ? messageDetails[length]
            : FastText.concat("the customer wrote ", FastText.decimal(length), " characters")
    }

    /// `messageDetail` of the lengths most messages have, written once (at the first message)
    /// rather than joined at every turn.
    static let messageDetails: [String] = (0..<256).map { FastText.concat("the customer wrote ", FastText.decimal($0), " characters") }

    /// A message after the conversation ended starts a new request with the same customer.
    mutating func beginAgain() {
        note(.route, "the previous request ended; this message starts a new one")
        state.status = .open
        state.intent = nil
        state.goal = nil
        servedGoal = nil
        state.procedure = nil
        proc = nil
        state.awaiting = nil
        state.slots.removeAll()
        state.loops = []
        state.confirmed = nil
        state.clarifications = 0
        state.unanswered = 0
        state.unclear = nil
        state.request = nil
    }

    // MARK: routing

    /// A confidence shown beside the threshold it is below: with more digits when two would
    /// round it up to the threshold ("0.749", not "0.75 is below 0.75").
    static func below(_ confidence: Double, _ threshold: String, _ shown: String) -> String {
        shown == threshold ? String(format: "%.3f", (confidence * 1000).rounded(.down) / 1000) : shown
    }

    mutating func route() {
        state.awaiting = nil
        let prediction = predict()
        let confidenceText = FastText.fixed2(prediction.confidence)
        // Each part written into its place (an interpolation appends part by part to a growing string).
        let ranking = prediction.ranking.count == 1 ? FastText.concat(prediction.ranking[0].intent, " ", FastText.fixed2(prediction.ranking[0].score))
            : prediction.ranking.map { FastText.concat($0.intent, " ", FastText.fixed2($0.score)) }.joined(separator: ", ")
        note(.intent, prediction.intent.map { FastText.concat("the message reads as `", $0, "`") } ?? "the message fits none of the intents",
             ["intent": prediction.intent ?? "none", "confidence": confidenceText, "ranking": ranking])
        guard let intent = prediction.intent, let goal = intent == contextIntent ? contextGoal : runtime.goalOfIntent[intent] else {
            outOfScope()
            return
        }
        state.goal = goal.id
        servedGoal = goal
        if goal.guardrails.alwaysEscalateTiers.contains(state.customer.tier) {
            state.intent = intent
            escalate(queue: goal.guardrails.alwaysEscalateQueues["tier:\(state.customer.tier)"], reason: "\(state.customer.tier) customers are always helped by a person", source: goalSource("guardrails.always_escalate.tiers.\(state.customer.tier)"), clause: "always_escalate.tiers:\(state.customer.tier)")
            return
        }
        if goal.guardrails.alwaysEscalateIntents.contains(intent) {
            state.intent = intent
            escalate(queue: goal.guardrails.alwaysEscalateQueues["intent:\(intent)"], reason: "`\(intent)` is always handled by a person", source: goalSource("guardrails.always_escalate.intents.\(intent)"), clause: "always_escalate.intents:\(intent)")
            return
        }
        if let threshold = goal.guardrails.confidenceThreshold, prediction.confidence < threshold {
            let rule = goal.guardrails.onLowConfidence ?? "clarify_then_escalate"
            let thresholdText = FastText.fixed2(threshold)
            if rule != "escalate", state.clarifications == 0 || rule == "clarify" {
                state.clarifications += 1
                state.awaiting = .clarification
                state.unclear = requestText
                note(.route, "confidence \(Self.below(prediction.confidence, thresholdText, confidenceText)) is below the threshold \(thresholdText): ask the customer to say more",
                     source: goalSource(.confidenceThreshold), ["clause": clauseID("confidence.threshold")])
                send("Sorry, I want to be sure I help with the right thing. Could you tell me a little more about what you need?")
                return
            }
            state.intent = intent
            escalate(queue: nil, reason: "the agent could not tell what the customer needs (confidence \(Self.below(prediction.confidence, thresholdText, confidenceText)), threshold \(thresholdText))",
                     source: goalSource(.confidenceThreshold), clause: "confidence.threshold")
            return
        }
        state.intent = intent
        state.confidence = prediction.confidence
        state.clarifications = 0
        state.unclear = nil
        state.misses = 0
        state.request = requestText
        guard let (id, position) = runtime.handler[intent] else {
            escalate(queue: nil, reason: "no procedure handles `\(intent)`", source: goal.file)
            return
        }
        let procedure = runtime.procedures[at: position]
        note(.route, procedure.routeDetail(intent), source: procedure.file, ["procedure": id])
        enter(procedure)
    }

    mutating func outOfScope() {
        state.awaiting = nil
        note(.route, "out of scope: a polite scope message", source: goalSource(.topicsAllowed))
        send(runtime.outOfScopeMessage)
    }

    /// Starts a procedure at its first step, verifying the customer first if it requires it.
    mutating func enter(_ p: ProcedureRuntime) {
        state.procedure = p.procedure.id
        proc = p
        // Room for every value the procedure may set, made once (the order of a dictionary's keys is no part of the state).
        if state.slots.capacity < state.slots.count + p.valueCapacity { state.slots.reserveCapacity(state.slots.count + p.valueCapacity) }
        state.loops = []
        state.confirmed = nil
        if p.procedure.requiresVerifiedCustomer && state.verifiedCustomerID == nil {
            note(.route, "“\(p.procedure.name)” requires a verified customer: verify first", source: "\(p.procedure.id).procedure:1")
            startVerification(node: -1, methods: runtime.implicitMethods, method: 0)
            return
        }
        run(from: p.procedure.entry)
    }

    // MARK: the step interpreter

    var evaluator: Evaluator {
        Evaluator(values: state.slots, customer: state.customer, verified: state.verifiedCustomerID != nil,
                  confidence: state.confidence, frustrated: state.frustrated, now: env.now,
                  today: today, tables: proc?.tables ?? [])
    }

    mutating func run(from start: Int?) {
        var current = start
        while state.status == .open {
            guard let p = self.proc else { return }
            guard let id = current, id >= 0, id < p.procedure.steps.count else {
                escalate(queue: nil, reason: "“\(p.procedure.name)” ended without an outcome", source: "\(p.procedure.id).procedure")
                return
            }
            steps += 1
            if steps > stepBudget {
                escalate(queue: nil, reason: "the procedure went round in a loop", source: "\(p.procedure.id).procedure")
                return
            }
            // The step's parts are read where they are needed: a copy of the whole step (its label,
            // source and operation) retained and released every string in it.
            let next = p.nexts[id]
            let at = p.sources[id]
            // Every event of this step names it, for coverage: `refund-delivered-order:7`.
            let mark = trace.count
            defer { tagStep(from: mark, p.keys[id]) }
            switch p.procedure.steps[id].op {
            case .say(let template):
                note(.step, p.details[id], source: at)
                guard let text = render(template, at: at) else { return }
                guard send(text, source: at) else { return }
                current = next
            case .ask(let slot, let type, let choices, let from, let again):
                if !again, state.slots[slot] != nil {
                    note(.step, "step \(p.labels[id]): `\(words(slot))` is already known", source: at)
                    current = next
                    continue
                }
                if !again, let value = prefill(slot, type: type) {
                    state.slots[slot] = value
                    note(.value, "step \(p.labels[id]): the \(words(slot)) is in the customer's message", source: at, ["value": format(value)])
                    current = next
                    continue
                }
                note(.step, p.details[id], source: at)
                state.awaiting = .slot(name: slot, node: id)
                // A yes covers the changes that follow it, not those after the next question.
                state.confirmed = nil
                ask(slot, type: type, choices: choices, from: from, again: again, at: at)
                return
            case .confirm(let question, _):
                note(.step, p.details[id], source: at)
                // Never offer what a limit will refuse: check the action the yes leads to first.
                if let (action, breach) = lookahead(from: next, in: p) {
                    note(.limit, "`\(action)` would be stopped: \(breach.detail), so it is not offered", source: breach.source,
                         ["rule": breach.rule, "clause": clauseID(breach.clause)])
                    escalate(queue: nil, reason: breach.detail, source: at, label: p.labels[id], clause: breach.clause)
                    return
                }
                guard let text = render(question, at: at) else { return }
                state.awaiting = .confirmation(node: id)
                guard send(text, source: at, confirm: true) else { return }
                return
            case .escalate(let queue, let reason):
                escalate(queue: queue, reason: reason, source: at, label: p.labels[id])
                return
            case .resolve(let outcome):
                note(.outcome, p.details[id], source: at)
                state.status = .resolved(outcome: outcome)
                effects.append(.resolved(outcome))
                return
            case .set(let name, let value, _):
                let v = evaluator.eval(value)
                state.slots[name] = v
                note(.step, p.details[id], source: at, ["value": v.map(Turn.format) ?? "missing"])
                current = next
            case .append(let list, let value):
                var items: [RuntimeValue] = []
                if case .list(let existing)? = state.slots[list] { items = existing }
                if let v = evaluator.eval(value) { items.append(v) }
                state.slots[list] = .list(items)
                note(.step, p.details[id], source: at)
                current = next
            case .follow(let target):
                guard let followed = runtime.procedures[target] else {
                    escalate(queue: nil, reason: "the procedure `\(target)` is not in the plan", source: at)
                    return
                }
                note(.step, "step \(p.labels[id]): follow “\(followed.procedure.name)”", source: at)
                enter(followed)
                return
            case .verify(let methods):
                if state.verifiedCustomerID != nil {
                    note(.step, "step \(p.labels[id]): the customer is already verified", source: at)
                    current = next
                    continue
                }
                note(.step, p.details[id], source: at)
                startVerification(node: id, methods: methods, method: 0)
                return
            case .call(let action, let arguments, let binds):
                note(.step, p.details[id], source: at)
                guard call(action, arguments: arguments, binds: binds, at: at, label: p.labels[id], planned: p.calls[id]) else {
                    guard let j = jump else { return }
                    jump = nil
                    current = j
                    continue
                }
                current = next
            case .branch(let condition, let then, let otherwise):
                let holds = evaluator.truth(condition)
                note(.condition, holds ? p.details[id] : p.otherwiseDetails[id], source: at, holds ? Turn.thenFacts : Turn.otherwiseFacts)
                current = holds ? then : otherwise
            case .forEach(let variable, let list, let body):
                if state.loops.last?.node == id {
                    state.loops[state.loops.count - 1].index += 1
                } else {
                    var elements: [RuntimeValue] = []
                    if case .list(let l)? = evaluator.eval(list) { elements = l }
                    state.loops.append(LoopState(node: id, elements: elements, index: 0))
                }
                let loop = state.loops[state.loops.count - 1]
                if loop.index < loop.elements.count {
                    state.slots[variable] = loop.elements[loop.index]
                    note(.step, FastText.concat(p.details[id], FastText.decimal(loop.index + 1), " of ", FastText.decimal(loop.elements.count)), source: at)
                    current = body ?? id
                } else {
                    state.loops.removeLast()
                    state.slots[variable] = nil
                    current = next
                }
            }
        }
    }

    /// What the trace says when a step runs, its usual case (`step 7: say`), and for a condition the
    /// case where it does not hold: written once per procedure (`ProcedureRuntime`).
    static func stepDetails(_ node: StepNode) -> (usual: String, otherwise: String) {
        let l = node.label
        switch node.op {
        case .say: return ("step \(l): say", "")
        case .ask(let slot, _, _, _, _): return ("step \(l): ask for the \(FastText.words(slot))", "")
        case .confirm: return ("step \(l): confirm with the customer", "")
        case .resolve(let outcome): return ("step \(l): resolved as \(outcome)", "")
        case .set(let name, _, _): return ("step \(l): set the \(FastText.words(name))", "")
        case .append(let list, _): return ("step \(l): add to the \(FastText.words(list))", "")
        case .verify: return ("step \(l): verify the customer", "")
        case .call(let action, _, _): return ("step \(l): \(action)", "")
        case .branch: return ("step \(l): the condition holds", "step \(l): the condition does not hold")
        // For a loop, the start of what each round says (`step 5: for each item, `), its count written after it.
        case .forEach(let variable, _, _): return ("step \(l): for each \(FastText.words(variable)), ", "")
        case .escalate, .follow: return ("", "")
        }
    }

    mutating func tagStep(from mark: Int, _ step: String) {
        guard mark < trace.count else { return }
        // In place: reading `trace[i].step` through the array's subscript copied the whole event.
        trace.withUnsafeMutableBufferPointer { events in
            for i in mark..<events.count where events[i].step == nil { events[i].step = step }
        }
    }

    // MARK: answers

    mutating func answerSlot(_ name: String, node: Int) {
        guard let p = self.proc, node < p.procedure.steps.count,
              case .ask(let asked, let type, let choices, let from, let again) = p.procedure.steps[node].op else {
            state.awaiting = nil
            route()
            return
        }
        let next = p.procedure.steps[node].next
        let at = p.sources[node]
        let step = p.keys[node]
        let text = messageText()
        if let value = understand(type, slot: name, choices: choices, from: from, text: text) {
            state.slots[name] = value
            state.awaiting = nil
            state.unanswered = 0
            note(.value, name == asked ? p.answerDetails[node] : "the customer gave the \(words(name))", source: at,
                 ["value": format(value)], step: step)
            run(from: next)
            return
        }
        // Not an answer: perhaps a new request.
        let prediction = supplied ?? classify()
        if let intent = prediction.intent, intent != state.intent, let goal = runtime.goalOfIntent[intent],
           prediction.confidence >= (goal.guardrails.confidenceThreshold ?? 0.75) {
            note(.route, "the message is a new request (`\(intent)`), not the \(words(name))", ["confidence": FastText.fixed2(prediction.confidence)])
            state.awaiting = nil
            state.slots.removeAll()
            route()
            return
        }
        state.unanswered += 1
        if state.unanswered >= 2 {
            escalate(queue: nil, reason: "the agent could not understand the \(words(name)) after asking twice", source: at)
            return
        }
        note(.value, "the message does not give the \(words(name)): ask again", source: at)
        ask(name, type: type, choices: choices, from: from, again: again, at: at, retry: true)
    }

    mutating func answerConfirmation(node: Int) {
        guard let p = self.proc, node < p.procedure.steps.count, case .confirm(_, let onDecline) = p.procedure.steps[node].op else {
            state.awaiting = nil
            route()
            return
        }
        let next = p.procedure.steps[node].next
        let at = p.sources[node]
        let step = p.keys[node]
        let words = phraseWords()
        let answer = ConfirmationReader.answer(message, words: words)
        if answer != true, correct(node, in: p, at: at, step: step) { return }
        switch answer {
        case true?:
            state.awaiting = nil
            state.confirmed = node
            state.unanswered = 0
            note(.value, "the customer said yes", source: at, Turn.thenFacts, step: step)
            run(from: next)
        case false?:
            state.awaiting = nil
            state.confirmed = nil
            note(.value, "the customer said no", source: at, Turn.otherwiseFacts, step: step)
            run(from: onDecline)
        case nil:
            state.unanswered += 1
            if state.unanswered >= 2 {
                escalate(queue: nil, reason: "the customer's answer to a yes/no question was unclear twice", source: at)
                return
            }
            note(.value, "the answer is neither yes nor no: ask again", source: at)
            send("Sorry, I didn't catch that. Could you answer yes or no?", confirm: true)
        }
    }

    /// An answer to a yes/no question that gives a new value for something the question shows
    /// ("no, I meant order 1043"): the value replaces the old one and the procedure goes back to
    /// the step that asked for it, so every check and look-up after that step runs again on the
    /// new value and the question is asked again. Only values a message states unmistakably
    /// (a pattern, an amount, a date, an email, a number, a choice) are taken, and only when no
    /// action with effects ran since that step. Returns whether it did.
    mutating func correct(_ node: Int, in p: ProcedureRuntime, at: String, step: String) -> Bool {
        let steps = p.procedure.steps
        guard case .confirm(let question, _) = steps[node].op else { return false }
        for part in question.parts {
            guard case .value(.name(let slot)) = part,
                  let ask = steps.firstIndex(where: { if case .ask(slot, _, _, nil, _) = $0.op { true } else { false } }), ask < node,
                  case .ask(_, let type, let choices, _, _) = steps[ask].op else { continue }
            if case .list = type { continue }
            if case .text = type, choices.isEmpty, p.pattern(of: slot) == nil { continue }
            let acted = steps[ask..<node].contains { s in
                guard case .call(let action, _, _) = s.op, let effect = runtime.actions[action]?.effect else { return false }
                return effect != "read" && effect != "identify"
            }
            guard !acted, let value = understand(type, slot: slot, choices: choices, from: nil, text: messageText()),
                  value != state.slots[slot] else { continue }
            state.awaiting = nil
            state.confirmed = nil
            state.unanswered = 0
            state.slots[slot] = value
            // A later answer picked from a list (the items of the order it names) may not fit the
            // new value: ask it again. Other answers (a reason, a choice) still hold.
            for later in steps[(ask + 1)..<node] {
                if case .ask(let other, _, _, _?, _) = later.op { state.slots[other] = nil }
            }
            note(.value, "the customer corrected the \(words(slot)) instead of answering yes or no: go back to step \(steps[ask].label) with it",
                 source: at, ["value": format(value)], step: step)
            run(from: ask)
            return true
        }
        return false
    }

    // MARK: verification

    func methods(at node: Int) -> [VerificationMethod] {
        if node >= 0, let p = proc, node < p.procedure.steps.count, case .verify(let m) = p.procedure.steps[node].op { return m }
        return runtime.implicitMethods
    }

    mutating func startVerification(node: Int, methods: [VerificationMethod], method: Int, retry: Bool = false) {
        guard method < methods.count, let first = methods[method].slots.first else {
            escalate(queue: nil, reason: "the customer must be verified, and the catalog has no way to verify them", source: proc.map { "\($0.procedure.id).procedure" })
            return
        }
        state.awaiting = .verification(node: node, method: method, slot: 0)
        let how = methods[method].slots.map(FastText.words).joined(separator: " and ")
        question(first, method == 0 ? "To keep your account safe, I need to check it's you first. What's the \(words(first)) on your account?"
                 : (retry ? "I couldn't match that to an account. We" : "No problem, we") + " can use your \(how) instead. What's the \(words(first)) on your account?")
    }

    mutating func answerVerification(node: Int, method: Int, slot: Int) {
        let all = methods(at: node)
        guard method < all.count, slot < all[method].slots.count, let signature = runtime.actions[all[method].action] else {
            state.awaiting = nil
            escalate(queue: nil, reason: "verification could not continue", source: nil)
            return
        }
        let name = all[method].slots[slot]
        let input = signature.inputs.first { $0.name == name }
        let text = messageText()
        let value = runtime.extractor.extract(input?.type ?? .text, pattern: input?.pattern, choices: [], from: message, text: text, today: today)
        guard let value else {
            if method + 1 < all.count {
                startVerification(node: node, methods: all, method: method + 1)
            } else {
                escalate(queue: nil, reason: "the customer could not be verified", source: nil)
            }
            return
        }
        state.slots[name] = value
        if slot + 1 < all[method].slots.count {
            state.awaiting = .verification(node: node, method: method, slot: slot + 1)
            question(all[method].slots[slot + 1], "Thanks. And what's the \(words(all[method].slots[slot + 1])) on your account?")
            return
        }
        state.awaiting = nil
        var arguments: [String: Expr] = [:]
        for s in all[method].slots { arguments[s] = .name(s) }
        let outputs = signature.outputs.map(\.name)
        guard call(signature.name, arguments: arguments, binds: outputs, at: nil, label: nil, verifying: true) else {
            guard verificationFailed else { return }
            // No account matches: offer the next way to verify, then hand off.
            if method + 1 < all.count {
                startVerification(node: node, methods: all, method: method + 1, retry: true)
            } else {
                escalate(queue: "security", reason: "the customer could not be verified: the details matched no account", source: nil)
            }
            return
        }
        guard let record = outputs.compactMap({ state.slots[$0] }).first, case .text(let id)? = record[field: "id"] else {
            escalate(queue: "security", reason: "the details given did not match an account", source: nil)
            return
        }
        guard id == state.customer.id else {
            note(.guardrail, "the details match another customer's account, not the one signed in", ["verified": id, "session": state.customer.id])
            escalate(queue: "security", reason: "the verification details belong to a different account than the session's", source: nil)
            return
        }
        state.verifiedCustomerID = id
        note(.value, "the customer is verified", ["customer": id])
        if node < 0 {
            run(from: proc?.procedure.entry)
        } else {
            run(from: proc?.procedure.steps[node].next)
        }
    }

    // MARK: understanding values

    /// A pattern-matched slot found in the words of the request (`order 1042`), never in later answers.
    func prefill(_ slot: String, type: ValueType) -> RuntimeValue? {
        guard let request = state.request, let pattern = proc?.pattern(of: slot) else { return nil }
        return runtime.extractor.extract(type, pattern: pattern, choices: [], from: request, today: today)
    }

    func understand(_ type: ValueType, slot: String, choices: [String], from: Expr?, text: MessageText) -> RuntimeValue? {
        if let from, case .list(let options)? = evaluator.eval(from) {
            return pick(from: options, plural: { if case .list = type { return true } else { return false } }(), text: text)
        }
        let pattern = proc?.pattern(of: slot)
        return runtime.extractor.extract(type, pattern: pattern, choices: choices, from: message, text: text, today: today)
    }

    /// Records from a list named in the message: by name or id, or all of them.
    func pick(from options: [RuntimeValue], plural: Bool, text: MessageText) -> RuntimeValue? {
        let m = message.lowercased()
        let everything = ["all", "both", "everything", "every", "all of them"].contains { w in
            m.split { !$0.isLetter }.contains { $0 == w }
        }
        var chosen: [RuntimeValue] = []
        // A record is named by its id, its whole name, or a distinctive word of its name (`the mug` for “Ceramic mug set”).
        func stem(_ w: Substring) -> Substring { w.count > 3 && w.hasSuffix("s") ? w.dropLast() : w }
        let said = Set(m.split { !$0.isLetter && !$0.isNumber }.map(stem))
        let common: Set<Substring> = ["the", "and", "set", "pack", "with", "for", "item", "one", "new"]
        for option in options {
            let names = ["name", "id"].compactMap { k -> String? in if case .text(let s)? = option[field: k] { return s.lowercased() } else { return nil } }
            if names.contains(where: { !$0.isEmpty && m.contains($0) }) { chosen.append(option); continue }
            if case .text(let name)? = option[field: "name"] {
                let words = name.lowercased().split { !$0.isLetter && !$0.isNumber }.map(stem).filter { $0.count >= 3 && !common.contains($0) }
                if words.contains(where: said.contains) { chosen.append(option) }
            }
        }
        if everything && plural { chosen = options }
        if chosen.isEmpty, options.count == 1, ConfirmationReader.answer(message, words: PhraseWords(text.wordSlices)) == true { chosen = options }
        guard !chosen.isEmpty else { return nil }
        return plural ? .list(chosen) : chosen[0]
    }

    mutating func ask(_ slot: String, type: ValueType, choices: [String], from: Expr?, again: Bool, at: String?, retry: Bool = false) {
        var text: String
        if !choices.isEmpty {
            text = "Which of these fits best: " + choices.map { "“\($0)”" }.joined(separator: ", ") + "?"
        } else if let from, case .list(let options)? = evaluator.eval(from) {
            let names = options.map(Turn.format)
            text = "Which ones? " + names.joined(separator: ", ") + (names.count > 1 ? " (or “all”)" : "")
        } else {
            // Written once per procedure for the slots its steps ask for.
            text = proc?.plainQuestion(slot) ?? "What's the \(words(slot))?"
        }
        if retry { text = "Sorry, I couldn't find that in your message. " + text }
        else if again { text = "Let's try that again. " + text }
        question(slot, text, at: at)
    }

    /// Asks the customer for a slot's value. The question passes the output guardrails like any
    /// message: it can show values from the catalog's records (the names of an order's items).
    mutating func question(_ slot: String, _ text: String, at: String? = nil) {
        if let (violation, clause) = outputCheck(text) {
            note(.guardrail, "a question was not sent: \(violation)", source: at, ["message": text, "clause": clauseID(clause)])
            escalate(queue: nil, reason: "a message broke the output rules (\(violation))", source: at, checkOutput: false, clause: clause)
            return
        }
        effects.append(.ask(slot: slot, text: text))
        state.transcript.append(TranscriptLine(speaker: "agent", text: text, turn: state.turn))
        note(.output, text, source: at)
    }

    // MARK: output

    /// Fills a template; nil (and a hand-off) when a value it needs is missing.
    mutating func render(_ template: Template, at: String?) -> String? {
        var out = ""
        // Room for the template's text and a few values, so that the parts are appended without regrowing.
        out.reserveCapacity(template.text.utf8.count + 16)
        let ev = evaluator
        for part in template.parts {
            switch part {
            case .text(let s): out += s
            case .value(let e):
                guard let v = ev.eval(e) else {
                    note(.guardrail, "a message needs a value that is missing, so it was not sent", source: at, ["template": template.text])
                    escalate(queue: nil, reason: "a message could not be completed: a value it shows is missing", source: at)
                    return nil
                }
                out += format(v)
            }
        }
        return out
    }

    /// Sends a message through the output guardrails; false when they stopped it (and handed off).
    @discardableResult
    mutating func send(_ text: String, source: String? = nil, confirm: Bool = false) -> Bool {
        if let (violation, clause) = outputCheck(text) {
            note(.guardrail, "a message was not sent: \(violation)", source: source, ["message": text, "clause": clauseID(clause)])
            escalate(queue: nil, reason: "a message broke the output rules (\(violation))", source: source, checkOutput: false, clause: clause)
            return false
        }
        effects.append(confirm ? .confirm(text) : .say(text))
        state.transcript.append(TranscriptLine(speaker: "agent", text: text, turn: state.turn))
        note(.output, text, source: source)
        return true
    }

    func outputViolation(_ text: String) -> String? { outputCheck(text)?.why }

    /// The output rule a message breaks, with its clause.
    ///
    /// A message that states no amount breaks the same rules whatever the conversation holds (the
    /// goal's `never_say`, `max_characters` and placeholders), so the goal keeps its verdict on
    /// such a message by its text (`OutputVerdicts`): the plan's questions and fixed messages are
    /// checked once, not at every turn. A message with a `$` byte is always checked here.
    func outputCheck(_ text: String) -> (why: String, clause: String)? {
        guard let goal else { return nil }
        let memo = !FastText.contains(text, byte: 0x24)
        if memo, let known = goal.verdicts.verdict(on: text) { return known.rule }
        let (rule, readAmounts) = outputRules(text, goal)
        if memo, !readAmounts { goal.verdicts.keep(OutputVerdict(rule: rule), on: text) }
        return rule
    }

    /// The output rule a message breaks, and whether the conversation's amounts were consulted to
    /// say so (the message states an amount): when they were not, the verdict holds for the text alone.
    func outputRules(_ text: String, _ goal: GoalRules) -> (rule: (why: String, clause: String)?, readAmounts: Bool) {
        if let rule = textRules(text, goal) { return (rule, false) }
        // Each amount is checked as it is read: no list of them is made.
        var stated = false
        var unknown: String?
        Self.forEachAmount(in: text) { amount in
            stated = true
            if isKnownAmount(amount) { return true }
            unknown = amount
            return false
        }
        if let unknown { return (("it states \(unknown), an amount the plan did not compute", "output.amounts"), true) }
        return (nil, stated)
    }

    /// The output rules on the text alone: `never_say`, `max_characters`, placeholders.
    func textRules(_ text: String, _ goal: GoalRules) -> (why: String, clause: String)? {
        if FastText.isASCII(text) {
            // The same checks on bytes, with the phrases lowercased once at plan load.
            if !goal.guardrails.neverSay.isEmpty {
                let found = goal.index.neverSayFound(in: text)
                // When every phrase is among the bits and none was found, no phrase needs a look.
                if found != 0 || !goal.index.neverSayAllInBits {
                // By index: destructuring each (phrase, bytes) pair copied both.
                let phrases = goal.index.neverSay
                for k in phrases.indices {
                    let hit: Bool
                    if k < 64, phrases[k].lower != nil {
                        hit = found & (1 << UInt64(k)) != 0
                    } else if let needle = phrases[k].lower {
                        hit = FastText.containsIgnoringCase(text, needle)
                    } else {
                        hit = text.lowercased().contains(phrases[k].phrase.lowercased())
                    }
                    if hit { return ("it contains “\(phrases[k].phrase)”", "output.never_say:\(phrases[k].phrase)") }
                }
                }
            }
            if let max = goal.guardrails.outputMaxCharacters {
                let count = FastText.characterCount(text)
                if count > max { return ("it is \(count) characters, more than \(max)", "output.max_characters") }
            }
            if FastText.contains(text, byte: 0x7B) && FastText.contains(text, byte: 0x7D) { return ("it has an unfilled placeholder", "output.placeholders") }
        } else {
            let lower = text.lowercased()
            if let phrase = goal.guardrails.neverSay.first(where: { lower.contains($0.lowercased()) }) { return ("it contains “\(phrase)”", "output.never_say:\(phrase)") }
            if let max = goal.guardrails.outputMaxCharacters, text.count > max { return ("it is \(text.count) characters, more than \(max)", "output.max_characters") }
            if text.contains("{") && text.contains("}") { return ("it has an unfilled placeholder", "output.placeholders") }
        }
        return nil
    }

    /// Every amount the plan wrote or computed in this conversation, as shown to customers.
    /// Whether `amount` is one the plan computed: written in the procedure, or the conversation's
    /// money as `formatMoney` writes it. Stops at the first match and makes no list.
    func isKnownAmount(_ amount: String) -> Bool {
        if let p = proc, p.writtenAmounts.contains(amount) { return true }
        if let target = Self.moneyWritten(amount) {
            // Compared as numbers: `formatMoney(m) == amount` exactly when `m` is this money.
            return holdsMoney { $0.minor == target.minor && $0.currency == target.currency }
        }
        return holdsMoney { Self.formatMoney($0) == amount }
    }

    /// Whether some money among the conversation's values, records and lists included, passes `test`.
    func holdsMoney(where test: (Money) -> Bool) -> Bool {
        func walk(_ v: RuntimeValue) -> Bool {
            switch v {
            case .money(let m): return test(m)
            case .record(let f): return f.values.contains(where: walk)
            case .list(let l): return l.contains(where: walk)
            default: return false
            }
        }
        return state.slots.contains { walk($0.value) }
    }

    /// The money that `formatMoney` writes as `amount`, when `amount` is written as it writes
    /// dollars, euros and pounds: the sign, whole units without leading zeros, a point, two digits
    /// (`$89.00`). Nil for anything else, which is then compared as text.
    static func moneyWritten(_ amount: String) -> Money? {
        // `$…`, the usual case, on its bytes: a byte that is not ASCII is no digit, as its scalar is none.
        if amount.utf8.first == 0x24 {
            return FastText.withBytes(amount) { minorUnitsWritten($0.dropFirst()) }.map { Money(minor: $0, currency: "USD") }
        }
        return scalarMoneyWritten(amount)
    }

    /// `moneyWritten`, reading the text's scalars: for `€` and `£`, and what starts with neither `$`.
    static func scalarMoneyWritten(_ amount: String) -> Money? {
        var u = amount.unicodeScalars[...]
        let currency: String
        switch u.popFirst() {
        case "$"?: currency = "USD"
        case "€"?: currency = "EUR"
        case "£"?: currency = "GBP"
        default: return nil
        }
        guard Money.exponent(of: currency) == 2 else { return nil }
        return minorUnitsWritten(u.lazy.map(\.value)).map { Money(minor: $0, currency: currency) }
    }

    /// The minor units of whole units without leading zeros, a point and two digits (`89.00` →
    /// 8900), read from the code units or scalars of the text after the currency sign; nil for anything else.
    static func minorUnitsWritten<Units: Sequence>(_ units: Units) -> Int64? where Units.Element: FixedWidthInteger {
        var minor: Int64 = 0
        var digits = 0
        var point = false
        var fraction = 0
        for s in units {
            if s == 0x2E {
                guard !point, digits > 0 else { return nil }
                point = true
                continue
            }
            guard s >= 0x30, s <= 0x39 else { return nil }
            // No leading zero, and no more digits than fit.
            if !point, digits == 1, minor == 0 { return nil }
            digits += 1
            guard digits <= 17 else { return nil }
            minor = minor * 10 + Int64(s - 0x30)
            if point { fraction += 1 }
        }
        guard point, fraction == 2 else { return nil }
        return minor
    }

    /// `$150`, `$89.00`, `150 USD` in a text, normalised to how `format` shows money.
    static func amounts(in text: String) -> [String] {
        var found: [String] = []
        forEachAmount(in: text) { found.append($0); return true }
        return found
    }

    /// Calls `body` with each amount of `amounts(in:)`, in order, while it returns true.
    static func forEachAmount(in text: String, _ body: (String) -> Bool) {
        // Most messages state no amount: look for a currency sign's bytes first ($, and the lead bytes of € and £).
        let ascii = FastText.withBytes(text) { b -> Bool in
            guard FastText.mayHaveCurrencySign(b) else { return true }
            guard FastText.allASCII(b) else { return false }
            forEachASCIIAmount(b, body)
            return true
        }
        if ascii { return }
        for amount in characterAmounts(text) where !body(amount) { return }
    }

    /// `amounts(in:)` character by character: for text that is not ASCII (`€`, `£`, other digits).
    static func characterAmounts(_ text: String) -> [String] {
        var found: [String] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if "$€£".contains(chars[i]) {
                var j = i + 1
                var digits = ""
                while j < chars.count, chars[j].isNumber || chars[j] == "," || (chars[j] == "." && j + 1 < chars.count && chars[j + 1].isNumber) {
                    if chars[j] != "," { digits.append(chars[j]) }
                    j += 1
                }
                if !digits.isEmpty {
                    let parts = digits.split(separator: ".", maxSplits: 1)
                    let whole = String(parts[0])
                    var frac = parts.count > 1 ? String(parts[1]) : "00"
                    while frac.count < 2 { frac += "0" }
                    found.append("\(chars[i])\(whole).\(frac.prefix(2))")
                }
                i = j
            } else {
                i += 1
            }
        }
        return found
    }

    /// `amounts(in:)` for ASCII text, on bytes: `$` is the only currency sign, and digits are `0`–`9`.
    static func asciiAmounts(_ b: [UInt8]) -> [String] { b.withUnsafeBufferPointer { asciiAmounts($0) } }

    /// `amounts(in:)` for ASCII bytes, in place: each amount is written into one buffer and made a
    /// string once (no allocation for the usual `$89.00`).
    static func asciiAmounts(_ b: UnsafeBufferPointer<UInt8>) -> [String] {
        var found: [String] = []
        forEachASCIIAmount(b) { found.append($0); return true }
        return found
    }

    /// Calls `body` with each amount of `asciiAmounts`, in order, while it returns true. The `$`
    /// bytes are found by `memchr`.
    static func forEachASCIIAmount(_ b: UnsafeBufferPointer<UInt8>, _ body: (String) -> Bool) {
        @inline(__always) func digit(_ x: UInt8) -> Bool { x >= 0x30 && x <= 0x39 }
        let n = b.count
        guard let base = b.baseAddress else { return }
        var i = 0
        while i < n {
            guard let sign = memchr(base + i, 0x24, n - i) else { return }
            i = base.distance(to: sign.assumingMemoryBound(to: UInt8.self))
            var j = i + 1
            while j < n, digit(b[j]) || b[j] == 0x2C || (b[j] == 0x2E && j + 1 < n && digit(b[j + 1])) { j += 1 }
            if j > i + 1 {
                let amount = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * (j - i) + 4) { out -> String? in
                    // The run without its commas.
                    var d = 0
                    for k in (i + 1)..<j where b[k] != 0x2C { out[d] = b[k]; d += 1 }
                    guard d > 0 else { return nil }
                    // As `digits.split(separator: ".", maxSplits: 1)`: empty pieces are dropped, so the whole
                    // part is the first piece with digits, and the fraction all after the dot that ends it.
                    var k = 0
                    while k < d, out[k] == 0x2E { k += 1 }
                    let wholeStart = k
                    while k < d, out[k] != 0x2E { k += 1 }
                    let wholeEnd = k
                    let fracStart = min(k + 1, d)
                    // `$`, the whole part, `.`, two digits of the fraction padded with zeros: after the run's copy.
                    var w = d
                    out[w] = 0x24; w += 1
                    for x in wholeStart..<wholeEnd { out[w] = out[x]; w += 1 }
                    out[w] = 0x2E; w += 1
                    for x in 0..<2 { out[w] = fracStart + x < d ? out[fracStart + x] : 0x30; w += 1 }
                    return String(decoding: UnsafeBufferPointer(rebasing: out[d..<w]), as: UTF8.self)
                }
                if let amount, !body(amount) { return }
            }
            i = j
        }
    }

    /// The message as `same_question_repeated` compares it: lowercase letters, digits and spaces.
    static func normalizedForRepeats(_ message: String) -> String {
        guard FastText.isASCII(message) else { return message.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " } }
        return FastText.withBytes(message) { b in
            String(unsafeUninitializedCapacity: b.count) { normalizeASCIIForRepeats(b, into: $0) }
        }
    }

    /// `normalizedForRepeats` of ASCII bytes, written into `out` (room for as many bytes): how many it wrote.
    static func normalizeASCIIForRepeats(_ b: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var n = 0
        for x in b {
            let l = FastText.lower(x)
            if (l >= 0x61 && l <= 0x7A) || (l >= 0x30 && l <= 0x39) || l == 0x20 { out[n] = l; n += 1 }
        }
        return n
    }

    // MARK: hand-off

    mutating func escalate(queue: String?, reason: String, source: String?, label: String? = nil, checkOutput: Bool = true, clause: String? = nil) {
        let q = queue ?? goal?.escalation.defaultQueue ?? runtime.firstQueue
        let info = runtime.queues[q]
        state.status = .escalated(queue: q, reason: reason)
        state.awaiting = nil
        var facts: TraceFacts = ["queue": q, "urgent": info?.urgent == true ? "yes" : "no"]
        if let clause { facts.add("clause", clauseID(clause)) }
        note(.handoff, "hand off to \(q): \(reason)", source: source, facts)
        let team = FastText.replacing(q, 0x2D, 0x20)
        var text = "I'm passing you to our \(team) team so a person can help with this. They'll see our whole conversation, so you won't need to repeat anything."
        if checkOutput, outputViolation(text) != nil { text = "I'm passing you to a member of our team now." }
        effects.append(.say(text))
        state.transcript.append(TranscriptLine(speaker: "agent", text: text, turn: state.turn))
        let packet = Handoff.packet(state: state, trace: trace, queue: q, urgent: info?.urgent ?? false, reason: reason, source: source,
                                    procedureName: proc?.procedure.name, label: label, formatted: Turn.format)
        effects.append(.handoff(packet))
    }

    // MARK: formatting

    func words(_ slot: String) -> String { FastText.words(slot) }

    func format(_ v: RuntimeValue) -> String { Self.format(v) }

    static func format(_ v: RuntimeValue) -> String {
        switch v {
        case .text(let s): return s
        case .number(let d): return "\(d)"
        case .money(let m): return formatMoney(m)
        case .percent(let bp): return bp % 100 == 0 ? "\(bp / 100)%" : "\(Decimal(bp) / 100)%"
        case .date(let d): return d.description
        case .datetime(let s): return UTCMoment(s).inMessages
        case .duration(let a, let u): return "\(a) \(a == 1 ? String(u.dropLast()) : u)"
        case .boolean(let b): return b ? "yes" : "no"
        case .record(let fields):
            // The name, else the id: two look-ups, without a list of the two keys made each time.
            if case .text(let s)? = fields["name"] { return s }
            if case .text(let s)? = fields["id"] { return s }
            return "the record"
        case .list(let items): return list(items.map(format))
        }
    }

    /// `$89.00`, `-€5.00`, `1500 JPY`: as `Money.description` writes the amount, with the sign of USD, EUR and GBP.
    static func formatMoney(_ m: Money) -> String {
        let symbol: String?
        switch m.currency {
        case "USD": symbol = "$"
        case "EUR": symbol = "€"
        case "GBP": symbol = "£"
        default: symbol = nil
        }
        let exponent = Money.exponent(of: m.currency)
        // Sign, symbol, whole units, point and minor units written into one buffer: one string, and
        // no allocation at all for amounts of up to 15 bytes (`$89.00`).
        let text = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer -> String in
            var n = 0
            func put(_ b: UInt8) { buffer[n] = b; n += 1 }
            if m.minor < 0 { put(0x2D) }
            if let symbol { for b in symbol.utf8 { put(b) } }
            let magnitude = m.minor.magnitude
            let divisor: UInt64 = exponent == 0 ? 1 : (exponent == 3 ? 1000 : 100)
            var whole = magnitude / divisor
            let start = n
            repeat {
                put(0x30 + UInt8(whole % 10))
                whole /= 10
            } while whole > 0
            var a = start, b = n - 1
            while a < b { buffer.swapAt(a, b); a += 1; b -= 1 }
            if exponent > 0 {
                put(0x2E)
                // The minor units, zero-padded to the exponent's digits, written from the last.
                var frac = magnitude % divisor
                var k = n + exponent - 1
                for _ in 0..<exponent { put(0x30) }
                while frac > 0 { buffer[k] = 0x30 + UInt8(frac % 10); frac /= 10; k -= 1 }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<n]), as: UTF8.self)
        }
        guard symbol != nil else { return text + " " + m.currency }
        return text
    }

    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return "nothing"
        case 1: return items[0]
        case 2: return "\(items[0]) and \(items[1])"
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }
}
