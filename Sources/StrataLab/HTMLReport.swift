import Strata
import Foundation

/// A self-contained HTML page (inline CSS and SVG, no external files) made of sections —
/// what `strata demo` and the lab write as `report.html`.
///
///     var report = HTMLReport(title: "Fashion-MNIST")
///     report.heading("Training")
///     report.svg(history.chartSVG())
///     try report.write(to: "report.html")
public struct HTMLReport {
    /// The page title.
    public let title: String
    private var parts: [String] = []

    /// An empty report.
    public init(title: String) {
        self.title = title
    }

    /// A section heading.
    public mutating func heading(_ text: String) { parts.append("<h2>\(escape(text))</h2>") }

    /// A paragraph of text.
    public mutating func paragraph(_ text: String) { parts.append("<p>\(escape(text))</p>") }

    /// Preformatted text (a model summary).
    public mutating func preformatted(_ text: String) { parts.append("<pre>\(escape(text))</pre>") }

    /// A table with a header row; numbers are right-aligned. `links[i]`, when given, makes the
    /// first cell of row `i` a link to that address.
    public mutating func table(header: [String], rows: [[String]], links: [String]? = nil) {
        let head = "<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        let body = rows.enumerated().map { index, row in
            "<tr>" + row.enumerated().map { column, cell in
                if column == 0, let link = links?[index] { return "<td><a href=\"\(escape(link))\">\(escape(cell))</a></td>" }
                return Double(cell.replacingOccurrences(of: "%", with: "")) != nil ? "<td class=\"n\">\(escape(cell))</td>" : "<td>\(escape(cell))</td>"
            }.joined() + "</tr>"
        }.joined(separator: "\n")
        parts.append("<table>\n\(head)\n\(body)\n</table>")
    }

    /// An inline SVG document (its XML declaration is dropped).
    public mutating func svg(_ document: String) {
        parts.append(document.split(separator: "\n").filter { !$0.hasPrefix("<?xml") }.joined(separator: "\n"))
    }

    /// The page.
    public var html: String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>body{font-family:Helvetica,Arial,sans-serif;max-width:1000px;margin:2em auto;color:#222}
        table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}
        td.n{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f6f6f6;padding:1em;overflow-x:auto}</style>
        </head><body>
        <h1>\(escape(title))</h1>
        \(parts.joined(separator: "\n"))
        </body></html>
        """
    }

    /// Writes the page atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(Data(html.utf8), to: URL(fileURLWithPath: path))
    }
}
