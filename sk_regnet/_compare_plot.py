"""The figure of ``sk-regnet compare`` (matplotlib is imported lazily).

One figure for both tasks: the models panel (regression: each model's curve
over x, or predicted against true values; classification: each model's test
log-loss and accuracy), the validation curves of the cross-validated
networks and, when rows select features, the features each kept.
"""

import numpy as np

from ._comparison import ARTICLE_SETTING, BASELINE, CROSS_VALIDATED, NO_PENALTY
from ._datasets import CLASSIFICATION
from ._plotting import set_error_scale

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


def _label(row, n_features, spec):
    """A model's legend entry: its test error, and what a sparse row kept."""
    label = f"{row['model']} (test {spec.error_name} {row[spec.headline]:.4g}"
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
            label=_label(row, data.n_features, comparison.spec),
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
            label=_label(row, data.n_features, comparison.spec),
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

    key = comparison.spec.curve_key
    # Each grid's range as a bar along the bottom of the axes (x in alpha,
    # y in axes fractions), its ends capped: automatic grids differ per
    # penalty, and a choice at an end is visible as a ring on a cap.
    span = blended_transform_factory(ax.transData, ax.transAxes)
    handles, labels = [], []
    for k, (name, curve) in enumerate(comparison.curves.items()):
        alphas = np.asarray(curve["alphas"])
        (line,) = ax.semilogx(
            alphas,
            curve[key],
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
            curve[key][best],
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
    set_error_scale(ax, np.concatenate([c[key] for c in comparison.curves.values()]))
    # Room beside the grids' ends, and below the curves for the grid bars.
    ax.margins(x=0.05)
    _room_below(ax, _BAR_BASE + _BAR_STEP * len(comparison.curves))
    ax.set(
        title="Validation curves (ring: chosen alpha; bars: grids)",
        xlabel="alpha",
        ylabel=comparison.spec.curve_label,
    )
    ax.legend(handles, labels, fontsize="x-small", loc="best", markerscale=0.6)


#: Most features the kept panel lists (those kept by some row, in order).
MAX_KEPT_SHOWN = 40


def _short_name(row):
    """A row's model name without ``network ``."""
    return row["model"].removeprefix("network ")


def _plot_kept(ax, comparison, rows, colors):
    """Which features each selecting row kept: a mark per (feature, row).

    ``colors``: each row's colour, that of the models panel.
    """
    data = comparison.dataset
    names = list(data.feature_names)
    kept = [set(row["kept"]) for row in rows]
    shown = [name for name in names if any(name in k for k in kept)]
    dropped = len(names) - len(shown)
    shown = shown[:MAX_KEPT_SHOWN]
    for k, (features, color) in enumerate(zip(kept, colors)):
        y = [i for i, name in enumerate(shown) if name in features]
        ax.plot([k] * len(y), y, linestyle="none", marker="s", ms=7, color=color)
    ax.set_xticks(
        range(len(rows)),
        [f"{_short_name(row)}\n{len(row['kept'])}/{len(names)}" for row in rows],
        fontsize="x-small",
        rotation=30,
        ha="right",
        rotation_mode="anchor",
    )
    ax.set_yticks(range(len(shown)), shown, fontsize="x-small")
    informative = set(data.informative or ())
    for label in ax.get_yticklabels():
        if label.get_text() in informative:
            label.set_fontweight("bold")
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_ylim(len(shown) - 0.4, -0.6)  # the first column on top
    ax.grid(True, color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    title = f"Features kept ({dropped} of {len(names)} kept by none"
    if len(shown) < len(names) - dropped:
        title += f"; first {len(shown)} shown"
    if informative:
        title += "; bold: informative"
    ax.set_title(title + ")")


def _plot_scores(ax, comparison, models):
    """Classification: each model's test log-loss (bars) and accuracy."""
    spec = comparison.spec
    rows = [row for row, _ in models]
    losses = [row[spec.headline] for row in rows]
    bars = ax.barh(
        range(len(rows)),
        losses,
        color=[f"C{k}" for k in range(len(rows))],
        alpha=0.8,
    )
    for bar, row in zip(bars, rows):
        ax.annotate(
            f" {row[spec.headline]:.4g}, acc {row['test_accuracy']:.3f}",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            va="center",
            fontsize="x-small",
        )
    ax.set_yticks(range(len(rows)), [row["model"] for row in rows], fontsize="small")
    ax.invert_yaxis()  # the table's order, top down
    ax.set_xlim(0, 1.45 * max(losses, default=1.0))
    ax.set(
        title=f"Test set: {spec.error_name} (bars) and accuracy",
        xlabel=f"test {spec.error_name}",
    )


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

    data = comparison.dataset
    article = _panel_models(comparison, {ARTICLE_SETTING})
    tuned = _panel_models(comparison, {CROSS_VALIDATED, NO_PENALTY, BASELINE})
    selecting = [row for row in comparison.rows if row.get("kept") is not None]
    # Curves over x need one numeric feature.
    one_d = data.n_features == 1 and not data.categories
    panels = []
    if one_d and article:
        panels.append("article")
    panels.append("models")
    if comparison.curves:
        panels.append("validation")
    if selecting and data.n_features > 1:
        panels.append("kept")

    # Tall enough for a label per listed feature.
    n_listed = min(
        MAX_KEPT_SHOWN,
        sum(any(n in row["kept"] for row in selecting) for n in data.feature_names),
    )
    height = max(4.6, 1.6 + 0.17 * n_listed) if "kept" in panels else 4.6
    # A bare Figure: no pyplot state, no GUI backend, nothing left open.
    fig = Figure(figsize=(5.5 * len(panels), height), layout="tight")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, panel in zip(axes, panels):
        if panel == "article":
            _plot_curves(ax, comparison, article, "Article settings (gd, 500 steps)")
        elif panel == "models" and comparison.task == CLASSIFICATION:
            _plot_scores(ax, comparison, tuned)
        elif panel == "models" and one_d:
            _plot_curves(ax, comparison, tuned, "Alpha by cross-validation")
        elif panel == "models":
            _plot_predicted_vs_true(ax, comparison, tuned)
        elif panel == "validation":
            _plot_validation(ax, comparison)
        else:
            # Each row in its colour of the models panel.
            order = [row["model"] for row, _ in tuned]
            colors = [
                f"C{order.index(row['model'])}" if row["model"] in order else "0.3"
                for row in selecting
            ]
            _plot_kept(ax, comparison, selecting, colors)
    fig.suptitle(f"sk-regnet compare: {data.name}")
    return fig


def plot_comparison(comparison, path):
    """Draw the figure of a :class:`~sk_regnet.experiments.Comparison`.

    Regression with one input feature: the data (test points, training
    points faded), each model's curve over a dense grid of x and the true
    function when it is known, the article's models and the cross-validated
    ones in separate panels; with more features: predicted against true on
    the test set. Classification: each model's test log-loss as a bar, its
    accuracy beside it. Then the validation curve over alpha of each
    cross-validated penalty (mean CV MSE or log-loss), its chosen alpha
    marked, on a log error axis when the errors span more than a decade;
    and, with several features and rows that select them, which features
    each such row kept (informative ones in bold when known). Each model
    and each penalty has its own colour and line style or marker, so that
    lines lying on one another stay apart.

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
