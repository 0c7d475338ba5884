// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "globalstacks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gstacks", targets: ["gstacks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
    ],
    targets: [
        // JSON values and a JSON Schema (draft 2020-12) validator: generic, Foundation only.
        .target(
            name: "GlobalStacksJSONSchema",
            swiftSettings: strict
        ),
        // Framework-free rules: identifiers, roles, state machines, validation, access policy.
        .target(
            name: "GlobalStacksDomain",
            dependencies: ["GlobalStacksJSONSchema"],
            swiftSettings: strict
        ),
        // The agent wire protocol (JSON envelopes over WebSocket), shared by the gateway and `gstacks agent`.
        .target(
            name: "GlobalStacksAgentProtocol",
            dependencies: ["GlobalStacksDomain"],
            swiftSettings: strict
        ),
        // System calls Swift cannot make directly (openat2).
        .target(name: "CGlobalStacksSystem"),
        // `gstacks agent`: enrollment, the connection to the control plane, commands and the sandbox drivers.
        .target(
            name: "GlobalStacksAgent",
            dependencies: [
                "CGlobalStacksSystem",
                "GlobalStacksAgentProtocol",
                "GlobalStacksClient",
                "GlobalStacksDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Persistence: repository protocols and the one SQL implementation that runs on SQLite and PostgreSQL.
        .target(
            name: "GlobalStacksStore",
            dependencies: [
                "GlobalStacksDomain",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The use cases behind every edge (the v1 API, the streaming exec, the console, compatible APIs, MCP): one service
        // per area takes the authenticated caller and domain values, applies access, admission and the store, and returns
        // domain values or throws `DomainError`. It knows neither HTTP nor the generated API types.
        .target(
            name: "GlobalStacksUseCases",
            dependencies: [
                "GlobalStacksDomain",
                "GlobalStacksStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The contract's types (`Components`, `Operations`), generated once from openapi.yaml (the shared public contract
        // plus our additions, closed allOfs merged) for the server stubs and the client alike.
        .target(
            name: "GlobalStacksContract",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The server stubs generated from openapi.yaml, on the contract's types.
        .target(
            name: "GlobalStacksAPI",
            dependencies: [
                "GlobalStacksContract",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // A typed client of the v1 API, generated from the same openapi.yaml (closed allOfs merged), behind a small
        // facade: what the agent, the tests and the coming CLI call.
        .target(
            name: "GlobalStacksClient",
            dependencies: [
                "GlobalStacksContract",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: strict,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // A small S3 client (AWS Signature Version 4, path-style URLs) over AsyncHTTPClient: buckets, objects, listings.
        .target(
            name: "GlobalStacksObjectStorage",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The HTTP and WebSocket edges: application wiring, request context, middleware, controllers, the agent gateway,
        // and the embedded agent of single-node installations.
        .target(
            name: "GlobalStacksServer",
            dependencies: [
                "GlobalStacksAgent",
                "GlobalStacksAgentProtocol",
                "GlobalStacksAPI",
                "GlobalStacksContract",
                "GlobalStacksDomain",
                "GlobalStacksObjectStorage",
                "GlobalStacksStore",
                "GlobalStacksUseCases",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // `gstacks` as a client: login, contexts, and noun-verb commands on the typed client.
        .target(
            name: "GlobalStacksCLI",
            dependencies: [
                "CGlobalStacksSystem",
                .product(name: "Crypto", package: "swift-crypto"),
                "GlobalStacksClient",
                "GlobalStacksDomain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // The `gstacks` binary: command-line parsing only.
        .executableTarget(
            name: "gstacks",
            dependencies: [
                "GlobalStacksAgent",
                "GlobalStacksAgentProtocol",
                "GlobalStacksCLI",
                "GlobalStacksDomain",
                "GlobalStacksServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Test support: throwaway PostgreSQL servers and per-test databases on both engines, a local S3 server.
        .target(
            name: "GlobalStacksTestSupport",
            dependencies: [
                "CGlobalStacksSystem",
                "GlobalStacksStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/GlobalStacksTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "GlobalStacksJSONSchemaTests",
            dependencies: ["GlobalStacksJSONSchema"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GlobalStacksDomainTests",
            dependencies: ["GlobalStacksDomain"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GlobalStacksAgentProtocolTests",
            dependencies: ["GlobalStacksAgentProtocol", "GlobalStacksDomain"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GlobalStacksAgentTests",
            dependencies: ["GlobalStacksAgent", "GlobalStacksAgentProtocol", "GlobalStacksDomain"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GlobalStacksCLITests",
            dependencies: ["GlobalStacksCLI"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GlobalStacksObjectStorageTests",
            dependencies: ["GlobalStacksObjectStorage", "GlobalStacksTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GlobalStacksStoreTests",
            dependencies: ["GlobalStacksStore", "GlobalStacksDomain", "GlobalStacksTestSupport", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GlobalStacksUseCasesTests",
            dependencies: ["GlobalStacksUseCases", "GlobalStacksDomain", "GlobalStacksStore", "GlobalStacksTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GlobalStacksServerTests",
            dependencies: [
                "GlobalStacksClient",
                "GlobalStacksContract",
                "GlobalStacksObjectStorage",
                "GlobalStacksServer",
                "GlobalStacksUseCases",
                "GlobalStacksTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
    ]
)
