// libFuzzer target: the GGUF header reader on arbitrary bytes (built by .ci/fuzz, not by SwiftPM).
import GGUFIO
import GGUFFormat
#if canImport(Glibc)
import Glibc
#endif

/// FUZZ_VERBOSE=1 prints each input's result (for triage: `fuzz-xxx FILE...`).
let verbose = getenv("FUZZ_VERBOSE") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // A small reader buffer so that refills and large reads are exercised on small inputs too.
    let reader = Reader(MemorySource(bytes, path: "fuzz.gguf"), capacity: 64)
    let result = Result { () throws(IOError) in try GGUFReader.read(reader) }
    if verbose { print("\(result)".prefix(300)) }
    if case .success(let f) = result {
        // Touch what callers use: sizes, offsets, metadata descriptions.
        var total = 0
        for t in f.tensors { total &+= t.byteCount &+ f.absoluteOffset(of: t) &+ t.rowCount }
        for e in f.metadata.entries { total &+= e.key.utf8.count &+ e.value.typeName.utf8.count }
        if total == 42 { return 0 }
    }
    return 0
}
