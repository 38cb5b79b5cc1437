"""One training epoch of an MLP: dlkit against a hand-written PyTorch loop (and Keras 3).

Model 784-256-128-10 (relu, relu, softmax), Adam(1e-3), sparse categorical
crossentropy, 20,000 random float32 samples, no shuffling, batch sizes 32 and
128. Each framework lives in its own process (their thread pools must not
compete), builds its model and trains one warm-up epoch. Then the epochs are
timed in rounds: in each round every framework trains one epoch, one after the
other, so a burst of background load hits them alike. Reported: the median
epoch time of each framework and the median over rounds of dlkit / torch
(below 1: dlkit is faster).

Run (torch and keras come from the ``keras`` extra; threadpoolctl is optional):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_mlp.py

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when set, make OpenBLAS pick a slower
kernel; the script prints which kernel NumPy's BLAS actually runs.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N_SAMPLES, N_FEATURES, N_CLASSES = 20_000, 784, 10
HIDDEN = (256, 128)
BATCH_SIZES = (32, 128)
FRAMEWORKS = ("dlkit", "torch", "keras")


def make_data(seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N_SAMPLES, N_FEATURES)).astype(np.float32)
    y = rng.integers(0, N_CLASSES, size=N_SAMPLES)
    return x, y


# ------------------------------------------------------------------ one epoch per framework
def dlkit_epoch(batch_size):
    sys.path.insert(0, REPO)
    from dlkit.layers import Dense, Input
    from dlkit.models import Sequential
    from dlkit.optimizers import Adam

    x, y = make_data()
    model = Sequential([Input((N_FEATURES,)), Dense(HIDDEN[0], activation="relu"),
                        Dense(HIDDEN[1], activation="relu"),
                        Dense(N_CLASSES, activation="softmax")])
    model.compile(optimizer=Adam(1e-3), loss="sparse_categorical_crossentropy")
    return lambda: model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)


def torch_epoch(batch_size):
    import torch

    x, y = make_data()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()
    model = torch.nn.Sequential(
        torch.nn.Linear(N_FEATURES, HIDDEN[0]), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN[0], HIDDEN[1]), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN[1], N_CLASSES),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def epoch():
        total = 0.0
        for start in range(0, N_SAMPLES, batch_size):
            xb, yb = xt[start:start + batch_size], yt[start:start + batch_size]
            opt.zero_grad()
            # cross_entropy on logits = softmax + crossentropy, fused as dlkit does
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)  # the epoch loss, as fit reports it
        return total / N_SAMPLES

    return epoch


def keras_epoch(batch_size):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    x, y = make_data()
    model = keras.Sequential([keras.Input((N_FEATURES,)),
                              keras.layers.Dense(HIDDEN[0], activation="relu"),
                              keras.layers.Dense(HIDDEN[1], activation="relu"),
                              keras.layers.Dense(N_CLASSES, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    return lambda: model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)


EPOCHS = {"dlkit": dlkit_epoch, "torch": torch_epoch, "keras": keras_epoch}


def serve(framework, batch_size):
    """Child process: build, warm up, print "ready", then time one epoch per input line."""
    epoch = EPOCHS[framework](batch_size)
    epoch()  # warm-up: allocations, optimizer state, first-call overheads
    print("ready", flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        epoch()
        print(time.perf_counter() - start, flush=True)


# ------------------------------------------------------------------ the parent
class Child:
    """A framework's process; None from start() if the framework is not installed."""

    def __init__(self, framework, batch_size, threads):
        env = dict(os.environ)
        if threads:  # every thread pool: OpenBLAS (NumPy), OpenMP and torch's own
            env.update(OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        cmd = [sys.executable, __file__, "--serve", framework, "--batch-size", str(batch_size)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.ready = self.proc.stdout.readline().strip() == "ready"
        if not self.ready:
            error = self.proc.stderr.read()
            self.proc.wait()
            if "ModuleNotFoundError" not in error:
                raise RuntimeError(f"{framework} benchmark failed:\n{error}")

    def epoch(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self):
        if self.ready:
            self.proc.stdin.close()
            self.proc.wait()


def measure(frameworks, batch_size, repeats, threads):
    """{framework: [epoch seconds per round]} for the installed frameworks."""
    children = {name: Child(name, batch_size, threads) for name in frameworks}
    children = {name: child for name, child in children.items() if child.ready}
    times = {name: [] for name in children}
    for _ in range(repeats):
        for name, child in children.items():
            time.sleep(0.5)  # let the other processes' worker threads stop spinning
            times[name].append(child.epoch())
    for child in children.values():
        child.close()
    return times


def blas_info():
    """Which BLAS NumPy runs (threadpoolctl when installed), and the variables that slow it."""
    info = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    try:
        import numpy  # noqa: F401  (load NumPy's BLAS so threadpoolctl can see it)
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"threadpoolctl": "not installed", **info}
    pools = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
             for p in threadpool_info() if p.get("user_api") == "blas"]
    return {"numpy_blas": pools, **info}


def report_row(batch_size, times):
    cells = [f"{statistics.median(times[n]):8.3f}" if n in times else f"{'n/a':>8}"
             for n in FRAMEWORKS]
    ratio = f"{'n/a':>11}"
    if "dlkit" in times and "torch" in times:
        rounds = [d / t for d, t in zip(times["dlkit"], times["torch"])]
        ratio = f"{statistics.median(rounds):11.2f}"
    print(f"{batch_size:>5}  {'  '.join(cells)}  {ratio}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (after a warm-up)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for every framework (default: each library's own choice)")
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS),
                        help="comma-separated subset of dlkit,torch,keras")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.batch_size)
    print("NumPy BLAS:", json.dumps(blas_info()))
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.1f}: other processes compete for the cores, "
              "the times below are not reliable")
    print(f"one epoch, {N_SAMPLES} samples, MLP {N_FEATURES}-{HIDDEN[0]}-{HIDDEN[1]}-{N_CLASSES}, "
          f"median of {args.repeats} rounds after a warm-up")
    print(f"{'batch':>5}  {'dlkit s':>8}  {'torch s':>8}  {'keras s':>8}  {'dlkit/torch':>11}")
    for batch_size in BATCH_SIZES:
        report_row(batch_size, measure(args.frameworks.split(","), batch_size, args.repeats,
                                       args.threads))


if __name__ == "__main__":
    main()
