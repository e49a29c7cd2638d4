"""Experiments behind the ``sk-regnet`` command; they return rows and print nothing.

The main one, :func:`compare`, fits on one train/test split

- the blog article's three models at the article's settings (article data
  only; :func:`compare_article` reproduces its numbers exactly),
- one network per penalty with ``alpha`` chosen by cross-validation
  (:class:`~sk_regnet.RegularizedMLPRegressorCV`; L-BFGS, FISTA for the
  group lasso) over the estimator's automatic grid unless a grid is given,
  features and target standardised inside the model (categorical features
  one-hot encoded, one group per original column for the group lasso),
- on data whose informative features are known (Friedman #1), the adaptive
  group lasso, to show which features it keeps,
- ``RidgeCV`` and ``LassoCV`` as linear baselines, on the same features,

and returns a :class:`Comparison`: the table rows, the validation curves and
the fitted models. :func:`plot_comparison` draws its figure. The data come
from :func:`load_dataset` and :func:`load_csv` (module ``_datasets``).
"""

import re
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LassoCV, RidgeCV
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

from ._compare_plot import (
    ARTICLE_SETTING,
    BASELINE,
    CROSS_VALIDATED,
    NO_PENALTY,
    plot_comparison,
)
from ._cv import RegularizedMLPRegressorCV
from ._datasets import (
    DATASETS,
    DataError,
    Dataset,
    _article_draw,
    article_data,
    load_csv,
    load_dataset,
    read_csv,
)
from ._mlp import RegularizedMLPRegressor
from ._penalties import PENALTY_NAMES, get_penalty

__all__ = [
    "ARTICLE_MODELS",
    "DATASETS",
    "DEFAULT_N_ALPHAS",
    "Comparison",
    "DataError",
    "Dataset",
    "alpha_grid",
    "available_penalties",
    "article_data",
    "article_model",
    "check_penalty",
    "compare",
    "compare_article",
    "encoding",
    "grid_position",
    "kept_features",
    "load_csv",
    "load_dataset",
    "network",
    "network_cv",
    "plot_comparison",
    "read_csv",
    "scaled",
]

#: The blog article's three models: (penalty, alpha).
ARTICLE_MODELS = ((None, 0.0), ("l1", 0.01), ("l2", 0.01))

#: Length of the automatic alpha grid of the cross-validated networks (the
#: estimator's ``n_alphas``), built per penalty from the data.
DEFAULT_N_ALPHAS = 20

# The UserWarning of RegularizedMLPRegressorCV when the best mean validation
# score lies at an end of its grid; compare turns it into a row note.
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
    """The penalty names :func:`compare` accepts, ``'none'`` first."""
    return ["none", *PENALTY_NAMES]


def scaled(estimator, features=None):
    """``estimator`` with features and target standardised around it.

    ``features``: the transformer of the features (default a
    ``StandardScaler``; see :func:`encoding` for categorical ones).
    """
    return TransformedTargetRegressor(
        regressor=make_pipeline(
            StandardScaler() if features is None else features, estimator
        ),
        transformer=StandardScaler(),
    )


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


def network(penalty, alpha=0.0, *, hidden=(10,), seed=0, groups=None):
    """The network of the tuned rows: tanh units, a converging solver.

    ``groups``: the group lasso's groups (see :func:`encoding`).
    """
    return RegularizedMLPRegressor(
        **_network_params(penalty, hidden, seed, groups), alpha=alpha
    )


def network_cv(
    penalty, alphas, cv, *, hidden=(10,), seed=0, groups=None, group_weights=None
):
    """The same network with alpha chosen by ``cv``-fold cross-validation.

    A :class:`~sk_regnet.RegularizedMLPRegressorCV` over ``alphas`` (None:
    the estimator's automatic grid of :data:`DEFAULT_N_ALPHAS` values, from
    where the penalty wins at the zero network down to 1e-3 times that): a
    warm-started path per fold, refitted along the path to ``alpha_``.
    ``groups`` and ``group_weights`` (``'adaptive'``: the adaptive group
    lasso) are the group lasso's.
    """
    # FISTA's warm-started steps need more than the default max_iter // 20
    # iterations: with 25 the group-lasso path was scored under-converged
    # (Friedman #1, seed 1: CV MSE 0.199 at alpha=0.01 against 0.087 with 200).
    warm = 200 if penalty == "group_lasso" else None
    return RegularizedMLPRegressorCV(
        **_network_params(penalty, hidden, seed, groups, group_weights),
        alphas=alphas,
        n_alphas=DEFAULT_N_ALPHAS,
        cv=cv,
        max_iter_warm=warm,
    )


def _selection(selector):
    """(alpha, alphas, mean CV MSE per alpha) of a fitted CV estimator."""
    mse = np.asarray(selector.mse_path_).mean(axis=1)
    return float(selector.alpha_), np.asarray(selector.alphas_), mse


def grid_position(alpha, alphas):
    """Where ``alpha`` lies in the increasing grid ``alphas``.

    Returns
    -------
    position : dict
        ``alpha_index`` (0-based index of the grid value nearest ``alpha``),
        ``n_alphas`` and ``grid_end``: ``'smallest'`` or ``'largest'`` when
        ``alpha`` is at that end of a grid of two values or more, else None.
    """
    alphas = np.asarray(alphas, dtype=float)
    index = int(np.argmin(np.abs(alphas - alpha)))
    end = None
    if alphas.size > 1 and index == 0:
        end = "smallest"
    elif alphas.size > 1 and index == alphas.size - 1:
        end = "largest"
    return {"alpha_index": index, "n_alphas": int(alphas.size), "grid_end": end}


def _edge_note(name, message):
    """A row note from the estimator's warning about a choice at a grid end."""
    match = _EDGE_END.search(message)
    end = match.group(1) if match else "an end"
    further = {"smallest": "lower", "largest": "higher"}.get(end, "further")
    return (
        f"{name}: best at the {end} alpha of the grid; pass --alphas reaching {further}"
    )


def _fitted_core(model):
    """The fitted network or linear model inside a scaled model."""
    return model.regressor_[-1] if hasattr(model, "regressor_") else model


def kept_features(model, feature_names):
    """The features (original columns) a group-lasso model kept.

    ``feature_names`` names the groups of the fitted network in order (the
    original columns, see :func:`encoding`); a group is kept when one of its
    first-layer rows is not zero.
    """
    support = _fitted_core(model).group_support_
    return [name for name, kept in zip(feature_names, support) if kept]


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
        (seconds, selection included), ``nonzero_weights``; where ``alpha``
        lies in its grid (cross-validated rows; None elsewhere):
        ``alpha_index`` (0-based), ``n_alphas`` and ``grid_end``
        (``'smallest'``, ``'largest'`` or None, see :func:`grid_position`);
        ``kept``: for the group-lasso rows, the features (original column
        names) the network kept, in column order (None for the others); and
        ``note``: None, or why the choice deserves a look (the best mean
        validation score at an end of the grid, where the optimum may lie
        beyond it).
    curves : dict
        Per cross-validated network, by its row's ``model`` name without
        ``'network '`` (the penalty, or ``'group_lasso adaptive'``):
        ``alphas``, ``cv_mse`` (mean validation
        MSE in standardised target units; NaN past the alpha where the folds'
        paths stopped, null in :meth:`to_dict`), the chosen ``alpha`` and its
        position (``alpha_index``, ``n_alphas``, ``grid_end``).
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

    @property
    def notes(self):
        """The rows' notes, in row order."""
        return [row["note"] for row in self.rows if row.get("note")]

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
                "categories": {
                    name: [str(level) for level in levels]
                    for name, levels in d.categories.items()
                },
                "informative": None if d.informative is None else list(d.informative),
                "target": d.target_name,
            },
            "settings": self.settings,
            "rows": self.rows,
            "notes": self.notes,
            "validation_curves": {
                name: {
                    "alphas": [float(a) for a in c["alphas"]],
                    # null where a fold's path stopped past its minimum
                    # (NaN) or diverged (inf): JSON has neither.
                    "cv_mse": [
                        float(m) if np.isfinite(m) else None for m in c["cv_mse"]
                    ],
                    "alpha": float(c["alpha"]),
                    **grid_position(c["alpha"], c["alphas"]),
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
        "alpha_index": None,
        "n_alphas": None,
        "grid_end": None,
        "kept": None,
        "note": None,
    }


def _timed_fit(estimator, X, y):
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
            seconds, _ = _timed_fit(model, data.X_train, data.y_train)
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
    alphas=None,
    cv=5,
    hidden=(10,),
    seed=0,
    test_size=0.2,
    baselines=True,
    adaptive=None,
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
    alphas : None, int or sequence of float, default=None
        The alpha grid of the cross-validated networks. None: each network's
        automatic grid (:data:`DEFAULT_N_ALPHAS` values built from the data
        for its penalty, see :class:`~sk_regnet.RegularizedMLPRegressorCV`);
        an int: that many values of :func:`alpha_grid` (1e-4 to 1); or the
        values. A choice at an end of the grid (the bottom of any grid, the
        top of a given one) is reported in the row's ``note``.
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
    adaptive : bool or None, default=None
        Add the row ``'network group_lasso adaptive'``: the group lasso with
        ``group_weights='adaptive'``, alpha cross-validated over the same
        grid as the other networks. None: when the data's informative
        features are known (``Dataset.informative``: Friedman #1).
    progress : callable, default=None
        Called as ``progress(done, total, label)`` before each model is
        fitted and once at the end (``label`` None).

    Returns
    -------
    comparison : Comparison

    Notes
    -----
    Categorical features (``Dataset.categories``, from a CSV file) are one-hot
    encoded and the numeric ones standardised (:func:`encoding`) inside every
    model but the article's; the group-lasso networks penalise one group per
    original column, and their rows list the columns they kept (``kept``).
    """
    if isinstance(dataset, str):
        dataset = load_dataset(dataset, test_size=test_size, seed=seed)
    data = dataset
    if cv > data.X_train.shape[0]:
        raise DataError(
            f"cv={cv} folds need at least {cv} training samples; "
            f"{data.name} has {data.X_train.shape[0]}"
        )
    # One row per penalty, in the order given ('l1,l1' is one row).
    penalties = list(dict.fromkeys(check_penalty(p) for p in penalties))
    if alphas is None:
        grid = None  # each network builds its own from the data
    elif np.ndim(alphas) == 0:
        grid = alpha_grid(alphas)
    else:
        grid = np.asarray(alphas, float)
    folds = KFold(n_splits=cv, shuffle=True, random_state=seed)
    hidden = tuple(int(h) for h in hidden)
    if adaptive is None:
        adaptive = data.informative is not None

    tasks = list(_article_tasks(data, seed)) if data.is_article else []
    curves = {}
    networks = [("none" if p is None else p, p, None) for p in penalties]
    if adaptive:
        networks.append(("group_lasso adaptive", "group_lasso", "adaptive"))

    for name, penalty, group_weights in networks:
        label = f"network {name}"

        def task(penalty=penalty, name=name, label=label, weights=group_weights):
            features, groups = encoding(data)
            if penalty is None:
                model = scaled(network(None, hidden=hidden, seed=seed), features)
                seconds, _ = _timed_fit(model, data.X_train, data.y_train)
                return (
                    label,
                    model,
                    _row(label, None, 0.0, NO_PENALTY, model, seconds, data),
                )
            model = scaled(
                network_cv(
                    penalty,
                    grid,
                    folds,
                    hidden=hidden,
                    seed=seed,
                    groups=groups,
                    group_weights=weights,
                ),
                features,
            )
            seconds, edge = _timed_fit(model, data.X_train, data.y_train)
            alpha, path_alphas, mse = _selection(model.regressor_[-1])
            position = grid_position(alpha, path_alphas)
            curves[name] = {
                "alphas": path_alphas,
                "cv_mse": mse,
                "alpha": alpha,
                **position,
            }
            row = _row(label, penalty, alpha, CROSS_VALIDATED, model, seconds, data)
            row.update(position)
            if penalty == "group_lasso":
                row["kept"] = kept_features(model, data.feature_names)
            if edge is not None:
                row["note"] = _edge_note(name, edge)
            return label, model, row

        tasks.append((label, task))

    if baselines:
        for label, linear in (
            ("RidgeCV", RidgeCV(alphas=np.geomspace(1e-3, 1e3, 13))),
            ("LassoCV", LassoCV(cv=folds, random_state=seed)),
        ):

            def task(label=label, linear=linear):
                model = scaled(linear, encoding(data)[0])
                seconds, _ = _timed_fit(model, data.X_train, data.y_train)
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
