"""The multilayer perceptron itself: parameter layout, initialisation, forward pass.

All parameters of a network live in one flat float vector ``theta``. The layout
orders them layer by layer as ``W_1, b_1, W_2, b_2, ...`` with each ``W_k`` stored
row-major, so the row of ``W_1`` that leaves input feature ``j`` is a contiguous
slice. Solvers see only ``theta``; this module turns it into views of the
weight matrices and bias vectors (no copies).

:func:`forward`, written with ``autograd.numpy``, is the plain, reference
forward pass that autograd differentiates node by node, and the one
``predict`` runs. The hot path of training, the same forward pass in place
with a hand-written backward pass, is :class:`~._backprop.Network`.

Inputs may be dense arrays or scipy.sparse CSR/CSC matrices: the first layer
multiplies them through :func:`input_dot` (a primitive with its VJP), never
densifying them. Arithmetic follows the dtype of ``theta`` and ``X``
(float32 stays float32).
"""

import autograd.numpy as anp
import numpy as np
import scipy.sparse as sp
from autograd.extend import defvjp, primitive
from autograd.scipy.special import expit

ACTIVATIONS = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
}

WEIGHT_INITS = ("glorot_uniform", "normal")


@primitive
def input_dot(X, W):
    """``X @ W`` for a dense array or a scipy.sparse matrix ``X``.

    An autograd primitive differentiable in ``W`` (VJP ``X.T @ g``), so sparse
    inputs go through autograd without being densified.
    """
    if sp.issparse(X):
        return np.asarray(X @ W)
    return np.dot(X, W)


def _input_dot_vjp_W(ans, X, W):
    def vjp(g):
        if sp.issparse(X):
            return np.asarray(X.T @ g)
        return np.dot(X.T, g)

    return vjp


defvjp(input_dot, None, _input_dot_vjp_W)


class ParameterLayout:
    """Where each weight matrix and bias vector sits in the flat parameter vector.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input and output layers included.
    """

    def __init__(self, layer_sizes):
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        self.weight_slices = []
        self.bias_slices = []
        self.weight_shapes = []
        start = 0
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            self.weight_slices.append(slice(start, start + fan_in * fan_out))
            self.weight_shapes.append((fan_in, fan_out))
            start += fan_in * fan_out
            self.bias_slices.append(slice(start, start + fan_out))
            start += fan_out
        self.n_params = start
        mask = np.zeros(start, dtype=bool)
        for s in self.weight_slices:
            mask[s] = True
        # True where theta holds a weight (penalised), False for biases.
        self.weight_mask = mask

    @property
    def n_layers(self):
        """Number of weight matrices."""
        return len(self.weight_shapes)

    def unpack(self, theta):
        """Views ``[(W_1, b_1), ...]`` into ``theta``; works on autograd boxes too."""
        return [
            (theta[ws].reshape(shape), theta[bs])
            for ws, bs, shape in zip(
                self.weight_slices, self.bias_slices, self.weight_shapes
            )
        ]

    def weights(self, theta):
        """Views of the weight matrices ``[W_1, ...]`` into ``theta``."""
        return [
            theta[ws].reshape(shape)
            for ws, shape in zip(self.weight_slices, self.weight_shapes)
        ]

    def pack(self, coefs, intercepts, dtype=None):
        """One flat vector from lists of weight matrices and bias vectors."""
        parts = []
        for W, b in zip(coefs, intercepts):
            parts.append(np.ravel(W))
            parts.append(np.ravel(b))
        return np.concatenate(parts).astype(dtype or parts[0].dtype, copy=False)

    def to_lists(self, theta):
        """Copies of the weight matrices and bias vectors, as fitted attributes."""
        params = self.unpack(np.asarray(theta))
        return [W.copy() for W, _ in params], [b.copy() for _, b in params]


def initialize(layout, weight_init, activation, rng, dtype=np.float64):
    """Draw initial parameters.

    Parameters
    ----------
    layout : ParameterLayout
    weight_init : {'glorot_uniform', 'normal'}
        'normal' draws each weight matrix as ``rng.randn(fan_in, fan_out)``,
        layer by layer, with zero biases and nothing else drawn from ``rng``.
        'glorot_uniform' draws weights and biases uniformly in
        ``±sqrt(factor / (fan_in + fan_out))`` as MLPRegressor does (factor 2
        for the logistic activation, 6 otherwise).
    activation : str
    rng : numpy.random.RandomState
    dtype : numpy dtype

    Returns
    -------
    theta : ndarray of shape (layout.n_params,)
    """
    coefs, intercepts = [], []
    for fan_in, fan_out in layout.weight_shapes:
        if weight_init == "normal":
            coefs.append(rng.randn(fan_in, fan_out))
            intercepts.append(np.zeros(fan_out))
        else:
            factor = 2.0 if activation == "logistic" else 6.0
            bound = np.sqrt(factor / (fan_in + fan_out))
            coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
            intercepts.append(rng.uniform(-bound, bound, fan_out))
    return layout.pack(coefs, intercepts, dtype=dtype)


def forward(params, X, activation):
    """Network output (before any link function) for inputs ``X``.

    Written with ``autograd.numpy``: the plain autograd reference path (the
    hot path is :class:`~._backprop.Network`).

    Parameters
    ----------
    params : list of (W, b)
        As given by :meth:`ParameterLayout.unpack`.
    X : array or scipy.sparse matrix of shape (n_samples, n_features)
    activation : str
        Hidden-layer activation; the output layer is linear.

    Returns
    -------
    array of shape (n_samples, n_outputs)
    """
    act = ACTIVATIONS[activation]
    hidden = X
    for k, (W, b) in enumerate(params):
        z = input_dot(hidden, W) if k == 0 and sp.issparse(X) else anp.dot(hidden, W)
        hidden = z + b
        if k < len(params) - 1:
            hidden = act(hidden)
    return hidden


#: Activations whose values lie in [-1, 1] whatever their input.
_BOUNDED_ACTIVATIONS = ("tanh", "logistic")


def output_bound(params, input_bound, activation, limit=np.inf):
    """A bound on the network's raw outputs over a box of inputs.

    For every input ``x`` with ``|x_j| <= input_bound[j]``, each raw output
    ``k`` satisfies ``|f(x)_k| <= bound[k]``. Layer by layer, from the
    triangle inequality: ``|z| <= |W|.T @ a + |b|`` where ``a`` bounds the
    layer's input; tanh and the logistic function map into ``[-1, 1]``, and
    relu and the identity keep ``|g(z)| <= |z|``. Costs a few matrix-vector
    products: no pass over the data.

    Parameters
    ----------
    params : list of (W, b)
        As given by :meth:`ParameterLayout.unpack`.
    input_bound : ndarray of shape (n_features,)
        Non-negative bound on each input feature's absolute value.
    activation : str
        Hidden-layer activation.
    limit : float, default=inf
        Largest number of the dtype the network runs in. Should the bound of
        any layer's pre-activations reach it (where an overflow, then
        ``inf - inf``, could turn an output into NaN even after a bounded
        activation), every output's bound is ``inf``.

    Returns
    -------
    ndarray of shape (n_outputs,)
        ``inf`` where the bound overflows.
    """
    a = np.asarray(input_bound, dtype=np.float64)
    for k, (W, b) in enumerate(params):
        z = np.abs(W).T.astype(np.float64) @ a + np.abs(b)
        if not np.all(z < limit):
            return np.full(params[-1][1].shape, np.inf)
        hidden = k < len(params) - 1
        a = np.ones_like(z) if hidden and activation in _BOUNDED_ACTIVATIONS else z
    return a
