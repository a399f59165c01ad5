"""Checks Strata's ONNX exports with the real other side: the `onnx` package's checker and ONNX Runtime.

    python3 Tests/Interop/check_onnx.py MANIFEST.json

The manifest lists cases: {"name", "model" (an .onnx file), "inputs": [{"name", "shape", "file"}],
"outputs": [{"name", "shape", "file"}]}, every tensor a raw little-endian float32 file holding
what Strata's `predict` gave on those inputs. For each case: `onnx.checker.check_model` with full
shape inference, then ONNX Runtime on the whole batch and on its first sample alone (the batch
axis is dynamic); every output compared with Strata's. Prints one JSON object per case
(max absolute difference per output, the worst element's excess over the tolerance, the graph's
names, opset, producer, metadata and operators) and exits 0; a broken model is reported in its
case's "error".
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

ABSOLUTE, RELATIVE = 1e-5, 1e-4  # an element passes within 1e-5, or within 1e-4 of its magnitude


def load(entry):
    return np.fromfile(entry["file"], dtype="<f4").reshape(entry["shape"])


def check(case):
    model = onnx.load(case["model"])
    onnx.checker.check_model(model, full_check=True)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(case["model"], options, providers=["CPUExecutionProvider"])
    feeds = {entry["name"]: load(entry) for entry in case["inputs"]}
    expected = [load(entry) for entry in case["outputs"]]
    names = [entry["name"] for entry in case["outputs"]]
    whole = session.run(names, feeds)
    single = session.run(names, {name: value[:1] for name, value in feeds.items()})
    report = {}
    for name, want, got, first in zip(names, expected, whole, single):
        if got.shape != want.shape:
            raise ValueError(f"output {name}: ONNX Runtime gave shape {got.shape}, Strata {want.shape}")
        difference = max(np.abs(got - want).max(initial=0), np.abs(first - want[:1]).max(initial=0))
        excess = np.abs(got - want) - np.maximum(ABSOLUTE, RELATIVE * np.abs(want))
        report[name] = {"max_abs": float(difference), "worst_excess": float(excess.max(initial=-1))}
    graph = model.graph
    batch = [i.type.tensor_type.shape.dim[0].dim_param for i in list(graph.input) + list(graph.output)]
    return {
        "outputs": report,
        "inputs": [i.name for i in graph.input],
        "output_names": [o.name for o in graph.output],
        "batch_dims": batch,
        "opset": model.opset_import[0].version,
        "ir_version": model.ir_version,
        "producer": [model.producer_name, model.producer_version],
        "metadata": {p.key: p.value for p in model.metadata_props},
        "operators": sorted({node.op_type for node in graph.node}),
        "initializers": len(graph.initializer),
    }


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    for case in cases:
        try:
            result = check(case)
        except Exception as error:  # reported to the Swift test, which fails on it
            result = {"error": f"{type(error).__name__}: {error}"}
        result["name"] = case["name"]
        print(json.dumps(result))


if __name__ == "__main__":
    main()
