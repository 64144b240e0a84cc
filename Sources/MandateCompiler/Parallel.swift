import Foundation

/// Work over independent files, spread over the machine's cores.
///
/// `mandate check` is measured in wall time, and procedure files are parsed and lowered
/// independently of each other, so both stages use every core. Results come back in index
/// order, so the output is the same as a loop's, whatever the number of threads.
enum Parallel {
    /// The threads to use: every core, at most 8.
    static let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// `(0..<count).map(body)`, run on up to `threads` threads. `body` must not share
    /// mutable state between indices.
    static func map<T>(_ count: Int, threads: Int = Parallel.threads, _ body: (Int) -> T) -> [T] {
        guard threads > 1, count > 1 else { return (0..<count).map(body) }
        // Many chunks per thread (about 32), so that when one thread takes the last chunk the
        // others wait for little: a stage ends when its slowest thread does.
        let chunk = max(1, (count + threads * 32 - 1) / (threads * 32))
        let chunks = (count + chunk - 1) / chunk
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            // INVARIANT: each index is written by exactly one chunk, so the writes never overlap.
            nonisolated(unsafe) let out = buffer
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let work = body
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    for i in (c * chunk)..<min(count, (c + 1) * chunk) { out[i] = work(i) }
                }
            }
        }
        return results.map { $0! }
    }
}
