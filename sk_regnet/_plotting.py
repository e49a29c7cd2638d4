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
    """Validation MSE and sparsity against alpha.

    Plots the mean validation MSE across folds (± one standard deviation)
    against alpha on a log axis (symmetric-log when the grid includes
    ``alpha=0``), marks the chosen alpha, and, on a second
    y axis, the number of non-zero weights and of selected input features
    along the path. Create it with :meth:`from_estimator` or
    :meth:`from_path`; matplotlib is needed only for :meth:`plot`.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
        Regularization strengths.
    mse_path : ndarray of shape (n_alphas, n_folds)
        Validation MSE per alpha and fold.
    alpha_ : float, default=None
        The chosen alpha, marked by a vertical line.
    nonzero_weights : ndarray of shape (n_alphas,) or (n_alphas, n_folds), default=None
        Non-zero weights along the path (averaged over folds when 2-D).
    selected_features : ndarray of shape (n_alphas,) or (n_alphas, n_folds), default=None
        Selected input features along the path (averaged over folds when 2-D).
    estimator_name : str, default=None
        Used in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the MSE curve.
    ax_sparsity_ : matplotlib Axes or None
        Twin axes with the sparsity curves (None without sparsity data).
    figure_ : matplotlib Figure
        Figure holding the axes.
    line_ : matplotlib Line2D
        Mean validation MSE.
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
    ):
        self.alphas = alphas
        self.mse_path = mse_path
        self.alpha_ = alpha_
        self.nonzero_weights = nonzero_weights
        self.selected_features = selected_features
        self.estimator_name = estimator_name

    def plot(self, ax=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

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
        if ax is None:
            _, ax = plt.subplots()
        # A diverged fold scores inf (the CV estimator's convention): its
        # alpha has no finite mean and is left off the curve, quietly.
        with np.errstate(invalid="ignore"):
            mean, std = mse.mean(axis=1), mse.std(axis=1)
        (self.line_,) = ax.plot(
            alphas, mean, marker="o", color="C0", label="mean validation MSE"
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
        ax.set_xlabel("alpha")
        ax.set_ylabel("validation MSE")
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

        self.ax_sparsity_ = None
        sparsity = [
            (values, label, style)
            for values, label, style in (
                (self.nonzero_weights, "non-zero weights", "-"),
                (self.selected_features, "selected features", ":"),
            )
            if values is not None
        ]
        if sparsity:
            self.ax_sparsity_ = ax.twinx()
            for values, label, style in sparsity:
                counts = _as_path(values, alphas.size, label)[order].mean(axis=1)
                (line,) = self.ax_sparsity_.plot(
                    alphas, counts, linestyle=style, color="C1", label=label
                )
                handles.append(line)
            self.ax_sparsity_.set_ylabel(" / ".join(label for _, label, _ in sparsity))
        ax.legend(handles=handles, loc="best")
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot the cross-validated path of a fitted RegularizedMLPRegressorCV.

        Parameters
        ----------
        estimator : RegularizedMLPRegressorCV
            Fitted; its ``alphas_``, ``mse_path_``, ``alpha_`` and sparsity
            paths are plotted.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : RegularizationPathDisplay
        """
        from ._cv import RegularizedMLPRegressorCV

        if not isinstance(estimator, RegularizedMLPRegressorCV):
            raise TypeError(
                "from_estimator needs a fitted RegularizedMLPRegressorCV, got "
                f"{type(estimator).__name__}. For another estimator, compute "
                "validation errors along a path (e.g. with regularization_path) "
                "and use from_path."
            )
        check_is_fitted(estimator, ["alphas_", "mse_path_", "alpha_"])
        return cls(
            alphas=estimator.alphas_,
            mse_path=estimator.mse_path_,
            alpha_=estimator.alpha_,
            nonzero_weights=getattr(estimator, "nonzero_weights_path_", None),
            selected_features=getattr(estimator, "selected_features_path_", None),
            estimator_name=type(estimator).__name__,
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
        ax=None,
    ):
        """Plot validation errors computed elsewhere along a path.

        Parameters
        ----------
        alphas : array-like of shape (n_alphas,)
            Regularization strengths.
        mse_path : array-like of shape (n_alphas,) or (n_alphas, n_folds)
            Validation MSE per alpha (and fold).
        alpha_ : float, default=None
            Alpha to mark.
        nonzero_weights, selected_features : array-like, default=None
            Sparsity along the path, e.g. ``[s.n_nonzero for s in steps]``
            from :func:`regularization_path`.
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
        ).plot(ax=ax)
