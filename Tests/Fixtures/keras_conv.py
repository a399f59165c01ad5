"""Writes keras-conv.json: Keras 3's outputs and input gradients for the convolution, pooling and
spatial layers at the semantic edges (odd "same" padding, strides, dilation, groups, causal
padding, depthwise channel order, transposed-convolution sizes and cropping, pooling ties and
padding), the independent reference that `KerasConvolutionTests` compares Strata against.

Run with Keras 3 on the TensorFlow backend:
    python3 Tests/Fixtures/keras_conv.py > Tests/Fixtures/keras-conv.json
Every case gives the layer's Keras config, its input, its weights (in `get_weights` order), the
output, and the gradient of sum(output * weights_of_the_sum) with respect to the input.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
import keras

rng = np.random.default_rng(2026)


def values(shape, low=-1.0, high=1.0, integers=None):
    if integers is not None:   # a few distinct values, so that pooling windows hold ties
        return rng.choice(np.array(integers, dtype=np.float32), size=shape)
    return rng.uniform(low, high, size=shape).astype(np.float32)


L = keras.layers
CASES = [
    ("conv2d same stride 2, odd padding", L.Conv2D(2, 3, strides=2, padding="same"), (1, 5, 6, 2)),
    ("conv2d same 2x2, the pad after", L.Conv2D(1, 2, padding="same"), (2, 4, 4, 1)),
    ("conv2d dilation 2 same", L.Conv2D(2, 3, padding="same", dilation_rate=2), (1, 7, 7, 2)),
    ("conv2d groups 2", L.Conv2D(4, 2, groups=2), (1, 4, 4, 4)),
    ("conv2d stride larger than kernel", L.Conv2D(2, 2, strides=3), (1, 7, 8, 1)),
    ("conv1d causal dilation 2", L.Conv1D(2, 3, padding="causal", dilation_rate=2), (1, 8, 2)),
    ("conv1d same stride 2, even kernel", L.Conv1D(1, 4, strides=2, padding="same"), (2, 7, 1)),
    ("depthwise multiplier 2 same stride 2", L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2), (1, 5, 5, 2)),
    ("separable multiplier 2", L.SeparableConv2D(3, 2, depth_multiplier=2), (1, 4, 4, 2)),
    ("transpose same stride 2", L.Conv2DTranspose(2, 3, strides=2, padding="same"), (1, 3, 3, 2)),
    ("transpose valid stride 3 kernel 2", L.Conv2DTranspose(2, 2, strides=3), (1, 2, 2, 1)),
    ("transpose same output padding 1", L.Conv2DTranspose(1, 3, strides=2, padding="same", output_padding=1), (1, 3, 4, 1)),
    ("transpose valid even kernel same stride", L.Conv2DTranspose(1, 4, strides=2, padding="same"), (1, 3, 3, 1)),
    ("max pool same 3x3 stride 2, ties and negatives", L.MaxPooling2D(3, strides=2, padding="same"), (1, 5, 6, 2), [-2, -1, 0]),
    ("max pool valid 2x2 ties", L.MaxPooling2D(2), (1, 4, 4, 1), [0, 1]),
    ("average pool same 3x3 stride 2", L.AveragePooling2D(3, strides=2, padding="same"), (1, 5, 6, 2)),
    ("average pool same 2x2 stride 1", L.AveragePooling2D(2, strides=1, padding="same"), (1, 3, 3, 1)),
    ("max pool 1d same stride 1", L.MaxPooling1D(2, strides=1, padding="same"), (1, 5, 2), [0, 1]),
    ("average pool 1d valid stride 2", L.AveragePooling1D(3, strides=2), (1, 8, 1)),
    ("global max pool 2d ties", L.GlobalMaxPooling2D(), (2, 3, 3, 2), [0, 1]),
    ("global average pool 1d", L.GlobalAveragePooling1D(), (2, 4, 3)),
    ("upsampling 2x3", L.UpSampling2D((2, 3)), (1, 2, 2, 2)),
    ("zero padding ((1,2),(0,3))", L.ZeroPadding2D(((1, 2), (0, 3))), (1, 2, 3, 1)),
    ("cropping ((1,0),(1,2))", L.Cropping2D(((1, 0), (1, 2))), (1, 4, 5, 1)),
]

out = {"keras_version": keras.__version__, "tensorflow_version": tf.__version__, "cases": []}
for case in CASES:
    name, layer, shape = case[:3]
    x = values(shape, integers=case[3] if len(case) > 3 else None)
    layer.build(shape)
    weights = [values(w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    y = layer(x).numpy()
    sum_weights = values(y.shape, 0.5, 1.5)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        total = tf.reduce_sum(layer(xt) * sum_weights)
    gradient = tape.gradient(total, xt).numpy()
    config = layer.get_config()
    config.pop("dtype", None)
    out["cases"].append({
        "name": name, "class_name": layer.__class__.__name__, "config": config,
        "input_shape": list(shape), "input": x.ravel().tolist(),
        "weights": [{"shape": list(w.shape), "values": w.ravel().tolist()} for w in weights],
        "output_shape": list(y.shape), "output": y.ravel().tolist(),
        "sum_weights": sum_weights.ravel().tolist(), "input_gradient": gradient.ravel().tolist(),
    })
print(json.dumps(out, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v)))
