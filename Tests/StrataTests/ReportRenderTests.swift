import Foundation
import StrataTestSupport
import Testing
@testable import Strata
@testable import StrataLab

/// A quick lab report rendered by a real browser: headless Chromium (Debian's `chromium`, which
/// `.ci/run` installs) loads it without errors, every chart draws lines of nonzero length, and a
/// PNG screenshot is written.
@Suite("Lab reports in a browser", .serialized)
struct ReportRenderTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first(where: FileManager.default.isExecutableFile(atPath:))
    /// CI sets `STRATA_REQUIRE_CHROMIUM=1`, so that a missing browser fails instead of skipping.
    static var required: Bool { ProcessInfo.processInfo.environment["STRATA_REQUIRE_CHROMIUM"] == "1" }

    /// Put first in `<head>`: records every error the page raises while loading.
    static let errorProbe = "<script>window.strataErrors=[];addEventListener('error',e=>strataErrors.push(String(e.message||e.type)),true);</script>"
    /// Put last in `<body>`: measures every chart's lines after layout and writes the result as JSON into the page.
    static let chartProbe = """
        <script>(()=>{const charts=[...document.querySelectorAll('svg')].map(svg=>[...svg.querySelectorAll('polyline,path,line')]
        .filter(e=>e.tagName!=='line').map(e=>{const b=e.getBBox();return {length:e.getTotalLength(),width:b.width,height:b.height}}));
        const out=document.createElement('pre');out.id='strata-check';
        out.textContent=JSON.stringify({errors:strataErrors,ready:document.readyState,charts});document.body.appendChild(out);})();</script>
        """

    struct Check: Decodable {
        struct Shape: Decodable { let length: Double, width: Double, height: Double }
        let errors: [String]
        let charts: [[Shape]]
    }

    /// Runs Chromium headless on `arguments`, killing it after 90 s; returns standard output.
    static func runChromium(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                             "--window-size=1100,2600"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(.enabled(if: chromium != nil || required, "needs apt-get install chromium"))
    func quickReportLoadsAndDrawsEveryChart() throws {
        let report = try BatchNormExperiment(quick: true).run(on: LabExperimentTests.images) { _ in }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-render-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try report.write(to: folder)

        // The page as written, to a PNG.
        let png = folder + "/report.png"
        _ = try Self.runChromium(["--screenshot=" + png, "file://" + folder + "/report.html"])
        let image = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG file")
        #expect(image.count > 20_000, "a page of text and charts, not a blank one: \(image.count) bytes")

        // A copy with the two probes, its DOM after loading.
        let html = report.html.replacingOccurrences(of: "<head>", with: "<head>" + Self.errorProbe)
            .replacingOccurrences(of: "</body>", with: Self.chartProbe + "</body>")
        try html.write(toFile: folder + "/probed.html", atomically: true, encoding: .utf8)
        let dom = try Self.runChromium(["--dump-dom", "file://" + folder + "/probed.html"])
        let start = try #require(dom.range(of: "<pre id=\"strata-check\">")), end = try #require(dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex))
        let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
        let check = try JSONDecoder().decode(Check.self, from: Data(json.utf8))
        #expect(check.errors.isEmpty, "errors while loading: \(check.errors)")
        #expect(check.charts.count == report.charts.count)
        for (index, (shapes, chart)) in zip(check.charts, report.charts).enumerated() {
            #expect(shapes.count == chart.series.filter { !$0.points.isEmpty }.count, "chart \(index): one line per series")
            #expect(shapes.allSatisfy { $0.length > 0 && ($0.width > 0 || $0.height > 0) }, "chart \(index): \(shapes)")
        }
    }
}
