"""Writes keras-edges.json: Keras 3's values and gradients at exact zeros, ties, tiny and large
inputs, the independent reference that `KerasEdgeTests` compares Strata against.

Run with Keras 3 on the TensorFlow backend (float64 throughout):
    python3 Tests/Fixtures/keras_edges.py > Tests/Fixtures/keras-edges.json
Inputs are float32 values (widened exactly), so both sides evaluate the same points.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
import keras

keras.config.set_floatx("float64")

POINTS = [0.0, 1e-7, -1e-7, 1e-12, -1e-12, 0.5, -0.5, 1.5, -1.5, 3.0, -3.0, 5.0, 6.0, -6.0,
          20.0, -20.0, 1e4, -1e4]
POINTS = [float(np.float32(p)) for p in POINTS]


def value_and_gradient(fn, xs):
    x = tf.constant(xs, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return y.numpy().tolist(), tape.gradient(y, x).numpy().tolist()


A = keras.activations
ACTIVATIONS = {
    "relu": lambda x: A.relu(x),
    "relu(negative_slope=0.1)": lambda x: A.relu(x, negative_slope=0.1),
    "relu(max_value=6)": lambda x: A.relu(x, max_value=6.0),
    "relu(max_value=5)": lambda x: A.relu(x, max_value=5.0),
    "relu(threshold=1.5)": lambda x: A.relu(x, threshold=1.5),
    "relu(threshold=-1.5,max_value=5)": lambda x: A.relu(x, threshold=-1.5, max_value=5.0),
    "relu(negative_slope=0.1,max_value=5)": lambda x: A.relu(x, negative_slope=0.1, max_value=5.0),
    "relu(negative_slope=0.1,threshold=1.5)": lambda x: A.relu(x, negative_slope=0.1, threshold=1.5),
    "leaky_relu": lambda x: A.leaky_relu(x),
    "leaky_relu(negative_slope=0.3)": lambda x: A.leaky_relu(x, negative_slope=0.3),
    "elu": lambda x: A.elu(x),
    "elu(alpha=0.5)": lambda x: A.elu(x, alpha=0.5),
    "selu": lambda x: A.selu(x),
    "gelu": lambda x: A.gelu(x),
    "gelu(approximate=True)": lambda x: A.gelu(x, approximate=True),
    "silu": lambda x: A.silu(x),
    "softplus": lambda x: A.softplus(x),
    "softsign": lambda x: A.softsign(x),
    "hard_sigmoid": lambda x: A.hard_sigmoid(x),
    "sigmoid": lambda x: A.sigmoid(x),
    "tanh": lambda x: A.tanh(x),
    "linear": lambda x: A.linear(x),
}

cases = {"points": POINTS, "activations": {}, "prelu": {}, "losses": {}}
for name, fn in ACTIVATIONS.items():
    y, g = value_and_gradient(fn, POINTS)
    cases["activations"][name] = {"value": y, "gradient": g}

# PReLU (keras/src/layers/activations/prelu.py: relu(x) - alpha * relu(-x)), alpha = 0.25.
layer = keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))
x = tf.constant([POINTS], dtype=tf.float64)
layer.build(x.shape)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = layer(x)
gx, ga = tape.gradient(y, [x, layer.alpha.value])
cases["prelu"] = {"alpha": 0.25, "value": y.numpy()[0].tolist(), "gradient": gx.numpy()[0].tolist(),
                  "alpha_gradient": ga.numpy().tolist()}


def loss_case(loss, y_true, y_pred):
    yt = tf.constant(y_true, dtype=tf.float64)
    yp = tf.constant(y_pred, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(yp)
        per_sample = loss.call(yt, yp)  # one value per sample, before reduction
    return {"y_true": y_true, "y_pred": y_pred, "value": per_sample.numpy().tolist(),
            "gradient": tape.gradient(per_sample, yp).numpy().tolist()}


L = keras.losses
logits = [[p] for p in POINTS]
for label in [0.0, 1.0, 0.25]:
    cases["losses"][f"binary_crossentropy(from_logits=True) y={label:g}"] = loss_case(
        L.BinaryCrossentropy(from_logits=True), [[label]] * len(POINTS), logits)
probabilities = [[float(np.float32(p))] for p in [1e-8, 1e-7, 0.25, 0.5, 0.75]]
cases["losses"]["binary_crossentropy y=1"] = loss_case(
    L.BinaryCrossentropy(), [[1.0]] * len(probabilities), probabilities)
errors = [[p] for p in [0.0, 1.0, -1.0, 2.0, -2.0, 1e-7, 0.5]]
zeros = [[0.0]] * len(errors)
cases["losses"]["huber"] = loss_case(L.Huber(delta=1.0), zeros, errors)
cases["losses"]["mean_absolute_error"] = loss_case(L.MeanAbsoluteError(), zeros, errors)
cases["losses"]["mean_squared_error"] = loss_case(L.MeanSquaredError(), zeros, errors)
cases["losses"]["hinge"] = loss_case(L.Hinge(), [[1.0]] * len(errors), errors)

# Softmax cross-entropies at zero, tiny, tied and huge logits (rows of three classes).
rows = [[0.0, 0.0, 0.0], [1e-7, -1e-7, 0.0], [1e-12, 0.0, -1e-12], [1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [20.0, -20.0, 3.0]]
rows = [[f32(v) for v in row] for row in rows] if "f32" in globals() else [[float(np.float32(v)) for v in row] for row in rows]
labels = [0, 1, 2, 0, 1, 2]
one_hot = [[1.0 if c == label else 0.0 for c in range(3)] for label in labels]
cases["losses"]["categorical_crossentropy(from_logits=True)"] = loss_case(L.CategoricalCrossentropy(from_logits=True), one_hot, rows)
cases["losses"]["sparse_categorical_crossentropy(from_logits=True)"] = loss_case(
    L.SparseCategoricalCrossentropy(from_logits=True), [[float(label)] for label in labels], rows)
probabilities = [[float(np.float32(v)) for v in row] for row in
                 [[1 / 3, 1 / 3, 1 / 3], [1e-8, 0.5, 0.5], [1e-7, 1e-7, 1.0], [0.2, 0.3, 0.5], [0.0, 1.0, 0.0], [0.9, 0.05, 0.05]]]
cases["losses"]["categorical_crossentropy"] = loss_case(L.CategoricalCrossentropy(), one_hot, probabilities)
cases["losses"]["sparse_categorical_crossentropy"] = loss_case(
    L.SparseCategoricalCrossentropy(), [[float(label)] for label in labels], probabilities)
cases["losses"]["kl_divergence"] = loss_case(L.KLDivergence(), [[0.0, 0.5, 0.5]] * len(probabilities), probabilities)

# Callbacks driven by hand on float32 values (as Keras logs them, widened to Python floats) that
# change by exactly min_delta: Keras compares in float64, where most of these steps count as
# improvements; in float32 arithmetic they would not (0.1 + 1e-4 < 0.1001 is false there).
def monitored_model():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["accuracy"])
    # Keras resolves a metric's direction only once the compiled metrics are built (one step).
    model.fit(np.zeros((2, 1)), np.zeros((2, 1)), epochs=1, verbose=0)
    return model


VALUES = [float(np.float32(round(0.1005 - k * 1e-4, 6))) for k in range(10)]
model = monitored_model()
reduce = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, min_delta=1e-4, cooldown=1)
reduce.set_model(model)
reduce.on_train_begin()
rates, waits, logged = [], [], []
for epoch, value in enumerate(VALUES):
    logs = {"val_loss": value}
    reduce.on_epoch_end(epoch, logs)
    logged.append(logs["learning_rate"])
    rates.append(float(model.optimizer.learning_rate.numpy()))
    waits.append(reduce.wait)
cases["reduce_lr_on_plateau"] = {"values": VALUES, "factor": 0.5, "patience": 1, "min_delta": 1e-4, "cooldown": 1,
                                 "learning_rate_after": rates, "logged_learning_rate": logged, "wait": waits,
                                 "best": float(reduce.best)}

model = monitored_model()
stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", min_delta=0.01, patience=2)
stop.set_model(model)
stop.on_train_begin()
accuracies = [float(np.float32(round(0.1255 + k * 0.01, 6))) for k in range(8)] + [float(np.float32(0.19))] * 3
waits, bests = [], []
for epoch, value in enumerate(accuracies):
    stop.on_epoch_end(epoch, {"val_accuracy": value})
    waits.append(stop.wait)
    bests.append(float(stop.best))
    if model.stop_training:
        break
cases["early_stopping"] = {"values": accuracies, "min_delta": 0.01, "patience": 2, "wait": waits, "best": bests,
                           "stopped_epoch": stop.stopped_epoch, "best_epoch": stop.best_epoch}

# Keras' own `_is_improvement` on pairs where adding min_delta in float64 and comparing in float32
# decides differently from doing both in float32, or both in float64.
def comparisons(callback, mode, min_delta, pairs):
    callback.set_model(monitored_model())
    callback._set_monitor_op()
    return [{"mode": mode, "min_delta": min_delta, "current": c, "reference": r,
             "improvement": bool(callback._is_improvement(c, r))} for c, r in pairs]


f32 = lambda v: float(np.float32(v))
down = [(float(np.nextafter(np.float32(f32(b) - 0.1), np.float32(1))), f32(b)) for b in [0.20003, 0.20012, 0.20018]]
down += [(float(np.nextafter(np.float32(f32(b) - 0.1), np.float32(0))), f32(b)) for b in [0.20003, 0.20012, 0.20018]]
down += [(f32(round(b - 1e-4, 6)), f32(b)) for b in [0.1001, 0.1003, 0.1004, 0.85, 0.5]]
up = [(f32(round(a + 0.01, 6)), f32(a)) for a in [0.1255, 0.1355, 0.5, 0.84, 0.9]]
cases["improvements"] = (
    comparisons(keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode="min", min_delta=0.1), "min", 0.1, down[:6])
    + comparisons(keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode="min", min_delta=1e-4), "min", 1e-4, down[6:])
    + comparisons(keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", min_delta=0.01), "max", 0.01, up))

# model.weights order: layer by layer, each layer's trainable weights then the others.
ordered = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.BatchNormalization(),
                            keras.layers.PReLU(), keras.layers.LayerNormalization(), keras.layers.Dense(2, use_bias=False)])
cases["model_weights"] = [{"name": w.name, "shape": list(w.shape)} for w in ordered.weights]

cases["keras_version"] = keras.__version__
cases["tensorflow_version"] = tf.__version__
json.dump(cases, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
