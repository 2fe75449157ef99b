// swift-tools-version:6.0
// ThreadSanitizer false positives of Swift 6.3 on Linux, each reduced to the standard
// library (no Tacho code); RELIABILITY.md ("ThreadSanitizer") tells what each shows.
//   swift build -c debug --sanitize=thread
// ContinuationRace: a task awaiting withUnsafeContinuation resumed from a plain thread
// (the runtime releases on resume and never acquires on await); suppressed in
// tools/tsan-suppressions.
//   TSAN_OPTIONS=halt_on_error=0 .build/debug/ContinuationRace 8 20000 forced unsafe      # reports
//   TSAN_OPTIONS=halt_on_error=0 .build/debug/ContinuationRace 8 20000 forced-acq unsafe  # control: none
//   TSAN_OPTIONS=halt_on_error=0 .build/debug/ContinuationRace 8 20000 forced unsafe payload
//     also reports an object the resumer wrote before the resume, read by the task after it
//     (a NIO async sequence's element: not suppressible by frame; see RELIABILITY.md)
// MutexSlowPath: threads contending for a Synchronization.Mutex (taken in the kernel on
// its slow path, where TSan cannot see it); code TSan must check contends on a pthread
// mutex instead.
//   TSAN_OPTIONS=halt_on_error=0 .build/debug/MutexSlowPath 8                              # reports
//   TSAN_OPTIONS=halt_on_error=0 .build/debug/MutexSlowPath 1                              # control: none
import PackageDescription

let package = Package(
    name: "tsan-repro",
    targets: [
        .executableTarget(name: "ContinuationRace"),
        .executableTarget(name: "MutexSlowPath"),
    ]
)
