import Foundation
import MandateCompiler
import MandateIR
import MandateRuntime

/// How well the embedded intent classifier does on examples it was not trained on.
///
/// The split is fixed: every `every`-th example of each intent (and of the out-of-scope
/// examples) is held out, the model is trained on the rest exactly as the compiler trains it
/// (temperature fitted on folds of the training part only), and the held-out examples are
/// classified by `EmbeddedClassifier`.
public struct ClassifierEvaluation: Codable, Sendable, Equatable {
    /// One intent's held-out results.
    public struct IntentResult: Codable, Sendable, Equatable {
        /// The intent.
        public var intent: String
        /// Held-out examples of it.
        public var heldOut: Int
        /// How many were classified as it.
        public var correct: Int
        /// What the misclassified ones were taken for (`out of scope` for none), in order.
        public var mistakes: [String]
    }
    /// Confidences between `lower` and `upper`, and how often those answers were right.
    public struct Bin: Codable, Sendable, Equatable {
        /// Lower bound (inclusive).
        public var lower: Double
        /// Upper bound (exclusive, but 1.0 is in the last bin).
        public var upper: Double
        /// Answers in the bin.
        public var count: Int
        /// Their mean confidence.
        public var meanConfidence: Double
        /// The share that was right.
        public var accuracy: Double
    }
    /// Out-of-scope detection.
    public struct OutOfScope: Codable, Sendable, Equatable {
        /// Held-out out-of-scope examples.
        public var heldOut: Int
        /// How many of them were recognised as out of scope.
        public var recognised: Int
        /// In-scope held-out examples wrongly called out of scope.
        public var inScopeRejected: Int
    }
    /// What the confidence thresholds do on the held-out examples: each answer is held to the
    /// threshold of the goal that owns the intent it names, as the runtime holds it.
    public struct Threshold: Codable, Sendable, Equatable {
        /// Each goal's threshold, by goal id (a goal without one answers at any confidence).
        public var thresholds: [String: Double]
        /// Share of in-scope examples answered with an intent at or above it.
        public var answered: Double
        /// Accuracy of those answers.
        public var accuracyWhenAnswered: Double
    }

    /// Every how many examples one is held out.
    public var every: Int
    /// Examples trained on.
    public var trainingExamples: Int
    /// Examples held out (in scope and out of scope).
    public var heldOutExamples: Int
    /// Share of in-scope held-out examples given their intent.
    public var accuracy: Double
    /// Share of all held-out examples answered right (out of scope counts as an answer).
    public var overallAccuracy: Double
    /// Per intent, sorted by name.
    public var intents: [IntentResult]
    /// Out-of-scope detection.
    public var outOfScope: OutOfScope
    /// The threshold's effect.
    public var atThreshold: Threshold
    /// Expected calibration error over `bins` (0 is perfect).
    public var expectedCalibrationError: Double
    /// Reliability bins, 10 of width 0.1.
    public var bins: [Bin]
    /// The temperature fitted on the training part.
    public var temperature: Double

    /// Evaluates the classifier on `examples`; nil when there are too few to hold any out.
    /// `offset` shifts which example of every `every` is held out (0: the `every`-th, 1: the one before…).
    /// Evaluates the classifier of `plan` on its own examples, each answer held to the
    /// threshold of the goal owning the intent it names (the first goal listing it), as the runtime routes.
    public static func run(plan: Plan, every: Int = 5, offset: Int = 0) -> ClassifierEvaluation? {
        var thresholds: [String: Double] = [:]
        for goal in plan.goals.reversed() {
            for intent in goal.intents { thresholds[intent.name] = goal.guardrails.confidenceThreshold }
        }
        var goalThresholds: [String: Double] = [:]
        for goal in plan.goals { goalThresholds[goal.id] = goal.guardrails.confidenceThreshold }
        return run(ClassifierTraining.examples(of: plan), every: every, offset: offset, thresholds: thresholds, goalThresholds: goalThresholds)
    }

    /// `thresholds` maps an intent to the confidence threshold of its goal; an intent missing
    /// from it is answered at any confidence. `goalThresholds` is shown in the report.
    public static func run(_ examples: [ClassifierTraining.Example], every: Int = 5, offset: Int = 0,
                           thresholds: [String: Double] = [:], goalThresholds: [String: Double] = [:]) -> ClassifierEvaluation? {
        guard every >= 2 else { return nil }
        var seen: [String: Int] = [:]
        var train: [ClassifierTraining.Example] = []
        var test: [ClassifierTraining.Example] = []
        for e in examples {
            let n = seen[e.label, default: 0] + 1
            seen[e.label] = n
            if (n + offset) % every == 0 { test.append(e) } else { train.append(e) }
        }
        guard !test.isEmpty, let model = ClassifierTraining.train(train) else { return nil }
        let classifier = EmbeddedClassifier(model: model)
        let none = ClassifierModel.outOfScope

        var byIntent: [String: IntentResult] = [:]
        var outOfScope = OutOfScope(heldOut: 0, recognised: 0, inScopeRejected: 0)
        var inScope = 0, inScopeRight = 0, allRight = 0, answered = 0, answeredRight = 0
        var binCounts = [Int](repeating: 0, count: 10)
        var binConfidence = [Double](repeating: 0, count: 10)
        var binRight = [Int](repeating: 0, count: 10)
        for e in test {
            let p = classifier.classify(e.text)
            let said = p.intent ?? none
            let right = said == e.label
            if right { allRight += 1 }
            let bin = min(Int(p.confidence * 10), 9)
            binCounts[bin] += 1
            binConfidence[bin] += p.confidence
            if right { binRight[bin] += 1 }
            if e.label == none {
                outOfScope.heldOut += 1
                if p.intent == nil { outOfScope.recognised += 1 }
                continue
            }
            inScope += 1
            if right { inScopeRight += 1 }
            if p.intent == nil { outOfScope.inScopeRejected += 1 }
            if let intent = p.intent, p.confidence >= thresholds[intent, default: 0] {
                answered += 1
                if right { answeredRight += 1 }
            }
            var r = byIntent[e.label] ?? IntentResult(intent: e.label, heldOut: 0, correct: 0, mistakes: [])
            r.heldOut += 1
            if right { r.correct += 1 } else { r.mistakes.append(p.intent ?? "out of scope") }
            byIntent[e.label] = r
        }
        func share(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        var bins: [Bin] = []
        var ece = 0.0
        for b in 0..<10 {
            let mean = binCounts[b] == 0 ? 0 : binConfidence[b] / Double(binCounts[b])
            let accuracy = share(binRight[b], binCounts[b])
            bins.append(Bin(lower: Double(b) / 10, upper: Double(b + 1) / 10, count: binCounts[b], meanConfidence: mean, accuracy: accuracy))
            ece += abs(accuracy - mean) * Double(binCounts[b]) / Double(test.count)
        }
        return ClassifierEvaluation(
            every: every, trainingExamples: train.count, heldOutExamples: test.count,
            accuracy: share(inScopeRight, inScope), overallAccuracy: share(allRight, test.count),
            intents: byIntent.values.sorted { $0.intent < $1.intent }, outOfScope: outOfScope,
            atThreshold: Threshold(thresholds: goalThresholds, answered: share(answered, inScope),
                                   accuracyWhenAnswered: share(answeredRight, answered)),
            expectedCalibrationError: ece, bins: bins, temperature: Double(model.temperatureMilli) / 1000)
    }

    /// The report as an operator reads it.
    public var text: String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        let suffix = every % 100 / 10 == 1 ? "th" : ([1: "st", 2: "nd", 3: "rd"][every % 10] ?? "th")
        var out = "held out every \(every)\(suffix) example of each intent: trained on \(trainingExamples), tested on \(heldOutExamples)\n"
        let inScope = intents.reduce(0) { $0 + $1.heldOut }
        let right = intents.reduce(0) { $0 + $1.correct }
        out += "accuracy: \(pct(accuracy)) of in-scope messages (\(right)/\(inScope)); \(pct(overallAccuracy)) of all held-out messages\n"
        out += "out of scope: \(outOfScope.recognised)/\(outOfScope.heldOut) recognised; \(outOfScope.inScopeRejected) in-scope message\(outOfScope.inScopeRejected == 1 ? "" : "s") wrongly called out of scope\n"
        let levels = Set(atThreshold.thresholds.values)
        let at = switch levels.count {
        case 0: "with no confidence threshold"
        case 1: "at the threshold " + String(format: "%.2f", levels.first!)
        default: "at each goal's threshold (" + atThreshold.thresholds.sorted { $0.key < $1.key }
            .map { "\($0.key) " + String(format: "%.2f", $0.value) }.joined(separator: ", ") + ")"
        }
        out += "\(at): \(pct(atThreshold.answered)) answered, \(pct(atThreshold.accuracyWhenAnswered)) of those right\n"
        out += "calibration: expected calibration error \(String(format: "%.3f", expectedCalibrationError)) (temperature \(String(format: "%.3f", temperature)))\n"
        out += "\nper intent:\n"
        let width = intents.map(\.intent.count).max() ?? 0
        for r in intents {
            let name = r.intent + String(repeating: " ", count: width - r.intent.count)
            out += "  \(name)  \(r.correct)/\(r.heldOut)"
            if !r.mistakes.isEmpty { out += "  (taken for: \(r.mistakes.joined(separator: ", ")))" }
            out += "\n"
        }
        out += "\nreliability (confidence → how often right):\n"
        for b in bins where b.count > 0 {
            out += String(format: "  %.1f–%.1f  %3d answers  mean confidence %.2f  right %.2f\n",
                          b.lower, b.upper, b.count, b.meanConfidence, b.accuracy)
        }
        return out
    }
}
