/// An open-addressing hash table from byte strings to token ids, probed with byte ranges without allocating.
struct ByteTable: Sendable {
    /// All token texts back to back.
    let bytes: [UInt8]
    /// `offsets[i] ..< offsets[i + 1]` is token i's text in `bytes`.
    let offsets: [Int]
    /// Slot → token id, or -1 when empty. The count is a power of two.
    let slots: [Int32]

    /// Builds the table; returns the first duplicate pair instead when two texts are equal.
    static func build(_ texts: [[UInt8]]) -> Result<ByteTable, VocabularyError> {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(texts.reduce(0) { $0 + $1.count })
        var offsets: [Int] = [0]
        offsets.reserveCapacity(texts.count + 1)
        for t in texts {
            bytes.append(contentsOf: t)
            offsets.append(bytes.count)
        }
        var size = 16
        while size < texts.count * 2 { size <<= 1 }
        var slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        for (i, t) in texts.enumerated() {
            var s = Int(truncatingIfNeeded: t.withUnsafeBufferPointer { hash($0) }) & mask
            while slots[s] >= 0 {
                let j = Int(slots[s])
                if texts[j] == t { return .failure(.duplicateToken(id: Int32(i), firstID: Int32(j))) }
                s = (s + 1) & mask
            }
            slots[s] = Int32(i)
        }
        return .success(ByteTable(bytes: bytes, offsets: offsets, slots: slots))
    }

    /// Builds the table keeping the first of equal texts; returns it and, for each slot entry, the index
    /// into `texts` it came from (`kept[i]`: the original index of table id i).
    static func buildKeepingFirst(_ texts: [[UInt8]]) -> (table: ByteTable, kept: [Int]) {
        var size = 16
        while size < texts.count * 2 { size <<= 1 }
        var slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        var bytes: [UInt8] = []
        var offsets: [Int] = [0]
        var kept: [Int] = []
        kept.reserveCapacity(texts.count)
        offsets.reserveCapacity(texts.count + 1)
        outer: for (i, t) in texts.enumerated() {
            var s = Int(truncatingIfNeeded: t.withUnsafeBufferPointer { hash($0) }) & mask
            while slots[s] >= 0 {
                let j = Int(slots[s])
                if bytes[offsets[j] ..< offsets[j + 1]].elementsEqual(t) { continue outer }
                s = (s + 1) & mask
            }
            slots[s] = Int32(kept.count)
            kept.append(i)
            bytes.append(contentsOf: t)
            offsets.append(bytes.count)
        }
        return (ByteTable(bytes: bytes, offsets: offsets, slots: slots), kept)
    }

    /// FNV-1a over the bytes.
    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in p {
            h = (h ^ UInt64(b)) &* 0x100_0000_01b3
        }
        return h ^ (h >> 29)
    }

    /// The id of the token whose text is exactly `key`, or nil.
    func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        slots.withUnsafeBufferPointer { slots in
            bytes.withUnsafeBufferPointer { bytes in
                offsets.withUnsafeBufferPointer { offsets in
                    ByteTable.lookup(key, slots: slots, bytes: bytes, offsets: offsets)
                }
            }
        }
    }

    /// The lookup on already-pinned storage (the tokenizer's hot loop).
    @inline(__always)
    static func lookup(_ key: UnsafeBufferPointer<UInt8>, slots: UnsafeBufferPointer<Int32>,
                       bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int>) -> Int32? {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hash(key)) & mask
        while true {
            let id = slots[s]
            if id < 0 { return nil }
            let lo = offsets[Int(id)], hi = offsets[Int(id) + 1]
            if hi - lo == key.count {
                var equal = true
                var k = 0
                while k < key.count {
                    if bytes[lo + k] != key[k] { equal = false; break }
                    k += 1
                }
                if equal { return id }
            }
            s = (s + 1) & mask
        }
    }
}
