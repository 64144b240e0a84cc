import Foundation
import MandateCLI
import MandateCompiler
import MandateDiagnostics
import MandateIR
import Testing

@Suite struct CommandTests {
    let procedures = repositoryRoot.appendingPathComponent("Procedures").path
    let broken = repositoryRoot.appendingPathComponent("Examples/broken-project").path

    func run(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
        let (console, captured) = Console.capturing()
        let code = MandateCommand.run(arguments: arguments, console: console)
        return (code, captured().out, captured().err)
    }

    @Test func exitCodesAreTheDocumentedOnes() {
        #expect(run(["check", procedures]).code == 0)
        #expect(run(["check", broken]).code == 1)
        #expect(run(["check", "/no/such/project"]).code == 66)
        #expect(run(["check", "--no-such-option"]).code == 64)
        #expect(run(["check", procedures, "--diagnostic-format", "xml"]).code == 64)
        #expect(run(["dump", "--stage", "tokens", procedures]).code == 64)
        #expect(run(["explain", "M9999"]).code == 64)
        #expect(MandateExit.allCases.map(\.rawValue) == [0, 1, 64, 66, 70])
    }

    @Test func verboseListsEveryFileRead() {
        let out = run(["check", procedures, "--verbose"]).out
        #expect(out.contains("read mandate.yaml\n"))
        #expect(out.contains("read actions.yaml\n"))
        #expect(out.contains("read tests/refund-happy-path.test.yaml\n"))
        #expect(out.hasSuffix("no problems\n"))
    }

    @Test func diagnosticsGoToStandardErrorAndTheSummaryToStandardOutput() {
        let result = run(["check", broken, "--diagnostic-format", "plain"])
        #expect(result.out.hasPrefix("checked 1 goal, 2 procedures"))
        #expect(result.err.contains("error[M0305]"))
        #expect(!result.out.contains("error["))
    }

    @Test func brokenExampleMatchesItsCommittedDiagnostics() throws {
        let expected = try String(contentsOfFile: broken + "/expected-diagnostics.txt", encoding: .utf8)
        #expect(run(["check", broken, "--diagnostic-format", "plain"]).err == expected)
        let expectedJSON = try String(contentsOfFile: broken + "/expected-diagnostics.json", encoding: .utf8)
        #expect(run(["check", broken, "--diagnostic-format", "json"]).err == expectedJSON)
    }

    @Test func jsonOutputIsValidJSONWithASummary() throws {
        let err = run(["check", broken, "--diagnostic-format", "json"]).err
        let object = try JSONSerialization.jsonObject(with: Data(err.utf8)) as? [String: Any]
        let summary = object?["summary"] as? [String: Int]
        #expect(summary?["errors"] == 7)
        let first = (object?["diagnostics"] as? [[String: Any]])?.first
        #expect(first?["code"] as? String != nil)
        #expect((first?["location"] as? [String: Any])?["line"] as? Int != nil)
    }

    @Test func colorOnlyWhenAskedAndNeverWithNoColor() {
        #expect(!run(["check", broken, "--color", "never"]).err.contains("\u{1B}["))
        #expect(!run(["check", broken]).err.contains("\u{1B}["))  // captured output is not a terminal
        if ProcessInfo.processInfo.environment["NO_COLOR"] == nil {
            #expect(run(["check", broken, "--color", "always"]).err.contains("\u{1B}[1;31m"))
        }
    }

    @Test func maxErrorsCapsTheOutput() {
        let result = run(["check", broken, "--diagnostic-format", "plain", "--max-errors", "2"])
        #expect(result.err.components(separatedBy: ": error[").count - 1 == 2)
        #expect(result.err.contains("and 5 more errors"))
        #expect(result.code == 1)
    }

    @Test func compileWritesAPlanAndDumpShowsEveryStage() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = run(["compile", procedures, "-o", out.path])
        #expect(result.code == 0)
        #expect(result.out.contains("sha256:"))
        let plan = try String(contentsOf: out, encoding: .utf8)
        #expect(plan.contains("\"formatVersion\" : 2"))
        #expect(run(["dump", "--stage", "ast", procedures]).out.contains("ProcedureFile refund-damaged-item.procedure"))
        #expect(run(["dump", "--stage", "ir", procedures]).out.contains("\"procedures\""))
        #expect(run(["dump", "--stage", "plan", procedures]).out == plan)
        #expect(run(["compile", broken]).code == 1)
    }

    @Test func compileWritesTheBinaryFormAndDumpShowsItAsJSON() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = dir.appendingPathComponent("plan.mplan").path
        let result = run(["compile", procedures, "-o", binary])
        #expect(result.code == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: binary))
        #expect(PlanFile.isBinary(data))
        let json = run(["dump", "--stage", "plan", procedures]).out
        // Any name: the signature tells a binary plan from a project.
        let unnamed = dir.appendingPathComponent("plan").path
        try data.write(to: URL(fileURLWithPath: unnamed))
        #expect(run(["dump", binary]).out == json)
        #expect(run(["dump", unnamed]).out == json)
        #expect(run(["dump", "--stage", "ast", binary]).code == 64)
        #expect(run(["compile", procedures, "--format", "binary"]).code == 64)
        #expect(run(["compile", procedures, "-o", dir.appendingPathComponent("forced.json").path, "--format", "binary"]).code == 0)
        #expect(PlanFile.isBinary(try Data(contentsOf: dir.appendingPathComponent("forced.json"))))
        let hash = try #require(json.split(separator: "\n").first { $0.contains("contentHash") })
        #expect(result.out.contains(hash.split(separator: "\"")[3]), "the binary and JSON forms carry one hash")
        // A cut binary plan is a clear error: refused (1), as `run` refuses it; a missing one is unreadable (66).
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: binary))
        let cut = run(["dump", binary])
        #expect(cut.code == 1)
        #expect(run(["dump", binary + ".missing.mplan"]).code == 66)
        #expect(cut.err.contains("cut short"))
    }

    @Test func explainPrintsTheExplanation() {
        let result = run(["explain", "m0305"])
        #expect(result.code == 0)
        #expect(result.out.hasPrefix("M0305"))
    }
}

@Suite struct RendererTests {
    let source = SourceFile(path: "refund.procedure", text: "Procedure: Refund\n1. Escalate to biling because \"too much\".\n")

    var diagnostic: Diagnostic {
        Diagnostic(.unknownQueue, "`biling` is not a queue of this project", at: SourceRange(file: "refund.procedure", start: 33, end: 39),
                   label: "not a queue", notes: ["the queues are `billing` and `tier-1`"], help: "did you mean `billing`?")
    }

    @Test func humanFormatShowsTheLineAndAnUnderline() {
        let text = DiagnosticRenderer.render([diagnostic], format: .human, sources: SourceLookup([source]))
        #expect(text == """
            error[M0305]: `biling` is not a queue of this project
             --> refund.procedure:2:16
              |
            2 | 1. Escalate to biling because "too much".
              |                ^^^^^^ not a queue
              = note: the queues are `billing` and `tier-1`
              = help: did you mean `billing`?


            """)
    }

    @Test func plainFormatIsOneLineThenHelp() {
        let text = DiagnosticRenderer.render([diagnostic], format: .plain, sources: SourceLookup([source]))
        #expect(text == """
            refund.procedure:2:16: error[M0305]: `biling` is not a queue of this project
              note: the queues are `billing` and `tier-1`
              help: did you mean `billing`?

            """)
    }

    @Test func columnsCountCharactersNotBytes() {
        let file = SourceFile(path: "x", text: "Say \"café\" now")
        #expect(file.location(of: 11).column == 11)  // after the two-byte é
    }
}

@Suite struct ExampleProjectTests {
    static var valid: [String] {
        let dir = repositoryRoot.appendingPathComponent("Examples").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0 != "broken-project" && FileManager.default.fileExists(atPath: "\(dir)/\($0)/mandate.yaml") }.sorted()
    }

    @Test func thereAreExamples() { #expect(Self.valid.count >= 6) }

    @Test(arguments: valid)
    func exampleChecksWithNoFindings(_ name: String) throws {
        let path = repositoryRoot.appendingPathComponent("Examples/\(name)").path
        let compilation = Compiler.compile(try ProjectSources.load(path: path))
        #expect(compilation.diagnostics.map { "\($0.code): \($0.message)" } == [])
        #expect(try Compiler.planFile(compilation) != nil)
    }
}

@Suite struct CIFormatTests {
    let broken = repositoryRoot.appendingPathComponent("Examples/broken-project").path

    func run(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
        let (console, captured) = Console.capturing()
        let code = MandateCommand.run(arguments: arguments, console: console)
        return (code, captured().out, captured().err)
    }

    @Test func sarifIsOneLogWithRulesResultsAndRepositoryPaths() throws {
        let result = run(["check", "Examples/broken-project", "--diagnostic-format", "sarif"])
        #expect(result.code == 1 || result.code == 66)  // 66 only if the test runs outside the repository
        guard result.code == 1 else { return }
        let log = try JSONSerialization.jsonObject(with: Data(result.err.utf8)) as? [String: Any]
        #expect(log?["version"] as? String == "2.1.0")
        let run = (log?["runs"] as? [[String: Any]])?.first
        let results = run?["results"] as? [[String: Any]] ?? []
        #expect(results.count == 7)
        let rules = ((run?["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
        #expect(Set(results.compactMap { $0["ruleId"] as? String }) == Set(rules.compactMap { $0["id"] as? String }))
        let location = ((results.first?["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any]
        #expect((location?["artifactLocation"] as? [String: Any])?["uri"] as? String == "Examples/broken-project/actions.yaml")
        #expect((location?["region"] as? [String: Any])?["startLine"] as? Int == 3)
        #expect(result.out == "")  // the summary line would corrupt a log read from standard output
    }

    @Test func githubAnnotationsEscapeWhatGitHubRequires() {
        let file = SourceFile(path: "a, b.procedure", text: "1. Say \"100%\".\n")
        let d = Diagnostic(.malformedSentence, "100% sure\nsecond line", at: SourceRange(file: "a, b.procedure", start: 3, end: 6), help: "x: y")
        let text = DiagnosticRenderer.render([d], format: .github, sources: SourceLookup([file]), pathPrefix: "Procedures/")
        #expect(text == "::error file=Procedures/a%2C b.procedure,line=1,col=4,endLine=1,endColumn=7,title=M0206 a sentence is missing a part::100%25 sure%0Asecond line%0Ahelp: x: y\n")
    }
}

@Suite struct ProjectLoadingTests {
    /// `actions:` is read as YAML: quotes and a trailing comment are fine, and the catalog
    /// may live anywhere in the project.
    @Test func theCatalogPathIsReadAsYAML() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-catalog-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("catalog"), withIntermediateDirectories: true)
        for f in Explanation.baseProject {
            var text = f.text
            if f.path == "mandate.yaml" {
                text = text.replacingOccurrences(of: "actions: actions.yaml", with: "actions: \"catalog/store.yaml\"   # the action catalog")
            }
            let path = f.path == "actions.yaml" ? "catalog/store.yaml" : f.path
            try Data(text.utf8).write(to: dir.appendingPathComponent(path))
        }
        let compilation = Compiler.compile(try ProjectSources.load(path: dir.path))
        #expect(compilation.diagnostics.map { "\($0.code): \($0.message)" } == [])
        #expect(compilation.files.contains("catalog/store.yaml"))
    }

    /// The folder is read with its sub-folders, in path order; hidden files and folders
    /// (`.git`, an editor's `.x.procedure`) and files of other kinds are left out; a linked
    /// file is read, a linked folder is not entered.
    @Test func subFoldersAreReadAndHiddenFilesLeftOut() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("mandate-folders-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let elsewhere = fm.temporaryDirectory.appendingPathComponent("mandate-elsewhere-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: elsewhere) }
        for folder in ["refunds/late", ".git", "notes"] {
            try fm.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try fm.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let files = ["mandate.yaml", "actions.yaml", "z.procedure", "a.procedure", "refunds/late/b.procedure",
                     "refunds/c.goal.yaml", "refunds/.d.procedure", ".git/e.procedure", "notes/f.txt", "g.test.yaml"]
        for f in files { try Data("x: 1\n".utf8).write(to: dir.appendingPathComponent(f)) }
        try Data("x: 1\n".utf8).write(to: elsewhere.appendingPathComponent("h.procedure"))
        try fm.createSymbolicLink(at: dir.appendingPathComponent("linked.procedure"), withDestinationURL: elsewhere.appendingPathComponent("h.procedure"))
        try fm.createSymbolicLink(at: dir.appendingPathComponent("linked-folder"), withDestinationURL: elsewhere)

        let sources = try ProjectSources.load(path: dir.path)
        #expect(sources.projectFile?.path == "mandate.yaml")
        #expect(sources.catalogFile?.path == "actions.yaml")
        #expect(sources.procedureFiles.map(\.path) == ["a.procedure", "linked.procedure", "refunds/late/b.procedure", "z.procedure"])
        #expect(sources.goalFiles.map(\.path) == ["refunds/c.goal.yaml"])
        #expect(sources.scenarioFiles.map(\.path) == ["g.test.yaml"])
        #expect(sources.procedureFiles.allSatisfy { $0.bytes == Array("x: 1\n".utf8) })
    }

    /// A path that does not exist is an input error (exit 66), not a finding.
    @Test func aMissingFolderIsAnInputError() {
        #expect(throws: InputError.self) { try ProjectSources.load(path: "/nonexistent/mandate-project") }
    }
}

@Suite struct CatalogPathTests {
    @Test(arguments: ["../shared/actions.yaml", "/etc/actions.yaml"])
    func aCatalogOutsideTheProjectIsRefusedAtItsValue(_ path: String) {
        let project = Explanation.baseProject.first { $0.path == "mandate.yaml" }!.text
            .replacingOccurrences(of: "actions: actions.yaml", with: "actions: \(path)")
        let c = compileBase(replacing: [ExampleFile("mandate.yaml", project)])
        let d = c.diagnostics.first { $0.code == .yamlInvalidValue }
        #expect(d.map { c.sources["mandate.yaml"]!.text(of: $0.range!) } == path)
    }
}
