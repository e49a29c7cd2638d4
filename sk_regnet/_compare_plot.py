"""The figure of ``sk-regnet compare`` (matplotlib is imported lazily)."""

import numpy as np

# How each row's ``alpha`` was chosen (the ``selection`` of a row of
# :func:`sk_regnet.experiments.compare`). Defined here, the module that
# ``experiments`` imports, because the figure groups its panels by them; the
# figure never imports ``experiments``.
ARTICLE_SETTING = "article setting"
CROSS_VALIDATED = "cross-validated"
NO_PENALTY = "no penalty"
BASELINE = "linear baseline"


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
        ax.plot(grid[:, 0], data.truth(grid), "k--", lw=1.5, label="true function")
    for row, model in models:
        ax.plot(
            grid[:, 0],
            model.predict(grid),
            lw=1.8,
            label=f"{row['model']} (test MSE {row['test_mse']:.4f})",
        )
    ax.set(title=title, xlabel=data.feature_names[0], ylabel=data.target_name)
    ax.legend(fontsize="x-small", loc="best")


def _plot_predicted_vs_true(ax, comparison, models):
    data = comparison.dataset
    low = min(data.y_test.min(), data.y_train.min())
    high = max(data.y_test.max(), data.y_train.max())
    ax.plot([low, high], [low, high], "k--", lw=1, label="perfect")
    for row, model in models:
        ax.scatter(
            data.y_test,
            model.predict(data.X_test),
            s=14,
            alpha=0.7,
            label=f"{row['model']} (test MSE {row['test_mse']:.4g})",
        )
    ax.set(
        title="Test set: predicted vs true",
        xlabel=f"true {data.target_name}",
        ylabel=f"predicted {data.target_name}",
    )
    ax.legend(fontsize="x-small", loc="best")


def _plot_validation(ax, comparison):
    for name, curve in comparison.curves.items():
        (line,) = ax.semilogx(curve["alphas"], curve["cv_mse"], "o-", label=name)
        best = int(np.argmin(np.abs(np.asarray(curve["alphas"]) - curve["alpha"])))
        ax.semilogx(
            curve["alphas"][best],
            curve["cv_mse"][best],
            "*",
            ms=14,
            color=line.get_color(),
        )
    ax.set(
        title="Validation curve (star: chosen alpha)",
        xlabel="alpha",
        ylabel="mean CV MSE (standardised y)",
    )
    ax.legend(fontsize="small")


def plot_comparison(comparison, path):
    """Draw the figure of a :class:`~sk_regnet.experiments.Comparison`.

    With one input feature: the data (test points, training points faded),
    each model's curve over a dense grid of x and the true function when it
    is known, the article's models and the cross-validated ones in separate
    panels. With more features: predicted against true on the test set.
    Both add the validation curve over alpha of each cross-validated penalty.

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

    from matplotlib.figure import Figure

    article = _panel_models(comparison, {ARTICLE_SETTING})
    tuned = _panel_models(comparison, {CROSS_VALIDATED, NO_PENALTY, BASELINE})
    one_d = comparison.dataset.n_features == 1
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
    path = Path(path)
    fig.savefig(path, dpi=100)
    return path
