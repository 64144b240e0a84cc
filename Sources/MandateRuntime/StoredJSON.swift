import Foundation
import MandateIR

/// The JSON a store writes for a turn's trace, effects, hand-off packet and an action's outputs,
/// written byte by byte: the same bytes `JSONEncoder` writes with `.sortedKeys` and
/// `.withoutEscapingSlashes` (the tests compare them), in a fraction of the time. People read it
/// with `sqlite3` and `mandate trace`; `JSONDecoder` reads it back.
///
/// Keys come in UTF-8 byte order; text escapes `"`, `\` and control characters (`\n`, `\t`,
/// `\u001b`…) and keeps everything else as UTF-8; numbers are written as Swift writes them
/// (`Decimal.description` for exact decimals); an absent optional leaves its key out.
public enum StoredJSON {
    /// `[{…}, …]`: a turn's trace events.
    public static func trace(_ events: [TraceEvent]) -> String { written { $0.list(events) { $0.event($1) } } }

    /// `[{"kind": …}, …]`: a turn's effects.
    public static func effects(_ effects: [TurnEffect]) -> String { written { $0.list(effects) { $0.effect($1) } } }

    /// A hand-off packet.
    public static func handoff(_ packet: HandoffPacket) -> String { written { $0.handoff(packet) } }

    /// An action's outputs by name.
    public static func values(_ values: [String: RuntimeValue]) -> String { written { $0.object(values) { $0.value($1) } } }

    /// One runtime value.
    public static func value(_ value: RuntimeValue) -> String { written { $0.value(value) } }

    static func written(_ body: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        body(&w)
        return w.text
    }
}

/// The bytes a `JSONWriter` writes: grown by hand, so an append is a capacity check and a copy
/// (an `Array` checks that it is uniquely referenced and calls out for each append).
final class JSONBytes {
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        start = .allocate(capacity: capacity)
    }

    deinit { start.deallocate() }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(1) }
        start[count] = byte
        count += 1
    }

    @inline(__always)
    func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if capacity - count < bytes.count { grow(bytes.count) }
        (start + count).initialize(from: base, count: bytes.count)
        count += bytes.count
    }

    func append(contentsOf bytes: UnsafeRawBufferPointer) {
        append(contentsOf: UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }

    func append<S: Sequence>(contentsOf bytes: S) where S.Element == UInt8 {
        for b in bytes { append(b) }
    }

    @inline(never)
    private func grow(_ needed: Int) {
        let larger = max(capacity * 2, count + needed)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.initialize(from: start, count: count)
        start.deallocate()
        start = moved
        capacity = larger
    }

    var text: String { String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }
}

/// Appends JSON to a byte buffer; see `StoredJSON`.
struct JSONWriter {
    let bytes = JSONBytes(capacity: 1024)

    var text: String { bytes.text }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `"key":` — for keys known to need no escaping.
    mutating func key(_ s: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(s)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// `"key":"text"`.
    mutating func field(_ k: StaticString, _ s: String, first: Bool = false) {
        key(k, first: first)
        string(s)
    }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { quoted($0) }
    }

    /// `"text"` from UTF-8 bytes: spans that need no escaping are copied whole. Eight bytes at a
    /// time are tested for a control character, `"` or `\` (a word that has one is looked at byte
    /// by byte), so plain text costs about an instruction a byte.
    mutating func quoted(_ u: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        guard let base = u.baseAddress, !u.isEmpty else {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        let n = u.count
        var mark = 0
        var i = 0
        while i < n {
            if i + 8 <= n {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if !Self.mayNeedEscaping(word) {
                    i += 8
                    continue
                }
            }
            let end = min(i + 8, n)
            while i < end {
                let c = base[i]
                if c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                    if mark < i { bytes.append(contentsOf: UnsafeBufferPointer(start: base + mark, count: i - mark)) }
                    mark = i + 1
                    escape(c)
                }
                i += 1
            }
        }
        if mark < n { bytes.append(contentsOf: UnsafeBufferPointer(start: base + mark, count: n - mark)) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether one of the eight bytes of `word` may be below 0x20, `"` or `\`. Never false when
    /// one is (the bit tricks can only say yes too often, for bytes above 0x80).
    @inline(__always)
    static func mayNeedEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = word &- ones &* 0x20
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return ((control | zeroQuote | zeroBackslash) & ~word & highs) != 0
    }

    /// The escape `JSONEncoder` writes for `c`: `\"`, `\\`, `\n` and the like, or `\u00XX`.
    mutating func escape(_ c: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(c)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            let digits = hex.utf8Start
            bytes.append(UInt8(ascii: "u"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(digits[Int(c >> 4)])
            bytes.append(digits[Int(c & 0xF)])
        }
    }

    /// An integer in decimal, as `String(n)` writes it.
    mutating func number<I: BinaryInteger>(_ n: I) {
        guard let v = Int64(exactly: n) else {
            bytes.append(contentsOf: String(n).utf8)
            return
        }
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for UInt64's 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            } while m > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    mutating func bool(_ b: Bool) { b ? raw("true") : raw("false") }

    mutating func list<T>(_ items: [T], _ element: (inout JSONWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func object<V>(_ d: [String: V], _ value: (inout JSONWriter, V) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        func entry(_ k: String, _ v: V) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(k)
            bytes.append(UInt8(ascii: ":"))
            value(&self, v)
        }
        if d.count <= 1 {
            for (k, v) in d { entry(k, v) }
        } else {
            for (k, v) in d.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { entry(k, v) }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// `{"case":{"_0":…}}`: how Swift's synthesized `Codable` writes an enum case with one unlabelled value.
    mutating func single(_ name: StaticString, _ body: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        key(name, first: true)
        bytes.append(UInt8(ascii: "{"))
        key("_0", first: true)
        body(&self)
        raw("}}")
    }

    mutating func value(_ v: RuntimeValue) {
        switch v {
        case .text(let s): single("text") { $0.string(s) }
        case .number(let d): single("number") { $0.bytes.append(contentsOf: d.description.utf8) }
        case .money(let m): single("money") { $0.money(m) }
        case .percent(let p): single("percent") { $0.number(p) }
        case .date(let d): single("date") { $0.string(d.description) }
        case .datetime(let s): single("datetime") { $0.number(s) }
        case .duration(let amount, let unit):
            raw("{\"duration\":{\"amount\":")
            number(amount)
            field("unit", unit)
            raw("}}")
        case .boolean(let b): single("boolean") { $0.bool(b) }
        case .record(let fields): single("record") { $0.record(fields) }
        case .list(let items): single("list") { $0.list(items) { $0.value($1) } }
        }
    }

    /// A record's fields as `object` writes a dictionary: they are kept in the byte order of their names.
    mutating func record(_ r: RuntimeRecord) {
        bytes.append(UInt8(ascii: "{"))
        for (i, (k, v)) in r.fields.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(k)
            bytes.append(UInt8(ascii: ":"))
            value(v)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func money(_ m: Money) {
        raw("{\"currency\":")
        string(m.currency)
        key("minor")
        number(m.minor)
        raw("}")
    }

    mutating func event(_ e: TraceEvent) {
        raw("{")
        key("data", first: true)
        // The facts (distinct keys) and the step, sorted as `data`'s keys would be, without building `data`.
        var facts = e.facts
        if let step = e.step { facts.append(("step", step)) }
        if facts.count > 1 { facts.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) } }
        bytes.append(UInt8(ascii: "{"))
        for (i, (k, v)) in facts.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(k)
            bytes.append(UInt8(ascii: ":"))
            string(v)
        }
        bytes.append(UInt8(ascii: "}"))
        field("detail", e.detail)
        field("kind", e.kind.rawValue)
        if let outputs = e.outputs {
            key("outputs")
            object(outputs) { $0.value($1) }
        }
        if let source = e.source {
            field("source", source)
        }
        key("turn")
        number(e.turn)
        raw("}")
    }

    mutating func effect(_ e: TurnEffect) {
        raw("{")
        switch e {
        case .say(let t):
            key("kind", first: true); raw("\"say\""); key("text"); string(t)
        case .ask(let slot, let t):
            key("kind", first: true); raw("\"ask\""); key("slot"); string(slot); key("text"); string(t)
        case .confirm(let t):
            key("kind", first: true); raw("\"confirm\""); key("text"); string(t)
        case .action(let name, let arguments):
            key("arguments", first: true); object(arguments) { $0.string($1) }
            key("kind"); raw("\"action\""); key("name"); string(name)
        case .handoff(let p):
            key("handoff", first: true); handoff(p); key("kind"); raw("\"handoff\"")
        case .resolved(let o):
            key("kind", first: true); raw("\"resolved\""); key("outcome"); string(o)
        }
        raw("}")
    }

    mutating func customer(_ c: CustomerProfile) {
        raw("{")
        key("fields", first: true)
        object(c.fields) { $0.value($1) }
        field("id", c.id)
        field("tier", c.tier)
        key("verified")
        bool(c.verified)
        raw("}")
    }

    mutating func handoff(_ p: HandoffPacket) {
        raw("{")
        key("actions", first: true)
        list(p.actions) { w, a in
            w.raw("{")
            w.field("action", a.action, first: true)
            w.key("arguments"); w.object(a.arguments) { $0.string($1) }
            w.field("result", a.result)
            w.key("turn"); w.number(a.turn)
            w.raw("}")
        }
        key("collected")
        object(p.collected) { $0.string($1) }
        key("customer")
        customer(p.customer)
        key("failedChecks")
        list(p.failedChecks) { $0.string($1) }
        field("queue", p.queue)
        field("reason", p.reason)
        if let source = p.source {
            field("source", source)
        }
        field("suggestedNextStep", p.suggestedNextStep)
        field("summary", p.summary)
        key("transcript")
        list(p.transcript) { w, line in
            w.raw("{")
            w.field("speaker", line.speaker, first: true)
            w.field("text", line.text)
            w.key("turn"); w.number(line.turn)
            w.raw("}")
        }
        field("urgency", p.urgency)
        raw("}")
    }
}
