import Foundation
import GGUFFormat

/// The files of a Hugging Face model folder that the converter reads besides the weights.
public struct HFFolder: Sendable {
    public var path: String
    /// config.json as written.
    public var config: JSONNode

    public init(path: String) throws(ModelError) {
        self.path = path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw .usage("\(path): not a directory")
        }
        guard let c = try HFFolder.readJSON(path, "config.json") else {
            throw .usage("\((path as NSString).appendingPathComponent("config.json")): not found (a Hugging Face model folder has one)")
        }
        guard c.members != nil else { throw .badData("\((path as NSString).appendingPathComponent("config.json")): expected a JSON object") }
        config = c
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    /// The folder's last path component (what the converter names the model after).
    public var directoryName: String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        let last = (p as NSString).lastPathComponent
        if last == "." || last == ".." || last.isEmpty {
            return ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(p) as NSString).standardizingPath
                .split(separator: "/").last.map(String.init) ?? last
        }
        return last
    }

    /// A JSON file of the folder, or nil when it does not exist.
    public func json(_ name: String) throws(ModelError) -> JSONNode? { try HFFolder.readJSON(path, name) }

    static func readJSON(_ dir: String, _ name: String) throws(ModelError) -> JSONNode? {
        let p = (dir as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        guard let data = FileManager.default.contents(atPath: p) else { throw .usage("\(p): cannot read") }
        do { return try JSONNode.parse(data) } catch {
            throw .badData("\(p): at offset \(error.offset): invalid JSON: \(error.message)")
        }
    }

    /// A text file of the folder, or nil.
    public func text(_ name: String) throws(ModelError) -> String? {
        guard exists(name) else { return nil }
        guard let data = FileManager.default.contents(atPath: file(name)) else { throw .usage("\(file(name)): cannot read") }
        return String(decoding: data, as: UTF8.self)
    }
}
