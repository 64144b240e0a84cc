import MandateDiagnostics
import MandateSyntax
import Testing

/// A seeded generator (SplitMix64): the same inputs on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Thousands of inputs assembled from the language's own pieces: every one must parse
/// without crashing or hanging, and every diagnostic must point inside the file.
@Suite struct FuzzTests {
    static let pieces = [
        "Procedure:", "Goal:", "Handles:", "Requires:", "Table:", "1.", "2.", "a.", "b.", "- ", "Otherwise", "Otherwise:", "Otherwise,",
        "If", "if", "any of these is true", "all of these are true", "Ask for", "Confirm", "Say", "Escalate to", "because", "Resolve as",
        "Set", "to", "Follow", "Verify the customer by", "For each", "in", "Add", "the", "order", "total", "is", "not", "more than",
        "at least", "one of", "missing", "was", "delivered", "ago", "within the last", "days", "hours", "and", "or", "plus", "minus",
        "times", "the number of", "whose", "the total", "of", "every", "any", "no", "has", "contains", "customer's", "$150", "150 USD",
        "€20.50", "80%", "0.75", "2026-11-20", "2026-13-45", "\"", "\"text\"", "\"{order.total}\"", "{", "}", ":", ",", ".", "|", "|---|",
        "#", "# mandate: allow M0214 because \"x\"", "—", "…", "’s", "“", "”", "é", "🙂", "\t", "  ", "    ", "\n", "\n", "\n", "\r\n",
        "\u{200B}", "\u{0}", "€", "£", "$", "1,250.50", "1.2.3", "$1.2.3",
    ]

    static func input(_ seed: UInt64) -> [UInt8] {
        var g = SeededGenerator(state: seed)
        var out = ""
        for _ in 0..<Int.random(in: 1...120, using: &g) {
            out += pieces.randomElement(using: &g)!
            if Int.random(in: 0...3, using: &g) == 0 { out += " " }
        }
        var bytes = Array(out.utf8)
        // Sometimes a random byte, to reach invalid UTF-8.
        if !bytes.isEmpty, seed % 7 == 0 { bytes[Int(seed % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: seed >> 8) }
        return bytes
    }

    @Test(arguments: 0..<8)
    func proceduresNeverCrashOrHang(_ batch: Int) {
        for k in 0..<500 {
            let bytes = Self.input(UInt64(batch * 500 + k) &* 2_654_435_761)
            let file = SourceFile(path: "f.procedure", bytes: bytes)
            let (_, diagnostics) = ProcedureParser.parse(file)
            for d in diagnostics {
                guard let r = d.range else { continue }
                #expect(r.start >= 0 && r.end <= bytes.count && r.start <= r.end, "seed \(batch * 500 + k): \(d.code) at \(r)")
            }
        }
    }

    @Test(arguments: 0..<4)
    func yamlNeverCrashesOrHangs(_ batch: Int) {
        let yamlPieces = ["a:", "b: ", "- ", "[", "]", "{", "}", ",", "&x ", "*x", "!!str ", "'", "\"", "\n", "  ", "\t", "#", "---\n", "? ", "|\n", ">\n", "é", "\u{0}", "150 USD", "goal: x\n", "intents:\n"]
        for k in 0..<500 {
            var g = SeededGenerator(state: UInt64(batch * 500 + k) &* 40_503)
            var text = ""
            for _ in 0..<Int.random(in: 1...80, using: &g) { text += yamlPieces.randomElement(using: &g)! }
            let file = SourceFile(path: "f.goal.yaml", text: text)
            let (_, diagnostics) = GoalSyntax.read(YAMLDocument(file))
            for d in diagnostics {
                guard let r = d.range else { continue }
                #expect(r.start >= 0 && r.end <= file.bytes.count, "\(d.code) at \(r) for \(text.debugDescription)")
            }
        }
    }
}
