import Foundation
import Strata

/// How `demo` and `train` run: alone (the default), or as one replica of a data-parallel job
/// (`strata-mpi`), where every replica trains and only replica 0 prints and writes files.
///
///     try TrainingEnvironment.$current.withValue(TrainingEnvironment(dataParallel: parallel)) { try demo.run() }
public struct TrainingEnvironment: Sendable {
    /// The replicas, when this process is one of several.
    public var dataParallel: DataParallel?
    /// Makes callbacks every training run adds to its own (e.g. a replica consistency check).
    public var extraCallbacks: (@Sendable () -> [Callback])?

    /// Alone, or as a replica of `dataParallel`, with `extraCallbacks` added to every `fit`.
    public init(dataParallel: DataParallel? = nil, extraCallbacks: (@Sendable () -> [Callback])? = nil) {
        self.dataParallel = dataParallel
        self.extraCallbacks = extraCallbacks
    }

    /// The environment the commands run in.
    @TaskLocal public static var current = TrainingEnvironment()

    /// Whether this process prints and writes files (replica 0, or alone).
    public var isPrimary: Bool { (dataParallel?.group.rank ?? 0) == 0 }

    /// How much `fit` prints here: the progress bar on the primary process, nothing elsewhere.
    var verbosity: Model.Verbosity { isPrimary ? .progressBar : .silent }

    /// Prints on the primary process only.
    public func say(_ text: String) { if isPrimary { print(text) } }

    /// The callbacks `extraCallbacks` makes (none by default).
    func addedCallbacks() -> [Callback] { extraCallbacks?() ?? [] }

    /// `callbacks` on the primary process; none elsewhere (for callbacks that write files).
    func primaryOnly(_ callbacks: [Callback]) -> [Callback] { isPrimary ? callbacks : [] }
}
