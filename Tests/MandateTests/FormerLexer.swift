import MandateDiagnostics
@testable import MandateSyntax
import Testing

/// The lexer's loop as it was before words were read on a fast path and a file's items were
/// lexed in one pass (the sixth session): every token but a quotation read by `lexOne`, the
/// general way. `LexerOracleTests` compares the lexer with it on random texts.
enum FormerLexer {
    /// Tokenizes `segments` (byte ranges of `bytes`) as `Lexer.tokenize` did.
    static func tokenize(_ bytes: [UInt8], segments: [Range<Int>]) -> TokenList {
        var sink = TokenSink(capacity: 16)
        defer { sink.deallocate() }
        bytes.withUnsafeBufferPointer { b in
            var room = 0
            for segment in segments { room += max(0, min(segment.upperBound, b.count) - segment.lowerBound) }
            sink.reserve(room)
            for segment in segments {
                var i = segment.lowerBound
                let end = min(segment.upperBound, b.count)
                while i < end {
                    let c = b[i]
                    if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { i += 1; continue }
                    if c == 0x22 || (c == 0xE2 && i + 2 < end && b[i + 1] == 0x80 && (b[i + 2] == 0x9C || b[i + 2] == 0x9D)) {
                        if !Lexer.scanQuote(b, &i, end, &sink) { return }
                        continue
                    }
                    Lexer.lexOne(b, &i, end, &sink)
                }
            }
        }
        var list = TokenList()
        list.tokens = Array(sink.buffer)
        list.texts = sink.texts
        return list
    }
}
