import Foundation
import MandateIR

/// What the input guardrails and the escalation triggers need to know about a message,
/// read once per turn.
public struct MessageSignals: Sendable, Equatable {
    /// The customer asks for a person: "let me talk to a human", "agent please".
    public var asksForHuman: Bool
    /// The customer sounds frustrated: strong words, repeated exclamation marks, shouting.
    public var frustrated: Bool
    /// Signs of prompt injection; empty when the message is clean.
    public var injection: [InjectionFinding]
    /// The first of the goal's always-escalate phrases in the message (as the goal writes it).
    public var escalationPhrase: String?

    /// Makes signals.
    public init(asksForHuman: Bool, frustrated: Bool, injection: [InjectionFinding], escalationPhrase: String?) {
        self.asksForHuman = asksForHuman
        self.frustrated = frustrated
        self.injection = injection
        self.escalationPhrase = escalationPhrase
    }

    /// Reads a message. `alwaysEscalatePhrases` are matched as whole words, ignoring case,
    /// accents and punctuation, and a final plural (`lawyer` finds "lawyers").
    public static func read(_ message: String, alwaysEscalatePhrases: [String]) -> MessageSignals {
        read(message, phrases: alwaysEscalatePhrases.map { ($0, MessageText($0).words) })
    }

    /// Reads a message against always-escalate phrases already split into words (once, at plan load).
    static func read(_ message: String, phrases: [(phrase: String, words: [[UInt8]])]) -> MessageSignals {
        let text = MessageText(message)
        return read(message, text: text, words: PhraseWords(text.wordSlices), phrases: phrases)
    }

    /// Reads a message already normalised (`text` is `MessageText(message)`, `words` its words numbered);
    /// `leads` is `leads(phrases)`, worked out once with the phrases.
    static func read(_ message: String, text: MessageText, words: PhraseWords, phrases: [(phrase: String, words: [[UInt8]])],
                     leads: [[Int]]? = nil) -> MessageSignals {
        MessageSignals(
            asksForHuman: asksForHuman(words),
            frustrated: frustrated(text, words: words, message: message),
            injection: InjectionDetector.scan(message, text: text, words: words),
            escalationPhrase: firstPhrase(phrases, leads: leads ?? Self.leads(phrases), in: text))
    }

    // MARK: Asking for a person

    static let humanWords = "human|humans|person|agent|agents|representative|rep|operator|manager|supervisor|people|staff|employee|associate|specialist|someone|somebody"
    static let humanPatterns = [
        "speak|talk|chat ~4 \(humanWords)|team",
        "transfer|connect|escalate|pass|put me|us|this ~3 \(humanWords)|team",
        "get|give|want|need|request ~3 human|humans|representative|agent|supervisor|manager|operator|rep",
        "real|actual|live|human person|human|agent|representative|being|rep|people",
        "human|agent|representative|operator|supervisor|manager|person please|pls|plz|now",
        "customer service|support|care rep|representative|agent|person",
        "not|dont|stop|done ~2 talking|talk|chatting|chat|speaking|speak ~3 bot|robot|machine|ai|computer|chatbot",
        "escalate|escalating",
        "is there anyone|anybody|somebody|someone",
    ]
    static let human = PhraseSet(humanPatterns, bit: 1 << 0)
    /// A message that is only one of these words asks for a person.
    static let humanAloneWords = ["human", "agent", "representative", "operator", "person", "supervisor", "manager", "rep"]
    static let humanAlone = PhraseVocabulary.shared.set(humanAloneWords)

    static func asksForHuman(_ words: PhraseWords) -> Bool {
        // The one word left when polite words are set aside, if only one is.
        var only: Int32?
        var others = 0
        for id in words.ids where !politeWords.contains(id) {
            others += 1
            if others > 1 { break }
            only = id
        }
        if others == 1, let only, humanAlone.contains(only) { return true }
        return human.firstMatch(words) != nil
    }
    static let politeWordList = ["please", "pls", "plz", "a", "an", "the", "now", "hi", "hello"]
    static let politeWords = PhraseVocabulary.shared.set(politeWordList)

    // MARK: Frustration

    /// Counted twice.
    static let strongPatterns = [
        "ridiculous|unacceptable|outrageous|furious|pathetic|useless|worst|absurd|incompetent|fuming|livid|infuriating|infuriated|appalling|disgraceful",
        "fuck*|shit|shitty|bullshit",
        "is|what a joke",
        "frustrat*|disgust*",
        "fed up",
        "sick and? tired",
        "sick of",
        "had enough",
        "are you kidding|serious|joking",
        "waste of ~1 time|money",
        "third|fourth|fifth|tenth|3rd|4th|5th time",
        "so|very|really|extremely angry|annoyed|upset|mad|pissed",
        "pissed ~1 off",
        "never ~2 again",
        "horrible|terrible|awful|disgraceful service|support|company",
    ]
    static let strongFrustration = PhraseSet(strongPatterns, bit: 1 << 1)
    /// Counted once.
    static let mildPatterns = [
        "wtf|scam|sucks|garbage|trash|terrible|awful|horrible|annoyed|angry|upset|damn|crap|crappy|ugh|seriously|disappointed|unbelievable|annoying|mad|pissed",
    ]
    static let mildFrustration = PhraseSet(mildPatterns, bit: 1 << 2)

    static func frustrated(_ text: MessageText, words: PhraseWords, message: String) -> Bool {
        var score = 0
        score += 2 * strongFrustration.matchCount(words)
        score += mildFrustration.matchCount(words)
        if score >= 2 { return true }
        // Exclamation marks: `!!!` or `?!` repeated.
        if exclaims(text.bytes) { score += 1 }
        score += shouting(message)
        return score >= 2
    }

    /// Whether three `!` come in a row, `?` between them not counting (`!!!`, `!?!?!`). Most messages
    /// have no `!`, which `memchr` says without a loop here.
    static func exclaims(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress, let first = memchr(base, 0x21, b.count) else { return false }
            var bangs = 0
            for i in base.distance(to: first.assumingMemoryBound(to: UInt8.self))..<b.count {
                let x = b[i]
                if x == 0x21 {
                    bangs += 1
                    if bangs >= 3 { return true }
                } else if x != 0x3F {
                    bangs = 0
                }
            }
            return false
        }
    }

    /// Words of three letters or more in capitals: 1 for two or three, 2 for four or more (the
    /// normalised text is lowercase, so this reads the message as written).
    static func shouting(_ message: String) -> Int {
        FastText.withBytes(message) { shouting($0) }
    }

    /// `shouting(_:)` on the message's UTF-8 bytes, in place.
    static func shouting(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        // Two shouted words have six capitals at least: a text with fewer, counted eight bytes at a
        // time, shouts nothing.
        if let base = bytes.baseAddress {
            let n = bytes.count
            var capitals = 0
            var i = 0
            var ascii = true
            while i + 8 <= n {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if w & 0x8080_8080_8080_8080 != 0 { ascii = false; break }
                // A byte's high bit: set by adding 0x3F when it is `A` or more, by adding 0x25 when it is past `Z`.
                let upper = (w &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(w &+ 0x2525_2525_2525_2525) & 0x8080_8080_8080_8080
                capitals += upper.nonzeroBitCount
                i += 8
            }
            if ascii {
                while i < n {
                    if base[i] &- 0x41 < 26 { capitals += 1 }
                    i += 1
                }
                if capitals < 6 { return 0 }
            }
        }
        return shoutedScore(bytes)
    }

    /// `shouting(_:)` read word by word, without the count of capitals first.
    static func shoutedScore(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var shouted = 0, letters = 0, allCapitals = true
        for b in bytes {
            if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) {
                letters += 1
                if b >= 0x61 { allCapitals = false }
            } else {
                if letters >= 3 && allCapitals { shouted += 1 }
                letters = 0
                allCapitals = true
            }
        }
        if letters >= 3 && allCapitals { shouted += 1 }
        return shouted >= 4 ? 2 : (shouted >= 2 ? 1 : 0)
    }

    // MARK: Always-escalate phrases

    /// The phrase found first in the message: at its earliest word, the first of the list there.
    static func firstPhrase(_ phrases: [(phrase: String, words: [[UInt8]])], in text: MessageText) -> String? {
        firstPhrase(phrases, leads: leads(phrases), in: text)
    }

    /// By byte, the phrases (by position, in list order) whose first word starts with it; a phrase
    /// whose first word has no bytes is under every byte. Phrases of no words are under none.
    static func leads(_ phrases: [(phrase: String, words: [[UInt8]])]) -> [[Int]] {
        var table = [[Int]](repeating: [], count: 256)
        for (k, p) in phrases.enumerated() where !p.words.isEmpty {
            if let b = p.words[0].first { table[Int(b)].append(k) } else { for i in 0..<256 { table[i].append(k) } }
        }
        return table
    }

    /// `firstPhrase` in one pass over the message's words: at each word, only the phrases whose first
    /// word starts with its first byte are compared (a message word matches a phrase word only by
    /// starting with it).
    static func firstPhrase(_ phrases: [(phrase: String, words: [[UInt8]])], leads: [[Int]], in text: MessageText) -> String? {
        let slices = text.wordSlices
        let n = slices.count
        guard n > 0 else { return nil }
        return slices.storage.withUnsafeBufferPointer { storage -> String? in
            for start in 0..<n {
                let first = slices.start(start)
                // Most words start no phrase: their first byte's list is empty, passed over without copying it.
                if slices.end(start) > first, leads.withUnsafeBufferPointer({ $0[Int(storage[first])].isEmpty }) { continue }
                // A word of no bytes (the text makes none) is compared with every phrase, as before.
                let candidates = slices.end(start) > first ? leads[Int(storage[first])] : Array(phrases.indices)
                for k in candidates {
                    let words = phrases[k].words
                    guard !words.isEmpty, words.count <= n - start else { continue }
                    var ok = true
                    for j in 0..<words.count {
                        let w = UnsafeBufferPointer(rebasing: storage[slices.start(start + j)..<slices.end(start + j)])
                        if !sameWord(w, words[j], last: j == words.count - 1) {
                            ok = false
                            break
                        }
                    }
                    if ok { return phrases[k].phrase }
                }
            }
            return nil
        }
    }

    /// Whether a message's word is a phrase's word; the phrase's last word may also take a final
    /// plural or possessive: `lawyers`, `lawyer's` (the apostrophe is already dropped), `witnesses`.
    @inline(__always)
    static func sameWord(_ w: UnsafeBufferPointer<UInt8>, _ p: [UInt8], last: Bool) -> Bool {
        let extra = w.count - p.count
        guard extra == 0 || (last && (extra == 1 || extra == 2)) else { return false }
        return p.withUnsafeBufferPointer { p in
            var k = 0
            while k < p.count, w[k] == p[k] { k += 1 }
            guard k == p.count else { return false }
            switch extra {
            case 0: return true
            case 1: return w[k] == 0x73
            default: return w[k] == 0x65 && w[k + 1] == 0x73
            }
        }
    }
}
