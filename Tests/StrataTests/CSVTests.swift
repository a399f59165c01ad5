import Foundation
import StrataTestSupport
import Testing
@testable import Strata

@Suite("CSV, splitting and normalization")
struct CSVTests {
    @Test func headerQuotesCRLFAndDelimiters() throws {
        let table = try CSV.parse("a,\"b, quoted\",c\r\n1,2,3\r\n4,\"5\",6\r\n")
        #expect(table.header == ["a", "b, quoted", "c"])
        #expect(table.rows == [[1, 2, 3], [4, 5, 6]])
        let semicolons = try CSV.parse("1;2\n3;4\n")
        #expect(semicolons.header == nil && semicolons.rows == [[1, 2], [3, 4]])
        let tabs = try CSV.parse("x\ty\n0.5\t-1e3\n")
        #expect(tabs.header == ["x", "y"] && tabs.rows == [[0.5, -1000]])
        let escaped = try CSV.parse("\"he said \"\"hi\"\"\",v\n1,2\n")
        #expect(escaped.header == ["he said \"hi\"", "v"])
        #expect(try CSV.parse("1,2\n3,4", hasHeader: false).rows.count == 2, "no newline at the end")
    }

    @Test func badCellsNameLineAndColumn() throws {
        func failure(_ text: String) -> String {
            do { _ = try CSV.parse(text, source: "data.csv"); return "accepted" } catch { return "\(error)" }
        }
        #expect(failure("a,b\n1,2\n3,x\n").contains("data.csv, line 3, column 2 ('b')"))
        #expect(failure("a,b\n1,2\n3,\n").contains("missing value"))
        #expect(failure("a,b\n1,2\n3\n").contains("line 3"))
        #expect(failure("a,b\n1,\"2\n").contains("not closed"))
        #expect(failure("").contains("no rows"))
        #expect(failure("a,b,label\n").contains("a header and no data rows"))
        // Non-finite cells are refused where they are, not found later at a shuffled sample index.
        for cell in ["nan", "NaN", "inf", "-inf", "1e39"] {
            #expect(failure("a,b\n1,2\n3,\(cell)\n").contains("data.csv, line 3, column 2 ('b')"), "\(cell)")
            #expect(failure("a,b\n1,2\n3,\(cell)\n").contains("not a finite number"), "\(cell)")
        }
        // A huge bad cell is quoted by its first characters and its size, not echoed whole.
        let long = String(repeating: "x", count: 1_000_000)
        let message = failure("a,b\n1,\(long)\n")
        #expect(message.contains("(1000000 bytes)") && message.count < 400, "\(message.prefix(400))")
        // A long digit run is refused by its size (never copied whole), a long but sane number is read.
        let digits = String(repeating: "2", count: CSV.longestNumber + 1)
        #expect(failure("a,b\n1,\(digits)\n").contains("'\(digits.prefix(57))…' (\(CSV.longestNumber + 1) bytes) is not a number"))
        let tiny = "0." + String(repeating: "0", count: 100) + "1"
        #expect(try CSV.parse("a,b\n1,\(tiny)\n").rows == [[1, 0]])
        // Blank lines (also of spaces) are skipped; spaces around numbers are not an error.
        #expect(try CSV.parse("a,b\n\n 1 , 2\n   \n3,4").rows == [[1, 2], [3, 4]])
        #expect(failure("a;b\n1;2\n").contains("accepted") && failure("1,2\n").contains("accepted"))
        #expect(try CSV.parse("a,\"é, ü\"\n1,2\n").header == ["a", "é, ü"], "UTF-8 fields survive the byte splitter")
        #expect(throws: StrataError.self) { try CSV.parse("1§2\n", delimiter: "§") }
    }

    /// A file is read once, as bytes; one that is not UTF-8 (a binary file given as CSV) is
    /// refused by name, while UTF-8 beyond ASCII is read.
    @Test func filesMustBeUTF8() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = folder.appendingPathComponent("model.csv").path, accented = folder.appendingPathComponent("é.csv").path
        try Data([0x61, 0x2C, 0x62, 0x0A, 0x31, 0xFF, 0x2C, 0x32, 0x0A]).write(to: URL(fileURLWithPath: binary))
        try "température,qualité\n1,2\n".write(toFile: accented, atomically: true, encoding: .utf8)
        #expect { try CSV.read(binary) } throws: { "\($0)".contains("\(binary): not UTF-8 text") }
        #expect(try CSV.read(accented).header == ["température", "qualité"])
        let euro: [UInt8] = [0xE2, 0x82, 0xAC], cut: [UInt8] = [0xE2, 0x82]
        #expect(euro.withUnsafeBufferPointer(FileBytes.isUTF8) && !cut.withUnsafeBufferPointer(FileBytes.isUTF8))
    }

    @Test func wineFileByTargetNameAndIndex() throws {
        let path = ArticleExamplesTests.shared.appendingPathComponent("data/wine.csv").path
        let (x, y, names) = try CSV.load(path, target: .name("class"))
        #expect(x.shape == [6497, 12] && y.shape == [6497, 1] && names.count == 12 && names.last == "quality")
        let (x2, y2, _) = try CSV.load(path, target: .index(-1))
        #expect(x2 == x && y2 == y)
        #expect(throws: StrataError.self) { try CSV.load(path, target: .name("colour")) }
    }

    @Test func trainTestSplitIsSeededAndDisjoint() {
        let x = Tensor((0..<10).map(Float.init)).reshaped(to: [10, 1]), y = x * 2
        let a = trainTestSplit(x, y, testFraction: 0.3, seed: 5), b = trainTestSplit(x, y, testFraction: 0.3, seed: 5)
        #expect(a.xTest.shape == [3, 1] && a.xTrain.shape == [7, 1])
        #expect(a.xTest == b.xTest && a.yTrain == b.yTrain)
        #expect(Set(a.xTest.scalars + a.xTrain.scalars) == Set(x.scalars))
        #expect(a.yTest == a.xTest * 2, "rows stay paired")
        #expect(trainTestSplit(x, y, testFraction: 0.3, seed: 6).xTest != a.xTest)
        let (sx, sy) = shuffledTogether(x, y, seed: 1)
        #expect(sy == sx * 2 && sx != x && Set(sx.scalars) == Set(x.scalars))
    }

    @Test func normalizationAdaptsAndStandardizes() throws {
        let data = Tensor(rows: [[1, 100], [3, 300], [5, 500]])
        let layer = Normalization()
        try layer.adapt(data)
        let y = layer(data)
        expectClose(y.mean(axes: [0]), [0, 0], tolerance: 1e-5)
        expectClose(y.variance(axes: [0]), [1, 1], tolerance: 1e-4)
        #expect(layer.trainableVariables.isEmpty && layer.nonTrainableVariables.count == 2)
        let copy = try Layer.from(config: layer.config)
        #expect(copy(data) == y, "adapted statistics travel in the config")
        #expect(throws: StrataError.self) { try layer.adapt(Tensor(rows: [[1, 2, 3]])) }
        let fixed = Normalization(mean: [1, 2], variance: [4, 0])
        expectClose(fixed(Tensor(rows: [[3, 2]])), [1, 0])     // √0 is floored at 1e-7, 0/1e-7 = 0
    }
}
