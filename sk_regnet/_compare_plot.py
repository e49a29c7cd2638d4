"""The figure of ``sk-regnet compare`` (matplotlib is imported lazily)."""

import numpy as np

from ._plotting import set_error_scale

# How each row's ``alpha`` was chosen (the ``selection`` of a row of
# :func:`sk_regnet.experiments.compare`). Defined here, the module that
# ``experiments`` imports, because the figure groups its panels by them; the
# figure never imports ``experiments``.
ARTICLE_SETTING = "article setting"
CROSS_VALIDATED = "cross-validated"
NO_PENALTY = "no penalty"
BASELINE = "linear baseline"


# One look per model of a panel, so that curves lying on one another can be
# told apart: the first drawn is the widest and later, narrower, dashed lines
# are drawn over it.
_LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)))
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
# The chosen alpha of each penalty: hollow rings of distinct shapes, each
# smaller than the last and drawn above it, so that markers at one point
# (two penalties choosing the same alpha) nest rather than hide one another.
_CHOSEN_MARKERS = ("o", "s", "D", "^", "v", "p")
_CHOSEN_SIZES = (20, 14, 10, 7, 5, 4)


def _cycled(values, k):
    return values[k % len(values)]


def _label(row, n_features):
    """A model's legend entry: its test MSE, and what a group lasso kept."""
    label = f"{row['model']} (test MSE {row['test_mse']:.4g}"
    if row.get("kept") is not None:
        label += f", kept {len(row['kept'])}/{n_features}"
    return label + ")"


def _panel_models(comparison, selections):
    return [
        (row, comparison.models[row["model"]])
        for row in comparison.rows
        if row["selection"] in selections
    ]


def _plot_curves(ax, comparison, models, title):
    """One input feature: each model's prediction over a dense grid of x."""
    data = comparison.dataset
    x_all = np.concatenate([data.X_train[:, 0], data.X_test[:, 0]])
    grid = np.linspace(x_all.min(), x_all.max(), 400).reshape(-1, 1)
    ax.scatter(
        data.X_train[:, 0], data.y_train, s=12, color="0.6", alpha=0.4, label="train"
    )
    ax.scatter(data.X_test[:, 0], data.y_test, s=18, color="black", label="test")
    if data.truth is not None:
        ax.plot(grid[:, 0], data.truth(grid), "k--", lw=1.2, label="true function")
    for k, (row, model) in enumerate(models):
        ax.plot(
            grid[:, 0],
            model.predict(grid),
            color=f"C{k}",
            linestyle=_cycled(_LINE_STYLES, k),
            lw=max(3.2 - 0.5 * k, 1.2),
            label=_label(row, data.n_features),
        )
    ax.set(title=title, xlabel=data.feature_names[0], ylabel=data.target_name)
    ax.legend(fontsize="x-small", loc="best")


def _plot_predicted_vs_true(ax, comparison, models):
    data = comparison.dataset
    low = min(data.y_test.min(), data.y_train.min())
    high = max(data.y_test.max(), data.y_train.max())
    ax.plot([low, high], [low, high], "k--", lw=1, label="perfect")
    for k, (row, model) in enumerate(models):
        # Hollow markers of distinct shapes: overlapping points stay visible.
        ax.scatter(
            data.y_test,
            model.predict(data.X_test),
            s=26,
            marker=_cycled(_MARKERS, k),
            facecolors="none",
            edgecolors=f"C{k}",
            linewidths=1.1,
            label=_label(row, data.n_features),
        )
    ax.set(
        title="Test set: predicted vs true",
        xlabel=f"true {data.target_name}",
        ylabel=f"predicted {data.target_name}",
    )
    ax.legend(fontsize="x-small", loc="upper left")


# The grid bars of the validation panel: heights in axes fractions.
_BAR_BASE, _BAR_STEP = 0.025, 0.025


def _room_below(ax, share):
    """Lower the y axis so that the data start ``share`` of the height up.

    In the axis's own scale (log or linear), so that the bars drawn in that
    bottom band never cross a curve.
    """
    ax.autoscale_view()
    scale = ax.yaxis.get_transform()
    low, high = scale.transform(np.array(ax.get_ylim()).reshape(-1, 1)).ravel()
    low -= share / (1 - share) * (high - low)
    ax.set_ylim(scale.inverted().transform([[low]])[0, 0], ax.get_ylim()[1])


def _grid_label(name, alpha, best, alphas):
    """``l1: alpha = 0.0123 (5/20 of 0.00189..1.89)``, ``low end`` at the bottom."""
    n = len(alphas)
    end = ""
    if n > 1 and best == 0:
        end = ", low end"
    elif n > 1 and best == n - 1:
        end = ", high end"
    return (
        f"{name}: alpha = {alpha:.3g} "
        f"({best + 1}/{n}{end} of {alphas[0]:.3g}..{alphas[-1]:.3g})"
    )


def _plot_validation(ax, comparison):
    from matplotlib.transforms import blended_transform_factory

    # Each grid's range as a bar along the bottom of the axes (x in alpha,
    # y in axes fractions), its ends capped: automatic grids differ per
    # penalty, and a choice at an end is visible as a ring on a cap.
    span = blended_transform_factory(ax.transData, ax.transAxes)
    handles, labels = [], []
    for k, (name, curve) in enumerate(comparison.curves.items()):
        alphas = np.asarray(curve["alphas"])
        (line,) = ax.semilogx(
            alphas,
            curve["cv_mse"],
            color=f"C{k}",
            linestyle=_cycled(_LINE_STYLES, k),
            marker="o",
            ms=4,
            lw=max(2.6 - 0.5 * k, 1.2),
        )
        best = int(np.argmin(np.abs(alphas - curve["alpha"])))
        ax.plot(
            [alphas[0], alphas[-1]],
            [_BAR_BASE + _BAR_STEP * k] * 2,
            transform=span,
            color=f"C{k}",
            lw=1.5,
            marker="|",
            ms=9,
            mew=1.5,
            solid_capstyle="butt",
        )
        (chosen,) = ax.plot(
            alphas[best],
            curve["cv_mse"][best],
            linestyle="none",
            marker=_cycled(_CHOSEN_MARKERS, k),
            ms=_cycled(_CHOSEN_SIZES, k),
            markerfacecolor="none",
            markeredgecolor=f"C{k}",
            markeredgewidth=2.2,
            zorder=10 + k,
            clip_on=False,  # a ring at an end of the grid stays whole
        )
        handles.append((line, chosen))
        labels.append(_grid_label(name, curve["alpha"], best, alphas))
    set_error_scale(
        ax, np.concatenate([c["cv_mse"] for c in comparison.curves.values()])
    )
    # Room beside the grids' ends, and below the curves for the grid bars.
    ax.margins(x=0.05)
    _room_below(ax, _BAR_BASE + _BAR_STEP * len(comparison.curves))
    ax.set(
        title="Validation curves (ring: chosen alpha; bars: grids)",
        xlabel="alpha",
        ylabel="mean CV MSE (standardised y)",
    )
    ax.legend(handles, labels, fontsize="x-small", loc="best", markerscale=0.6)


def comparison_figure(comparison):
    """The figure of :func:`plot_comparison`, not saved.

    Parameters
    ----------
    comparison : Comparison
        The result of :func:`~sk_regnet.experiments.compare`.

    Returns
    -------
    figure : matplotlib.figure.Figure
        A bare Figure (no pyplot state, nothing to close).

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    """
    from matplotlib.figure import Figure

    article = _panel_models(comparison, {ARTICLE_SETTING})
    tuned = _panel_models(comparison, {CROSS_VALIDATED, NO_PENALTY, BASELINE})
    # Curves over x need one numeric feature.
    one_d = comparison.dataset.n_features == 1 and not comparison.dataset.categories
    panels = []
    if one_d and article:
        panels.append("article")
    panels.append("models")
    if comparison.curves:
        panels.append("validation")

    # A bare Figure: no pyplot state, no GUI backend, nothing left open.
    fig = Figure(figsize=(5.5 * len(panels), 4.6), layout="tight")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, panel in zip(axes, panels):
        if panel == "article":
            _plot_curves(ax, comparison, article, "Article settings (gd, 500 steps)")
        elif panel == "models" and one_d:
            _plot_curves(ax, comparison, tuned, "Alpha by cross-validation")
        elif panel == "models":
            _plot_predicted_vs_true(ax, comparison, tuned)
        else:
            _plot_validation(ax, comparison)
    fig.suptitle(f"sk-regnet compare: {comparison.dataset.name}")
    return fig


def plot_comparison(comparison, path):
    """Draw the figure of a :class:`~sk_regnet.experiments.Comparison`.

    With one input feature: the data (test points, training points faded),
    each model's curve over a dense grid of x and the true function when it
    is known, the article's models and the cross-validated ones in separate
    panels. With more features: predicted against true on the test set.
    Both add the validation curve over alpha of each cross-validated penalty,
    its chosen alpha marked, on a log error axis when the errors span more
    than a decade. Each model and each penalty has its own colour and line
    style or marker, so that lines lying on one another stay apart.

    Parameters
    ----------
    comparison : Comparison
        The result of :func:`~sk_regnet.experiments.compare`.
    path : path-like
        Where to save the PNG.

    Returns
    -------
    path : pathlib.Path
        The saved file.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    """
    from pathlib import Path

    fig = comparison_figure(comparison)
    path = Path(path)
    fig.savefig(path, dpi=100)
    return path
