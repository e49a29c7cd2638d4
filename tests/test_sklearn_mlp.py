"""scikit-learn's own MLP tests, run on our estimators (issue 15).

The test file ``sklearn/neural_network/tests/test_mlp.py`` of the installed
scikit-learn is executed with ``MLPRegressor`` and ``MLPClassifier`` bound to
the shims of ``tests/_sklearn_mlp_shim.py`` (our estimators with
scikit-learn's parameters and ``alpha`` scale); its test functions are then
collected here as they are, parametrizations included. No assertion is
changed. The few tests of private API that our estimators do not have by
design are listed in ``DESELECTED``, each with its reason.
"""

import importlib.util
import inspect
import types
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import sklearn.neural_network
from _sklearn_mlp_shim import MLPClassifierShim, MLPRegressorShim
from numpy.testing import assert_allclose
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning

from sk_regnet._network import ParameterLayout

SOURCE = Path(sklearn.neural_network.__file__).parent / "tests" / "test_mlp.py"

#: Tests not run, each with its reason: a test's name, or ``name[Shim]`` for
#: one estimator of a test parametrized over both.
DESELECTED = {
    "test_gradient": "calls MLPClassifier's private _loss_grad_lbfgs (our "
    "gradients are checked against autograd in tests/test_objective.py).",
    "test_learning_rate_warmstart": "reads the private _optimizer.learning_rate "
    "(the schedule's parity: tests/test_parity.py).",
    "test_adaptive_learning_rate": "reads the private _optimizer.learning_rate "
    "(the schedule's parity: tests/test_parity.py).",
    "test_n_iter_no_change": "reads the private _no_improvement_count (the "
    "stopping rule's parity: tests/test_parity.py).",
    "test_n_iter_no_change_inf": "reads the private _no_improvement_count "
    "(n_iter_no_change=np.inf: test_mlp_warm_start_no_convergence here).",
    "test_preserve_feature_names[MLPClassifierShim]": "fits a y of one class, "
    "which our classifier refuses by design (issue 15); feature names with "
    "early stopping: tests/test_classifier.py.",
}

# scikit-learn runs this file with ConvergenceWarning as a plain warning (its
# short fits stop at max_iter on purpose); the tests that expect one use
# pytest.warns, which sees it whatever the filter. Any other warning is an
# error, as in the rest of our suite.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _load():
    """The installed test module, executed with the shims as its estimators."""
    spec = importlib.util.spec_from_file_location("_sklearn_test_mlp", SOURCE)
    module = importlib.util.module_from_spec(spec)
    with mock.patch.multiple(
        sklearn.neural_network,
        MLPClassifier=MLPClassifierShim,
        MLPRegressor=MLPRegressorShim,
    ):
        spec.loader.exec_module(module)
    assert module.MLPClassifier is MLPClassifierShim
    assert module.MLPRegressor is MLPRegressorShim
    return module


def _drop_parameter(func, class_name):
    """A copy of the test ``func`` without the parameter value ``class_name``.

    For a test parametrized over both estimators (``"MLPEstimator"``,
    ``"Estimator"``): the copy runs on the other one.
    """
    copy = types.FunctionType(
        func.__code__, func.__globals__, func.__name__, func.__defaults__
    )
    marks = []
    for mark in func.pytestmark:
        if mark.name == "parametrize":
            names, values = mark.args
            kept = [v for v in values if getattr(v, "__name__", None) != class_name]
            if len(kept) < len(values):
                mark = pytest.mark.parametrize(names, kept).mark
        marks.append(mark)
    copy.pytestmark = marks
    return copy


def _collected(tests):
    """The tests to run: ``tests`` without ``DESELECTED``."""
    collected = {}
    for name, func in tests.items():
        if name in DESELECTED:
            continue
        for key in DESELECTED:
            if key.startswith(f"{name}["):
                func = _drop_parameter(func, key[len(name) + 1 : -1])
        collected[name] = func
    return collected


_SKLEARN_TESTS = {
    name: func
    for name, func in inspect.getmembers(_load(), inspect.isfunction)
    if name.startswith("test_")
}
globals().update(_collected(_SKLEARN_TESTS))


@pytest.fixture
def global_random_seed():
    """scikit-learn's fixture at its default seed (42)."""
    return 42


def test_deselected_tests_exist():
    """Every deselected test or parameter is one of the file's."""
    for key in DESELECTED:
        name, _, parameter = key.partition("[")
        assert name in _SKLEARN_TESTS, key
        if parameter:
            func = globals()[name]
            assert func is not _SKLEARN_TESTS[name], key
            values = [
                getattr(v, "__name__", None)
                for mark in _SKLEARN_TESTS[name].pytestmark
                if mark.name == "parametrize"
                for v in mark.args[1]
            ]
            assert parameter[:-1] in values, key


@pytest.mark.parametrize(
    "shim, params, data",
    [
        (MLPRegressorShim, {}, "regression"),
        (MLPRegressorShim, {"loss": "poisson"}, "counts"),
        (MLPClassifierShim, {}, "binary"),
        (MLPClassifierShim, {}, "multiclass"),
        (MLPClassifierShim, {}, "multilabel"),
    ],
)
def test_shim_objective_is_scikit_learns(shim, params, data):
    # At scikit-learn's fitted weights, the shim's objective (our data term
    # and penalty with the converted alpha) is c times scikit-learn's loss_,
    # c as in the shim's docstring: the conversion is the right one. (Our
    # losses leave out terms of y alone, scikit-learn's Poisson deviance does
    # not: measured from the loss of a perfect prediction, they agree.)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = {
        "regression": X @ rng.normal(size=4),
        "counts": rng.poisson(np.exp(X[:, 0] / 2)),
        "binary": (X[:, 0] > 0).astype(int),
        "multiclass": np.argmax(X[:, :3], axis=1),
    }.get(data)
    if data == "multilabel":
        X, y = make_multilabel_classification(60, 4, n_classes=3, random_state=0)
    original = getattr(sklearn.neural_network, shim.__name__[:-4])
    common = dict(hidden_layer_sizes=(5,), solver="lbfgs", alpha=3.0, **params)
    sk = original(max_iter=50, random_state=0, **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk.fit(X, y)
    ours = shim(**common)
    X, Y, _ = ours._validate_training_data(X, y, None, reset=True)
    Y = Y.reshape(len(Y), -1)
    layout = ParameterLayout([X.shape[1], 5, Y.shape[1]])
    objective = ours._make_objective(layout, X, Y, None)
    c = ours._objective_scale()
    assert c == {"regression": 2, "multilabel": 1 / 3}.get(data, 1)
    theta = layout.pack(sk.coefs_, sk.intercepts_)
    perfect = objective.loss.saturated_value(Y)
    assert_allclose(objective.value(theta) - perfect, c * sk.loss_, rtol=1e-10)
