"""
=====================================
Out-of-core training with partial_fit
=====================================

A data set too large for memory can still train a
:class:`~sk_regnet.RegularizedMLPRegressor`: with ``solver='adam'`` (or
``'sgd'``), :meth:`~sk_regnet.RegularizedMLPRegressor.partial_fit` runs one
pass over the block it is given and keeps the optimizer's state for the next
call, so blocks can be read from disk one at a time.

Two sources of blocks are shown: a NumPy memmap (an array in a file, read
lazily by the operating system) and a dask array, whose chunks are computed
one by one and need never be in memory together. No dask-ml is needed.
"""

# %%
# A data set on disk
# ------------------
# We write 20,000 rows to a memory-mapped file and reopen it read-only. Only
# the rows we slice are ever read.
import tempfile
from pathlib import Path

import dask
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np

from sk_regnet import RegularizedMLPRegressor

n_samples, n_features, block = 20_000, 6, 2_500


def target(X):
    return X[:, 0] - 2 * X[:, 1] + np.sin(3 * X[:, 2]) + X[:, 3] * X[:, 4]


tmpdir = tempfile.TemporaryDirectory()
path = Path(tmpdir.name) / "X.dat"
rng = np.random.RandomState(0)
X_disk = np.memmap(path, dtype=np.float64, mode="w+", shape=(n_samples, n_features))
for start in range(0, n_samples, block):  # written block by block, too
    X_disk[start : start + block] = rng.uniform(-1, 1, (block, n_features))
X_disk.flush()
X_disk = np.memmap(path, dtype=np.float64, mode="r", shape=(n_samples, n_features))
y_disk = target(X_disk) + 0.1 * rng.randn(n_samples)  # small: kept in memory

X_test = rng.uniform(-1, 1, (2_000, n_features))
y_test = target(X_test)

# %%
# Streaming memmap blocks
# -----------------------
# Each call to ``partial_fit`` is one epoch over its block. We make three
# passes over the file and record the test R² after every block.
model = RegularizedMLPRegressor(
    (16,), "tanh", solver="adam", learning_rate_init=0.02, alpha=1e-5, random_state=0
)
memmap_scores = []
for _ in range(3):
    for start in range(0, n_samples, block):
        model.partial_fit(X_disk[start : start + block], y_disk[start : start + block])
        memmap_scores.append(model.score(X_test, y_test))
print(f"memmap: samples seen t_={model.t_}, test R2={memmap_scores[-1]:.3f}")

# %%
# Streaming the chunks of a dask array
# ------------------------------------
# Here the data are never materialised at all: a dask array is a recipe, and
# ``X.to_delayed()`` gives one delayed object per chunk of rows. Computing a
# chunk and its targets together yields the next block. With the
# ``distributed`` extra installed (``pip install sk-regnet[distributed]``),
# creating a ``distributed.Client`` first makes ``dask.compute`` load the
# chunks on a cluster; the training loop is unchanged.
X_dask = da.random.RandomState(1).uniform(
    -1, 1, size=(n_samples, n_features), chunks=(block, n_features)
)
y_dask = (
    X_dask[:, 0]
    - 2 * X_dask[:, 1]
    + da.sin(3 * X_dask[:, 2])
    + X_dask[:, 3] * X_dask[:, 4]
)

model_dask = RegularizedMLPRegressor(
    (16,), "tanh", solver="adam", learning_rate_init=0.02, alpha=1e-5, random_state=0
)
dask_scores = []
X_chunks, y_chunks = X_dask.to_delayed().ravel(), y_dask.to_delayed().ravel()
for _ in range(3):
    for X_chunk, y_chunk in zip(X_chunks, y_chunks):
        X_block, y_block = dask.compute(X_chunk, y_chunk)
        model_dask.partial_fit(X_block, y_block)
        dask_scores.append(model_dask.score(X_test, y_test))
print(f"dask:   samples seen t_={model_dask.t_}, test R2={dask_scores[-1]:.3f}")

# %%
# Learning curves
# ---------------
# Both models improve block after block; the dotted lines mark the passes.
fig, ax = plt.subplots(figsize=(6, 3.5))
calls = np.arange(1, len(memmap_scores) + 1)
ax.plot(calls, memmap_scores, label="memmap blocks")
ax.plot(calls, dask_scores, label="dask chunks", linestyle="--")
for boundary in range(n_samples // block, len(calls), n_samples // block):
    ax.axvline(boundary + 0.5, color="grey", linestyle=":", linewidth=1)
ax.set_xlabel(f"partial_fit calls (blocks of {block} rows)")
ax.set_ylabel("test R²")
ax.set_ylim(0, 1)
ax.legend(loc="lower right")
fig.tight_layout()

del X_disk  # close the file before removing it
tmpdir.cleanup()
