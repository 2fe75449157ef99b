// No NIO, no Foundation, no Tacho code. A task awaits withUnsafe/CheckedContinuation that is
// resumed from a plain pthread. The async frame is written before and after the await.
//
// usage: ContinuationRace [tasks=8] [total=50000] [mode=natural|forced|forced-acq] [kind=unsafe|checked] [payload]
//   natural: the continuation is handed to the resumer thread (mutex+condvar queue);
//            the awaiting task suspends normally; the resume usually happens after.
//   forced : same hand-off, but the continuation's body spins (relaxed atomic, which
//            gives TSan no happens-before edge) until the resumer has resumed, so
//            swift_continuation_await always finds the continuation already resumed.
//   payload: besides, the resumer writes a heap object the task reads after the await (an
//            element handed over as NIO's async sequences hand a decoded frame to the task
//            that awaits it): the same missing acquire, reported at those two accesses.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

let args = CommandLine.arguments
let tasks = args.count > 1 ? Int(args[1])! : 8
let total = args.count > 2 ? Int(args[2])! : 50000
let modeArg = args.count > 3 ? args[3] : "natural"
let forced = modeArg == "forced" || modeArg == "forced-acq"
// Control: "forced-acq" is "forced" but the flag is stored with .releasing after resume and
// loaded with .acquiring, i.e. it hands TSan the same happens-before edge the runtime's own
// (uninstrumented) status atomics provide.
let acq = modeArg == "forced-acq"
let checked = (args.count > 4 ? args[4] : "unsafe") == "checked"
let payload = args.count > 5 && args[5] == "payload"
let perTask = total / tasks

final class Flag: Sendable { let v = Atomic<Int>(0) }
final class Box: @unchecked Sendable { var value = 0 }

struct Item: @unchecked Sendable {
    var unsafeCont: UnsafeContinuation<Void, Never>?
    var checkedCont: CheckedContinuation<Void, Never>?
    var flag: Flag?
    var box: Box?
}

// A minimal resumer thread with a mutex/condvar work queue (TSan sees these, so they give
// coop -> resumer ordering only).
final class Resumer: @unchecked Sendable {
    var mutex = pthread_mutex_t()
    var cond = pthread_cond_t()
    var queue: [Item] = []
    init() { pthread_mutex_init(&mutex, nil); pthread_cond_init(&cond, nil) }
    func push(_ i: Item) {
        pthread_mutex_lock(&mutex); queue.append(i); pthread_cond_signal(&cond); pthread_mutex_unlock(&mutex)
    }
    func run() {
        while true {
            pthread_mutex_lock(&mutex)
            while queue.isEmpty { pthread_cond_wait(&cond, &mutex) }
            let items = queue; queue.removeAll(keepingCapacity: true)
            pthread_mutex_unlock(&mutex)
            for it in items {
                it.box?.value = 42                // written before the resume, read by the task after it
                if let c = it.unsafeCont { c.resume() }
                if let c = it.checkedCont { c.resume() }
                if acq { it.flag?.v.store(1, ordering: .releasing) } else { it.flag?.v.store(1, ordering: .relaxed) }
            }
        }
    }
}

// A free (nonisolated) function, so the C thread entry closure is not @MainActor-isolated.
func startResumerThread(_ r: Resumer) {
    var tid = pthread_t()
    let rc = pthread_create(&tid, nil, { p in
        Unmanaged<Resumer>.fromOpaque(p!).takeUnretainedValue().run(); return nil
    }, Unmanaged.passRetained(r).toOpaque())
    precondition(rc == 0)
}
let resumer = Resumer()
startResumerThread(resumer)

@inline(never)
func work(_ i: Int) async -> Int {
    var local = (i &* 3, i &+ 7, i ^ 5)   // async-frame writes on a cooperative thread
    local.0 &+= 1
    let flag: Flag? = forced ? Flag() : nil
    let box: Box? = payload ? Box() : nil
    if checked {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            resumer.push(Item(unsafeCont: nil, checkedCont: c, flag: flag, box: box))
            if let flag { while (acq ? flag.v.load(ordering: .acquiring) : flag.v.load(ordering: .relaxed)) == 0 { sched_yield() } }
        }
    } else {
        await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
            resumer.push(Item(unsafeCont: c, checkedCont: nil, flag: flag, box: box))
            if let flag { while (acq ? flag.v.load(ordering: .acquiring) : flag.v.load(ordering: .relaxed)) == 0 { sched_yield() } }
        }
    }
    if let box { local.0 &+= box.value }  // the handed-over object, read after resumption
    local.1 &+= local.0                    // async-frame writes after resumption
    local.2 &+= local.1
    return local.2
}

let result = await withTaskGroup(of: Int.self) { g in
    for t in 0..<tasks {
        g.addTask {
            var acc = 0
            for j in 0..<perTask { acc &+= await work(t &* perTask &+ j) }
            return acc
        }
    }
    var s = 0
    for await r in g { s &+= r }
    return s
}
print("done tasks=\(tasks) total=\(total) mode=\(modeArg) checked=\(checked) payload=\(payload) result=\(result)")
