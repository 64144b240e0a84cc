import Foundation

/// The intent classifier's parameters, trained when the plan is compiled and stored in it.
///
/// Multinomial naive Bayes over the words, word pairs and letter groups of a message
/// (`ClassifierFeatures`), with one extra class for the project's out-of-scope examples, and a
/// softmax temperature fitted on held-out folds so that confidences are honest. It is sparse
/// by construction: a feature has a weight only for the labels whose examples contain it, and
/// only those weights are stored. Weights are integers in thousandths, so identical examples
/// give identical bytes.
public struct ClassifierModel: Codable, Sendable, Equatable {
    /// The method this version of Mandate writes and reads.
    public static let currentMethod = "naive-bayes-1"
    /// The name of the out-of-scope class in `labels`.
    public static let outOfScope = "(out of scope)"

    /// How the model was trained: `naive-bayes-1`.
    public var method: String
    /// The intents, sorted, then `ClassifierModel.outOfScope` when the project has out-of-scope examples.
    public var labels: [String]
    /// How much each kind of feature counts.
    public var features: ClassifierFeatures.Weights
    /// Each label's bias (log prior), in thousandths (same order as `labels`).
    public var biasMilli: [Int]
    /// What each feature the model knows adds to each label before its own weight (the
    /// log-probability of a feature the label never saw), in thousandths.
    public var unseenMilli: [Int]
    /// The softmax temperature fitted on held-out folds at compile time, in thousandths.
    public var temperatureMilli: Int
    /// How many examples each label was trained on (same order as `labels`).
    public var examples: [Int]
    /// One line per feature, sorted: the feature, a tab, and its weights in thousandths by label
    /// index (`"w refund\t5:3044 9:1250"`). Zero weights are left out. A list rather than a
    /// dictionary: it decodes several times faster and diffs one feature per line.
    public var weights: [String]

    /// Makes a model.
    public init(labels: [String], features: ClassifierFeatures.Weights, biasMilli: [Int], unseenMilli: [Int],
                temperatureMilli: Int, examples: [Int], weights: [String]) {
        self.method = ClassifierModel.currentMethod
        self.labels = labels
        self.features = features
        self.biasMilli = biasMilli
        self.unseenMilli = unseenMilli
        self.temperatureMilli = temperatureMilli
        self.examples = examples
        self.weights = weights
    }

    /// Index of the out-of-scope class, if the model has one.
    public var outOfScopeIndex: Int? { labels.last == ClassifierModel.outOfScope ? labels.count - 1 : nil }

    /// Writes a feature's weights: `[(2, 300), (0, -12)]` → `"0:-12 2:300"`.
    public static func encodeWeights(_ entries: [(label: Int, milli: Int)]) -> String {
        entries.sorted { $0.label < $1.label }.map { "\($0.label):\($0.milli)" }.joined(separator: " ")
    }

    /// Reads a feature's weights; nil when malformed.
    public static func decodeWeights(_ text: String) -> [(label: Int, milli: Int)]? {
        var out: [(Int, Int)] = []
        var label = 0, value = 0, negative = false, digits = 0, inLabel = true
        for b in text.utf8 {
            switch b {
            case 0x30...0x39:
                if inLabel { label = label * 10 + Int(b - 0x30) } else { value = value * 10 + Int(b - 0x30) }
                digits += 1
                if digits > 15 { return nil }
            case 0x3A where inLabel && digits > 0: inLabel = false; digits = 0
            case 0x2D where !inLabel && digits == 0 && !negative: negative = true
            case 0x20 where !inLabel && digits > 0:
                out.append((label, negative ? -value : value))
                label = 0; value = 0; negative = false; digits = 0; inLabel = true
            default: return nil
            }
        }
        guard !inLabel, digits > 0 else { return text.isEmpty ? [] : nil }
        out.append((label, negative ? -value : value))
        return out
    }
}

/// The features a message gives the classifier: its words, its word pairs, and the letter
/// groups of 3 to 5 inside each word (so `refnd` still shares `ref` and `fnd>` with `refund`).
/// Digits count as `0`, so every order number looks alike.
public enum ClassifierFeatures {
    /// How many times each kind of feature is counted.
    public struct Weights: Codable, Sendable, Equatable {
        /// A whole word: `w refund`.
        public var word: Int
        /// Two words in a row: `b my order`.
        public var pair: Int
        /// Letters 3 to 5 long inside a word, with `<` and `>` at its ends: `c <ref`.
        public var letters: Int
        /// Makes weights.
        public init(word: Int, pair: Int, letters: Int) {
            self.word = word
            self.pair = pair
            self.letters = letters
        }
        /// The weights Mandate trains with.
        public static let standard = Weights(word: 1, pair: 1, letters: 1)
    }

    /// Calls `body` with each feature of the text, as bytes, and its weight.
    public static func visit(_ text: MessageText, weights: Weights, _ body: (_ feature: [UInt8], _ weight: Int) -> Void) {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        var previous: [UInt8] = []
        var word: [UInt8] = []
        for raw in text.words {
            // Digits count as 0; a run of digits is one 0.
            word.removeAll(keepingCapacity: true)
            for b in raw {
                if b >= 0x30 && b <= 0x39 {
                    if word.last != 0x30 { word.append(0x30) }
                } else {
                    word.append(b)
                }
            }
            if weights.word > 0 {
                buffer.removeAll(keepingCapacity: true)
                buffer.append(0x77); buffer.append(0x20)
                buffer.append(contentsOf: word)
                body(buffer, weights.word)
            }
            if weights.pair > 0, !previous.isEmpty {
                buffer.removeAll(keepingCapacity: true)
                buffer.append(0x62); buffer.append(0x20)
                buffer.append(contentsOf: previous)
                buffer.append(0x20)
                buffer.append(contentsOf: word)
                body(buffer, weights.pair)
            }
            if weights.letters > 0 {
                let n = word.count + 2
                for length in 3...5 where length <= n {
                    for start in 0...(n - length) {
                        buffer.removeAll(keepingCapacity: true)
                        buffer.append(0x63); buffer.append(0x20)
                        for k in start..<(start + length) {
                            buffer.append(k == 0 ? 0x3C : (k == n - 1 ? 0x3E : word[k - 1]))
                        }
                        body(buffer, weights.letters)
                    }
                }
            }
            swap(&previous, &word)
        }
    }

    /// The message as a vector: each distinct feature (by hash) with its total weight. Sorted by
    /// hash, so the order is fixed.
    public static func vector(_ text: MessageText, weights: Weights) -> (hashes: [UInt64], values: [Double]) {
        var pairs: [(UInt64, Double)] = []
        pairs.reserveCapacity(text.words.count * 24)
        visit(text, weights: weights) { feature, weight in pairs.append((hash(feature), Double(weight))) }
        pairs.sort { $0.0 < $1.0 }
        var hashes: [UInt64] = []
        var values: [Double] = []
        hashes.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (h, w) in pairs {
            if hashes.last == h { values[values.count - 1] += w } else { hashes.append(h); values.append(w) }
        }
        return (hashes, values)
    }

    /// FNV-1a, 64 bits: how features are looked up without making strings.
    @inlinable
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }
}

/// Scores messages against a trained model: the shared arithmetic of training (fitting the
/// temperature), evaluation and the runtime classifier.
public struct ClassifierScorer: Sendable {
    /// The labels, as in the model.
    public let labels: [String]
    /// The out-of-scope class, if any.
    public let outOfScopeIndex: Int?
    let features: ClassifierFeatures.Weights
    let bias: [Double]
    let unseen: [Double]
    /// Feature hash → range in `entryLabels` / `entryWeights`.
    let index: [UInt64: (start: Int32, count: Int32)]
    let entryLabels: [Int32]
    let entryWeights: [Double]
    /// 1 / temperature.
    let inverseTemperature: Double

    /// Prepares a model for scoring. A feature whose weights do not read is left out.
    public init(_ model: ClassifierModel) {
        labels = model.labels
        outOfScopeIndex = model.outOfScopeIndex
        features = model.features
        bias = model.labels.indices.map { $0 < model.biasMilli.count ? Double(model.biasMilli[$0]) / 1000 : 0 }
        unseen = model.labels.indices.map { $0 < model.unseenMilli.count ? Double(model.unseenMilli[$0]) / 1000 : 0 }
        var index: [UInt64: (Int32, Int32)] = [:]
        index.reserveCapacity(model.weights.count)
        var entryLabels: [Int32] = []
        var entryWeights: [Double] = []
        // In hash order (the text breaks a tie), so that the arrays and any hash collision are
        // the same on every load.
        var keyed: [(hash: UInt64, line: String, tab: String.UTF8View.Index)] = []
        keyed.reserveCapacity(model.weights.count)
        for line in model.weights {
            guard let tab = line.utf8.firstIndex(of: 0x09) else { continue }
            keyed.append((ClassifierFeatures.hash(line.utf8[..<tab]), line, tab))
        }
        keyed.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.line < $1.line }
        for (h, line, tab) in keyed {
            guard index[h] == nil,
                  let entries = ClassifierModel.decodeWeights(String(line.utf8[line.utf8.index(after: tab)...])!) else { continue }
            let start = entryLabels.count
            for (label, milli) in entries where label >= 0 && label < model.labels.count {
                entryLabels.append(Int32(label))
                entryWeights.append(Double(milli) / 1000)
            }
            index[h] = (Int32(start), Int32(entryLabels.count - start))
        }
        self.index = index
        self.entryLabels = entryLabels
        self.entryWeights = entryWeights
        inverseTemperature = 1000 / Double(max(model.temperatureMilli, 1))
    }

    /// Each label's score before the temperature — its log-likelihood divided by the square root
    /// of the total weight of the message's features the model knew — and that weight.
    public func logScores(_ text: MessageText) -> (scores: [Double], known: Double) {
        var scores = bias
        var known = 0.0
        let (hashes, values) = ClassifierFeatures.vector(text, weights: features)
        entryLabels.withUnsafeBufferPointer { labelsBuffer in
            entryWeights.withUnsafeBufferPointer { weightBuffer in
                scores.withUnsafeMutableBufferPointer { s in
                    for (h, x) in zip(hashes, values) {
                        guard let entry = index[h] else { continue }
                        known += x
                        for k in Int(entry.start)..<Int(entry.start + entry.count) {
                            s[Int(labelsBuffer[k])] += x * weightBuffer[k]
                        }
                    }
                }
            }
        }
        for c in scores.indices { scores[c] += known * unseen[c] }
        // Long messages pile up evidence that is not independent: scaling by 1/√(known weight)
        // keeps one temperature right for short and long messages alike.
        if known > 0 {
            let scale = 1 / known.squareRoot()
            for c in scores.indices { scores[c] *= scale }
        }
        return (scores, known)
    }

    /// The calibrated probability of each label: softmax of the scores over the temperature.
    public func probabilities(_ text: MessageText) -> [Double] {
        ClassifierScorer.softmax(logScores(text).scores, inverseTemperature: inverseTemperature)
    }

    /// exp(x/T) normalised, computed stably.
    public static func softmax(_ scores: [Double], inverseTemperature: Double) -> [Double] {
        guard let top = scores.max() else { return [] }
        var out = scores.map { exp(($0 - top) * inverseTemperature) }
        let sum = out.reduce(0, +)
        for i in out.indices { out[i] /= sum }
        return out
    }
}
