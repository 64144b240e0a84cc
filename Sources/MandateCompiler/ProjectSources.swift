import Foundation
import MandateDiagnostics
import MandateSyntax

/// The files of a project, read from disk, with display paths relative to the project.
public struct ProjectSources: Sendable {
    /// The project folder.
    public var root: String
    /// `mandate.yaml`, when present.
    public var projectFile: SourceFile?
    /// `*.goal.yaml`, sorted by path.
    public var goalFiles: [SourceFile] = []
    /// The action catalog, when present.
    public var catalogFile: SourceFile?
    /// `*.procedure`, sorted by path.
    public var procedureFiles: [SourceFile] = []
    /// `*.test.yaml`, sorted by path.
    public var scenarioFiles: [SourceFile] = []
    /// Findings made while reading (a missing catalog, no project file).
    public var diagnostics: [Diagnostic] = []

    /// The largest file Mandate reads, in bytes.
    public static let maxFileSize = ProcedureParser.maxFileSize

    /// Every file read.
    public var allFiles: [SourceFile] {
        [projectFile, catalogFile].compactMap { $0 } + goalFiles + procedureFiles + scenarioFiles
    }

    /// Makes sources from files in memory (tests, explanations).
    public init(root: String, files: [SourceFile], catalogPath: String = "actions.yaml") {
        self.root = root
        for file in files.sorted(by: { $0.path < $1.path }) { classify(file, catalogPath: catalogPath) }
    }

    mutating func classify(_ file: SourceFile, catalogPath: String) {
        let name = file.path
        if name == "mandate.yaml" { projectFile = file }
        else if name == catalogPath { catalogFile = file }
        else if name.hasSuffix(".goal.yaml") || name.hasSuffix(".goal.yml") { goalFiles.append(file) }
        else if name.hasSuffix(".procedure") { procedureFiles.append(file) }
        else if name.hasSuffix(".test.yaml") || name.hasSuffix(".test.yml") { scenarioFiles.append(file) }
    }

    /// Reads a project folder (or the folder of a `mandate.yaml` path).
    ///
    /// Throws `InputError` when the path cannot be read at all; everything else becomes a diagnostic.
    public static func load(path: String) throws(InputError) -> ProjectSources {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(path: path, reason: "no such file or folder")
        }
        let root = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let rootURL = URL(fileURLWithPath: root.isEmpty ? "." : root).standardizedFileURL
        let prefix = rootURL.path.hasSuffix("/") ? rootURL.path : rootURL.path + "/"
        var relativePaths: [String] = []
        if let unreadable = listFiles(prefix, under: "", into: &relativePaths) {
            throw InputError(path: unreadable.isEmpty ? path : prefix + unreadable, reason: "the folder cannot be read")
        }
        relativePaths.sort()
        var sources = ProjectSources(root: rootURL.path, files: [])
        // mandate.yaml is read once: it names the catalog, and it is itself one of the sources.
        var catalogPath = "actions.yaml"
        var projectFile: SourceFile?
        if relativePaths.contains("mandate.yaml"), let bytes = fm.contents(atPath: prefix + "mandate.yaml") {
            let file = SourceFile(path: "mandate.yaml", bytes: [UInt8](bytes))
            projectFile = file
            if let declared = ProjectSources.declaredCatalogPath(file) { catalogPath = declared }
        } else {
            sources.diagnostics.append(Diagnostic(
                .projectNotFound, "there is no `mandate.yaml` in `\(root.isEmpty ? "." : root)`",
                at: nil, help: "run Mandate on a project folder (one holding `mandate.yaml`), or create `mandate.yaml` with `project:` and `currency:`"))
        }
        // INVARIANT: the catalog is read only if it is the declared one; other YAML files are read by suffix.
        let wanted = relativePaths.filter { relative in
            relative != "mandate.yaml" && (relative == catalogPath || relative.hasSuffix(".goal.yaml") || relative.hasSuffix(".goal.yml")
                || relative.hasSuffix(".procedure") || relative.hasSuffix(".test.yaml") || relative.hasSuffix(".test.yml"))
        }
        // The files are read on every core (a thousand small files are mostly system calls);
        // they are taken in path order, so the result is the same as a loop's.
        let read = Parallel.map(wanted.count) { index -> (ReadResult, SourceFile?) in
            let relative = wanted[index]
            let result = readFile(prefix + relative, maxBytes: ProjectSources.maxFileSize)
            guard case .bytes(let bytes) = result else { return (result, nil) }
            return (result, SourceFile(path: relative, bytes: bytes))
        }
        if let projectFile { sources.classify(projectFile, catalogPath: catalogPath) }
        for (relative, (result, file)) in zip(wanted, read) {
            switch result {
            case .bytes:
                if let file { sources.classify(file, catalogPath: catalogPath) }
            case .tooLarge(let size):
                // A file over the limit is refused by its size, before it is read.
                sources.diagnostics.append(Diagnostic(
                    .fileTooLarge, "`\(relative)` is \(size / 1024) KiB; Mandate reads files up to \(ProjectSources.maxFileSize / 1024) KiB",
                    at: SourceRange(file: relative, start: 0, end: 0), help: "split the file into several smaller ones"))
            case .unreadable:
                throw InputError(path: prefix + relative, reason: "the file cannot be read")
            }
        }
        if sources.projectFile != nil, sources.catalogFile == nil {
            sources.diagnostics.append(Diagnostic(
                .fileMissing, "the action catalog `\(catalogPath)` named by `mandate.yaml` does not exist",
                at: nil, help: "create `\(catalogPath)`, or point `actions:` in `mandate.yaml` at the catalog"))
        }
        return sources
    }

    /// Adds to `paths` the files of the folder `prefix + folder` and of its sub-folders that
    /// Mandate may read (`.yaml`, `.yml`, `.procedure`), as paths relative to `prefix`; hidden
    /// files and folders (a name starting with `.`) are left out, and linked folders are not
    /// entered. Returns the relative path of a folder that cannot be listed, nil when all could.
    ///
    /// Plain `opendir`/`readdir`: the type of each entry comes with its name, where a
    /// directory enumerator asks the file system about every file again.
    static func listFiles(_ prefix: String, under folder: String, into paths: inout [String]) -> String? {
        guard let directory = opendir(prefix + folder) else { return folder }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let type = entry.pointee.d_type
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
            }
            guard !name.hasPrefix(".") else { continue }
            let relative = folder + name
            var isFolder = type == UInt8(DT_DIR)
            if type == UInt8(DT_UNKNOWN) {
                // Some file systems do not give the type: ask, without following a link.
                var info = stat()
                guard lstat(prefix + relative, &info) == 0 else { continue }
                isFolder = info.st_mode & S_IFMT == S_IFDIR
            }
            if isFolder {
                if let unreadable = listFiles(prefix, under: relative + "/", into: &paths) { return unreadable }
            } else if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") || relative.hasSuffix(".procedure") {
                paths.append(relative)
            }
        }
        return nil
    }

    /// What reading one file gave.
    enum ReadResult {
        case bytes([UInt8])
        case tooLarge(Int)
        case unreadable
    }

    /// Reads a file with plain system calls (one `open`, `fstat`, `read`s, `close`): the
    /// size is checked before any byte is read.
    static func readFile(_ path: String, maxBytes: Int) -> ReadResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .unreadable }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .unreadable }
        let size = Int(info.st_size)
        if size > maxBytes { return .tooLarge(size) }
        // One byte more than the size, so the read that finds the end needs no larger buffer;
        // read to the end whatever the size said, as a file may change while it is read.
        var bytes = [UInt8](repeating: 0, count: max(size, 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: 64 * 1024)) }
            let n = bytes.withUnsafeMutableBufferPointer { buffer in
                read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return .unreadable
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(bytes.count - filled)
        return .bytes(bytes)
    }

    /// The `actions:` value of a project file, read as YAML (quotes and comments allowed).
    /// The file is parsed again by the compiler with every check; this read only finds the catalog.
    static func declaredCatalogPath(_ file: SourceFile) -> String? {
        guard case .mapping(let m)? = YAMLReader.read(file).0, case .scalar(let s)? = m["actions"] else { return nil }
        let path = s.value.trimmingCharacters(in: .whitespaces)
        // INVARIANT: the catalog stays inside the project folder.
        guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { return nil }
        return path
    }
}

/// A path that could not be read at all (exit code 66).
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// The path.
    public var path: String
    /// Why.
    public var reason: String
    /// `cannot read `path`: reason`.
    public var description: String { "cannot read `\(path)`: \(reason)" }
}
