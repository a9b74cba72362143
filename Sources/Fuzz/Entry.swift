import Foundation

// The fuzz harness (`make fuzz`, docs/security.md#fuzzing). Built two ways:
//
// - With `-sanitize=fuzzer,address -D CRAFTKIT_FUZZ` (the `make fuzz` build), `main` hands over to
//   libFuzzer, which calls `LLVMFuzzerTestOneInput` with each input for the target named by
//   `CRAFTKIT_FUZZ_TARGET`. SwiftPM links an executable's entry point as `main` itself, so libFuzzer's
//   own `main` cannot be used; `LLVMFuzzerRunDriver` is its documented way in from a custom one.
// - In the ordinary build (no sanitizer, nothing else depends on it) it replays inputs without
//   libFuzzer: `Fuzz <target> <file>...`, handy to reproduce a saved crash under the debugger.

/// The target of this process, read once: libFuzzer calls the entry point millions of times.
let selectedTarget = ProcessInfo.processInfo.environment["CRAFTKIT_FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let target = selectedTarget else { return 0 }
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    target.run(data)
    return 0
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

func usage() -> Never {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
    #if CRAFTKIT_FUZZ
        printError("usage: CRAFTKIT_FUZZ_TARGET=\(names) Fuzz [libFuzzer options] [corpus directories]")
    #else
        printError("usage: Fuzz \(names) <input file>...")
    #endif
    exit(2)
}

#if CRAFTKIT_FUZZ
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @main
    enum FuzzMain {
        static func main() {
            if selectedTarget == nil { usage() }
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzTestOneInput))
        }
    }
#else
    @main
    enum FuzzMain {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else { usage() }
            for path in arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    printError("cannot read \(path)")
                    exit(1)
                }
                target.run(data)
                print("\(target.rawValue) \(path): ok")
            }
        }
    }
#endif
