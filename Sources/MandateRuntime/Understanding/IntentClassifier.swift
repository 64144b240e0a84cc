import Foundation
import MandateIR

/// An intent and how likely it is.
public struct IntentScore: Sendable, Codable, Equatable {
    /// The intent's name, as in the goal file.
    public var intent: String
    /// Its probability, in [0, 1].
    public var score: Double
    /// Makes a score.
    public init(intent: String, score: Double) {
        self.intent = intent
        self.score = score
    }
}

/// What a classifier understood a message to be about.
public struct IntentPrediction: Sendable, Codable, Equatable {
    /// The best intent; nil when the message fits none (out of scope).
    public var intent: String?
    /// How likely the answer is right, in [0, 1]: the probability of `intent`, or, when `intent`
    /// is nil, the probability that the message is out of scope. Calibrated on held-out examples
    /// at compile time, so a threshold such as 0.75 means about three right in four.
    public var confidence: Double
    /// The most likely intents, best first, at most 3 (out of scope is not listed).
    public var ranking: [IntentScore]
    /// Makes a prediction.
    public init(intent: String?, confidence: Double, ranking: [IntentScore]) {
        self.intent = intent
        self.confidence = confidence
        self.ranking = ranking
    }
}

/// Anything that can tell the intent of a customer's message: the embedded classifier, or a
/// caller's own model.
public protocol IntentClassifier: Sendable {
    /// The intent of `message`, with a confidence.
    func classify(_ message: String) -> IntentPrediction
    /// The intent of `message`, given it already normalised (`text` is `MessageText(message)`): a
    /// classifier that reads `MessageText` need not normalise the message again. By default `classify(message)`.
    func classify(_ text: MessageText, message: String) -> IntentPrediction
}

extension IntentClassifier {
    /// `classify(message)`: a classifier of its own reads the message as written.
    public func classify(_ text: MessageText, message: String) -> IntentPrediction { classify(message) }
}

/// The classifier trained at compile time and stored in the plan (`Plan.classifier`): no
/// network, no download, the same answer for the same message every time.
public struct EmbeddedClassifier: IntentClassifier {
    let scorer: ClassifierScorer

    /// Prepares the plan's model.
    public init(model: ClassifierModel) {
        scorer = ClassifierScorer(model)
    }

    /// The intents the model knows, sorted (out of scope is not one).
    public var intents: [String] { scorer.labels.filter { $0 != ClassifierModel.outOfScope } }

    /// The intent of `message`.
    public func classify(_ message: String) -> IntentPrediction {
        classify(MessageText(message))
    }

    /// The intent of `message`, already normalised as `text`.
    public func classify(_ text: MessageText, message: String) -> IntentPrediction { classify(text) }

    /// The intent of an already-normalised message.
    public func classify(_ text: MessageText) -> IntentPrediction {
        let p = scorer.probabilities(text)
        let outOfScope = scorer.outOfScopeIndex
        // The three best intents; ties go to the earlier (alphabetical) name.
        var top: [Int] = []
        for c in p.indices where c != outOfScope {
            var at = top.count
            while at > 0, p[top[at - 1]] < p[c] { at -= 1 }
            if at < 3 {
                top.insert(c, at: at)
                if top.count > 3 { top.removeLast() }
            }
        }
        let ranking = top.map { IntentScore(intent: scorer.labels[$0], score: p[$0]) }
        guard let best = top.first else {
            return IntentPrediction(intent: nil, confidence: outOfScope.map { p[$0] } ?? 1, ranking: [])
        }
        if let o = outOfScope, p[o] >= p[best] {
            return IntentPrediction(intent: nil, confidence: p[o], ranking: ranking)
        }
        return IntentPrediction(intent: scorer.labels[best], confidence: p[best], ranking: ranking)
    }
}
