"""RegularizationPathDisplay: validation error and sparsity along the alpha path."""

import numpy as np
from sklearn.utils.validation import check_is_fitted


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "RegularizationPathDisplay needs matplotlib, which is not installed. "
            "Install it with `pip install sk-regnet[plot]` (or `pip install "
            "matplotlib`)."
        ) from exc
    return plt


def set_error_scale(ax, values):
    """Put the y axis of ``ax`` on a log scale when ``values`` span decades.

    Validation errors often fall by orders of magnitude from the largest
    alpha to the region where alpha is chosen; on a linear axis that region
    is a flat line at the bottom. A log axis is used when the finite values
    are all positive and the largest is more than ten times the smallest;
    otherwise the axis is left linear.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array-like
        The errors plotted on ``ax`` (non-finite values are ignored).

    Returns
    -------
    scale : {'log', 'linear'}
        The scale set.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if not (values.size and values.min() > 0 and values.max() > 10 * values.min()):
        ax.set_yscale("linear")
        return "linear"
    ax.set_yscale("log")
    # Plain numbers (0.05, not 5 x 10^-2), and over a few decades ticks
    # between the powers of ten too, so that the axis has enough labels.
    decades = np.log10(values.max() / values.min())
    if decades <= 2:
        subs = (1.0, 2.0, 3.0, 5.0)
    elif decades <= 3:
        subs = (1.0, 2.0, 5.0)
    else:
        subs = (1.0,)  # powers of ten only
    ax.yaxis.set_major_locator(LogLocator(subs=subs))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    return "log"


def _count_axis(ax, color, label, outward=0):
    """A twin y axis on the right for a count along the path, in ``color``."""
    from matplotlib.ticker import MaxNLocator

    twin = ax.twinx()
    if outward:
        # A second count axis: its spine set off to the right of the first.
        twin.spines["right"].set_position(("outward", outward))
    twin.set_ylabel(label, color=color)
    twin.tick_params(axis="y", colors=color)
    twin.spines["right"].set_color(color)
    twin.yaxis.set_major_locator(MaxNLocator(integer=True))
    return twin


def _as_path(values, n_alphas, name):
    """(n_alphas, n_folds) float array from a 1-D or 2-D input."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] != n_alphas:
        raise ValueError(
            f"{name} must have shape (n_alphas,) or (n_alphas, n_folds) with "
            f"n_alphas={n_alphas}, got shape {values.shape}."
        )
    return values


class RegularizationPathDisplay:
    """Validation error and sparsity against alpha.

    Plots the mean validation error (MSE, or the error ``error_name`` names)
    across folds (± one standard deviation)
    against alpha on a log axis (symmetric-log when the grid includes
    ``alpha=0``), marks the chosen alpha, and draws the number of non-zero
    weights and the number of selected input features along the path, each
    on its own y axis on the right. The error axis is logarithmic when the
    mean errors span more than a decade. The legend sits below the axes,
    clear of every curve. Create it with :meth:`from_estimator` or
    :meth:`from_path`; matplotlib is needed only for :meth:`plot`.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
        Regularization strengths.
    mse_path : ndarray of shape (n_alphas, n_folds)
        Validation error per alpha and fold, lower is better: the MSE, or
        the error ``error_name`` names.
    alpha_ : float, default=None
        The chosen alpha, marked by a vertical line.
    nonzero_weights : ndarray of shape (n_alphas,) or (n_alphas, n_folds), default=None
        Non-zero weights along the path (averaged over folds when 2-D).
    selected_features : ndarray of shape (n_alphas,) or (n_alphas, n_folds), default=None
        Selected input features along the path (averaged over folds when 2-D).
    estimator_name : str, default=None
        Used in the title.
    error_name : str, default="MSE"
        Name of the error in ``mse_path``, for the axis and the legend (e.g.
        ``"log-loss"``).

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the error curve.
    ax_sparsity_ : matplotlib Axes or None
        Twin axes with the non-zero weights (None without them).
    ax_features_ : matplotlib Axes or None
        Twin axes with the selected features (None without them); its spine
        is set off to the right of ``ax_sparsity_`` when both are drawn.
    figure_ : matplotlib Figure
        Figure holding the axes.
    line_ : matplotlib Line2D
        Mean validation error.
    band_ : matplotlib PolyCollection
        The ± one standard deviation band.
    alpha_line_ : matplotlib Line2D or None
        Vertical line at ``alpha_``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sk_regnet import RegularizationPathDisplay
    >>> alphas = np.array([1e-3, 1e-2, 1e-1])
    >>> mse = np.array([[0.3, 0.4], [0.2, 0.25], [0.5, 0.6]])
    >>> display = RegularizationPathDisplay.from_path(alphas, mse, alpha_=1e-2)
    >>> display.ax_.get_xscale()
    'log'
    """

    def __init__(
        self,
        *,
        alphas,
        mse_path,
        alpha_=None,
        nonzero_weights=None,
        selected_features=None,
        estimator_name=None,
        error_name="MSE",
    ):
        self.alphas = alphas
        self.mse_path = mse_path
        self.alpha_ = alpha_
        self.nonzero_weights = nonzero_weights
        self.selected_features = selected_features
        self.estimator_name = estimator_name
        self.error_name = error_name

    def plot(self, ax=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None. The legend and the
            count axes lie outside ``ax``: give its figure room for them,
            e.g. ``plt.subplots(layout="constrained")``.

        Returns
        -------
        display : RegularizationPathDisplay
            With ``ax_``, ``figure_`` and the artists set.
        """
        plt = _import_pyplot()
        alphas = np.asarray(self.alphas, dtype=np.float64)
        if (
            alphas.ndim != 1
            or alphas.size == 0
            or not np.all(np.isfinite(alphas))
            or np.any(alphas < 0)
        ):
            raise ValueError(
                "alphas must be a non-empty 1-D array of finite, non-negative values."
            )
        order = np.argsort(alphas)
        alphas = alphas[order]
        mse = _as_path(self.mse_path, alphas.size, "mse_path")[order]
        counts = []  # (attribute of its axes, label, colour, style, counts)
        for attr, label, color, style, values in (
            ("ax_sparsity_", "non-zero weights", "C1", "-", self.nonzero_weights),
            ("ax_features_", "selected features", "C2", ":", self.selected_features),
        ):
            if values is not None:
                values = _as_path(values, alphas.size, label)[order].mean(axis=1)
                counts.append((attr, label, color, style, values))
        if ax is None:
            # Constrained layout makes room for the legend below the axes and
            # for the count axes on the right.
            _, ax = plt.subplots(figsize=(7.5, 5.2), layout="constrained")
        # A diverged fold scores inf (the CV estimator's convention): its
        # alpha has no finite mean and is left off the curve, quietly.
        with np.errstate(invalid="ignore"):
            mean, std = mse.mean(axis=1), mse.std(axis=1)
        (self.line_,) = ax.plot(
            alphas,
            mean,
            marker="o",
            color="C0",
            label=f"mean validation {self.error_name}",
            zorder=3,
        )
        self.band_ = ax.fill_between(
            alphas, mean - std, mean + std, color="C0", alpha=0.2, label="± 1 std"
        )
        positive = alphas[alphas > 0]
        if positive.size == alphas.size:
            ax.set_xscale("log")
        elif positive.size:
            # alpha = 0 (no penalty) has no place on a log axis: linear below
            # the smallest positive alpha, logarithmic above it.
            ax.set_xscale("symlog", linthresh=positive.min())
        set_error_scale(ax, mean)
        ax.set_xlabel("alpha")
        ax.set_ylabel(f"validation {self.error_name}", color="C0")
        self.alpha_line_ = None
        if self.alpha_ is not None:
            self.alpha_line_ = ax.axvline(
                self.alpha_,
                color="k",
                linestyle="--",
                label=f"alpha_ = {self.alpha_:.3g}",
            )
        handles = [self.line_, self.band_]
        handles += [] if self.alpha_line_ is None else [self.alpha_line_]

        # Each count on its own axis: the selected features (a handful) would
        # lie flat at the bottom of an axis that runs to the number of weights.
        self.ax_sparsity_ = self.ax_features_ = None
        for k, (attr, label, color, style, values) in enumerate(counts):
            twin = _count_axis(ax, color, label, outward=60 * k)
            (line,) = twin.plot(
                alphas, values, linestyle=style, color=color, lw=2, label=label
            )
            twin.set_ylim(0, max(1.0, np.nanmax(values)) * 1.05)
            setattr(self, attr, twin)
            handles.append(line)
        # Below the axes, so that it covers no curve on any of them; the pad
        # (in font sizes) clears the tick labels and the x label.
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            borderaxespad=3.8,
            ncol=3,
            frameon=False,
        )
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot the cross-validated path of a fitted CV estimator.

        Parameters
        ----------
        estimator : RegularizedMLPRegressorCV or RegularizedMLPClassifierCV
            Fitted; its ``alphas_``, validation scores (``mse_path_``, or
            ``scores_path_`` drawn as an error: the log-loss by default, else
            minus the scorer's value), ``alpha_`` and sparsity paths are
            plotted.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : RegularizationPathDisplay
        """
        from ._cv_base import BaseRegularizedMLPCV

        if not isinstance(estimator, BaseRegularizedMLPCV):
            raise TypeError(
                "from_estimator needs a fitted RegularizedMLPRegressorCV or "
                f"RegularizedMLPClassifierCV, got {type(estimator).__name__}. "
                "For another estimator, compute validation errors along a path "
                "(e.g. with regularization_path) and use from_path."
            )
        check_is_fitted(estimator, ["alphas_", "alpha_"])
        if hasattr(estimator, "scores_path_"):
            errors = -estimator.scores_path_
            scoring = estimator.scoring
            error_name = (
                "log-loss"
                if scoring is None
                else f"-{scoring if isinstance(scoring, str) else 'score'}"
            )
        else:
            errors, error_name = estimator.mse_path_, "MSE"
        return cls(
            alphas=estimator.alphas_,
            mse_path=errors,
            alpha_=estimator.alpha_,
            nonzero_weights=getattr(estimator, "nonzero_weights_path_", None),
            selected_features=getattr(estimator, "selected_features_path_", None),
            estimator_name=type(estimator).__name__,
            error_name=error_name,
        ).plot(ax=ax)

    @classmethod
    def from_path(
        cls,
        alphas,
        mse_path,
        *,
        alpha_=None,
        nonzero_weights=None,
        selected_features=None,
        error_name="MSE",
        ax=None,
    ):
        """Plot validation errors computed elsewhere along a path.

        Parameters
        ----------
        alphas : array-like of shape (n_alphas,)
            Regularization strengths.
        mse_path : array-like of shape (n_alphas,) or (n_alphas, n_folds)
            Validation error per alpha (and fold), lower is better.
        alpha_ : float, default=None
            Alpha to mark.
        nonzero_weights, selected_features : array-like, default=None
            Sparsity along the path, e.g. ``[s.n_nonzero for s in steps]``
            from :func:`regularization_path`.
        error_name : str, default="MSE"
            Name of the error, for the axis and the legend.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : RegularizationPathDisplay
        """
        return cls(
            alphas=alphas,
            mse_path=mse_path,
            alpha_=alpha_,
            nonzero_weights=nonzero_weights,
            selected_features=selected_features,
            error_name=error_name,
        ).plot(ax=ax)
