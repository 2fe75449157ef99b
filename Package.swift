// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "tacho",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tacho", targets: ["tacho"]),
        .executable(name: "TachoFuzz", targets: ["TachoFuzz"]),
        .library(name: "EventStore", targets: ["EventStore"]),
        .library(name: "Projections", targets: ["Projections"]),
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "Server", targets: ["Server"]),
        .library(name: "TachoMetrics", targets: ["TachoMetrics"]),
        .library(name: "PromQL", targets: ["PromQL"]),
        .library(name: "Replication", targets: ["Replication"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.2.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.70.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]
        ),
        // Prometheus remote-write bodies are snappy block-compressed.
        .systemLibrary(
            name: "CSnappy",
            pkgConfig: "snappy",
            providers: [.apt(["libsnappy-dev"]), .brew(["snappy"])]
        ),
        // View snapshots along the log are zstd-compressed (a sixth of their size;
        // LZ4 keeps a third).
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        // PromQL's regular expressions: ICU's C API (Debian's libicu-dev) behind a header
        // without ICU's types (see Sources/CICURegex/include/cicuregex.h).
        .target(
            name: "CICURegex",
            linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc")]
        ),
        // gzip request bodies (OTLP exporters, Telegraf).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // NATS JetStream, for replicating the log (the official C client).
        .systemLibrary(
            name: "CNATS",
            pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"]), .brew(["cnats"])]
        ),
        .target(
            name: "EventStore",
            dependencies: [
                "CLZ4",
                "CZstd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Projections",
            dependencies: [
                "EventStore",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),
        // Between the pure projections and the server: the one fold engine over the log
        // (recovery, checkpoints, view snapshots, the live fold, time travel).
        .target(
            name: "Runtime",
            dependencies: [
                "EventStore",
                "Projections",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PromQL",
            dependencies: ["TachoRegex"],
            swiftSettings: strict
        ),
        // ICU's regex C API behind a Swift type, in a module without Foundation.
        .target(
            name: "TachoRegex",
            dependencies: ["CICURegex"],
            swiftSettings: strict
        ),
        // The log past one machine: a leader publishes its batches to JetStream,
        // followers build their directories from the stream.
        .target(
            name: "Replication",
            dependencies: [
                "EventStore",
                "CNATS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Server",
            dependencies: [
                "EventStore",
                "Projections",
                "Runtime",
                "CSnappy",
                "CZlib",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "PromQL",
                "Replication",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Dashboard"],
            swiftSettings: strict,
            plugins: ["DashboardEmbedder"]
        ),
        // A swift-metrics backend: a Swift service's metrics as Tacho events (remote or embedded).
        .target(
            name: "TachoMetrics",
            dependencies: [
                "EventStore",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tacho-embed",
            path: "tools/embed",
            swiftSettings: strict
        ),
        .plugin(
            name: "DashboardEmbedder",
            capability: .buildTool(),
            dependencies: ["tacho-embed"]
        ),
        .executableTarget(
            name: "tacho",
            dependencies: [
                "EventStore",
                "Projections",
                "Runtime",
                "Server",
                "PromQL",
                "Replication",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A service instrumented with swift-metrics, serving Tacho's dashboard in-process.
        .executableTarget(
            name: "tacho-example-service",
            dependencies: [
                "Server",
                "TachoMetrics",
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Examples/InstrumentedService",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tacho-metricsbench",
            dependencies: [
                "TachoMetrics",
                "EventStore",
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            path: "tools/metricsbench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tacho-bench",
            dependencies: ["EventStore", "Projections", "CLZ4"],
            path: "tools/bench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tacho-foldbench",
            dependencies: ["EventStore", "Projections", "Runtime", "Server", "BenchArguments"],
            path: "tools/foldbench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tacho-loadgen",
            dependencies: [
                "EventStore",
                "Server",
                "BenchArguments",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "tools/loadgen",
            swiftSettings: strict
        ),
        .target(
            name: "BenchArguments",
            path: "tools/benchargs",
            swiftSettings: strict
        ),
        // libFuzzer targets (tools/fuzz); built normally it replays inputs through them.
        .executableTarget(
            name: "TachoFuzz",
            dependencies: [
                "EventStore", "Projections", "Runtime", "Server", "PromQL", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            dependencies: ["EventStore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EventStoreTests",
            dependencies: ["EventStore", "TestSupport", "CLZ4"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ProjectionsTests",
            dependencies: ["Projections", "Runtime", "EventStore", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Projections", "Runtime", "EventStore", "TestSupport", "CSnappy", "TachoMetrics", "PromQL",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PromQLTests",
            dependencies: ["PromQL", "TachoRegex", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BrowserTests",
            dependencies: ["Server", "EventStore", "TestSupport"],
            swiftSettings: strict
        ),
    ]
)
