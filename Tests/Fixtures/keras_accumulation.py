"""Writes keras-accumulation.json: Keras 3's optimizers with `gradient_accumulation_steps`, the
independent reference that `GradientAccumulationTests` compares Strata against.

Run with Keras 3 (any backend; written with JAX):
    KERAS_BACKEND=jax python3 Tests/Fixtures/keras_accumulation.py > Tests/Fixtures/keras-accumulation.json
Each case applies the same eight float32 gradients (one of them all zeros) to one variable and
records, after every step, the variable, `optimizer.iterations` (updates), the raw step count
(`optimizer._iterations`) and `optimizer.learning_rate` (a schedule reads the raw count).
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras

rng = np.random.default_rng(7)
START = [0.5, -1.5, 2.0, -0.25]
GRADIENTS = rng.normal(size=(8, 4)).astype(np.float32)
GRADIENTS[4] = 0  # an all-zero step between updates

CASES = {
    "sgd_momentum": lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, gradient_accumulation_steps=3),
    "sgd_nesterov_clipvalue": lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.5, nesterov=True, clipvalue=0.3,
                                                          gradient_accumulation_steps=2),
    "adam_schedule": lambda: keras.optimizers.Adam(
        learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5),
        gradient_accumulation_steps=3),
    "adamw_clipnorm": lambda: keras.optimizers.AdamW(learning_rate=0.05, weight_decay=0.1, clipnorm=0.5,
                                                     gradient_accumulation_steps=2),
    "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate=0.01, gradient_accumulation_steps=4),
    "nadam": lambda: keras.optimizers.Nadam(learning_rate=0.02, gradient_accumulation_steps=3),
    "adagrad_global_clipnorm": lambda: keras.optimizers.Adagrad(learning_rate=0.1, global_clipnorm=1.0,
                                                                gradient_accumulation_steps=2),
    "adamax": lambda: keras.optimizers.Adamax(learning_rate=0.05, gradient_accumulation_steps=3),
    "lion": lambda: keras.optimizers.Lion(learning_rate=0.01, gradient_accumulation_steps=2),
}


def run(make):
    optimizer = make()
    variable = keras.Variable(np.array(START, dtype=np.float32))
    steps = []
    for gradient in GRADIENTS:
        optimizer.apply([keras.ops.convert_to_tensor(gradient)], [variable])
        steps.append({
            "w": [float(x) for x in keras.ops.convert_to_numpy(variable)],
            "iterations": int(keras.ops.convert_to_numpy(optimizer.iterations)),
            "steps": int(keras.ops.convert_to_numpy(optimizer._iterations)),
            "learning_rate": float(keras.ops.convert_to_numpy(optimizer.learning_rate)),
        })
    return steps


print(json.dumps({
    "keras": keras.__version__, "backend": keras.backend.backend(), "start": START,
    "gradients": GRADIENTS.tolist(), "cases": {name: run(make) for name, make in CASES.items()},
}, indent=1))
