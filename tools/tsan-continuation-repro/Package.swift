// swift-tools-version:6.0
// A ThreadSanitizer false positive of the Swift 6.3 concurrency runtime, reduced to the
// standard library: a task awaits `withUnsafeContinuation` resumed from a plain pthread.
// See RELIABILITY.md ("ThreadSanitizer") and tools/tsan-suppressions.
//   swift build -c debug --sanitize=thread
//   TSAN_OPTIONS=halt_on_error=0 .build/debug/ContinuationRace 8 20000 forced unsafe      # reports
//   TSAN_OPTIONS=halt_on_error=0 .build/debug/ContinuationRace 8 20000 forced-acq unsafe  # control: none
import PackageDescription

let package = Package(
    name: "tsan-continuation-repro",
    targets: [.executableTarget(name: "ContinuationRace")]
)
