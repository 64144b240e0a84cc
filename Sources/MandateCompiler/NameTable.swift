import Foundation

/// A map from names to values, for the lowering's hot look-ups (names in scope, the catalog's
/// phrase words).
///
/// Written by hand because `Dictionary<String, _>` hashes every key with seeded SipHash: a
/// look-up of a short name cost about 345 instructions, and a check of the generated 1,000-file
/// project made some 670,000 look-ups in the lowering alone. Names are short words; this table
/// hashes a short name's two words with two multiplies, keeps the hash beside each entry so a
/// probe compares strings only when the hashes agree, and keeps its entries in insertion order:
/// about 100 instructions a look-up (measured on the phrase words; see PERFORMANCE). The hash is not seeded: the keys come from the project's own
/// files, and a hostile file can at worst make its own check slower (the look-ups stay correct).
struct NameTable<Value> {
    /// The entries, in the order their keys were first set. A removed entry keeps its key and
    /// loses its value, so a later set reuses it.
    private var keys: [String] = []
    private var values: [Value?] = []
    private var hashes: [UInt64] = []
    /// Open addressing: 1 + the entry's index, or 0 for an empty slot. Its size is a power of two.
    private var slots: [Int32]
    /// The number of keys that have a value.
    private(set) var count = 0

    init(minimumCapacity: Int = 8) {
        var size = 16
        while size < minimumCapacity * 2 { size *= 2 }
        slots = [Int32](repeating: 0, count: size)
        // Room for the entries too: growing three arrays entry by entry cost more than the look-ups.
        keys.reserveCapacity(minimumCapacity)
        values.reserveCapacity(minimumCapacity)
        hashes.reserveCapacity(minimumCapacity)
    }

    /// The value set for `key`, if any; setting `nil` removes it.
    subscript(key: String) -> Value? {
        get {
            let i = find(key, NameHash.of(key))
            return i < 0 ? nil : values[i]
        }
        set {
            let h = NameHash.of(key)
            let i = find(key, h)
            if i >= 0 {
                if values[i] == nil, newValue != nil { count += 1 }
                if values[i] != nil, newValue == nil { count -= 1 }
                values[i] = newValue
                return
            }
            guard let newValue else { return }
            insert(key, h, newValue)
        }
    }

    /// Removes every entry, keeping the storage (the slots shrunk back when they grew large):
    /// a table reused for another set of names allocates nothing.
    mutating func removeAll() {
        guard !keys.isEmpty else { return }
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        count = 0
        if slots.count > 1024 {
            slots = [Int32](repeating: 0, count: 1024)
        } else {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
    }

    /// The keys that have a value, in the order they were first set.
    var keysInOrder: [String] {
        var out: [String] = []
        out.reserveCapacity(count)
        for (k, v) in zip(keys, values) where v != nil { out.append(k) }
        return out
    }

    /// The keys and values, in the order the keys were first set.
    var entries: [(key: String, value: Value)] {
        var out: [(key: String, value: Value)] = []
        out.reserveCapacity(count)
        for (k, v) in zip(keys, values) { if let v { out.append((k, v)) } }
        return out
    }

    /// The index of `key`'s entry, or -1.
    @inline(__always) private func find(_ key: String, _ h: UInt64) -> Int {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[s])
            if e == 0 { return -1 }
            if hashes[e - 1] == h && NameHash.same(keys[e - 1], key) { return e - 1 }
            s = (s + 1) & mask
        }
    }

    private mutating func insert(_ key: String, _ h: UInt64, _ value: Value) {
        if (keys.count + 1) * 2 > slots.count { grow() }
        keys.append(key)
        values.append(value)
        hashes.append(h)
        count += 1
        place(keys.count - 1, h)
    }

    private mutating func place(_ entry: Int, _ h: UInt64) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        slots[s] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        for e in hashes.indices { place(e, hashes[e]) }
    }
}

/// The hash `NameTable` keeps: a name's UTF-8 bytes, multiplied and folded (not seeded; see
/// `NameTable`).
enum NameHash {
    /// The hash of a name's text, consistent with `String`'s `==`, which compares texts by
    /// canonical equivalence (`é` written as one character or as `e` and an accent; even the
    /// Kelvin sign and `K`): an ASCII name is hashed by its bytes, any other by the bytes of its
    /// composed form (NFC), which is what `==` compares and is its bytes again for ASCII.
    ///
    /// A name of at most 15 bytes is hashed as the two words a small string holds it in (bytes,
    /// then the count in the top byte), read straight from a small ASCII string's bits when the
    /// standard library lays them out as expected; a longer name is read eight bytes at a time.
    @inline(__always) static func of(_ s: String) -> UInt64 {
        if smallStringsAreReadable {
            let raw = unsafeBitCast(s, to: (UInt64, UInt64).self)
            // Bit 61 of the second word marks a small string, bit 62 an ASCII one; its top four
            // bits are flags.
            if raw.1 & (3 << 61) == 3 << 61 { return hash(low: raw.0, high: raw.1 & 0x0FFF_FFFF_FFFF_FFFF) }
        }
        if let h = s.utf8.withContiguousStorageIfAvailable({ bytes -> UInt64? in
            bytes.allSatisfy { $0 < 0x80 } ? hash(bytes: UnsafeRawBufferPointer(bytes)) : nil
        }), let h { return h }
        var composed = s.precomposedStringWithCanonicalMapping
        return composed.withUTF8 { hash(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Whether two names are equal, as `String`'s `==` says. Two ASCII names of at most 15
    /// bytes are equal exactly when their bytes are, so they are told apart by the two words a
    /// small string holds them in (its bytes and its count), without the standard library's
    /// comparison; any other pair is compared by `==`.
    @inline(__always) static func same(_ a: String, _ b: String) -> Bool {
        if smallStringsAreReadable {
            let x = unsafeBitCast(a, to: (UInt64, UInt64).self), y = unsafeBitCast(b, to: (UInt64, UInt64).self)
            if x.1 & y.1 & (3 << 61) == 3 << 61 {
                return x.0 == y.0 && x.1 & 0x0FFF_FFFF_FFFF_FFFF == y.1 & 0x0FFF_FFFF_FFFF_FFFF
            }
        }
        return a == b
    }

    /// The first place of `s` in `strings`, as `firstIndex(of:)` finds it by `==`. Where both
    /// are ASCII names of at most 15 bytes they are compared by their two words, read in place
    /// (no string is copied, and the layout is checked once for the whole list).
    static func firstIndex(of s: String, in strings: [String]) -> Int? {
        guard smallStringsAreReadable else { return strings.firstIndex(of: s) }
        let q = unsafeBitCast(s, to: (UInt64, UInt64).self)
        let short = q.1 & (3 << 61) == 3 << 61
        let mask: UInt64 = 0x0FFF_FFFF_FFFF_FFFF
        return strings.withUnsafeBufferPointer { buffer -> Int? in
            let raw = UnsafeRawBufferPointer(buffer)
            for i in 0..<buffer.count {
                if short {
                    let w1 = raw.load(fromByteOffset: i * 16 + 8, as: UInt64.self)
                    if w1 & (3 << 61) == 3 << 61 {
                        if raw.load(fromByteOffset: i * 16, as: UInt64.self) == q.0 && w1 & mask == q.1 & mask { return i }
                        continue
                    }
                }
                if buffer[i] == s { return i }
            }
            return nil
        }
    }

    static func hash(bytes: UnsafeRawBufferPointer) -> UInt64 {
        if bytes.count <= 15 {
            var low: UInt64 = 0
            var high: UInt64 = 0
            for (n, b) in bytes.enumerated() {
                if n < 8 { low |= UInt64(b) << UInt64(n * 8) } else { high |= UInt64(b) << UInt64((n - 8) * 8) }
            }
            return hash(low: low, high: high | UInt64(bytes.count) << 56)
        }
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            h = mix(h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count { tail |= UInt64(bytes[i]) << shift; shift += 8; i += 1 }
        return fold(mix(h ^ tail))
    }

    /// The hash of a name of at most 15 bytes, given as a small string's two words.
    @inline(__always) static func hash(low: UInt64, high: UInt64) -> UInt64 {
        fold(mix(mix(low ^ 0x9E37_79B9_7F4A_7C15) ^ high))
    }

    /// Folds the high bits down: the table's index takes the low ones.
    @inline(__always) private static func fold(_ h: UInt64) -> UInt64 { h ^ (h >> 29) }

    /// Whether a small string's bits are laid out as `hash` reads them: checked once, on two
    /// strings whose bits are known, so another layout falls back to reading the bytes.
    static let smallStringsAreReadable: Bool = {
        guard MemoryLayout<String>.size == 16 else { return false }
        let ascii = unsafeBitCast(String("ab"), to: (UInt64, UInt64).self)
        let accented = unsafeBitCast(String("é"), to: (UInt64, UInt64).self)
        return ascii.0 == 0x6261 && ascii.1 & 0x0FFF_FFFF_FFFF_FFFF == 2 << 56 && ascii.1 & (3 << 61) == 3 << 61
            && accented.0 == 0xA9C3 && accented.1 & 0x0FFF_FFFF_FFFF_FFFF == 2 << 56 && accented.1 & (3 << 61) == 1 << 61
    }()

    @inline(__always) private static func mix(_ x: UInt64) -> UInt64 {
        let m = x.multipliedFullWidth(by: 0xA076_1D64_78BD_642F)
        return m.high ^ m.low
    }
}
