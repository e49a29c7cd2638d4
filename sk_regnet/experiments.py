"""Experiments behind the ``sk-regnet`` command; they return rows and print nothing.

The main one, :func:`compare`, fits on one train/test split

- the blog article's three models at the article's settings (article data
  only; :func:`compare_article` reproduces its numbers exactly),
- one network per penalty with ``alpha`` chosen by cross-validation and the
  L-BFGS solver, features and target standardised inside the model,
- ``RidgeCV`` and ``LassoCV`` as linear baselines, scaled the same way,

and returns a :class:`Comparison`: the table rows, the validation curves and
the fitted models. :func:`plot_comparison` draws its figure.
"""

import csv
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LassoCV, RidgeCV
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

from ._compare_plot import plot_comparison
from ._mlp import RegularizedMLPRegressor
from ._penalties import get_penalty

__all__ = [
    "ARTICLE_MODELS",
    "DATASETS",
    "DEFAULT_N_ALPHAS",
    "Comparison",
    "DataError",
    "Dataset",
    "alpha_grid",
    "alpha_search",
    "article_data",
    "article_model",
    "check_penalty",
    "compare",
    "compare_article",
    "load_csv",
    "load_dataset",
    "network",
    "plot_comparison",
    "read_csv",
    "scaled",
]

#: The blog article's three models: (penalty, alpha).
ARTICLE_MODELS = ((None, 0.0), ("l1", 0.01), ("l2", 0.01))

#: Datasets that ship with the package (nothing is downloaded).
DATASETS = ("article", "diabetes", "friedman1")

#: Length of the default alpha grid.
DEFAULT_N_ALPHAS = 7

#: How each row's ``alpha`` was chosen.
ARTICLE_SETTING = "article setting"
CROSS_VALIDATED = "cross-validated"
NO_PENALTY = "no penalty"
BASELINE = "linear baseline"


class DataError(ValueError):
    """Bad user data (a CSV file, a target column, a dataset name)."""


# ---------------------------------------------------------------- data
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
    """

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: list
    target_name: str = "y"
    truth: object = None

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
        return Dataset("article", *split, ["x"], truth=_sin_pi)
    if name == "diabetes":
        bunch = load_diabetes()
        X, y, names = bunch.data, bunch.target, list(bunch.feature_names)
        truth = None
    elif name == "friedman1":
        X, y = make_friedman1(n_samples=400, noise=1.0, random_state=seed)
        names = [f"x{j}" for j in range(X.shape[1])]
        truth = None
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


# -------------------------------------------------------------- models
def alpha_grid(n_alphas, low=1e-4, high=1.0):
    """``n_alphas`` values of alpha, log-spaced from ``low`` to ``high``.

    The default range suits standardised targets (a mean squared error of
    order one) and networks of a few hundred weights.
    """
    if n_alphas < 1:
        raise ValueError(f"n_alphas must be at least 1, got {n_alphas}.")
    return np.geomspace(low, high, n_alphas)


def check_penalty(name):
    """Map a penalty name to the estimator's value (``'none'`` → ``None``).

    Raises
    ------
    ValueError
        If the estimator does not know the penalty.
    """
    penalty = None if name in ("none", None) else name
    get_penalty(penalty)
    return penalty


def scaled(estimator):
    """``estimator`` with features and target standardised around it."""
    return TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), estimator),
        transformer=StandardScaler(),
    )


def article_model(penalty, alpha, random_state=None):
    """The article's network and training loop as an estimator."""
    return RegularizedMLPRegressor(
        hidden_layer_sizes=(10,),
        activation="tanh",
        penalty=penalty,
        alpha=alpha,
        solver="gd",
        learning_rate_init=0.01,
        max_iter=500,
        tol=0.0,
        weight_init="normal",
        random_state=random_state,
    )


def network(penalty, alpha=0.0, *, hidden=(10,), seed=0):
    """The network of the cross-validated rows: tanh units, L-BFGS."""
    return RegularizedMLPRegressor(
        hidden_layer_sizes=hidden,
        activation="tanh",
        penalty=penalty,
        alpha=alpha,
        solver="lbfgs",
        max_iter=500,
        tol=1e-5,
        random_state=seed,
    )


def alpha_search(net, alphas, cv):
    """Choose ``net``'s alpha among ``alphas`` by ``cv``-fold cross-validation.

    The one place where the selection method is set: the CV estimator
    (``RegularizedMLPRegressorCV(**net.get_params(), alphas=alphas, cv=cv)``)
    drops in here; :func:`_selection` reads either.
    """
    return GridSearchCV(
        net, {"alpha": list(alphas)}, cv=cv, scoring="neg_mean_squared_error"
    )


def _selection(selector):
    """(alpha, alphas, mean CV MSE per alpha, fitted network) of a selector."""
    if hasattr(selector, "mse_path_"):  # RegularizedMLPRegressorCV
        mse = np.asarray(selector.mse_path_).mean(axis=1)
        return float(selector.alpha_), np.asarray(selector.alphas_), mse, selector
    alphas = np.asarray(selector.cv_results_["param_alpha"], dtype=float)
    mse = -np.asarray(selector.cv_results_["mean_test_score"])
    return float(selector.best_params_["alpha"]), alphas, mse, selector.best_estimator_


def _fitted_core(model):
    """The fitted network or linear model inside a scaled model or a search."""
    if hasattr(model, "regressor_"):
        model = model.regressor_[-1]
    return getattr(model, "best_estimator_", model)


def _count_nonzero(estimator):
    estimator = _fitted_core(estimator)
    if hasattr(estimator, "coefs_"):
        return int(sum(np.count_nonzero(W) for W in estimator.coefs_))
    return int(np.count_nonzero(estimator.coef_))


# ---------------------------------------------------------- comparison
@dataclass
class Comparison:
    """What :func:`compare` returns.

    Attributes
    ----------
    dataset : Dataset
    rows : list of dict
        One per model: ``model``, ``penalty``, ``alpha``, ``selection`` (how
        alpha was chosen), ``test_mse``, ``train_mse``, ``fit_time``
        (seconds, selection included), ``nonzero_weights``.
    curves : dict
        Per cross-validated penalty: ``alphas``, ``cv_mse`` (mean validation
        MSE in standardised target units) and the chosen ``alpha``.
    models : dict
        The fitted estimators, by row ``model`` name.
    settings : dict
        The arguments of the run.
    """

    dataset: Dataset
    rows: list = field(default_factory=list)
    curves: dict = field(default_factory=dict)
    models: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def to_dict(self):
        """Every number of the run as JSON-serialisable data."""
        d = self.dataset
        return {
            "dataset": {
                "name": d.name,
                "n_train": int(d.X_train.shape[0]),
                "n_test": int(d.X_test.shape[0]),
                "n_features": int(d.n_features),
                "feature_names": list(d.feature_names),
                "target": d.target_name,
            },
            "settings": self.settings,
            "rows": self.rows,
            "validation_curves": {
                name: {
                    "alphas": [float(a) for a in c["alphas"]],
                    "cv_mse": [float(m) for m in c["cv_mse"]],
                    "alpha": float(c["alpha"]),
                }
                for name, c in self.curves.items()
            },
        }


def _row(model, penalty, alpha, selection, estimator, fit_time, data):
    return {
        "model": model,
        "penalty": "none" if penalty is None else str(penalty),
        "alpha": float(alpha),
        "selection": selection,
        "test_mse": float(np.mean((data.y_test - estimator.predict(data.X_test)) ** 2)),
        "train_mse": float(
            np.mean((data.y_train - estimator.predict(data.X_train)) ** 2)
        ),
        "fit_time": float(fit_time),
        "nonzero_weights": _count_nonzero(estimator),
    }


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Some folds at tiny alpha stop at max_iter; the table says enough.
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    return time.perf_counter() - start


def _article_tasks(data, seed):
    """The article's three models, fitted in sequence from one generator."""
    # The article fits from the global generator right after drawing the
    # data; a private generator advanced past the same draw is the same
    # stream without touching NumPy's global state.
    rng = np.random.RandomState(seed)
    _article_draw(rng)
    for penalty, alpha in ARTICLE_MODELS:
        label = f"article {'none' if penalty is None else penalty}"

        def task(penalty=penalty, alpha=alpha, label=label):
            model = article_model(penalty, alpha, random_state=rng)
            seconds = _timed_fit(model, data.X_train, data.y_train)
            return (
                label,
                model,
                _row(label, penalty, alpha, ARTICLE_SETTING, model, seconds, data),
            )

        yield label, task


def compare(
    dataset="article",
    *,
    penalties=("none", "l1", "l2"),
    alphas=DEFAULT_N_ALPHAS,
    cv=5,
    hidden=(10,),
    seed=0,
    test_size=0.2,
    baselines=True,
    progress=None,
):
    """Compare regularised networks and linear baselines on one split.

    Parameters
    ----------
    dataset : str or Dataset, default='article'
        A name from :data:`DATASETS` or a :class:`Dataset` (e.g. from
        :func:`load_csv`). With ``'article'`` the article's three models are
        included at the article's settings.
    penalties : sequence of str, default=('none', 'l1', 'l2')
        Penalties of the cross-validated networks (``'none'``: no penalty,
        nothing to select).
    alphas : int or sequence of float, default=DEFAULT_N_ALPHAS
        The alpha grid, or its length for :func:`alpha_grid`.
    cv : int, default=5
        Number of cross-validation folds (shuffled, seeded by ``seed``).
    hidden : tuple of int, default=(10,)
        Hidden layer sizes of the cross-validated networks.
    seed : int, default=0
        Seeds the data, the split, the folds and the initialisations.
    test_size : float, default=0.2
        Share of the samples in the test set (bundled datasets).
    baselines : bool, default=True
        Add the ``RidgeCV`` and ``LassoCV`` rows.
    progress : callable, default=None
        Called as ``progress(done, total, label)`` before each model is
        fitted and once at the end (``label`` None).

    Returns
    -------
    comparison : Comparison
    """
    if isinstance(dataset, str):
        dataset = load_dataset(dataset, test_size=test_size, seed=seed)
    data = dataset
    if cv > data.X_train.shape[0]:
        raise DataError(
            f"cv={cv} folds need at least {cv} training samples; "
            f"{data.name} has {data.X_train.shape[0]}"
        )
    penalties = [check_penalty(p) for p in penalties]
    grid = alpha_grid(alphas) if np.ndim(alphas) == 0 else np.asarray(alphas, float)
    folds = KFold(n_splits=cv, shuffle=True, random_state=seed)
    hidden = tuple(int(h) for h in hidden)

    tasks = list(_article_tasks(data, seed)) if data.name == "article" else []
    curves = {}

    for penalty in penalties:
        name = "none" if penalty is None else penalty
        label = f"network {name}"

        def task(penalty=penalty, name=name, label=label):
            net = network(penalty, hidden=hidden, seed=seed)
            if penalty is None:
                model = scaled(net)
                seconds = _timed_fit(model, data.X_train, data.y_train)
                return (
                    label,
                    model,
                    _row(label, None, 0.0, NO_PENALTY, model, seconds, data),
                )
            model = scaled(alpha_search(net, grid, folds))
            seconds = _timed_fit(model, data.X_train, data.y_train)
            alpha, path_alphas, mse, _ = _selection(model.regressor_[-1])
            curves[name] = {"alphas": path_alphas, "cv_mse": mse, "alpha": alpha}
            return (
                label,
                model,
                _row(label, penalty, alpha, CROSS_VALIDATED, model, seconds, data),
            )

        tasks.append((label, task))

    if baselines:
        for label, linear in (
            ("RidgeCV", RidgeCV(alphas=np.geomspace(1e-3, 1e3, 13))),
            ("LassoCV", LassoCV(cv=folds, random_state=seed)),
        ):

            def task(label=label, linear=linear):
                model = scaled(linear)
                seconds = _timed_fit(model, data.X_train, data.y_train)
                return (
                    label,
                    model,
                    _row(
                        label,
                        label[:-2].lower(),
                        model.regressor_[-1].alpha_,
                        BASELINE,
                        model,
                        seconds,
                        data,
                    ),
                )

            tasks.append((label, task))

    result = Comparison(
        data,
        settings={
            "penalties": ["none" if p is None else p for p in penalties],
            "alphas": [float(a) for a in grid],
            "cv": int(cv),
            "hidden": list(hidden),
            "seed": int(seed),
            "test_size": float(test_size),
        },
    )
    # Small problems: a multithreaded BLAS only adds overhead to L-BFGS-B
    # (measured 4x slower per iteration on a busy 2-core machine).
    with threadpool_limits(limits=1, user_api="blas"):
        for done, (label, task) in enumerate(tasks):
            if progress is not None:
                progress(done, len(tasks), label)
            name, model, row = task()
            result.models[name] = model
            result.rows.append(row)
    if progress is not None:
        progress(len(tasks), len(tasks), None)
    result.curves = curves
    return result


def compare_article():
    """Reproduce the article's comparison.

    The three models are fitted in sequence right after the data are drawn,
    all from one generator seeded with 0, exactly as in the article.

    Returns
    -------
    rows : list of dict
        One row per model (see :class:`Comparison`).
    """
    data = load_dataset("article")
    return [task()[2] for _, task in _article_tasks(data, 0)]
