// swift-tools-version:6.1
import PackageDescription

// Strict Swift 6 everywhere; `ExistentialAny` makes every protocol existential explicit (SE-0335).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "craftkit-server",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "craftkit", targets: ["Server"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        // Imported by Storage directly (connection pool, SQLite connections, LISTEN/NOTIFY), so declared here
        // rather than reached through sqlite-kit and postgres-kit.
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.22.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Signatures: the signing certificate and the CMS signature of a signed PDF.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // Metrics: recorded through swift-metrics (Hummingbird already depends on it), served in the
        // Prometheus text format at /metrics.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Bottom layer: ids, errors, crypto, validation, manifest vocabulary. No I/O frameworks.
        .target(
            name: "Core",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CPangoCairo",
            pkgConfig: "pangocairo",
            providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]
        ),
        // C helper of the render engine: huge CFF fonts (Noto CJK) embedded from outlines (see its .c file).
        .target(name: "CRenderSupport"),
        // The pure render engine: document + data + fonts + images in, PDF/PNG bytes out.
        .target(name: "Render", dependencies: ["Core", "CPangoCairo", "CRenderSupport"], swiftSettings: swiftSettings),
        // Feature modules: domain types, services and repository protocols. They never import each other
        // nor the web framework.
        .target(name: "AdminProvisioning", dependencies: ["Core"], swiftSettings: swiftSettings),
        .target(
            name: "EmbedSessions", dependencies: ["Core", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings
        ),
        .target(name: "Catalogs", dependencies: ["Core"], swiftSettings: swiftSettings),
        // Shares, engagement events and email of finished renders (docs/decisions/0015-delivery.md).
        .target(name: "Delivery", dependencies: ["Core", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings),
        .target(
            name: "Webhooks",
            dependencies: ["Core", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")],
            swiftSettings: swiftSettings
        ),
        // PDF signatures: signing identities and the PAdES-B-B incremental update (docs/signatures.md).
        .target(
            name: "Signatures",
            dependencies: [
                "Core", "Render", "CPangoCairo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Templates", dependencies: ["Core", "Render", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings
        ),
        // Renders, their worker and inbound triggers; they read templates through `RenderableVersionSource`.
        .target(
            name: "Renders",
            dependencies: ["Core", "Render", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")],
            swiftSettings: swiftSettings
        ),
        // SQL implementations of the features' repositories (SQLite + PostgreSQL), migrations, blob store.
        .target(
            name: "Storage",
            dependencies: [
                "Core", "AdminProvisioning", "EmbedSessions", "Catalogs", "Templates", "Renders", "Webhooks", "Delivery", "Signatures",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "AsyncKit", package: "async-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Outbound HTTP (render-time images, webhook deliveries, the S3 blob store): SSRF guard and a
        // client pinned to the address it checked.
        .target(
            name: "Outbound",
            dependencies: [
                "Core", "Render", "Webhooks", "Delivery",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP: application builder, request context, auth, routes, error envelope.
        .target(
            name: "PartnerAPI",
            dependencies: [
                "Core", "Storage", "Outbound", "AdminProvisioning", "EmbedSessions", "Catalogs", "Templates", "Renders", "Render", "Webhooks",
                "Delivery", "Signatures",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Server",
            dependencies: [
                "PartnerAPI", "Storage", "AdminProvisioning", "EmbedSessions", "Core", "Render", "Signatures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // libFuzzer harness over the parsers of untrusted bytes (`make fuzz`, docs/security.md#fuzzing).
        // Nothing depends on it; the ordinary build compiles it as a replay tool for saved inputs.
        .executableTarget(name: "Fuzz", dependencies: ["Core", "Render", "Signatures"], swiftSettings: swiftSettings),
        // Helpers only tests use: database legs (SQLite file, throwaway PostgreSQL), app factory.
        .target(
            name: "TestSupport",
            dependencies: [
                "Core", "Storage", "PartnerAPI", "Render", "Renders", "Webhooks", "Delivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CoreTests", dependencies: ["Core"], swiftSettings: swiftSettings),
        .testTarget(name: "RenderTests", dependencies: ["Render", "Core", "CPangoCairo"], swiftSettings: swiftSettings),
        .testTarget(name: "AdminProvisioningTests", dependencies: ["AdminProvisioning", "Core"], swiftSettings: swiftSettings),
        .testTarget(name: "EmbedSessionsTests", dependencies: ["EmbedSessions", "Core"], swiftSettings: swiftSettings),
        .testTarget(name: "CatalogsTests", dependencies: ["Catalogs", "Core"], swiftSettings: swiftSettings),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "Core"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SignaturesTests",
            dependencies: [
                "Signatures", "Core", "Render",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "WebhooksTests", dependencies: ["Webhooks", "Core"], swiftSettings: swiftSettings),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates", "Core", "Render"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RendersTests", dependencies: ["Renders", "Core", "Render", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "TestSupport", "AdminProvisioning", "Core",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OutboundTests",
            dependencies: [
                "Outbound", "Core", "Render", "Webhooks", "Delivery",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The blob store contract, run against the file store and an S3 API server (scripts/with-s3.sh).
        .testTarget(
            name: "BlobStoreTests",
            dependencies: ["Storage", "Outbound", "Core", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PartnerAPITests",
            dependencies: [
                "PartnerAPI", "TestSupport", "Storage", "Core", "Templates", "Renders", "Render", "Webhooks", "EmbedSessions", "Delivery",
                "Signatures",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
