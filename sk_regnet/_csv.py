"""CSV files for the experiments: read the columns, decide the task, split.

A column is numeric or categorical, decided from the data: a column with a
value that is not a number is categorical (its values kept as text, its
levels those of the training rows), a numeric one is read as float. The
target column is numeric or text; whether it is predicted as a number or as
class labels is decided from its values as scikit-learn's
:func:`~sklearn.utils.multiclass.type_of_target` does (:func:`target_task`),
unless the caller forces it. Every problem is a :class:`DataError` with a
message that names it, which the command line reports as one line.
"""

import csv
import warnings
from pathlib import Path

import numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import type_of_target

from ._datasets import (
    CLASSIFICATION,
    REGRESSION,
    DataError,
    Dataset,
    check_classes,
    split,
)

#: What ``load_csv(task=...)`` accepts: decide from the target, or force it.
TASK_CHOICES = ("auto", REGRESSION, CLASSIFICATION)


def read_csv(path, target):
    """Read a CSV file with a header row: numeric and categorical columns.

    A column is categorical when one of its values is not a number (``Paris``,
    ``a1``); its values are then kept as text. Every other column is numeric.

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
        Float when the target column is numeric, else an object array of str
        (class labels).
    feature_names : list of str

    Raises
    ------
    DataError
        Missing, empty, non-UTF-8 or unparsable file (or a directory), rows
        of different lengths, unnamed or duplicated columns, unknown target,
        a missing value (empty or ``nan``) in any column, an infinite value
        or values too large to standardise in a numeric column; the message
        names the column and line.
    """
    X, y, features, _, _ = _read_columns(path, target)
    return X, y, features


def _number(value):
    """``value`` as a float, or None when it is not a number."""
    try:
        return float(value)
    except ValueError:
        return None


def _read_columns(path, target):
    """:func:`read_csv`, the categorical features and the target's first text.

    The last is ``(line, value)`` of the target's first value that is not a
    number, or None when the target is numeric.
    """
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
    numeric = [j for j, c in enumerate(categorical) if not c]
    # Row-major, as the models get it: the scaler's sums (and where they
    # overflow) depend on the memory layout.
    data = np.ascontiguousarray(np.array([numbers[j] for j in numeric], float).T)
    data = data.reshape(len(rows), len(numeric))
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
    k = header.index(target)
    text_at = None
    if categorical[k]:
        y = np.array(text[k], dtype=object)
        text_at = next(
            (line, v) for line, v, x in zip(lines, text[k], numbers[k]) if x is None
        )
    else:
        y = data[:, numeric.index(k)]
    features = [j for j in range(len(header)) if j != k]
    if any(categorical[j] for j in features):
        X = np.empty((len(rows), len(features)), dtype=object)
        for i, j in enumerate(features):
            X[:, i] = text[j] if categorical[j] else data[:, numeric.index(j)]
    else:
        X = data[:, [numeric.index(j) for j in features]]
    names = [header[j] for j in features]
    return X, y, names, [header[j] for j in features if categorical[j]], text_at


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


def target_task(y, task="auto", *, target="y", text_at=None):
    """Whether ``y`` is predicted as a number or as class labels.

    ``'auto'`` decides as :func:`~sklearn.utils.multiclass.type_of_target`
    does: ``'binary'`` and ``'multiclass'`` targets (text, or numbers that
    are all whole: 0/1, ratings 1 to 5, but also counts) are classification,
    ``'continuous'`` ones regression.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Float (a numeric column) or str (a text column).
    task : {'auto', 'regression', 'classification'}, default='auto'
    target : str, default='y'
        The column's name, for the messages.
    text_at : tuple or None, default=None
        ``(line, value)`` of the column's first value that is not a number,
        for the messages (None: every value is a number).

    Returns
    -------
    task : {'regression', 'classification'}
    y : ndarray
        Float for regression; for classification the labels, integers when
        the column's numbers are all integers, else as read.

    Raises
    ------
    DataError
        ``'regression'`` for a text target, ``'classification'`` for a
        continuous one, or class labels of a single class.
    """
    if task not in TASK_CHOICES:
        raise ValueError(f"task must be one of {TASK_CHOICES}, got {task!r}")
    if task == REGRESSION:
        if text_at is not None:
            line, value = text_at
            raise DataError(
                f"the target column {target!r} is not numeric (line {line}: "
                f"{value!r}); regression needs numbers (drop --task regression "
                "to classify its values)"
            )
        return REGRESSION, y
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass"):
        if task == CLASSIFICATION:
            example = next(v for v in y if v != np.round(v))
            raise DataError(
                f"the target column {target!r} is continuous (e.g. {example:g}), "
                "not class labels; classification needs text or whole-number "
                "labels (drop --task classification to predict it as a number)"
            )
        return REGRESSION, y
    if text_at is None and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    check_classes(y, 1, target=target)
    return CLASSIFICATION, y


def load_csv(path, target, *, task="auto", test_size=0.2, seed=0):
    """A CSV file (see :func:`read_csv`) split into train and test sets.

    The task follows from the target (:func:`target_task`) unless ``task``
    forces it. The levels of each categorical feature are those of the
    training rows (:attr:`Dataset.categories`); a level seen only in the
    test rows is unknown to the models. A classification split is
    stratified.

    Parameters
    ----------
    path : str or path-like
    target : str
    task : {'auto', 'regression', 'classification'}, default='auto'
        ``'auto'``: classification for a text target or one of whole
        numbers (``type_of_target`` ``'binary'`` or ``'multiclass'``),
        regression for a continuous one.
    test_size : float, default=0.2
    seed : int, default=0
        Seed of the split.

    Returns
    -------
    dataset : Dataset
    """
    X, y, names, categorical, text_at = _read_columns(path, target)
    if X.shape[0] < 10:
        raise DataError(
            f"CSV file {path} has {X.shape[0]} data rows; at least 10 are needed"
        )
    task, y = target_task(y, task, target=target.strip(), text_at=text_at)
    parts = split(
        X, y, test_size, seed, classify=task == CLASSIFICATION, target=target.strip()
    )
    categories = {
        name: sorted(set(parts[0][:, names.index(name)])) for name in categorical
    }
    return Dataset(
        Path(path).stem,
        *parts,
        names,
        target_name=target.strip(),
        categories=categories,
        task=task,
    )
