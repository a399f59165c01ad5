"""The article's Fashion-MNIST model in Keras 3 (TensorFlow backend), timed like `strata bench train`.

    python Benchmarks/peers/keras_train.py --batch-size 32 --epochs 4 --threads 2
    python Benchmarks/peers/keras_train.py --predict --threads 2
    python Benchmarks/peers/keras_train.py --model convnet --batch-size 128 --epochs 4 --threads 2
"""
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import fashion_data  # noqa: E402 (after the environment settings)


def main():
    args = fashion_data.arguments()

    import numpy as np
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras

    keras.utils.set_random_seed(args.seed)
    if args.bfloat16:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    x_train, y_train, x_test, y_test = fashion_data.load()
    x_train = x_train.astype(np.float32) / 255
    x_test = x_test.astype(np.float32) / 255
    L = keras.layers
    layers = {
        "mlp": [L.Flatten(), L.BatchNormalization(), L.Dense(300, activation="relu"), L.BatchNormalization(),
                L.Dense(100, activation="relu"), L.BatchNormalization(), L.Dense(10, activation="softmax")],
        # ArticleModels.lenet5 and mnistConvnet (keras.io's mnist_convnet).
        "lenet5": [L.Reshape((28, 28, 1)), L.Conv2D(6, 5, padding="same", activation="relu"), L.MaxPooling2D(),
                   L.Conv2D(16, 5, activation="relu"), L.MaxPooling2D(), L.Flatten(), L.Dense(120, activation="relu"),
                   L.Dense(84, activation="relu"), L.Dense(10, activation="softmax")],
        "convnet": [L.Reshape((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(),
                    L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(), L.Flatten(), L.Dropout(0.5),
                    L.Dense(10, activation="softmax")],
    }[args.model]
    model = keras.Sequential([keras.Input(shape=(28, 28))] + layers)
    common = [("framework", "keras-" + keras.__version__ + "-tf-" + tf.__version__ + ("+bf16" if args.bfloat16 else "")),
              ("model", args.model), ("batch", args.batch_size),
              ("threads", args.threads)]

    if args.predict:
        model.predict(x_test, batch_size=args.batch_size, verbose=0)
        seconds = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            model.predict(x_test, batch_size=args.batch_size, verbose=0)
            seconds.append(time.perf_counter() - start)
        fashion_data.report(common + [("predict_best_s", f"{min(seconds):.4f}"),
                                      ("predict_median_s", f"{statistics.median(seconds):.4f}"),
                                      ("peak_rss_mib", f"{fashion_data.peak_rss_mib():.0f}")])
        return

    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)
            print(f"epoch {epoch + 1}: {self.seconds[-1]:.3f} s, loss {logs['loss']:.4f}, "
                  f"accuracy {logs['accuracy']:.4f}", flush=True)

    timer = Timer()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=0, callbacks=[timer])
    steady = timer.seconds[1:]
    median = statistics.median(steady)
    n = len(x_train)
    steps = (n + args.batch_size - 1) // args.batch_size
    accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]
    fashion_data.report(common + [
        ("epochs", args.epochs), ("epoch_best_s", f"{min(steady):.3f}"), ("epoch_median_s", f"{median:.3f}"),
        ("samples_per_s", f"{n / median:.0f}"), ("ms_per_step", f"{1000 * median / steps:.3f}"),
        ("peak_rss_mib", f"{fashion_data.peak_rss_mib():.0f}"), ("test_accuracy", f"{accuracy:.4f}")])


if __name__ == "__main__":
    main()
