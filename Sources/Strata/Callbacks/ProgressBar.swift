import Foundation

/// Keras 3's progress output.
///
/// On a terminal: `Epoch 3/20`, then a bar redrawn in place at most ten times a second —
/// `1200/1875 ━━━━━━━━━━━━━━━━━━━━ 1s 1ms/step - accuracy: 0.8812 - loss: 0.3290` (the part still
/// to come dimmed) with the time
/// left — and, when the epoch ends, the elapsed time and the validation values. When standard
/// output is not a terminal (CI logs), or with `oneLinePerEpoch`, one line per epoch. The bar
/// redrawn in place is cut to the terminal's width, read at every redraw (a line that wrapped
/// could not be redrawn: `\r` returns to the start of its last row only). At the end of
/// training, after every other callback's closing lines, a sparkline of each value.
final class ProgressBar: Callback {
    private let epochs: Int
    private let inPlace: Bool
    private let print: (String) -> Void
    private let terminalWidth: () -> Int?
    private var steps = 0
    private var epochStart = DispatchTime.now()
    private var lastDraw: UInt64 = 0
    private var history: [String: [Double]] = [:]

    /// `inPlace` redraws the bar during the epoch (terminals); `print` writes a finished line.
    /// `terminalWidth` is the width redraws fit in (nil: unknown, 80 assumed).
    init(epochs: Int, stepsPerEpoch: Int, inPlace: Bool, print: @escaping (String) -> Void = { Swift.print($0) },
         write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) },
         terminalWidth: @escaping () -> Int? = ProgressBar.standardOutputWidth) {
        self.epochs = epochs
        self.steps = stepsPerEpoch
        self.inPlace = inPlace
        self.print = print
        self.write = write
        self.terminalWidth = terminalWidth
    }

    private let write: (String) -> Void

    /// Whether standard output is an interactive terminal.
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The columns of the terminal on standard output (`TIOCGWINSZ`), else `$COLUMNS`, else nil.
    static func standardOutputWidth() -> Int? {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// `line` cut to `width − 1` visible characters (the last column left free, where some
    /// terminals wrap at once); ANSI escape sequences are kept and do not count, and a cut line
    /// ends with `…` and a reset of the text attributes.
    static func fitted(_ line: String, width: Int) -> String {
        let room = Swift.max(width - 1, 1)
        guard visibleCount(line) > room else { return line }
        var visible = 0, result = "", inEscape = false
        for character in line {
            if character == "\u{1B}" { inEscape = true }
            if inEscape {
                result.append(character)
                if character.isLetter { inEscape = false }
                continue
            }
            if visible == room - 1 { break }
            result.append(character)
            visible += 1
        }
        return result + "…\u{1B}[0m"
    }

    /// Visible characters of `line`, not counting ANSI escape sequences.
    static func visibleCount(_ line: String) -> Int {
        var count = 0, inEscape = false
        for character in line {
            if character == "\u{1B}" { inEscape = true }
            if inEscape { if character.isLetter { inEscape = false } } else { count += 1 }
        }
        return count
    }

    override func onTrainBegin(logs: Logs) throws { history = [:] }

    override func onEpochBegin(_ epoch: Int, logs: Logs) throws {
        epochStart = DispatchTime.now()
        lastDraw = 0
        print("Epoch \(epoch + 1)/\(epochs)")
    }

    override func onTrainBatchEnd(_ batch: Int, logs: Logs) throws {
        guard inPlace else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw >= 100_000_000 || batch + 1 == steps else { return }
        lastDraw = now
        let elapsed = Double(now - epochStart.uptimeNanoseconds) / 1e9
        let perStep = elapsed / Double(batch + 1)
        let left = perStep * Double(steps - batch - 1)
        let line = "\(Self.counter(batch + 1, steps)) \(Self.bar(batch + 1, of: steps)) \(Self.duration(left)) "
            + "\(Self.stepTime(perStep))" + Self.values(logs)
        write("\r" + Self.fitted(line, width: terminalWidth() ?? 80) + "\u{1B}[K")
    }

    override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - epochStart.uptimeNanoseconds) / 1e9
        let perStep = elapsed / Double(Swift.max(steps, 1))
        let line = inPlace
            ? "\(Self.counter(steps, steps)) \(Self.bar(steps, of: steps)) \(Self.duration(elapsed)) \(Self.stepTime(perStep))"
            : "\(steps)/\(steps) - \(Self.duration(elapsed)) - \(Self.stepTime(perStep))"
        if inPlace { write("\r") }
        print(line + Self.values(logs) + (inPlace ? "\u{1B}[K" : ""))
        for (key, value) in logs { history[key, default: []].append(value) }
    }

    /// The sparklines; `fit` calls this after every callback's `onTrainEnd`, so that closing lines
    /// such as early stopping's come before them.
    func printSparklines() {
        guard history.values.contains(where: { $0.count > 1 }) else { return }
        for key in history.keys.sorted() where key != "learning_rate" {
            print("\(key.padding(toLength: 14, withPad: " ", startingAt: 0)) \(Sparkline.draw(history[key]!))")
        }
    }

    // MARK: - Formatting

    private static func counter(_ step: Int, _ steps: Int) -> String {
        let width = String(steps).count
        return String(repeating: " ", count: Swift.max(0, width - String(step).count)) + "\(step)/\(steps)"
    }

    /// 20 cells: `━` done, `╺` the head, `━` in a dimmer tone for the rest (rendered with ANSI).
    static func bar(_ step: Int, of steps: Int) -> String {
        let done = steps == 0 ? 20 : Swift.min(20, step * 20 / steps)
        if done == 20 { return String(repeating: "━", count: 20) }
        return String(repeating: "━", count: done) + "\u{1B}[2m" + String(repeating: "━", count: 20 - done) + "\u{1B}[0m"
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.0fms", seconds * 1000)
            : seconds < 60 ? String(format: "%.0fs", seconds) : String(format: "%.0fm%02.0fs", (seconds / 60).rounded(.down), seconds.truncatingRemainder(dividingBy: 60))
    }

    static func stepTime(_ seconds: Double) -> String {
        seconds < 1e-3 ? String(format: "%.0fus/step", seconds * 1e6)
            : seconds < 1 ? String(format: "%.0fms/step", seconds * 1000) : String(format: "%.0fs/step", seconds)
    }

    /// ` - accuracy: 0.8812 - loss: 0.3290 - val_accuracy: …` in Keras 3's (alphabetical) order.
    static func values(_ logs: Logs) -> String {
        logs.keys.sorted().map { key in
            " - \(key): " + (key == "learning_rate" ? String(format: "%.4g", logs[key]!) : String(format: "%.4f", logs[key]!))
        }.joined()
    }
}

/// Unicode sparklines: one block character per value, scaled between the minimum and maximum;
/// more values than `width` (a 2000-epoch run) are averaged into `width` consecutive buckets, so
/// the line fits a terminal.
enum Sparkline {
    static let blocks = Array("▁▂▃▄▅▆▇█")

    static func draw(_ all: [Double], width: Int = 60) -> String {
        let values = all.count <= width ? all : (0..<width).map { bucket -> Double in
            let finite = all[(bucket * all.count / width)..<((bucket + 1) * all.count / width)].filter(\.isFinite)
            return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
        }
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return "" }
        let span = high - low
        let line = values.map { value -> Character in
            guard value.isFinite else { return "·" }
            let level = span == 0 ? 0 : Int(((value - low) / span * Double(blocks.count - 1)).rounded())
            return blocks[level]
        }
        return String(line) + String(format: "  %.4g → %.4g", all.first ?? 0, all.last ?? 0)
    }
}
