// Plain threads modify a Mutex<[Int]>'s value under withLock, contended (8 threads, work
// inside the lock, so waiters sleep in the futex slow path): is the lock visible to TSan?
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Foundation

final class Box: @unchecked Sendable { let state = Mutex<[Int]>([]) }
let box = Box()
let done = Atomic<Int>(0)
let threads = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 8
for t in 0..<threads {
    let thread = Thread {
        for i in 0..<3000 {
            box.state.withLock { values in
                values.append(i &+ t)
                var x = 0
                for j in 0..<2000 { x &+= j &* i }   // hold the lock a while
                if x == 42 { values.removeAll() }
            }
        }
        done.add(1, ordering: .releasing)
    }
    thread.start()
}
while done.load(ordering: .acquiring) < threads { usleep(1000) }
print("count", box.state.withLock { $0.count })
