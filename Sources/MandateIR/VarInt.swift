/// LEB128 varints, as the binary plan file and the store's binary state write integers.
public enum VarInt {
    /// Appends `v` in 7-bit groups, lowest first, the high bit set on every byte but the last.
    @inline(__always)
    public static func append(_ v: UInt64, to bytes: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A signed integer as an unsigned one with small magnitudes small (zigzag): 0, -1, 1, -2… → 0, 1, 2, 3…
    @inline(__always)
    public static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    /// The inverse of `zigzag`.
    @inline(__always)
    public static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))) }
}
