"""Data for the experiments: the article's draw and the bundled datasets.

Each is a :class:`Dataset`: a train/test split, what it is and whether its
target is predicted as a number (``'regression'``) or as class labels
(``'classification'``, split stratified). Bad input raises
:class:`DataError` with a message that names the problem, which the command
line reports as one line. CSV files are read by ``_csv``.
"""

import numbers
from dataclasses import dataclass, field

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, make_friedman1
from sklearn.model_selection import train_test_split

#: Datasets that ship with the package (nothing is downloaded).
DATASETS = ("article", "diabetes", "friedman1", "breast_cancer")
REGRESSION = "regression"
CLASSIFICATION = "classification"
#: The bundled datasets that are classification problems.
CLASSIFICATION_DATASETS = ("breast_cancer",)
#: Test share of a bundled dataset's split when none is given: 0.25 for the
#: classification data (the split of issue 15's anchors), 0.2 otherwise.
DEFAULT_TEST_SIZE = 0.2
_TEST_SIZES = {"breast_cancer": 0.25}
#: Classes the dataset line names before it says how many more there are.
MAX_CLASSES_SHOWN = 8


def default_test_size(name):
    """The test share of ``name``'s split when none is given."""
    return _TEST_SIZES.get(name, DEFAULT_TEST_SIZE)


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
    task : {'regression', 'classification'}
        Whether ``y`` is a number to predict or class labels.
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
    task: str = REGRESSION

    @property
    def n_features(self):
        """Number of input features."""
        return self.X_train.shape[1]

    @property
    def classes(self):
        """The class labels of a classification target, sorted (None else)."""
        if self.task != CLASSIFICATION:
            return None
        return np.unique(np.concatenate([self.y_train, self.y_test]))

    def describe(self):
        """One line: name, sizes, target (its classes), the categorical features."""
        target = f"target {self.target_name}"
        if self.task == CLASSIFICATION:
            classes = [str(c) for c in self.classes]
            shown = ", ".join(classes[:MAX_CLASSES_SHOWN])
            more = len(classes) - MAX_CLASSES_SHOWN
            shown += f", ... ({more} more)" if more > 0 else ""
            target += f": {len(classes)} classes ({shown})"
        line = (
            f"{self.name} ({self.X_train.shape[0]} train / {self.X_test.shape[0]} "
            f"test samples, {self.n_features} feature(s), {target})"
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
    return split(X, y, test_size, seed)


def check_classes(y, min_count=1, *, target="y", why=""):
    """Class labels ``y``: at least two classes, each of ``min_count`` rows.

    Raises
    ------
    DataError
        Naming the target and the classes that fall short; ``why`` ends the
        message (what needs the rows). A target of whole numbers is read as
        class labels, so its message says how to predict it as a number.
    """
    classes, counts = np.unique(y, return_counts=True)
    numeric = np.issubdtype(classes.dtype, np.number)
    hint = (
        "; whole numbers are read as class labels: pass --task regression to "
        "predict them as numbers"
        if numeric
        else ""
    )
    if classes.size < 2:
        only = classes[0].item() if numeric else classes[0]
        raise DataError(
            f"the target {target!r} has a single class ({only!r}); "
            f"classification needs at least two{hint}"
        )
    rare = classes[counts < min_count]
    if rare.size:
        named = ", ".join(repr(c.item() if numeric else c) for c in rare[:5])
        named += f" and {rare.size - 5} more" if rare.size > 5 else ""
        raise DataError(
            f"{rare.size} of the {classes.size} classes of the target {target!r} "
            f"have fewer than {min_count} rows ({named}){why}{hint}"
        )


def split(X, y, test_size, seed, *, classify=False, target="y"):
    """``train_test_split``, stratified for classification, with clear errors.

    A part that would be empty, and (``classify``) a class with a single
    row or more classes than rows in a part, are each a :class:`DataError`.
    """
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
    if not classify:
        return train_test_split(X, y, test_size=test_size, random_state=seed)
    check_classes(
        y, 2, target=target, why=": a stratified split needs one in each part"
    )
    n_classes = np.unique(y).size
    if min(n_test, n_samples - n_test) < n_classes:
        raise DataError(
            f"test_size={test_size:g} of {n_samples} samples leaves "
            f"{n_samples - n_test} for training and {n_test} for testing; a "
            f"stratified split needs at least one row of each of the "
            f"{n_classes} classes in both"
        )
    return train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)


def load_dataset(name, *, test_size=None, seed=0):
    """A bundled dataset, split into train and test sets.

    Parameters
    ----------
    name : {'article', 'diabetes', 'friedman1', 'breast_cancer'}
        ``'article'``: 100 noisy samples of ``sin(pi x)``; ``'diabetes'``:
        scikit-learn's bundled :func:`~sklearn.datasets.load_diabetes`;
        ``'friedman1'``: 400 samples of
        :func:`~sklearn.datasets.make_friedman1` (10 features, 5 of them
        used, noise 1); ``'breast_cancer'``: scikit-learn's bundled
        :func:`~sklearn.datasets.load_breast_cancer` (569 tumours, 30
        features, classes ``'malignant'`` and ``'benign'``; classification,
        split stratified). Nothing is downloaded.
    test_size : float, default=None
        Share of the samples in the test set. None: 0.25 for
        ``'breast_cancer'``, 0.2 for the others (:func:`default_test_size`).
    seed : int, default=0
        Seeds the generated data and the split.

    Returns
    -------
    dataset : Dataset
    """
    if test_size is None:
        test_size = default_test_size(name)
    if name == "article":
        X, y = _article_draw(np.random.RandomState(seed))
        parts = split(X, y, test_size, seed)
        return Dataset("article", *parts, ["x"], truth=_sin_pi, is_article=True)
    truth = informative = None
    target, task = "y", REGRESSION
    if name == "diabetes":
        bunch = load_diabetes()
        X, y, names = bunch.data, bunch.target, list(bunch.feature_names)
    elif name == "friedman1":
        X, y = make_friedman1(n_samples=400, noise=1.0, random_state=seed)
        names = [f"x{j}" for j in range(X.shape[1])]
        truth = _friedman1
        informative = names[:5]
    elif name == "breast_cancer":
        bunch = load_breast_cancer()
        X, y, names = bunch.data, bunch.target, list(bunch.feature_names)
        target, task = "diagnosis", CLASSIFICATION
    else:
        raise DataError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}"
        )
    parts = split(X, y, test_size, seed, classify=task == CLASSIFICATION)
    if name == "breast_cancer":
        # The class names as labels, that the table and the JSON file name
        # them; split by the codes, as scikit-learn users split this data.
        names_of = bunch.target_names.astype(object)
        parts = [*parts[:2], names_of[parts[2]], names_of[parts[3]]]
    return Dataset(
        name,
        *parts,
        names,
        target_name=target,
        truth=truth,
        informative=informative,
        task=task,
    )
