import GGUFFormat

/// The `general.*` keys of gguf-py's `Metadata.set_gguf_meta_model` (after the sampling keys), filled from
/// the model card as `apply_metadata_heuristic` fills them.
struct HFGeneral {
    var names = HFModelName()
    var author, description: String?
    var license: JSONNode?
    var licenseName, licenseLink: String?
    var sourceURL, sourceDOI, sourceUUID, sourceRepoURL: String?
    var baseModels: [[(String, String)]]?
    var datasets: [[(String, String)]]?
    var tags: [String]?
    var languages: [String]?

    /// Python's `str()` of a YAML scalar, or nil for null.
    static func text(_ v: JSONNode?) -> String? {
        switch v {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .double(let d)?: return String(d)
        case .bool(let b)?: return b ? "True" : "False"
        default: return nil
        }
    }

    mutating func apply(card c: HFModelCard, totalParams: Int) {
        func use(_ field: WritableKeyPath<HFGeneral, String?>, _ key: String) {
            if c.has(key) && self[keyPath: field] == nil { self[keyPath: field] = HFGeneral.text(c[key]) }
        }
        let pairs: [(WritableKeyPath<HFGeneral, String?>, String)] = [
            (\.names.name, "name"), (\.author, "author"), (\.names.version, "version"), (\.names.organization, "organization"),
            (\.description, "description"), (\.names.finetune, "finetune"), (\.names.basename, "basename"),
            (\.names.sizeLabel, "size_label"), (\.sourceURL, "url"), (\.sourceDOI, "doi"), (\.sourceUUID, "uuid"),
            (\.sourceRepoURL, "repo_url"),
            (\.names.name, "model_name"), (\.author, "model_author"), (\.names.version, "model_version"),
            (\.names.organization, "model_organization"), (\.description, "model_description"), (\.names.finetune, "model_finetune"),
            (\.names.basename, "model_basename"), (\.names.sizeLabel, "model_size_label"), (\.sourceURL, "model_url"),
            (\.sourceDOI, "model_doi"), (\.sourceUUID, "model_uuid"), (\.sourceRepoURL, "model_repo_url"),
            (\.names.name, "model_name"), (\.author, "model_creator"), (\.names.basename, "model_type"),
        ]
        for (f, k) in pairs { use(f, k) }

        func entries(_ keys: [String]) -> [[(String, String)]]? {
            guard let k = keys.first(where: { c.has($0) }) else { return nil }
            var ids: [String] = []
            switch c[k] {
            case .string(let s)?: ids = [s]
            case .array(let a)?: ids = a.compactMap(\.string)
            default: break
            }
            return ids.map { id in
                var e: [(String, String)] = []
                func put(_ k: String, _ v: String?) { if let v { e.append((k, v)) } }
                if id.hasPrefix("http://") || id.hasPrefix("https://") || id.hasPrefix("ssh://") {
                    if id.contains("huggingface.co"),
                       let r = id.range(of: #"^https?://huggingface.co/([^/]+/[^/]+)$"#, options: .regularExpression) {
                        let path = String(id[r]).replacingOccurrences(of: #"^https?://huggingface.co/"#, with: "", options: .regularExpression)
                        let m = HFModelName.components(of: path, totalParams: totalParams)
                        put("name", m.fullName.map(HFModelName.title))
                        put("organization", m.org.map(HFModelName.title))
                        put("version", m.version)
                    }
                    put("repo_url", id)
                } else {
                    let m = HFModelName.components(of: id, totalParams: totalParams)
                    put("name", m.fullName.map(HFModelName.title))
                    put("organization", m.org.map(HFModelName.title))
                    put("version", m.version)
                    if let o = m.org, let n = m.fullName { put("repo_url", "https://huggingface.co/\(o)/\(n)") }
                }
                return e
            }
        }
        if ["base_model", "base_models", "base_model_sources"].contains(where: { c.has($0) }) {
            baseModels = (baseModels ?? []) + (entries(["base_model", "base_models", "base_model_sources"]) ?? [])
        }
        if ["datasets", "dataset", "dataset_sources"].contains(where: { c.has($0) }) {
            datasets = (datasets ?? []) + (entries(["datasets", "dataset", "dataset_sources"]) ?? [])
        }
        if c.has("license") && license == nil { license = c["license"] }
        use(\.licenseName, "license_name")
        use(\.licenseLink, "license_link")
        func extend(_ field: WritableKeyPath<HFGeneral, [String]?>, _ key: String) {
            guard let v = c[key], !v.isNull else { return }
            var cur = self[keyPath: field] ?? []
            if let s = v.string { cur.append(s) } else if let a = v.array { cur += a.compactMap { HFGeneral.text($0) } }
            self[keyPath: field] = cur
        }
        extend(\.tags, "tags")
        extend(\.tags, "pipeline_tag")
        extend(\.languages, "languages")
        extend(\.languages, "language")
    }

    /// Writes name ... languages in gguf-py's order (empty strings and lists are skipped, as gguf-py does).
    func write(into md: inout GGUFMetadata) {
        func str(_ k: String, _ v: String?) { if let v, !v.isEmpty { md[k] = .string(v) } }
        str("general.name", names.name)
        str("general.author", author)
        str("general.version", names.version)
        str("general.organization", names.organization)
        str("general.finetune", names.finetune)
        str("general.basename", names.basename)
        str("general.description", description)
        str("general.size_label", names.sizeLabel)
        if let l = license {
            if let a = l.array { str("general.license", a.compactMap { HFGeneral.text($0) }.joined(separator: ",")) }
            else { str("general.license", HFGeneral.text(l)) }
        }
        str("general.license.name", licenseName)
        str("general.license.link", licenseLink)
        str("general.source.url", sourceURL)
        str("general.source.doi", sourceDOI)
        str("general.source.uuid", sourceUUID)
        str("general.source.repo_url", sourceRepoURL)
        let order = ["name", "author", "version", "organization", "description", "url", "doi", "uuid", "repo_url"]
        if let b = baseModels {
            md["general.base_model.count"] = .uint32(UInt32(b.count))
            for (i, e) in b.enumerated() {
                for k in order { if let v = e.first(where: { $0.0 == k })?.1 { str("general.base_model.\(i).\(k)", v) } }
            }
        }
        if let d = datasets {
            md["general.dataset.count"] = .uint32(UInt32(d.count))
            for (i, e) in d.enumerated() {
                for k in order { if let v = e.first(where: { $0.0 == k })?.1 { str("general.dataset.\(i).\(k)", v) } }
            }
        }
        if let t = tags, !t.isEmpty { md["general.tags"] = .array(elementType: .string, values: t.map { .string($0) }) }
        if let l = languages, !l.isEmpty { md["general.languages"] = .array(elementType: .string, values: l.map { .string($0) }) }
    }
}
