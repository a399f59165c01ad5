/// The library's version.
public enum StrataVersion {
    /// Semantic version of this build of Strata.
    public static let current = "0.1.0"
}
