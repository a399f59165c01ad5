"""Writes keras-augmentation.json: Keras 3's own outputs for the augmentation and image
preprocessing layers, the independent reference `KerasAugmentationTests` compares Strata against.

Keras draws its random transforms from its own generator, so each case fixes the draws: four
numbers u in [0, 1) per image, mapped to the transform as Strata maps them (an angle of
lower + u·(upper − lower), a flip when u <= 0.5, …), computed here in float32 and handed to the
layer's own `transform_images` as the transformation it would have drawn. Every fill mode and
interpolation of the warps, shifts and rotations beyond the edges, zoom in and out, crops,
contrast and brightness with clipping, and the deterministic Rescaling, Resizing and CenterCrop
(both of CenterCrop's branches, bilinear and nearest resizing up and down, crop_to_aspect_ratio).

Run with Keras 3 on the TensorFlow backend:
    python3 Tests/Fixtures/keras_augmentation.py > Tests/Fixtures/keras-augmentation.json
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras

L = keras.layers
f32 = np.float32
rng = np.random.default_rng(2028)
images = rng.uniform(0, 1, size=(2, 5, 7, 2)).astype(f32)
cases = []


def uniform(u, lower, upper):
    return f32(lower) + f32(u) * (f32(upper) - f32(lower))


def add(name, layer, x, output, draws=None, training=True):
    cases.append({"name": name, "class_name": layer.__class__.__name__, "config": layer.get_config(),
                  "input_shape": list(x.shape), "input": x.reshape(-1).tolist(),
                  "draws": None if draws is None else [[float(f32(v)) for v in d] for d in draws],
                  "training": training, "output_shape": list(np.shape(output)),
                  "output": np.asarray(output, dtype=f32).reshape(-1).tolist()})


def padded(draws):
    return [list(d) + [0.5] * (4 - len(d)) for d in draws]


# RandomFlip: one draw decides both flips with horizontal_and_vertical.
for mode in ["horizontal", "vertical", "horizontal_and_vertical"]:
    layer = L.RandomFlip(mode, seed=1)
    draws = padded([[0.25], [0.75]])
    flips = np.array([d[0] <= 0.5 for d in draws]).reshape(2, 1, 1, 1)
    add(f"flip {mode}", layer, images, layer.transform_images(images, {"flips": flips, "input_shape": images.shape}), draws)

fills = ["reflect", "wrap", "constant", "nearest"]
# RandomTranslation: the first image shifted by the whole height up (u = 0 of [-1, 1]) and a
# third of the width; the second by 0.6 of the height down and 0.9 of the width left.
for fill in fills:
    for interpolation in ["bilinear", "nearest"]:
        layer = L.RandomTranslation((-1, 1), (-1, 1), fill_mode=fill, interpolation=interpolation, fill_value=0.5, seed=1)
        draws = padded([[0.0, 0.65], [0.8, 0.05]])
        translations = np.array([[uniform(d[1], -1, 1) * f32(7), uniform(d[0], -1, 1) * f32(5)] for d in draws], dtype=f32)
        add(f"translation {fill} {interpolation}", layer, images,
            layer.transform_images(images, {"translations": translations, "input_shape": images.shape}), draws)

# RandomRotation: -72 and +90 degrees (u of [-0.5, 0.5] turns).
for fill in fills:
    for interpolation in ["bilinear", "nearest"]:
        layer = L.RandomRotation((-0.5, 0.5), fill_mode=fill, interpolation=interpolation, fill_value=0.25, seed=1)
        draws = padded([[0.3], [0.75]])
        angles = np.array([uniform(d[0], f32(-0.5) * f32(360), f32(0.5) * f32(360)) for d in draws], dtype=f32)
        matrix = layer._compute_affine_matrix(center_x=0.5, center_y=0.5, angle=angles, translate_x=np.zeros(2, f32),
                                              translate_y=np.zeros(2, f32), scale=np.ones(2, f32), shear_x=np.zeros(2, f32),
                                              shear_y=np.zeros(2, f32), height=5, width=7)
        add(f"rotation {fill} {interpolation}", layer, images, layer.transform_images(images, {"rotation_matrix": matrix}), draws)

# RandomZoom: out by 1.75 and in by 0.6 (height), with and without a width factor.
for fill, interpolation, width in [(f, "bilinear", (-0.5, 0.5)) for f in fills] + [("reflect", "nearest", (-0.5, 0.5)),
                                                                                    ("wrap", "bilinear", None)]:
    layer = L.RandomZoom((-0.5, 1.0), width, fill_mode=fill, interpolation=interpolation, seed=1)
    draws = padded([[0.85, 0.2], [0.0667, 0.9]])
    zy = np.array([[uniform(d[0], 1 - 0.5, 1 + 1.0)] for d in draws], dtype=f32)
    zx = zy if width is None else np.array([[uniform(d[1], 1 - 0.5, 1 + 0.5)] for d in draws], dtype=f32)
    add(f"zoom {fill} {interpolation} width {width}", layer, images,
        layer.transform_images(images, {"height_zoom": zy, "width_zoom": zx, "input_shape": images.shape}), draws)

# RandomCrop: each image its own window (Keras crops a batch with one; run per image).
layer = L.RandomCrop(3, 4, seed=1)
draws = padded([[0.9, 0.1], [0.4, 0.99]])
windows = [(int(f32(d[0]) * f32(5 - 3 + 1)), int(f32(d[1]) * f32(7 - 4 + 1))) for d in draws]
crops = np.concatenate([np.asarray(layer.transform_images(images[i:i + 1], windows[i])) for i in range(2)])
add("crop training", layer, images, crops, draws)
add("crop inference (smart resize)", layer, images, keras.preprocessing.image.smart_resize(images, (3, 4)), training=False)
small = L.RandomCrop(6, 4, seed=1)   # taller than the image: the centred aspect window, resized
add("crop training, image too small", small, images, keras.preprocessing.image.smart_resize(images, (6, 4)), padded([[0.3], [0.6]]))

# RandomContrast and RandomBrightness, pixels in [0, 255] and in [0, 1] with clipping.
pixels = (images * f32(255)).astype(f32)
for value_range, x in [((0, 255), pixels), ((0, 1), images)]:
    layer = L.RandomContrast((0.3, 0.5), value_range=value_range, seed=1)
    draws = padded([[0.1], [0.95]])
    factor = np.array([uniform(d[0], 1 - 0.3, 1 + 0.5) for d in draws], dtype=f32).reshape(2, 1, 1, 1)
    add(f"contrast {value_range}", layer, x, layer.transform_images(x, {"contrast_factor": factor}), draws)
    layer = L.RandomBrightness((-0.4, 0.6), value_range=value_range, seed=1)
    draws = padded([[0.2], [0.9]])
    span = f32(value_range[1] - value_range[0])
    delta = np.array([uniform(d[0], -0.4, 0.6) * span for d in draws], dtype=f32).reshape(2, 1, 1, 1)
    add(f"brightness {value_range}", layer, x, layer.transform_images(x, {"rgb_delta": delta}), draws)

# The deterministic layers.
layer = L.Rescaling(1 / 127.5, offset=-1)
add("rescaling", layer, pixels, layer(pixels), training=False)
for height, width, interpolation, crop in [(3, 4, "bilinear", False), (9, 11, "bilinear", False), (3, 4, "nearest", False),
                                           (8, 13, "nearest", False), (4, 4, "bilinear", True), (6, 3, "nearest", True)]:
    layer = L.Resizing(height, width, interpolation=interpolation, crop_to_aspect_ratio=crop)
    add(f"resizing {height}x{width} {interpolation} crop {crop}", layer, images, layer(images), training=False)
for height, width in [(3, 4), (6, 5)]:
    layer = L.CenterCrop(height, width)
    add(f"center crop {height}x{width}", layer, images, layer(images), training=False)

print(json.dumps({"keras": keras.__version__, "cases": cases}, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v)))
