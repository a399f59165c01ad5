import Logging

/// How the `strata` tool shows the library's log messages (`StrataLog`): on standard output,
/// in order with the progress lines, as Keras prints them — an announcement as its plain text,
/// a warning as `Warning: …`. Messages below `info` are dropped.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The line a message prints as.
    static func line(_ level: Logger.Level, _ message: Logger.Message) -> String {
        level >= .warning ? "Warning: \(message)" : "\(message)"
    }

    func log(event: LogEvent) {
        print(Self.line(event.level, event.message))
    }

    /// Installs the handler for every logger of the process (once, before any message).
    static func install() {
        LoggingSystem.bootstrap { _ in ConsoleLogHandler() }
    }
}
