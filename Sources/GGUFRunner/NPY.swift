import Foundation

/// Reads and writes little-endian float32 `.npy` files (NumPy format 1.0), C order.
public enum NPY {
    /// Writes `values` as float32 with `shape`.
    public static func write(_ values: [Float], shape: [Int], to path: String) throws {
        precondition(shape.reduce(1, *) == values.count)
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw RunnerError.usage("\(path): cannot write")
        }
    }

    /// Reads a float32 `.npy` file: the values and the shape.
    public static func read(_ path: String) throws -> (values: [Float], shape: [Int]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw RunnerError.usage("\(path): cannot read") }
        let b = [UInt8](data)
        guard b.count >= 10, b[0] == 0x93, Array(b[1...5]) == Array("NUMPY".utf8) else {
            throw RunnerError.usage("\(path): not a .npy file")
        }
        let major = b[6]
        let hlen: Int, hstart: Int
        if major == 1 { hlen = Int(b[8]) | Int(b[9]) << 8; hstart = 10 } else {
            guard b.count >= 12 else { throw RunnerError.usage("\(path): truncated .npy header") }
            hlen = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24; hstart = 12
        }
        guard hstart + hlen <= b.count else { throw RunnerError.usage("\(path): truncated .npy header") }
        let header = String(decoding: b[hstart ..< hstart + hlen], as: UTF8.self)
        guard header.contains("'<f4'"), header.contains("'fortran_order': False") else {
            throw RunnerError.usage("\(path): only little-endian float32 C-order .npy files are supported")
        }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw RunnerError.usage("\(path): no shape in the .npy header")
        }
        let shape = header[open.upperBound ..< close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        let start = hstart + hlen
        guard b.count - start == count * 4 else { throw RunnerError.usage("\(path): expected \(count) float32 values") }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { $0.copyBytes(from: b[start...]) }
        return (values, shape)
    }
}
