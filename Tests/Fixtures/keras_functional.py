"""Writes keras-functional.json: Keras 3's own values for the functional API's semantics, the
independent reference that `KerasFunctionalTests` compares Strata against:

- merge layers at their edges (broadcast across ranks, ties of Maximum/Minimum, Dot's axes and
  normalization of a zero vector, Concatenate on an inner axis): inputs, output, and the
  gradient of sum(output * weights_of_the_sum) for every input;
- Embedding: output and the table's gradient with a repeated id;
- a two-input, two-output functional model with a kernel regularizer, per-output losses, loss
  weights and metrics: `evaluate`'s logs (total = sum of weighted losses + penalties, the
  unweighted per-output losses, prefixed metrics), and one `train_on_batch` SGD step's logs
  and weights — with the Keras config of the model (inbound nodes) for the config reader.

Run with Keras 3 on the TensorFlow backend:
    python3 Tests/Fixtures/keras_functional.py > Tests/Fixtures/keras-functional.json
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
import keras

rng = np.random.default_rng(2027)
L = keras.layers


def values(shape, low=-1.0, high=1.0, integers=None):
    if integers is not None:
        return rng.choice(np.array(integers, dtype=np.float32), size=shape)
    return rng.uniform(low, high, size=shape).astype(np.float32)


def flat(a):
    return np.asarray(a, dtype=np.float32).ravel().tolist()


MERGES = [
    ("add three", L.Add(), [(2, 3), (2, 3), (2, 3)], None),
    ("add broadcast across ranks", L.Add(), [(2, 3), (2, 4, 3)], None),
    ("add broadcast size 1", L.Add(), [(2, 1, 3), (2, 4, 1)], None),
    ("subtract", L.Subtract(), [(2, 4), (2, 4)], None),
    ("multiply broadcast", L.Multiply(), [(2, 2, 3), (2, 1, 3)], None),
    ("average three", L.Average(), [(2, 3), (2, 3), (2, 3)], None),
    ("maximum ties", L.Maximum(), [(2, 4), (2, 4), (2, 4)], [0, 1]),
    ("minimum ties", L.Minimum(), [(2, 4), (2, 4)], [0, 1]),
    ("concatenate last", L.Concatenate(), [(2, 3), (2, 2)], None),
    ("concatenate axis 1", L.Concatenate(axis=1), [(2, 2, 3), (2, 1, 3)], None),
    ("dot axes 1", L.Dot(axes=1), [(3, 4), (3, 4)], None),
    ("dot axes (1, 2)", L.Dot(axes=(1, 2)), [(2, 3, 4), (2, 5, 3)], None),
    ("dot axes -1 rank 3", L.Dot(axes=-1), [(2, 3, 4), (2, 2, 4)], None),
    ("dot normalize", L.Dot(axes=1, normalize=True), [(3, 4), (3, 4)], None),
]

out = {"keras_version": keras.__version__, "tensorflow_version": tf.__version__, "merges": []}
for name, layer, shapes, integers in MERGES:
    xs = [values(s, integers=integers) for s in shapes]
    if name == "dot normalize":
        xs[0][1] = 0   # a zero vector: Keras' normalize caps 1/norm at 1/epsilon
    y = layer(xs).numpy()
    sum_weights = values(y.shape, 0.5, 1.5)
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        total = tf.reduce_sum(layer(ts) * sum_weights)
    gradients = tape.gradient(total, ts)
    config = layer.get_config()
    config.pop("dtype", None)
    out["merges"].append({
        "name": name, "class_name": layer.__class__.__name__, "config": config,
        "inputs": [{"shape": list(x.shape), "values": flat(x)} for x in xs],
        "output_shape": list(y.shape), "output": flat(y), "sum_weights": flat(sum_weights),
        "input_gradients": [flat(g) for g in gradients],
    })

# Embedding: the output rows and the table gradient (id 2 twice, id 0 never).
embedding = L.Embedding(5, 3)
ids = np.array([[2, 4], [2, 1]], dtype=np.int32)
embedding.build(ids.shape)
table = values((5, 3))
embedding.set_weights([table])
y = embedding(ids).numpy()
sum_weights = values(y.shape, 0.5, 1.5)
with tf.GradientTape() as tape:
    total = tf.reduce_sum(embedding(ids) * sum_weights)
gradient = tf.convert_to_tensor(tape.gradient(total, embedding.embeddings)).numpy()
config = embedding.get_config()
config.pop("dtype", None)
out["embedding"] = {"config": config, "ids": flat(ids), "ids_shape": list(ids.shape), "table": flat(table),
                    "output_shape": list(y.shape), "output": flat(y), "sum_weights": flat(sum_weights),
                    "table_gradient": flat(gradient)}

# A two-input, two-output model: per-output losses, loss weights, metrics, a regularizer.
image = keras.Input(shape=(4,), name="image")
meta = keras.Input(shape=(2,), name="meta")
hidden = L.Dense(5, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01), name="hidden")(image)
joined = L.Concatenate(name="joined")([hidden, meta])
label = L.Dense(3, activation="softmax", name="label")(joined)
aux = L.Dense(1, name="aux")(hidden)
model = keras.Model(inputs=[image, meta], outputs=[label, aux], name="two_heads")
for layer in model.layers:
    if layer.get_weights():
        layer.set_weights([values(w.shape, -0.8, 0.8) for w in layer.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
              loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.3],
              metrics=[["accuracy"], ["mae"]])
n = 6
x_image, x_meta = values((n, 4)), values((n, 2))
y_label = rng.integers(0, 3, size=(n,)).astype(np.float32)
y_aux = values((n, 1))
weights_before = [flat(w) for w in model.get_weights()]
evaluation = model.evaluate([x_image, x_meta], [y_label, y_aux], batch_size=n, verbose=0, return_dict=True)
step = model.train_on_batch([x_image, x_meta], [y_label, y_aux], return_dict=True)
out["two_heads"] = {
    "config": json.loads(model.to_json()),
    "x_image": flat(x_image), "x_meta": flat(x_meta), "y_label": flat(y_label), "y_aux": flat(y_aux),
    "weights_before": weights_before, "weight_shapes": [list(w.shape) for w in model.get_weights()],
    "evaluate": {k: float(v) for k, v in evaluation.items()},
    "train_on_batch": {k: float(v) for k, v in step.items()},
    "weights_after": [flat(w) for w in model.get_weights()],
}
# Layer (and so weight) order in a branching graph: Keras sorts by depth from the outputs, then
# by first visit; a shared layer called at two depths takes the deeper one.
x = keras.Input(shape=(3,), name="x")
a = L.Dense(2, name="a")(x)
c = L.Dense(3, name="c")(x)
shared = L.Dense(3, name="shared")
s1 = shared(c)
s2 = shared(L.Add(name="join")([s1, x]))
b = L.Dense(2, name="b")(s2)
d = L.Dense(2, name="d")(L.Concatenate(name="cat")([a, c]))
ordering = keras.Model(inputs=x, outputs=[a, b, d], name="ordering")
out["ordering"] = {"config": json.loads(ordering.to_json()), "layers": [l.name for l in ordering.layers],
                   "weights": [w.path for w in ordering.weights]}
print(json.dumps(out, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v)))
