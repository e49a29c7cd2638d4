"""Experiments behind the ``sk-regnet`` command; they return rows and print nothing.

The main one, :func:`compare`, fits on one train/test split

- the blog article's three models at the article's settings (article data
  only; :func:`compare_article` reproduces its numbers exactly),
- one network per penalty with ``alpha`` chosen by cross-validation
  (:class:`~sk_regnet.RegularizedMLPRegressorCV`, or
  :class:`~sk_regnet.RegularizedMLPClassifierCV` for class labels; L-BFGS,
  FISTA for the group lasso) over the estimator's automatic grid unless a
  grid is given, features standardised inside the model (and a numeric
  target; categorical features one-hot encoded, one group per original
  column for the group lasso),
- the adaptive group lasso, to show which features it keeps: for
  classification, and for regression on data whose informative features
  are known (Friedman #1),
- linear baselines on the same features: ``RidgeCV`` and ``LassoCV``, or
  ``LogisticRegressionCV`` with the L2 and the L1 penalty,

and returns a :class:`Comparison`: the table rows, the validation curves and
the fitted models. :func:`plot_comparison` draws its figure. The data come
from :func:`load_dataset` and :func:`load_csv`; each dataset says whether it
is a regression or a classification problem (``Dataset.task``).

This module is the public face of the comparison; the work is done in
``_compare_models`` (the run both tasks share), ``_compare_regression`` and
``_compare_classification`` (what each does its own way), ``_comparison``
(the result) and ``_compare_plot`` (the figure).
"""

from ._compare_classification import CLASSIFICATION_TASK, logistic_cv
from ._compare_models import (
    DEFAULT_N_ALPHAS,
    SPARSE_PENALTIES,
    alpha_grid,
    available_penalties,
    check_data,
    check_penalty,
    encoding,
    kept_features,
    network,
    network_cv,
    run_comparison,
)
from ._compare_plot import plot_comparison
from ._compare_regression import (
    ARTICLE_MODELS,
    REGRESSION_TASK,
    article_model,
    compare_article,
    scaled,
)
from ._comparison import (
    ARTICLE_SETTING,
    BASELINE,
    CROSS_VALIDATED,
    NO_PENALTY,
    Comparison,
    grid_position,
)
from ._csv import TASK_CHOICES, load_csv, read_csv, target_task
from ._datasets import (
    CLASSIFICATION,
    CLASSIFICATION_DATASETS,
    DATASETS,
    DEFAULT_TEST_SIZE,
    REGRESSION,
    DataError,
    Dataset,
    article_data,
    default_test_size,
    load_dataset,
)

__all__ = [
    "ARTICLE_MODELS",
    "ARTICLE_SETTING",
    "BASELINE",
    "CLASSIFICATION",
    "CLASSIFICATION_DATASETS",
    "CROSS_VALIDATED",
    "DATASETS",
    "DEFAULT_N_ALPHAS",
    "DEFAULT_TEST_SIZE",
    "NO_PENALTY",
    "REGRESSION",
    "SPARSE_PENALTIES",
    "TASK_CHOICES",
    "Comparison",
    "DataError",
    "Dataset",
    "alpha_grid",
    "available_penalties",
    "article_data",
    "article_model",
    "check_folds",
    "check_penalty",
    "compare",
    "compare_article",
    "default_test_size",
    "encoding",
    "grid_position",
    "kept_features",
    "load_csv",
    "load_dataset",
    "logistic_cv",
    "network",
    "network_cv",
    "plot_comparison",
    "read_csv",
    "scaled",
    "target_task",
]

_TASKS = {REGRESSION: REGRESSION_TASK, CLASSIFICATION: CLASSIFICATION_TASK}


def check_folds(dataset, cv):
    """Raise :class:`DataError` if ``dataset`` cannot be split into ``cv`` folds.

    :func:`compare` checks the same before fitting anything: more folds
    than training rows, or for classification a class with fewer training
    rows than folds (the folds are stratified).
    """
    check_data(dataset, _TASKS[dataset.task], cv)


def compare(
    dataset="article",
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
    """Compare regularised networks and linear baselines on one split.

    Parameters
    ----------
    dataset : str or Dataset, default='article'
        A name from :data:`DATASETS` or a :class:`Dataset` (e.g. from
        :func:`load_csv`); its ``task`` decides between regression and
        classification. With ``'article'`` the article's three models are
        included at the article's settings.
    penalties : sequence of str, default=None
        Penalties of the cross-validated networks (``'none'``: no penalty,
        nothing to select). None: ``('none', 'l1', 'l2')`` for regression,
        ``('l2', 'l1', 'group_lasso')`` for classification.
    alphas : None, int or sequence of float, default=None
        The alpha grid of the cross-validated networks. None: each network's
        automatic grid (:data:`DEFAULT_N_ALPHAS` values built from the data
        for its penalty, see :class:`~sk_regnet.RegularizedMLPRegressorCV`);
        an int: that many values of :func:`alpha_grid` (1e-4 to 1); or the
        values. A choice at an end of the grid (the bottom of any grid, the
        top of a given one) is reported in the row's ``note``.
    cv : int, default=5
        Number of cross-validation folds (shuffled, seeded by ``seed``;
        stratified for classification).
    hidden : tuple of int, default=(10,)
        Hidden layer sizes of the cross-validated networks.
    seed : int, default=0
        Seeds the data, the split, the folds and the initialisations.
    test_size : float, default=None
        Share of the samples in the test set of a bundled dataset (None: its
        :func:`default_test_size`, 0.25 for ``'breast_cancer'``, else 0.2).
        A :class:`Dataset` is already split: recorded in the settings only.
    baselines : bool, default=True
        Add the linear baselines: ``RidgeCV`` and ``LassoCV``, or
        ``LogisticRegressionCV`` with the L2 and the L1 penalty (scored by
        the log-loss; see :func:`logistic_cv`).
    adaptive : bool or None, default=None
        Add the row ``'network group_lasso adaptive'``: the group lasso with
        ``group_weights='adaptive'``, alpha cross-validated over the same
        grid as the other networks. None: for classification, and for
        regression when the data's informative features are known
        (``Dataset.informative``: Friedman #1).
    progress : callable, default=None
        Called as ``progress(done, total, label)`` before each model is
        fitted and once at the end (``label`` None).

    Returns
    -------
    comparison : Comparison

    Raises
    ------
    DataError
        More folds than training rows; for classification, a class with
        fewer training rows than folds.

    Notes
    -----
    Categorical features (``Dataset.categories``, from a CSV file) are one-hot
    encoded and the numeric ones standardised (:func:`encoding`) inside every
    model but the article's; the group-lasso networks penalise one group per
    original column. The rows of the penalties that select features (L1,
    elastic net, group lasso, and the L1 baselines) list the columns they
    kept (``kept``).
    """
    if isinstance(dataset, str):
        if test_size is None:
            test_size = default_test_size(dataset)
        dataset = load_dataset(dataset, test_size=test_size, seed=seed)
    return run_comparison(
        dataset,
        _TASKS[dataset.task],
        penalties=penalties,
        alphas=alphas,
        cv=cv,
        hidden=hidden,
        seed=seed,
        test_size=test_size,
        baselines=baselines,
        adaptive=adaptive,
        progress=progress,
    )
