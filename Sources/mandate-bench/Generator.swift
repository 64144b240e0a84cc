import Foundation

/// A small, seeded, platform-independent random source (SplitMix64).
///
/// The generator never reads the clock: the same seed always writes the same project.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (modulo; no dependence on the standard library's algorithm).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next() % UInt64(bound))
    }

    /// One element of a non-empty array.
    mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
}

/// Writes a large, valid Mandate project: `mandate.yaml`, goal files, an action catalog and procedures.
struct ProjectGenerator {
    /// How many `.procedure` files.
    var procedures = 1_000
    /// How many goal files (each with four intents).
    var goals = 50
    /// The seed of every choice.
    var seed: UInt64 = 20_260_101

    /// The fixed word of each action: 20 nouns × 10 phrase templates = 200 actions.
    static let nouns = [
        "widget", "gadget", "gizmo", "sprocket", "bracket", "hinge", "spindle", "valve", "gasket", "lever",
        "pulley", "ratchet", "socket", "nozzle", "flange", "rotor", "piston", "bearing", "coupler", "toggle",
    ]

    /// One of the ten phrase templates of the catalog.
    enum Verb: Int, CaseIterable {
        case check, refund, note, extend, apply, schedule, reorder, flag, email, recalculate
    }

    /// The name of the action for a template and a noun.
    static func actionName(_ verb: Verb, _ noun: String) -> String {
        switch verb {
        case .check: "check_\(noun)_status"
        case .refund: "refund_\(noun)_part"
        case .note: "note_\(noun)_remark"
        case .extend: "extend_\(noun)_warranty"
        case .apply: "apply_\(noun)_discount"
        case .schedule: "schedule_\(noun)_pickup"
        case .reorder: "reorder_\(noun)_units"
        case .flag: "flag_\(noun)_issue"
        case .email: "email_\(noun)_manual"
        case .recalculate: "recalculate_\(noun)_shipping_fee"
        }
    }

    /// The catalog entry (YAML lines, indented under `actions:`) for a template and a noun.
    static func actionYAML(_ verb: Verb, _ noun: String) -> String {
        let name = actionName(verb, noun)
        let phrase: String
        let description: String
        var inputs: [String] = ["order: Order"]
        var effect = "write"
        var extra: [String] = ["idempotency_key: [order.id]", "limit: at most 3 per customer per day"]
        switch verb {
        case .check:
            phrase = "check the \(noun) status for {order}"
            description = "Reads the state of the \(noun) in an order from the warehouse system."
            effect = "read"
            extra = []
        case .refund:
            phrase = "refund {amount} on the \(noun) part of {order}"
            description = "Refunds an amount for the \(noun) of an order to the original payment method."
            inputs = ["amount: money", "order: Order"]
            effect = "refund"
            extra = ["idempotency_key: [order.id]", "limit: once per order"]
        case .note:
            phrase = "note the \(noun) remark {remark} on {order}"
            description = "Adds a remark about the \(noun) to the order's history."
            inputs = ["remark: text", "order: Order"]
        case .extend:
            phrase = "extend the \(noun) warranty of {order} by {extension}"
            description = "Extends the warranty of the \(noun) in an order."
            inputs = ["order: Order", "extension: duration"]
        case .apply:
            phrase = "apply a {discount} \(noun) discount to {order}"
            description = "Takes a percentage off the \(noun) line of an order."
            inputs = ["discount: percent", "order: Order"]
        case .schedule:
            phrase = "schedule the \(noun) pickup for {order} on {pickup_date}"
            description = "Books a courier to collect the \(noun) of an order on a date."
            inputs = ["order: Order", "pickup_date: date"]
        case .reorder:
            phrase = "reorder {quantity} units of the \(noun) for {order}"
            description = "Ships replacement \(noun) units for an order at no charge."
            inputs = ["quantity: number", "order: Order"]
        case .flag:
            phrase = "flag the \(noun) issue on {order} as {severity}"
            description = "Opens a quality ticket about the \(noun) of an order."
            inputs = ["order: Order", "severity: [low, medium, high]"]
        case .email:
            phrase = "email the \(noun) manual for {order} to {email}"
            description = "Emails the \(noun) manual that belongs to an order."
            inputs = ["order: Order", "email: email"]
        case .recalculate:
            phrase = "recalculate the \(noun) shipping fee for {order}"
            description = "Works out the shipping fee of the \(noun) again and refunds any difference."
            effect = "read"
            extra = []
        }
        var lines = [
            "  \(name):",
            "    description: \(description)",
            "    phrase: \(phrase)",
            "    input:",
        ]
        for input in inputs { lines.append("      \(input)") }
        lines.append("      customer_id: identity")
        lines.append("    effect: \(effect)")
        lines.append("    runs_on: sandbox")
        for e in extra { lines.append("    \(e)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The four intent kinds of every goal.
    static let intentKinds = ["status", "damaged", "refund", "question"]

    static func goalID(_ g: Int) -> String { "bench-goal-" + pad(g + 1, 2) }
    static func goalTheme(_ g: Int) -> String { nouns[g % nouns.count] }
    /// The theme as customers write it: goals that share a noun get a finish word, so no two
    /// goals' intents have the same examples (the checker reports those).
    static func exampleTheme(_ g: Int) -> String {
        let more = ["caster", "clamp", "dowel", "eyelet", "ferrule", "grommet", "hasp", "jig", "knob", "latch",
                    "mandrel", "nib", "plinth", "quill", "rivet", "shim", "tappet", "usher bolt", "vise", "winch",
                    "yoke", "anvil", "bobbin", "cam", "die", "ewer", "fob", "gimbal", "hub", "idler"]
        return g < nouns.count ? nouns[g] : more[(g - nouns.count) % more.count]
    }
    static func intentName(_ g: Int, _ k: Int) -> String { "\(goalTheme(g))_\(intentKinds[k])_\(pad(g + 1, 2))" }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    // MARK: files

    func projectYAML() -> String {
        """
        # Generated by mandate-bench (seed \(seed)): a large project for measuring `mandate check`.
        project: bench-store
        currency: USD
        time_zone: America/New_York
        tiers: [standard, vip, enterprise]

        queues:
          tier-1:
            description: general support for orders and anything not routed elsewhere
          billing:
            description: payments and refunds above the AI limit
          returns:
            description: returns outside the window and damage claims
          security:
            description: fraud reviews and account takeover
            urgent: true

        out_of_scope:
          examples:
            - "what's the weather in Boston tomorrow"
            - "write me a poem about my cat"
            - "who won the game last night"
            - "tell me a joke"

        actions: actions.yaml

        """
    }

    func catalogYAML() -> String {
        var out = """
        # Generated by mandate-bench (seed \(seed)): 200 actions, each phrase with its own fixed noun,
        # so that no sentence can match two phrases; plus `lookup_order`, which binds `order`.

        actions:

          lookup_order:
            description: Finds one of the customer's orders by its number.
            phrase: look up the order with {order_number}
            input:
              order_number: { type: text, pattern: "[0-9]{4,8}" }
              customer_id: identity
            output: { order: Order }
            effect: read
            runs_on: sandbox

        """
        for verb in Verb.allCases {
            for noun in Self.nouns {
                out += "\n" + Self.actionYAML(verb, noun)
            }
        }
        out += """

        types:

          Order:
            owner: customer_id
            id: text
            status: [placed, processing, shipped, delivered, cancelled, returned]
            total: money
            delivered_at: date
            customer_id: text

        """
        return out
    }

    func goalYAML(_ g: Int) -> String {
        let theme = Self.exampleTheme(g)
        let nn = Self.pad(g + 1, 2)
        var rng = SeededRandom(seed: seed &+ UInt64(g) &* 7_919)
        func order() -> String { String(10_000 + rng.below(89_999)) }
        let examples: [[String]] = [
            ["where is my \(theme) order \(order())", "has the \(theme) for desk \(nn) shipped yet",
             "any update on order \(order())? I ordered a \(theme)", "tracking for my \(theme) hasn't moved in days"],
            ["my \(theme) arrived broken", "the \(theme) in order \(order()) is cracked",
             "pieces missing from the \(theme) kit (desk \(nn))", "received the wrong \(theme), order \(order())"],
            ["I want my money back for the \(theme)", "refund order \(order()) please, the \(theme) is useless",
             "can I get a refund on the \(theme) from desk \(nn)", "send back the \(theme) and refund me"],
            ["how does the \(theme) warranty work", "what does desk \(nn) cover for a \(theme)",
             "is the \(theme) in order \(order()) under warranty", "can someone explain the \(theme) manual"],
        ]
        var out = """
        # Generated by mandate-bench (seed \(seed)).
        goal: \(Self.goalID(g))
        outcome: >
          Every \(theme) problem at desk \(nn) ends fixed, or with a specialist
          who already knows the whole story.
        owner: cx-ops-\(nn)@bench.example

        intents:

        """
        for (k, kind) in Self.intentKinds.enumerated() {
            out += "\n  \(Self.intentName(g, k)):\n"
            out += "    description: The customer's \(theme) order needs help (\(kind)).\n"
            out += "    examples:\n"
            for e in examples[k] { out += "      - \"\(e)\"\n" }
        }
        out += """

        resolved_when:
          - informed
          - status_shared
          - resolved
          - refund_issued
          - declined

        targets:
          ai_resolution_rate: at least 60%
          escalation_rate: at most 30%

        guardrails:
          confidence:
            threshold: 0.75
            on_low_confidence: clarify_then_escalate
          always_escalate:
            phrases: ["chargeback", "lawyer", "attorney"]
            tiers: [enterprise]
          confirm_with_customer: [refund]
          refunds:
            max_per_refund: 250 USD
            max_per_customer: 300 USD per 30 days
            max_by_tier: { vip: 250 USD, standard: 150 USD }
          topics:
            allowed: [orders, shipping, returns, refunds]
          input:
            prompt_injection: block
            max_characters: 2000
          output:
            never_say: ["guarantee", "legal advice"]
            max_characters: 600

        escalation:
          default_queue: tier-1
          when:
            customer_asks_for_human: true
            same_question_repeated: 2
            frustration_detected: true
            action_fails: true

        """
        return out
    }

    /// One procedure of about 50 lines: headers, a decision table, numbered steps, lettered
    /// sub-steps under `If …:`, inline `If …, …`, a bullet list, `Otherwise:`, Confirm with a
    /// decline clause, Say with placeholders, action sentences, Escalate and Resolve.
    func procedure(_ i: Int) -> String {
        var rng = SeededRandom(seed: seed ^ (UInt64(i + 1) &* 0x2545_F491_4F6C_DD1D))
        let g = i % goals
        let intent = Self.intentName(g, (i / goals) % Self.intentKinds.count)
        func noun() -> String { rng.pick(Self.nouns) }
        let theme = Self.goalTheme(g)
        let daysLate = 30 + rng.below(31)
        // At most $120: with the largest share (100%) and goodwill credit ($30), the refund stays within $150.
        let billingLimit = 100 + 10 * rng.below(3)
        let fraudLimit = 800 + 50 * rng.below(5)
        let share = rng.pick([25, 50, 75, 100])
        let discount = rng.pick([5, 10, 15, 20])
        let warranty = rng.pick([30, 60, 90, 180])
        let units = 1 + rng.below(4)
        let day = 1 + rng.below(28)
        let severity = rng.pick(["low", "medium", "high"])
        let remark = rng.pick(["late claim", "customer called twice", "photo on file", "repeat problem"])
        let shippingThreshold = 50 + 5 * rng.below(10)  // below every billing limit, so the branch can run
        let credits = (0..<3).map { row in (0..<3).map { col in 5 * (row + 1) + 5 * col + 5 * rng.below(2) } }

        var lines: [String] = [
            "Procedure: Bench procedure \(Self.pad(i + 1, 4)): \(theme) order follow-up",
            "Goal: \(Self.goalID(g))",
            // One procedure handles each intent; the others are reached with `Follow`, as in the reference project.
            i < goals * Self.intentKinds.count ? "Handles: \(intent)" : "# Reached with Follow from the procedure that handles \(intent).",
            "Requires: a verified customer",
            "",
            "# Generated by mandate-bench (seed \(seed)): procedure \(i + 1) of \(procedures).",
            "Table: goodwill credit",
            "| tier       | broken | missing parts | wrong item |",
            "|------------|--------|---------------|------------|",
        ]
        for (row, tier) in ["standard", "vip", "enterprise"].enumerated() {
            let cells = credits[row].map { "$\($0)" }
            lines.append("| " + tier.padding(toLength: 10, withPad: " ", startingAt: 0) + " | "
                         + cells[0].padding(toLength: 6, withPad: " ", startingAt: 0) + " | "
                         + cells[1].padding(toLength: 13, withPad: " ", startingAt: 0) + " | "
                         + cells[2].padding(toLength: 10, withPad: " ", startingAt: 0) + " |")
        }
        lines.append("")

        var n = 0
        func step(_ text: String) { n += 1; lines.append("\(n). \(text)") }
        func sub(_ letter: String, _ text: String) { lines.append("   \(letter). \(text)") }

        step("Ask for the order number.")
        step("Look up the order with the order number.")
        step("If the order status is one of \"cancelled\", \"returned\", say \"Order {order_number} is already {order.status}, so there is nothing left to do.\" and resolve as informed.")
        step("If the order status is not \"delivered\":")
        sub("a", "Check the \(noun()) status for the order.")
        sub("b", "Say \"Order {order_number} is {order.status} right now. I can help as soon as it arrives.\"")
        sub("c", "Resolve as status_shared.")
        step("If the order was delivered more than \(daysLate) days ago:")
        sub("a", "Note the \(noun()) remark \"\(remark)\" on the order.")
        sub("b", "Escalate to returns because \"delivered more than \(daysLate) days ago\".")
        step("If the order total is more than $\(billingLimit), escalate to billing because \"orders above $\(billingLimit) need billing approval\".")
        step("If any of these is true, escalate to security because \"the order needs a fraud review\":")
        lines.append("   - the order total is more than $\(fraudLimit)")
        lines.append("   - the customer is on the enterprise tier")
        step("Ask for the problem kind: \"broken\" or \"missing parts\" or \"wrong item\".")
        step("If the problem kind is \"wrong item\":")
        sub("a", "Flag the \(noun()) issue on the order as \"\(severity)\".")
        sub("b", "Schedule the \(noun()) pickup for the order on 2026-12-\(Self.pad(day, 2)).")
        sub("c", "Say \"We sent the wrong item for order {order_number}. A courier will collect it on December \(day).\"")
        sub("d", "Resolve as informed.")
        step("If the problem kind is \"missing parts\":")
        sub("a", "Reorder \(units) units of the \(noun()) for the order.")
        sub("b", "Resolve as resolved.")
        step("If the customer is on the vip tier, apply a \(discount)% \(noun()) discount to the order.")
        step("If the customer sounds frustrated, extend the \(noun()) warranty of the order by \(warranty) days.")
        step("Set the goodwill amount to the goodwill credit for the customer's tier and the problem kind.")
        step("Set the refund amount to the order total times \(share)% plus the goodwill amount.")
        step("Confirm \"Shall I refund {refund_amount} for order {order_number} to your original payment method?\"")
        lines.append("    If the customer declines, say \"No problem, order {order_number} stays as it is.\" and resolve as declined.")
        step("Refund the refund amount on the \(noun()) part of the order.")
        step("Email the \(noun()) manual for the order to the customer's email.")
        step("If the order total is at least $\(shippingThreshold) and the problem kind is \"broken\":")
        sub("a", "Recalculate the \(noun()) shipping fee for the order.")
        sub("b", "Say \"We also refunded the shipping on order {order_number}.\"")
        lines.append("Otherwise:")
        sub("a", "Say \"Your refund of {refund_amount} is on its way.\"")
        step("Say \"Done! {refund_amount} is on its way back to you for order {order_number} within 3-5 business days.\"")
        step("Resolve as refund_issued.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// What `write(to:)` produced.
    struct Summary {
        var files = 0
        var procedureLines = 0
        var allLines = 0
        var bytes = 0
    }

    /// The marker that says a folder was written by this generator and may be emptied by it.
    static let marker = ".mandate-bench"

    /// Writes the project into `dir`, which must be missing, empty, or an earlier output of this generator.
    func write(to dir: String) throws -> Summary {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: dir, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw BenchError("`\(dir)` exists and is not a folder") }
            let entries = try fm.contentsOfDirectory(atPath: dir)
            if !entries.isEmpty {
                guard entries.contains(Self.marker) else {
                    throw BenchError("`\(dir)` is not empty and was not written by mandate-bench; choose another folder")
                }
                for entry in entries { try fm.removeItem(atPath: dir + "/" + entry) }
            }
        } else {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        var summary = Summary()
        func put(_ name: String, _ text: String, procedure: Bool = false) throws {
            let data = Data(text.utf8)
            try data.write(to: URL(fileURLWithPath: dir + "/" + name))
            let lines = text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            summary.files += 1
            summary.bytes += data.count
            summary.allLines += lines
            if procedure { summary.procedureLines += lines }
        }
        try Data("mandate-bench generate, seed \(seed)\n".utf8).write(to: URL(fileURLWithPath: dir + "/" + Self.marker))
        try put("mandate.yaml", projectYAML())
        try put("actions.yaml", catalogYAML())
        for g in 0..<goals { try put(Self.goalID(g) + ".goal.yaml", goalYAML(g)) }
        for i in 0..<procedures {
            try put("bench-procedure-" + Self.pad(i + 1, 4) + ".procedure", procedure(i), procedure: true)
        }
        return summary
    }
}

/// A failure the bench reports and exits on.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
