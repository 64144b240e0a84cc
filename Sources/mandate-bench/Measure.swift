import Foundation
import MandateCompiler
import MandateDiagnostics
import MandateSyntax

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU seconds this process has used, all threads, user and system.
func cpuSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Lines of a file as `wc -l` counts them, plus one for a last line without a line break.
func lineCount(_ file: SourceFile) -> Int {
    let starts = file.lineStarts.count
    return file.bytes.last == 0x0A || file.bytes.isEmpty ? starts - 1 : starts
}

/// A field of `/proc/self/status` in kB (`VmHWM`, `VmRSS`), when the system has one.
func procStatusKB(_ key: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        let digits = line.dropFirst(key.count + 1).filter(\.isNumber)
        return Int(digits)
    }
    return nil
}

/// The result of measuring one project.
struct Measurement {
    var procedureFiles = 0
    var procedureLines = 0
    var procedureBytes = 0
    var inputFiles = 0
    var inputLines = 0
    var inputBytes = 0
    var goals = 0
    var actions = 0
    var errors = 0
    var warnings = 0
    var firstProblems: [String] = []
    /// Every run of the parser over all procedures, in seconds.
    var parserRuns: [Double] = []
    /// Every run of `ProjectSources.load` + `Compiler.compile`, in seconds.
    var checkRuns: [Double] = []
    /// The load part of the best whole-check run.
    var loadOfBest = 0.0
    /// CPU seconds (all threads, user + system) of the best whole-check run.
    var cpuOfBest = 0.0
    /// The parse and proof parts of the best whole-check run.
    var parseOfBest = 0.0
    var proofsOfBest = 0.0
    /// Every run of the flow and policy proofs alone on one thread, over the plan of the first whole-check run, in seconds.
    var proofRuns: [Double] = []
    /// Peak resident memory of this process after all runs (VmHWM), kB.
    var peakKB: Int?
    /// VmHWM before the whole-check runs (after the parser runs), kB.
    var peakAfterParserKB: Int?
    /// `/usr/bin/time -v mandate check DIR`: wall seconds and max RSS (kB) of each run.
    var processRuns: [(wall: Double, maxRSSKB: Int, exit: Int32)] = []
    var processCommand: String?
    var processSkipped: String?
    /// `/proc/loadavg` before and after: other work on the machine skews every figure.
    var loadBefore: String?
    var loadAfter: String?
}

/// The first three fields of `/proc/loadavg` (1, 5 and 15-minute load averages).
func loadAverage() -> String? {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

enum Bench {
    /// The targets of docs/PERFORMANCE.md.
    static let parserTargetLinesPerSecond = 2_000_000.0
    static let checkTargetSeconds = 0.3
    static let memoryTargetMB = 200.0
    /// Issue 3: the whole check, proofs included, at least this fast; the proofs under half the parse time.
    static let checkTargetLinesPerSecond = 500_000.0
    static let proofShareOfParseTarget = 0.5

    /// Measures a project folder: the parser alone, the whole check, peak memory, and `mandate check` as a process.
    static func measure(_ dir: String, runs: Int, processRuns: Int, parserOnly: Bool) throws -> Measurement {
        var m = Measurement()
        m.loadBefore = loadAverage()

        // The inputs, read once; the parser runs over them in memory.
        let sources: ProjectSources
        do { sources = try ProjectSources.load(path: dir) } catch { throw BenchError(error.description) }
        let procedures = sources.procedureFiles
        guard !procedures.isEmpty else { throw BenchError("`\(dir)` holds no `.procedure` files; run `mandate-bench generate \(dir)` first") }
        m.procedureFiles = procedures.count
        m.procedureLines = procedures.reduce(0) { $0 + lineCount($1) }
        m.procedureBytes = procedures.reduce(0) { $0 + $1.bytes.count }
        m.inputFiles = sources.allFiles.count
        m.inputLines = sources.allFiles.reduce(0) { $0 + lineCount($1) }
        m.inputBytes = sources.allFiles.reduce(0) { $0 + $1.bytes.count }

        // (a) The procedure parser alone, one thread, files already in memory.
        var sink = 0
        for _ in 0..<runs {
            let start = monotonicSeconds()
            for file in procedures {
                let (parsed, diagnostics) = ProcedureParser.parse(file)
                sink &+= parsed.steps.count &+ diagnostics.count
            }
            m.parserRuns.append(monotonicSeconds() - start)
        }
        if sink == 0 { print("(no steps parsed)") }
        m.peakAfterParserKB = procStatusKB("VmHWM")
        if parserOnly { m.peakKB = m.peakAfterParserKB; m.loadAfter = loadAverage(); return m }

        // (b) The whole check: read the folder, then compile (parse, declare, lower, plan).
        var bestCheck = Double.infinity
        for run in 0..<runs {
            let cpuStart = cpuSeconds()
            let start = monotonicSeconds()
            let loaded: ProjectSources
            do { loaded = try ProjectSources.load(path: dir) } catch { throw BenchError(error.description) }
            let afterLoad = monotonicSeconds()
            let compilation = Compiler.compile(loaded)
            let elapsed = monotonicSeconds() - start
            m.checkRuns.append(elapsed)
            let cpu = cpuSeconds() - cpuStart
            if elapsed < bestCheck {
                bestCheck = elapsed
                m.loadOfBest = afterLoad - start
                m.cpuOfBest = cpu
                m.parseOfBest = compilation.parseSeconds
                m.proofsOfBest = compilation.proofSeconds
            }
            if run == 0 {
                // (b') The proofs alone, on one thread like the parser in (a), so the two compare.
                m.proofRuns = Compiler.proofRuns(compilation, runs: runs, threads: 1)
                m.goals = compilation.counts.goals
                m.actions = compilation.counts.actions
                m.errors = compilation.diagnostics.filter { $0.severity == .error }.count
                m.warnings = compilation.diagnostics.filter { $0.severity == .warning }.count
                m.firstProblems = compilation.diagnostics.prefix(5).map { d in
                    let location = d.range.flatMap { r in compilation.sources[r.file].map { "\(r.file):\($0.location(of: r.start))" } } ?? "-"
                    return "\(location): \(d.code) \(d.message)"
                }
            }
        }

        // (c) Peak memory of this process after the runs.
        m.peakKB = procStatusKB("VmHWM")

        // `mandate check DIR` as a process, under /usr/bin/time -v.
        if processRuns > 0 { measureProcess(dir, runs: processRuns, into: &m) }
        m.loadAfter = loadAverage()
        return m
    }

    /// This executable's path.
    static func selfPath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// The `mandate` executable next to this one (both are built into `.build/<config>/`).
    static func siblingMandate() -> String? {
        let candidate = (selfPath() as NSString).deletingLastPathComponent + "/mandate"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    static func measureProcess(_ dir: String, runs: Int, into m: inout Measurement) {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else {
            m.processSkipped = "\(time) is not installed"
            return
        }
        guard let mandate = siblingMandate() else {
            m.processSkipped = "no `mandate` executable next to mandate-bench (run `swift build -c release` first)"
            return
        }
        m.processCommand = "\(time) -v \(mandate) check \(dir)"
        for _ in 0..<runs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: time)
            process.arguments = ["-v", mandate, "check", dir]
            let errPipe = Pipe()
            process.standardError = errPipe
            process.standardOutput = FileHandle.nullDevice
            do { try process.run() } catch {
                m.processSkipped = "cannot run \(time): \(error)"
                return
            }
            let data = errPipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            var wall = Double.nan
            var rss = 0
            for line in text.split(separator: "\n") {
                let l = line.trimmingCharacters(in: .whitespaces)
                if l.hasPrefix("Maximum resident set size (kbytes):") {
                    rss = Int(l.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) ?? 0
                } else if l.hasPrefix("Elapsed (wall clock) time") {
                    // `Elapsed (wall clock) time (h:mm:ss or m:ss): 0:00.23`
                    let value = l.components(separatedBy: "): ").last ?? ""
                    var seconds = 0.0
                    for part in value.split(separator: ":") { seconds = seconds * 60 + (Double(part) ?? .nan) }
                    wall = seconds
                }
            }
            m.processRuns.append((wall, rss, process.terminationStatus))
        }
    }

    // MARK: report

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (k, ch) in s.reversed().enumerated() {
            if k > 0, k % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }

    static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    static func ms(_ s: Double) -> String { fixed(s * 1000, 1) + " ms" }

    static func render(_ m: Measurement, dir: String, command: String, runs: Int) -> String {
        var out = ""
        out += "mandate-bench — \(command)\n"
        out += "project: \(dir)\n"
        out += "  \(grouped(m.procedureFiles)) procedures, \(grouped(m.procedureLines)) lines, \(grouped(m.procedureBytes)) bytes"
        if m.goals > 0 || m.actions > 0 { out += "; \(m.goals) goals, \(m.actions) actions" }
        out += "\n  all input: \(m.inputFiles) files, \(grouped(m.inputLines)) lines, \(grouped(m.inputBytes)) bytes\n"
        if !m.checkRuns.isEmpty {
            out += "  check result: \(m.errors) errors, \(m.warnings) warnings\n"
            for p in m.firstProblems { out += "    \(p)\n" }
        }
        out += "  (a) on one thread, (b) on every core; best of \(runs) runs (all runs listed below the table)\n"
        if let before = m.loadBefore { out += "  load average before: \(before); after: \(m.loadAfter ?? "?") (nproc \(ProcessInfo.processInfo.activeProcessorCount))\n" }
        out += "\n"

        let parserBest = m.parserRuns.min() ?? .nan
        let parserRate = Double(m.procedureLines) / parserBest
        var rows: [[String]] = [["measure", "best", "rate", "target", "met"]]
        rows.append(["(a) parser, in memory", ms(parserBest), grouped(Int(parserRate)) + " lines/s",
                     "≥ " + grouped(Int(parserTargetLinesPerSecond)) + " lines/s", parserRate >= parserTargetLinesPerSecond ? "yes" : "NO"])
        if let proofBest = m.proofRuns.min() {
            // Issue 3: the proofs add less than half of the parse time; both on one thread.
            let share = proofBest / parserBest
            rows.append(["(a') proofs alone, one thread", ms(proofBest), fixed(share * 100, 0) + "% of (a)",
                         "< " + fixed(proofShareOfParseTarget * 100, 0) + "% of (a)", share < proofShareOfParseTarget ? "yes" : "NO"])
        }
        if let checkBest = m.checkRuns.min() {
            let rate = Double(m.inputLines) / checkBest
            rows.append(["(b) load + compile", ms(checkBest), grouped(Int(rate)) + " lines/s",
                         "< " + fixed(checkTargetSeconds, 1) + " s", checkBest < checkTargetSeconds ? "yes" : "NO"])
            rows.append(["    of which load (read files)", ms(m.loadOfBest), "", "", ""])
            rows.append(["    of which compile", ms(checkBest - m.loadOfBest), "", "", ""])
            rows.append(["    CPU time, all threads", ms(m.cpuOfBest), "", "", ""])
            rows.append(["      parse (every file)", ms(m.parseOfBest), "", "", ""])
            let share = m.parseOfBest > 0 ? m.proofsOfBest / m.parseOfBest : .nan
            rows.append(["      proofs (flow + policy)", ms(m.proofsOfBest), fixed(share * 100, 0) + "% of parse",
                         "< " + fixed(proofShareOfParseTarget * 100, 0) + "% of parse", share < proofShareOfParseTarget ? "yes" : "NO"])
            rows.append(["(b) with proofs, lines/s", "", grouped(Int(rate)) + " lines/s",
                         "≥ " + grouped(Int(checkTargetLinesPerSecond)) + " lines/s", rate >= checkTargetLinesPerSecond ? "yes" : "NO"])
        }
        if let peak = m.peakKB {
            let mb = Double(peak) / 1024
            rows.append([m.checkRuns.isEmpty ? "(c) peak memory, VmHWM (parser only)" : "(c) peak memory, VmHWM", fixed(mb, 1) + " MB", "", "< " + fixed(memoryTargetMB, 0) + " MB", mb < memoryTargetMB ? "yes" : "NO"])
        }
        if !m.processRuns.isEmpty {
            let best = m.processRuns.map(\.wall).min() ?? .nan
            let rss = m.processRuns.map(\.maxRSSKB).max() ?? 0
            let okExit = m.processRuns.allSatisfy { $0.exit == 0 }
            rows.append(["`mandate check` process, wall", ms(best), grouped(Int(Double(m.inputLines) / best)) + " lines/s",
                         "< " + fixed(checkTargetSeconds, 1) + " s", best < checkTargetSeconds && okExit ? "yes" : "NO"])
            rows.append(["`mandate check` process, max RSS", fixed(Double(rss) / 1024, 1) + " MB", "", "< " + fixed(memoryTargetMB, 0) + " MB",
                         Double(rss) / 1024 < memoryTargetMB && okExit ? "yes" : "NO"])
        }
        let widths = (0..<5).map { c in rows.map { $0[c].count }.max()! }
        for (k, row) in rows.enumerated() {
            out += "| " + row.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |\n"
            if k == 0 { out += "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|\n" }
        }
        out += "\n"
        out += "parser runs:      " + m.parserRuns.map(ms).joined(separator: ", ") + "\n"
        if !m.checkRuns.isEmpty { out += "check runs:       " + m.checkRuns.map(ms).joined(separator: ", ") + "\n" }
        if !m.proofRuns.isEmpty { out += "proof runs:       " + m.proofRuns.map(ms).joined(separator: ", ") + " (one thread)\n" }
        if let after = m.peakAfterParserKB, !m.checkRuns.isEmpty { out += "VmHWM after the parser runs: " + fixed(Double(after) / 1024, 1) + " MB\n" }
        if let c = m.processCommand {
            out += "process runs:     " + m.processRuns.map { "\(ms($0.wall)) / \(fixed(Double($0.maxRSSKB) / 1024, 1)) MB (exit \($0.exit))" }.joined(separator: ", ") + "\n"
            out += "process command:  \(c)\n"
        } else if let why = m.processSkipped {
            out += "process run skipped: \(why)\n"
        }
        out += "command:          \(command)\n"
        out += "executable:       \(selfPath())\n"
        return out
    }
}
