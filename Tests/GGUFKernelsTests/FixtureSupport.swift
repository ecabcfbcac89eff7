import Foundation
import XCTest
@testable import GGUFKernels

/// The committed test vectors in Fixtures/kernels (made by make_vectors.py against llama.cpp).
enum Fixtures {
    static let dir: URL = {
        var u = URL(fileURLWithPath: #filePath)
        while u.path != "/" {
            u.deleteLastPathComponent()
            let f = u.appendingPathComponent("Fixtures/kernels/index.txt")
            if FileManager.default.fileExists(atPath: f.path) { return u.appendingPathComponent("Fixtures/kernels") }
        }
        fatalError("Fixtures/kernels not found above \(#filePath)")
    }()

    struct Entry { let name, kind, type: String; let rows, cols: Int }

    /// index.txt (make_vectors.py), index-quant.txt (make_quant_vectors.py) and index-dot.txt (make_dot_vectors.py).
    static let index: [String: Entry] = {
        var text = ""
        for f in ["index.txt", "index-quant.txt", "index-dot.txt"] { text += try! String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8) + "\n" }
        var d: [String: Entry] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ").map(String.init)
            d[f[0]] = Entry(name: f[0], kind: f[1], type: f[2], rows: Int(f[3])!, cols: Int(f[4])!)
        }
        return d
    }()

    static func has(_ name: String) -> Bool { index[name] != nil }

    static func bytes(_ name: String) -> (Entry, [UInt8]) {
        let e = index[name]!
        let data = try! Data(contentsOf: dir.appendingPathComponent(name))
        return (e, [UInt8](data))
    }

    static func floats(_ name: String) -> (Entry, [Float]) {
        let (e, b) = bytes(name)
        let f = b.withUnsafeBytes { raw in (0..<(b.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
        return (e, f)
    }

    /// Row names of x.f32.bin (see index.txt).
    static let rowNames = ["normal", "student_t2", "zeros", "constant", "tiny", "huge", "single", "alternating", "llama_f16", "shifted"]
}

extension QuantType {
    init(named name: String) {
        self = QuantType.allCases.first { $0.description == name }!
    }
}

/// Quantizes float rows with our kernel.
func quantizeRows(_ t: QuantType, _ x: [Float], rows: Int, n: Int) throws -> [UInt8] {
    var out = [UInt8](repeating: 0xAA, count: rows * (try t.rowSize(n)))
    try x.withUnsafeBufferPointer { src in
        try out.withUnsafeMutableBytes { dst in
            try Kernels.quantize(t, src: src.baseAddress!, dst: dst.baseAddress!, rows: rows, rowLength: n)
        }
    }
    return out
}

/// Quantizes float rows with our kernel and importance weights (a float per column).
func quantizeRows(_ t: QuantType, _ x: [Float], rows: Int, n: Int, weights: [Float]) throws -> [UInt8] {
    var out = [UInt8](repeating: 0xAA, count: rows * (try t.rowSize(n)))
    try x.withUnsafeBufferPointer { src in
        try weights.withUnsafeBufferPointer { w in
            try out.withUnsafeMutableBytes { dst in
                try Kernels.quantize(t, src: src.baseAddress!, dst: dst.baseAddress!, rows: rows, rowLength: n, weights: w.baseAddress!)
            }
        }
    }
    return out
}

/// Rows quantized by one row function (no length checks; `n` is a multiple of the block size).
func quantizeRows(_ t: QuantType, _ x: [Float], rows: Int, n: Int, with fn: QuantizeRowFn) throws -> [UInt8] {
    let rb = try t.rowSize(n)
    var out = [UInt8](repeating: 0xAA, count: rows * rb)
    x.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBytes { dst in
            for r in 0..<rows { fn(src.baseAddress! + r * n, dst.baseAddress! + r * rb, n) }
        }
    }
    return out
}

/// Dequantizes with one given implementation (rows of `n`, contiguous).
func dequantizeRows(_ t: QuantType, _ q: [UInt8], rows: Int, n: Int, with fn: DequantizeRowFn) throws -> [Float] {
    let rb = try t.rowSize(n)
    var out = [Float](repeating: 0, count: rows * n)
    q.withUnsafeBytes { src in
        out.withUnsafeMutableBufferPointer { dst in
            for r in 0..<rows { fn(src.baseAddress! + r * rb, dst.baseAddress! + r * n, n) }
        }
    }
    return out
}

func dequantizeRows(_ t: QuantType, _ q: [UInt8], rows: Int, n: Int) throws -> [Float] {
    var out = [Float](repeating: 0, count: rows * n)
    try q.withUnsafeBytes { src in
        try out.withUnsafeMutableBufferPointer { dst in
            try Kernels.dequantize(t, src: src.baseAddress!, dst: dst.baseAddress!, rows: rows, rowLength: n)
        }
    }
    return out
}

/// Compares two byte arrays row by row; returns the number of differing rows and records failures.
@discardableResult
func assertSameBytes(_ got: [UInt8], _ want: [UInt8], rowBytes: Int, _ what: String, file: StaticString = #filePath, line: UInt = #line) -> Int {
    XCTAssertEqual(got.count, want.count, "\(what): size", file: file, line: line)
    var bad = 0
    for r in 0..<(want.count / rowBytes) {
        let a = got[(r * rowBytes)..<((r + 1) * rowBytes)], b = want[(r * rowBytes)..<((r + 1) * rowBytes)]
        if a != b {
            bad += 1
            let first = zip(a.indices, zip(a, b)).first { $0.1.0 != $0.1.1 }!
            XCTFail("\(what): row \(r) differs first at byte \(first.0 - r * rowBytes): got \(first.1.0) want \(first.1.1)", file: file, line: line)
        }
    }
    return bad
}

@discardableResult
func assertSameFloatBits(_ got: [Float], _ want: [Float], rowLength: Int, _ what: String, file: StaticString = #filePath, line: UInt = #line) -> Int {
    XCTAssertEqual(got.count, want.count, "\(what): size", file: file, line: line)
    var bad = 0
    for r in 0..<(want.count / rowLength) {
        for j in 0..<rowLength where got[r * rowLength + j].bitPattern != want[r * rowLength + j].bitPattern {
            bad += 1
            XCTFail("\(what): row \(r) element \(j): got \(got[r * rowLength + j]) want \(want[r * rowLength + j])", file: file, line: line)
            break
        }
    }
    return bad
}
