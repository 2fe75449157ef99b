import Foundation
import Testing
@testable import Server

/// The dashboard is compiled into the binary; what it serves must be exactly the
/// files of Sources/Server/Dashboard as they are now, every one of them.
@Suite struct DashboardEmbeddingTests {
    static let sourceFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Server/Dashboard")

    @Test func embeddedDashboard_equalsTheSourceFolder_fileForFile() throws {
        let embedded = try #require(try DashboardAssets.packaged())
        let onDisk = try DashboardAssets.load(directory: Self.sourceFolder)
        #expect(onDisk.files.count > 10, "the source folder was read")
        #expect(Set(embedded.files.keys) == Set(onDisk.files.keys))
        let differing = onDisk.files.filter { path, asset in embedded.files[path] != asset }.keys.sorted()
        #expect(differing.isEmpty, "differ from their embedded copies: \(differing)")
        #expect(embedded.files["/index.html"]?.contentType == "text/html; charset=utf-8")
    }
}
