"""Reads a Strata model file with Python's `safetensors` and reproduces `strata predict` in NumPy.

    python3 Tests/Interop/predict_with_numpy.py MODEL.safetensors DATA.csv TARGET_COLUMN PREDICTIONS.csv

The architecture comes from the file's `__metadata__` (`model_config`, Keras-style layer configs);
the weights are plain tensors named by layer path. Supports the layers `strata train` builds for
CSV data (Normalization, Dense with relu/sigmoid/softmax/linear, BatchNormalization in inference,
Dropout as identity). Exits 1 if any prediction differs from Strata's by more than 1e-5.
"""
import csv
import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def activation(name, x):
    if isinstance(name, dict):
        name = name["name"]
    if name == "relu":
        return np.maximum(x, 0)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if name == "linear":
        return x
    raise SystemExit(f"unsupported activation {name}")


def main(model_path, data_path, target, predictions_path):
    weights = load_file(model_path)
    with safe_open(model_path, framework="numpy") as f:
        metadata = f.metadata()
    assert metadata["format"] == "strata-model", metadata.get("format")
    config = json.loads(metadata["model_config"])

    with open(data_path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], np.array(rows[1:], dtype=np.float32)
    column = int(target) if target.lstrip("-").isdigit() else header.index(target)
    x = np.delete(body, column, axis=1)

    for layer in config["config"]["layers"]:
        kind, options = layer["class_name"], layer["config"]
        name = options["name"]
        if kind == "Normalization":
            x = (x - weights[f"{name}/mean"]) / np.maximum(np.sqrt(weights[f"{name}/variance"]), 1e-7)
        elif kind == "Dense":
            x = x @ weights[f"{name}/kernel"]
            if options.get("use_bias", True):
                x = x + weights[f"{name}/bias"]
            x = activation(options.get("activation", "linear"), x)
        elif kind == "BatchNormalization":
            mean, var = weights[f"{name}/moving_mean"], weights[f"{name}/moving_variance"]
            x = (x - mean) / np.sqrt(var + options.get("epsilon", 1e-3))
            if options.get("scale", True):
                x = x * weights[f"{name}/gamma"]
            if options.get("center", True):
                x = x + weights[f"{name}/beta"]
        elif kind in ("Dropout", "AlphaDropout", "GaussianNoise"):
            pass
        else:
            raise SystemExit(f"unsupported layer {kind}")

    with open(predictions_path, newline="") as f:
        strata_rows = list(csv.reader(f))
    # The output columns: `probability` (binary), `probability_<class>` (multi-class), `prediction…`.
    columns = [i for i, name in enumerate(strata_rows[0]) if name.startswith(("probability", "prediction"))]
    assert len(columns) == x.shape[1], (strata_rows[0], x.shape)
    strata = np.array([[row[i] for i in columns] for row in strata_rows[1:]], dtype=np.float64)
    worst = float(np.max(np.abs(strata - x)))
    print(f"{len(strata)} predictions, largest difference from Strata {worst:.3g}")
    if worst > 1e-5:
        raise SystemExit(1)


if __name__ == "__main__":
    main(*sys.argv[1:5])
