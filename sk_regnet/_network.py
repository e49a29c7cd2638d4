"""The multilayer perceptron itself: parameter layout, initialisation, forward pass.

All parameters of a network live in one flat float vector ``theta``. The layout
orders them layer by layer as ``W_1, b_1, W_2, b_2, ...`` with each ``W_k`` stored
row-major, so the row of ``W_1`` that leaves input feature ``j`` is a contiguous
slice. Solvers see only ``theta``; this module turns it into views of the
weight matrices and bias vectors (no copies).
"""

import autograd.numpy as anp
import numpy as np
from autograd.scipy.special import expit

ACTIVATIONS = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
}

WEIGHT_INITS = ("glorot_uniform", "normal")


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

    Parameters
    ----------
    params : list of (W, b)
        As given by :meth:`ParameterLayout.unpack`.
    X : array of shape (n_samples, n_features)
    activation : str
        Hidden-layer activation; the output layer is linear.

    Returns
    -------
    array of shape (n_samples, n_outputs)
    """
    act = ACTIVATIONS[activation]
    hidden = X
    for W, b in params[:-1]:
        hidden = act(anp.dot(hidden, W) + b)
    W, b = params[-1]
    return anp.dot(hidden, W) + b
