"""Checks on user-supplied callables (a ``loss`` or a ``penalty``).

autograd differentiates a callable only if it is written with array
operations autograd knows (``autograd.numpy``, or NumPy ufuncs), without
in-place assignment and without converting its input to ``float`` or a plain
array. :func:`check_differentiable` evaluates such a callable once, and its
gradient, at a probe point before training, so that a mistake is reported
as a clear error naming the hyperparameter instead of surfacing deep inside
a solver.
"""

import warnings
from numbers import Real

import numpy as np
from autograd import value_and_grad

_HOW_TO = (
    "Write it with autograd.numpy (import autograd.numpy as anp), without "
    "in-place assignment and without converting its input to float or to a "
    "NumPy array."
)


def check_differentiable(func, x, name, signature):
    """Evaluate ``func(x)`` and its autograd gradient; raise clear errors.

    Parameters
    ----------
    func : callable
        Function of one array (or list of arrays) ``x`` returning a scalar.
    x : ndarray
        Probe point.
    name : str
        The hyperparameter the callable was given as (``'loss'``,
        ``'penalty'``); every error message starts with it.
    signature : str
        How the user's callable is called, for the messages.

    Returns
    -------
    value : float
        ``func(x)``.

    Raises
    ------
    TypeError
        When calling ``func`` fails, it returns something that is not a real
        number, or autograd cannot differentiate it (including a result that
        does not depend on its input through autograd operations).
    ValueError
        When the value is not a scalar, or the value or its gradient is not
        finite at the probe point.
    """
    try:
        value = func(x)
    except Exception as exc:
        raise TypeError(
            f"{name}: calling {signature} failed with {type(exc).__name__}: {exc}"
        ) from exc
    if np.ndim(value) != 0:
        raise ValueError(
            f"{name} must return a scalar; {signature} returned an array of "
            f"shape {np.shape(value)}. Reduce it, e.g. with anp.mean or anp.sum."
        )
    value = value.item() if isinstance(value, np.ndarray | np.generic) else value
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must return a real number; {signature} returned "
            f"{type(value).__name__}."
        )
    if not np.isfinite(value):
        raise ValueError(
            f"{name} returned a non-finite value ({value}) at the initial "
            "parameters; make it finite for every input it can receive."
        )
    with warnings.catch_warnings():
        # autograd warns (and returns a zero gradient) when the output was
        # computed outside its tracing, e.g. after np.asarray or float().
        warnings.filterwarnings(
            "error", message="Output seems independent of input", category=UserWarning
        )
        try:
            _, grad = value_and_grad(func)(x)
        except UserWarning as exc:
            raise TypeError(
                f"{name} does not depend on its input through operations "
                f"autograd can differentiate. {_HOW_TO}"
            ) from exc
        except Exception as exc:
            raise TypeError(
                f"autograd could not differentiate {name} "
                f"({type(exc).__name__}: {exc}). {_HOW_TO}"
            ) from exc
    if not np.all(np.isfinite(grad)):
        raise ValueError(
            f"The gradient of {name} is not finite at the initial parameters."
        )
    return float(value)
