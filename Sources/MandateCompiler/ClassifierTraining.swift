import Foundation
import MandateIR

/// Trains the intent classifier from the goals' example messages and the project's
/// out-of-scope examples, when the plan is made. Deterministic: the same examples give the
/// same model, to the byte; nothing is downloaded.
public enum ClassifierTraining {
    /// An example message and the intent it stands for (`ClassifierModel.outOfScope` for none).
    public struct Example: Sendable, Equatable {
        /// The message.
        public var text: String
        /// The intent, or `ClassifierModel.outOfScope`.
        public var label: String
        /// Makes an example.
        public init(text: String, label: String) {
            self.text = text
            self.label = label
        }
    }

    /// How many folds the temperature is fitted on.
    public static let folds = 5

    /// The plan's examples: every goal's intents in order, then the out-of-scope examples.
    public static func examples(of plan: Plan) -> [Example] {
        var out: [Example] = []
        for goal in plan.goals {
            for intent in goal.intents {
                out += intent.examples.map { Example(text: $0, label: intent.name) }
            }
        }
        out += plan.project.outOfScopeExamples.map { Example(text: $0, label: ClassifierModel.outOfScope) }
        return out
    }

    /// The settings of training.
    public struct Settings: Sendable, Equatable {
        /// How much each kind of feature counts.
        public var features: ClassifierFeatures.Weights = .standard
        /// Additive smoothing of the counts, in thousandths.
        public var smoothingMilli = 100
        /// The settings Mandate trains with.
        public static let standard = Settings()
    }

    /// Trains on all `examples`, then fits the temperature on held-out folds so that confidences
    /// match how often the model is right. Nil when there is no intent example.
    public static func train(_ examples: [Example], settings: Settings = .standard) -> ClassifierModel? {
        let labels = self.labels(examples)
        guard labels.contains(where: { $0 != ClassifierModel.outOfScope }) else { return nil }
        let texts = examples.map { MessageText($0.text) }
        guard var model = fit(examples, texts: texts, labels: labels, settings: settings) else { return nil }
        model.temperatureMilli = fitTemperature(examples, texts: texts, labels: labels, settings: settings)
        return model
    }

    /// The fold an example belongs to: the n-th example of each label goes to fold n mod `folds`,
    /// so every fold holds some of every label.
    public static func foldNumbers(_ examples: [Example], folds: Int = folds) -> [Int] {
        var seen: [String: Int] = [:]
        return examples.map { e in
            let n = seen[e.label, default: 0]
            seen[e.label] = n + 1
            return n % folds
        }
    }

    /// The labels of a set of examples: intents sorted, then out of scope when present.
    static func labels(_ examples: [Example]) -> [String] {
        let names = Set(examples.map(\.label))
        var labels = names.subtracting([ClassifierModel.outOfScope]).sorted()
        if names.contains(ClassifierModel.outOfScope) { labels.append(ClassifierModel.outOfScope) }
        return labels
    }

    /// The weights, with a neutral temperature: multinomial naive Bayes with equal priors. A
    /// feature seen n times with a label weighs log((n + α) / α) for it; every feature the model
    /// knows also adds the label's `unseen` log-probability log(α / (total + α·V)). Nil only if
    /// the weights would not fit the model's packed form (more than 2³¹ of them).
    static func fit(_ examples: [Example], texts: [MessageText], labels: [String], settings: Settings) -> ClassifierModel? {
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var table: [String: [Int: Int]] = [:]
        var totals = [Int](repeating: 0, count: labels.count)
        var exampleCounts = [Int](repeating: 0, count: labels.count)
        for (example, text) in zip(examples, texts) {
            guard let l = labelIndex[example.label] else { continue }
            exampleCounts[l] += 1
            ClassifierFeatures.visit(text, weights: settings.features) { feature, weight in
                table[String(decoding: feature, as: UTF8.self), default: [:]][l, default: 0] += weight
                totals[l] += weight
            }
        }
        let alpha = Double(max(settings.smoothingMilli, 1)) / 1000
        let vocabulary = Double(table.count)
        var weights: [String] = []
        weights.reserveCapacity(table.count)
        for (feature, byLabel) in table.sorted(by: { $0.key < $1.key }) {
            weights.append(feature + "\t" + ClassifierModel.encodeWeights(byLabel.map { label, count in
                (label: label, milli: Int(((log(Double(count) + alpha) - log(alpha)) * 1000).rounded()))
            }))
        }
        let unseen = totals.map { Int(((log(alpha) - log(Double($0) + alpha * vocabulary)) * 1000).rounded()) }
        return try? ClassifierModel(labels: labels, features: settings.features, biasMilli: labels.map { _ in 0 },
                               unseenMilli: unseen, temperatureMilli: 1000, examples: exampleCounts, weights: weights)
    }

    /// The temperature (thousandths) that makes held-out confidences honest: each fold is scored by
    /// a model trained on the others, and the temperature with the lowest log loss over all
    /// held-out examples wins. A fixed grid, so the result is exact and repeatable.
    static func fitTemperature(_ examples: [Example], texts: [MessageText], labels: [String], settings: Settings) -> Int {
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let fold = foldNumbers(examples)
        var heldOut: [(scores: [Double], truth: Int)] = []
        for f in 0..<folds {
            let train = examples.indices.filter { fold[$0] != f }
            let test = examples.indices.filter { fold[$0] == f }
            guard !train.isEmpty, !test.isEmpty else { continue }
            guard let model = fit(train.map { examples[$0] }, texts: train.map { texts[$0] }, labels: labels, settings: settings) else { continue }
            let scorer = ClassifierScorer(model)
            for i in test { heldOut.append((scorer.logScores(texts[i]).scores, labelIndex[examples[i].label]!)) }
        }
        guard !heldOut.isEmpty else { return 1000 }
        var best = (milli: 1000, loss: Double.infinity)
        for milli in temperatureGrid {
            let inverse = 1000 / Double(milli)
            var loss = 0.0
            for (scores, truth) in heldOut {
                let p = ClassifierScorer.softmax(scores, inverseTemperature: inverse)[truth]
                loss -= log(max(p, 1e-12))
            }
            if loss < best.loss { best = (milli, loss) }
        }
        return best.milli
    }

    /// Temperatures tried, in thousandths: 0.5 to about 400, 5% apart.
    static let temperatureGrid: [Int] = {
        var grid: [Int] = []
        var t = 500.0
        while t < 400_000 {
            grid.append(Int(t.rounded()))
            t *= 1.05
        }
        return grid
    }()
}
