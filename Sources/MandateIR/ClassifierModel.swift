import Foundation

/// The intent classifier's parameters, trained when the plan is compiled and stored in it.
///
/// Multinomial naive Bayes over the words, word pairs and letter groups of a message
/// (`ClassifierFeatures`), with one extra class for the project's out-of-scope examples, and a
/// softmax temperature fitted on held-out folds so that confidences are honest. It is sparse
/// by construction: a feature has a weight only for the labels whose examples contain it, and
/// only those weights are stored. Weights are integers in thousandths, so identical examples
/// give identical bytes.
///
/// The weights are kept packed — the features' text end to end, and flat arrays of integers —
/// so that the binary plan file loads them with a few copies. The JSON form writes one
/// readable line per feature instead (`weights`).
public struct ClassifierModel: Sendable, Equatable {
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
    /// The features' text (`w refund`, `c <ref`), UTF-8, one after another, sorted.
    public private(set) var featureText: [UInt8]
    /// Where each feature's text ends in `featureText`.
    public private(set) var featureEnds: [Int32]
    /// Where each feature's weights end in `weightLabels` and `weightMilli` (they start where the previous feature's end).
    public private(set) var weightEnds: [Int32]
    /// The label index of each stored weight, ascending within a feature.
    public private(set) var weightLabels: [Int32]
    /// Each stored weight, in thousandths. Zero weights are left out.
    public private(set) var weightMilli: [Int32]

    /// Why packed arrays do not make a model.
    public struct Inconsistent: Error, Sendable, CustomStringConvertible {
        /// What is wrong, in words.
        public var description: String
    }

    /// Makes a model from one line per feature: the feature, a tab, and its weights in
    /// thousandths by label index (`"w refund\t5:3044 9:1250"`), sorted by feature.
    public init(labels: [String], features: ClassifierFeatures.Weights, biasMilli: [Int], unseenMilli: [Int],
                temperatureMilli: Int, examples: [Int], weights: [String]) throws(Inconsistent) {
        var text: [UInt8] = []
        var featureEnds: [Int32] = []
        var weightEnds: [Int32] = []
        var weightLabels: [Int32] = []
        var weightMilli: [Int32] = []
        featureEnds.reserveCapacity(weights.count)
        weightEnds.reserveCapacity(weights.count)
        for (n, line) in weights.enumerated() {
            guard let tab = line.utf8.firstIndex(of: 0x09),
                  let entries = ClassifierModel.decodeWeights(String(line.utf8[line.utf8.index(after: tab)...])!) else {
                throw Inconsistent(description: "weight line \(n + 1) (`\(line.prefix(40))`) does not read as `feature<TAB>label:weight …`")
            }
            text += line.utf8[..<tab]
            for (label, milli) in entries.sorted(by: { $0.label < $1.label }) {
                guard let l = Int32(exactly: label), let m = Int32(exactly: milli) else {
                    throw Inconsistent(description: "weight line \(n + 1) has a number too large")
                }
                weightLabels.append(l)
                weightMilli.append(m)
            }
            guard let textEnd = Int32(exactly: text.count), let weightEnd = Int32(exactly: weightLabels.count) else {
                throw Inconsistent(description: "the model is too large")
            }
            featureEnds.append(textEnd)
            weightEnds.append(weightEnd)
        }
        try self.init(method: ClassifierModel.currentMethod, labels: labels, features: features, biasMilli: biasMilli,
                      unseenMilli: unseenMilli, temperatureMilli: temperatureMilli, examples: examples, featureText: text,
                      featureEnds: featureEnds, weightEnds: weightEnds, weightLabels: weightLabels, weightMilli: weightMilli)
    }

    /// Makes a model from its packed arrays, checking that they fit together: every offset in
    /// order and in range, every label index one of `labels`, one bias and one unseen weight per label.
    public init(method: String, labels: [String], features: ClassifierFeatures.Weights, biasMilli: [Int], unseenMilli: [Int],
                temperatureMilli: Int, examples: [Int], featureText: [UInt8], featureEnds: [Int32], weightEnds: [Int32],
                weightLabels: [Int32], weightMilli: [Int32]) throws(Inconsistent) {
        guard biasMilli.count == labels.count, unseenMilli.count == labels.count, examples.count == labels.count else {
            throw Inconsistent(description: "\(labels.count) labels but \(biasMilli.count) biases, \(unseenMilli.count) unseen weights and \(examples.count) example counts")
        }
        guard featureEnds.count == weightEnds.count else {
            throw Inconsistent(description: "\(featureEnds.count) features but \(weightEnds.count) weight ranges")
        }
        guard weightLabels.count == weightMilli.count else {
            throw Inconsistent(description: "\(weightLabels.count) weight labels but \(weightMilli.count) weights")
        }
        var previous: Int32 = 0
        for end in featureEnds {
            guard end >= previous else { throw Inconsistent(description: "the features' text offsets go backwards") }
            previous = end
        }
        guard Int(previous) == featureText.count else { throw Inconsistent(description: "the features' text does not end where the last feature does") }
        previous = 0
        for end in weightEnds {
            guard end >= previous else { throw Inconsistent(description: "the weight ranges go backwards") }
            previous = end
        }
        guard Int(previous) == weightLabels.count else { throw Inconsistent(description: "the weights do not end where the last feature's do") }
        let labelCount = Int32(clamping: labels.count)
        for l in weightLabels where l < 0 || l >= labelCount {
            throw Inconsistent(description: "a weight is for label \(l), but there are \(labels.count) labels")
        }
        self.method = method
        self.labels = labels
        self.features = features
        self.biasMilli = biasMilli
        self.unseenMilli = unseenMilli
        self.temperatureMilli = temperatureMilli
        self.examples = examples
        self.featureText = featureText
        self.featureEnds = featureEnds
        self.weightEnds = weightEnds
        self.weightLabels = weightLabels
        self.weightMilli = weightMilli
    }

    /// Index of the out-of-scope class, if the model has one.
    public var outOfScopeIndex: Int? { labels.last == ClassifierModel.outOfScope ? labels.count - 1 : nil }

    /// How many features the model knows.
    public var featureCount: Int { featureEnds.count }

    /// Feature `i`'s text, as bytes.
    public func featureBytes(_ i: Int) -> ArraySlice<UInt8> {
        featureText[(i == 0 ? 0 : Int(featureEnds[i - 1]))..<Int(featureEnds[i])]
    }

    /// Feature `i`'s weights: the range of `weightLabels` and `weightMilli` that holds them.
    public func weightRange(_ i: Int) -> Range<Int> {
        (i == 0 ? 0 : Int(weightEnds[i - 1]))..<Int(weightEnds[i])
    }

    /// One line per feature, sorted: the feature, a tab, and its weights in thousandths by label
    /// index (`"w refund\t5:3044 9:1250"`). How the JSON form shows the weights: one feature a line diffs well.
    public var weights: [String] {
        (0..<featureCount).map { i in
            String(decoding: featureBytes(i), as: UTF8.self) + "\t"
                + weightRange(i).map { "\(weightLabels[$0]):\(weightMilli[$0])" }.joined(separator: " ")
        }
    }

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

extension ClassifierModel: Codable {
    enum CodingKeys: String, CodingKey {
        case method, labels, features, biasMilli, unseenMilli, temperatureMilli, examples, weights
    }

    /// Reads the JSON form (weights as lines), checking it as the packed initializer does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let method = try c.decode(String.self, forKey: .method)
        guard method == ClassifierModel.currentMethod else {
            throw DecodingError.dataCorruptedError(forKey: .method, in: c, debugDescription:
                "the classifier was trained with `\(method)`; this Mandate reads `\(ClassifierModel.currentMethod)`")
        }
        do {
            try self.init(labels: try c.decode([String].self, forKey: .labels),
                          features: try c.decode(ClassifierFeatures.Weights.self, forKey: .features),
                          biasMilli: try c.decode([Int].self, forKey: .biasMilli),
                          unseenMilli: try c.decode([Int].self, forKey: .unseenMilli),
                          temperatureMilli: try c.decode(Int.self, forKey: .temperatureMilli),
                          examples: try c.decode([Int].self, forKey: .examples),
                          weights: try c.decode([String].self, forKey: .weights))
        } catch let error as Inconsistent {
            throw DecodingError.dataCorruptedError(forKey: .weights, in: c, debugDescription: error.description)
        }
    }

    /// Writes the JSON form: the weights one line per feature.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(labels, forKey: .labels)
        try c.encode(features, forKey: .features)
        try c.encode(biasMilli, forKey: .biasMilli)
        try c.encode(unseenMilli, forKey: .unseenMilli)
        try c.encode(temperatureMilli, forKey: .temperatureMilli)
        try c.encode(examples, forKey: .examples)
        try c.encode(weights, forKey: .weights)
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
        for raw in text.wordSlices {
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
        pairs.reserveCapacity(text.wordSlices.count * 24)
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
    /// The features by hash, open addressing: a slot holds a feature's index + 1 (0 is empty)
    /// and its hash; a power-of-two number of slots, at most half of them full.
    let slotFeatures: [Int32]
    let slotHashes: [UInt64]
    let mask: Int
    /// Feature i's weights are `entryLabels`/`entryWeights` from `entryEnds[i - 1]` (0 for the first) to `entryEnds[i]`.
    let entryEnds: [Int32]
    let entryLabels: [Int32]
    let entryWeights: [Double]
    /// 1 / temperature.
    let inverseTemperature: Double

    /// Prepares a model for scoring: its features indexed by hash. When two features share a
    /// hash, the first in the model's (sorted) order is kept, so every load indexes alike.
    public init(_ model: ClassifierModel) {
        labels = model.labels
        outOfScopeIndex = model.outOfScopeIndex
        features = model.features
        bias = model.labels.indices.map { $0 < model.biasMilli.count ? Double(model.biasMilli[$0]) / 1000 : 0 }
        unseen = model.labels.indices.map { $0 < model.unseenMilli.count ? Double(model.unseenMilli[$0]) / 1000 : 0 }
        let count = model.featureCount
        var size = 16
        while size < 2 * count { size <<= 1 }
        let mask = size - 1
        var slotFeatures = [Int32](repeating: 0, count: size)
        var slotHashes = [UInt64](repeating: 0, count: size)
        model.featureText.withUnsafeBufferPointer { text in
            model.featureEnds.withUnsafeBufferPointer { ends in
                var start = 0
                for i in 0..<count {
                    let end = Int(ends[i])
                    let h = ClassifierFeatures.hash(UnsafeBufferPointer(rebasing: text[start..<end]))
                    start = end
                    var j = Int(truncatingIfNeeded: h) & mask
                    while slotFeatures[j] != 0 && slotHashes[j] != h { j = (j + 1) & mask }
                    if slotFeatures[j] == 0 {
                        slotFeatures[j] = Int32(i + 1)
                        slotHashes[j] = h
                    }
                }
            }
        }
        self.slotFeatures = slotFeatures
        self.slotHashes = slotHashes
        self.mask = mask
        entryEnds = model.weightEnds
        entryLabels = model.weightLabels
        entryWeights = model.weightMilli.map { Double($0) / 1000 }
        inverseTemperature = 1000 / Double(max(model.temperatureMilli, 1))
    }

    /// The index of the feature with this hash, if the model knows one.
    @inline(__always)
    func feature(_ h: UInt64) -> Int? {
        var j = Int(truncatingIfNeeded: h) & mask
        while true {
            let f = slotFeatures[j]
            if f == 0 { return nil }
            if slotHashes[j] == h { return Int(f) - 1 }
            j = (j + 1) & mask
        }
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
                        guard let f = feature(h) else { continue }
                        known += x
                        for k in (f == 0 ? 0 : Int(entryEnds[f - 1]))..<Int(entryEnds[f]) {
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
