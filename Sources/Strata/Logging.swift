import Logging

/// The loggers of Strata's messages — what Keras prints from its callbacks and `fit`. Training
/// progress is not among them: it is the `ProgressBar` (replaceable by any callback).
///
/// An app routes them with swift-log's `LoggingSystem.bootstrap`, by label; without a bootstrap,
/// swift-log writes them to standard error. The `strata` tool prints them on standard output,
/// plain, as Keras does. Each message asks `LoggingSystem` for its handler anew (they are rare),
/// so a bootstrap made after Strata has logged still takes effect.
///
///     LoggingSystem.bootstrap { label in label.hasPrefix("strata") ? MyHandler(label) : StreamLogHandler.standardError(label: label) }
public enum StrataLog {
    /// Callback announcements (`info`: early stopping, checkpoints saved, learning rate reduced)
    /// and their warnings (`warning`: a monitored value missing from the logs, a NaN loss).
    public static var callbacks: Logger { Logger(label: "strata.callbacks") }
    /// `fit`'s own warnings (a resumed model with no epochs left to train).
    public static var training: Logger { Logger(label: "strata.training") }
    /// Data sets: downloads of missing files.
    public static var data: Logger { Logger(label: "strata.data") }
}
