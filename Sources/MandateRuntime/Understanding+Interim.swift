import Foundation
import MandateIR

// Interim classifier: the word-overlap stand-in the runtime used before the trained one.
// The types it returns, the extractors and the input signals live in `Understanding/`.

/// A stand-in classifier: the intent whose examples share the most words with the message.
public struct KeywordClassifier: IntentClassifier {
    let examples: [(intent: String?, words: Set<Substring>)]

    public init(plan: Plan) {
        var e: [(String?, Set<Substring>)] = []
        for goal in plan.goals {
            for intent in goal.intents {
                for ex in intent.examples { e.append((intent.name, Set(ex.lowercased().split { !$0.isLetter }))) }
            }
        }
        for ex in plan.project.outOfScopeExamples { e.append((nil, Set(ex.lowercased().split { !$0.isLetter }))) }
        examples = e
    }

    public func classify(_ message: String) -> IntentPrediction {
        let words = Set(message.lowercased().split { !$0.isLetter })
        var best: (String?, Double) = (nil, 0)
        for (intent, ex) in examples where !ex.isEmpty {
            let score = Double(words.intersection(ex).count) / Double(max(1, ex.union(words).count))
            if score > best.1 { best = (intent, score) }
        }
        let confidence = min(1, best.1 * 2.5)
        return IntentPrediction(intent: best.0, confidence: confidence,
                                ranking: best.0.map { [IntentScore(intent: $0, score: confidence)] } ?? [])
    }
}
