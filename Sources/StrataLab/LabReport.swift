import Strata
import Foundation

/// What a measurement says about the article's claim.
public enum LabStance: String, Sendable {
    /// The numbers show what the article asserts.
    case confirms
    /// The claim holds only in part, or with a condition the article does not state.
    case qualifies
    /// The numbers show the opposite.
    case contradicts
}

/// A lab experiment's findings: the claim, a verdict computed from the numbers, charts, tables
/// and the CSV of every series — written as a self-contained `report.html` with the charts
/// also as SVG files and the series as CSV files.
///
///     var report = LabReport(experiment: "optimizers", title: "Faster optimizers", claim: "…")
///     report.chart(curves, file: "validation-loss")
///     try report.write(to: "strata-lab/optimizers")
public struct LabReport {
    /// The experiment's command name (`dying-relu`).
    public let experiment: String
    /// The page title.
    public let title: String
    /// The article's claim under test.
    public let claim: String
    /// What the numbers say, in one or a few sentences.
    public var verdict = ""
    /// Confirms, qualifies or contradicts.
    public var stance = LabStance.confirms
    /// Data, model, optimizer, epochs, seed.
    public var settings = ""
    private var blocks: [Block] = []
    /// The CSV files, by file name.
    public private(set) var files: [(name: String, text: String)] = []

    private enum Block {
        case heading(String), paragraph(String), chart(LineChart, file: String), table(header: [String], rows: [[String]])
    }

    /// An empty report.
    public init(experiment: String, title: String, claim: String) {
        self.experiment = experiment
        self.title = title
        self.claim = claim
    }

    /// A section heading.
    public mutating func heading(_ text: String) { blocks.append(.heading(text)) }
    /// A paragraph.
    public mutating func paragraph(_ text: String) { blocks.append(.paragraph(text)) }
    /// A chart, shown inline and also written as `file.svg`.
    public mutating func chart(_ chart: LineChart, file: String) { blocks.append(.chart(chart, file: file)) }
    /// A table of measured numbers.
    public mutating func table(header: [String], rows: [[String]]) { blocks.append(.table(header: header, rows: rows)) }
    /// A CSV file written beside the report.
    public mutating func csv(_ name: String, _ text: String) { files.append((name, text)) }

    /// The charts, in order.
    public var charts: [LineChart] {
        blocks.compactMap { if case .chart(let chart, _) = $0 { return chart } else { return nil } }
    }

    /// The page: claim, verdict, the sections, settings.
    public var html: String {
        var page = HTMLReport(title: "Strata lab: " + title)
        page.heading("Claim")
        page.paragraph(claim)
        page.heading("Verdict: " + stance.rawValue)
        page.paragraph(verdict)
        for block in blocks {
            switch block {
            case .heading(let text): page.heading(text)
            case .paragraph(let text): page.paragraph(text)
            case .chart(let chart, _): page.svg(chart.svg())
            case .table(let header, let rows): page.table(header: header, rows: rows)
            }
        }
        page.heading("Settings")
        page.paragraph(settings + (files.isEmpty ? "" : " Series: " + files.map(\.name).joined(separator: ", ") + "."))
        return page.html
    }

    /// Writes `report.html`, every chart as SVG and every CSV file into `folder` (created if needed).
    public func write(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try AtomicFile.write(Data(html.utf8), to: URL(fileURLWithPath: folder + "/report.html"))
        for case .chart(let chart, let file) in blocks { try chart.write(to: folder + "/\(file).svg") }
        for (name, text) in files { try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: folder + "/" + name)) }
    }

    /// Writes `index.html` in `folder` linking each report (in its subfolder named after the
    /// experiment) with its stance and verdict.
    public static func writeIndex(_ reports: [LabReport], to folder: String) throws {
        var page = HTMLReport(title: "Strata lab: the article's claims, measured")
        page.table(header: ["experiment", "stance", "verdict"], rows: reports.map { [$0.title, $0.stance.rawValue, $0.verdict] },
                   links: reports.map { "\($0.experiment)/report.html" })
        let html = page.html
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try AtomicFile.write(Data(html.utf8), to: URL(fileURLWithPath: folder + "/index.html"))
    }
}

/// Formats numbers the way the reports print them.
enum LabFormat {
    /// `87.12 %`.
    static func percent(_ value: Float) -> String { value.isFinite ? String(format: "%.2f %%", 100 * value) : "n/a" }
    /// Three significant digits (`0.412`, `1.2e-05`).
    static func number(_ value: Float) -> String { value.isFinite ? String(format: "%.3g", value) : "n/a" }
    /// `epoch 7` or `not reached`.
    static func epoch(_ value: Int?) -> String { value.map { "\($0)" } ?? "not reached" }
    /// `12.3 s` or `not reached`.
    static func seconds(_ value: Double?) -> String { value.map { String(format: "%.1f s", $0) } ?? "not reached" }
}
