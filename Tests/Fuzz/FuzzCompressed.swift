// libFuzzer target: both readers through `openSource` on a file, so zstd and gzip input (detected by
// magic) and the forward-only skip paths are fuzzed too (built by .ci/fuzz).
import GGUFIO
import GGUFFormat
#if canImport(Glibc)
import Glibc
#endif

let verbose = getenv("FUZZ_VERBOSE") != nil
let path = "/tmp/ggufkit-fuzz-compressed-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return 0 }
    _ = write(fd, data, size)
    close(fd)
    defer { unlink(path) }
    let a = Result { () throws(IOError) in try GGUFReader.read(path: path) }
    let b = Result { () throws(IOError) in try GGMLReader.scan(path: path) }
    if verbose { print("\(a)".prefix(200)); print("\(b)".prefix(200)) }
    return 0
}
