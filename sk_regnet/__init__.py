"""sk_regnet: scikit-learn compatible neural-network regression with tunable regularization."""

from ._classifier import RegularizedMLPClassifier
from ._classifier_cv import RegularizedMLPClassifierCV
from ._cv import RegularizedMLPRegressorCV
from ._mlp import RegularizedMLPRegressor
from ._path import regularization_path
from ._plotting import RegularizationPathDisplay

__version__ = "0.1.0"

__all__ = [
    "RegularizationPathDisplay",
    "RegularizedMLPClassifier",
    "RegularizedMLPClassifierCV",
    "RegularizedMLPRegressor",
    "RegularizedMLPRegressorCV",
    "__version__",
    "regularization_path",
]
