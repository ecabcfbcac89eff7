/// Bytes, tensors and parameters of one tensor type.
public struct TypeStat: Sendable, Equatable {
    public var typeName: String
    public var tensors: Int
    public var bytes: Int
    public var parameters: Int

    /// Bits per weight of this type's tensors.
    public var bitsPerWeight: Double { parameters == 0 ? 0 : 8 * Double(bytes) / Double(parameters) }
}

/// Totals over a model's tensors: parameters, bytes, bits per weight, and the same per type.
public struct TensorSummary: Sendable, Equatable {
    public var parameters: Int
    public var bytes: Int
    /// Per type, most bytes first.
    public var types: [TypeStat]

    public init(_ tensors: [TensorEntry]) {
        var byType: [String: TypeStat] = [:]
        var order: [String] = []
        for t in tensors {
            if byType[t.typeName] == nil {
                byType[t.typeName] = TypeStat(typeName: t.typeName, tensors: 0, bytes: 0, parameters: 0)
                order.append(t.typeName)
            }
            byType[t.typeName]!.tensors += 1
            byType[t.typeName]!.bytes += t.bytes
            byType[t.typeName]!.parameters += t.elementCount
        }
        types = order.map { byType[$0]! }.sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.typeName < $1.typeName }
        parameters = tensors.reduce(0) { $0 + $1.elementCount }
        bytes = tensors.reduce(0) { $0 + $1.bytes }
    }

    /// Overall bits per weight: 8 × tensor bytes / parameters.
    public var bitsPerWeight: Double { parameters == 0 ? 0 : 8 * Double(bytes) / Double(parameters) }
}
