"""Reliability guarantees of RegularizedMLPRegressor (issue 8).

Bad data and bad hyperparameters fail early with a clear error, divergence is
detected and reported, extreme but valid inputs stay finite without
floating-point warnings, fits are reproducible, and predict is thread safe.
Persistence lives in test_persistence.py, property-based tests in
test_properties.py. Everything runs on tiny data.
"""

import gc
import pickle
import re
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import autograd.numpy as anp
import numpy as np
import pandas as pd
import pytest
from autograd import grad
from autograd.numpy.numpy_boxes import ArrayBox
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sk_regnet import RegularizedMLPRegressor, RegularizedMLPRegressorCV, _stochastic
from sk_regnet._losses import _guarded_exp
from sk_regnet._objective import Objective

SOLVERS = ("lbfgs", "adam", "sgd", "gd", "fista")
ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


def _data(n_samples=30, n_features=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = X @ rng.normal(size=n_features) + 0.1 * rng.normal(size=n_samples)
    return X, y


def _small(**params):
    defaults = {"hidden_layer_sizes": (4,), "max_iter": 20, "random_state": 0}
    return RegularizedMLPRegressor(**{**defaults, **params})


def _fit_quietly(model, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **fit_params)


# --------------------------------------------------------------- bad data
def _with(array, index, value):
    out = np.array(array, dtype=float)
    out[index] = value
    return out


X0, Y0 = _data()
SW0 = np.ones(X0.shape[0])

BAD_FIT_DATA = {
    # id: (X, y, sample_weight, error type, message pattern)
    "nan-in-X": (_with(X0, (0, 0), np.nan), Y0, None, ValueError, "X contains NaN"),
    "inf-in-X": (_with(X0, (3, 1), np.inf), Y0, None, ValueError, "X contains inf"),
    "nan-in-y": (X0, _with(Y0, 2, np.nan), None, ValueError, "y contains NaN"),
    "inf-in-y": (X0, _with(Y0, 2, -np.inf), None, ValueError, "y contains inf"),
    "nan-in-sw": (X0, Y0, _with(SW0, 1, np.nan), ValueError, "sample_weight.*NaN"),
    "inf-in-sw": (X0, Y0, _with(SW0, 1, np.inf), ValueError, "sample_weight.*inf"),
    "negative-sw": (X0, Y0, _with(SW0, 1, -1.0), ValueError, "Negative.*sample_weight"),
    "all-zero-sw": (X0, Y0, np.zeros(30), ValueError, "[Ss]ample.weight.*non-zero"),
    "short-sw": (X0, Y0, SW0[:-1], ValueError, r"sample_weight\.shape"),
    "2d-sw": (X0, Y0, np.ones((30, 2)), ValueError, "Sample weights must be 1D"),
    "empty-X": (np.empty((0, 3)), np.empty(0), None, ValueError, "0 sample"),
    "no-features": (np.empty((30, 0)), Y0, None, ValueError, "0 feature"),
    "1d-X": (X0[:, 0], Y0, None, ValueError, "Expected 2D array"),
    "3d-X": (X0.reshape(30, 3, 1), Y0, None, ValueError, "dim 3"),
    "3d-y": (X0, Y0.reshape(30, 1, 1), None, ValueError, "dim 3"),
    "string-X": (
        np.array([["a", "b", "c"]] * 30),
        Y0,
        None,
        ValueError,
        "could not convert string to float",
    ),
    "object-X": (
        np.array([[1.0, "x", 2.0]] * 30, dtype=object),
        Y0,
        None,
        ValueError,
        "could not convert string to float",
    ),
    "string-y": (X0, np.array(["a"] * 30), None, ValueError, "could not convert"),
    "complex-X": (X0 + 1j, Y0, None, ValueError, "Complex data not supported"),
    "complex-y": (X0, Y0 + 1j, None, ValueError, "Complex data not supported"),
    "mismatched-lengths": (
        X0,
        Y0[:-1],
        None,
        ValueError,
        "inconsistent numbers of samples",
    ),
}


@pytest.mark.parametrize(
    "X, y, sample_weight, error, match",
    list(BAD_FIT_DATA.values()),
    ids=list(BAD_FIT_DATA),
)
def test_bad_training_data_is_rejected_without_touching_it(
    X, y, sample_weight, error, match
):
    copies = [np.array(a, copy=True) for a in (X, y, sample_weight) if a is not None]
    model = _small(max_iter=2)
    with pytest.raises(error, match=match):
        model.fit(X, y, sample_weight=sample_weight)
    assert not hasattr(model, "coefs_")
    originals = [a for a in (X, y, sample_weight) if a is not None]
    for original, copy in zip(originals, copies):
        assert_array_equal(original, copy)


def test_poisson_rejects_negative_targets():
    X, y = _data()
    with pytest.raises(ValueError, match="poisson.*non-negative"):
        _small(loss="poisson", max_iter=2).fit(X, y - 10.0)


@pytest.mark.parametrize(
    "X_new, match",
    [
        (X0[:5, :2], "X has 2 features, but RegularizedMLPRegressor is expecting 3"),
        (_with(X0[:5], (0, 0), np.nan), "X contains NaN"),
        (_with(X0[:5], (0, 0), np.inf), "X contains inf"),
        (X0[:5, 0], "Expected 2D array"),
        (X0[:5] + 1j, "Complex data not supported"),
    ],
    ids=["n-features", "nan", "inf", "1d", "complex"],
)
def test_bad_prediction_data_is_rejected(X_new, match):
    model = _fit_quietly(_small(max_iter=5), X0, Y0)
    copy = np.array(X_new, copy=True)
    with pytest.raises(ValueError, match=match):
        model.predict(X_new)
    assert_array_equal(X_new, copy)


@pytest.mark.parametrize("solver", SOLVERS)
def test_fit_and_predict_never_modify_their_inputs(solver):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(25, 3))
    y = rng.normal(size=(25, 2))
    sample_weight = rng.uniform(0.5, 2.0, size=25)
    hidden = [4, 3]
    copies = [a.copy() for a in (X, y, sample_weight)]
    model = _small(
        hidden_layer_sizes=hidden, solver=solver, penalty="l1", alpha=1e-2, max_iter=5
    )
    _fit_quietly(model, X, y, sample_weight=sample_weight)
    model.predict(X)
    for original, copy in zip((X, y, sample_weight), copies):
        assert_array_equal(original, copy)
    assert hidden == [4, 3]
    # The model holds no view of the caller's data: changing X afterwards
    # changes nothing the model learnt.
    coefs = [W.copy() for W in model.coefs_]
    X[:] = 0.0
    for W, W_copy in zip(model.coefs_, coefs):
        assert_array_equal(W, W_copy)


def test_pandas_input_is_not_modified():
    X = pd.DataFrame(X0, columns=["a", "b", "c"])
    y = pd.Series(Y0)
    X_copy, y_copy = X.copy(), y.copy()
    model = _fit_quietly(_small(max_iter=5), X, y)
    model.predict(X)
    pd.testing.assert_frame_equal(X, X_copy)
    pd.testing.assert_series_equal(y, y_copy)
    assert list(model.feature_names_in_) == ["a", "b", "c"]


# ------------------------------------------------------ bad hyperparameters
BAD_PARAMS = [
    ("alpha", -1.0),
    ("alpha", np.nan),
    ("alpha", np.inf),
    ("l1_ratio", -0.1),
    ("l1_ratio", 1.5),
    ("hidden_layer_sizes", 0),
    ("hidden_layer_sizes", (0,)),
    ("hidden_layer_sizes", (4, -3)),
    ("hidden_layer_sizes", (2.5,)),
    ("hidden_layer_sizes", "abc"),
    ("activation", "softplus"),
    ("penalty", "l3"),
    ("solver", "newton"),
    ("loss", "absolute_error"),
    ("weight_init", "he_normal"),
    ("max_iter", 0),
    ("max_iter", -5),
    ("max_iter", 2.5),
    ("learning_rate_init", 0.0),
    ("learning_rate_init", -1e-3),
    ("batch_size", 0),
    ("batch_size", -10),
    ("batch_size", "big"),
    ("validation_fraction", 0.0),
    ("validation_fraction", 1.0),
    ("validation_fraction", 1.5),
    ("tol", -1e-4),
    ("n_iter_no_change", 0),
    ("momentum", 1.5),
    ("beta_1", 1.0),
    ("beta_2", -0.1),
    ("epsilon", 0.0),
    ("max_fun", 0),
    ("huber_delta", 0.0),
    ("learning_rate", "cyclic"),
    ("random_state", "seed"),
]


@pytest.mark.parametrize(
    "param, value", BAD_PARAMS, ids=[f"{p}={v!r}" for p, v in BAD_PARAMS]
)
def test_bad_hyperparameter_raises_at_fit_naming_it(param, value):
    model = RegularizedMLPRegressor(**{param: value})  # construction never raises
    assert model.get_params()[param] is value
    with pytest.raises((ValueError, TypeError), match=re.escape(param)):
        model.fit(X0, Y0)
    assert not hasattr(model, "coefs_")


@pytest.mark.parametrize("solver", ["lbfgs", "gd", "fista"])
def test_incompatible_combinations_are_refused_naming_them(solver):
    model = RegularizedMLPRegressor(solver=solver)
    assert not hasattr(model, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit") as excinfo:
        model.partial_fit(X0, Y0)
    # scikit-learn's available_if chains the reason as the cause.
    assert f"solver={solver!r}" in str(excinfo.value.__cause__)
    early = RegularizedMLPRegressor(solver="adam", early_stopping=True)
    with pytest.raises((AttributeError, ValueError)) as excinfo:
        early.partial_fit(X0, Y0)
    reasons = f"{excinfo.value} {excinfo.value.__cause__}"
    assert "early_stopping" in reasons
    if solver == "lbfgs":
        model = RegularizedMLPRegressor(penalty="group_lasso", solver="lbfgs")
        with pytest.raises(ValueError, match="lbfgs.*group_lasso"):
            model.fit(X0, Y0)


@pytest.mark.parametrize(
    "param, value", [("alpha", -1.0), ("hidden_layer_sizes", (3, 0))]
)
def test_rejected_refit_leaves_the_earlier_fit_in_place(param, value):
    model = _fit_quietly(_small(max_iter=5), X0, Y0)
    coefs = [W.copy() for W in model.coefs_]
    with pytest.raises(ValueError, match=re.escape(param)):
        model.set_params(**{param: value}).fit(X0, Y0)
    for W, W_before in zip(model.coefs_, coefs):
        assert_array_equal(W, W_before)


CV_BAD_PARAMS = [
    ("alphas", [-1.0, 1.0]),
    ("alphas", [np.nan]),
    ("alphas", []),
    ("n_alphas", 0),
    ("eps", 0.0),
    ("cv", 1),
    ("n_jobs", 1.5),
    ("max_iter_warm", 0),
    ("l1_ratio", 2.0),
    ("hidden_layer_sizes", (0,)),
    ("solver", "newton"),
]


@pytest.mark.parametrize(
    "param, value", CV_BAD_PARAMS, ids=[f"{p}={v!r}" for p, v in CV_BAD_PARAMS]
)
def test_cv_estimator_bad_hyperparameter_raises_at_fit_naming_it(param, value):
    model = RegularizedMLPRegressorCV(**{param: value})
    assert model.get_params()[param] is value
    with pytest.raises((ValueError, TypeError), match=re.escape(param)):
        model.fit(X0, Y0)
    assert not hasattr(model, "alpha_")


CV_BAD_DATA = ["nan-in-X", "inf-in-y", "negative-sw", "3d-X", "mismatched-lengths"]


@pytest.mark.parametrize("case", CV_BAD_DATA)
def test_cv_estimator_rejects_bad_data_without_touching_it(case):
    X, y, sample_weight, error, match = BAD_FIT_DATA[case]
    copies = [np.array(a, copy=True) for a in (X, y, sample_weight) if a is not None]
    with pytest.raises(error, match=match):
        RegularizedMLPRegressorCV((3,), max_iter=2).fit(X, y, sample_weight)
    originals = [a for a in (X, y, sample_weight) if a is not None]
    for original, copy in zip(originals, copies):
        assert_array_equal(original, copy)


# ---------------------------------------------------------------- divergence
# A learning rate far too large for each solver (Adam's steps are bounded by
# the learning rate itself, so it needs an absurd one to overflow).
FAR_TOO_LARGE = {"gd": 1e6, "sgd": 1e6, "adam": 1e160}


@pytest.mark.parametrize("activation", ["relu", "identity"])
@pytest.mark.parametrize("solver", sorted(FAR_TOO_LARGE))
def test_divergence_stops_keeps_finite_parameters_and_warns(solver, activation):
    X, y = _data(40)
    X, y = 10 * X, 10 * y
    max_iter = 50
    model = _small(
        hidden_layer_sizes=(5,),
        activation=activation,
        solver=solver,
        learning_rate_init=FAR_TOO_LARGE[solver],
        max_iter=max_iter,
    )
    # Whatever the caller's errstate, divergence is a warning, not a crash.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            model.fit(X, y)
        y_pred = model.predict(X)
    messages = [str(w.message) for w in record]
    assert [w.category for w in record] == [ConvergenceWarning], messages
    assert "diverged" in messages[0] and "learning_rate_init" in messages[0]
    assert model.n_iter_ < max_iter
    # The kept parameters are the last finite ones: their objective is finite
    # and is the last value recorded on the loss curve.
    assert all(np.all(np.isfinite(W)) for W in model.coefs_ + model.intercepts_)
    assert np.isfinite(model.loss_)
    assert np.all(np.isfinite(model.loss_curve_))
    assert_allclose(model.loss_, model.loss_curve_[-1], rtol=1e-12)
    assert np.all(np.isfinite(y_pred))


@pytest.mark.parametrize("max_iter, diverged", [(2, False), (3, True)])
def test_stochastic_solver_checks_its_final_step(max_iter, diverged):
    # The objective is finite for x >= -2.5 only, and each SGD step moves x
    # by -1 (one batch per epoch). Epochs evaluate 0, -1, -2: the step taken
    # in the third epoch lands on -3, which no epoch evaluates; the final
    # check on one batch must catch it and keep -2.
    def batch_value_and_grad(x, indices):
        f = float(x[0]) if x[0] >= -2.5 else np.inf
        return f, np.ones(1)

    optimizer = _stochastic.SGDState(
        1,
        learning_rate_init=1.0,
        learning_rate="constant",
        power_t=0.5,
        momentum=0.0,
        nesterovs_momentum=False,
    )
    result = _stochastic.stochastic(
        batch_value_and_grad,
        np.zeros(1),
        4,
        progress=_stochastic.new_progress(optimizer, 0.0, 10),
        batch_size=4,
        max_iter=max_iter,
        shuffle=False,
        rng=np.random.RandomState(0),
    )
    assert result.diverged is diverged
    assert result.n_iter == max_iter
    assert_array_equal(result.x, [-2.0])
    assert result.loss_curve == [0.0, -1.0, -2.0][:max_iter]


def test_stochastic_final_step_blowing_up_on_unseen_rows_is_divergence():
    # The last minibatch holds an extreme row; its step makes the weights
    # huge, but the final check's batch (all-zero feature) does not see it.
    # J on all the rows is then inf: the fit must keep the previous point,
    # warn, and predict finite values on the training data.
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    X[:, 0] = 0
    X[-1, 0] = 1e150
    y = rng.randn(40)
    model = RegularizedMLPRegressor(
        hidden_layer_sizes=(),
        activation="identity",
        solver="sgd",
        batch_size=10,
        shuffle=False,
        max_iter=1,
        learning_rate_init=1e-3,
        momentum=0,
        alpha=0,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.fit(X, y)
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.all(np.isfinite(model.predict(X)))
    assert np.isfinite(model.loss_)


@pytest.mark.parametrize("solver", sorted(FAR_TOO_LARGE))
def test_divergence_without_errstate_emits_only_the_convergence_warning(solver):
    X, y = _data(40)
    model = _small(
        hidden_layer_sizes=(5,),
        solver=solver,
        learning_rate_init=FAR_TOO_LARGE[solver],
        max_iter=50,
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(10 * X, 10 * y)
    # No RuntimeWarning "overflow encountered in ..." leaks out of training.
    assert [w.category for w in record] == [ConvergenceWarning]
    assert "learning_rate_init" in str(record[0].message)


def test_partial_divergence_resets_the_optimizer_state():
    X, y = _data(40)
    model = _small(solver="adam", learning_rate_init=1e160, max_iter=50)
    with pytest.warns(ConvergenceWarning, match="learning_rate_init"):
        model.fit(10 * X, 10 * y)
    # The non-finite Adam moments are not kept for a later resume.
    assert model._stochastic_progress.optimizer is None


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_divergence_in_partial_fit_warns_and_a_later_call_starts_fresh(solver):
    X, y = _data(40)
    model = _small(solver=solver, learning_rate_init=FAR_TOO_LARGE[solver])
    with np.errstate(over="raise", invalid="raise"):
        with pytest.warns(ConvergenceWarning, match="diverged.*learning_rate_init"):
            for _ in range(20):
                model.partial_fit(10 * X, 10 * y)
                if model._stochastic_progress.optimizer is None:
                    break
    assert model._stochastic_progress.optimizer is None
    assert np.all(np.isfinite(model.predict(X)))
    # A later call builds a fresh optimizer, with the lowered rate, from the
    # parameters as they are then. Those may be so large that it diverges
    # again; from moderate parameters (the kept weights scaled down) it does
    # not.
    for W in model.coefs_:
        W *= 1e-3 / max(1.0, float(np.abs(W).max()))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.set_params(learning_rate_init=1e-3).partial_fit(X, y)
    optimizer = vars(model._stochastic_progress.optimizer)
    assert optimizer.get("learning_rate_init", optimizer.get("lr_init")) == 1e-3
    assert np.all(np.isfinite(model.predict(X)))


@pytest.mark.parametrize("solver", SOLVERS)
def test_an_objective_that_overflows_everywhere_warns_instead_of_raising(solver):
    # Targets of order 1e200 are finite, but their squared error is not
    # representable for any weights: a divergence warning, loss_ = inf and
    # finite predictions, not a FloatingPointError under errstate(raise).
    X, y = _data()
    model = _small(solver=solver)
    with np.errstate(over="raise", invalid="raise"):
        with pytest.warns(ConvergenceWarning, match="diverged") as record:
            model.fit(X, 1e200 * y)
        y_pred = model.predict(X)
    message = str(record[0].message)
    if solver in ("lbfgs", "fista"):
        # They choose their own steps: the advice is about the data only.
        assert "learning_rate_init" not in message and "Scale the data" in message
    else:
        assert "learning_rate_init" in message
    assert model.loss_ == np.inf
    assert np.all(np.isfinite(y_pred))


@pytest.mark.parametrize("solver", ["lbfgs", "fista"])
def test_line_search_backs_off_from_overflow(solver):
    # With targets of order 1e6 and tanh, trial steps of L-BFGS-B's line
    # search (FISTA's backtracking) overflow; both must back off, not fail.
    X, y = _data(40)
    model = _small(
        hidden_layer_sizes=(5,), activation="tanh", solver=solver, max_iter=30
    )
    with np.errstate(over="raise", invalid="raise"):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            model.fit(X, 1e6 * y)
        y_pred = model.predict(X)
    assert not [w for w in record if "diverged" in str(w.message)]
    assert all(issubclass(w.category, ConvergenceWarning) for w in record)
    assert np.all(np.isfinite(model.loss_curve_))
    assert model.loss_ < model.loss_curve_[0]
    assert np.all(np.isfinite(y_pred))


# ------------------------------------------------------ extreme valid values
def _fit_strictly(model, X, y, **fit_params):
    """Fit and predict under errstate(raise); only max_iter warnings allowed."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            model.fit(X, y, **fit_params)
        y_pred = model.predict(X)
    for w in record:
        assert issubclass(w.category, ConvergenceWarning), str(w.message)
        assert "diverged" not in str(w.message), str(w.message)
    assert np.all(np.isfinite(y_pred))
    assert np.isfinite(model.loss_)
    assert np.all(np.isfinite(model.loss_curve_))
    return y_pred


@pytest.mark.parametrize("penalty", ["l1", "l2", "elasticnet", "group_lasso"])
@pytest.mark.parametrize("alpha", [0.0, 1e-8, 1.0, 1e3, 1e6])
def test_alpha_from_zero_to_huge_stays_finite(alpha, penalty):
    X, y = _data()
    # L-BFGS cannot take group_lasso; FISTA is its exact solver.
    solver = "fista" if penalty == "group_lasso" else "lbfgs"
    _fit_strictly(_small(penalty=penalty, alpha=alpha, solver=solver), X, y)


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "gd", "fista"])
def test_no_penalty_equals_zero_alpha(solver):
    X, y = _data()
    params = {"solver": solver, "learning_rate_init": 1e-2}
    none = _fit_quietly(_small(penalty=None, alpha=0.3, **params), X, y)
    penalties = ["l1", "l2", "elasticnet"] + (
        ["group_lasso"] if solver != "lbfgs" else []
    )
    for penalty in penalties:
        zero = _fit_quietly(_small(penalty=penalty, alpha=0.0, **params), X, y)
        for W, W_zero in zip(
            none.coefs_ + none.intercepts_, zero.coefs_ + zero.intercepts_
        ):
            assert_array_equal(W, W_zero)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_huge_alpha_gives_weighted_mean_and_exact_zeros(penalty):
    X, y = _data(40)
    sample_weight = np.random.RandomState(3).uniform(0.1, 3.0, size=40)
    model = _small(hidden_layer_sizes=(6, 3), penalty=penalty, alpha=1e6)
    y_pred = _fit_strictly(model, X, y + 5.0, sample_weight=sample_weight)
    for W in model.coefs_:
        assert np.count_nonzero(W) == 0
    assert_allclose(y_pred, np.average(y + 5.0, weights=sample_weight), rtol=1e-6)


def test_huge_group_lasso_alpha_drops_every_input_and_gives_the_weighted_mean():
    X, y = _data(40)
    sample_weight = np.random.RandomState(3).uniform(0.1, 3.0, size=40)
    model = _small(
        hidden_layer_sizes=(6, 3),
        penalty="group_lasso",
        alpha=1e6,
        solver="fista",
        max_iter=200,
    )
    # The default deep_l2=1 goes through the prox, so it does not shrink
    # FISTA's step to ~1 / (2 alpha) (it did as a smooth term: biases stuck).
    assert model.deep_l2 == 1.0
    y_pred = _fit_strictly(model, X, y + 5.0, sample_weight=sample_weight)
    assert np.count_nonzero(model.coefs_[0]) == 0  # every input feature dropped
    assert_allclose(y_pred, np.average(y + 5.0, weights=sample_weight), rtol=1e-6)


def test_huge_l2_alpha_gives_the_weighted_mean():
    X, y = _data(40)
    sample_weight = np.random.RandomState(3).uniform(0.1, 3.0, size=40)
    model = _small(penalty="l2", alpha=1e6, max_iter=200)
    y_pred = _fit_strictly(model, X, y + 5.0, sample_weight=sample_weight)
    assert max(np.abs(W).max() for W in model.coefs_) < 1e-6
    assert_allclose(y_pred, np.average(y + 5.0, weights=sample_weight), rtol=1e-6)


@pytest.mark.parametrize("loss", ["squared_error", "huber", "poisson"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize(
    "x_scale, y_scale",
    [(1e6, 1.0), (1.0, 1e6), (1e-6, 1.0)],
    ids=["X*1e6", "y*1e6", "X*1e-6"],
)
def test_badly_scaled_data_stays_finite_without_fp_errors(
    x_scale, y_scale, activation, loss
):
    X, y = _data()
    y = np.abs(y)  # poisson needs y >= 0; the same data for every loss
    model = _small(activation=activation, loss=loss, max_iter=30)
    _fit_strictly(model, x_scale * X, y_scale * y)


@pytest.mark.parametrize("solver", ["adam", "sgd", "gd"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_first_order_solvers_on_huge_features_raise_no_fp_error(solver, activation):
    # Far outside their comfortable range these solvers may not fit well, but
    # they must neither crash under errstate(raise) nor return non-finite values.
    X, y = _data()
    model = _small(activation=activation, solver=solver, max_iter=5)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(1e6 * X, y)
        y_pred = model.predict(1e6 * X)
    assert np.all(np.isfinite(y_pred))
    assert np.isfinite(model.loss_)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1e-30, 1e30, "max"])
def test_sample_weight_scale_does_not_matter(scale, dtype):
    # The loss is a weighted mean: weights scaled by any factor give the same
    # model, even when their sum would overflow.
    X, y = _data()
    X, y = X.astype(dtype), y.astype(dtype)
    sample_weight = np.random.RandomState(2).uniform(0.5, 1.0, size=30).astype(dtype)
    factor = np.finfo(dtype).max if scale == "max" else scale
    scaled = (sample_weight * dtype(factor)).astype(dtype)
    assert np.all(np.isfinite(scaled))
    reference = _fit_quietly(_small(), X, y, sample_weight=sample_weight)
    model = _small()
    _fit_strictly(model, X, y, sample_weight=scaled)
    # float32: the scaled weights round differently, and 20 L-BFGS steps
    # amplify that a little.
    rtol = 1e-3 if dtype == np.float32 else 1e-9
    assert_allclose(model.predict(X), reference.predict(X), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("solver", SOLVERS)
def test_float32_data_stays_float32_and_finite(solver):
    X, y = _data()
    model = _small(solver=solver, penalty="l1", alpha=1e-3, learning_rate_init=1e-2)
    y_pred = _fit_strictly(model, X.astype(np.float32), y.astype(np.float32))
    assert y_pred.dtype == np.float32
    assert all(W.dtype == np.float32 for W in model.coefs_)


def test_poisson_predictions_on_huge_features_are_finite():
    X, y = _data()
    model = _small(activation="relu", loss="poisson", max_iter=30)
    with np.errstate(over="raise", invalid="raise"):
        _fit_quietly(model, 1e6 * X, np.abs(y))
        # Far outside the training range the log-link output is huge: the
        # prediction stays finite instead of overflowing.
        assert np.all(np.isfinite(model.predict(1e12 * X)))


@pytest.mark.parametrize("dtype, threshold", [(np.float64, 100.0), (np.float32, 44.3)])
def test_guarded_exp_is_exp_below_the_threshold_and_finite_beyond(dtype, threshold):
    below = np.linspace(-30.0, threshold - 1.0, 50).astype(dtype)
    assert_array_equal(_guarded_exp(below), np.exp(below))
    beyond = np.array([threshold + 1.0, 1e6, 1e12], dtype=dtype)
    with np.errstate(over="raise", invalid="raise"):
        values = _guarded_exp(beyond)
        gradient = grad(lambda z: anp.sum(_guarded_exp(z)))(beyond)
    assert values.dtype == dtype
    assert np.all(np.isfinite(values)) and np.all(np.diff(values) > 0)
    assert np.all(np.isfinite(gradient)) and np.all(gradient > 0)


def test_guarded_exp_has_a_continuous_derivative():
    slope = grad(lambda z: anp.sum(_guarded_exp(z)))
    t = np.array([100.0 - 1e-6, 100.0 + 1e-6])
    assert_allclose(slope(t), np.exp(100.0), rtol=1e-5)
    assert_allclose(slope(np.array([-3.0, 0.0, 7.0])), np.exp([-3.0, 0.0, 7.0]))


# -------------------------------------------------------------- determinism
@pytest.mark.parametrize(
    "solver, extra",
    [
        ("lbfgs", {}),
        ("adam", {}),
        ("sgd", {"batch_size": 8}),
        ("gd", {}),
        ("adam", {"early_stopping": True, "batch_size": 8}),
        ("lbfgs", {"penalty": "l1", "alpha": 1e-2}),
        ("sgd", {"penalty": "elasticnet", "alpha": 1e-2, "batch_size": 8}),
        ("fista", {"penalty": "group_lasso", "alpha": 1e-2}),
    ],
    ids=[
        "lbfgs",
        "adam",
        "sgd",
        "gd",
        "adam-early-stopping",
        "lbfgs-l1",
        "sgd-enet",
        "fista-group-lasso",
    ],
)
def test_same_random_state_gives_bitwise_identical_fits(solver, extra):
    X, y = _data(40)
    model = _small(solver=solver, learning_rate_init=1e-2, **extra)
    first = _fit_quietly(model, X, y)
    first_params = [a.copy() for a in first.coefs_ + first.intercepts_]
    first_curve = list(first.loss_curve_)
    again = _fit_quietly(model, X, y)  # the same estimator refitted
    other = _fit_quietly(_small(solver=solver, learning_rate_init=1e-2, **extra), X, y)
    for fitted in (again, other):
        for a, b in zip(first_params, fitted.coefs_ + fitted.intercepts_):
            assert_array_equal(a, b)
        assert fitted.loss_curve_ == first_curve
    # And the seed matters: another seed gives another model.
    seed_1 = _fit_quietly(
        _small(solver=solver, learning_rate_init=1e-2, random_state=1, **extra), X, y
    )
    assert not np.array_equal(seed_1.coefs_[0], first_params[0])


def test_grid_search_is_the_same_for_any_n_jobs():
    X, y = _data(30)
    grid = {"alpha": [1e-4, 1e-1], "penalty": ["l1", "l2"]}  # 4 candidates
    results = []
    for n_jobs in (1, 2):
        search = GridSearchCV(
            _small(hidden_layer_sizes=(3,), max_iter=15), grid, cv=2, n_jobs=n_jobs
        )
        _fit_quietly(search, X, y)
        results.append(search)
    serial, parallel = results
    assert serial.best_params_ == parallel.best_params_
    assert_array_equal(
        serial.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"]
    )
    assert_array_equal(serial.predict(X), parallel.predict(X))


# -------------------------------------------------------------- concurrency
def test_predict_from_many_threads_gives_the_same_results():
    X, y = _data(200, 4)
    model = _fit_quietly(_small(hidden_layer_sizes=(16, 8), max_iter=10), X, y)
    expected = model.predict(X)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outputs = list(pool.map(lambda _: model.predict(X), range(32)))
    for output in outputs:
        assert_array_equal(output, expected)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fits_in_parallel_threads_match_serial_fits():
    # Separate estimators trained at once in threads (as GridSearchCV does
    # with the threading backend) do not disturb each other: autograd's
    # tracing and the training errstate are per call.
    X, y = _data(40)
    configs = [
        {"solver": solver, "penalty": penalty}
        for solver in ("lbfgs", "adam")
        for penalty in ("l1", "l2")
    ]

    def fit(config):
        # warnings.catch_warnings is not thread safe: filter with the mark.
        return _small(alpha=1e-2, **config).fit(X, y).coefs_

    serial = [fit(config) for config in configs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(fit, configs))
    for coefs, coefs_parallel in zip(serial, parallel):
        for W, W_parallel in zip(coefs, coefs_parallel):
            assert_array_equal(W, W_parallel)


def _live(cls):
    return sum(isinstance(obj, cls) for obj in gc.get_objects())


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "fista"])
def test_a_fit_keeps_nothing_of_its_training_run_alive(solver):
    X, y = _data(40)
    model = _small(solver=solver, max_iter=3)
    for _ in range(3):
        _fit_quietly(model, X, y)
    gc.collect()
    assert _live(Objective) == 0
    assert _live(ArrayBox) == 0
    assert all(type(v) is not Objective for v in vars(model).values())


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "fista"])
def test_repeated_fits_do_not_grow_memory(solver):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 10))  # 24 kB: a copy kept per fit shows at once
    y = X[:, 0] + 0.1 * rng.normal(size=300)
    model = _small(solver=solver, max_iter=3)
    for _ in range(5):  # warm up imports, caches and free lists
        _fit_quietly(model, X.copy(), y)
    gc.collect()
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        for _ in range(20):
            # Fresh arrays each time: if a fit kept its data (or anything of
            # that size) alive, 20 fits would add about 500 kB.
            _fit_quietly(model, X.copy(), y.copy())
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    # What remains is CPython's and NumPy's free lists and caches filling up
    # (measured: 15 to 30 kB, levelling off over further fits).
    assert growth < 100_000, growth


@pytest.mark.parametrize("solver", ["sgd", "gd"])
def test_a_final_step_that_overflows_counts_as_divergence(solver):
    # Found by hypothesis: in float32 the very last step of a too-large
    # learning rate overflows; the solver never evaluates it, the estimator
    # must, and fall back to the last finite parameters.
    X = np.array([[1764.0524], [400.1572]], dtype=np.float32)
    y = np.array([1.2240893, 1.1867558], dtype=np.float32)
    model = _small(hidden_layer_sizes=(), activation="identity", solver=solver)
    model.set_params(max_iter=5, penalty=None)
    with pytest.warns(ConvergenceWarning, match="diverged.*learning_rate_init"):
        model.fit(X, y)
    assert np.isfinite(model.loss_)
    assert np.all(np.isfinite(model.predict(X)))


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam"])
def test_a_loss_that_runs_away_finitely_is_not_called_converged(solver):
    # Too large a step: the loss grows by orders of magnitude but stays
    # finite, and the stopping rule (seeing no improvement) would stop
    # quietly. The fit must say what happened.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    y = 3 + 2 * X[:, 0] - X[:, 1]
    model = RegularizedMLPRegressor(
        (5,),
        "tanh",
        penalty="l2",
        alpha=1.0,
        solver=solver,
        learning_rate_init=1.0 if solver != "adam" else 50.0,
        max_iter=200,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="the loss rose from"):
        model.fit(X, y)
    assert model.loss_curve_[-1] > 2 * model.best_loss_
    assert not model._converged


def test_a_well_behaved_stochastic_fit_does_not_warn_of_a_runaway():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=200)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for solver in ("sgd", "adam"):
            RegularizedMLPRegressor(
                (8,),
                solver=solver,
                learning_rate_init=0.01,
                max_iter=300,
                random_state=0,
            ).fit(X, y)


def test_the_runaway_check_measures_poisson_losses_from_their_floor():
    # Poisson's loss is negative for counts above e: an ordinary warm-started
    # fit whose loss moves up by noise (-43.36 to -43.35) is not a runaway.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 2))
    y = rng.poisson(np.exp(3 + 0.3 * X[:, 0])).astype(float)
    model = RegularizedMLPRegressor(
        (4,),
        solver="sgd",
        loss="poisson",
        learning_rate_init=3e-4,
        batch_size=16,
        max_iter=30,
        warm_start=True,
        random_state=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(4):
            model.fit(X, y)
    assert model.best_loss_ < 0
    assert not [w for w in caught if "loss rose" in str(w.message)]


def test_after_a_diverged_partial_fit_the_history_and_the_schedule_carry_on():
    # Only the optimizer is dropped: the loss curve keeps growing and the
    # 'invscaling' clock keeps counting samples (it used to restart at 0,
    # raising the step again), also through a pickle round trip.
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(300, 4))
    y = X[:, 0] - X[:, 1]
    model = RegularizedMLPRegressor(
        (6,),
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=0.01,
        momentum=0.0,
        random_state=0,
    )
    for start in (0, 100):
        model.partial_fit(X[start : start + 100], y[start : start + 100])
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.partial_fit(X[200:], y[200:] * 1e200)
    assert len(model.loss_curve_) == 2 and model.t_ == 200
    model = pickle.loads(pickle.dumps(model))
    model.partial_fit(X[:100], y[:100])
    progress = model._stochastic_progress
    assert len(model.loss_curve_) == 3 and model.t_ == 300
    assert progress.samples_seen == 300
    # The fresh optimizer's rate follows the clock: 0.01 / (200 + 1) ** 0.5
    # during the last epoch, then 0.01 / 301 ** 0.5 at its end.
    assert progress.optimizer.lr == pytest.approx(0.01 / 301**0.5)
