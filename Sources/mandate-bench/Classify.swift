import Foundation
import MandateCompiler
import MandateIR
import MandateRuntime

/// `mandate-bench classify`: the embedded classifier and the input signals on the reference
/// project's messages — training time, model load time, and latency per message.
enum ClassifyBench {
    struct Latency {
        var p50: Double
        var p99: Double
        var mean: Double
    }

    /// Percentiles of per-call times (seconds), taken over `rounds` passes of `messages`.
    static func latency(_ messages: [String], rounds: Int, _ body: (String) -> Void) -> Latency {
        for m in messages { body(m) }  // warm-up
        var times: [Double] = []
        times.reserveCapacity(messages.count * rounds)
        for _ in 0..<rounds {
            for m in messages {
                let start = monotonicSeconds()
                body(m)
                times.append(monotonicSeconds() - start)
            }
        }
        times.sort()
        return Latency(p50: times[times.count / 2], p99: times[min(times.count - 1, times.count * 99 / 100)],
                       mean: times.reduce(0, +) / Double(times.count))
    }

    static func us(_ s: Double) -> String { String(format: "%.1f µs", s * 1e6) }

    static func run(path: String, rounds: Int, command: String) throws -> String {
        let compilation = Compiler.compile(try ProjectSources.load(path: path))
        guard let plan = compilation.plan else { throw BenchError("`\(path)` did not compile") }
        let examples = ClassifierTraining.examples(of: plan)
        var start = monotonicSeconds()
        guard let model = ClassifierTraining.train(examples) else { throw BenchError("`\(path)` has no intent examples") }
        let training = monotonicSeconds() - start
        let json = try JSONEncoder().encode(model)
        start = monotonicSeconds()
        let decoded = try JSONDecoder().decode(ClassifierModel.self, from: json)
        let decoding = monotonicSeconds() - start
        start = monotonicSeconds()
        let classifier = EmbeddedClassifier(model: decoded)
        let indexing = monotonicSeconds() - start
        let phrases = plan.goals.first?.guardrails.alwaysEscalatePhrases ?? []
        // The examples, and each again with a typo-free order number appended: what customers type.
        let messages = examples.map(\.text) + examples.prefix(100).map { $0.text + " for order 44718" }
        var sink = 0
        let classify = latency(messages, rounds: rounds) { sink &+= classifier.classify($0).ranking.count }
        let signals = latency(messages, rounds: rounds) {
            sink &+= MessageSignals.read($0, alwaysEscalatePhrases: phrases).injection.count
        }
        let both = latency(messages, rounds: rounds) {
            sink &+= classifier.classify($0).ranking.count
            sink &+= MessageSignals.read($0, alwaysEscalatePhrases: phrases).injection.count
        }
        let stored = model.weights.reduce(0) { $0 + ($1.split(separator: "\t").last?.split(separator: " ").count ?? 0) }
        var out = "mandate-bench — \(command)\n"
        out += "project: \(path): \(examples.count) examples, \(model.labels.count) labels (out of scope included)\n"
        out += "model: \(model.weights.count) features, \(stored) stored weights, \(json.count) bytes of JSON\n"
        out += "training (with the 5-fold temperature fit): \(Bench.ms(training))\n"
        out += "model load: JSON decode \(Bench.ms(decoding)) + index \(Bench.ms(indexing))\n"
        out += "per message, \(messages.count) messages × \(rounds) rounds, one thread:\n"
        out += "  classify()              p50 \(us(classify.p50))  p99 \(us(classify.p99))  mean \(us(classify.mean))\n"
        out += "  MessageSignals.read()   p50 \(us(signals.p50))  p99 \(us(signals.p99))  mean \(us(signals.mean))\n"
        out += "  both                    p50 \(us(both.p50))  p99 \(us(both.p99))  mean \(us(both.mean))\n"
        if sink == 42 { out += "\n" }
        return out
    }
}
