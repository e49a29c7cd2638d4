"""Saving and loading fitted models: pickle, joblib and skops.io (issue 8)."""

import copyreg
import functools
import io
import pickle
import warnings

import autograd.numpy as anp
import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning

from sk_regnet import (
    RegularizedMLPClassifier,
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
)
from sk_regnet._stochastic import AdamState, SGDState, StochasticProgress

OWN_TYPE = "sk_regnet._mlp.RegularizedMLPRegressor"

CONFIGS = {
    "lbfgs": {"solver": "lbfgs"},
    "lbfgs-l1": {"solver": "lbfgs", "penalty": "l1", "alpha": 1e-2},
    "adam": {"solver": "adam"},
    "adam-early-stopping": {"solver": "adam", "early_stopping": True},
    "sgd-elasticnet": {"solver": "sgd", "penalty": "elasticnet", "alpha": 1e-2},
    "gd-poisson": {"solver": "gd", "loss": "poisson", "learning_rate_init": 1e-2},
    "fista-group-lasso": {"solver": "fista", "penalty": "group_lasso", "alpha": 0.1},
}


def _data(n_outputs=1, dtype=np.float64):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3)).astype(dtype)
    y = np.abs(X @ rng.normal(size=(3, n_outputs))).astype(dtype)
    return X, (y.ravel() if n_outputs == 1 else y)


def _fitted(config, n_outputs=1, dtype=np.float64):
    X, y = _data(n_outputs, dtype)
    model = RegularizedMLPRegressor(
        (5, 3), max_iter=15, random_state=0, batch_size=10, **CONFIGS[config]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model, X


@functools.cache
def _fitted_once(config, n_outputs=1, dtype=np.float64):
    """A shared fitted model, for tests that only read it."""
    return _fitted(config, n_outputs, dtype)


def _assert_same_model(loaded, model, X):
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params()
    for a, b in zip(
        loaded.coefs_ + loaded.intercepts_, model.coefs_ + model.intercepts_
    ):
        assert a.dtype == b.dtype
        assert_array_equal(a, b)
    assert loaded.loss_curve_ == model.loss_curve_
    assert_array_equal(loaded.predict(X), model.predict(X))


def _pickle(model, tmp_path):
    return pickle.loads(pickle.dumps(model))


def _joblib(model, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    return joblib.load(path)


def _skops(model, tmp_path):
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    # The estimator's own class only (the classifier's LabelBinarizer is one
    # of the scikit-learn types skops trusts).
    assert untrusted == [f"{type(model).__module__}.{type(model).__name__}"]
    return sio.load(path, trusted=untrusted)


ROUND_TRIPS = {"pickle": _pickle, "joblib": _joblib, "skops": _skops}


@pytest.mark.parametrize("round_trip", list(ROUND_TRIPS))
@pytest.mark.parametrize("config", list(CONFIGS))
def test_round_trip_gives_identical_predictions(config, round_trip, tmp_path):
    model, X = _fitted_once(config)
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    _assert_same_model(loaded, model, X)


@pytest.mark.parametrize("round_trip", list(ROUND_TRIPS))
def test_round_trip_multi_output_float32(round_trip, tmp_path):
    model, X = _fitted_once("adam", n_outputs=2, dtype=np.float32)
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    _assert_same_model(loaded, model, X)
    assert loaded.predict(X).shape == (40, 2)
    assert loaded.predict(X).dtype == np.float32


@pytest.mark.parametrize("round_trip", list(ROUND_TRIPS))
def test_round_trip_keeps_feature_names(round_trip, tmp_path):
    X, y = _data()
    frame = pd.DataFrame(X, columns=["age", "dose", "weight"])
    model = RegularizedMLPRegressor((3,), max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(frame, y)
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)
    assert_array_equal(loaded.predict(frame), model.predict(frame))
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(frame.rename(columns={"age": "height"}))


@pytest.mark.parametrize("round_trip", list(ROUND_TRIPS))
def test_unfitted_round_trip(round_trip, tmp_path):
    model = RegularizedMLPRegressor((7, 2), penalty="l1", alpha=0.3, solver="sgd")
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    assert loaded.get_params() == model.get_params()
    assert not hasattr(loaded, "coefs_")


@pytest.mark.parametrize("solver", ["adam", "sgd-elasticnet"])
@pytest.mark.parametrize("round_trip", list(ROUND_TRIPS))
def test_loaded_model_continues_training_exactly_like_the_original(
    solver, round_trip, tmp_path
):
    # Everything training depends on (parameters, the random generator, the
    # stochastic solver's state) survives the round trip: a warm-started fit
    # of the loaded copy matches one of the original bit for bit.
    model, _ = _fitted(solver)
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    assert isinstance(loaded._stochastic_progress, StochasticProgress)
    _assert_trains_on_identically(loaded, model)


def _assert_trains_on_identically(loaded, model):
    """A warm-started fit of ``loaded`` gives ``model``'s, bit for bit."""
    X, y = _data()
    for m in (model, loaded):
        m.set_params(warm_start=True, max_iter=5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            m.fit(X, y)
    for a, b in zip(loaded.coefs_, model.coefs_):
        assert_array_equal(a, b)


def test_saved_state_holds_no_solver_objects():
    model, _ = _fitted_once("adam")
    state = model.__getstate__()
    progress = state["_stochastic_progress"]
    assert isinstance(progress, dict)
    assert progress["optimizer_class"] == "AdamState"
    # The estimator in memory is untouched by saving it.
    assert isinstance(model._stochastic_progress, StochasticProgress)
    # Nothing in the saved state is a callable or an object of a custom class.
    plain = (dict, list, tuple, str, int, float, bool, type(None), np.ndarray)

    def check(value):
        assert isinstance(value, plain) or np.isscalar(value), type(value)
        if isinstance(value, dict):
            for v in value.values():
                check(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                check(v)

    check(progress)


@pytest.mark.parametrize("optimizer_cls", [AdamState, SGDState])
def test_progress_state_dict_round_trip(optimizer_cls):
    model, _ = _fitted_once("adam" if optimizer_cls is AdamState else "sgd-elasticnet")
    progress = model._stochastic_progress
    assert isinstance(progress.optimizer, optimizer_cls)
    state = progress.state_dict()
    rebuilt = StochasticProgress.from_state_dict(state)
    assert type(rebuilt.optimizer) is optimizer_cls
    for key, value in vars(progress.optimizer).items():
        assert_array_equal(getattr(rebuilt.optimizer, key), value)
    assert vars(rebuilt.loss_rule) == vars(progress.loss_rule)
    assert rebuilt.samples_seen == progress.samples_seen
    # A copy, not a view: changing the rebuilt state leaves the original alone.
    before = np.array(vars(progress.optimizer)[next(iter(_arrays(progress)))])
    for name in _arrays(rebuilt):
        getattr(rebuilt.optimizer, name)[...] = 123.0
    assert_array_equal(vars(progress.optimizer)[next(iter(_arrays(progress)))], before)


def _arrays(progress):
    return [k for k, v in vars(progress.optimizer).items() if isinstance(v, np.ndarray)]


def test_progress_state_names_only_known_optimizers():
    model, _ = _fitted_once("adam")
    state = model._stochastic_progress.state_dict()
    state["optimizer_class"] = "os.system"
    with pytest.raises(ValueError, match="Unknown optimizer class"):
        StochasticProgress.from_state_dict(state)


def _pickled_as_an_earlier_version(model):
    """``model`` pickled as versions before the stochastic solvers' module did.

    Those saved the solver's objects themselves (``StochasticProgress``, its
    optimizer and stopping rules), not plain data, and named their classes
    by the module path ``sk_regnet._solvers``. Protocol 2 writes a class's
    module and name as lines of text, which are rewritten here.
    """

    class EarlierPickler(pickle.Pickler):
        def reducer_override(self, obj):
            if obj is model:  # its state as in memory, not __getstate__'s
                return copyreg.__newobj__, (type(obj),), dict(vars(obj))
            return NotImplemented

    buffer = io.BytesIO()
    EarlierPickler(buffer, protocol=2).dump(model)
    data = buffer.getvalue()
    for module in (b"sk_regnet._stochastic\n", b"sk_regnet._solver_base\n"):
        assert module in data
        data = data.replace(module, b"sk_regnet._solvers\n")
    return data


@pytest.mark.parametrize("solver", ["adam", "sgd-elasticnet"])
def test_pickle_of_an_earlier_version_naming_solvers_module_loads(solver):
    model, X = _fitted(solver)
    data = _pickled_as_an_earlier_version(model)
    optimizer_cls = AdamState if solver == "adam" else SGDState
    for name in ("StochasticProgress", optimizer_cls.__name__, "_NoImprovement"):
        assert f"sk_regnet._solvers\n{name}\n".encode() in data
    loaded = pickle.loads(data)
    _assert_same_model(loaded, model, X)
    assert type(loaded._stochastic_progress) is StochasticProgress
    assert type(loaded._stochastic_progress.optimizer) is optimizer_cls
    _assert_trains_on_identically(loaded, model)


def _sum_of_squares(coefs):
    return sum(anp.sum(W**2) for W in coefs)


def test_skops_reports_a_user_callable_as_untrusted(tmp_path):
    # A callable penalty is code: skops must not load it silently, and the
    # user sees exactly which function they would have to trust.
    model, X = _fitted_once("lbfgs")
    model = clone(model).set_params(penalty=_sum_of_squares)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, _data()[1])
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert OWN_TYPE in untrusted
    assert any("_sum_of_squares" in name for name in untrusted)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path, trusted=[OWN_TYPE])


@pytest.mark.parametrize("round_trip", list(ROUND_TRIPS))
def test_partial_fit_continues_identically_after_a_round_trip(round_trip, tmp_path):
    X, y = _data()
    model = RegularizedMLPRegressor((5,), solver="adam", batch_size=10, random_state=0)
    for _ in range(3):
        model.partial_fit(X, y)
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    for m in (model, loaded):
        for _ in range(2):
            m.partial_fit(X, y)
    assert loaded.loss_curve_ == model.loss_curve_
    for a, b in zip(loaded.coefs_, model.coefs_):
        assert_array_equal(a, b)


@functools.cache
def _fitted_cv():
    X, y = _data()
    model = RegularizedMLPRegressorCV(
        (4,), n_alphas=3, cv=2, max_iter=15, solver="adam", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model, X


@pytest.mark.parametrize("round_trip", ["pickle", "joblib"])
def test_cv_estimator_round_trip(round_trip, tmp_path):
    model, X = _fitted_cv()
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    assert loaded.alpha_ == model.alpha_
    assert_array_equal(loaded.mse_path_, model.mse_path_)
    assert loaded.path_ == model.path_
    assert_array_equal(loaded.predict(X), model.predict(X))


def test_cv_estimator_skops_needs_only_sk_regnet_types(tmp_path):
    model, X = _fitted_cv()
    path = tmp_path / "cv.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    # The estimator and the records of its path (plain dataclasses): nothing
    # from outside the package, and no function.
    assert sorted(untrusted) == [
        "sk_regnet._cv.RegularizedMLPRegressorCV",
        "sk_regnet._path.PathStep",
    ]
    loaded = sio.load(path, trusted=untrusted)
    assert loaded.path_ == model.path_
    assert_array_equal(loaded.predict(X), model.predict(X))


# ------------------------------------------------------------- the classifier
CLASSIFIER_CONFIGS = {
    "fista-l1-string-labels": ({"penalty": "l1", "alpha": 1e-2}, "strings"),
    "adam-binary": ({"solver": "adam"}, "binary"),
    "group-lasso-class-weight": (
        {"penalty": "group_lasso", "alpha": 1e-2, "class_weight": "balanced"},
        "strings",
    ),
    "lbfgs-multilabel": ({"solver": "lbfgs", "penalty": None}, "multilabel"),
}


def _labels(kind):
    X, _ = _data()
    if kind == "multilabel":
        X, Y = make_multilabel_classification(40, 3, n_classes=3, random_state=0)
        return X, Y
    if kind == "binary":
        return X, (X[:, 0] > 0).astype(int)
    return X, np.array(["ant", "bee", "cat"])[np.argmax(X, axis=1)]


@functools.cache
def _fitted_classifier(config):
    params, kind = CLASSIFIER_CONFIGS[config]
    X, y = _labels(kind)
    model = RegularizedMLPClassifier((5,), max_iter=15, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model, X


@pytest.mark.parametrize("round_trip", list(ROUND_TRIPS))
@pytest.mark.parametrize("config", list(CLASSIFIER_CONFIGS))
def test_classifier_round_trip_gives_identical_predictions(
    config, round_trip, tmp_path
):
    model, X = _fitted_classifier(config)
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    assert type(loaded) is RegularizedMLPClassifier
    assert loaded.get_params() == model.get_params()
    assert_array_equal(loaded.classes_, model.classes_)
    assert loaded.classes_.dtype == model.classes_.dtype
    for a, b in zip(
        loaded.coefs_ + loaded.intercepts_, model.coefs_ + model.intercepts_
    ):
        assert_array_equal(a, b)
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("round_trip", list(ROUND_TRIPS))
def test_classifier_partial_fit_continues_identically_after_a_round_trip(
    round_trip, tmp_path
):
    X, y = _labels("strings")
    model = RegularizedMLPClassifier((5,), solver="adam", random_state=0)
    model.partial_fit(X, y, classes=["ant", "bee", "cat", "dog"])
    loaded = ROUND_TRIPS[round_trip](model, tmp_path)
    for m in (model, loaded):
        for _ in range(2):
            m.partial_fit(X, y)
        with pytest.raises(ValueError, match="not in `self.classes_`"):
            m.partial_fit(X[:2], ["ant", "emu"])
    assert loaded.loss_curve_ == model.loss_curve_
    assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
