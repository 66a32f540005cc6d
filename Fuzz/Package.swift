// swift-tools-version: 6.1
// libFuzzer targets, a package of their own so the main build never carries fuzzer flags.
// Build and run with Scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "TranscriptMinerFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "FuzzIngest",
            dependencies: [
                "FuzzDriver", .product(name: "Ingest", package: "main"), .product(name: "Corpus", package: "main"),
                .product(name: "TextAnalysis", package: "main"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "FuzzParsers",
            dependencies: [
                "FuzzDriver", .product(name: "Pipeline", package: "main"), .product(name: "Coding", package: "main"),
                .product(name: "TextAnalysis", package: "main"), .product(name: "Corpus", package: "main"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
