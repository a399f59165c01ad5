import Foundation
import StrataTestSupport
import Testing
@testable import Strata

/// The augmentation layers' own contract, beyond Keras' numbers (`KerasAugmentationTests`):
/// identity at inference, gradients through the warps, draws in the documented ranges, and each
/// sample's transform determined by (seed, epoch, sample index) alone — the same for any batch
/// split (which is how threads split a batch), any number of data-parallel replicas, and any
/// layer seed a replica happened to draw.
@Suite("Augmentation layers")
struct AugmentationTests {
    static func images(_ n: Int = 4, seed: UInt64 = 3) -> Tensor { random([n, 6, 5, 2], 0, 1, seed: seed) }

    static func randomLayers() -> [RandomAugmentation] {
        [RandomFlip(seed: 1), RandomTranslation(heightFactor: 0.3, widthFactor: 0.3, seed: 2), RandomRotation(0.2, seed: 3),
         RandomZoom(heightFactor: 0.3, widthFactor: 0.2, seed: 4), RandomContrast(0.4, valueRange: 0...1, seed: 5),
         RandomBrightness(0.3, valueRange: 0...1, seed: 6)]
    }

    @Test func randomLayersAreTheIdentityAtInferenceAndTransformInTraining() {
        let x = Self.images()
        for layer in Self.randomLayers() {
            #expect(layer(x, training: false).scalars == x.scalars, "\(layer.name)")
            #expect(layer(x, training: true).scalars != x.scalars, "\(layer.name) changes images in training")
        }
        // RandomCrop keeps its output size at inference: the centred aspect window, resized.
        let crop = RandomCrop(height: 4, width: 4, seed: 1)
        #expect(crop(x, training: false).shape == [4, 4, 4, 2] && crop(x, training: true).shape == [4, 4, 4, 2])
    }

    @Test func successiveCallsDrawNewTransformsAndASeedRepeatsThem() {
        let x = Self.images()
        let a = RandomRotation(0.2, seed: 9), b = RandomRotation(0.2, seed: 9)
        let first = a(x, training: true), second = a(x, training: true)
        #expect(first.scalars != second.scalars)
        #expect(b(x, training: true).scalars == first.scalars && b(x, training: true).scalars == second.scalars)
        // Without a seed, the layer takes one from the global stream when it is created.
        let c = Random.withSeed(4) { RandomRotation(0.2) }, d = Random.withSeed(4) { RandomRotation(0.2) }
        #expect(c(x, training: true).scalars == d(x, training: true).scalars)
    }

    /// Each image's transform depends on its key only: a batch warped at once equals its images
    /// warped one by one (the warp kernel splits batches across threads by image).
    @Test func aBatchEqualsItsImagesOneByOne() {
        let x = Self.images(6)
        for layer in Self.randomLayers() + [RandomCrop(height: 4, width: 3, seed: 8)] {
            let keys = (0..<6).map { UInt64(100 + 7 * $0) }
            let whole = SamplePositions.$current.withValue(SamplePositions(epoch: 2, keys: keys)) { layer(x, training: true) }
            for index in 0..<6 {
                let alone = SamplePositions.$current.withValue(SamplePositions(epoch: 2, keys: [keys[index]])) {
                    layer(x.slice(index..<(index + 1)), training: true)
                }
                #expect(alone.scalars == whole.slice(index..<(index + 1)).scalars, "\(layer.name), image \(index)")
            }
            let nextEpoch = SamplePositions.$current.withValue(SamplePositions(epoch: 3, keys: keys)) { layer(x, training: true) }
            #expect(nextEpoch.scalars != whole.scalars, "\(layer.name): a new epoch draws new transforms")
        }
    }

    @Test func drawsCoverTheDocumentedRanges() throws {
        let n = 2000
        let keys = (0..<n).map { UInt64($0) }
        func draws(_ layer: RandomAugmentation) throws -> [SIMD4<Float>] {
            try layer.build(inputShape: [6, 5, 2])
            return SamplePositions.$current.withValue(SamplePositions(epoch: 0, keys: keys)) { layer.draws(count: n) }
        }
        let flips = try draws(RandomFlip(seed: 1)).filter { $0[0] <= 0.5 }.count
        #expect(abs(Double(flips) / Double(n) - 0.5) < 0.05)
        // RandomContrast(0.4): factors on both sides of 1, as Keras documents ([0.6, 1.4]).
        let contrast = RandomContrast(0.4, seed: 2)
        let factors = try draws(contrast).map { uniform($0[0], 1 - 0.4, 1 + 0.4) }
        #expect(factors.min()! < 0.65 && factors.max()! > 1.35)
        let rotation = RandomRotation([-0.1, 0.25], seed: 3)
        let matrices = try draws(rotation).map { rotation.transform($0, height: 6, width: 5) }
        let degrees = matrices.map { atan2($0[3], $0[0]) * 180 / .pi }
        #expect(degrees.min()! >= -36.01 && degrees.min()! < -34 && degrees.max()! <= 90.01 && degrees.max()! > 88)
    }

    @Test func gradientsFlowThroughTheWarps() {
        let draws: [SIMD4<Float>] = [SIMD4(0.3, 0.8, 0.1, 0.6), SIMD4(0.7, 0.2, 0.9, 0.4)]
        let layers: [RandomAugmentation] = [
            RandomRotation(0.3, fillMode: .constant, fillValue: 0.5, seed: 1), RandomRotation(0.3, fillMode: .reflect, seed: 1),
            RandomZoom(heightFactor: 0.4, fillMode: .wrap, seed: 1), RandomTranslation(heightFactor: 0.7, widthFactor: 0.4, seed: 1),
            RandomContrast([0.3, 0.3], valueRange: 0...1, seed: 1), RandomCrop(height: 4, width: 3, seed: 1),
        ]
        for layer in layers {
            let x = random([2, 6, 5, 2], 0.2, 0.8, seed: 5)
            try? layer.build(inputShape: [6, 5, 2])
            let errors = gradientErrors([x], step: 1e-3) { layer.augment($0[0], draws: draws) }
            #expect(errors.allSatisfy { $0 < 1e-2 }, "\(layer.name): \(errors)")
        }
        for layer in [Resizing(height: 4, width: 7), Resizing(height: 9, width: 3, cropToAspectRatio: true)] as [Layer] {
            let errors = gradientErrors([random([2, 6, 5, 2], 0, 1, seed: 6)], step: 1e-3) { layer($0[0]) }
            #expect(errors.allSatisfy { $0 < 1e-2 }, "\(layer.name): \(errors)")
        }
    }

    @Test func configsRoundTripAndBadFactorsAreRefused() throws {
        let layers: [Layer] = Self.randomLayers() + [
            RandomCrop(height: 3, width: 2, seed: 7), RandomZoom(heightFactor: [-0.2, 0.5], fillMode: .constant, interpolation: .nearest, fillValue: 2),
            Rescaling(1 / 255, offset: 0.5), Resizing(height: 3, width: 8, interpolation: .nearest, cropToAspectRatio: true),
            CenterCrop(height: 2, width: 2),
        ]
        for layer in layers {
            let copy = try Layer.from(config: layer.config)
            #expect(copy.config == layer.config, "\(layer.name)")
        }
        let bad: [(Layer, String)] = [(RandomRotation(1.5), "factor"), (RandomZoom(heightFactor: -1), "heightFactor"),
                                      (RandomContrast(-0.2), "factor"), (RandomTranslation(heightFactor: [0.1, 0.2, 0.3], widthFactor: 0), "heightFactor"),
                                      (RandomCrop(height: 0, width: 3), "target size")]
        for (layer, word) in bad {
            #expect { try layer.build(inputShape: [6, 5, 2]) } throws: { "\($0)".contains(word) }
        }
        #expect(throws: StrataError.self) { try RandomFlip().build(inputShape: [6, 5]) }
        #expect { try Layer.from(config: ["class_name": "Resizing", "config": ["height": 2, "width": 2, "pad_to_aspect_ratio": true]]) }
            throws: { "\($0)".contains("pad_to_aspect_ratio") }
    }

    /// Records, per training sample key, what reached it.
    final class Recorder: Layer {
        nonisolated(unsafe) var seen: [UInt64: [Float]] = [:]
        override func call(_ x: Tensor, training: Bool) -> Tensor {
            if training, let positions = SamplePositions.current {
                for (row, key) in positions.keys.enumerated() {
                    seen[UInt64(positions.epoch) << 32 | key] = x.slice(row..<(row + 1)).scalars
                }
            }
            return x
        }
    }

    /// In `fit`, sample i of epoch e is augmented the same way for 1, 2 or 3 replicas and any
    /// batch size, although every replica's unseeded layer drew its own seed: `fit` gives them
    /// replica 0's.
    @Test func everyReplicaCountAugmentsEachSampleTheSame() throws {
        let x = Self.images(12), y = Tensor(labels: (0..<12).map { $0 % 2 })
        func run(replicas: Int, batchSize: Int) throws -> [UInt64: [Float]] {
            let seen = try ThreadReplicas(size: replicas).run { member -> [UInt64: [Float]] in
                let recorder = Recorder()
                let model = Random.withSeed(UInt64(member.rank == 0 ? 5 : 50 + member.rank)) {
                    Sequential {
                        RandomRotation(0.2, inputShape: [6, 5, 2])
                        RandomFlip()
                        recorder
                        Flatten()
                        Dense(2, activation: .softmax)
                    }
                }
                model.compile(optimizer: SGD(), loss: .sparseCategoricalCrossentropy)
                try Random.withSeed(1) {
                    _ = try model.fit(x, y, batchSize: batchSize, epochs: 2, verbose: .silent,
                                      dataParallel: replicas > 1 ? DataParallel(group: member) : nil)
                }
                return recorder.seen
            }
            return seen.reduce(into: [:]) { all, part in all.merge(part) { a, _ in a } }
        }
        let alone = try run(replicas: 1, batchSize: 5)
        #expect(alone.count == 24)
        #expect(try run(replicas: 2, batchSize: 3) == alone)
        #expect(try run(replicas: 3, batchSize: 2) == alone)
    }
}
