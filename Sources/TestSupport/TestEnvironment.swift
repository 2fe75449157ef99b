import Foundation

/// How the running tests were built. Under `tools/sanitize` the servers the tests start
/// are the sanitizer's build (`BuiltProducts`): several times slower, and holding far
/// more memory (shadow memory; freed blocks kept in ASan's quarantine), so deadlines on
/// a server's work stretch and bounds on its RSS do not apply.
public enum TestEnvironment {
    /// "address" or "thread" under `tools/sanitize` (`TACHO_SANITIZER`), else nil.
    public static var sanitizer: String? { ProcessInfo.processInfo.environment["TACHO_SANITIZER"] }
    /// The factor deadlines on a server's work are multiplied by: 1, or 5 under a sanitizer.
    public static var slowdown: Double { sanitizer == nil ? 1 : 5 }
}
