/// Renderers for CI systems: SARIF 2.1.0 (code scanning) and GitHub Actions annotations.
extension DiagnosticRenderer {
    /// One SARIF 2.1.0 log with one run. `pathPrefix` makes paths relative to the repository
    /// (`Procedures/` when the project is that folder); rules carry each code's explanation.
    public static func sarif(_ diagnostics: [Diagnostic], sources: SourceLookup, pathPrefix: String, toolVersion: String) -> String {
        let codes = Array(Set(diagnostics.map(\.code))).sorted()
        let ruleIndex = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        let rules: [JSONValue] = codes.map { code in
            var rule: [String: JSONValue] = [
                "id": .string(code.rawValue),
                "shortDescription": .object(["text": .string(code.info?.title ?? code.rawValue)]),
                "defaultConfiguration": .object(["level": .string(level(code.defaultSeverity))]),
                "helpUri": .string("https://mandate.dev/explain/\(code.rawValue)"),
            ]
            if let e = Explanation.of(code) {
                rule["fullDescription"] = .object(["text": .string(e.summary)])
                rule["help"] = .object(["text": .string(e.fix)])
            }
            return .object(rule)
        }
        let results: [JSONValue] = diagnostics.map { d in
            var text = d.message
            if let help = d.help { text += "\nhelp: \(help)" }
            var result: [String: JSONValue] = [
                "ruleId": .string(d.code.rawValue),
                "ruleIndex": .int(ruleIndex[d.code] ?? 0),
                "level": .string(level(d.severity)),
                "message": .object(["text": .string(text)]),
            ]
            if let range = d.range { result["locations"] = .array([location(range, sources, pathPrefix)]) }
            if !d.labels.isEmpty {
                result["relatedLocations"] = .array(d.labels.enumerated().map { index, label in
                    guard case .object(var object) = location(label.range, sources, pathPrefix) else { return .null }
                    object["id"] = .int(index)
                    object["message"] = .object(["text": .string(label.message)])
                    return .object(object)
                })
            }
            return .object(result)
        }
        let log: JSONValue = .object([
            "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"),
            "version": .string("2.1.0"),
            "runs": .array([.object([
                "tool": .object(["driver": .object([
                    "name": .string("mandate"),
                    "semanticVersion": .string(toolVersion),
                    "informationUri": .string("https://mandate.dev"),
                    "rules": .array(rules),
                ])]),
                "columnKind": .string("unicodeCodePoints"),
                "results": .array(results),
            ])]),
        ])
        return log.encoded(pretty: true) + "\n"
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    static func location(_ range: SourceRange, _ sources: SourceLookup, _ prefix: String) -> JSONValue {
        var region: [String: JSONValue] = [:]
        if let file = sources[range.file] {
            let s = file.location(of: range.start), e = file.location(of: range.end)
            region = ["startLine": .int(s.line), "startColumn": .int(s.column), "endLine": .int(e.line),
                      "endColumn": .int(max(e.column, e.line == s.line ? s.column + 1 : e.column))]
        }
        var physical: [String: JSONValue] = ["artifactLocation": .object(["uri": .string(prefix + range.file)])]
        if !region.isEmpty { physical["region"] = .object(region) }
        return .object(["physicalLocation": .object(physical)])
    }

    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=M0305::message`.
    public static func github(_ diagnostics: [Diagnostic], sources: SourceLookup, pathPrefix: String) -> String {
        diagnostics.map { d in
            let command: String
            switch d.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .note: command = "notice"
            }
            var properties: [String] = []
            if let range = d.range {
                properties.append("file=" + escapeProperty(pathPrefix + range.file))
                if let file = sources[range.file] {
                    let s = file.location(of: range.start), e = file.location(of: range.end)
                    properties += ["line=\(s.line)", "col=\(s.column)", "endLine=\(e.line)", "endColumn=\(e.column)"]
                }
            }
            properties.append("title=" + escapeProperty("\(d.code.rawValue) \(d.code.info?.title ?? "")"))
            var message = d.message
            if let help = d.help { message += "\nhelp: \(help)" }
            return "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))\n"
        }.joined()
    }

    /// The escapes GitHub requires in a command's message.
    static func escapeData(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// The escapes GitHub requires in a command's properties.
    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingColonsAndCommas()
    }
}

extension String {
    fileprivate func replacingColonsAndCommas() -> String {
        var out = ""
        for ch in unicodeScalars {
            switch ch {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
