import Foundation
import MandateCompiler
import MandateDiagnostics

/// Compiles the explanation base project with some files replaced or added.
func compileBase(replacing files: [ExampleFile] = [], removing: [String] = []) -> Compilation {
    var byPath: [String: ExampleFile] = [:]
    for f in Explanation.baseProject where !removing.contains(f.path) { byPath[f.path] = f }
    for f in files { byPath[f.path] = f }
    return Compiler.compile(ProjectSources(root: "example", files: byPath.values.map { SourceFile(path: $0.path, text: $0.text) }))
}

/// Compiles the base project with one file given as raw bytes.
func compileBase(path: String, bytes: [UInt8]) -> Compilation {
    var files = Explanation.baseProject.filter { $0.path != path }.map { SourceFile(path: $0.path, text: $0.text) }
    files.append(SourceFile(path: path, bytes: bytes))
    return Compiler.compile(ProjectSources(root: "example", files: files))
}

extension Compilation {
    /// The codes of the error diagnostics, sorted.
    var errorCodes: [String] { diagnostics.filter { $0.severity == .error }.map(\.code.rawValue).sorted() }
}

/// Seconds taken by `body`, the fastest of up to `attempts` runs: it runs again only while it
/// has not finished within `limit`. A time limit then fails for work that is slow every time
/// (a quadratic loop, a hang), not for one run the machine's other load happened to slow down.
func fastestSeconds(within limit: Double, attempts: Int = 3, _ body: () -> Void) -> Double {
    var fastest = Double.infinity
    for _ in 0..<attempts where fastest >= limit {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return fastest
}
