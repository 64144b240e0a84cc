import MandateDiagnostics

/// Checks every file gets before parsing: size, binary data, UTF-8, empty, line length.
public enum TextChecks {
    /// The first problem that stops the file from being read as text, if any.
    public static func check(_ file: SourceFile, maxBytes: Int, maxLine: Int) -> Diagnostic? {
        let bytes = file.bytes
        if bytes.count > maxBytes {
            return Diagnostic(
                .fileTooLarge, "`\(file.path)` is \(bytes.count / 1024) KiB; Mandate reads files up to \(maxBytes / 1024) KiB",
                at: file.range(0, 0), help: "split the file into several smaller ones")
        }
        // A zero byte, any non-ASCII byte, and whether every byte is blank: eight bytes at a time.
        var nul = -1
        var blank = true
        var ascii = true
        bytes.withUnsafeBufferPointer { b in
            let n = b.count
            guard let base = b.baseAddress else { return }
            var i = 0
            // Blank means: only spaces, tabs, line breaks and zero bytes.
            while i < n, blank {
                let c = base[i]
                if c != 0x20, c != 0x0D, c != 0x09, c != 0x0A, c != 0 { blank = false }
                i += 1
            }
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            var high: UInt64 = 0
            var word = 0
            // Sixty-four bytes a turn, as four vectors of sixteen bytes: a byte is zero exactly
            // when subtracting one from it (each byte on its own, no borrow between them) sets
            // its top bit and the byte's own top bit is clear. The vectors' bytes are gathered
            // by `|` for the test of bytes that are not ASCII.
            var gathered = SIMD16<UInt8>(repeating: 0)
            let one = SIMD16<UInt8>(repeating: 1)
            while word &+ 64 <= n {
                let p = UnsafeRawPointer(base + word)
                let a = p.loadUnaligned(as: SIMD16<UInt8>.self)
                let b = p.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self)
                let c = p.loadUnaligned(fromByteOffset: 32, as: SIMD16<UInt8>.self)
                let d = p.loadUnaligned(fromByteOffset: 48, as: SIMD16<UInt8>.self)
                gathered |= (a | b) | (c | d)
                let zero = (((a &- one) & ~a) | ((b &- one) & ~b)) | (((c &- one) & ~c) | ((d &- one) & ~d))
                let halves = unsafeBitCast(zero, to: SIMD2<UInt64>.self)
                if (halves[0] | halves[1]) & highs != 0 { break }
                word &+= 64
            }
            let gatheredHalves = unsafeBitCast(gathered, to: SIMD2<UInt64>.self)
            high = gatheredHalves[0] | gatheredHalves[1]
            // Four words a turn: their top bits gathered, and whether any of them holds a zero
            // byte. When all four are ASCII (most files), a word holds a zero byte exactly when
            // subtracting 0x01 from each of its bytes sets a top bit, which is tested alone.
            while word &+ 32 <= n {
                let p = UnsafeRawPointer(base + word)
                let a = p.loadUnaligned(as: UInt64.self)
                let b = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                let c = p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
                let d = p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                let all = a | b | c | d
                if all & highs == 0 {
                    if ((a &- ones) | (b &- ones) | (c &- ones) | (d &- ones)) & highs != 0 { break }
                } else {
                    high |= all
                    let zero = ((a &- ones) & ~a) | ((b &- ones) & ~b) | ((c &- ones) & ~c) | ((d &- ones) & ~d)
                    if zero & highs != 0 { break }
                }
                word &+= 32
            }
            while word + 8 <= n {
                let x = UnsafeRawPointer(base + word).loadUnaligned(as: UInt64.self)
                high |= x
                if (x &- ones) & ~x & highs != 0 { break }
                word += 8
            }
            // The tail, or the word holding a zero byte: byte by byte from there.
            for k in word..<n {
                let c = base[k]
                high |= UInt64(c)
                if c == 0 { nul = k; break }
            }
            ascii = high & highs == 0 && nul < 0
        }
        // The longest line, from the line table: the first line longer than `maxLine`.
        var longStart = -1
        var longLength = 0
        file.lineStarts.withUnsafeBufferPointer { starts in
            for k in starts.indices {
                let end = k &+ 1 < starts.count ? starts[k &+ 1] &- 1 : bytes.count
                if end &- starts[k] > maxLine { longStart = starts[k]; longLength = end &- starts[k]; break }
            }
        }
        if nul >= 0 {
            return Diagnostic(
                .binaryFile, "`\(file.path)` holds binary data, not text", at: file.range(nul, nul + 1),
                label: "a zero byte here", help: "save the file as plain UTF-8 text")
        }
        if !ascii, let bad = firstInvalidUTF8(bytes) {
            return Diagnostic(
                .invalidUTF8, "`\(file.path)` is not valid UTF-8 text", at: file.range(bad, bad + 1),
                label: "this byte is not UTF-8", help: "save the file with UTF-8 encoding")
        }
        if blank {
            return Diagnostic(
                .emptyFile, "`\(file.path)` is empty", at: file.range(0, 0),
                help: "write the file's content, or remove the file")
        }
        if longStart >= 0 {
            return Diagnostic(
                .lineTooLong, "this line is \(longLength) characters long; lines may be at most \(maxLine)",
                at: file.range(longStart, longStart + 1),
                help: "break the text into several lines or steps")
        }
        return nil
    }

    /// The offset of the first byte that is not part of valid UTF-8, if any.
    public static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        // Most files are ASCII: let the standard library's validator say so first.
        if String(validating: bytes, as: UTF8.self) != nil { return nil }
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            var need = 0
            var minScalar: UInt32 = 0
            var scalar: UInt32 = 0
            if b & 0xE0 == 0xC0 { need = 1; minScalar = 0x80; scalar = UInt32(b & 0x1F) }
            else if b & 0xF0 == 0xE0 { need = 2; minScalar = 0x800; scalar = UInt32(b & 0x0F) }
            else if b & 0xF8 == 0xF0 { need = 3; minScalar = 0x10000; scalar = UInt32(b & 0x07) }
            else { return i }
            if i + need >= n { return i }
            for k in 1...need {
                let c = bytes[i + k]
                if c & 0xC0 != 0x80 { return i }
                scalar = (scalar << 6) | UInt32(c & 0x3F)
            }
            if scalar < minScalar || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF) { return i }
            i += need + 1
        }
        return nil
    }
}
