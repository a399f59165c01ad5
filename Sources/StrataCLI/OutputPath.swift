import ArgumentParser
import Foundation

/// Checks before any work that an output path can be written: a folder option does not name an
/// existing file, a file option does not name a folder, and the nearest existing ancestor is a
/// writable folder — so a run never trains for an hour and then loses its model to a bad path.
enum OutputPath {
    /// Throws a `ValidationError` naming `option` when `path` cannot hold a `kind`.
    static func check(_ path: String, option: String, kind: Kind) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if kind == .folder && !isDirectory.boolValue {
                throw ValidationError("\(option) '\(path)' is an existing file, expected a folder (or a path to create one)")
            }
            if kind == .file && isDirectory.boolValue {
                throw ValidationError("\(option) '\(path)' is a folder, expected a file path")
            }
        }
        var ancestor = URL(fileURLWithPath: path).standardizedFileURL
        repeat {
            ancestor.deleteLastPathComponent()
        } while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) && ancestor.path != "/"
        guard isDirectory.boolValue else {
            throw ValidationError("\(option) '\(path)' lies under '\(ancestor.path)', which is a file, not a folder")
        }
        guard FileManager.default.isWritableFile(atPath: ancestor.path) else {
            throw ValidationError("\(option) '\(path)': the folder '\(ancestor.path)' is not writable")
        }
    }

    /// What the path is to hold.
    enum Kind { case file, folder }
}
