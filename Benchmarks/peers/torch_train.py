"""The article's Fashion-MNIST model in PyTorch, timed like `strata bench train`.

    python Benchmarks/peers/torch_train.py --batch-size 32 --epochs 4 --threads 2
    python Benchmarks/peers/torch_train.py --predict --threads 2
    python Benchmarks/peers/torch_train.py --model lenet5 --batch-size 32 --epochs 4 --threads 2

Keras-equivalent settings: BatchNorm momentum 0.01 (Keras 0.99) and eps 1e-3, Glorot-uniform
kernels and zero biases, Adam(lr 1e-3, eps 1e-7), mean sparse categorical cross-entropy, all
60,000 training images in memory as float32 in [0, 1], shuffled each epoch.
"""
import contextlib
import statistics
import time

import numpy as np
import torch
from torch import nn

import fashion_data


def article_model():
    def dense(n_in, n_out):
        layer = nn.Linear(n_in, n_out)
        nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)
        return layer

    def bn(n):
        return nn.BatchNorm1d(n, eps=1e-3, momentum=0.01)

    return nn.Sequential(nn.Flatten(), bn(784), dense(784, 300), nn.ReLU(), bn(300), dense(300, 100), nn.ReLU(),
                         bn(100), dense(100, 10))


def glorot(layer):
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def lenet5():
    """Keras' `ArticleModels.lenet5`: NCHW here, the same layers and initializers."""
    return nn.Sequential(nn.Unflatten(1, (1, 28)), glorot(nn.Conv2d(1, 6, 5, padding=2)), nn.ReLU(), nn.MaxPool2d(2),
                         glorot(nn.Conv2d(6, 16, 5)), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         glorot(nn.Linear(16 * 5 * 5, 120)), nn.ReLU(), glorot(nn.Linear(120, 84)), nn.ReLU(),
                         glorot(nn.Linear(84, 10)))


def convnet():
    """keras.io's mnist_convnet, as `ArticleModels.mnistConvnet`."""
    return nn.Sequential(nn.Unflatten(1, (1, 28)), glorot(nn.Conv2d(1, 32, 3)), nn.ReLU(), nn.MaxPool2d(2),
                         glorot(nn.Conv2d(32, 64, 3)), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5),
                         glorot(nn.Linear(64 * 5 * 5, 10)))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        correct = sum((model(x[i:i + 1000]).float().argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(x), 1000))
    return correct / len(x)


def main():
    args = fashion_data.arguments()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    x_train, y_train, x_test, y_test = fashion_data.load()
    x_train = torch.from_numpy(x_train.astype(np.float32) / 255)
    x_test = torch.from_numpy(x_test.astype(np.float32) / 255)
    y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)
    model = {"mlp": article_model, "lenet5": lenet5, "convnet": convnet}[args.model]()
    # Mixed bfloat16: matrix products and convolutions under CPU autocast; weights, optimizer and loss float32.
    precision = torch.autocast("cpu", dtype=torch.bfloat16) if args.bfloat16 else contextlib.nullcontext()
    common = [("framework", "pytorch-" + torch.__version__.split("+")[0] + ("+bf16" if args.bfloat16 else "")),
              ("model", args.model), ("batch", args.batch_size),
              ("threads", args.threads)]

    if args.predict:
        model.eval()
        seconds = []
        with torch.no_grad(), precision:
            for repeat in range(args.repeats + 1):
                start = time.perf_counter()
                for i in range(0, len(x_test), args.batch_size):
                    model(x_test[i:i + args.batch_size])
                if repeat:
                    seconds.append(time.perf_counter() - start)
        fashion_data.report(common + [("predict_best_s", f"{min(seconds):.4f}"),
                                      ("predict_median_s", f"{statistics.median(seconds):.4f}"),
                                      ("peak_rss_mib", f"{fashion_data.peak_rss_mib():.0f}")])
        return

    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    n = len(x_train)
    seconds = []
    for epoch in range(args.epochs):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(n)
        total, correct = 0.0, 0
        for i in range(0, n, args.batch_size):
            rows = order[i:i + args.batch_size]
            xb, yb = x_train[rows], y_train[rows]
            optimizer.zero_grad(set_to_none=True)
            with precision:
                logits = model(xb)
                loss = loss_fn(logits.float(), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
            correct += (logits.argmax(1) == yb).sum().item()
        seconds.append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}: {seconds[-1]:.3f} s, loss {total / n:.4f}, accuracy {correct / n:.4f}", flush=True)

    steady = seconds[1:]
    median = statistics.median(steady)
    steps = (n + args.batch_size - 1) // args.batch_size
    fashion_data.report(common + [
        ("epochs", args.epochs), ("epoch_best_s", f"{min(steady):.3f}"), ("epoch_median_s", f"{median:.3f}"),
        ("samples_per_s", f"{n / median:.0f}"), ("ms_per_step", f"{1000 * median / steps:.3f}"),
        ("peak_rss_mib", f"{fashion_data.peak_rss_mib():.0f}"),
        ("test_accuracy", f"{accuracy(model, x_test, y_test):.4f}")])


if __name__ == "__main__":
    main()
