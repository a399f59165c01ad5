extension Optimizer {
    /// Rebuilds an optimizer from `config` (`{"class_name": "Adam", "config": {…}}`, Keras' keys).
    public static func from(config: ConfigValue) throws -> Optimizer {
        let outer = try ConfigReader(config, owner: "optimizer")
        let className = try outer.string("class_name")
        let r = try ConfigReader(outer.value("config") == .null ? .object([:]) : outer.value("config"), owner: "optimizer \(className)")
        let rate: LearningRate
        switch r.value("learning_rate") {
        case .number(let value): rate = .constant(Float(value))
        case .null: rate = .constant(className == "SGD" ? 0.01 : 0.001)
        case let schedule: rate = .schedule(try scheduleFrom(schedule))
        }
        let clipNorm = try r.optionalFloat("clipnorm"), clipValue = try r.optionalFloat("clipvalue")
        let globalClipNorm = try r.optionalFloat("global_clipnorm"), weightDecay = try r.optionalFloat("weight_decay")
        let beta1 = try r.float("beta_1", default: 0.9), epsilon = try r.float("epsilon", default: 1e-7)
        // Checked here so that a bad file throws instead of tripping the initializers' preconditions.
        guard [clipNorm, clipValue, globalClipNorm].compactMap({ $0 }).count <= 1 else {
            throw StrataError.invalidArgument("more than one of clipnorm, clipvalue and global_clipnorm", context: "optimizer \(className)")
        }
        let momentum = try r.float("momentum", default: 0)
        guard momentum >= 0 && momentum <= 1, beta1 > 0 && beta1 <= 1 else {
            throw StrataError.invalidArgument("momentum \(momentum) or beta_1 \(beta1) is outside its range", context: "optimizer \(className)",
                                              expected: "momentum in [0, 1], beta_1 in (0, 1]")
        }
        switch className {
        case "SGD":
            return SGD(learningRate: rate, momentum: try r.float("momentum", default: 0), nesterov: try r.bool("nesterov", default: false),
                       clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "Adagrad":
            return Adagrad(learningRate: rate, initialAccumulatorValue: try r.float("initial_accumulator_value", default: 0.1),
                           epsilon: epsilon, clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm,
                           weightDecay: weightDecay)
        case "RMSprop":
            return RMSprop(learningRate: rate, rho: try r.float("rho", default: 0.9), momentum: try r.float("momentum", default: 0),
                           epsilon: epsilon, centered: try r.bool("centered", default: false), clipNorm: clipNorm,
                           clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "Adam", "AdamW":
            let beta2 = try r.float("beta_2", default: 0.999), amsgrad = try r.bool("amsgrad", default: false)
            if className == "AdamW" {
                return AdamW(learningRate: rate, weightDecay: weightDecay ?? 0.004, beta1: beta1, beta2: beta2, epsilon: epsilon,
                             amsgrad: amsgrad, clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm)
            }
            return Adam(learningRate: rate, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad, clipNorm: clipNorm,
                        clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "Adamax":
            return Adamax(learningRate: rate, beta1: beta1, beta2: try r.float("beta_2", default: 0.999), epsilon: epsilon,
                          clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "Nadam":
            return Nadam(learningRate: rate, beta1: beta1, beta2: try r.float("beta_2", default: 0.999), epsilon: epsilon,
                         clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "Lion":
            return Lion(learningRate: rate, beta1: beta1, beta2: try r.float("beta_2", default: 0.99), clipNorm: clipNorm,
                        clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        default:
            throw StrataError.invalidArgument("unknown optimizer '\(className)'", context: "optimizer config",
                                              expected: "SGD, Adagrad, RMSprop, Adam, AdamW, Adamax, Nadam or Lion")
        }
    }

    private static func scheduleFrom(_ config: ConfigValue) throws -> any LearningRateSchedule {
        let outer = try ConfigReader(config, owner: "learning-rate schedule")
        let className = try outer.string("class_name")
        let r = try ConfigReader(outer.value("config"), owner: "schedule \(className)")
        // Checked here so that a bad file throws instead of tripping the initializers' preconditions.
        for key in ["decay_steps", "first_decay_steps"] where r.value(key) != .null {
            guard try r.int(key) > 0 else {
                throw StrataError.invalidArgument("'\(key)' must be positive", context: "schedule \(className)")
            }
        }
        switch className {
        case "ExponentialDecay":
            return ExponentialDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.int("decay_steps"),
                                    decayRate: try r.float("decay_rate"), staircase: try r.bool("staircase", default: false))
        case "InverseTimeDecay":
            return InverseTimeDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.int("decay_steps"),
                                    decayRate: try r.float("decay_rate"), staircase: try r.bool("staircase", default: false))
        case "PiecewiseConstantDecay":
            guard case .array(let values) = r.value("values") else {
                throw StrataError.invalidArgument("'values' is not an array", context: "schedule PiecewiseConstantDecay")
            }
            let rates = try values.map { value -> Float in
                guard case .number(let number) = value else {
                    throw StrataError.invalidArgument("'values' holds a non-number", context: "schedule PiecewiseConstantDecay")
                }
                return Float(number)
            }
            let boundaries = try r.ints("boundaries")
            guard rates.count == boundaries.count + 1 else {
                throw StrataError.invalidArgument("\(rates.count) values for \(boundaries.count) boundaries",
                                                  context: "schedule PiecewiseConstantDecay", expected: "one more value than boundaries")
            }
            return PiecewiseConstantDecay(boundaries: boundaries, values: rates)
        case "PolynomialDecay":
            return PolynomialDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.int("decay_steps"),
                                   endLearningRate: try r.float("end_learning_rate", default: 1e-4),
                                   power: try r.float("power", default: 1), cycle: try r.bool("cycle", default: false))
        case "CosineDecay":
            return CosineDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.int("decay_steps"),
                               alpha: try r.float("alpha", default: 0), warmupTarget: try r.optionalFloat("warmup_target"),
                               warmupSteps: try r.int("warmup_steps", default: 0))
        case "CosineDecayRestarts":
            return CosineDecayRestarts(initialLearningRate: try r.float("initial_learning_rate"),
                                       firstDecaySteps: try r.int("first_decay_steps"), tMul: try r.float("t_mul", default: 2),
                                       mMul: try r.float("m_mul", default: 1), alpha: try r.float("alpha", default: 0))
        default:
            throw StrataError.invalidArgument("unknown schedule '\(className)'", context: "learning-rate schedule")
        }
    }
}
