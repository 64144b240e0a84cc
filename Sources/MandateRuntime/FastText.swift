import Foundation

/// Text work the interpreter does on every turn, done on UTF-8 bytes when the text is ASCII.
///
/// Each helper gives exactly what the Foundation or `Character` code it replaces gives: the
/// byte path is taken only for ASCII text, where the two agree, and anything else goes the
/// old way. Most messages and nearly every message the agent writes are ASCII.
enum FastText {
    /// Whether every byte of `s` is ASCII.
    @inline(__always)
    static func isASCII(_ s: String) -> Bool {
        if let r = s.utf8.withContiguousStorageIfAvailable({ allASCII($0) }) { return r }
        return !s.utf8.contains { $0 >= 0x80 }
    }

    static func allASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        guard let base = b.baseAddress else { return true }
        // Eight bytes at a time.
        while i + 8 <= n {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if w & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// `body` over the UTF-8 bytes of `s`, in place when the string is stored contiguously (native strings are).
    @inline(__always)
    static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        return Array(s.utf8).withUnsafeBufferPointer(body)
    }

    /// The number of characters (`String.count`): for ASCII text the bytes, less one for each `\r\n` (one character).
    static func characterCount(_ s: String) -> Int {
        let ascii = withBytes(s) { b -> Int? in
            guard allASCII(b), let base = b.baseAddress else { return b.isEmpty ? 0 : nil }
            var n = b.count
            // Most texts have no carriage return: `memchr` says so without a loop here.
            guard let first = memchr(base, 0x0D, b.count) else { return n }
            var i = max(1, base.distance(to: first.assumingMemoryBound(to: UInt8.self)) + 1)
            while i < b.count {
                if base[i] == 0x0A && base[i - 1] == 0x0D { n -= 1 }
                i += 1
            }
            return n
        }
        return ascii ?? s.count
    }

    /// Whether the bytes hold `$` or a byte that is not ASCII (the lead bytes of `€` and `£` among them):
    /// eight bytes at a time, then byte by byte from the first word that has one.
    static func mayHaveCurrencySign(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return false }
        let n = b.count
        var i = 0
        while i + 8 <= n {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let x = w ^ 0x2424_2424_2424_2424
            // A zero byte of `x` (a `$` in `w`), or a high bit in `w`.
            if (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0 || w & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n {
            let x = base[i]
            if x == 0x24 || x == 0xE2 || x == 0xC2 { return true }
            i += 1
        }
        return false
    }

    /// Whether the UTF-8 bytes of `s` contain `byte`.
    static func contains(_ s: String, byte: UInt8) -> Bool {
        withBytes(s) { b in
            guard let base = b.baseAddress else { return false }
            return memchr(base, Int32(byte), b.count) != nil
        }
    }

    /// Whether the ASCII text `s`, lowercased, contains `needle` (lowercase bytes): without making the lowercase copy.
    static func containsIgnoringCase(_ s: String, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        return withBytes(s) { h in
            needle.withUnsafeBufferPointer { n in
                guard h.count >= n.count else { return false }
                let first = n[0]
                let last = h.count - n.count
                var i = 0
                while i <= last {
                    if lower(h[i]) == first {
                        var k = 1
                        while k < n.count, lower(h[i + k]) == n[k] { k += 1 }
                        if k == n.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// ASCII bytes lowercased.
    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 32 : b }

    /// `s` lowercased, as bytes; nil when `s` is not ASCII.
    static func lowercasedASCII(_ s: String) -> [UInt8]? {
        guard isASCII(s) else { return nil }
        return s.utf8.map(lower)
    }

    /// `a.caseInsensitiveCompare(b) == .orderedSame`; on bytes when both are ASCII (where only A–Z fold).
    static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        guard isASCII(a), isASCII(b) else { return a.caseInsensitiveCompare(b) == .orderedSame }
        return asciiEqualIgnoringCase(a, b)
    }

    /// Whether two ASCII strings have the same bytes once A–Z are lowercased.
    private static func asciiEqualIgnoringCase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return a.utf8.elementsEqual(b.utf8) { lower($0) == lower($1) }
    }

    /// `a.lowercased() == b.lowercased()`; on bytes when both are ASCII, with no lowercase copies.
    static func equalLowercased(_ a: String, _ b: String) -> Bool {
        guard isASCII(a), isASCII(b) else { return a.lowercased() == b.lowercased() }
        return asciiEqualIgnoringCase(a, b)
    }

    /// `name` with `_` written as spaces (`order_number` → `order number`).
    static func words(_ name: String) -> String {
        guard name.utf8.contains(0x5F) else { return name }
        guard isASCII(name) else { return name.replacingOccurrences(of: "_", with: " ") }
        return replacingASCII(name, 0x5F, 0x20)
    }

    /// An ASCII `name` with every `from` byte written as `to`, through a buffer on the stack (no list of its bytes).
    private static func replacingASCII(_ name: String, _ from: UInt8, _ to: UInt8) -> String {
        withBytes(name) { b in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: b.count) { out in
                for i in b.indices { out[i] = b[i] == from ? to : b[i] }
                return String(decoding: UnsafeBufferPointer(out), as: UTF8.self)
            }
        }
    }

    /// `name` with every `from` byte written as `to` (both ASCII), as `replacingOccurrences` would.
    static func replacing(_ name: String, _ from: UInt8, _ to: UInt8) -> String {
        guard name.utf8.contains(from) else { return name }
        guard isASCII(name) else {
            return name.replacingOccurrences(of: String(UnicodeScalar(from)), with: String(UnicodeScalar(to)))
        }
        return replacingASCII(name, from, to)
    }

    /// `String(format: "%.2f", x)`, without Foundation's formatter: the exact binary value of `x`
    /// rounded to two decimals, half to even (as C's `printf` does). Large, negative and odd
    /// values go to `String(format:)`.
    static func fixed2(_ x: Double) -> String {
        guard x.isFinite, x >= 0, x < 1e12 else { return String(format: "%.2f", x) }
        if x == 0 { return "0.00" }
        // x = significand × 2^exponent, the significand a 53-bit integer.
        let bits = x.bitPattern
        let rawExponent = Int((bits >> 52) & 0x7FF)
        var significand = bits & 0x000F_FFFF_FFFF_FFFF
        var exponent: Int
        if rawExponent == 0 {
            exponent = -1074
        } else {
            significand |= 0x0010_0000_0000_0000
            exponent = rawExponent - 1075
        }
        // hundredths = round(significand × 100 × 2^exponent), half to even; significand × 100 < 2^60.
        let scaled = significand * 100
        var hundredths: UInt64
        if exponent >= 0 {
            guard exponent < 4 else { return String(format: "%.2f", x) }
            hundredths = scaled << UInt64(exponent)
        } else if -exponent >= 62 {
            // Below 2^60 / 2^62 = a quarter of a hundredth: rounds to zero.
            hundredths = 0
        } else {
            let shift = UInt64(-exponent)
            let q = scaled >> shift
            let r = scaled & ((1 << shift) - 1)
            let half = UInt64(1) << (shift - 1)
            hundredths = q
            if r > half || (r == half && q & 1 == 1) { hundredths += 1 }
        }
        // The whole part's digits, a point and two digits, written from the last byte: one string,
        // small (no allocation) for the usual `0.95`.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var i = 24
            var rest = hundredths
            for _ in 0..<2 {
                i -= 1
                buffer[i] = 0x30 + UInt8(rest % 10)
                rest /= 10
            }
            i -= 1
            buffer[i] = 0x2E
            repeat {
                i -= 1
                buffer[i] = 0x30 + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[i...]), as: UTF8.self)
        }
    }

    /// The parts one after the other, written into one string of their total size: an
    /// interpolation (`"\(a)\(b)"`) appends each part to a string that grows, at some hundred
    /// instructions a part.
    static func concat(_ a: String, _ b: String, _ c: String = "", _ d: String = "", _ e: String = "") -> String {
        let total = a.utf8.count + b.utf8.count + c.utf8.count + d.utf8.count + e.utf8.count
        return String(unsafeUninitializedCapacity: total) { out in
            // No nested function captures the position: a captured variable is boxed and checked at every access.
            var n = copy(a, into: out, at: 0)
            n = copy(b, into: out, at: n)
            n = copy(c, into: out, at: n)
            n = copy(d, into: out, at: n)
            return copy(e, into: out, at: n)
        }
    }

    /// The parts one after the other, written into one string of their total size (`concat` for any number of parts).
    static func joined(_ parts: [String]) -> String {
        var total = 0
        for p in parts { total += p.utf8.count }
        return String(unsafeUninitializedCapacity: total) { out in
            var n = 0
            for p in parts { n = copy(p, into: out, at: n) }
            return n
        }
    }

    /// Copies the bytes of `s` into `out` from `at`, giving where they end.
    @inline(__always)
    private static func copy(_ s: String, into out: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
        let count = s.utf8.count
        guard count > 0 else { return at }
        withBytes(s) { b in _ = memcpy(out.baseAddress! + at, b.baseAddress!, count) }
        return at + count
    }

    /// `String(n)`: the decimal digits of `n`, with a minus sign when it is negative, written without a formatter.
    static func decimal(_ n: Int) -> String {
        if n >= 0 && n < 10 { return String(UnicodeScalar(UInt8(0x30 + n))) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var magnitude = n.magnitude
            var i = 24
            repeat {
                i -= 1
                buffer[i] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if n < 0 { i -= 1; buffer[i] = 0x2D }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[i...]), as: UTF8.self)
        }
    }
}
