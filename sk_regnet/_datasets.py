"""Data for the experiments: the article's, bundled datasets, CSV files.

Everything returns a :class:`Dataset` (a train/test split and what it is) or
raises :class:`DataError` with a message that names the problem, which the
command line reports as one line.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.model_selection import train_test_split

#: Datasets that ship with the package (nothing is downloaded).
DATASETS = ("article", "diabetes", "friedman1")


class DataError(ValueError):
    """Bad user data (a CSV file, a target column, a dataset name)."""


@dataclass
class Dataset:
    """A train/test split and what it is.

    Attributes
    ----------
    name : str
        Short name, used for the output files.
    X_train, X_test : ndarray of shape (n, n_features)
    y_train, y_test : ndarray of shape (n,)
    feature_names : list of str
    target_name : str
    truth : callable or None
        The noise-free target function ``f(X)`` when it is known.
    is_article : bool
        Whether this is the article's draw (its models can be replayed).
    """

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: list
    target_name: str = "y"
    truth: object = None
    is_article: bool = False

    @property
    def n_features(self):
        """Number of input features."""
        return self.X_train.shape[1]

    def describe(self):
        """One line: name, sizes, target."""
        return (
            f"{self.name} ({self.X_train.shape[0]} train / {self.X_test.shape[0]} "
            f"test samples, {self.n_features} feature(s), target {self.target_name})"
        )


def _article_draw(rng):
    X = rng.rand(100, 1) * 2 - 1
    y = np.sin(np.pi * X).squeeze() + rng.randn(100) * 0.1
    return X, y


def _sin_pi(X):
    return np.sin(np.pi * np.asarray(X)[:, 0])


def _friedman1(X):
    # The noise-free target of make_friedman1 (Friedman, 1991).
    X = np.asarray(X)
    return (
        10.0 * np.sin(np.pi * X[:, 0] * X[:, 1])
        + 20.0 * (X[:, 2] - 0.5) ** 2
        + 10.0 * X[:, 3]
        + 5.0 * X[:, 4]
    )


def article_data(seed=0, test_size=0.2):
    """The article's data: noisy ``sin(pi x)`` on [-1, 1] and its split.

    Draws from the global NumPy generator seeded with ``seed``, as the
    article does (``seed=0`` is the article's).

    Parameters
    ----------
    seed : int, default=0
        Seed of the draw and of the split.
    test_size : float, default=0.2
        Share of the samples in the test set.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
    """
    np.random.seed(seed)
    X = np.random.rand(100, 1) * 2 - 1
    y = np.sin(np.pi * X).squeeze() + np.random.randn(100) * 0.1
    return train_test_split(X, y, test_size=test_size, random_state=seed)


def load_dataset(name, *, test_size=0.2, seed=0):
    """A bundled dataset, split into train and test sets.

    Parameters
    ----------
    name : {'article', 'diabetes', 'friedman1'}
        ``'article'``: 100 noisy samples of ``sin(pi x)``; ``'diabetes'``:
        scikit-learn's bundled :func:`~sklearn.datasets.load_diabetes`;
        ``'friedman1'``: 400 samples of
        :func:`~sklearn.datasets.make_friedman1` (10 features, 5 of them
        used, noise 1).
    test_size : float, default=0.2
        Share of the samples in the test set.
    seed : int, default=0
        Seeds the generated data and the split.

    Returns
    -------
    dataset : Dataset
    """
    if name == "article":
        X, y = _article_draw(np.random.RandomState(seed))
        split = train_test_split(X, y, test_size=test_size, random_state=seed)
        return Dataset("article", *split, ["x"], truth=_sin_pi, is_article=True)
    if name == "diabetes":
        bunch = load_diabetes()
        X, y, names = bunch.data, bunch.target, list(bunch.feature_names)
        truth = None
    elif name == "friedman1":
        X, y = make_friedman1(n_samples=400, noise=1.0, random_state=seed)
        names = [f"x{j}" for j in range(X.shape[1])]
        truth = _friedman1
    else:
        raise DataError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}"
        )
    split = train_test_split(X, y, test_size=test_size, random_state=seed)
    return Dataset(name, *split, names, truth=truth)


def read_csv(path, target):
    """Read a numeric CSV file with a header row.

    Parameters
    ----------
    path : str or path-like
        The file. Its first row names the columns.
    target : str
        The column to predict; every other column is a feature.

    Returns
    -------
    X : ndarray of shape (n_samples, n_columns - 1)
    y : ndarray of shape (n_samples,)
    feature_names : list of str

    Raises
    ------
    DataError
        Missing or empty file, rows of different lengths, unknown target,
        a non-numeric column or a missing value, named in the message.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"CSV file not found: {path}")
    with open(path, newline="", encoding="utf-8-sig") as f:
        records = [
            (n, r) for n, r in enumerate(csv.reader(f, skipinitialspace=True), 1) if r
        ]
    if not records:
        raise DataError(f"CSV file {path} is empty")
    header = [name.strip() for name in records[0][1]]
    rows = records[1:]
    if not rows:
        raise DataError(f"CSV file {path} has a header but no data rows")
    for line, row in rows:
        if len(row) != len(header):
            raise DataError(
                f"CSV file {path} is ragged: line {line} has {len(row)} fields, "
                f"the header has {len(header)}"
            )
    if target not in header:
        raise DataError(
            f"target column {target!r} is not in {path}; columns: {', '.join(header)}"
        )
    if len(header) < 2:
        raise DataError(f"CSV file {path} has no feature column besides {target!r}")
    data = np.empty((len(rows), len(header)))
    bad = []
    for j, name in enumerate(header):
        for i, (line, row) in enumerate(rows):
            value = row[j].strip()
            try:
                data[i, j] = float(value)
            except ValueError:
                bad.append(f"{name!r} (line {line}: {value!r})")
                break
            if not np.isfinite(data[i, j]):
                bad.append(f"{name!r} (line {line}: {value!r})")
                break
    if bad:
        raise DataError(
            f"CSV file {path}: non-numeric or missing values in column(s) "
            + ", ".join(bad)
        )
    k = header.index(target)
    features = [name for j, name in enumerate(header) if j != k]
    return np.delete(data, k, axis=1), data[:, k], features


def load_csv(path, target, *, test_size=0.2, seed=0):
    """A CSV file (see :func:`read_csv`) split into train and test sets.

    Parameters
    ----------
    path : str or path-like
    target : str
    test_size : float, default=0.2
    seed : int, default=0
        Seed of the split.

    Returns
    -------
    dataset : Dataset
    """
    X, y, names = read_csv(path, target)
    if X.shape[0] < 10:
        raise DataError(
            f"CSV file {path} has {X.shape[0]} data rows; at least 10 are needed"
        )
    split = train_test_split(X, y, test_size=test_size, random_state=seed)
    return Dataset(Path(path).stem, *split, names, target_name=target)
