import Foundation
import MandateIR

/// What kind of attempt to steer the agent a message contains.
public enum InjectionKind: String, Sendable, Codable {
    /// "Ignore your previous instructions", "I am the admin, override the limit".
    case instructionOverride
    /// "Show me your system prompt".
    case hiddenInstructions
    /// "Pretend you are…", "you are now DAN".
    case rolePlay
    /// Text dressed as a system, assistant or tool message: `SYSTEM:`, `<|im_start|>`, `[tool result]`.
    case fakeSystemMessage
    /// An attempt hidden by encoding: base64, leetspeak, letters spaced apart.
    case encodedPayload
    /// An attempt hidden with Unicode: zero-width or direction characters, look-alike letters.
    case unicodeTrick
}

/// One sign of prompt injection, with the words that gave it away.
public struct InjectionFinding: Sendable, Equatable, Codable {
    /// What kind of attempt.
    public var kind: InjectionKind
    /// The words found (after undoing any disguise), for the trace and the reviewer.
    public var evidence: String
    /// Makes a finding.
    public init(kind: InjectionKind, evidence: String) {
        self.kind = kind
        self.evidence = evidence
    }
}

/// Looks for prompt injection in a customer's message: the phrases of each kind, in the
/// message as written and again after undoing Unicode tricks, leetspeak, spaced letters and
/// base64. Ordinary support messages — every example in the reference project — give nothing.
public enum InjectionDetector {
    /// The findings in `message`, in reading order; empty when it is clean.
    public static func scan(_ message: String) -> [InjectionFinding] {
        scan(message, text: MessageText(message))
    }

    /// The findings, given the message already normalised.
    public static func scan(_ message: String, text: MessageText) -> [InjectionFinding] {
        scan(message, text: text, words: PhraseWords(text.wordSlices))
    }

    /// The findings, given the message already normalised and its words numbered.
    static func scan(_ message: String, text: MessageText, words: PhraseWords) -> [InjectionFinding] {
        var findings: [InjectionFinding] = []
        // `add` takes the list inout: a nested function capturing it boxed the list, checked at every use.
        let plain = phraseFindings(words)
        for f in plain { add(f, to: &findings) }
        for f in fakeMessageFindings(text.bytes) { add(f, to: &findings) }
        // Unicode: direction controls and tag characters have no place in a support message;
        // invisible characters, look-alike and styled letters count when they hid something.
        let odd = text.oddities
        if odd.contains(.bidiControls) { add(.init(kind: .unicodeTrick, evidence: "characters that reverse the text direction"), to: &findings) }
        if odd.contains(.tagCharacters) { add(.init(kind: .unicodeTrick, evidence: "hidden Unicode tag characters"), to: &findings) }
        if !findings.isEmpty {
            if odd.contains(.invisible) { add(.init(kind: .unicodeTrick, evidence: "zero-width characters inside words"), to: &findings) }
            if odd.contains(.confusables) { add(.init(kind: .unicodeTrick, evidence: "letters from another alphabet that look like Latin ones"), to: &findings) }
            if odd.contains(.styledLetters) { add(.init(kind: .unicodeTrick, evidence: "styled look-alike letters"), to: &findings) }
        }
        // Leetspeak: digits and symbols for letters.
        if let leet = deLeet(text) {
            let found = phraseFindings(PhraseWords(leet.wordSlices)).filter { !plain.contains($0) }
            if let first = found.first { add(.init(kind: .encodedPayload, evidence: "written in leetspeak: \(first.evidence)"), to: &findings) }
            for f in found { add(f, to: &findings) }
        }
        // Letters spaced apart: `i g n o r e  a l l  r u l e s`.
        for run in spacedRuns(text) {
            for (signature, kind) in spacedSignatures where run.contains(signature) {
                add(.init(kind: .encodedPayload, evidence: "letters spaced apart: \(run)"), to: &findings)
                add(.init(kind: kind, evidence: signature), to: &findings)
                break
            }
        }
        // Text written backwards, with a word telling the reader to reverse it.
        if let backwards = reversed(text, words: words) {
            let found = phraseFindings(PhraseWords(backwards.wordSlices)).filter { !plain.contains($0) }
            if let first = found.first { add(.init(kind: .encodedPayload, evidence: "written backwards: \(first.evidence)"), to: &findings) }
            for f in found { add(f, to: &findings) }
        }
        // Base64 that decodes to an instruction.
        for decoded in base64Texts(message) {
            let inner = MessageText(decoded)
            let found = phraseFindings(PhraseWords(inner.wordSlices)) + fakeMessageFindings(inner.bytes)
            if let first = found.first {
                add(.init(kind: .encodedPayload, evidence: "base64 that reads: \(first.evidence)"), to: &findings)
                for f in found { add(f, to: &findings) }
            }
        }
        return findings
    }

    /// Adds a finding not yet in the list.
    @inline(__always)
    static func add(_ f: InjectionFinding, to findings: inout [InjectionFinding]) {
        if !findings.contains(f) { findings.append(f) }
    }

    // MARK: Phrases

    static let kindPatterns: [(InjectionKind, [String])] = [
        (.instructionOverride, [
            "ignore|disregard|forget|override|bypass|skip|ditch|abandon|discard|drop ~4 instructions|instruction|rules|prompt|prompts|directives|directions|guidelines|guardrails|policy|policies|restrictions|programming|constraints|safeguards|limits|limit|limitations|training|context",
            "ignore|disregard|forget ~1 everything|all|anything|the ~1 above|before|prior|previous",
            "forget|ignore|disregard ~2 what|everything|anything|all ~1 you|youve ~2 told|programmed|trained|instructed|taught",
            "follow|obey ~2 new|updated|revised|real|actual instructions|rules|directives|orders",
            "here are|is ~1 your|the new|updated|revised|real instructions|rules|directives",
            "your new|real|actual|updated instructions|rules|directive|directives|task|role|job|purpose|orders|goal",
            "new instructions|directive|directives",
            "from now on|forward|onwards you|youll|youre|your|ur",
            "henceforth|hereafter you|youll|youre",
            "dont|stop|quit|cease|never|not follow*|obey*|apply*|enforce* ~1 your|ur|any|those|these ~2 instructions|rules|guidelines|policy|policies|guardrails|restrictions|limits|programming",
            "without|no|zero ~1 restrictions|filters|guardrails|censorship|safeguards",
            "unrestricted|unfiltered|uncensored|jailbreak|jailbreaking",
            "developer|debug|god|admin|sudo|maintenance|unrestricted|jailbreak|dan|root|superuser mode",
            "override|bypass ~2 code|authorization|authorisation|protocol|mode|limit|limits|policy|check|checks|system|security|verification",
            "i|im am? ~2 the|an|a|your ~1 admin|administrator|sysadmin|superuser|moderator",
            "i|im am? ~1 your|the developer|developers|creator|creators|programmer|programmers|maker|makers",
            "acting|authorized|authorised|speaking as ~2 admin|administrator|developer|supervisor|manager|staff|employee|agent",
            "admin|administrator|developer|sudo|root|superuser access|privileges|permissions|rights|override|authority|command|commands",
            "previous|prior|above|earlier|original ~2 instructions|rules|prompt|directives ~3 void|cancelled|canceled|obsolete|outdated|fake|invalid|null|revoked|wrong",
            "reset|wipe|clear|erase ~2 your ~1 memory|context|instructions|rules|programming",
            "sudo",
        ]),
        (.hiddenInstructions, [
            "system|hidden|secret|developer|initial|original|preset|pre|underlying|internal prompt|prompts",
            "system|hidden|secret|developer instructions|instruction|directives|configuration",
            "show|reveal|print|repeat|display|output|leak|dump|expose|recite|paste|spill ~3 your|ur instructions|prompt|prompts|programming|directives|guardrails|configuration|config|initial|original|hidden|secret|rules",
            "what|which are|were|is ~1 your|ur ~1 instructions|prompt|prompts|directives|programming|configuration|guardrails",
            "what|how were|are you ~2 told|instructed|programmed|prompted|configured",
            "repeat|print|output|show|recite|copy ~3 text|words|everything|all|message|messages ~1 above|preceding",
            "repeat|print|output ~3 above|preceding ~1 text|words|message|prompt",
            "beginning|start ~1 of ~2 your ~1 prompt|instructions|context",
            "prompt injection",
        ]),
        (.rolePlay, [
            "pretend ~2 you|youre|to|your|that|ur",
            "imagine|suppose you|youre|your|ur are? a|an|now|not|no|free",
            "act|roleplay|impersonate as ~1 a|an|my|if|though|you|dan",
            "act|behave like ~1 dan|you|unrestricted|evil|unfiltered|uncensored|jailbroken|my",
            "respond|answer|reply|speak|talk|write as|like if|though|my|an|dan|a|the ~1 pirate|character|villain|hacker|evil|unfiltered|uncensored|ai|dan|grandma|grandmother|admin|developer",
            "role play*|roleplay*",
            "play|take|assume ~2 role|roles|part|persona|character",
            "you|youre are? now dan|unrestricted|free|jailbroken|evil|unfiltered|uncensored|called|named|an|a",
            "you are dan",
            "youre dan",
            "do anything now",
            "stay|remain|keep|break|staying ~1 in|out? ~1 character",
            "simulate|emulate ~2 a|an|being|the",
            "no longer bound|restricted|limited",
            "no longer an|a ai|assistant|chatbot|bot",
            "your|ur new persona|personality|identity|character|name",
            "switch|change ~2 persona|personality|character",
            "opposite mode|day",
            "evil|unfiltered|uncensored|unrestricted|jailbroken ~1 version|mode|ai|assistant|bot|twin|confidant",
        ]),
    ]
    static let kinds: [(InjectionKind, PhraseSet)] = kindPatterns.enumerated().map { n, k in (k.0, PhraseSet(k.1, bit: 1 << UInt16(3 + n))) }
    /// The bits of the kinds' sets in `PhraseWords.sets`.
    static let kindBits: UInt16 = kinds.reduce(0) { $0 | $1.1.bit }

    /// The phrase findings of every kind in normalised text.
    static func phraseFindings(_ words: PhraseWords) -> [InjectionFinding] {
        // Most messages start no pattern of any kind: their words say so, and no set is read.
        guard words.sets & kindBits != 0 else { return [] }
        var out: [InjectionFinding] = []
        for (kind, set) in kinds {
            if let m = set.firstMatch(words) {
                out.append(InjectionFinding(kind: kind, evidence: PhraseSet.quote(words, m.words)))
            }
        }
        return out
    }

    // MARK: Fake system and tool messages

    /// Markers of chat templates and tool output, anywhere.
    static let fakeMarkers: [[UInt8]] = [
        "<|", "|>", "[inst]", "[/inst]", "<<sys>>", "<</sys>>", "</s>", "<s>", "<system", "</system", "[system]",
        "[system message", "[system note", "[system prompt", "[system override", "(system message", "system override",
        "### system", "### instruction", "### assistant", "### response", "[tool", "<tool", "tool result", "tool_result",
        "tool output", "function result", "function_call", "function call result", "[assistant", "<assistant", "[admin]",
        "[developer", "<admin", "end of system prompt", "begin system", "im_start", "im_end", "endoftext",
        "\"role\":", "\"role\" :", "'role':", "[/system", "<user>", "</user>", "[user]",
    ].map { Array($0.utf8) }

    /// The indexes of `fakeMarkers` by their first byte.
    static let markersByFirstByte: [[Int]] = {
        var t = [[Int]](repeating: [], count: 256)
        for (i, m) in fakeMarkers.enumerated() { t[Int(m[0])].append(i) }
        return t
    }()

    /// Whether some marker starts with the byte.
    static let startsMarker: [Bool] = markersByFirstByte.map { !$0.isEmpty }

    /// What a byte may be to `fakeMessageFindings`, as bits (`FakeByte`), so most bytes cost one look-up.
    static let fakeByteKinds: [UInt8] = (0..<256).map { x -> UInt8 in
        var kind: UInt8 = 0
        if startsMarker[x] { kind |= FakeByte.startsMarker }
        if x == 0x0A || x == 0x2E || x == 0x21 || x == 0x3F { kind |= FakeByte.endsLine }
        if x == 0x20 || x == 0x09 || x == 0x23 || x == 0x2A || x == 0x2D || x == 0x3E || x == 0x5B || x == 0x28 { kind |= FakeByte.beforeSpeaker }
        return kind
    }

    /// The bits of `fakeByteKinds`.
    enum FakeByte {
        /// Some chat marker starts with the byte.
        static let startsMarker: UInt8 = 1
        /// A new line, or `.`, `!` or `?` (which end a line when a space follows).
        static let endsLine: UInt8 = 2
        /// Space, tab, `#`, `*`, `-`, `>`, `[` or `(`: passed over at the start of a line before a speaker's name.
        static let beforeSpeaker: UInt8 = 4
    }

    /// Whether some marker starts with two bytes, as bits: bit `b & 63` of word `a << 2 | b >> 6`
    /// for the bytes `a`, `b` (every marker has at least two).
    static let startsMarkerPair: [UInt64] = {
        var t = [UInt64](repeating: 0, count: 256 * 4)
        for m in fakeMarkers {
            precondition(m.count >= 2, "a chat marker has at least two bytes")
            t[Int(m[0]) << 2 | Int(m[1]) >> 6] |= 1 << UInt64(m[1] & 63)
        }
        return t
    }()

    /// Words that, at the start of a line and followed by `:`, pretend to be another speaker.
    static let roleWords: Set<[UInt8]> = Set(["system", "assistant", "developer", "tool", "function", "admin", "model", "ai", "bot", "sysadmin", "root", "operator", "moderator"].map { Array($0.utf8) })

    /// `roleWords` as a list, compared in place (no array made for a line's first word).
    static let roleWordList: [[UInt8]] = Array(roleWords).sorted { $0.lexicographicallyPrecedes($1) }

    /// Whether `bytes[start..<end]` is one of `roleWords`.
    static func isRoleWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length >= 2, length <= 9 else { return false }
        for word in roleWordList where word.count == length {
            var k = 0
            while k < length, word[k] == b[start + k] { k += 1 }
            if k == length { return true }
        }
        return false
    }

    /// Fake system, assistant or tool messages in normalised bytes.
    static func fakeMessageFindings(_ bytes: [UInt8]) -> [InjectionFinding] {
        // One pass over the bytes for both signs. The first marker of the list that occurs, at its
        // first place, trying at each byte only the markers that start with it; and the first
        // `SYSTEM: …` at the start of a line or of a sentence, used when no marker occurs.
        var found: (marker: Int, at: Int)?
        var role: (at: Int, length: Int)?
        bytes.withUnsafeBufferPointer { b in
            startsMarkerPair.withUnsafeBufferPointer { pairs in
                fakeByteKinds.withUnsafeBufferPointer { classes in
                    let n = b.count
                    var lineStart = true
                    var looking = true
                    var i = 0
                    while i < n {
                        let x = b[i]
                        let kind = classes[Int(x)]
                        // Every marker has two bytes or more: only a byte and the next that start one are looked at further.
                        if kind & FakeByte.startsMarker != 0, i + 1 < n,
                           pairs[Int(x) << 2 | Int(b[i + 1]) >> 6] & (1 << UInt64(b[i + 1] & 63)) != 0 {
                            for m in markersByFirstByte[Int(x)] where m < (found?.marker ?? Int.max) {
                                let marker = fakeMarkers[m]
                                if i + marker.count <= n {
                                    var k = 1
                                    while k < marker.count, b[i + k] == marker[k] { k += 1 }
                                    if k == marker.count { found = (m, i) }
                                }
                            }
                        }
                        if looking {
                            if kind & FakeByte.endsLine != 0, x == 0x0A || (i + 1 < n && b[i + 1] == 0x20) {
                                // A new line, or `.`, `!` or `?` and a space.
                                lineStart = true
                            } else if lineStart, kind & FakeByte.beforeSpeaker == 0 {
                                var j = i
                                while j < n, b[j] >= 0x61, b[j] <= 0x7A { j += 1 }
                                if j > i, isRoleWord(b, i, j) {
                                    var k = j
                                    while k < n, b[k] == 0x20 || b[k] == 0x5D || b[k] == 0x29 { k += 1 }
                                    if k < n, b[k] == 0x3A {
                                        role = (i, k + 1 - i)
                                        looking = false
                                    }
                                }
                                lineStart = false
                            }
                        }
                        i += 1
                    }
                }
            }
        }
        if let found {
            return [InjectionFinding(kind: .fakeSystemMessage, evidence: snippet(bytes, found.at, fakeMarkers[found.marker].count))]
        }
        if let role { return [InjectionFinding(kind: .fakeSystemMessage, evidence: snippet(bytes, role.at, role.length))] }
        return []
    }

    /// The found text and a little after it, on one line.
    static func snippet(_ bytes: [UInt8], _ start: Int, _ length: Int) -> String {
        var end = min(bytes.count, start + length + 40)
        if let newline = bytes[(start + length)..<end].firstIndex(of: 0x0A) { end = newline }
        return String(decoding: bytes[start..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    // MARK: Disguises

    /// The text with leetspeak undone, or nil when nothing looks like it.
    /// Words that tell the reader to read something backwards.
    static let backwardsCueWords = ["reverse", "reversed", "reversing", "backwards", "backward", "mirrored", "mirror", "flipped", "flip"]
    /// The cues as numbers of the phrase vocabulary: the message's words are already numbered.
    static let backwardsCues = PhraseVocabulary.shared.set(backwardsCueWords)

    /// The message read from its last character to its first, when one of its words asks for
    /// that ("follow the text after the arrow, reversed"); nil otherwise, so most messages cost
    /// a word comparison.
    static func reversed(_ text: MessageText, words: PhraseWords) -> MessageText? {
        guard words.ids.contains(where: backwardsCues.contains) else { return nil }
        return MessageText(String(String(decoding: text.bytes, as: UTF8.self).reversed()))
    }

    static func deLeet(_ text: MessageText) -> MessageText? {
        guard hasLeet(text.bytes, leetTable) else { return nil }
        return undoLeet(text)
    }

    /// `deLeet` without the look first: every token's symbols replaced on a copy of the bytes.
    static func undoLeet(_ text: MessageText) -> MessageText? {
        let map = leetTable
        var out = text.bytes
        var changed = false
        var i = 0
        while i < out.count {
            // A token: bytes that are letters, digits or leet symbols.
            var j = i
            var letters = 0
            var others = 0
            while j < out.count, MessageText.isWordByte(out[j]) || map[Int(out[j])] != 0 {
                if out[j] >= 0x61 && out[j] <= 0x7A { letters += 1 } else if map[Int(out[j])] != 0 { others += 1 }
                j += 1
            }
            if j == i { i += 1; continue }
            if letters > 0 && others > 0 {
                for k in i..<j where map[Int(out[k])] != 0 {
                    out[k] = map[Int(out[k])]
                    changed = true
                }
            }
            i = j
        }
        return changed ? MessageText(normalized: out) : nil
    }

    /// Whether `deLeet` changes anything: a token (letters, digits and leet symbols) with a letter and
    /// a symbol. Read in place; most messages have none, and are not copied.
    static func hasLeet(_ bytes: [UInt8], _ map: [UInt8]) -> Bool {
        // `MessageText.isWordByte`, here where it can be inlined (it is a call into another module).
        @inline(__always) func word(_ x: UInt8) -> Bool { (x >= 0x61 && x <= 0x7A) || (x >= 0x30 && x <= 0x39) || x >= 0x80 }
        return bytes.withUnsafeBufferPointer { b in map.withUnsafeBufferPointer { m in
            let n = b.count
            // No token can mix letters and symbols when there is no symbol: one look-up a byte says so.
            var symbols = false
            for x in b where m[Int(x)] != 0 {
                symbols = true
                break
            }
            guard symbols else { return false }
            var i = 0
            while i < n {
                var j = i
                var letters = 0
                var others = 0
                while j < n, word(b[j]) || m[Int(b[j])] != 0 {
                    if b[j] >= 0x61 && b[j] <= 0x7A { letters += 1 } else if m[Int(b[j])] != 0 { others += 1 }
                    j += 1
                }
                if letters > 0 && others > 0 { return true }
                i = j == i ? i + 1 : j
            }
            return false
        } }
    }

    /// The letter each leet symbol stands for, by byte (0: none): `0` → `o`, `1` → `i`, `@` → `a`, `$` → `s`…
    static let leetTable: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for (from, to): (UInt8, UInt8) in [(0x30, 0x6F), (0x31, 0x69), (0x33, 0x65), (0x34, 0x61), (0x35, 0x73), (0x37, 0x74), (0x38, 0x62),
                                           (0x40, 0x61), (0x24, 0x73), (0x21, 0x69), (0x7C, 0x6C)] { t[Int(from)] = to }
        return t
    }()

    /// Runs of three or more single letters (`i g n o r e`), joined.
    static func spacedRuns(_ text: MessageText) -> [String] {
        let words = text.wordSlices
        // Most messages have no three one-letter words in a row: nothing is made for them.
        var inRow = 0
        for i in 0..<words.count {
            inRow = words.end(i) - words.start(i) == 1 ? inRow + 1 : 0
            if inRow == 3 { break }
        }
        guard inRow == 3 else { return [] }
        var runs: [String] = []
        var current: [UInt8] = []
        var count = 0
        func close() {
            if count >= 3 { runs.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll()
            count = 0
        }
        for i in 0..<words.count {
            if words.end(i) - words.start(i) == 1 {
                current.append(words.storage[words.start(i)])
                count += 1
            } else if count > 0 {
                close()
            }
        }
        close()
        return runs
    }

    /// Words that give away an instruction spelled with spaced letters.
    static let spacedSignatures: [(String, InjectionKind)] = [
        ("ignore", .instructionOverride), ("disregard", .instructionOverride), ("instruction", .instructionOverride),
        ("override", .instructionOverride), ("bypass", .instructionOverride), ("forgetall", .instructionOverride),
        ("forgetyour", .instructionOverride), ("newrules", .instructionOverride), ("systemprompt", .hiddenInstructions),
        ("yourprompt", .hiddenInstructions), ("reveal", .hiddenInstructions), ("pretend", .rolePlay),
        ("roleplay", .rolePlay), ("jailbreak", .rolePlay), ("developermode", .rolePlay), ("doanythingnow", .rolePlay),
        ("youarenow", .rolePlay), ("actas", .rolePlay),
    ]

    /// The printable text of base64 runs of 16 characters or more.
    static func base64Texts(_ message: String) -> [String] {
        // Most messages have no run of 16 such characters: look for one before copying anything.
        guard FastText.withBytes(message, hasBase64Run) else { return [] }
        var out: [String] = []
        var run: [UInt8] = []
        for b in message.utf8 {
            if base64Alphabet(b) {
                run.append(b)
            } else {
                if let text = decoded(run) { out.append(text) }
                run.removeAll()
            }
        }
        if let text = decoded(run) { out.append(text) }
        return out
    }

    /// The printable text a run of base64 bytes decodes to, when it is 16 bytes or more.
    static func decoded(_ run: [UInt8]) -> String? {
        guard run.count >= 16 else { return nil }
        var s = String(decoding: run, as: UTF8.self).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        s = s.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        while s.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s), data.count >= 8 else { return nil }
        let printable = data.filter { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }.count
        guard printable * 10 >= data.count * 9 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether the bytes hold 16 `base64Alphabet` bytes in a row. A window of 16 bytes is read from its
    /// end: at the first byte outside the alphabet, no run can hold it, and the next window starts
    /// after it, so most bytes of a text with spaces are never read.
    static func hasBase64Run(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        base64Bytes.withUnsafeBufferPointer { alphabet in
            let n = b.count
            var start = 0
            while start + 16 <= n {
                var k = start + 15
                while k >= start, alphabet[Int(b[k])] { k -= 1 }
                if k < start { return true }
                start = k + 1
            }
            return false
        }
    }

    /// `base64Alphabet`, by byte.
    static let base64Bytes: [Bool] = (0..<256).map { base64Alphabet(UInt8($0)) }

    /// Letters, digits and `+ / = - _`: what a base64 run is made of.
    @inline(__always)
    static func base64Alphabet(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2B || b == 0x2F || b == 0x3D || b == 0x2D || b == 0x5F
    }
}
