import GGUFFormat
import GGUFIO

extension ModelDiff {
    /// The JSON document (schema: docs/inspect.md, "diff").
    public func json() -> JSONValue {
        func v(_ x: GGUFValue?) -> JSONValue { x?.json(arrayLimit: 16) ?? .null }
        func shape(_ t: TensorEntry) -> JSONValue { .array(t.ne.map { .int($0) }) }
        var doc: [(String, JSONValue)] = [
            ("a", .string(a.path)), ("b", .string(b.path)), ("identical", .bool(isEmpty)),
            ("metadata", .object([
                ("added", .object(keysAdded.map { ($0.key, v($0.b)) })),
                ("removed", .object(keysRemoved.map { ($0.key, v($0.a)) })),
                ("changed", .object(keysChanged.map { ($0.key, .object([("a", v($0.a)), ("b", v($0.b))])) })),
            ])),
            ("tensors", .object([
                ("added", .array(tensorsAdded.map { .string($0.name) })),
                ("removed", .array(tensorsRemoved.map { .string($0.name) })),
                ("reshaped", .array(reshaped.map { .object([("name", .string($0.name)), ("a", shape($0.a)), ("b", shape($0.b))]) })),
                ("retyped", .array(retyped.map { .object([("name", .string($0.name)), ("a", .string($0.a.typeName)), ("b", .string($0.b.typeName))]) })),
                ("data_changed", .array(dataChanged.map { .string($0) })),
                ("same_data", .int(sameData)),
            ])),
        ]
        if !values.isEmpty || !skipped.isEmpty {
            func stats(_ s: ValueStats) -> [(String, JSONValue)] {
                [("elements", .int(s.elements)), ("rmse", .double(s.rmse)), ("max_abs", .double(s.maxAbs)),
                 ("relative_rmse", .double(s.relativeRMSE)), ("sum_squared_error", .double(s.sumSquaredError))]
            }
            doc.append(("values", .object([
                ("tensors", .array(values.map { .object([("name", .string($0.name))] + stats($0)) })),
                ("total", .object(stats(total))),
                ("skipped", .array(skipped.map { .object([("name", .string($0.name)), ("reason", .string($0.reason))]) })),
            ])))
        }
        return .object(doc)
    }

    /// The human-readable report.
    public func text() -> String {
        var out = ""
        func line(_ s: String) { out += s + "\n" }
        line("a: \(a.path) (\(a.formatName), \(a.tensors.count) tensors)")
        line("b: \(b.path) (\(b.formatName), \(b.tensors.count) tensors)")
        if isEmpty {
            line(sameData > 0 || a.tensors.isEmpty ? "no differences (metadata, tensor table and data)" : "no differences (metadata and tensor table)")
        }
        for c in keysRemoved { line("- key \(c.key) = \(c.a!.summary())") }
        for c in keysAdded { line("+ key \(c.key) = \(c.b!.summary())") }
        for c in keysChanged { line("~ key \(c.key): \(c.a!.summary()) -> \(c.b!.summary())") }
        for t in tensorsRemoved { line("- tensor \(t.name) \(t.typeName) \(t.ne)") }
        for t in tensorsAdded { line("+ tensor \(t.name) \(t.typeName) \(t.ne)") }
        for c in reshaped { line("~ tensor \(c.name) shape \(c.a.ne) -> \(c.b.ne)") }
        for c in retyped { line("~ tensor \(c.name) type \(c.a.typeName) -> \(c.b.typeName)") }
        for n in dataChanged { line("~ tensor \(n) data differs (crc32)") }
        if !isEmpty {
            line("\(keysAdded.count) keys added, \(keysRemoved.count) removed, \(keysChanged.count) changed; "
                 + "\(tensorsAdded.count) tensors added, \(tensorsRemoved.count) removed, \(reshaped.count) reshaped, "
                 + "\(retyped.count) retyped, \(dataChanged.count) with different data, \(sameData) identical")
        }
        if !values.isEmpty || !skipped.isEmpty {
            let w = (values.map(\.name.count).max() ?? 10) + 1
            line("values:")
            line("  " + pad("tensor", w) + lpad("elements", 11) + lpad("rmse", 14) + lpad("max |a-b|", 14) + lpad("rel. rmse", 12))
            for s in values + (values.isEmpty ? [] : [total]) {
                line("  " + pad(s.name, w) + lpad("\(s.elements)", 11) + lpad(sci(s.rmse), 14) + lpad(sci(s.maxAbs), 14)
                     + lpad(fixed(100 * s.relativeRMSE, 3) + " %", 12))
            }
            for s in skipped { line("  \(s.name): not compared (\(s.reason))") }
        }
        return out
    }
}

/// `1.234e-03`-style numbers.
func sci(_ x: Double) -> String {
    guard x != 0, x.isFinite else { return x == 0 ? "0" : x.description }
    var e = 0
    var m = abs(x)
    while m >= 10 { m /= 10; e += 1 }
    while m < 1 { m *= 10; e -= 1 }
    let sign = x < 0 ? "-" : ""
    return sign + fixed(m, 3) + "e" + (e < 0 ? "-" : "+") + (abs(e) < 10 ? "0" : "") + String(abs(e))
}
