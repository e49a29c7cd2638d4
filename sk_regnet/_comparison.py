"""What a ``sk-regnet compare`` run returns, and how each task reports it.

:class:`Comparison` holds the rows, the validation curves and the fitted
models of a run, for the table, the JSON file and the figure alike. What
differs between regression and classification in how a run is reported (the
table's error columns, the validation curve's error) is a :class:`TaskSpec`,
one per task, so that the code that prints, saves and draws is one for both.
"""

from dataclasses import dataclass, field

import numpy as np

from ._datasets import CLASSIFICATION, REGRESSION, Dataset

# How each row's ``alpha`` was chosen (a row's ``selection``); the figure
# groups its panels by them.
ARTICLE_SETTING = "article setting"
CROSS_VALIDATED = "cross-validated"
NO_PENALTY = "no penalty"
BASELINE = "linear baseline"


@dataclass(frozen=True)
class Metric:
    """A column of the table: its title, the row key, how it is formatted.

    ``kind``: ``'error'`` (one number format per column, fit to its values)
    or ``'share'`` (four decimals).
    """

    title: str
    key: str
    kind: str = "error"


@dataclass(frozen=True)
class TaskSpec:
    """How the rows and curves of one task are reported.

    Attributes
    ----------
    name : {'regression', 'classification'}
    metrics : tuple of Metric
        The table's columns of test and training scores, in order.
    headline : str
        The row key of the test error that the figure's legends quote.
    error_name : str
        Its name in the legends (``'MSE'``, ``'log-loss'``).
    curve_key : str
        The key of a validation curve's mean CV error (``'cv_mse'``,
        ``'cv_log_loss'``), in :attr:`Comparison.curves` and the JSON file.
    curve_label : str
        The validation panel's y label.
    """

    name: str
    metrics: tuple
    headline: str
    error_name: str
    curve_key: str
    curve_label: str


REGRESSION_SPEC = TaskSpec(
    REGRESSION,
    (Metric("test MSE", "test_mse"), Metric("train MSE", "train_mse")),
    headline="test_mse",
    error_name="MSE",
    curve_key="cv_mse",
    curve_label="mean CV MSE (standardised y)",
)
CLASSIFICATION_SPEC = TaskSpec(
    CLASSIFICATION,
    (
        Metric("test log-loss", "test_log_loss"),
        Metric("test acc", "test_accuracy", "share"),
        Metric("train log-loss", "train_log_loss"),
    ),
    headline="test_log_loss",
    error_name="log-loss",
    curve_key="cv_log_loss",
    curve_label="mean CV log-loss",
)
SPECS = {spec.name: spec for spec in (REGRESSION_SPEC, CLASSIFICATION_SPEC)}


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


def _plain(value):
    """A label as JSON takes it (numpy scalars as Python numbers)."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass
class Comparison:
    """What :func:`~sk_regnet.experiments.compare` returns.

    Attributes
    ----------
    dataset : Dataset
    rows : list of dict
        One per model: ``model``, ``penalty``, ``alpha``, ``selection`` (how
        alpha was chosen), the task's test and training scores (regression:
        ``test_mse`` and ``train_mse``; classification: ``test_log_loss``,
        ``test_accuracy`` and ``train_log_loss``), ``fit_time`` (seconds,
        selection included), ``nonzero_weights``; where ``alpha`` lies in
        its grid (cross-validated rows; None elsewhere): ``alpha_index``
        (0-based), ``n_alphas`` and ``grid_end`` (``'smallest'``,
        ``'largest'`` or None, see :func:`grid_position`); ``kept``: for the
        rows whose penalty selects features (L1, elastic net, group lasso,
        and the L1 linear baselines), the features (original column names)
        the model kept, in column order (None for the others); and
        ``note``: None, or why the choice deserves a look (the best mean
        validation score at an end of the grid, where the optimum may lie
        beyond it).
    curves : dict
        Per cross-validated network, by its row's ``model`` name without
        ``'network '`` (the penalty, or ``'group_lasso adaptive'``):
        ``alphas``, the mean validation error (``cv_mse``, in standardised
        target units, or ``cv_log_loss``; NaN past the alpha where the
        folds' paths stopped, null in :meth:`to_dict`), the chosen ``alpha``
        and its position (``alpha_index``, ``n_alphas``, ``grid_end``).
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
    def task(self):
        """``'regression'`` or ``'classification'``: the dataset's task."""
        return self.dataset.task

    @property
    def spec(self):
        """The :class:`TaskSpec` of the run's task."""
        return SPECS[self.task]

    @property
    def notes(self):
        """The rows' notes, in row order."""
        return [row["note"] for row in self.rows if row.get("note")]

    def to_dict(self):
        """Every number of the run as JSON-serialisable data."""
        d = self.dataset
        classes = d.classes
        key = self.spec.curve_key
        return {
            "dataset": {
                "name": d.name,
                "task": d.task,
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
                "classes": None if classes is None else [_plain(c) for c in classes],
            },
            "settings": self.settings,
            "rows": self.rows,
            "notes": self.notes,
            "validation_curves": {
                name: {
                    "alphas": [float(a) for a in c["alphas"]],
                    # null where a fold's path stopped past its minimum
                    # (NaN) or diverged (inf): JSON has neither.
                    key: [float(m) if np.isfinite(m) else None for m in c[key]],
                    "alpha": float(c["alpha"]),
                    **grid_position(c["alpha"], c["alphas"]),
                }
                for name, c in self.curves.items()
            },
        }
