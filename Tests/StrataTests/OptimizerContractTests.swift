import Foundation
import Testing
@testable import Strata

/// Every built-in optimizer and schedule: the defaults `Optimizer.from(config:)` uses for absent
/// keys are the `init`'s own, a config round trip is the identity, and configs carry the
/// shortest decimals (`0.9`, not `0.8999999761581421`), as Keras writes them.
@Suite("Optimizer and schedule configs")
struct OptimizerContractTests {
    /// Each optimizer with its defaults, and with every option moved off its default.
    static var optimizers: [(defaults: Optimizer, custom: Optimizer)] { [
        (SGD(), SGD(learningRate: 0.05, momentum: 0.8, nesterov: true, clipNorm: 1.5, weightDecay: 0.01)),
        (Adagrad(), Adagrad(learningRate: 0.02, initialAccumulatorValue: 0.2, epsilon: 1e-6, clipValue: 0.5)),
        (RMSprop(), RMSprop(learningRate: 0.003, rho: 0.8, momentum: 0.5, epsilon: 1e-5, centered: true, globalClipNorm: 2)),
        (Adam(), Adam(learningRate: 0.002, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, weightDecay: 0.1)),
        (AdamW(), AdamW(learningRate: 0.004, weightDecay: 0.02, beta1: 0.85, beta2: 0.95, epsilon: 1e-8, amsgrad: true)),
        (Adamax(), Adamax(learningRate: 0.003, beta1: 0.7, beta2: 0.9, epsilon: 1e-6, clipNorm: 3)),
        (Nadam(), Nadam(learningRate: 0.004, beta1: 0.95, beta2: 0.98, epsilon: 1e-5)),
        (Lion(), Lion(learningRate: 3e-4, beta1: 0.95, beta2: 0.98, clipValue: 1)),
    ] }

    /// Each schedule with only its required arguments, and with every option set.
    static var schedules: [(required: any LearningRateSchedule, custom: any LearningRateSchedule)] { [
        (ExponentialDecay(initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9),
         ExponentialDecay(initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9, staircase: true)),
        (InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5),
         InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true)),
        (PiecewiseConstantDecay(boundaries: [10, 20], values: [0.1, 0.01, 0.001]),
         PiecewiseConstantDecay(boundaries: [5], values: [0.3, 0.03])),
        (PolynomialDecay(initialLearningRate: 0.1, decaySteps: 50),
         PolynomialDecay(initialLearningRate: 0.1, decaySteps: 50, endLearningRate: 0.01, power: 2, cycle: true)),
        (CosineDecay(initialLearningRate: 0.1, decaySteps: 40),
         CosineDecay(initialLearningRate: 0.1, decaySteps: 40, alpha: 0.1, warmupTarget: 0.2, warmupSteps: 5)),
        (CosineDecayRestarts(initialLearningRate: 0.1, firstDecaySteps: 30),
         CosineDecayRestarts(initialLearningRate: 0.1, firstDecaySteps: 30, tMul: 3, mMul: 0.5, alpha: 0.05)),
    ] }

    /// The config with only the keys that have no default: class name (and a schedule's
    /// required arguments).
    static func bare(_ config: ConfigValue, keeping required: Set<String> = []) -> ConfigValue {
        guard case .object(var outer) = config, case .object(let inner)? = outer["config"] else { return config }
        outer["config"] = .object(inner.filter { required.contains($0.key) })
        return .object(outer)
    }

    @Test func absentKeysTakeTheInitDefaults() throws {
        for (defaults, _) in Self.optimizers {
            let rebuilt = try Optimizer.from(config: Self.bare(defaults.config))
            #expect(rebuilt.config == defaults.config, "\(type(of: defaults))")
            #expect(type(of: rebuilt) == type(of: defaults))
        }
        let required: Set<String> = ["initial_learning_rate", "decay_steps", "decay_rate", "first_decay_steps",
                                     "boundaries", "values"]
        for (schedule, _) in Self.schedules {
            let config = Adam(learningRate: .schedule(schedule)).config
            guard case .object(var outer) = config, case .object(var inner)? = outer["config"] else {
                Issue.record("optimizer config is not an object")
                continue
            }
            inner["learning_rate"] = Self.bare(schedule.config, keeping: required)
            outer["config"] = .object(inner)
            #expect(try Optimizer.from(config: .object(outer)).config == config, "\(type(of: schedule))")
        }
    }

    @Test func configRoundTripIsTheIdentity() throws {
        for (defaults, custom) in Self.optimizers {
            #expect(try Optimizer.from(config: defaults.config).config == defaults.config)
            #expect(try Optimizer.from(config: custom.config).config == custom.config, "\(type(of: custom))")
            #expect(custom.config != defaults.config, "\(type(of: custom)): the custom options change nothing")
        }
        for (required, custom) in Self.schedules {
            for schedule in [required, custom] {
                let config = SGD(learningRate: .schedule(schedule)).config
                #expect(try Optimizer.from(config: config).config == config, "\(type(of: schedule))")
            }
            #expect(required.config != custom.config)
        }
    }

    @Test func configsWriteShortestDecimals() throws {
        let text = Adam().config.description
        #expect(text.contains(#""beta_1":0.9,"#), "\(text)")
        #expect(text.contains(#""beta_2":0.999,"#), "\(text)")
        #expect(text.contains(#""epsilon":1e-07,"#), "\(text)")
        #expect(text.contains(#""learning_rate":0.001,"#), "\(text)")
        #expect(Dense(3, activation: .leakyRelu(negativeSlope: 0.3)).config.description.contains(#""negative_slope":0.3"#))
        // Every float still reads back as itself.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let value = Float(bitPattern: UInt32.random(in: 0..<0x7F80_0000, using: &generator))
            let text = ConfigValue.float(value).description
            let decoded = try JSONDecoder().decode(ConfigValue.self, from: Data(text.utf8))
            guard case .number(let number) = decoded else {
                Issue.record("\(text) did not decode as a number")
                continue
            }
            #expect(Float(number) == value, "\(value) → \(text) → \(Float(number))")
        }
    }

    @Test func registryHoldsEveryBuiltInOnce() {
        #expect(Set(Self.optimizers.map { String(describing: type(of: $0.defaults)) }).isSubset(of: Set(OptimizerRegistry.classNames)))
        #expect(Set(Self.schedules.map { String(describing: type(of: $0.required)) }) == Set(ScheduleRegistry.classNames))
        #expect(throws: StrataError.self) { try Optimizer.from(config: .object(["class_name": .string("Nope")])) }
    }

    /// Presets: one per registered class under its lowercased name, with the class's defaults;
    /// SGD's momentum variants set momentum 0.9 (and Nesterov); `learningRate` replaces the default.
    @Test func presetsCoverTheRegistryAndSGDsVariants() throws {
        OptimizerRegistry.register(DampedSignDescent.self)   // as another test does, so both reads agree
        let presets = OptimizerPreset.all
        #expect(Set(presets.map(\.className)) == Set(OptimizerRegistry.classNames))
        #expect(presets.filter { $0.className != "SGD" || $0.name == "sgd" }.map(\.name)
                == OptimizerRegistry.classNames.map { $0.lowercased() }.sorted())
        let adam = try #require(OptimizerPreset.named("adam")?.make() as? Adam)
        #expect(adam.config == Adam().config)
        let nesterov = try #require(OptimizerPreset.named("nesterov")?.make(learningRate: 0.05) as? SGD)
        #expect(nesterov.momentum == 0.9 && nesterov.nesterov && nesterov.currentLearningRate == 0.05)
        let momentum = try #require(OptimizerPreset.named("momentum")?.make() as? SGD)
        #expect(momentum.momentum == 0.9 && !momentum.nesterov && momentum.currentLearningRate == SGD().currentLearningRate)
        let names = presets.map(\.name)
        #expect(names.firstIndex(of: "momentum") == names.firstIndex(of: "sgd")! + 1 && names.firstIndex(of: "nesterov") == names.firstIndex(of: "sgd")! + 2)
        #expect(OptimizerPreset.named("adamm") == nil && OptimizerPreset.named("dampedsigndescent")?.title == "DampedSignDescent")
    }

    /// A user's own optimizer, registered, saves in a model file and loads back with its options
    /// and slots.
    @Test func userDefinedOptimizerSavesAndLoads() throws {
        OptimizerRegistry.register(DampedSignDescent.self)
        let model = Sequential { Dense(2, inputShape: [3]) }
        model.compile(optimizer: DampedSignDescent(learningRate: 0.05, damping: 0.5), loss: .meanSquaredError)
        let x = Tensor.randomNormal([8, 3], seed: 1), y = Tensor.randomNormal([8, 2], seed: 2)
        try model.fit(x, y, batchSize: 4, epochs: 1, verbose: .silent)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try Sequential.load(from: path)
        let optimizer = try #require(loaded.optimizer as? DampedSignDescent)
        #expect(optimizer.damping == 0.5 && optimizer.currentLearningRate == 0.05 && optimizer.iterations == 2)
        loaded.resetTrainingProgress()   // one more epoch as a new run, like the original's below
        try Random.withSeed(5) { _ = try loaded.fit(x, y, batchSize: 4, epochs: 1, verbose: .silent) }
        try Random.withSeed(5) { _ = try model.fit(x, y, batchSize: 4, epochs: 1, verbose: .silent) }
        #expect(loaded.getWeights().map(\.scalars) == model.getWeights().map(\.scalars))
    }
}

/// Sign descent with a running average of the gradient's sign (one slot): a user's optimizer.
final class DampedSignDescent: Optimizer, ConfigurableOptimizer {
    let damping: Float

    init(learningRate: LearningRate = 0.01, damping: Float = 0.9) {
        self.damping = damping
        super.init(learningRate: learningRate)
    }

    convenience init(config: ConfigValue) throws {
        let options = try OptimizerOptions(config, owner: "DampedSignDescent"), d = DampedSignDescent()
        self.init(learningRate: options.learningRate ?? d.learningRate, damping: try options.float("damping", default: d.damping))
    }

    override var slotNames: [String] { ["average"] }

    override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate: Float) {
        slots[0] = slots[0] * damping + sign(g) * (1 - damping)
        w = w - slots[0] * learningRate
    }

    override var options: [String: ConfigValue] { ["damping": .float(damping)] }
}
