import Foundation
import MandateCLI
import MandateCompiler
import MandateDiagnostics
import MandateIR
import MandateRuntime
import Testing

/// The reference project's plan, compiled once for these tests.
let referencePlanFile: PlanFile? = {
    let path = repositoryRoot.appendingPathComponent("Procedures").path
    return try? Compiler.planFile(Compiler.compile(ProjectSources.load(path: path)))
}()

@Suite struct ClassifierTests {
    func referencePlan() throws -> Plan { try #require(referencePlanFile).plan }

    @Test func planCarriesAModelThatKnowsEveryIntent() throws {
        let plan = try referencePlan()
        let model = try #require(plan.classifier)
        let intents = Set(plan.goals.flatMap { $0.intents.map(\.name) })
        #expect(Set(model.labels) == intents.union([ClassifierModel.outOfScope]))
        #expect(model.method == ClassifierModel.currentMethod)
        #expect(model.examples.reduce(0, +) == ClassifierTraining.examples(of: plan).count)
        // Sparse: far fewer stored weights than features × labels.
        let stored = model.weights.reduce(0) { $0 + ($1.split(separator: "\t").last?.split(separator: " ").count ?? 0) }
        #expect(stored < model.weights.count * model.labels.count / 3)
    }

    @Test func trainingIsDeterministic() throws {
        let examples = ClassifierTraining.examples(of: try referencePlan())
        let a = try #require(ClassifierTraining.train(examples))
        let b = try #require(ClassifierTraining.train(examples))
        #expect(a == b)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(a) == encoder.encode(b))
        #expect(try JSONDecoder().decode(ClassifierModel.self, from: encoder.encode(a)) == a)
    }

    @Test func aProjectWithoutExamplesHasNoModel() {
        #expect(ClassifierTraining.train([]) == nil)
        #expect(ClassifierTraining.train([.init(text: "tell me a joke", label: ClassifierModel.outOfScope)]) == nil)
    }

    @Test func heldOutAccuracyAndCalibration() throws {
        let evaluation = try #require(ClassifierEvaluation.run(plan: try referencePlan()))
        #expect(evaluation.heldOutExamples >= 50)
        #expect(evaluation.accuracy >= 0.55, "\(evaluation.text)")
        #expect(evaluation.expectedCalibrationError <= 0.2, "\(evaluation.text)")
        // What passes the threshold is right far more often than not.
        #expect(evaluation.atThreshold.accuracyWhenAnswered >= 0.8, "\(evaluation.text)")
    }

    /// An answer is held to the threshold of the goal owning the intent it names: a goal that
    /// demands certainty answers none of its own messages, and the others answer as before.
    @Test func eachAnswerIsHeldToItsOwnGoalsThreshold() throws {
        let plan = try referencePlan()
        let usual = try #require(ClassifierEvaluation.run(plan: plan))
        #expect(usual.text.contains("at the threshold 0.75:"))
        var thresholds: [String: Double] = [:]
        for goal in plan.goals { for intent in goal.intents where thresholds[intent.name] == nil { thresholds[intent.name] = 0.75 } }
        for intent in plan.goals[0].intents { thresholds[intent.name] = 1.01 }
        let strict = try #require(ClassifierEvaluation.run(ClassifierTraining.examples(of: plan), thresholds: thresholds,
                                                           goalThresholds: [plan.goals[0].id: 1.01, plan.goals[1].id: 0.75]))
        #expect(strict.atThreshold.answered > 0)
        #expect(strict.atThreshold.answered < usual.atThreshold.answered)
        #expect(strict.text.contains("at each goal's threshold ("))
    }

    @Test func classifiesItsOwnExamples() throws {
        let plan = try referencePlan()
        let classifier = EmbeddedClassifier(model: try #require(plan.classifier))
        let examples = ClassifierTraining.examples(of: plan).filter { $0.label != ClassifierModel.outOfScope }
        let right = examples.filter { classifier.classify($0.text).intent == $0.label }.count
        #expect(Double(right) / Double(examples.count) >= 0.9)
    }

    @Test(arguments: [
        "what's the best pizza place near me", "how do I change a flat tire", "write a haiku about autumn",
        "what is 17 times 23", "who is the president of France", "is it going to rain this weekend",
        "recommend a podcast", "asdfgh qwerty", "👍", "",
    ])
    func outOfScopeMessagesAreNotConfidentlyAnIntent(_ message: String) throws {
        let classifier = EmbeddedClassifier(model: try #require(try referencePlan().classifier))
        let p = classifier.classify(message)
        #expect(p.intent == nil || p.confidence < 0.75, "\(message) → \(p)")
    }

    @Test func predictionsAreWellFormed() throws {
        let classifier = EmbeddedClassifier(model: try #require(try referencePlan().classifier))
        let p = classifier.classify("my blender arrived broken, order 44718")
        #expect(p.intent == "damaged_item")
        #expect(p.confidence > 0 && p.confidence <= 1)
        #expect(p.ranking.count == 3)
        #expect(p.ranking.first?.intent == "damaged_item")
        #expect(zip(p.ranking, p.ranking.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(classifier.classify("my blender arrived broken, order 44718") == p)
    }

    @Test func classifierCommandReportsTheHeldOutFigures() throws {
        let path = repositoryRoot.appendingPathComponent("Procedures").path
        let (console, captured) = Console.capturing()
        #expect(Commands.classifier(path: path, every: 5, json: false, options: .init(), console: console) == .clean)
        let text = captured().out
        // Every example is either trained on or held out, and about one in five is held out.
        let first = try #require(text.split(separator: "\n").first.map(String.init))
        #expect(first.hasPrefix("held out every 5th example of each intent: trained on "))
        let numbers = first.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.suffix(2)
        let total = ClassifierTraining.examples(of: try referencePlan()).count
        let labels = Set(ClassifierTraining.examples(of: try referencePlan()).map(\.label)).count
        #expect(numbers.count == 2 && numbers.reduce(0, +) == total)
        #expect(numbers.last.map { $0 >= total / 5 - labels && $0 <= total / 5 + labels } == true)
        #expect(text.contains("accuracy: "))
        #expect(text.contains("expected calibration error"))
        #expect(text.contains("  damaged_item "))
        let (jsonConsole, jsonCaptured) = Console.capturing()
        #expect(Commands.classifier(path: path, every: 5, json: true, options: .init(), console: jsonConsole) == .clean)
        let decoded = try JSONDecoder().decode(ClassifierEvaluation.self, from: Data(jsonCaptured().out.utf8))
        #expect(decoded == ClassifierEvaluation.run(plan: try referencePlan()))
        #expect(decoded.bins.count == 10)
    }
}

@Suite struct ClassifierModelFormatTests {
    @Test func weightsReadBackAsWritten() {
        let text = ClassifierModel.encodeWeights([(label: 5, milli: -40), (label: 0, milli: 1250)])
        #expect(text == "0:1250 5:-40")
        #expect(ClassifierModel.decodeWeights(text).map { $0.map { [$0.label, $0.milli] } } == [[0, 1250], [5, -40]])
        #expect(ClassifierModel.decodeWeights("").map(\.count) == 0)
        for bad in ["0:", ":5", "0:1 ", "a:1", "0:1:2", "0:--1", "1"] { #expect(ClassifierModel.decodeWeights(bad) == nil, "\(bad)") }
    }
}

@Suite struct OutOfScopeIntentTests {
    /// The base project with a `store_hours` intent the assistant recognises but does not take on.
    func compilation() throws -> Compilation {
        let goal = try #require(Explanation.baseProject.first { $0.path == "orders.goal.yaml" })
        let marked = goal.text.replacingOccurrences(of: "intents:\n", with: """
            intents:
              store_hours:
                examples: ["when does your store open", "are you open on sunday", "what time does the shop close",
                           "store opening hours", "is the store open today"]
                out_of_scope: true

            """)
        return compileBase(replacing: [ExampleFile("orders.goal.yaml", marked)])
    }

    @Test func anIntentMarkedOutOfScopeNeedsNoProcedure() throws {
        let c = try compilation()
        #expect(c.diagnostics.map(\.code.rawValue) == [])
        let plan = try #require(c.plan)
        #expect(!plan.goals.flatMap(\.intents).contains { $0.name == "store_hours" })
        #expect(plan.project.outOfScopeExamples.contains("are you open on sunday"))
    }

    @Test func aCustomerAskingForItGetsTheOutOfScopeAnswer() throws {
        let file = try #require(try Compiler.planFile(try compilation()))
        let model = try #require(file.plan.classifier)
        let prediction = EmbeddedClassifier(model: model).classify("is your store open on sunday")
        #expect(prediction.intent == nil)
        #expect(EmbeddedClassifier(model: model).classify("refund my order").intent == "refund_request")
    }
}
