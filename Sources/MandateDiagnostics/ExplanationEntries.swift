extension Explanation {
    /// Every explanation, in code order.
    public static let all: [Explanation] = [
        // MARK: M00xx — reading the project's files

        Explanation(
            .projectNotFound,
            summary: "There is no `mandate.yaml` in the folder Mandate was asked to check.",
            details: """
                Every Mandate project starts with a file named exactly `mandate.yaml` at the top of \
                its folder: it names the project, its currency, its queues and where the action \
                catalog is. Without it Mandate cannot tell which files belong together, nor check \
                escalations, tiers and amounts against the project. This usually means the command \
                was run in the wrong folder, or the file was saved under another name such as \
                `mandate.yml` or `Mandate.yaml`.
                """,
            example: [ExampleFile("mandate.yml", """
                project: example-store
                currency: USD
                tiers: [standard, vip]
                queues:
                  tier-1: { description: general support }
                  billing: { description: payments and refunds }
                actions: actions.yaml
                """)],
            removing: ["mandate.yaml", "orders.goal.yaml", "actions.yaml", "refund.procedure", "status.procedure"],
            fix: """
                Run the check on the folder that holds the project, or rename the project file to \
                exactly `mandate.yaml` (lowercase, ending in `.yaml`). Its first lines are:
                    project: example-store
                    currency: USD
                """),

        Explanation(
            .fileMissing,
            summary: "A file that `mandate.yaml` points to does not exist.",
            details: """
                `mandate.yaml` says where the action catalog is with `actions:`. The path is read \
                from the folder that holds `mandate.yaml`, and it must match the file's name exactly, \
                including upper and lower case. If the file is not there, Mandate knows no actions, so \
                no step can look anything up, change anything or issue a refund.
                """,
            example: [ExampleFile("mandate.yaml", """
                project: example-store
                currency: USD
                tiers: [standard, vip]
                queues:
                  tier-1: { description: general support }
                  billing: { description: payments and refunds }
                actions: action.yaml
                """)],
            removing: ["refund.procedure", "status.procedure"],
            fix: """
                Correct the path so it names the catalog as it is saved, here `actions.yaml`:
                    actions: actions.yaml
                or rename the file to match what `mandate.yaml` says.
                """),

        Explanation(
            .invalidUTF8,
            summary: "The file holds bytes that are not UTF-8 text.",
            details: """
                Mandate reads every file as UTF-8, the encoding almost every editor uses today. A file \
                saved by an older tool, or exported from a spreadsheet as "Windows-1252" or "Latin-1", \
                stores letters such as `é` or `£` as single bytes that UTF-8 does not allow. Mandate \
                points at the first such byte; the example shows it as `<0xE9>`, since the real byte \
                cannot be written here.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}. Merci et bonne journ<0xE9>e !"
                4. Resolve as status_shared.
                """)],
            fix: """
                Open the file in your editor and save it again with the encoding set to UTF-8 (often \
                under "Save with encoding" or "Reopen with encoding"). Check the marked letter \
                afterwards; it should read:
                    3. Say "Your order is {order.status}. Merci et bonne journée !"
                """),

        Explanation(
            .binaryFile,
            summary: "The file holds binary data, not plain text.",
            details: """
                A file with a zero byte in it is not text: it is usually a word-processor document, a \
                PDF or an image that was saved or renamed with a `.procedure` or `.yaml` ending. \
                Mandate only reads plain text files, so it refuses the whole file. The example shows \
                the zero byte as `<0x00>`, since the real byte cannot be written here.
                """,
            example: [ExampleFile("status.procedure", """
                PK<0x03><0x04><0x14><0x00><0x06><0x00>word/document.xml ...
                """)],
            fix: """
                Copy the procedure's text into a plain-text editor and save it as UTF-8 text with the \
                `.procedure` ending. The file should start with lines like:
                    Procedure: Share an order's status
                    Goal: resolve-order-issues
                """),

        Explanation(
            .emptyFile,
            summary: "The file is empty or holds only blank space.",
            details: """
                Mandate reads every `.procedure`, `*.goal.yaml` and `*.test.yaml` file in the project. \
                A file with nothing in it is almost always a mistake: a procedure that was created but \
                never written, or content that was lost in a copy. Mandate reports it rather than \
                silently skipping it.
                """,
            example: [ExampleFile("returns.procedure", """

                """)],
            fix: """
                Write the file's content, starting with its header lines:
                    Procedure: Start a return
                    Goal: resolve-order-issues
                    Handles: refund_request
                or delete the file if it is not needed.
                """),

        Explanation(
            .fileTooLarge,
            summary: "The file is larger than Mandate reads.",
            details: """
                Mandate reads procedure files up to 8 MiB and YAML files up to 4 MiB. Files written by \
                people are far smaller than that; a file this large was almost always generated by a \
                script, or is a log or export saved under the wrong name. Mandate refuses it rather \
                than spend time and memory on it. The example stands in for a file of several \
                megabytes.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                # … 9 MB of generated steps follow …
                """)],
            fix: """
                Split the content into several smaller procedures, each handling its own intents, and \
                link them with `Follow`:
                    5. Follow "Share a shipped order's status".
                If the file was generated by mistake, remove it from the project folder.
                """),

        Explanation(
            .lineTooLong,
            summary: "A line is longer than Mandate accepts.",
            details: """
                A line of a procedure may be at most 4,000 characters long. Real steps are much \
                shorter; a line this long is usually pasted text (a whole policy or an email thread) \
                or a file whose line breaks were lost. Mandate stops reading the file at that line.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "\(String(repeating: "a", count: 4100))".
                4. Resolve as status_shared.
                """)],
            fix: """
                Keep each message short and split long text into several steps, one message each:
                    3. Say "Your order is {order.status}."
                    4. Say "You can follow it from the link in your shipping email."
                """),

        Explanation(
            .noGoals,
            summary: "The project has no `*.goal.yaml` file.",
            details: """
                Every procedure serves a goal, and goals are declared in files whose names end in \
                `.goal.yaml`. The goal file lists the intents customers come with, the outcomes that \
                count as resolved, the guardrails and where to escalate. Without one there is nothing \
                for the procedures to serve. The file may be missing, or saved with another ending \
                such as `orders.yaml` or `orders.goal.yml`.
                """,
            example: [ExampleFile("orders.yaml", """
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
                """)],
            removing: ["orders.goal.yaml", "refund.procedure", "status.procedure"],
            fix: """
                Name the goal file so it ends in `.goal.yaml`, here `orders.goal.yaml`, and keep its \
                first line:
                    goal: resolve-order-issues
                """),

        // MARK: M01xx — YAML files

        Explanation(
            .yamlSyntax,
            summary: "The YAML file cannot be read.",
            details: """
                YAML is strict about quotes, brackets and indentation. Text that contains a colon \
                followed by a space, or starts with a special character such as `[`, `{`, `&` or `*`, \
                must be in quotes; a list opened with `[` must be closed with `]`; keys at the same \
                level must line up. Mandate points at the place where reading stopped; the real \
                mistake is often just before it.
                """,
            example: [ExampleFile("status.test.yaml", """
                name: a customer is told where their order is
                customer: { id: C-1001, tier: standard, verified: true }
                now: 2026-11-28T10:00:00Z
                fixtures:
                  orders:
                    - { id: "1042", status: shipped, total: 89.00 USD, customer_id: C-1001 }
                turns:
                  - customer: Hi: where is my order?
                    expect: { intent: order_status, asks_for: order_number }
                """)],
            fix: """
                Put the customer's message in quotes:
                    - customer: "Hi: where is my order?"
                """),

        Explanation(
            .yamlTab,
            summary: "A line of a YAML file is indented with a tab.",
            details: """
                YAML only allows spaces for indentation, because a tab looks different in every \
                editor and the nesting it means would be a guess. Mandate refuses the file rather \
                than guess which key a value belongs to. Tabs often slip in when text is pasted from \
                a document or a chat message.
                """,
            example: [ExampleFile("status.test.yaml", """
                name: a customer is told where their order is
                customer: { id: C-1001, tier: standard, verified: true }
                now: 2026-11-28T10:00:00Z
                fixtures:
                  orders:
                    - { id: "1042", status: shipped, total: 89.00 USD, customer_id: C-1001 }
                turns:
                  - customer: "where is my order?"
                \texpect: { intent: order_status, asks_for: order_number }
                """)],
            fix: """
                Replace the tab with spaces, lining the key up with the one above it:
                      - customer: "where is my order?"
                        expect: { intent: order_status, asks_for: order_number }
                Most editors can show tabs and turn them into spaces for the whole file.
                """),

        Explanation(
            .yamlAlias,
            summary: "The YAML file uses an anchor (`&name`) or an alias (`*name`).",
            details: """
                YAML lets one value be marked with `&name` and repeated elsewhere with `*name`. Mandate \
                does not allow this: a reader of the file should see every value where it applies, \
                and aliases can make a small file expand into a huge one. Mandate stops reading the \
                file at the first anchor or alias.
                """,
            example: [ExampleFile("status.test.yaml", """
                name: a customer is told where their order is
                customer: { id: C-1001, tier: standard, verified: true }
                now: 2026-11-28T10:00:00Z
                fixtures:
                  orders:
                    - { id: "1042", status: shipped, total: 89.00 USD, customer_id: C-1001 }
                turns:
                  - customer: &question "where is my order?"
                    expect: { intent: order_status, asks_for: order_number }
                  - customer: "it's 1042"
                    expect: { says: "Your order is shipped" }
                  - customer: *question
                    expect: { says: "Your order is shipped" }
                """)],
            fix: """
                Write the value out in full in each place it is needed, here in the first and the \
                third turn:
                      - customer: "where is my order?"
                """),

        Explanation(
            .yamlTag,
            summary: "The YAML file uses a tag such as `!!str` or `!!timestamp`.",
            details: """
                YAML tags start with `!` and tell a YAML reader how to treat a value. Mandate never \
                needs them: it knows what each key holds, such as a date and time for a test's `now` \
                or an amount of money for `max_per_refund`. Tags are refused so that a value always \
                means what it says.
                """,
            example: [ExampleFile("status.test.yaml", """
                name: a customer is told where their order is
                customer: { id: C-1001, tier: standard, verified: true }
                now: !!timestamp 2026-11-28T10:00:00Z
                fixtures:
                  orders:
                    - { id: "1042", status: shipped, total: 89.00 USD, customer_id: C-1001 }
                turns:
                  - customer: "where is my order?"
                    expect: { intent: order_status, asks_for: order_number }
                """)],
            fix: """
                Remove the tag and write the value alone:
                    now: 2026-11-28T10:00:00Z
                """),

        Explanation(
            .yamlDuplicateKey,
            summary: "The same key appears twice in one place of a YAML file.",
            details: """
                Within one set of keys, each key may appear once. When a key is repeated, most YAML \
                tools silently keep only one of the values, so half of what was written would be \
                ignored without warning. Mandate reports both places so you can decide which one is \
                right.
                """,
            example: [ExampleFile("mandate.yaml", """
                project: example-store
                currency: USD
                tiers: [standard, vip]
                queues:
                  tier-1: { description: general support }
                  billing: { description: payments and refunds }
                  billing: { description: charge disputes }
                actions: actions.yaml
                """)],
            fix: """
                Keep one entry, or give the second its own name:
                    billing: { description: payments and refunds }
                    disputes: { description: charge disputes }
                """),

        Explanation(
            .yamlUnknownKey,
            summary: "A YAML file has a key that Mandate does not know.",
            details: """
                Each Mandate file has a fixed set of keys, listed in the language reference. A key \
                outside that set is usually a misspelling, and its value would otherwise be ignored \
                without anyone noticing: a time zone that is never applied, a guardrail that never \
                runs. Mandate names the closest key it knows when there is one.
                """,
            example: [ExampleFile("mandate.yaml", """
                project: example-store
                currency: USD
                timezone: America/New_York
                tiers: [standard, vip]
                queues:
                  tier-1: { description: general support }
                  billing: { description: payments and refunds }
                actions: actions.yaml
                """)],
            fix: """
                Spell the key as Mandate knows it:
                    time_zone: America/New_York
                """),

        Explanation(
            .yamlMissingKey,
            summary: "A YAML file leaves out a key that is required.",
            details: """
                Some keys must always be given: `project` and `currency` in `mandate.yaml`, `goal` \
                and `intents` in a goal file, `phrase` and `effect` for each action. Mandate cannot \
                check amounts of money without knowing the project's currency, or match a step to an \
                action without its phrase.
                """,
            example: [ExampleFile("mandate.yaml", """
                project: example-store
                tiers: [standard, vip]
                queues:
                  tier-1: { description: general support }
                  billing: { description: payments and refunds }
                actions: actions.yaml
                """)],
            fix: """
                Add the missing key, here the currency the store charges in:
                    currency: USD
                """),

        Explanation(
            .yamlWrongType,
            summary: "A value in a YAML file has the wrong shape.",
            details: """
                Each key expects a certain shape: a single value, a list in `[ ]`, or a set of keys \
                in `{ }` or on indented lines. For example, a queue is described by a set of keys \
                (`description`, `urgent`), not by plain text. Mandate says which shape it expected.
                """,
            example: [ExampleFile("mandate.yaml", """
                project: example-store
                currency: USD
                tiers: [standard, vip]
                queues:
                  tier-1: general support
                  billing: { description: payments and refunds }
                actions: actions.yaml
                """)],
            fix: """
                Write the value in the shape the key expects; for a queue, its description under \
                `description`:
                    tier-1: { description: general support }
                """),

        Explanation(
            .yamlInvalidValue,
            summary: "A value in a YAML file is not one Mandate accepts.",
            details: """
                Some values must follow a format or come from a fixed list: an amount of money needs \
                its currency (`150 USD` or `$150`), an effect is one of `read`, `write`, `refund` or \
                `identify`, a name is one word. A bare `150` could be dollars, cents or euros, so \
                Mandate does not guess.
                """,
            example: [ExampleFile("orders.goal.yaml", """
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
                    max_per_refund: 150
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Write the value in a form Mandate accepts; for money, with its currency:
                    max_per_refund: 150 USD
                """),

        Explanation(
            .yamlTooDeep,
            summary: "A YAML file is nested too deeply or holds too many values.",
            details: """
                Mandate files need only a few levels of nesting and at most a few thousand values. A \
                file nested more than 32 levels deep, or holding more than 200,000 values, was almost \
                certainly generated by mistake, and Mandate refuses it so that checking stays fast and \
                safe.
                """,
            example: [ExampleFile("status.test.yaml", """
                name: a customer is told where their order is
                customer: { id: C-1001, tier: standard, verified: true }
                now: 2026-11-28T10:00:00Z
                fixtures:
                  orders: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{ id: "1042", status: shipped, total: 89.00 USD, customer_id: C-1001 }]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
                turns:
                  - customer: "where is my order?"
                    expect: { intent: order_status, asks_for: order_number }
                """)],
            fix: """
                Write the values at the level the key expects; `orders` is a plain list of records:
                    orders:
                      - { id: "1042", status: shipped, total: 89.00 USD, customer_id: C-1001 }
                """),

        Explanation(
            .yamlMultipleDocuments,
            summary: "A YAML file holds more than one document.",
            details: """
                A line of three dashes `---` starts a new YAML document. Mandate reads one document \
                per file: one project, one goal, one catalog or one test scenario. Rather than read \
                half the file, it refuses all of it. This often happens when several test scenarios \
                are written in one file.
                """,
            example: [ExampleFile("status.test.yaml", """
                name: a customer is told where their order is
                customer: { id: C-1001, tier: standard, verified: true }
                now: 2026-11-28T10:00:00Z
                fixtures:
                  orders:
                    - { id: "1042", status: shipped, total: 89.00 USD, customer_id: C-1001 }
                turns:
                  - customer: "where is my order?"
                    expect: { intent: order_status, asks_for: order_number }
                ---
                name: a customer asks for a refund
                customer: { id: C-1001, tier: standard, verified: true }
                turns:
                  - customer: "I want my money back"
                    expect: { intent: refund_request, asks_for: order_number }
                """)],
            fix: """
                Keep one document per file: remove the `---` line and move the second scenario to a \
                file of its own, such as `refund.test.yaml`, starting with:
                    name: a customer asks for a refund
                """),

        // MARK: M02xx — procedure syntax

        Explanation(
            .missingHeader,
            summary: "A procedure leaves out a required header line.",
            details: """
                Every procedure starts with header lines: `Procedure:` gives its name and `Goal:` \
                names the goal it serves. Without the goal, Mandate cannot check the procedure's \
                intents, outcomes and guardrails against anything.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Add the missing header below the `Procedure:` line:
                    Goal: resolve-order-issues
                """),

        Explanation(
            .duplicateHeader,
            summary: "A header line appears twice in one procedure.",
            details: """
                Each header (`Procedure:`, `Goal:`, `Handles:`, `Requires:`) may be given once. When \
                a header is repeated, only one of its values could be used and the other would be \
                silently dropped. To list several intents, put them on one `Handles:` line, separated \
                by commas.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Keep one header line; for several intents, list them on it:
                    Handles: order_status, refund_request
                """),

        Explanation(
            .unknownHeader,
            summary: "A line at the top of a procedure looks like a header Mandate does not know.",
            details: """
                The header lines a procedure may start with are `Procedure:`, `Goal:`, `Handles:` and \
                `Requires:`, plus `Table:` for a decision table. A line like `Require:` is most often \
                a misspelling, and the rule it was meant to set (here, verifying the customer) would \
                not apply. Mandate suggests the header it probably means.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status
                Require: a verified customer

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Spell the header as Mandate knows it:
                    Requires: a verified customer
                If the line is a note for people, make it a comment by starting it with `#`.
                """),

        Explanation(
            .textOutsideStep,
            summary: "A line of text belongs to no step.",
            details: """
                Below the header lines, every line must be a numbered or lettered step, a bullet, an \
                `Otherwise` line, a decision table, a comment starting with `#`, or the indented \
                continuation of the step above it. A plain sentence on its own line would not be \
                carried out, so Mandate asks what it is meant to be.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                Use this when a customer asks where their order is.

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Make a note for people into a comment:
                    # Use this when a customer asks where their order is.
                or, if it is something to do, number it as a step.
                """),

        Explanation(
            .unterminatedQuote,
            summary: "A quotation is opened with `\"` but never closed.",
            details: """
                Messages, questions and reasons are written in double quotes. When the closing quote \
                is missing, Mandate cannot tell where the message ends and the rest of the step \
                begins, so it cannot read the step at all.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}.
                4. Resolve as status_shared.
                """)],
            fix: """
                End the quoted text with `"`:
                    3. Say "Your order is {order.status}."
                """),

        Explanation(
            .malformedSentence,
            summary: "A sentence starts like a known sentence form but is missing a part.",
            details: """
                Sentences such as `Say`, `Escalate to`, `Resolve as` and `Ask for` each need certain \
                parts: a message in quotes, a queue and a reason, an outcome, a value to ask for. \
                Mandate recognised the first word but could not find the rest, so it cannot know what \
                the step should do.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say your order is {order.status}.
                4. Resolve as status_shared.
                """)],
            fix: """
                Give the sentence all its parts; a message to say goes in quotes:
                    3. Say "Your order is {order.status}."
                """),

        Explanation(
            .malformedCondition,
            summary: "The condition of an `If` step cannot be read.",
            details: """
                A condition names a value and says something about it: `the order total is more than \
                $150`, `the order status is "delivered"`, `the order was delivered within the last 30 \
                days`. A missing `is`, or a comparison word Mandate does not know, leaves the \
                condition unclear, and Mandate will not guess when a step should run.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. If the order total more than $150, escalate to billing because "high-value refund".
                5. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                6. Refund the order total for the order.
                7. Say "Done! {order.total} is on its way back to you."
                8. Resolve as refund_issued.
                """)],
            fix: """
                Write the value, then `is` and the comparison:
                    4. If the order total is more than $150, escalate to billing because "high-value refund".
                """),

        Explanation(
            .malformedTable,
            summary: "A decision table's rows do not line up with its header.",
            details: """
                A decision table starts with a `Table:` line, then a header row, a `|---|` rule and one \
                row per value. Every row needs exactly one cell per column of the header. A row with a \
                missing or extra cell would make a lookup give the wrong answer, so Mandate refuses \
                the row.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                Table: refund limit
                | tier     | limit |
                |----------|-------|
                | standard | $150  |
                | vip      |

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. If the order total is more than $150, escalate to billing because "high-value refund".
                5. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                6. Refund the order total for the order.
                7. Say "Done! {order.total} is on its way back to you."
                8. Resolve as refund_issued.
                """)],
            fix: """
                Give every row one cell per column:
                    | vip      | $500  |
                """),

        Explanation(
            .otherwiseWithoutIf,
            summary: "An `Otherwise` line has no `If` step just before it.",
            details: """
                `Otherwise` gives what to do when the condition of the `If` step right above it is \
                false, and must sit at the same indentation as that step. When the step before it is \
                not an `If`, there is no condition for `Otherwise` to answer, so Mandate cannot tell \
                when it should run.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                Otherwise, say "Your order has not shipped yet."
                4. Resolve as status_shared.
                """)],
            fix: """
                Put `Otherwise` right after the `If` step it answers:
                    3. If the order status is "shipped", say "Your order is on its way."
                    Otherwise, say "Your order has not shipped yet."
                """),

        Explanation(
            .nestingTooDeep,
            summary: "Sub-steps are nested more than 16 levels deep.",
            details: """
                Steps can hold sub-steps, indented under them, and those can hold sub-steps of their \
                own, up to 16 levels. A procedure nested deeper than that is very hard for a person \
                to follow, and usually was generated or indented by mistake. Mandate reports the \
                first line that goes too deep.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                \(deeplyNestedSteps)
                4. Resolve as status_shared.
                """)],
            fix: """
                Move the deepest part into its own procedure and follow it from the step where it \
                starts:
                    a. Follow "Share a shipped order's status".
                Often several nested `If` steps can also be joined into one condition with `and`.
                """),

        Explanation(
            .emptyStep,
            summary: "A step has a number or letter but no text.",
            details: """
                Every step must say what to do. A number with nothing after it is usually a step that \
                was deleted or never written; Mandate reports it so that the procedure does not \
                silently skip something that was meant to happen.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3.
                4. Resolve as status_shared.
                """)],
            fix: """
                Write what the step does, or remove the line and renumber the steps:
                    3. Say "Your order is {order.status}."
                """),

        Explanation(
            .invalidLiteral,
            summary: "An amount of money, a duration or a date cannot be read.",
            details: """
                Amounts are written like `$150`, `150 USD` or `€20.50`, durations like `30 days`, \
                and dates as year-month-day, like `2026-11-20`. A currency code Mandate does not \
                know, an amount with two decimal points, or a date that is not on the calendar cannot \
                be compared safely, so Mandate refuses it.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. If the order total is more than 150 UDS, escalate to billing because "high-value refund".
                5. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                6. Refund the order total for the order.
                7. Say "Done! {order.total} is on its way back to you."
                8. Resolve as refund_issued.
                """)],
            fix: """
                Write the amount with a currency Mandate knows:
                    4. If the order total is more than 150 USD, escalate to billing because "high-value refund".
                """),

        Explanation(
            .bulletOutsideList,
            summary: "A bullet line (`- …`) appears where no list of conditions is open.",
            details: """
                In a procedure, bullets list the conditions of an `If any of these is true:` or `If \
                all of these are true:` step, one per bullet. Anywhere else a bullet has no meaning: \
                it is neither a step nor a condition, so Mandate cannot tell what to do with it. Steps \
                are numbered, and sub-steps are lettered.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                - Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Number it as a step:
                    3. Say "Your order is {order.status}."
                or put the bullets under an `If any of these is true:` line.
                """),

        Explanation(
            .stepNumbering,
            summary: "Step numbers or letters go backwards or repeat.",
            details: """
                Steps run in the order they are written, not in the order of their numbers. When two \
                steps share a number, or a number comes after a larger one, a reader may think the \
                steps run in another order than they do. This is a warning: the procedure still runs \
                top to bottom.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                3. Resolve as status_shared.
                """)],
            fix: """
                Number the steps in order, without repeats:
                    4. Resolve as status_shared.
                """),

        Explanation(
            .unusedSuppression,
            summary: "A `# mandate: allow` comment silences nothing.",
            details: """
                A comment `# mandate: allow CODE because "…"` on the line before a step silences \
                findings of that code in that step and its sub-steps. When the step has no such \
                finding — the procedure was fixed, or the comment sits before the wrong step — the \
                comment only hides future mistakes, so Mandate points it out. This is a warning.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                # mandate: allow M0214 because "the steps follow the printed runbook"
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Remove the comment, or move it to the line before the step it is about.
                """),

        Explanation(
            .malformedSuppression,
            summary: "A `# mandate: allow` comment has no reason, or names no diagnostic code.",
            details: """
                Silencing a finding is a decision a reviewer should be able to read. A suppression \
                must name a code Mandate reports and say why it is safe, in quotes. Without a \
                reason, or with a code that does not exist, the comment silences nothing and is an \
                error.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                # mandate: allow M0214
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Give the reason:
                    # mandate: allow M0214 because "the steps follow the printed runbook"
                """),

        // MARK: M03xx — names

        Explanation(
            .unknownSentence,
            summary: "A sentence matches no sentence form and no action.",
            details: """
                A step is either one of Mandate's sentence forms (`Ask for`, `Say`, `Confirm`, `If`, \
                `Escalate to`, `Resolve as`, …) or the phrase of an action in `actions.yaml`, such as \
                `look up the order with {order_number}`. A sentence that matches neither is something \
                the assistant has no way to do, so Mandate lists the closest phrases it knows.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Send the tracking link to the customer.
                4. Resolve as status_shared.
                """)],
            fix: """
                Write a sentence form or an action's phrase:
                    3. Say "Your order is {order.status}."
                or, if the assistant needs a new ability, add an action with that phrase to \
                `actions.yaml`.
                """),

        Explanation(
            .ambiguousAction,
            summary: "A sentence matches the phrases of more than one action.",
            details: """
                Mandate finds the action a step calls by its phrase in `actions.yaml`. When two \
                actions have phrases that both fit the sentence, Mandate cannot know which one to \
                run, and picking one silently could look up, change or refund the wrong thing. Each \
                action's phrase should start with its own words.
                """,
            example: [ExampleFile("actions.yaml", """
                actions:
                  lookup_order:
                    phrase: look up the order with {order_number}
                    input: { order_number: text, customer_id: identity }
                    output: { order: Order }
                    effect: read
                    runs_on: sandbox
                  lookup_archived_order:
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
                """)],
            fix: """
                Give each action a phrase of its own in `actions.yaml`:
                    phrase: look up the archived order with {order_number}
                and use that phrase in the steps that need it.
                """),

        Explanation(
            .unknownGoal,
            summary: "A procedure's `Goal:` names a goal no goal file declares.",
            details: """
                The `Goal:` line must name the `goal:` of one of the project's `*.goal.yaml` files, \
                spelled exactly the same. The goal supplies the intents, outcomes and guardrails the \
                procedure is checked against, so a procedure without a known goal cannot be checked.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issue
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Use the goal's id as its goal file writes it:
                    Goal: resolve-order-issues
                """),

        Explanation(
            .unknownIntent,
            summary: "A procedure handles an intent its goal does not declare.",
            details: """
                The intents on a `Handles:` line must be listed under `intents:` in the goal file, \
                with example messages. That list is how the assistant recognises what the customer \
                wants; an intent that is not there is never recognised, so the procedure would never \
                start.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_tracking

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Name an intent the goal declares:
                    Handles: order_status
                or add the new intent, with examples, under `intents:` in the goal file.
                """),

        Explanation(
            .unknownQueue,
            summary: "A step escalates to a queue that `mandate.yaml` does not declare.",
            details: """
                Escalations hand the conversation to a team through a queue listed under `queues:` in \
                `mandate.yaml`. A hand-off to a queue that does not exist would reach nobody, leaving \
                the customer waiting, so Mandate checks every `Escalate to` step.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. If the order total is more than $150, escalate to payments because "high-value refund".
                5. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                6. Refund the order total for the order.
                7. Say "Done! {order.total} is on its way back to you."
                8. Resolve as refund_issued.
                """)],
            fix: """
                Escalate to a queue `mandate.yaml` declares:
                    4. If the order total is more than $150, escalate to billing because "high-value refund".
                or add the queue under `queues:` in `mandate.yaml`.
                """),

        Explanation(
            .unknownOutcome,
            summary: "A step resolves with an outcome the goal does not list.",
            details: """
                `Resolve as` must name one of the outcomes in the goal's `resolved_when:` list. Those \
                outcomes are what the goal counts and reports on; an outcome outside the list would \
                end conversations in a way nobody measures.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as order_found.
                """)],
            fix: """
                Use an outcome from the goal's `resolved_when:` list:
                    4. Resolve as status_shared.
                or add the new outcome to `resolved_when:` in the goal file.
                """),

        Explanation(
            .unknownTier,
            summary: "A customer tier is named that `mandate.yaml` does not declare.",
            details: """
                Tiers such as `standard` and `vip` are listed under `tiers:` in `mandate.yaml`. A \
                condition or guardrail naming another tier would never match any customer, so the \
                steps under it would silently never run.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the customer is on the gold tier, say "Thank you for being a gold member!"
                4. Say "Your order is {order.status}."
                5. Resolve as status_shared.
                """)],
            fix: """
                Name a tier `mandate.yaml` declares:
                    3. If the customer is on the vip tier, say "Thank you for being a vip member!"
                or add the tier to `tiers:` in `mandate.yaml`.
                """),

        Explanation(
            .unknownProcedure,
            summary: "`Follow` names a procedure that does not exist.",
            details: """
                `Follow "…"` runs another procedure, named exactly as its `Procedure:` line writes it. \
                If no procedure has that name, the conversation would reach a dead end at that step. \
                Mandate suggests the closest name it knows.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", follow "Share the order status".
                4. If the order total is more than $150, escalate to billing because "high-value refund".
                5. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                6. Refund the order total for the order.
                7. Say "Done! {order.total} is on its way back to you."
                8. Resolve as refund_issued.
                """)],
            fix: """
                Use the name from the other procedure's `Procedure:` line:
                    3. If the order status is not "delivered", follow "Share an order's status".
                """),

        Explanation(
            .unknownValue,
            summary: "A step uses a value that is never asked for, set or looked up.",
            details: """
                Every value a step uses must come from somewhere earlier: an `Ask for` step, a `Set` \
                step, the result of an action such as a looked-up order, or a decision table. A value \
                with no source would be empty when the step runs. This is often a different wording \
                of a value that does exist, such as `the tracking number` for `the order number`.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the tracking number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Use the value by the name it was given, or ask for it first:
                    2. Look up the order with the order number.
                """),

        Explanation(
            .unknownField,
            summary: "A step uses a field that the record does not have.",
            details: """
                Records such as an order have the fields listed for their type under `types:` in \
                `actions.yaml`. A field that is not listed is never filled in by the action that \
                looks the record up, so a message or condition using it would have nothing to show \
                or compare.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.state}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Use a field the record's type lists:
                    3. Say "Your order is {order.status}."
                or add the field to the type in `actions.yaml`.
                """),

        Explanation(
            .unknownType,
            summary: "The action catalog uses a type that is not declared.",
            details: """
                Each input, output and record field has a type: a built-in one (`text`, `number`, \
                `money`, `percent`, `date`, `datetime`, `duration`, `boolean`, `email`, `identity`), a \
                list of values in `[ ]`, `list of` another type, or a record declared under `types:`. \
                Mandate needs the type to check comparisons and amounts, so it refuses a name it does \
                not know.
                """,
            example: [ExampleFile("actions.yaml", """
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
                  Order: { owner: customer_id, id: text, status: [placed, shipped, delivered], total: money, delivered_at: timestamp, customer_id: text }
                """)],
            fix: """
                Use a built-in type, or a record type declared under `types:`:
                    delivered_at: date
                """),

        Explanation(
            .duplicateDefinition,
            summary: "Two things of the same kind have the same name.",
            details: """
                Goals, procedures, intents and decision tables are found by their names, so each name \
                may be used once. With two procedures of the same name, `Follow` and the reports could \
                not tell them apart. This often happens when a file is copied to make a new version \
                and the old one is kept.
                """,
            example: [ExampleFile("status-copy.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}. Thanks for waiting!"
                4. Resolve as status_shared.
                """)],
            fix: """
                Remove the old copy, or give the new one its own name:
                    Procedure: Share an order's status, with thanks
                """),

        Explanation(
            .phraseHoleNotInput,
            summary: "An action's phrase has a `{hole}` that names none of its inputs.",
            details: """
                Each `{name}` in an action's phrase marks where a step gives one of the action's \
                inputs. If the name is not one of the inputs, the value the step gives would go \
                nowhere and the action would run without it. The name in braces must match an input \
                exactly.
                """,
            example: [ExampleFile("actions.yaml", """
                actions:
                  lookup_order:
                    phrase: look up the order with {order_id}
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
                """)],
            fix: """
                Name an input of the action in the braces:
                    phrase: look up the order with {order_number}
                """),

        Explanation(
            .unknownTable,
            summary: "A decision-table lookup gives the wrong number of values.",
            details: """
                A lookup names a table and gives one value per dimension: a table whose header has \
                several value columns needs two values, `for <row value> and <column value>`, while a \
                table with one value column needs one. With a value missing, Mandate cannot tell \
                which cell to read.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                Table: refund limit
                | tier     | placed | shipped | delivered |
                |----------|--------|---------|-----------|
                | standard | $50    | $100    | $150      |
                | vip      | $100   | $200    | $500      |

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. If the order total is more than the refund limit for the customer's tier, escalate to billing because "high-value refund".
                5. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                6. Refund the order total for the order.
                7. Say "Done! {order.total} is on its way back to you."
                8. Resolve as refund_issued.
                """)],
            fix: """
                Give one value for the rows and one for the columns:
                    4. If the order total is more than the refund limit for the customer's tier and the order status, escalate to billing because "high-value refund".
                """),

        Explanation(
            .unknownEffect,
            summary: "An effect is named that Mandate does not know.",
            details: """
                Every action declares its effect: `read` (looks something up), `write` (changes \
                something), `refund` (moves money back) or `identify` (checks who the customer is). \
                The goal's `confirm_with_customer` guardrail lists effects too: the assistant asks the \
                customer before running any action with one of them. An effect Mandate does not know \
                would leave actions unguarded.
                """,
            example: [ExampleFile("orders.goal.yaml", """
                goal: resolve-order-issues
                intents:
                  refund_request:
                    examples: ["I want my money back", "refund my order please", "can I get a refund"]
                  order_status:
                    examples: ["where is my order", "has my package shipped", "tracking for my parcel"]
                resolved_when: [refund_issued, status_shared, declined]
                guardrails:
                  confirm_with_customer: [refunds]
                  refunds:
                    max_per_refund: 150 USD
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Use the effects `read`, `write`, `refund` and `identify`:
                    confirm_with_customer: [refund]
                """),

        // MARK: M04xx — types

        Explanation(
            .typeMismatch,
            summary: "Two values of different kinds are compared or combined.",
            details: """
                Mandate knows what kind of value each name holds: an amount of money, a number, a \
                date, text, or one of a fixed list. Comparing an amount of money with a plain number \
                is unclear (is 150 dollars or cents?), and comparing a date with text can never be \
                true. Mandate asks for values of the same kind on both sides.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. If the order total is more than 150, escalate to billing because "high-value refund".
                5. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                6. Refund the order total for the order.
                7. Say "Done! {order.total} is on its way back to you."
                8. Resolve as refund_issued.
                """)],
            fix: """
                Compare values of the same kind; for money, write the currency:
                    4. If the order total is more than $150, escalate to billing because "high-value refund".
                """),

        Explanation(
            .currencyMismatch,
            summary: "Amounts in different currencies are compared or combined.",
            details: """
                Amounts of money carry their currency, and the project's amounts are in the currency \
                set in `mandate.yaml`. Comparing dollars with euros would need an exchange rate that \
                changes every day, so Mandate refuses it rather than give an answer that is sometimes \
                wrong.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. If the order total is more than €150, escalate to billing because "high-value refund".
                5. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                6. Refund the order total for the order.
                7. Say "Done! {order.total} is on its way back to you."
                8. Resolve as refund_issued.
                """)],
            fix: """
                Write amounts in the project's currency:
                    4. If the order total is more than $150, escalate to billing because "high-value refund".
                """),

        Explanation(
            .notAList,
            summary: "A list operation is used on something that is not a list.",
            details: """
                `For each`, `every`, `any`, `no`, `the number of` and `the total … of` work on lists, \
                such as the items of an order when its type declares `items: list of Item`. Used on a \
                single value or a single record, they have nothing to go through, so Mandate asks \
                for a list.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. For each item in the order:
                   a. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Go through a list, such as a field declared as `list of …` in `actions.yaml`, or \
                drop the loop for a single record:
                    3. Say "Your order is {order.status}."
                """),

        // MARK: M05xx, M06xx — flow and policy, proven over the step graphs

        Explanation(
            .pathFallsOffEnd,
            summary: "A path through the procedure ends without `Resolve as`, `Escalate to` or `Follow`.",
            details: """
                Every conversation a procedure starts must end somewhere: resolved with an outcome, \
                handed to a person, or passed to another procedure. Mandate follows every path through \
                the steps, including each `If` whose condition does not hold and each `Confirm` the \
                customer declines, and reports a path that simply runs out of steps, with the steps it \
                takes. On such a path the assistant would stop talking and leave the customer waiting.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                """)],
            fix: """
                End the path. Here, after the message:
                    4. Resolve as status_shared.
                or hand off with `Escalate to tier-1 because "…".`
                """),

        Explanation(
            .unreachableStep,
            summary: "A step can never run.",
            details: """
                A step can never run when every path before it has already ended (`Resolve as`, \
                `Escalate to` and `Follow` end the procedure), or when it sits under a condition that \
                can never hold where it stands: one the steps before it already ruled out (`If the order \
                total is more than $200` after every order above $150 was escalated), or one that \
                contradicts itself. It is usually a step written in the wrong place, or a condition with \
                a typo, and the customer never hears it.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                5. Say "Is there anything else I can help with?"
                """)],
            fix: """
                Move the step before the one that ends the path, or remove it:
                    3. Say "Your order is {order.status}. Is there anything else I can help with?"
                    4. Resolve as status_shared.
                """),

        Explanation(
            .valueMaybeUnknown,
            summary: "A value is used on a path where it may not have been asked for, set or looked up.",
            details: """
                Mandate follows every path to each step and checks that each value the step uses was \
                given one on all of them: asked for, set, looked up by an action, or listed by `For each`. \
                A value given only under an `If`, or only after a `Confirm` the customer can decline, is \
                missing on the other paths, and the assistant would have nothing to say or send. The \
                message shows one path on which the value is missing.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. If the order number is not "0", look up the order with the order number.
                3. Say "Your order is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                Give the value a value on every path before it is used, for example by looking the \
                order up outside the `If`:
                    2. Look up the order with the order number.
                """),

        Explanation(
            .followCycle,
            summary: "`Follow` leads back to a procedure already on the way: the procedures go round in a circle.",
            details: """
                `Follow "…"` continues the conversation in another procedure. When that procedure, or \
                one it follows, follows back to where the path started, a customer can go round the same \
                procedures without end, answering the same questions again. Mandate reports the `Follow` \
                step that closes the circle and the procedures in it.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is "placed", follow "Share an order's status".
                4. Say "Your order is {order.status}."
                5. Resolve as status_shared.
                """)],
            fix: """
                End the circle with a step that resolves or hands off:
                    3. If the order status is "placed", say "Your order is being prepared." and resolve as status_shared.
                """),

        Explanation(
            .refundOverLimit,
            summary: "A refund can be larger than the goal's limit on some path.",
            details: """
                For every action with `effect: refund`, Mandate works out from the conditions before it \
                how large the amount can be on each path (`If the order total is more than $300, escalate \
                …` means the order total is at most $300 on the path that goes on). When that bound is \
                above `max_per_refund`, or above the limit `max_by_tier` gives a tier whose customers can \
                reach the step, the procedure promises refunds the policy forbids. The message names the \
                path and the limit.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. If the order total is more than $300, escalate to billing because "high-value refund".
                5. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                6. Refund the order total for the order.
                7. Say "Done! {order.total} is on its way back to you."
                8. Resolve as refund_issued.
                """)],
            fix: """
                Bound the amount at the limit before the refund:
                    4. If the order total is more than $150, escalate to billing because "high-value refund".
                """),

        Explanation(
            .refundUnbounded,
            summary: "On some path, no step keeps a refund within its limit.",
            details: """
                The goal limits refunds (`max_per_refund`, `max_by_tier`), but no condition before this \
                refund keeps its amount within the limit on the path shown. The runtime still enforces the \
                limit: it would refuse the refund and hand the customer off in the middle of the \
                conversation, after promising it. Saying so in the procedure lets the assistant hand off \
                before it asks.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. Confirm "Shall I refund {order.total}?"
                   If the customer declines, say "No problem." and resolve as declined.
                5. Refund the order total for the order.
                6. Say "Done! {order.total} is on its way back to you."
                7. Resolve as refund_issued.
                """)],
            fix: """
                Add the bound before the refund (Mandate suggests the sentence):
                    4. If the order total is more than $150, escalate to billing because "refund above the $150 limit".
                """),

        Explanation(
            .confirmationMissing,
            summary: "An action whose effect the goal wants confirmed can run without the customer's yes.",
            details: """
                `confirm_with_customer` lists effects (`refund`, `write`) that need an explicit yes. \
                Mandate checks that on every path to such an action the customer answered yes to a \
                `Confirm` first, and that the question mentions what the action acts on: the amount or \
                the record for a refund (`{order.total}`, `{order_number}`, or a value computed from \
                them); any `Confirm` question for other effects when it names no value. A path that \
                reaches the action without such a yes is reported.
                """,
            example: [ExampleFile("refund.procedure", """
                Procedure: Refund an order
                Goal: resolve-order-issues
                Handles: refund_request

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. If the order status is not "delivered", say "Your order has not arrived yet." and resolve as status_shared.
                4. If the order total is more than $150, escalate to billing because "high-value refund".
                5. Refund the order total for the order.
                6. Say "Done! {order.total} is on its way back to you."
                7. Resolve as refund_issued.
                """)],
            fix: """
                Ask first, with the amount in the question:
                    5. Confirm "Shall I refund {order.total}?"
                       If the customer declines, say "No problem." and resolve as declined.
                """),

        Explanation(
            .neverSayInMessage,
            summary: "A message contains a phrase the goal must never say.",
            details: """
                `never_say` lists phrases the assistant must never send, such as promises the company \
                cannot keep. The runtime blocks any message that contains one; Mandate finds the `Say` \
                and `Confirm` texts that already do, so the message can be reworded before it ever \
                reaches a customer.
                """,
            example: [ExampleFile("orders.goal.yaml", """
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
                  output:
                    never_say: ["on its way"]
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Reword the message without the phrase:
                    7. Say "Done! {order.total} goes back to your original payment method."
                """),

        Explanation(
            .messageTooLong,
            summary: "A message is longer than the goal's `output.max_characters`, before its values are filled in.",
            details: """
                The runtime blocks messages over `max_characters`. Mandate counts the fixed text of each \
                `Say` and `Confirm` (the values in `{…}` only make it longer); when that alone is over the \
                limit, the message can never be sent.
                """,
            example: [ExampleFile("orders.goal.yaml", """
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
                  output:
                    max_characters: 20
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Shorten the message, split it into two `Say` steps, or raise the limit:
                    output:
                      max_characters: 600
                """),

        Explanation(
            .moneyNotComputed,
            summary: "A message states an amount of money the procedure never computes or checks.",
            details: """
                An amount typed into a message (`$5`) is a promise: it can drift from the real fee, and \
                the runtime flags amounts that the plan did not compute. Amounts the procedure uses \
                (in conditions, `Set`, action inputs) and the goal's limits may be stated; any other \
                amount is reported.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Your order is {order.status}. Express shipping costs $5 more."
                4. Resolve as status_shared.
                """)],
            fix: """
                Show a value the plan has, with a placeholder, or set it first:
                    3. Set the express fee to $5.
                    4. Say "Express shipping costs {express_fee} more."
                """),

        Explanation(
            .untrustedIdentity,
            summary: "An input that says whose data an action touches takes a value the customer typed.",
            details: """
                Inputs of type `identity`, and inputs named like one (`customer_id`, `account_id`, a \
                record's `owner` field), decide whose orders or account an action reads or changes. If \
                that value comes from what the customer typed, anyone can type someone else's id. \
                Identity must come from the verified session, which Mandate fills in itself.
                """,
            example: [ExampleFile("actions.yaml", """
                actions:
                  lookup_order:
                    phrase: look up the order with {customer_id}
                    input: { customer_id: text }
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
                """)],
            fix: """
                Declare the input as an identity and leave it out of the phrase:
                    lookup_order:
                      phrase: look up the order with {order_number}
                      input: { order_number: text, customer_id: identity }
                """),

        Explanation(
            .tooFewExamples,
            summary: "An intent has fewer than three examples.",
            details: """
                The classifier that recognises intents learns them from their examples. With fewer \
                than three, it cannot tell the intent apart from its neighbours, and customers are sent \
                to the wrong procedure or handed off for low confidence.
                """,
            example: [ExampleFile("orders.goal.yaml", """
                goal: resolve-order-issues
                intents:
                  refund_request:
                    examples: ["I want my money back", "refund my order please", "can I get a refund"]
                  order_status:
                    examples: ["where is my order", "has my package shipped"]
                resolved_when: [refund_issued, status_shared, declined]
                guardrails:
                  confirm_with_customer: [refund]
                  refunds:
                    max_per_refund: 150 USD
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Add real customer messages, in different words:
                    order_status:
                      examples: ["where is my order", "has my package shipped", "tracking for my parcel"]
                """),

        Explanation(
            .duplicateExample,
            summary: "The same example is listed under two intents.",
            details: """
                A message cannot mean two intents. Listed under both, it teaches the classifier \
                nothing and lowers its confidence for both. Mandate compares examples ignoring case, \
                punctuation and spacing.
                """,
            example: [ExampleFile("orders.goal.yaml", """
                goal: resolve-order-issues
                intents:
                  refund_request:
                    examples: ["I want my money back", "refund my order please", "where is my order"]
                  order_status:
                    examples: ["where is my order", "has my package shipped", "tracking for my parcel"]
                resolved_when: [refund_issued, status_shared, declined]
                guardrails:
                  confirm_with_customer: [refund]
                  refunds:
                    max_per_refund: 150 USD
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Keep the example under the intent it means, and give the other a different one:
                    refund_request:
                      examples: ["I want my money back", "refund my order please", "can I get a refund"]
                """),

        Explanation(
            .nearDuplicateExample,
            summary: "Two intents have examples that are almost the same.",
            details: """
                Examples under two intents that use the same words, in another order or with one word \
                more or less, blur the line between the intents: the classifier cannot learn which one \
                such a message means. Usually one of them is under the wrong intent.
                """,
            example: [ExampleFile("orders.goal.yaml", """
                goal: resolve-order-issues
                intents:
                  refund_request:
                    examples: ["I want my money back", "refund my order please", "has my package shipped yet"]
                  order_status:
                    examples: ["where is my order", "has my package shipped", "tracking for my parcel"]
                resolved_when: [refund_issued, status_shared, declined]
                guardrails:
                  confirm_with_customer: [refund]
                  refunds:
                    max_per_refund: 150 USD
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Move the example to the intent it means, or reword it so it says what only its own \
                intent means:
                    refund_request:
                      examples: ["I want my money back", "refund my order please", "can I get a refund"]
                """),

        Explanation(
            .intentHandledTwice,
            summary: "Two procedures handle the same intent.",
            details: """
                A conversation with an intent goes to the one procedure that lists it under `Handles:`. \
                With two, Mandate cannot tell which one the operator means; nothing in the procedures \
                says which conditions send a customer to which.
                """,
            example: [ExampleFile("where-is-my-order.procedure", """
                Procedure: Find an order
                Goal: resolve-order-issues
                Handles: order_status

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Say "Order {order_number} is {order.status}."
                4. Resolve as status_shared.
                """)],
            fix: """
                List the intent in one procedure only. The other can still run from it, with \
                `Follow "Find an order"`, under the condition that should send customers there.
                """),

        Explanation(
            .intentNeverRuns,
            summary: "A procedure handles an intent that is always escalated, so it never runs for it.",
            details: """
                `always_escalate` is applied before any procedure: a conversation with that intent goes \
                straight to a person. A procedure that lists the intent under `Handles:` never runs for \
                it, which is rarely what the operator meant.
                """,
            example: [ExampleFile("orders.goal.yaml", """
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
                  always_escalate:
                    intents: [order_status]
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Decide which rule wins: remove the intent from `always_escalate`, or from the \
                procedure's `Handles:`.
                """),

        Explanation(
            .intentNotCovered,
            summary: "An intent is neither handled by a procedure, nor always escalated, nor marked out of scope.",
            details: """
                Every intent the classifier can recognise needs somewhere to go: a procedure that \
                lists it under `Handles:`, `always_escalate` to hand it to a person, or \
                `out_of_scope: true` on the intent for requests the assistant recognises but does \
                not take on (they get the polite out-of-scope answer). Otherwise a customer with \
                that intent gets no answer.
                """,
            example: [ExampleFile("orders.goal.yaml", """
                goal: resolve-order-issues
                intents:
                  refund_request:
                    examples: ["I want my money back", "refund my order please", "can I get a refund"]
                  order_status:
                    examples: ["where is my order", "has my package shipped", "tracking for my parcel"]
                  cancel_order:
                    examples: ["cancel my order", "I don't want this order anymore", "please stop my order"]
                resolved_when: [refund_issued, status_shared, declined]
                guardrails:
                  confirm_with_customer: [refund]
                  refunds:
                    max_per_refund: 150 USD
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Add it to a procedure's `Handles:`, or hand it off:
                    always_escalate:
                      intents: [cancel_order]
                or, if the assistant should not take it on, mark it:
                    cancel_order:
                      examples: [...]
                      out_of_scope: true
                """),

        Explanation(
            .outcomeUnreachable,
            summary: "An outcome in `resolved_when` is not reached by any procedure.",
            details: """
                `resolved_when` lists the outcomes that count as resolved for the goal's reports. An \
                outcome no procedure can reach with `Resolve as …` never happens: either a procedure is \
                missing, or the outcome is left over from an earlier version.
                """,
            example: [ExampleFile("orders.goal.yaml", """
                goal: resolve-order-issues
                intents:
                  refund_request:
                    examples: ["I want my money back", "refund my order please", "can I get a refund"]
                  order_status:
                    examples: ["where is my order", "has my package shipped", "tracking for my parcel"]
                resolved_when: [refund_issued, status_shared, declined, order_cancelled]
                guardrails:
                  confirm_with_customer: [refund]
                  refunds:
                    max_per_refund: 150 USD
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Add the procedure that resolves with it, or remove it:
                    resolved_when: [refund_issued, status_shared, declined]
                """),

        Explanation(
            .contradictorySettings,
            summary: "Two settings of a goal contradict each other.",
            details: """
                Some settings cannot both apply: a refund limit for a tier that is always escalated \
                (its customers never reach a procedure, so the limit never applies), a tier's limit \
                above `max_per_refund` (which caps every refund, so the higher limit never applies), or a single-refund \
                limit above the total a customer may get in the window. One of them is a mistake.
                """,
            example: [ExampleFile("orders.goal.yaml", """
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
                    max_by_tier: { vip: 250 USD }
                  always_escalate:
                    tiers: [vip]
                escalation:
                  default_queue: tier-1
                """)],
            fix: """
                Keep the setting that is meant. Here, if vip customers always go to a person, remove \
                their limit:
                    refunds:
                      max_per_refund: 150 USD
                """),

        Explanation(
            .scenarioContradictsPolicy,
            summary: "A scenario test expects something the plan can never do.",
            details: """
                Scenario tests describe conversations and what must happen in them. A test that \
                expects a refund above the limit, an action the catalog does not have, or an outcome no \
                procedure reaches can never pass against this plan: the test, or the procedures, are \
                wrong. Mandate reports it before the test runs.
                """,
            example: [ExampleFile("refund-above-limit.test.yaml", """
                name: a large refund goes through
                customer: { id: C-1001, tier: standard, verified: true }
                turns:
                  - customer: "refund my order please"
                    expect:
                      action: { issue_refund: { amount: 400.00 USD } }
                """)],
            fix: """
                Expect what the policy says happens, here the hand-off:
                    expect:
                      handoff: { queue: billing }
                """),

        Explanation(
            .tableMissingCase,
            summary: "A decision-table lookup can be given a value the table has no row or column for.",
            details: """
                A lookup such as `the status message for the order status` finds the row for the \
                value it is given. When that value is an enumeration (a status, a tier, a category), \
                Mandate checks that the table has a row or column for every value it can have on the \
                paths that reach the lookup. A missing one leaves the assistant with nothing to use. \
                Tiers that are always escalated never reach a procedure and need no row.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                Table: status message
                | status    | message      |
                |-----------|--------------|
                | shipped   | on its way   |
                | delivered | at your door |

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Set the note to the status message for the order status.
                4. Say "Your order is {note}."
                5. Resolve as status_shared.
                """)],
            fix: """
                Add the missing row:
                    | placed    | being packed |
                or handle that value before the lookup, with its own `If`.
                """),

        Explanation(
            .tableRowRepeated,
            summary: "A decision table has two rows for the same value.",
            details: """
                A lookup finds the first row for its value; a second row with the same key is never \
                read, and usually holds the value that was meant. Mandate reports the table.
                """,
            example: [ExampleFile("status.procedure", """
                Procedure: Share an order's status
                Goal: resolve-order-issues
                Handles: order_status

                Table: status message
                | status    | message      |
                |-----------|--------------|
                | placed    | being packed |
                | shipped   | on its way   |
                | shipped   | in transit   |
                | delivered | at your door |

                1. Ask for the order number.
                2. Look up the order with the order number.
                3. Set the note to the status message for the order status.
                4. Say "Your order is {note}."
                5. Resolve as status_shared.
                """)],
            fix: """
                Keep one row for the value, with the value that is meant:
                    | shipped   | on its way   |
                """),
    ]
}

/// Seventeen levels of nested steps, for the `nestingTooDeep` example: fifteen `If …:`
/// steps, each under the one before, then a step with a sub-step that is one level too deep.
private let deeplyNestedSteps: String = {
    var lines: [String] = []
    for level in 0..<15 {
        let label = level == 0 ? "3." : "a."
        let indent = level == 0 ? "" : String(repeating: " ", count: 3 * level)
        lines.append("\(indent)\(label) If the order total is more than $\(level + 1):")
    }
    lines.append(String(repeating: " ", count: 45) + "a. Say \"Your order is {order.status}.\"")
    lines.append(String(repeating: " ", count: 48) + "a. Say \"Thank you for waiting.\"")
    return lines.joined(separator: "\n")
}()
