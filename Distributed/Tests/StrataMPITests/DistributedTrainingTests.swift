import Foundation
import Strata
import Testing

/// `strata-mpi` under `mpirun` on this machine (loopback): equivalence with one process on the
/// global batch, bit-identical replicas, failure of a rank, resumption, gradient accumulation
/// and bfloat16 all-reduce. With `STRATA_MPI_NETNS=1` (`.ci/run`'s multi-host step, after
/// `scripts/netns-hosts.sh up`) the 2-rank jobs run with one rank on each of two emulated hosts,
/// over TCP only (`scripts/mpirun-netns.sh`).
@Suite("Data-parallel training on MPI", .serialized)
struct DistributedTrainingTests {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let strataMPI = package.appendingPathComponent(".build/debug/strata-mpi").path
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun", "/opt/homebrew/bin/mpirun"]
        .first(where: FileManager.default.isExecutableFile(atPath:)) ?? "mpirun"

    /// A fresh folder holding `data.csv`: 512 rows of 4 features, label 1 when x₀ + x₁ > 0.
    static func workspace() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let x = Tensor.randomNormal([512, 4], seed: 3).scalars
        let rows = (0..<512).map { (i: Int) -> String in
            let features = x[(i * 4)..<(i * 4 + 4)].map { String($0) }.joined(separator: ",")
            let label = x[i * 4] + x[i * 4 + 1] > 0 ? "1" : "0"
            return features + "," + label
        }
        try (["a,b,c,d,label"] + rows).joined(separator: "\n").write(to: folder.appendingPathComponent("data.csv"),
                                                                      atomically: true, encoding: .utf8)
        return folder
    }

    /// `strata-mpi train` on the workspace's data (a batch-normalized MLP, SGD with momentum, no
    /// dropout, no validation split), on `ranks` processes under mpirun, or alone when nil.
    static func train(in folder: URL, ranks: Int?, batchSize: Int, epochs: Int, output: String,
                      extra: [String] = []) throws -> (status: Int32, output: String) {
        let arguments = ["train", "--data", "csv:" + folder.appendingPathComponent("data.csv").path, "--target", "label",
                         "--layers", "16,8", "--batch-norm", "--optimizer", "momentum", "--validation-split", "0",
                         "--batch-size", "\(batchSize)", "--epochs", "\(epochs)", "--output", folder.appendingPathComponent(output).path]
            + extra
        return try run(ranks.map(launcher) ?? [], arguments)
    }

    /// Whether 2-rank jobs run across the emulated hosts of `scripts/netns-hosts.sh`.
    static let acrossHosts = ProcessInfo.processInfo.environment["STRATA_MPI_NETNS"] == "1"

    /// The command that starts strata-mpi on `ranks` ranks: mpirun on this machine, or one rank
    /// on each emulated host.
    static func launcher(ranks: Int) -> [String] {
        if acrossHosts {
            precondition(ranks == 2, "the emulated hosts run 2-rank jobs")
            return [package.appendingPathComponent("scripts/mpirun-netns.sh").path, strataMPI]
        }
        return [mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", strataMPI]
    }

    /// Runs `launcher` then `arguments` (or strata-mpi alone when `launcher` is empty).
    static func run(_ launcher: [String], _ arguments: [String], timeout: TimeInterval = 120) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher.first ?? strataMPI)
        process.arguments = Array(launcher.dropFirst()) + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["STRATA_NUM_THREADS"] = "1"
        environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Every variable of two saved models agrees within `tolerance` × the tensor's largest magnitude.
    static func expectClose(_ a: String, _ b: String, tolerance: Float) throws {
        let first = try Model.loadModel(from: a), second = try Model.loadModel(from: b)
        #expect(first.variables.count == second.variables.count && !first.variables.isEmpty)
        for (x, y) in zip(first.variables, second.variables) {
            let scale = max(y.value.scalars.map(abs).max() ?? 0, 1e-6)
            let difference = zip(x.value.scalars, y.value.scalars).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference <= tolerance * scale, "\(x.name): largest difference \(difference), scale \(scale)")
        }
    }

    @Test func twoRanksWithSyncBatchNormEqualOneProcessOnTheGlobalBatch() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Small buckets: several MPI_Iallreduce per step, started while backpropagation goes on.
        let parallel = try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 3, output: "two",
                                      extra: ["--sync-batch-norm", "--verify-replicas", "--bucket-size", "64", "--first-bucket-size", "20"])
        #expect(parallel.status == 0, "\(parallel.output)")
        #expect(parallel.output.contains("weights bit-identical on all 2 ranks after each of 96 steps"), "\(parallel.output)")
        let single = try Self.train(in: folder, ranks: nil, batchSize: 16, epochs: 3, output: "one")
        #expect(single.status == 0, "\(single.output)")
        try Self.expectClose(folder.appendingPathComponent("two/model.safetensors").path,
                             folder.appendingPathComponent("one/model.safetensors").path, tolerance: 1e-5)
    }

    /// A functional spec — a residual block with batch normalization and a concatenation, written
    /// by the Swift API's own config writer — trains on two ranks as one process does on the
    /// global batch.
    @Test func aFunctionalModelOnTwoRanksEqualsOneProcessOnTheGlobalBatch() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = Input(shape: [4], name: "features")
        let hidden = try Dense(8, activation: .relu, name: "hidden")(input)
        let block = try BatchNormalization(name: "block_norm")(try Dense(8, useBias: false, name: "block_dense")(hidden))   // no bias before BN: its gradient is 0
        let residual = try Activation(.relu, name: "block_relu")(try Add(name: "block_add")([hidden, block]))
        let joined = try Concatenate(name: "joined")([residual, input])
        let output = try Dense(1, activation: .sigmoid, name: "output")(joined)
        let spec = try Model(inputs: input, outputs: output, name: "residual_spec")
        let specPath = folder.appendingPathComponent("residual.json")
        try String(describing: try #require(spec.architectureConfig)).write(to: specPath, atomically: true, encoding: .utf8)
        let parallel = try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 2, output: "two",
                                      extra: ["--model", specPath.path, "--sync-batch-norm", "--verify-replicas"])
        #expect(parallel.status == 0, "\(parallel.output)")
        #expect(parallel.output.contains("weights bit-identical on all 2 ranks after each of 64 steps"), "\(parallel.output)")
        let single = try Self.train(in: folder, ranks: nil, batchSize: 16, epochs: 2, output: "one", extra: ["--model", specPath.path])
        #expect(single.status == 0, "\(single.output)")
        try Self.expectClose(folder.appendingPathComponent("two/model.safetensors").path,
                             folder.appendingPathComponent("one/model.safetensors").path, tolerance: 1e-5)
    }

    /// With gradient accumulation (k = 2) the ranks all-reduce once per update — half the bytes
    /// per step — and two ranks still equal one process on the global batch with k = 2.
    @Test func gradientAccumulationOnTwoRanksEqualsOneProcessAndHalvesTheTraffic() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--sync-batch-norm", "--optimizer", "adam"]
        let accumulated = try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 2, output: "two",
                                         extra: common + ["--gradient-accumulation-steps", "2", "--verify-replicas"])
        #expect(accumulated.status == 0, "\(accumulated.output)")
        #expect(accumulated.output.contains("weights bit-identical on all 2 ranks after each of 64 steps"), "\(accumulated.output)")
        let single = try Self.train(in: folder, ranks: nil, batchSize: 16, epochs: 2, output: "one",
                                    extra: ["--optimizer", "adam", "--gradient-accumulation-steps", "2"])
        #expect(single.status == 0, "\(single.output)")
        try Self.expectClose(folder.appendingPathComponent("two/model.safetensors").path,
                             folder.appendingPathComponent("one/model.safetensors").path, tolerance: 1e-5)
        let everyStep = try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 2, output: "every", extra: common)
        #expect(everyStep.status == 0, "\(everyStep.output)")
        let (once, every) = (try Self.bytesPerStep(accumulated.output), try Self.bytesPerStep(everyStep.output))
        // The gradients go every other step; batch-norm statistics and metrics every step.
        let gradient = try Self.gradientBytes(folder.appendingPathComponent("two/model.safetensors"))
        #expect(abs((every - once) - gradient / 2) < 0.05 * gradient, "bytes/step \(once) vs \(every), gradient \(gradient)")
    }

    /// bfloat16 on the wire: half the gradient bytes, replicas still bit-identical, weights close
    /// to the float32 run's.
    @Test func bfloat16AllReduceHalvesTheBytesAndStaysClose() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let half = try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 2, output: "bf16",
                                  extra: ["--all-reduce", "bfloat16", "--verify-replicas"])
        #expect(half.status == 0 && half.output.contains("gradients all-reduced in bfloat16"), "\(half.output)")
        #expect(half.output.contains("weights bit-identical on all 2 ranks after each of 64 steps"), "\(half.output)")
        let full = try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 2, output: "fp32")
        #expect(full.status == 0, "\(full.output)")
        let (halfBytes, fullBytes) = (try Self.bytesPerStep(half.output), try Self.bytesPerStep(full.output))
        let gradient = try Self.gradientBytes(folder.appendingPathComponent("fp32/model.safetensors"))
        #expect(abs((fullBytes - halfBytes) - gradient / 2) < 0.05 * gradient, "bytes/step \(halfBytes) vs \(fullBytes), gradient \(gradient)")
        try Self.expectClose(folder.appendingPathComponent("bf16/model.safetensors").path,
                             folder.appendingPathComponent("fp32/model.safetensors").path, tolerance: 0.05)
        let bad = try Self.train(in: folder, ranks: nil, batchSize: 8, epochs: 1, output: "bad", extra: ["--all-reduce", "float16"])
        #expect(bad.status != 0 && bad.output.contains("float16"), "\(bad.output)")
    }

    /// The gradient payload of one all-reduce of a saved model: 4 bytes per trainable float.
    static func gradientBytes(_ path: URL) throws -> Double {
        4 * Double(try Model.loadModel(from: path.path).trainableVariables.reduce(0) { $0 + $1.value.count })
    }

    /// The payload bytes per step strata-mpi reports.
    static func bytesPerStep(_ output: String) throws -> Double {
        let line = try #require(output.split(separator: "\n").last { $0.contains("bytes/step") }, "no bytes/step in \(output)")
        let words = line.split(separator: " ").map(String.init)
        let index = try #require(words.firstIndex { $0.hasPrefix("bytes/step") })
        return try #require(Double(words[index - 1]))
    }

    @Test func perRankBatchNormKeepsReplicasIdenticalAndDiffersFromSync() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let perRank = try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 2, output: "per-rank", extra: ["--verify-replicas"])
        #expect(perRank.status == 0 && perRank.output.contains("batch norm per rank"), "\(perRank.output)")
        #expect(perRank.output.contains("weights bit-identical on all 2 ranks after each of 64 steps"), "\(perRank.output)")
        // Per-rank statistics of 8 rows are not those of the 16-row global batch.
        let single = try Self.train(in: folder, ranks: nil, batchSize: 16, epochs: 2, output: "one")
        #expect(single.status == 0)
        let a = try Sequential.load(from: folder.appendingPathComponent("per-rank/model.safetensors").path)
        let b = try Sequential.load(from: folder.appendingPathComponent("one/model.safetensors").path)
        let largest = zip(a.trainableVariables, b.trainableVariables).map { x, y in
            zip(x.value.scalars, y.value.scalars).map { abs($0 - $1) }.max() ?? 0
        }.max() ?? 0
        #expect(largest > 1e-4, "per-rank batch norm should train differently from one process: \(largest)")
    }

    @Test func aResumedJobContinuesLikeAnUninterruptedOne() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sync = ["--sync-batch-norm"]
        #expect(try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 4, output: "whole", extra: sync).status == 0)
        #expect(try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 2, output: "half", extra: sync).status == 0)
        let halfway = folder.appendingPathComponent("half/model.safetensors").path
        // The same number of ranks: the same run, bit for bit.
        let resumed = try Self.train(in: folder, ranks: 2, batchSize: 8, epochs: 4, output: "resumed", extra: sync + ["--resume", halfway])
        #expect(resumed.status == 0 && resumed.output.contains("Resuming"), "\(resumed.output)")
        try Self.expectClose(folder.appendingPathComponent("resumed/model.safetensors").path,
                             folder.appendingPathComponent("whole/model.safetensors").path, tolerance: 0)
        // One process on the same global batch: the same run up to float reduction order.
        let alone = try Self.train(in: folder, ranks: nil, batchSize: 16, epochs: 4, output: "alone", extra: ["--resume", halfway])
        #expect(alone.status == 0, "\(alone.output)")
        try Self.expectClose(folder.appendingPathComponent("alone/model.safetensors").path,
                             folder.appendingPathComponent("whole/model.safetensors").path, tolerance: 1e-5)
    }

    /// Starts a long job, waits for its first epoch, does `harm` to one rank's process, and
    /// returns how the job ended and how long that took after the harm.
    static func harmOneRank(signal: Int32, timeout: Int) throws -> (status: Int32, output: String, seconds: Double) {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let marker = "harm-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "2", strataMPI, "train", "--timeout", "\(timeout)",
                             "--data", "csv:" + folder.appendingPathComponent("data.csv").path, "--target", "label",
                             "--layers", "16,8", "--epochs", "100000", "--batch-size", "8", "--output", folder.appendingPathComponent(marker).path,
                             "--backup", folder.appendingPathComponent("backup").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        var environment = ProcessInfo.processInfo.environment
        environment["STRATA_NUM_THREADS"] = "1"
        process.environment = environment
        try process.run()
        // The ranks: strata-mpi processes whose command line holds the marker.
        var ranks: [Int32] = []
        defer {   // nothing outlives the test, whatever ends it
            for pid in ranks { kill(pid, SIGKILL) }
            if process.isRunning { process.terminate() }
        }
        for _ in 0..<200 where ranks.count < 2 {
            Thread.sleep(forTimeInterval: 0.1)
            ranks = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init).filter { pid in
                guard let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) else { return false }
                return command.hasPrefix(strataMPI) && command.contains(marker)
            }
        }
        try #require(ranks.count == 2, "two ranks running")
        // Training has begun on both ranks once rank 0 has written the first epoch's backup,
        // however slowly this machine starts processes.
        let backup = folder.appendingPathComponent("backup/backup.safetensors").path
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: backup) && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        try #require(FileManager.default.fileExists(atPath: backup), "the job wrote no backup")
        let harmed = Date()
        kill(ranks.max()!, signal)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), Date().timeIntervalSince(harmed))
    }

    @Test func aKilledRankEndsTheJobWithAnError() throws {
        let (status, output, seconds) = try Self.harmOneRank(signal: SIGKILL, timeout: 30)
        #expect(status != 0, "\(output.suffix(2000))")
        #expect(seconds < 30, "the job ended \(seconds) s after the kill")
        #expect(output.contains("signal 9") || output.contains("Killed"), "\(output.suffix(2000))")
    }

    @Test func aHangingRankEndsTheJobAfterTheTimeout() throws {
        let (status, output, seconds) = try Self.harmOneRank(signal: SIGSTOP, timeout: 5)
        #expect(status != 0, "\(output.suffix(2000))")
        #expect(seconds >= 4 && seconds < 60, "the job ended \(seconds) s after the rank stopped")
        #expect(output.contains("for the other ranks (timeout 5 s): a peer process died or hangs"), "\(output.suffix(2000))")
    }
}
