# The README's Deploy example: a Strata model exported to ONNX, run by ONNX Runtime in Python.
#     python3 Examples/ONNX/predict_fashion.py fashion.onnx
import gzip, json, sys

import numpy as np
import onnxruntime as ort

session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
classes = json.loads(session.get_modelmeta().custom_metadata_map["class_names"])

folder = "/usr/share/datasets/fashion-mnist"   # Debian's dataset-fashion-mnist
with gzip.open(f"{folder}/t10k-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28).astype(np.float32) / 255
with gzip.open(f"{folder}/t10k-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)

probabilities = session.run(["probabilities"], {"input_layer": images})[0]
predicted = probabilities.argmax(axis=1)
print("first five:", [classes[i] for i in predicted[:5]])
print(f"test accuracy: {(predicted == labels).mean():.4f}")
