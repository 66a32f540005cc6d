// swift-tools-version: 6.1
// Benchmarks of each stage on a generated corpus (ordo-one/benchmark), a package of their own so
// the main build and CI never carry the benchmark dependencies. Run from this folder:
//   swift package --disable-sandbox benchmark                 (corpus: ../../bench-data/corpus-1MB)
//   TMINE_BENCH_CORPUS=/path/to/corpus swift package --disable-sandbox benchmark
import PackageDescription

let package = Package(
    name: "TranscriptMinerBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Stages",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Pipeline", package: "main"), .product(name: "Ingest", package: "main"),
                .product(name: "TextAnalysis", package: "main"), .product(name: "Coding", package: "main"),
                .product(name: "Corpus", package: "main"),
            ],
            path: "Benchmarks/Stages",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
