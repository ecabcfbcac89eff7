// libFuzzer target: the GGML/GGMF/GGJT legacy scanner on arbitrary bytes (built by .ci/fuzz).
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
    let reader = Reader(MemorySource(bytes, path: "fuzz.bin"), capacity: 64)
    let result = Result { () throws(IOError) in try GGMLReader.scan(reader) }
    if verbose { print("\(result)".prefix(300)) }
    if case .success(let f) = result {
        var total = f.vocab.count &+ f.formatName.utf8.count
        for t in f.tensors { total &+= t.byteCount &+ t.dataOffset &+ t.elementCount }
        if total == 42 { return 0 }
    }
    return 0
}
