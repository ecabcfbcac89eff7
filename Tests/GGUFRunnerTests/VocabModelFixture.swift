import Foundation
import GGUFModel
import GGUFTestSupport

/// A synthetic model carrying a real vocabulary, and its llama.cpp references (`Fixtures/runner/FOLDER/`: the spec
/// NAME.spec, expected.json from make_refs.py): the model is written once per test run into a temp folder, the
/// spec's weights from the references' seed and scale, every `tokenizer.*` key copied from
/// `Fixtures/tokenizer/vocab/VOCABULARY`. Shared by `BPEModelTests` and `SPMModelTests`.
struct VocabModelFixture: Sendable {
    struct Expected: Decodable, Sendable {
        struct Case: Decodable, Sendable { let prompt: String; let prompt_ids: [Int32]; let greedy: [Int32] }
        let seed: UInt64
        let scale: Float
        let n: Int
        let cases: [Case]
    }

    let folder: String, name: String, vocabulary: String
    let dir = makeTempDir()
    let expected: Expected

    init(folder: String, name: String, vocabulary: String) {
        self.folder = folder; self.name = name; self.vocabulary = vocabulary
        let d = FileManager.default.contents(atPath: fixturesDir + "/runner/\(folder)/expected.json")!
        expected = try! JSONDecoder().decode(Expected.self, from: d)
    }

    /// The F16 model, written on first use.
    func modelPath() throws -> String {
        let out = dir + "/\(name)-F16.gguf"
        if FileManager.default.fileExists(atPath: out) { return out }
        let text = try String(contentsOfFile: fixturesDir + "/runner/\(folder)/\(name).spec", encoding: .utf8)
        var spec = try ModelSpec(parsing: text, name: name)
        try spec.copyVocabulary(path: fixturesDir + "/tokenizer/vocab/" + vocabulary)
        try spec.write(to: out, seed: expected.seed, scale: expected.scale)
        return out
    }
}
