// swift-tools-version: 6.1
// The Mandate package: operator files in, diagnostics or a compiled plan out.
//
// Targets follow the pipeline: source & diagnostics → syntax → compiler → IR (plan),
// with the `mandate` executable a thin shell over `MandateCLI`.
import PackageDescription

let package = Package(
    name: "Mandate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mandate", targets: ["mandate"]),
        .library(name: "MandateIR", targets: ["MandateIR"]),
        .library(name: "MandateCompiler", targets: ["MandateCompiler"]),
        .library(name: "MandateRuntime", targets: ["MandateRuntime"]),
        .library(name: "MandateStore", targets: ["MandateStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libyaml (libyaml-dev, pkg-config yaml-0.1), read at the event level.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // Source files, ranges, diagnostics and their renderers.
        .target(name: "MandateDiagnostics"),
        // Procedure lexer/parser, event-level YAML reader, the syntax trees.
        .target(name: "MandateSyntax", dependencies: ["MandateDiagnostics", "CYAML"]),
        // The typed, serializable plan. Foundation only: the runtime loads it without the parser.
        .target(name: "MandateIR"),
        // The interpreter, understanding (classifier, entities, input signals), guardrails, traces.
        // It reads plans only: never the syntax or the compiler.
        .target(name: "MandateRuntime", dependencies: ["MandateIR"]),
        // Scenario tests, coverage and simulation: the runtime driven by scripted customers.
        .target(
            name: "MandateScenarios",
            dependencies: ["MandateRuntime", "MandateIR", "MandateSyntax", "MandateDiagnostics"]
        ),
        // Durable conversations, ledger, traces and sandbox records in SQLite (GRDB over the system
        // SQLite, libsqlite3-dev): each turn commits in one write transaction.
        .target(
            name: "MandateStore",
            dependencies: ["MandateRuntime", "MandateIR", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Resolution, typing, lowering to the plan.
        .target(
            name: "MandateCompiler",
            dependencies: [
                "MandateDiagnostics", "MandateSyntax", "MandateIR",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Command handlers: library functions the `mandate` tool and the tests call.
        .target(
            name: "MandateCLI",
            dependencies: [
                "MandateCompiler", "MandateDiagnostics", "MandateSyntax", "MandateIR", "MandateRuntime", "MandateScenarios", "MandateStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "mandate", dependencies: ["MandateCLI"]),
        // Generates a large project and measures the parser and the whole check; measures the classifier.
        .executableTarget(
            name: "mandate-bench",
            dependencies: ["MandateCompiler", "MandateSyntax", "MandateDiagnostics", "MandateIR", "MandateRuntime", "MandateStore"],
            path: "Sources/mandate-bench"
        ),
        // Refund turns against one SQLite file from a separate process: the store tests start it
        // twice at once, or kill it in the middle of a turn.
        .executableTarget(
            name: "mandate-stress",
            dependencies: ["MandateStore", "MandateRuntime", "MandateIR", "MandateCompiler", "MandateDiagnostics"],
            path: "Sources/mandate-stress"
        ),
        .testTarget(
            name: "MandateTests",
            dependencies: [
                "MandateCLI", "MandateCompiler", "MandateSyntax", "MandateIR", "MandateDiagnostics", "MandateRuntime",
                "MandateScenarios", "MandateStore", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Corpus", "validate_schemas.py"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
