// swift-tools-version: 6.1
import PackageDescription

// Concrete generic types (`KeyedEncodingContainer<CodingKeys>`, `Set<Int>` …) reached through
// metadata accessors rather than mangled names, in release builds of this package's modules:
// resolving a mangled name checks the type's generic requirements at run time, and each first
// check scans every protocol conformance record in the binary (9,255, ~0.2 ms a scan here).
// A lexicon edit at 10 MB made 87 such scans, 56 with this (Scripts/conformance-scans.sh counts
// them; most of the rest are ArgumentParser's reflection of the commands).
let concreteMetadata: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release))
]

// Where libxml2's headers are (`libxml2-dev`; under the SDK on macOS), for the module that
// declares them and every Swift module that imports it or, optimised across modules in release
// builds, imports one that does.
let libxml2Headers = CSetting.unsafeFlags(["-iwithsysroot", "/usr/include/libxml2"])
let libxml2HeadersForSwift = SwiftSetting.unsafeFlags(["-Xcc", "-iwithsysroot", "-Xcc", "/usr/include/libxml2"])

// libdeflate by its soname on Linux (`-l:libdeflate.so.0`: the runtime package has no
// `libdeflate.so`, which only libdeflate-dev links), by name elsewhere.
let libdeflateLink: [LinkerSetting] = [
    .linkedLibrary(":libdeflate.so.0", .when(platforms: [.linux])),
    .linkedLibrary("deflate", .when(platforms: [.macOS])),
]

// Where `Linking/libstdc++.so` is (a linker script that names the static C++ runtime), for release
// links on Linux: the manifest's own folder, whichever folder the build runs from.
let linkingFolder = String(#filePath.dropLast("Package.swift".count)) + "Linking"

let package = Package(
    name: "TranscriptMiner",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tmine", targets: ["tmine"]),
        .library(name: "Corpus", targets: ["Corpus"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "TextAnalysis", targets: ["TextAnalysis"]),
        .library(name: "Coding", targets: ["Coding"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Review", targets: ["Review"]),
    ],
    dependencies: [
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    ],
    targets: [
        // libxml2's headers, and on Linux libxml2 itself from its static archive (`libxml2-dev`),
        // its ICU and liblzma loaded on first use (see OnDemand.c): not a system library target,
        // whose pkg-config link flags would load all three at every start, nor libxml2 loaded on
        // first use, which made the first XML parse wait ~0.9 ms on the dynamic loader.
        .target(
            name: "CLibXML2",
            cSettings: [libxml2Headers],
            linkerSettings: [
                .linkedLibrary(":libxml2.a", .when(platforms: [.linux])),
                .linkedLibrary("z", .when(platforms: [.linux])),
                .linkedLibrary("m", .when(platforms: [.linux])),
                .linkedLibrary("dl", .when(platforms: [.linux])),
                .linkedLibrary("xml2", .when(platforms: [.macOS])),
            ]
        ),
        // Whole-buffer DEFLATE for the entries of a .docx (see ZipPackage) and of the packages
        // the tool writes (PackageWriter). Its header where
        // installed, else the few declarations of `shim.h`; linked by the library's soname on
        // Linux (`libdeflateLink`), so that a machine with Debian's libdeflate0 and without
        // libdeflate-dev builds the tool.
        .systemLibrary(name: "CLibDeflate"),
        .target(name: "CFileSystem"),
        .target(name: "Corpus", dependencies: ["CFileSystem"], swiftSettings: concreteMetadata),
        .target(
            name: "Ingest",
            dependencies: [
                "CLibXML2",
                "CLibDeflate",
                "Corpus",
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: concreteMetadata + [libxml2HeadersForSwift],
            linkerSettings: libdeflateLink
        ),
        .target(name: "TextAnalysis", dependencies: ["Corpus", "CFileSystem"], swiftSettings: concreteMetadata),
        .target(
            name: "Coding",
            dependencies: ["Corpus", "TextAnalysis", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: concreteMetadata
        ),
        .target(
            name: "Pipeline",
            dependencies: [
                "Corpus", "Ingest", "TextAnalysis", "Coding", "CLibDeflate", "CFileSystem",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Schemas"],
            swiftSettings: concreteMetadata + [libxml2HeadersForSwift]
        ),
        .target(
            name: "Review",
            dependencies: [
                "Corpus", "Coding", "Pipeline",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            resources: [.embedInCode("Page")],
            swiftSettings: concreteMetadata + [libxml2HeadersForSwift]
        ),
        .executableTarget(
            name: "tmine",
            dependencies: [
                "Corpus",
                "Ingest",
                "TextAnalysis",
                "Coding",
                "Pipeline",
                "Review",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The Swift runtime and Foundation linked in (release only; debug links stay quick):
            // a dynamically linked `tmine` spent 12-13 ms starting (relocations, conformance
            // lookups) against 6-7 ms, a tenth of reading 200 Word files. Compiling with the
            // flag too makes the static Foundation bring its ICU library along.
            // The static runtime's link arguments export every symbol of the package's own
            // modules (`-export-dynamic`): 30,900 names, which the runtime's start-up `dladdr`
            // walked one by one. Nothing looks them up, so they are not exported (still PIE).
            swiftSettings: concreteMetadata + [
                libxml2HeadersForSwift, .unsafeFlags(["-static-stdlib"], .when(configuration: .release)),
            ],
            linkerSettings: [
                .unsafeFlags(["-static-stdlib", "-Xlinker", "--no-export-dynamic"], .when(configuration: .release)),
                // Linked by the toolchain's lld rather than the system's gold: the same start-up
                // (`tmine --version` 7.97 against 7.98 ms, 300 alternated runs) in 5 s instead of
                // 37 s, paid by every release build, the README's first command's included.
                // Its 125,000 relative relocations are packed (`-z pack-relative-relocs`, glibc
                // 2.36's DT_RELR): 2.7 MB of `.rela.dyn`, read by the loader at every start, become
                // 22 KB (`tmine --version` 8.56 -> 8.20 ms, 3 x 300 alternated runs).
                // The C++ runtime and libgcc linked in as well (`Linking/libstdc++.so`,
                // `-static-libgcc`): the loader mapped and bound libstdc++ and libgcc_s at every
                // start, ~1 ms (`tmine extract` of an empty folder 4.6-4.7 -> 3.4 ms, 60 alternated
                // runs; the loader's own count 3.6-5.6 -> 0.5-0.7 million cycles). Only a run that parses
                // XML loads them after all, for libxml2's ICU. zlib and libdeflate stay shared, so
                // that the system's security updates reach what inflates other people's files.
                // `Linking/symbol-order.txt` puts the standard library's code first, so that its
                // UTF-8 check (`validateUTF8`, every text file's `String`) sits where the
                // toolchain's build put it, not wherever the code linked before it ends: its loop
                // crossing a 64-byte block cost `tmine extract` of 100 MB of text 5 % (session 55),
                // and changes elsewhere kept moving it in and out (session 57: 1.058 -> 1.023 of
                // the session's starting build, 10 alternated pairs).
                .unsafeFlags(
                    [
                        "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                        "-Xlinker", "--symbol-ordering-file=\(linkingFolder)/symbol-order.txt",
                        "-L\(linkingFolder)", "-Xclang-linker", "-static-libgcc",
                    ],
                    .when(platforms: [.linux], configuration: .release)
                ),
            ]
        ),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus"]),
        .testTarget(name: "tmineTests", dependencies: ["tmine", "Corpus", "Ingest"]),
        .testTarget(
            name: "IngestTests",
            // ZIPFoundation reads back the packages `PackageWriter` writes: a reader not ours.
            dependencies: ["Ingest", "Corpus", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "CodingTests", dependencies: ["Coding", "Corpus", "TextAnalysis"]),
        .testTarget(
            name: "ReviewTests",
            dependencies: [
                "Review", "Pipeline", "Coding", "Corpus",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            exclude: ["e2e_review.py"]  // run from the source tree by the tests
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: ["Pipeline", "Corpus", "Ingest", "TextAnalysis", "Coding"],
            exclude: ["validate_schemas.py", "render_report.py", "read_xlsx.py"]  // run from the source tree by the tests
        ),
        .testTarget(
            name: "TextAnalysisTests",
            dependencies: ["TextAnalysis", "Corpus", "Ingest"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
