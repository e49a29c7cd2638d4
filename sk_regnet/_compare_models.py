"""The models of ``sk-regnet compare`` and the run that fits them, for both tasks.

:func:`run_comparison` is the one comparison: the networks (one per
penalty, alpha cross-validated over a warm-started path; the adaptive group
lasso when asked), the linear baselines, the rows, the curves and the notes.
What a task does its own way (the folds, how a model is wrapped and scored,
its baselines) comes from a :class:`Task`, which ``_compare_regression`` and
``_compare_classification`` implement; nothing here knows which it is given.
"""

import re
import time
import warnings

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

from ._classifier import RegularizedMLPClassifier
from ._classifier_cv import RegularizedMLPClassifierCV
from ._comparison import (
    BASELINE,
    CROSS_VALIDATED,
    NO_PENALTY,
    Comparison,
    grid_position,
)
from ._cv import RegularizedMLPRegressorCV
from ._datasets import CLASSIFICATION, REGRESSION, DataError
from ._mlp import RegularizedMLPRegressor
from ._penalties import PENALTY_NAMES, get_penalty

#: Length of the automatic alpha grid of the cross-validated networks (the
#: estimator's ``n_alphas``), built per penalty from the data.
DEFAULT_N_ALPHAS = 20
#: Penalties that select features: their rows list the features kept.
SPARSE_PENALTIES = ("l1", "elasticnet", "group_lasso")

_ESTIMATORS = {
    REGRESSION: (RegularizedMLPRegressor, RegularizedMLPRegressorCV),
    CLASSIFICATION: (RegularizedMLPClassifier, RegularizedMLPClassifierCV),
}
# The UserWarning of the CV estimators when the best mean validation score
# lies at an end of the grid; the run turns it into a row note.
_EDGE_WARNING = "The best mean validation score is at the"
_EDGE_END = re.compile(r"at the (smallest|largest) alpha of the grid")


# -------------------------------------------------------------- models
def alpha_grid(n_alphas, low=1e-4, high=1.0):
    """``n_alphas`` values of alpha, log-spaced from ``low`` to ``high``.

    The default range suits standardised targets (a mean squared error of
    order one) and networks of a few hundred weights.

    Parameters
    ----------
    n_alphas : int
        Number of values, at least 1.
    low, high : float, default=1e-4, 1.0
        Smallest and largest value.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Increasing.
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


def available_penalties():
    """The penalty names :func:`~sk_regnet.experiments.compare` accepts."""
    return ["none", *PENALTY_NAMES]


def encoding(data):
    """How the models see ``data``'s features, and the groups of the group lasso.

    Parameters
    ----------
    data : Dataset

    Returns
    -------
    features : transformer
        A ``StandardScaler`` when every feature is numeric. Otherwise a
        ``ColumnTransformer``: the numeric columns standardised, then each
        categorical column one-hot encoded
        (``OneHotEncoder(handle_unknown='ignore', sparse_output=False)``, its
        levels those of the training rows, so that the encoded columns are
        known before fitting; a level unseen there encodes as all zeros).
    groups : list of lists of int or None
        One group per original column, in the order of
        ``data.feature_names``: the indices of its encoded columns (a numeric
        column is a group of one). None when every feature is numeric (each
        column its own group, the estimator's default).
    """
    if not data.categories:
        return StandardScaler(), None
    names = list(data.feature_names)
    categorical = [j for j, name in enumerate(names) if name in data.categories]
    numeric = [j for j in range(len(names)) if j not in categorical]
    features = ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            (
                "categorical",
                OneHotEncoder(
                    categories=[list(data.categories[names[j]]) for j in categorical],
                    handle_unknown="ignore",
                    sparse_output=False,
                ),
                categorical,
            ),
        ]
    )
    # The encoded columns: the numeric ones in order, then each categorical
    # column's levels.
    widths = [1] * len(numeric) + [len(data.categories[names[j]]) for j in categorical]
    ends = np.cumsum(widths)
    columns = {
        j: list(range(end - width, end))
        for j, width, end in zip(numeric + categorical, widths, ends)
    }
    return features, [columns[j] for j in range(len(names))]


def _network_params(penalty, hidden, seed, groups=None, group_weights=None):
    params = {
        "hidden_layer_sizes": tuple(hidden),
        "activation": "tanh",
        "penalty": penalty,
        # L-BFGS-B handles L1 parts exactly, not the group lasso: FISTA does.
        "solver": "fista" if penalty == "group_lasso" else "lbfgs",
        "max_iter": 500,
        "tol": 1e-5,
        "random_state": seed,
    }
    if penalty == "group_lasso":
        params.update(groups=groups, group_weights=group_weights)
    return params


def network(penalty, alpha=0.0, *, hidden=(10,), seed=0, groups=None, task=REGRESSION):
    """The network of the tuned rows: tanh units, a converging solver.

    A :class:`~sk_regnet.RegularizedMLPRegressor`, or for ``task=
    'classification'`` a :class:`~sk_regnet.RegularizedMLPClassifier`.
    ``groups``: the group lasso's groups (see :func:`encoding`).
    """
    estimator = _ESTIMATORS[task][0]
    return estimator(**_network_params(penalty, hidden, seed, groups), alpha=alpha)


def network_cv(
    penalty,
    alphas,
    cv,
    *,
    hidden=(10,),
    seed=0,
    groups=None,
    group_weights=None,
    task=REGRESSION,
):
    """The same network with alpha chosen by ``cv``-fold cross-validation.

    A :class:`~sk_regnet.RegularizedMLPRegressorCV` (or
    :class:`~sk_regnet.RegularizedMLPClassifierCV`, scored by the log-loss)
    over ``alphas`` (None: the estimator's automatic grid of
    :data:`DEFAULT_N_ALPHAS` values, from where the penalty wins at the zero
    network down to 1e-3 times that): a warm-started path per fold, refitted
    along the path to ``alpha_``. ``groups`` and ``group_weights``
    (``'adaptive'``: the adaptive group lasso) are the group lasso's.
    """
    # FISTA's warm-started steps need more than the default max_iter // 20
    # iterations: with 25 the group-lasso path was scored under-converged
    # (Friedman #1, seed 1: CV MSE 0.199 at alpha=0.01 against 0.087 with 200).
    warm = 200 if penalty == "group_lasso" else None
    return _ESTIMATORS[task][1](
        **_network_params(penalty, hidden, seed, groups, group_weights),
        alphas=alphas,
        n_alphas=DEFAULT_N_ALPHAS,
        cv=cv,
        max_iter_warm=warm,
    )


def fitted_core(model):
    """The fitted model inside a wrapped one (``regressor_``, a pipeline's end)."""
    model = getattr(model, "regressor_", model)
    return model[-1] if isinstance(model, Pipeline) else model


def kept_features(model, feature_names, groups=None):
    """The features (original columns) a fitted model kept.

    A column is kept when one of its encoded columns has a non-zero weight:
    a row of the network's first layer, or a coefficient of a linear model.

    ``model``: fitted, possibly wrapped (see :func:`fitted_core`);
    ``feature_names``: the original columns, in order; ``groups``: each
    column's encoded columns (see :func:`encoding`; None: one each).
    """
    core = fitted_core(model)
    if hasattr(core, "coefs_"):
        used = np.any(core.coefs_[0] != 0, axis=1)
    else:
        used = np.any(np.atleast_2d(core.coef_) != 0, axis=0)
    if groups is None:
        groups = [[j] for j in range(len(feature_names))]
    return [name for name, cols in zip(feature_names, groups) if used[cols].any()]


def count_nonzero(model):
    """Non-zero weights of a fitted (wrapped) network or linear model."""
    core = fitted_core(model)
    if hasattr(core, "coefs_"):
        return int(sum(np.count_nonzero(W) for W in core.coefs_))
    return int(np.count_nonzero(core.coef_))


def edge_note(name, message):
    """A row note from the estimator's warning about a choice at a grid end."""
    match = _EDGE_END.search(message)
    end = match.group(1) if match else "an end"
    further = {"smallest": "lower", "largest": "higher"}.get(end, "further")
    return (
        f"{name}: best at the {end} alpha of the grid; pass --alphas reaching {further}"
    )


def timed_fit(estimator, X, y):
    """Fit; return the seconds and the grid-end warning's message, or None.

    The cross-validated networks warn (a UserWarning) when the best mean
    validation score is at an end of the grid; that warning, and only it, is
    taken out of the warnings machinery and returned, to become a row note.
    Any other warning is passed on unchanged.
    """
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        # Some folds at tiny alpha stop at max_iter; the table says enough.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings(
            "always", message=re.escape(_EDGE_WARNING), category=UserWarning
        )
        estimator.fit(X, y)
    seconds = time.perf_counter() - start
    edge = None
    for w in caught:
        message = str(w.message)
        if issubclass(w.category, UserWarning) and message.startswith(_EDGE_WARNING):
            edge = message
        else:
            warnings.warn_explicit(
                w.message, w.category, w.filename, w.lineno, source=w.source
            )
    return seconds, edge


# ---------------------------------------------------------------- task
class Task:
    """What a task does its own way in :func:`run_comparison`.

    Subclasses set ``spec`` (a :class:`~sk_regnet._comparison.TaskSpec`)
    and ``default_penalties``, and define the methods below.
    """

    spec = None
    default_penalties = ()

    def check(self, data, cv):
        """Raise :class:`DataError` if ``data`` cannot be cross-validated."""

    def folds(self, cv, seed):
        """The (shuffled, seeded) cross-validation splitter."""
        raise NotImplementedError

    def wrap(self, estimator, features):
        """``estimator`` with the features' transformer (and more) around it."""
        raise NotImplementedError

    def mean_error(self, core):
        """A fitted CV network's mean validation error per alpha."""
        raise NotImplementedError

    def scores(self, model, data):
        """The row's test and training scores (the keys of ``spec.metrics``)."""
        raise NotImplementedError

    def baselines(self, data, folds, seed):
        """The linear baselines: ``(label, penalty, estimator, alpha, sparse)``.

        ``alpha(core)`` reads the chosen strength from the fitted model;
        ``sparse``: whether its row lists the features kept.
        """
        return []

    def adaptive(self, data):
        """Whether the adaptive group lasso row joins by default."""
        return False

    def leading_fits(self, data, seed):
        """Rows fitted first, as ``(label, fit)``; ``fit()`` gives (model, row, None)."""
        return []

    def row(self, label, penalty, alpha, selection, model, seconds, data):
        """A row of the table (see :class:`~sk_regnet._comparison.Comparison`)."""
        return {
            "model": label,
            "penalty": "none" if penalty is None else str(penalty),
            "alpha": float(alpha),
            "selection": selection,
            **{key: float(value) for key, value in self.scores(model, data).items()},
            "fit_time": float(seconds),
            "nonzero_weights": count_nonzero(model),
            "alpha_index": None,
            "n_alphas": None,
            "grid_end": None,
            "kept": None,
            "note": None,
        }


def _network_fit(task, data, name, penalty, weights, grid, folds, hidden, seed):
    """The ``(label, fit)`` of one network row; ``fit`` returns its results."""
    label = f"network {name}"

    def fit():
        features, groups = encoding(data)
        if penalty is None:
            est = network(None, hidden=hidden, seed=seed, task=task.spec.name)
            model = task.wrap(est, features)
            seconds, _ = timed_fit(model, data.X_train, data.y_train)
            row = task.row(label, None, 0.0, NO_PENALTY, model, seconds, data)
            return model, row, None
        est = network_cv(
            penalty,
            grid,
            folds,
            hidden=hidden,
            seed=seed,
            groups=groups,
            group_weights=weights,
            task=task.spec.name,
        )
        model = task.wrap(est, features)
        seconds, edge = timed_fit(model, data.X_train, data.y_train)
        core = fitted_core(model)
        alpha = float(core.alpha_)
        position = grid_position(alpha, core.alphas_)
        curve = {
            "alphas": np.asarray(core.alphas_),
            task.spec.curve_key: task.mean_error(core),
            "alpha": alpha,
            **position,
        }
        row = task.row(label, penalty, alpha, CROSS_VALIDATED, model, seconds, data)
        row.update(position)
        if penalty in SPARSE_PENALTIES:
            row["kept"] = kept_features(model, data.feature_names, groups)
        if edge is not None:
            row["note"] = edge_note(name, edge)
        return model, row, curve

    return label, fit


def _baseline_fit(task, data, label, penalty, linear, alpha, sparse):
    def fit():
        features, groups = encoding(data)
        model = task.wrap(linear, features)
        seconds, _ = timed_fit(model, data.X_train, data.y_train)
        chosen = alpha(fitted_core(model))
        row = task.row(label, penalty, chosen, BASELINE, model, seconds, data)
        if sparse:
            row["kept"] = kept_features(model, data.feature_names, groups)
        return model, row, None

    return label, fit


def check_data(data, task, cv):
    """Raise :class:`DataError` if ``data`` cannot be cross-validated in ``cv`` folds.

    More folds than training rows, and for ``task``'s own reasons (a class
    with fewer training rows than folds).
    """
    if cv > data.X_train.shape[0]:
        raise DataError(
            f"cv={cv} folds need at least {cv} training samples; "
            f"{data.name} has {data.X_train.shape[0]}"
        )
    task.check(data, cv)


def run_comparison(
    data,
    task,
    *,
    penalties=None,
    alphas=None,
    cv=5,
    hidden=(10,),
    seed=0,
    test_size=None,
    baselines=True,
    adaptive=None,
    progress=None,
):
    """Fit and score the models of ``task`` on ``data``; a :class:`Comparison`.

    The arguments are :func:`~sk_regnet.experiments.compare`'s, with the
    dataset loaded and its :class:`Task` chosen.
    """
    check_data(data, task, cv)
    if penalties is None:
        penalties = task.default_penalties
    # One row per penalty, in the order given ('l1,l1' is one row).
    penalties = list(dict.fromkeys(check_penalty(p) for p in penalties))
    if alphas is None:
        grid = None  # each network builds its own from the data
    elif np.ndim(alphas) == 0:
        grid = alpha_grid(alphas)
    else:
        grid = np.asarray(alphas, float)
    folds = task.folds(cv, seed)
    hidden = tuple(int(h) for h in hidden)
    if adaptive is None:
        adaptive = task.adaptive(data)
    if test_size is None:
        test_size = data.X_test.shape[0] / (data.X_train.shape[0] + len(data.X_test))

    networks = [("none" if p is None else p, p, None) for p in penalties]
    if adaptive:
        networks.append(("group_lasso adaptive", "group_lasso", "adaptive"))
    fits = list(task.leading_fits(data, seed))
    fits += [
        _network_fit(task, data, *net, grid, folds, hidden, seed) for net in networks
    ]
    if baselines:
        fits += [
            _baseline_fit(task, data, *baseline)
            for baseline in task.baselines(data, folds, seed)
        ]

    result = Comparison(
        data,
        settings={
            "task": task.spec.name,
            "penalties": ["none" if p is None else p for p in penalties],
            "adaptive_group_lasso": bool(adaptive),
            # "auto": each network's own grid (in its validation curve).
            "alphas": "auto" if grid is None else [float(a) for a in grid],
            "n_alphas": DEFAULT_N_ALPHAS if grid is None else int(grid.size),
            "cv": int(cv),
            "hidden": list(hidden),
            "seed": int(seed),
            "test_size": float(test_size),
        },
    )
    # Small problems: a multithreaded BLAS only adds overhead to L-BFGS-B
    # (measured 4x slower per iteration on a busy 2-core machine).
    with threadpool_limits(limits=1, user_api="blas"):
        for done, (label, fit) in enumerate(fits):
            if progress is not None:
                progress(done, len(fits), label)
            model, row, curve = fit()
            result.models[label] = model
            result.rows.append(row)
            if curve is not None:
                result.curves[label.removeprefix("network ")] = curve
    if progress is not None:
        progress(len(fits), len(fits), None)
    return result
