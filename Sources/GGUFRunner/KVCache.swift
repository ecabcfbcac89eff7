/// The key and value cache of every layer, in F16 as llama.cpp keeps it by default.
///
/// Layout per layer: keys position-major (`kvDimension` values per position, heads side by side);
/// values transposed, `capacity` positions per dimension (`values[i · capacity + position]`), as
/// llama.cpp stores V without flash attention, so that `V·p` sums contiguous rows over positions.
public struct KVCache: Sendable {
    public let capacity: Int
    public let kvDimension: Int
    /// Positions filled (the next token goes to position `count`).
    public internal(set) var count = 0
    var keys: [[UInt16]]
    var values: [[UInt16]]

    public init(layers: Int, capacity: Int, kvDimension: Int) {
        self.capacity = capacity
        self.kvDimension = kvDimension
        keys = Array(repeating: [UInt16](repeating: 0, count: capacity * kvDimension), count: layers)
        values = keys
    }

    /// Forgets positions from `position` on (the next token goes there).
    public mutating func truncate(to position: Int) { count = min(count, max(0, position)) }
}
