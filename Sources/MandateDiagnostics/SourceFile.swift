#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file Mandate read, kept as UTF-8 bytes with a table of line starts.
///
/// Ranges everywhere else are byte offsets into one of these; line and column are
/// computed only when something is shown to a person.
public struct SourceFile: Sendable {
    /// The path as it is shown to the operator (relative to the project when possible).
    public let path: String
    /// The path's number in `SourcePaths`: ranges of this file carry it instead of the path.
    public let pathID: UInt32
    /// The file's bytes, exactly as read.
    public let bytes: [UInt8]
    /// The byte offset where each line starts; `lineStarts[0] == 0`.
    public let lineStarts: [Int]

    /// Makes a source file from bytes.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.pathID = SourcePaths.id(of: path)
        self.bytes = bytes
        var starts = [0]
        starts.reserveCapacity(bytes.count / 32 + 1)
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let start = UnsafeRawPointer(base)
            var p = start
            let end = start + buffer.count
            while p < end, let hit = memchr(p, 0x0A, end - p) {
                p = UnsafeRawPointer(hit) + 1
                starts.append(p - start)
            }
        }
        self.lineStarts = starts
    }

    /// Makes a source file from text.
    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// The 1-based line and column of a byte offset; the column counts Unicode scalars.
    public func location(of offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        // Over the arrays' buffers: the lowering asks this for every step of every file.
        let low = lineStarts.withUnsafeBufferPointer { starts -> Int in
            var low = 0
            var high = starts.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if starts[mid] <= clamped { low = mid } else { high = mid - 1 }
            }
            return low
        }
        let column = bytes.withUnsafeBufferPointer { bytes -> Int in
            var column = 1
            var index = lineStarts[low]
            while index < clamped {
                // Count scalars: skip UTF-8 continuation bytes.
                if bytes[index] & 0xC0 != 0x80 { column += 1 }
                index += 1
            }
            // A position that falls inside a multi-byte scalar rounds down to its start.
            if clamped < bytes.count, bytes[clamped] & 0xC0 == 0x80 { column -= 1 }
            return column
        }
        return SourceLocation(line: low + 1, column: max(1, column))
    }

    /// The byte offset of a 1-based line and a 0-based scalar column (libyaml's marks).
    public func offset(line: Int, scalarColumn: Int) -> Int {
        guard line >= 1, line <= lineStarts.count else { return bytes.count }
        return offset(from: lineStarts[line - 1], scalars: scalarColumn)
    }

    /// The byte offset `scalars` Unicode scalars after `start`, stopping at the end of its line.
    public func offset(from start: Int, scalars: Int) -> Int {
        bytes.withUnsafeBufferPointer { bytes in
            var index = start
            var remaining = scalars
            while remaining > 0, index < bytes.count, bytes[index] != 0x0A {
                index += 1
                while index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += 1 }
                remaining -= 1
            }
            return index
        }
    }

    /// The text of a 1-based line, without its line break; invalid UTF-8 is repaired.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The text of a range; invalid UTF-8 is repaired.
    public func text(of range: SourceRange) -> String {
        let start = max(0, min(range.start, bytes.count))
        let end = max(start, min(range.end, bytes.count))
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// A range covering `start..<end` of this file.
    public func range(_ start: Int, _ end: Int) -> SourceRange {
        SourceRange(pathID: pathID, start: start, end: end)
    }
}

/// A 1-based line and column, for display only.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in Unicode scalars.
    public var column: Int
    /// Makes a location.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// A span of bytes in one file.
///
/// The file is named by its interned path number, so copying a range retains nothing; the
/// path itself is looked up only when a range is shown or compared by name.
public struct SourceRange: Hashable, Sendable, Codable {
    /// The file's number in `SourcePaths`.
    public var pathID: UInt32
    /// Byte offset of the first byte.
    public var start: Int
    /// Byte offset one past the last byte.
    public var end: Int
    /// The file's display path.
    public var file: String {
        get { SourcePaths.path(of: pathID) }
        set { pathID = SourcePaths.id(of: newValue) }
    }
    /// Makes a range.
    public init(file: String, start: Int, end: Int) {
        self.init(pathID: SourcePaths.id(of: file), start: start, end: end)
    }
    /// Makes a range in the file whose path number is `pathID`.
    public init(pathID: UInt32, start: Int, end: Int) {
        self.pathID = pathID
        self.start = start
        self.end = max(start, end)
    }
    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(pathID: pathID, start: min(start, other.start), end: max(end, other.end))
    }

    private enum CodingKeys: String, CodingKey { case file, start, end }
    /// Decodes `{"file", "start", "end"}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(file: try c.decode(String.self, forKey: .file), start: try c.decode(Int.self, forKey: .start),
                  end: try c.decode(Int.self, forKey: .end))
    }
    /// Encodes `{"file", "start", "end"}`: the path, not its number.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
    }
}

/// The display paths of every file this process has read, each with a number.
///
/// A path is numbered once and keeps its number; two ranges are in the same file exactly
/// when their numbers are equal. The table only grows, by one entry per distinct path.
public enum SourcePaths {
    private static let table = PathTable()

    /// The number of `path`, given on first use.
    public static func id(of path: String) -> UInt32 { table.id(of: path) }
    /// The path numbered `id` (empty for a number never given).
    public static func path(of id: UInt32) -> String { table.path(of: id) }
}

/// The lock-guarded table behind `SourcePaths`.
private final class PathTable: @unchecked Sendable {
    // INVARIANT: `paths` and `ids` are read and written only while `mutex` is held.
    private var paths: [String] = []
    private var ids: [String: UInt32] = [:]
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    func id(of path: String) -> UInt32 {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if let id = ids[path] { return id }
        let id = UInt32(paths.count)
        paths.append(path)
        ids[path] = id
        return id
    }

    func path(of id: UInt32) -> String {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return Int(id) < paths.count ? paths[Int(id)] : ""
    }
}
