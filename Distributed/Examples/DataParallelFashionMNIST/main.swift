// The article's Fashion-MNIST model trained by several processes at once: every rank holds the
// model and trains on its share of each global batch. Run from Distributed/:
//   swift build -c release && mpirun -np 2 .build/release/DataParallelFashionMNIST
import Strata
import StrataMPI

let group = try MPIReplicaGroup.start()
let data = try FashionMNIST.load()
Random.seed(42)   // the same initial weights everywhere (rank 0's are broadcast anyway)
let model = Sequential {
    Flatten(inputShape: [28, 28])
    BatchNormalization()
    Dense(300, activation: .relu)
    BatchNormalization()
    Dense(100, activation: .relu)
    BatchNormalization()
    Dense(10, activation: .softmax)
}

// The learning rate scaled to the global batch: warm up linearly from 0.001 to 0.001 × ranks over
// 5 epochs, then cosine-decay over 30 (the linear scaling rule, Goyal et al. 2017).
let ranks = Float(group.size), stepsPerEpoch = 60_000 / (32 * group.size)
let schedule = CosineDecay(initialLearningRate: 0.001, decaySteps: 30 * stepsPerEpoch,
                           warmupTarget: 0.001 * ranks, warmupSteps: 5 * stepsPerEpoch)
model.compile(optimizer: Adam(learningRate: .schedule(schedule)), loss: .sparseCategoricalCrossentropy,
              metrics: [.accuracy])
let parallel = DataParallel(group: group)
try model.fit(data.train.images, data.train.labels, batchSize: 32, epochs: 35,
              verbose: group.rank == 0 ? .oneLinePerEpoch : .silent, dataParallel: parallel)

// Each rank tests its share of the 10,000 test images; every rank gets the total.
let test = try model.evaluate(data.test.images, data.test.labels, batchSize: 1000, dataParallel: parallel)
if group.rank == 0 { print("test accuracy \(test["accuracy"]!) on \(group.size) ranks") }
group.finish()   // MPI_Finalize: every rank ends the job cleanly
