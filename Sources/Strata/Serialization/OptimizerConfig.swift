extension Optimizer {
    /// Rebuilds an optimizer from `config` (`{"class_name": "Adam", "config": {…}}`, Keras' keys).
    /// An absent key takes the default of the optimizer's own `init` (read from a default
    /// instance, so each default is written once, in the optimizer's file).
    public static func from(config: ConfigValue) throws -> Optimizer {
        let outer = try ConfigReader(config, owner: "optimizer")
        let className = try outer.string("class_name")
        let r = try ConfigReader(outer.value("config") == .null ? .object([:]) : outer.value("config"), owner: "optimizer \(className)")
        let rate: LearningRate?
        switch r.value("learning_rate") {
        case .number(let value): rate = .constant(Float(value))
        case .null: rate = nil
        case let schedule: rate = .schedule(try scheduleFrom(schedule))
        }
        let clipNorm = try r.optionalFloat("clipnorm"), clipValue = try r.optionalFloat("clipvalue")
        let globalClipNorm = try r.optionalFloat("global_clipnorm"), weightDecay = try r.optionalFloat("weight_decay")
        // Checked here so that a bad file throws instead of tripping the initializers' preconditions.
        guard [clipNorm, clipValue, globalClipNorm].compactMap({ $0 }).count <= 1 else {
            throw StrataError.invalidArgument("more than one of clipnorm, clipvalue and global_clipnorm", context: "optimizer \(className)")
        }
        let momentum = try r.optionalFloat("momentum"), beta1 = try r.optionalFloat("beta_1")
        guard momentum.map({ $0 >= 0 && $0 <= 1 }) ?? true, beta1.map({ $0 > 0 && $0 <= 1 }) ?? true else {
            throw StrataError.invalidArgument("momentum \(momentum ?? 0) or beta_1 \(beta1 ?? 0.9) is outside its range",
                                              context: "optimizer \(className)", expected: "momentum in [0, 1], beta_1 in (0, 1]")
        }
        switch className {
        case "SGD":
            let d = SGD()
            return SGD(learningRate: rate ?? d.learningRate, momentum: momentum ?? d.momentum,
                       nesterov: try r.bool("nesterov", default: d.nesterov),
                       clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "Adagrad":
            let d = Adagrad()
            return Adagrad(learningRate: rate ?? d.learningRate,
                           initialAccumulatorValue: try r.float("initial_accumulator_value", default: d.initialAccumulatorValue),
                           epsilon: try r.float("epsilon", default: d.epsilon), clipNorm: clipNorm, clipValue: clipValue,
                           globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "RMSprop":
            let d = RMSprop()
            return RMSprop(learningRate: rate ?? d.learningRate, rho: try r.float("rho", default: d.rho),
                           momentum: momentum ?? d.momentum, epsilon: try r.float("epsilon", default: d.epsilon),
                           centered: try r.bool("centered", default: d.centered), clipNorm: clipNorm,
                           clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "Adam":
            let d = Adam()
            return Adam(learningRate: rate ?? d.learningRate, beta1: beta1 ?? d.beta1, beta2: try r.float("beta_2", default: d.beta2),
                        epsilon: try r.float("epsilon", default: d.epsilon), amsgrad: try r.bool("amsgrad", default: d.amsgrad),
                        clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "AdamW":
            let d = AdamW()
            return AdamW(learningRate: rate ?? d.learningRate, weightDecay: weightDecay ?? d.weightDecay ?? 0, beta1: beta1 ?? d.beta1,
                         beta2: try r.float("beta_2", default: d.beta2), epsilon: try r.float("epsilon", default: d.epsilon),
                         amsgrad: try r.bool("amsgrad", default: d.amsgrad), clipNorm: clipNorm, clipValue: clipValue,
                         globalClipNorm: globalClipNorm)
        case "Adamax":
            let d = Adamax()
            return Adamax(learningRate: rate ?? d.learningRate, beta1: beta1 ?? d.beta1, beta2: try r.float("beta_2", default: d.beta2),
                          epsilon: try r.float("epsilon", default: d.epsilon),
                          clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "Nadam":
            let d = Nadam()
            return Nadam(learningRate: rate ?? d.learningRate, beta1: beta1 ?? d.beta1, beta2: try r.float("beta_2", default: d.beta2),
                         epsilon: try r.float("epsilon", default: d.epsilon),
                         clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
        case "Lion":
            let d = Lion()
            return Lion(learningRate: rate ?? d.learningRate, beta1: beta1 ?? d.beta1, beta2: try r.float("beta_2", default: d.beta2),
                        clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay)
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
        // Optional keys take the defaults of the schedule's own `init` (a default instance's values).
        case "ExponentialDecay":
            let d = ExponentialDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.int("decay_steps"),
                                     decayRate: try r.float("decay_rate"))
            return ExponentialDecay(initialLearningRate: d.initialLearningRate, decaySteps: d.decaySteps, decayRate: d.decayRate,
                                    staircase: try r.bool("staircase", default: d.staircase))
        case "InverseTimeDecay":
            let d = InverseTimeDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.int("decay_steps"),
                                     decayRate: try r.float("decay_rate"))
            return InverseTimeDecay(initialLearningRate: d.initialLearningRate, decaySteps: d.decaySteps, decayRate: d.decayRate,
                                    staircase: try r.bool("staircase", default: d.staircase))
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
            let d = PolynomialDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.int("decay_steps"))
            return PolynomialDecay(initialLearningRate: d.initialLearningRate, decaySteps: d.decaySteps,
                                   endLearningRate: try r.float("end_learning_rate", default: d.endLearningRate),
                                   power: try r.float("power", default: d.power), cycle: try r.bool("cycle", default: d.cycle))
        case "CosineDecay":
            let d = CosineDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.int("decay_steps"))
            return CosineDecay(initialLearningRate: d.initialLearningRate, decaySteps: d.decaySteps,
                               alpha: try r.float("alpha", default: d.alpha),
                               warmupTarget: r.value("warmup_target") == .null ? d.warmupTarget : try r.float("warmup_target"),
                               warmupSteps: try r.int("warmup_steps", default: d.warmupSteps))
        case "CosineDecayRestarts":
            let d = CosineDecayRestarts(initialLearningRate: try r.float("initial_learning_rate"),
                                        firstDecaySteps: try r.int("first_decay_steps"))
            return CosineDecayRestarts(initialLearningRate: d.initialLearningRate, firstDecaySteps: d.firstDecaySteps,
                                       tMul: try r.float("t_mul", default: d.tMul), mMul: try r.float("m_mul", default: d.mMul),
                                       alpha: try r.float("alpha", default: d.alpha))
        default:
            throw StrataError.invalidArgument("unknown schedule '\(className)'", context: "learning-rate schedule")
        }
    }
}
