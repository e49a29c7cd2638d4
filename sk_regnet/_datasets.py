"""Data for the experiments: the article's, bundled datasets, CSV files.

A CSV file's columns are numeric or categorical, decided from the data: a
column with a value that is not a number is categorical (its values kept as
text, its levels those of the training rows), a numeric one is read as
float. Everything returns a :class:`Dataset` (a train/test split and what it is) or
raises :class:`DataError` with a message that names the problem, which the
command line reports as one line.
"""

import csv
import numbers
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

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
    categories : dict
        The categorical features (CSV columns with non-numeric values) and
        their levels in the training rows, sorted: ``{name: [level, ...]}``.
        Empty when every feature is numeric; otherwise ``X_train`` and
        ``X_test`` are object arrays (numbers as float, levels as str).
    informative : list of str or None
        The features the noise-free target depends on, when known.
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
    categories: dict = field(default_factory=dict)
    informative: list = None

    @property
    def n_features(self):
        """Number of input features."""
        return self.X_train.shape[1]

    def describe(self):
        """One line: name, sizes, target, the categorical features."""
        line = (
            f"{self.name} ({self.X_train.shape[0]} train / {self.X_test.shape[0]} "
            f"test samples, {self.n_features} feature(s), target {self.target_name})"
        )
        if self.categories:
            line += "; one-hot encoded: " + ", ".join(
                f"{name} ({len(levels)} levels)"
                for name, levels in self.categories.items()
            )
        return line


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
    return _split(X, y, test_size, seed)


def _split(X, y, test_size, seed):
    """``train_test_split``, with a clear error when a part would be empty."""
    n_samples = X.shape[0]
    # As train_test_split counts: a number of samples, or a share rounded up.
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    else:
        n_test = int(np.ceil(test_size * n_samples))
    if not 0 < n_test < n_samples:
        raise DataError(
            f"test_size={test_size:g} of {n_samples} samples leaves "
            f"{n_samples - n_test} for training and {n_test} for testing; "
            "both need at least one"
        )
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
        split = _split(X, y, test_size, seed)
        return Dataset("article", *split, ["x"], truth=_sin_pi, is_article=True)
    if name == "diabetes":
        bunch = load_diabetes()
        X, y, names = bunch.data, bunch.target, list(bunch.feature_names)
        truth = informative = None
    elif name == "friedman1":
        X, y = make_friedman1(n_samples=400, noise=1.0, random_state=seed)
        names = [f"x{j}" for j in range(X.shape[1])]
        truth = _friedman1
        informative = names[:5]
    else:
        raise DataError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}"
        )
    split = _split(X, y, test_size, seed)
    return Dataset(name, *split, names, truth=truth, informative=informative)


def read_csv(path, target):
    """Read a CSV file with a header row: numeric and categorical columns.

    A column is categorical when one of its values is not a number (``Paris``,
    ``a1``); its values are then kept as text. Every other column is numeric.
    The target must be numeric.

    Parameters
    ----------
    path : str or path-like
        The file. Its first row names the columns.
    target : str
        The column to predict; every other column is a feature.

    Returns
    -------
    X : ndarray of shape (n_samples, n_columns - 1)
        Float when every feature is numeric; otherwise an object array, the
        numeric columns as float and the categorical ones as str.
    y : ndarray of shape (n_samples,)
    feature_names : list of str

    Raises
    ------
    DataError
        Missing, empty, non-UTF-8 or unparsable file (or a directory), rows
        of different lengths, unnamed or duplicated columns, unknown target,
        a non-numeric target, a missing value (empty or ``nan``) in any
        column, an infinite value or values too large to standardise in a
        numeric column; the message names the column and line.
    """
    X, y, features, _ = _read_columns(path, target)
    return X, y, features


def _number(value):
    """``value`` as a float, or None when it is not a number."""
    try:
        return float(value)
    except ValueError:
        return None


def _read_columns(path, target):
    """:func:`read_csv`, and the names of the categorical features."""
    if not isinstance(target, str):
        raise TypeError(f"target must be a column name (str), got {target!r}")
    if not str(path).strip():
        raise DataError("the CSV path is empty")
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path} is a directory, not a CSV file")
    if not path.is_file():
        raise DataError(f"CSV file not found: {path}")
    target = target.strip()
    records = _read_records(path)
    if not records:
        raise DataError(f"CSV file {path} is empty")
    header = [name.strip() for name in records[0][1]]
    rows = records[1:]
    if not rows:
        raise DataError(f"CSV file {path} has a header but no data rows")
    _check_header(path, header, target)
    for line, row in rows:
        if len(row) != len(header):
            raise DataError(
                f"CSV file {path} is ragged: line {line} has {len(row)} fields, "
                f"the header has {len(header)}"
            )
    lines = [line for line, _ in rows]
    text = [[row[j].strip() for _, row in rows] for j in range(len(header))]
    numbers = [[_number(value) for value in column] for column in text]
    # A column with a value that is not a number (a missing one aside) is
    # categorical; a missing value (empty, or nan) is refused in any column,
    # an infinite one in a numeric column.
    categorical = [
        any(x is None and v for v, x in zip(column, parsed))
        for column, parsed in zip(text, numbers)
    ]
    bad = []
    for name, column, parsed, is_categorical in zip(header, text, numbers, categorical):
        for line, value, x in zip(lines, column, parsed):
            missing = not value or (x is not None and np.isnan(x))
            if missing or (not is_categorical and not np.isfinite(x)):
                bad.append(f"{name!r} (line {line}: {value!r})")
                break
    if bad:
        raise DataError(
            f"CSV file {path}: missing or non-finite values in column(s) "
            + ", ".join(bad)
        )
    k = header.index(target)
    if categorical[k]:
        line, value = next(
            (line, v) for line, v, x in zip(lines, text[k], numbers[k]) if x is None
        )
        raise DataError(
            f"CSV file {path}: the target column {target!r} is not numeric "
            f"(line {line}: {value!r}); only features may be categorical"
        )
    numeric = [j for j, c in enumerate(categorical) if not c]
    # Row-major, as the models get it: the scaler's sums (and where they
    # overflow) depend on the memory layout.
    data = np.ascontiguousarray(np.array([numbers[j] for j in numeric], float).T)
    # The models standardise every numeric column: the scaler they use must
    # give finite values (its sums overflow from about 1e154 on).
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scaler = StandardScaler().fit(data)
        usable = (
            np.isfinite(scaler.mean_)
            & np.isfinite(scaler.var_)
            & np.all(np.isfinite(scaler.transform(data)), axis=0)
        )
    too_large = [repr(header[j]) for j, ok in zip(numeric, usable) if not ok]
    if too_large:
        raise DataError(
            f"CSV file {path}: values too large to standardise in column(s) "
            f"{', '.join(too_large)}; rescale them"
        )
    y = data[:, numeric.index(k)]
    features = [j for j in range(len(header)) if j != k]
    if any(categorical):
        X = np.empty((len(rows), len(features)), dtype=object)
        for i, j in enumerate(features):
            X[:, i] = text[j] if categorical[j] else data[:, numeric.index(j)]
    else:
        X = np.delete(data, k, axis=1)
    names = [header[j] for j in features]
    return X, y, names, [header[j] for j in features if categorical[j]]


def _read_records(path):
    """The non-empty rows of a UTF-8 CSV file, with their line numbers."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, skipinitialspace=True)
            return [(n, row) for n, row in enumerate(reader, 1) if row]
    except UnicodeDecodeError as exc:
        raise DataError(
            f"CSV file {path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
            f"at offset {exc.start}); save it as UTF-8"
        ) from None
    except csv.Error as exc:
        raise DataError(f"CSV file {path} cannot be parsed: {exc}") from None


def _check_header(path, header, target):
    """Column names: present, distinct, the target among them, a feature left."""
    if any(not name for name in header):
        position = header.index("") + 1
        hint = (
            " (a saved row index? write the file without it)" if position == 1 else ""
        )
        raise DataError(
            f"CSV file {path}: column {position} of the header has no name{hint}"
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise DataError(
            f"CSV file {path}: duplicated column name(s) "
            + ", ".join(map(repr, duplicated))
        )
    # One column whose name holds another delimiter: the file is not comma-separated.
    hint = ""
    if len(header) == 1 and any(d in header[0] for d in ";\t|"):
        hint = " (only comma-separated files are read)"
    if target not in header:
        raise DataError(
            f"target column {target!r} is not in {path}; columns: "
            f"{', '.join(header)}{hint}"
        )
    if len(header) < 2:
        raise DataError(
            f"CSV file {path} has no feature column besides {target!r}{hint}"
        )


def load_csv(path, target, *, test_size=0.2, seed=0):
    """A CSV file (see :func:`read_csv`) split into train and test sets.

    The levels of each categorical feature are those of the training rows
    (:attr:`Dataset.categories`); a level seen only in the test rows is
    unknown to the models.

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
    X, y, names, categorical = _read_columns(path, target)
    if X.shape[0] < 10:
        raise DataError(
            f"CSV file {path} has {X.shape[0]} data rows; at least 10 are needed"
        )
    split = _split(X, y, test_size, seed)
    categories = {
        name: sorted(set(split[0][:, names.index(name)])) for name in categorical
    }
    return Dataset(
        Path(path).stem, *split, names, target_name=target, categories=categories
    )
