import Foundation
import MandateIR

// Interim understanding: the interface the interpreter calls, with plain keyword stand-ins.
// Replaced by the trained classifier and extractors of `Understanding/`.

/// An intent and its score.
public struct IntentScore: Sendable, Codable, Equatable {
    public var intent: String
    public var score: Double
    public init(intent: String, score: Double) { self.intent = intent; self.score = score }
}

/// What the classifier made of a message.
public struct IntentPrediction: Sendable, Codable, Equatable {
    /// The best intent; nil when the message fits none.
    public var intent: String?
    /// In [0, 1].
    public var confidence: Double
    /// Best first, at most 3.
    public var ranking: [IntentScore]
    public init(intent: String?, confidence: Double, ranking: [IntentScore]) {
        self.intent = intent; self.confidence = confidence; self.ranking = ranking
    }
}

/// Names the intent of a customer's message.
public protocol IntentClassifier: Sendable {
    func classify(_ message: String) -> IntentPrediction
}

/// A finding of the prompt-injection detector.
public struct InjectionFinding: Sendable, Equatable, Codable {
    public var kind: InjectionKind
    public var evidence: String
}

/// Kinds of prompt injection.
public enum InjectionKind: String, Sendable, Codable {
    case instructionOverride, hiddenInstructions, rolePlay, fakeSystemMessage, encodedPayload, unicodeTrick
}

/// What a message says besides its intent.
public struct MessageSignals: Sendable, Equatable {
    public var asksForHuman: Bool
    public var frustrated: Bool
    public var injection: [InjectionFinding]
    public var escalationPhrase: String?

    public static func read(_ message: String, alwaysEscalatePhrases: [String]) -> MessageSignals {
        let m = message.lowercased()
        let human = ["human", "real person", "agent", "representative", "someone real"].contains { m.contains($0) }
        let angry = ["ridiculous", "useless", "furious", "!!!", "worst"].contains { m.contains($0) }
        var injection: [InjectionFinding] = []
        if m.contains("ignore") && m.contains("instructions") {
            injection.append(InjectionFinding(kind: .instructionOverride, evidence: message))
        }
        let phrase = alwaysEscalatePhrases.first { m.contains($0.lowercased()) }
        return MessageSignals(asksForHuman: human, frustrated: angry, injection: injection, escalationPhrase: phrase)
    }
}

/// Reads yes or no.
public enum ConfirmationReader {
    public static func answer(_ message: String) -> Bool? {
        let words = message.lowercased().split { !$0.isLetter && $0 != "'" }
        if words.contains(where: { ["no", "don't", "dont", "nope", "not"].contains($0) }) { return false }
        if words.contains(where: { ["yes", "yeah", "yep", "sure", "ok", "okay", "please", "go"].contains($0) }) { return true }
        return nil
    }
}

/// Finds values of a type in a message.
public struct EntityExtractor: Sendable {
    public var currency: String
    public init(currency: String) { self.currency = currency }

    public func extract(_ type: ValueType, pattern: String?, choices: [String], from message: String, today: CalendarDate) -> RuntimeValue? {
        if !choices.isEmpty {
            let m = message.lowercased()
            return choices.first { m.contains($0.lowercased()) }.map { .text($0) }
        }
        switch type {
        case .enumeration(let values):
            let m = message.lowercased()
            return values.first { m.contains($0.lowercased()) }.map { .text($0) }
        case .email:
            return message.split(separator: " ").first { $0.contains("@") }.map { .text(String($0)) }
        case .text where pattern != nil:
            guard let regex = try? NSRegularExpression(pattern: pattern!) else { return nil }
            let ns = message as NSString
            guard let match = regex.firstMatch(in: message, range: NSRange(location: 0, length: ns.length)) else { return nil }
            return .text(ns.substring(with: match.range))
        default:
            let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : .text(trimmed)
        }
    }
}

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
