"""Fashion-MNIST for the peer benchmarks: the same IDX files and search order as Strata's loader."""
import argparse
import gzip
import os
import struct

import numpy as np

NAME = "fashion-mnist"
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def _candidates(directory):
    if directory:
        yield directory
    if os.environ.get("STRATA_DATASETS"):
        yield os.path.join(os.environ["STRATA_DATASETS"], NAME)
    home = os.path.expanduser("~")
    yield os.path.join(home, ".strata", "datasets", NAME)
    yield os.path.join(home, ".keras", "datasets", NAME)
    yield os.path.join("/usr/share/datasets", NAME)


def _find(folder, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def _read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory=None):
    """(x_train, y_train, x_test, y_test) as uint8 images [n, 28, 28] and int64 labels."""
    for folder in _candidates(directory):
        paths = {key: _find(folder, stem) for key, stem in FILES.items()}
        if all(paths.values()):
            arrays = {key: _read_idx(path) for key, path in paths.items()}
            return (arrays["train_images"], arrays["train_labels"].astype(np.int64),
                    arrays["test_images"], arrays["test_labels"].astype(np.int64))
    raise SystemExit("Fashion-MNIST not found: apt-get install dataset-fashion-mnist, or set STRATA_DATASETS")


def peak_rss_mib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(fields):
    """The RESULT line Benchmarks/compare.sh reads (same fields as `strata bench`)."""
    print("RESULT " + " ".join(f"{key}={value}" for key, value in fields))


def arguments():
    """The command-line options every peer script takes (the same as `strata bench`)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--predict", action="store_true", help="time predicting the test images instead")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--bfloat16", action="store_true",
                        help="mixed bfloat16: PyTorch's CPU autocast, Keras' mixed_bfloat16 policy")
    parser.add_argument("--model", default="mlp", choices=["mlp", "lenet5", "convnet"],
                        help="the article's MLP, LeNet-5 or keras.io's mnist_convnet (as strata bench train --model)")
    return parser.parse_args()
