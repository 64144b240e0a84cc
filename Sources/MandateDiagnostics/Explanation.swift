/// A file of an explanation's example project.
public struct ExampleFile: Sendable {
    /// Path inside the project (`refund.procedure`).
    public let path: String
    /// Its text.
    public let text: String
    /// Makes an example file.
    public init(_ path: String, _ text: String) {
        self.path = path
        self.text = text
    }
}

/// The long explanation of a diagnostic code, printed by `mandate explain`.
///
/// Its `example` files are laid over `Explanation.baseProject`; a test checks that the
/// result produces exactly this code, so every explanation's bad example stays true.
public struct Explanation: Sendable {
    /// The code.
    public let code: DiagnosticCode
    /// What the code means, in a sentence.
    public let summary: String
    /// Why it matters and when it happens, for a CX operator.
    public let details: String
    /// The files that show the problem (laid over the base project).
    public let example: [ExampleFile]
    /// Paths of the base project to leave out for this example.
    public let removing: [String]
    /// How to fix it, with the corrected sentence.
    public let fix: String

    /// Makes an explanation.
    public init(_ code: DiagnosticCode, summary: String, details: String, example: [ExampleFile], removing: [String] = [], fix: String) {
        self.code = code
        self.summary = summary
        self.details = details
        self.example = example
        self.removing = removing
        self.fix = fix
    }

    /// The explanation of a code, if there is one.
    public static func of(_ code: DiagnosticCode) -> Explanation? { byCode[code] }

    /// Explanations by code.
    public static let byCode: [DiagnosticCode: Explanation] = Dictionary(
        all.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })

    /// The explanation as text for a terminal.
    public var rendered: String {
        let title = code.info?.title ?? ""
        var out = "\(code.rawValue): \(title)\n\n\(summary)\n\n\(details)\n\nExample:\n"
        for file in example {
            out += "\n  --- \(file.path)\n"
            for line in file.text.split(separator: "\n", omittingEmptySubsequences: false) { out += "  \(line)\n" }
        }
        out += "\nHow to fix it:\n\n\(fix)\n"
        return out
    }

    /// A small valid project that examples change one thing in.
    public static let baseProject: [ExampleFile] = [
        ExampleFile("mandate.yaml", """
            project: example-store
            currency: USD
            tiers: [standard, vip]
            queues:
              tier-1: { description: general support }
              billing: { description: payments and refunds }
            actions: actions.yaml
            """),
        ExampleFile("orders.goal.yaml", """
            goal: resolve-order-issues
            intents:
              refund_request:
                examples: ["I want my money back", "refund my order please", "can I get a refund"]
              order_status:
                examples: ["where is my order", "has my package shipped", "tracking for my parcel"]
            resolved_when: [refund_issued, status_shared, declined]
            guardrails:
              confirm_with_customer: [refund]
              refunds:
                max_per_refund: 150 USD
            escalation:
              default_queue: tier-1
            """),
        ExampleFile("actions.yaml", """
            actions:
              lookup_order:
                phrase: look up the order with {order_number}
                input: { order_number: text, customer_id: identity }
                output: { order: Order }
                effect: read
                runs_on: sandbox
              issue_refund:
                phrase: refund {amount} for {order}
                input: { amount: money, order: Order, customer_id: identity }
                effect: refund
                runs_on: sandbox
                idempotency_key: [order.id]
            types:
              Order: { owner: customer_id, id: text, status: [placed, shipped, delivered], total: money, delivered_at: date, customer_id: text }
            """),
        ExampleFile("refund.procedure", """
            Procedure: Refund an order
            Goal: resolve-order-issues
            Handles: refund_request

            1. Ask for the order number.
            2. Look up the order with the order number.
            3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
            4. If the order total is more than $150, escalate to billing because "high-value refund".
            5. Confirm "Shall I refund {order.total}?"
               If the customer declines, say "No problem." and resolve as declined.
            6. Refund the order total for the order.
            7. Say "Done! {order.total} is on its way back to you."
            8. Resolve as refund_issued.
            """),
        ExampleFile("status.procedure", """
            Procedure: Share an order's status
            Goal: resolve-order-issues
            Handles: order_status

            1. Ask for the order number.
            2. Look up the order with the order number.
            3. Say "Your order is {order.status}."
            4. Resolve as status_shared.
            """),
    ]
}
