// Dequantizers of the IQ grid types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M): each group of 8
// (or 4) weights is an index into a table of lattice points (IQTables.swift) plus signs and a block scale.
// Only dequantization: ggml's quantizers for these need an importance matrix.

func decodeHex(_ s: String, width: Int) -> [UInt64] {
    var out: [UInt64] = []
    out.reserveCapacity(s.utf8.count / width)
    var v: UInt64 = 0, digits = 0
    for c in s.utf8 {
        let d: UInt64
        switch c {
        case 48...57: d = UInt64(c - 48)
        case 97...102: d = UInt64(c - 87)
        default: continue
        }
        v = v << 4 | d
        digits += 1
        if digits == width { out.append(v); v = 0; digits = 0 }
    }
    return out
}

/// ggml's ksigns_iq2xs: 7 sign bits plus an eighth that makes the count of set bits even.
@inline(__always) func ksigns(_ i: UInt32) -> UInt8 {
    UInt8(truncatingIfNeeded: i | (i.nonzeroBitCount & 1 == 1 ? 128 : 0))
}

@inline(__always) func gridByte(_ g: UInt64, _ j: Int) -> Float { Float(UInt8(truncatingIfNeeded: g >> UInt64(8 * j))) }
@inline(__always) func gridByte(_ g: UInt32, _ j: Int) -> Float { Float(UInt8(truncatingIfNeeded: g >> UInt32(8 * j))) }
@inline(__always) func sign(_ signs: UInt8, _ j: Int) -> Float { (signs >> UInt8(j)) & 1 != 0 ? -1 : 1 }

enum IQ2_XXS {
    /// dequantize_row_iq2_xxs
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        let grid = iq2xxsGrid
        for i in 0..<(k / 256) {
            let xb = x + 66 * i
            var yp = y + 256 * i
            let d = loadF16(xb, 0)
            for ib in 0..<8 {
                let a0 = loadU32(xb, 2 + 8 * ib), a1 = loadU32(xb, 6 + 8 * ib)
                let db = d * (0.5 + Float(a1 >> 28)) * 0.25
                for l in 0..<4 {
                    let g = grid[Int((a0 >> UInt32(8 * l)) & 0xFF)]
                    let s = ksigns((a1 >> UInt32(7 * l)) & 127)
                    for j in 0..<8 { yp[j] = db * gridByte(g, j) * sign(s, j) }
                    yp += 8
                }
            }
        }
    }
}

enum IQ2_XS {
    /// dequantize_row_iq2_xs
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        let grid = iq2xsGrid
        for i in 0..<(k / 256) {
            let xb = x + 74 * i
            var yp = y + 256 * i
            let d = loadF16(xb, 0)
            let scales = (xb + 66).assumingMemoryBound(to: UInt8.self)
            for ib in 0..<8 {
                let db0 = d * (0.5 + Float(scales[ib] & 0xF)) * 0.25
                let db1 = d * (0.5 + Float(scales[ib] >> 4)) * 0.25
                for l in 0..<4 {
                    let q = loadU16(xb, 2 + 2 * (4 * ib + l))
                    let g = grid[Int(q & 511)]
                    let s = ksigns(UInt32(q >> 9))
                    let db = l < 2 ? db0 : db1
                    for j in 0..<8 { yp[j] = db * gridByte(g, j) * sign(s, j) }
                    yp += 8
                }
            }
        }
    }
}

enum IQ2_S {
    /// dequantize_row_iq2_s
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        let grid = iq2sGrid
        for i in 0..<(k / 256) {
            let xb = x + 82 * i
            var yp = y + 256 * i
            let d = loadF16(xb, 0)
            let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
            let signs = qs + 32
            let qh = (xb + 66).assumingMemoryBound(to: UInt8.self)
            let scales = (xb + 74).assumingMemoryBound(to: UInt8.self)
            for ib in 0..<8 {
                let db0 = d * (0.5 + Float(scales[ib] & 0xF)) * 0.25
                let db1 = d * (0.5 + Float(scales[ib] >> 4)) * 0.25
                for l in 0..<4 {
                    let dl = l < 2 ? db0 : db1
                    let idx = Int(qs[4 * ib + l]) | (Int(qh[ib]) << (8 - 2 * l) & 0x300)
                    let g = grid[idx]
                    let s = signs[4 * ib + l]
                    for j in 0..<8 { yp[j] = dl * gridByte(g, j) * sign(s, j) }
                    yp += 8
                }
            }
        }
    }
}

enum IQ3_XXS {
    /// dequantize_row_iq3_xxs
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        let grid = iq3xxsGrid
        for i in 0..<(k / 256) {
            let xb = x + 98 * i
            var yp = y + 256 * i
            let d = loadF16(xb, 0)
            let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
            for ib in 0..<8 {
                let aux = loadU32(xb, 2 + 64 + 4 * ib)
                let db = d * (0.5 + Float(aux >> 28)) * 0.5
                for l in 0..<4 {
                    let s = ksigns((aux >> UInt32(7 * l)) & 127)
                    let g1 = grid[Int(qs[8 * ib + 2 * l])], g2 = grid[Int(qs[8 * ib + 2 * l + 1])]
                    for j in 0..<4 {
                        yp[j] = db * gridByte(g1, j) * sign(s, j)
                        yp[j + 4] = db * gridByte(g2, j) * sign(s, j + 4)
                    }
                    yp += 8
                }
            }
        }
    }
}

enum IQ3_S {
    /// dequantize_row_iq3_s
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        let grid = iq3sGrid
        for i in 0..<(k / 256) {
            let xb = x + 110 * i
            var yp = y + 256 * i
            let d = loadF16(xb, 0)
            var qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
            var qh = (xb + 66).assumingMemoryBound(to: UInt8.self)
            var signs = (xb + 74).assumingMemoryBound(to: UInt8.self)
            let scales = (xb + 106).assumingMemoryBound(to: UInt8.self)
            for ib in stride(from: 0, to: 8, by: 2) {
                let db1 = d * Float(1 + 2 * Int32(scales[ib / 2] & 0xF))
                let db2 = d * Float(1 + 2 * Int32(scales[ib / 2] >> 4))
                for (half, db) in [(0, db1), (1, db2)] {
                    let h = Int(qh[half])
                    for l in 0..<4 {
                        let g1 = grid[Int(qs[2 * l]) | ((h << (8 - 2 * l)) & 256)]
                        let g2 = grid[Int(qs[2 * l + 1]) | ((h << (7 - 2 * l)) & 256)]
                        for j in 0..<4 {
                            yp[j] = db * gridByte(g1, j) * sign(signs[l], j)
                            yp[j + 4] = db * gridByte(g2, j) * sign(signs[l], j + 4)
                        }
                        yp += 8
                    }
                    qs += 8
                    signs += 4
                }
                qh += 2
            }
        }
    }
}

enum IQ1_S {
    static let delta: Float = 0.125

    /// dequantize_row_iq1_s
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        let grid = iq1sGrid
        for i in 0..<(k / 256) {
            let xb = x + 50 * i
            var yp = y + 256 * i
            let d = loadF16(xb, 0)
            let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
            for ib in 0..<8 {
                let qh = UInt32(loadU16(xb, 34 + 2 * ib))
                let dl = d * Float(2 * Int32((qh >> 12) & 7) + 1)
                let dlt: Float = qh & 0x8000 != 0 ? -delta : delta
                for l in 0..<4 {
                    let g = grid[Int(qs[4 * ib + l]) | Int((qh >> UInt32(3 * l)) & 7) << 8]
                    for j in 0..<8 { yp[j] = dl * (Float(Int8(truncatingIfNeeded: g >> UInt64(8 * j))) + dlt) }
                    yp += 8
                }
            }
        }
    }
}

enum IQ1_M {
    /// dequantize_row_iq1_m
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        let grid = iq1sGrid
        for i in 0..<(k / 256) {
            let xb = x + 56 * i
            var yp = y + 256 * i
            var qs = xb.assumingMemoryBound(to: UInt8.self)
            var qh = (xb + 32).assumingMemoryBound(to: UInt8.self)
            let sc = (0..<4).map { loadU16(xb, 48 + 2 * $0) }
            let u16 = (sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) | ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000)
            let d = Half.fp32(fp16: u16)
            for ib in 0..<8 {
                let s = sc[ib / 2]
                let dl1 = d * Float(2 * Int32((s >> UInt16(6 * (ib % 2))) & 7) + 1)
                let dl2 = d * Float(2 * Int32((s >> UInt16(6 * (ib % 2) + 3)) & 7) + 1)
                let h0 = Int(qh[0]), h1 = Int(qh[1])
                let idx = [Int(qs[0]) | ((h0 << 8) & 0x700), Int(qs[1]) | ((h0 << 4) & 0x700),
                           Int(qs[2]) | ((h1 << 8) & 0x700), Int(qs[3]) | ((h1 << 4) & 0x700)]
                let delta: [Float] = [h0 & 0x08 != 0 ? -IQ1_S.delta : IQ1_S.delta, h0 & 0x80 != 0 ? -IQ1_S.delta : IQ1_S.delta,
                                      h1 & 0x08 != 0 ? -IQ1_S.delta : IQ1_S.delta, h1 & 0x80 != 0 ? -IQ1_S.delta : IQ1_S.delta]
                for l in 0..<4 {
                    let g = grid[idx[l]]
                    let dl = l < 2 ? dl1 : dl2
                    for j in 0..<8 { yp[j] = dl * (Float(Int8(truncatingIfNeeded: g >> UInt64(8 * j))) + delta[l]) }
                    yp += 8
                }
                qs += 4
                qh += 2
            }
        }
    }
}
