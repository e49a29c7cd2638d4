"""sk_regnet: scikit-learn compatible neural-network regression with tunable regularization."""

from ._mlp import RegularizedMLPRegressor

__version__ = "0.1.0"

__all__ = ["RegularizedMLPRegressor", "__version__"]
