// mandate-bench: writes a large, valid Mandate project and measures the procedure parser
// and the whole check on it. See docs/PERFORMANCE.md.
//
//   swift run -c release mandate-bench generate DIR   # writes the project (deterministic)
//   swift run -c release mandate-bench run DIR        # measures it
//   swift run -c release mandate-bench all            # both, in a temporary folder
import Foundation

let usage = """
USAGE:
  mandate-bench generate DIR [--procedures N] [--goals N] [--seed N]
      Writes a valid project into DIR (missing, empty, or written by mandate-bench before):
      mandate.yaml, N goal files (default 50, 4 intents each), actions.yaml (200 actions
      + lookup_order) and N .procedure files (default 1000, 50 lines each). Same seed, same bytes.
  mandate-bench run DIR [--runs N] [--process-runs N] [--parser-only]
      Measures (a) the procedure parser over all .procedure files already in memory, on one
      thread, (b) ProjectSources.load + Compiler.compile, which uses every core (wall and CPU
      time), (c) peak memory (VmHWM); then
      `/usr/bin/time -v mandate check DIR` when the release `mandate` sits next to this tool.
      Best of N runs (default 5).
  mandate-bench all [--keep] [generate and run options]
      generate into a temporary folder, then run.
  mandate-bench classify [PROJECT] [--rounds N]
      The intent classifier and the input signals on PROJECT's messages (default Procedures):
      training time, model load time, and p50/p99 latency per message (default 200 rounds).
  mandate-bench turns [--project DIR] [--conversations N] [--rounds N] [--idle N] [--db DIR]
      The runtime on the reference project (default Procedures): the interpreter alone in
      memory (N rounds of a 3-turn refund conversation, default 20000), the first turn with
      the embedded classifier, memory per idle conversation (default 20000 of them), and a
      full durable turn on SQLite with 1 and 2 workers (default 2000 conversations each;
      `--conversations 0` runs no durable turn, to profile the interpreter alone).
  mandate-bench plan DIR [--runs N] [--json]
  mandate-bench plan --plan FILE [--runs N]
      Plan load time for a project (a generated one): its binary plan file (as `mandate
      compile DIR -o plan.mplan` writes it, or FILE) loaded as the runtime loads it — header,
      SHA-256 of the file, table of contents, goals, classifier — and made into a runtime.
      Median of N runs (default 10); also the first use of each procedure, all procedures
      decoded at once, and with --json the JSON form's load for comparison.

"""

/// The exact command as typed, for the report.
func typedCommand() -> String {
    let args = CommandLine.arguments.dropFirst().joined(separator: " ")
    return "swift run -c release mandate-bench \(args)"
}

/// `--name value` options and positional arguments.
struct Options {
    var positional: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ args: ArraySlice<String>, valued: Set<String>, flags allowed: Set<String>) throws {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            if a.hasPrefix("--") {
                let name = String(a.dropFirst(2))
                if valued.contains(name) {
                    guard i + 1 < args.endIndex else { throw BenchError("`\(a)` needs a value") }
                    values[name] = args[i + 1]
                    i += 2
                    continue
                }
                guard allowed.contains(name) else { throw BenchError("unknown option `\(a)`") }
                flags.insert(name)
            } else {
                positional.append(a)
            }
            i += 1
        }
    }

    func int(_ name: String, default value: Int, min: Int = 1) throws -> Int {
        guard let text = values[name] else { return value }
        guard let n = Int(text), n >= min else { throw BenchError("`--\(name)` needs a whole number ≥ \(min)") }
        return n
    }
}

func generator(_ o: Options) throws -> ProjectGenerator {
    var g = ProjectGenerator()
    g.procedures = try o.int("procedures", default: 1_000)
    g.goals = try o.int("goals", default: 50)
    g.seed = UInt64(try o.int("seed", default: Int(g.seed), min: 0))
    return g
}

func generate(_ g: ProjectGenerator, into dir: String) throws {
    let start = monotonicSeconds()
    let s = try g.write(to: dir)
    print("wrote \(dir): \(s.files) files, \(Bench.grouped(s.bytes)) bytes, \(Bench.grouped(s.allLines)) lines "
          + "(\(g.procedures) procedures, \(Bench.grouped(s.procedureLines)) lines; \(g.goals) goals; 201 actions) "
          + "in \(Bench.ms(monotonicSeconds() - start)), seed \(g.seed)")
}

func run(_ dir: String, _ o: Options) throws {
    let runs = try o.int("runs", default: 5)
    let processRuns = try o.int("process-runs", default: 5, min: 0)
    let parserOnly = o.flags.contains("parser-only")
    let m = try Bench.measure(dir, runs: runs, processRuns: parserOnly ? 0 : processRuns, parserOnly: parserOnly)
    print(Bench.render(m, dir: dir, command: typedCommand(), runs: runs), terminator: "")
}

func main() -> Int32 {
    let args = CommandLine.arguments.dropFirst()
    guard let command = args.first else {
        FileHandle.standardError.write(Data(usage.utf8))
        return 64
    }
    let generateOptions: Set<String> = ["procedures", "goals", "seed"]
    let runOptions: Set<String> = ["runs", "process-runs"]
    do {
        switch command {
        case "generate":
            let o = try Options(args.dropFirst(), valued: generateOptions, flags: [])
            guard o.positional.count == 1 else { throw BenchError("`generate` takes one folder") }
            try generate(try generator(o), into: o.positional[0])
        case "run":
            let o = try Options(args.dropFirst(), valued: runOptions, flags: ["parser-only"])
            guard o.positional.count == 1 else { throw BenchError("`run` takes one folder") }
            try run(o.positional[0], o)
        case "all":
            let o = try Options(args.dropFirst(), valued: generateOptions.union(runOptions), flags: ["keep", "parser-only"])
            guard o.positional.isEmpty else { throw BenchError("`all` takes no folder; it writes into a temporary one") }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mandate-bench-\(getpid())").path
            try generate(try generator(o), into: dir)
            defer {
                if o.flags.contains("keep") { print("kept \(dir)") } else { try? FileManager.default.removeItem(atPath: dir) }
            }
            try run(dir, o)
        case "classify":
            let o = try Options(args.dropFirst(), valued: ["rounds"], flags: [])
            guard o.positional.count <= 1 else { throw BenchError("`classify` takes at most one project folder") }
            print(try ClassifyBench.run(path: o.positional.first ?? "Procedures", rounds: try o.int("rounds", default: 200),
                                        command: typedCommand()), terminator: "")
        case "turns":
            let o = try Options(args.dropFirst(), valued: ["project", "conversations", "rounds", "idle", "db"], flags: [])
            guard o.positional.isEmpty else { throw BenchError("`turns` takes no folder; name the project with --project") }
            let conversations = try o.int("conversations", default: 2_000, min: 0)
            let bench = try TurnBench(project: o.values["project"] ?? "Procedures")
            let report = try bench.run(conversations: conversations, memoryRounds: try o.int("rounds", default: 20_000),
                                       idle: try o.int("idle", default: 20_000), database: o.values["db"])
            print(report.render(command: typedCommand(), conversations: conversations), terminator: "")
        case "plan":
            let o = try Options(args.dropFirst(), valued: ["runs", "plan"], flags: ["json"])
            guard o.positional.count == (o.values["plan"] == nil ? 1 : 0) else {
                throw BenchError("`plan` takes one project folder, or `--plan FILE`")
            }
            print("$ \(typedCommand())")
            print(try PlanLoadBench.run(o.positional.first ?? "", runs: try o.int("runs", default: 10), planPath: o.values["plan"],
                                        json: o.flags.contains("json")), terminator: "")
        case "-h", "--help", "help":
            print(usage, terminator: "")
        default:
            throw BenchError("unknown command `\(command)`")
        }
        return 0
    } catch let error as BenchError {
        FileHandle.standardError.write(Data("error: \(error.description)\n\n\(usage)".utf8))
        return 64
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        return 1
    }
}

exit(main())
