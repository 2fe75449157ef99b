import Foundation

/// The executables this package builds, taken from the build directory the running
/// tests were built into: `.build/…/debug` normally, `.build-asan/…/debug` or
/// `.build-tsan/…/debug` under `tools/sanitize`, so a server or command a test starts
/// runs under the same sanitizer as the test itself.
public enum BuiltProducts {
    /// The path of `product` beside the running test binary, else under
    /// `packageRoot/.build/debug` (the binary may be missing; the caller says so).
    public static func path(_ product: String, packageRoot: URL) -> String {
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let sibling = runner.deletingLastPathComponent().appendingPathComponent(product).path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        return packageRoot.appendingPathComponent(".build/debug/\(product)").path
    }
}
