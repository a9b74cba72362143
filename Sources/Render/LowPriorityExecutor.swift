import CRenderSupport
import Foundation

/// A task executor of its own threads, run at a lower scheduling priority, for requests from people
/// nobody vetted (iframe sessions, public pages) and everything they start, previews included. Swift's
/// cooperative pool has one thread per core: work of that kind running there would hold every thread,
/// and partners' API requests would queue behind it. On these threads it only takes what the
/// cooperative pool leaves, so a flood from one end user cannot stall the partners' backends. See
/// docs/security.md.
public final class LowPriorityExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is only touched under `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    public let count: Int

    /// - Parameters:
    ///   - count: threads (at least one).
    ///   - niceness: added to each thread's nice value (Linux): 0–19, higher yields more to others.
    ///   - name: thread name prefix (visible in `top -H`, debuggers and tests); Linux keeps 15 bytes.
    public init(count: Int, niceness: Int32 = 10, name: String) {
        self.count = max(1, count)
        for index in 0..<self.count {
            let threadName = String("\(name)-\(index)".utf8.prefix(15))!
            // Strong: the threads never exit, so the executor lives as long as the process; an owner
            // that goes away leaves idle threads, never a dangling one.
            let thread = Thread { [self] in
                // Named from inside: otherwise the kernel name is the creating thread's.
                _ = ck_name_current_thread(threadName)
                Self.lowerPriority(by: niceness)
                self.run()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 1_024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Best effort: a failure leaves the thread at normal priority, which is still off the pool.
    private static func lowerPriority(by niceness: Int32) {
        _ = ck_lower_current_thread_priority(niceness)
    }
}
