import GGUFFormat

extension ModelSpec {
    /// Appends every `tokenizer.*` key of `vocabulary` (e.g. a real `ggml-vocab-*.gguf`), in its order, replacing
    /// the spec's own `tokenizer.*` keys: a synthetic model with a real vocabulary.
    public mutating func copyVocabulary(from vocabulary: GGUFMetadata) {
        for k in metadata.keys where k.hasPrefix("tokenizer.") { metadata.remove(k) }
        for (k, v) in vocabulary.entries where k.hasPrefix("tokenizer.") { metadata.setAppending(k, v) }
    }

    /// ``copyVocabulary(from:)`` with the metadata of the GGUF file at `path`.
    public mutating func copyVocabulary(path: String) throws {
        copyVocabulary(from: try GGUFReader.read(path: path).metadata)
    }
}
