import Foundation

/// The dashboard's files, served from memory. The packaged set is compiled into the
/// binary (the DashboardEmbedder plugin turns Sources/Server/Dashboard into source),
/// so a `tacho` binary copied anywhere serves its page with no resource bundle and
/// no working-directory assumption. Only files known here are ever served.
public struct DashboardAssets: Sendable {
    public struct Asset: Sendable, Equatable {
        public let bytes: [UInt8]
        public let contentType: String
    }

    /// URL path (`/app.js`, `/panels/health.js`) to file.
    public let files: [String: Asset]

    /// Files larger than this are not loaded: the dashboard has no such file.
    public static let fileBytesMax = 4 * 1024 * 1024
    public static let filesMax = 512

    public init(files: [String: Asset]) {
        self.files = files
    }

    /// The dashboard compiled into this binary.
    public static func packaged() throws -> DashboardAssets? {
        var files: [String: Asset] = [:]
        for (path, base64) in DashboardEmbedded.files {
            guard let data = Data(base64Encoded: base64) else {
                throw DashboardAssetsError(path: path, reason: "its embedded copy is not valid base64; rebuild tacho")
            }
            files[path] = Asset(bytes: Array(data), contentType: contentType(forPath: path))
        }
        assert(files.count <= filesMax, "tools/embed enforces the file limit")
        return files.isEmpty ? nil : DashboardAssets(files: files)
    }

    /// Reads a dashboard from a folder on disk (tests, and pages under development).
    public static func load(directory root: URL) throws -> DashboardAssets {
        let manager = FileManager.default
        var files: [String: Asset] = [:]
        let rootPath = root.standardizedFileURL.path
        guard let walker = manager.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) else {
            return DashboardAssets(files: [:])
        }
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true, (values.fileSize ?? 0) <= fileBytesMax, files.count < filesMax else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath + "/") else { continue }
            let relative = String(path.dropFirst(rootPath.count))
            files[relative] = Asset(bytes: Array(try Data(contentsOf: url)), contentType: contentType(forPath: relative))
        }
        return DashboardAssets(files: files)
    }

    public static func contentType(forPath path: String) -> String {
        switch path.split(separator: ".").last.map({ $0.lowercased() }) ?? "" {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt", "md": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}

public struct DashboardAssetsError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "dashboard file \(path): \(reason)" }
}
