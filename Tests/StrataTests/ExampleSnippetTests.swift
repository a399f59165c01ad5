import Foundation
import Testing

/// Every Swift and Python snippet the documentation shows is code CI runs: each fenced `swift`
/// block of README.md, docs/ and the DocC catalog must appear verbatim in a Swift file under
/// `Examples/` or `Distributed/Examples/` (executable targets that `.ci/run` builds and runs),
/// each `python` block in a Python file there (scripts `.ci/run` runs).
@Suite("Documentation snippets")
struct ExampleSnippetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The markdown files users read, relative to the package root.
    static func documents() -> [String] {
        var found = ["README.md"]
        let manager = FileManager.default
        for folder in ["docs", "Sources/Strata/Strata.docc"] {
            guard let walker = manager.enumerator(atPath: root.appendingPathComponent(folder).path) else { continue }
            for case let file as String in walker where file.hasSuffix(".md") { found.append(folder + "/" + file) }
        }
        return found.sorted()
    }

    /// The fenced blocks of `language` (```swift) of a markdown text.
    static func blocks(in markdown: String, language: String = "swift") -> [String] {
        var blocks: [String] = [], current: [String]? = nil
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```" + language { current = [] }
            else if current != nil, trimmed == "```" { blocks.append(current!.joined(separator: "\n")); current = nil }
            else if current != nil { current!.append(String(line)) }
        }
        return blocks
    }

    /// The example files whose names end in `suffix`, by path.
    static func exampleSources(_ suffix: String = ".swift") throws -> [String: String] {
        var sources: [String: String] = [:]
        for folder in ["Examples", "Distributed/Examples"] {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let file as String in walker where file.hasSuffix(suffix) {
                sources[folder + "/" + file] = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
            }
        }
        return sources
    }

    @Test func blockExtractionFindsOnlySwiftFences() {
        let text = "intro\n```swift\nlet a = 1\n\nprint(a)\n```\n```sh\nswift run\n```\n  ```swift\nb\n  ```\n"
        #expect(Self.blocks(in: text) == ["let a = 1\n\nprint(a)", "b"])
        #expect(Self.blocks(in: text + "```python\nimport onnx\n```\n", language: "python") == ["import onnx"])
    }

    @Test func everySnippetIsACompiledExample() throws {
        let examples = try Self.exampleSources(), scripts = try Self.exampleSources(".py")
        #expect(examples.count >= 3 && !scripts.isEmpty, "the examples: \(examples.keys.sorted() + scripts.keys.sorted())")
        var checked = 0
        for document in Self.documents() {
            let text = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
            for (language, sources) in [("swift", examples), ("python", scripts)] {
                for (index, block) in Self.blocks(in: text, language: language).enumerated() {
                    checked += 1
                    let home = sources.first { $0.value.contains(block) }
                    #expect(home != nil, "\(document), \(language) block \(index + 1), is in no file under Examples/:\n\(block)")
                }
            }
        }
        #expect(checked >= 3, "README.md shows the wine, custom-loop and data-parallel examples")
    }
}
