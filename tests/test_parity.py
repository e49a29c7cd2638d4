"""Parity with sklearn.neural_network.MLPRegressor.

With a loss of half the squared error (MLPRegressor's), ``alpha = α_sk / (2 *
batch_size)`` and batches of equal size, our objective is MLPRegressor's
exactly, so the stochastic solvers must follow the same trajectory: same
initialisation, shuffles, learning-rate schedules, stopping rule, early
stopping split and restored weights, and the same bookkeeping of ``n_iter_``,
``t_``, ``loss_curve_``, ``best_loss_`` and ``validation_scores_`` across
``partial_fit`` calls and warm starts.
"""

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError

from sk_regnet import RegularizedMLPRegressor
from sk_regnet._network import ParameterLayout, initialize
from sk_regnet._stochastic import SGDState

BATCH = 10
ALPHA_SK = 1e-2


def half_squared_error(y_true, y_pred, sample_weight):
    """MLPRegressor's squared loss for one output: ½ mean (y - ŷ)²."""
    return 0.5 * anp.mean((y_true - y_pred) ** 2)


def half_squared_error_summed_over_outputs(y_true, y_pred, sample_weight):
    """The loss whose gradient MLPRegressor uses for several outputs."""
    return 0.5 * anp.sum(anp.mean((y_true - y_pred) ** 2, axis=0))


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    return X, y


def _pair(loss=half_squared_error, batch_size=BATCH, **params):
    """MLPRegressor and the RegularizedMLPRegressor with the same objective."""
    common = dict(activation="tanh", batch_size=batch_size, random_state=1, **params)
    sk = MLPRegressor(hidden_layer_sizes=(5,), alpha=ALPHA_SK, **common)
    ours = RegularizedMLPRegressor(
        (5,), alpha=ALPHA_SK / (2 * batch_size), loss=loss, **common
    )
    return sk, ours


def _assert_same_state(sk, ours):
    for a, b in zip(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_):
        assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    assert ours.n_iter_ == sk.n_iter_
    assert ours.t_ == sk.t_
    assert_allclose(ours.loss_curve_, sk.loss_curve_, rtol=1e-9)
    # The stochastic solvers' loss_ is MLPRegressor's: the last epoch's
    # average over its minibatches.
    assert_allclose(ours.loss_, sk.loss_, rtol=1e-9)
    assert ours.loss_ == ours.loss_curve_[-1]
    if sk.best_loss_ is None:
        assert ours.best_loss_ is None
    else:
        assert_allclose(ours.best_loss_, sk.best_loss_, rtol=1e-9)
    if sk.validation_scores_ is None:
        assert ours.validation_scores_ is None
        assert ours.best_validation_score_ is None
    else:
        assert_allclose(ours.validation_scores_, sk.validation_scores_, rtol=1e-9)
        assert_allclose(ours.best_validation_score_, sk.best_validation_score_)


STOCHASTIC_CONFIGS = {
    "sgd-constant-nesterov": dict(
        solver="sgd", learning_rate="constant", learning_rate_init=0.1, max_iter=15
    ),
    "sgd-invscaling-plain-momentum": dict(
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=0.5,
        power_t=0.3,
        nesterovs_momentum=False,
        max_iter=15,
    ),
    "sgd-adaptive": dict(
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.1,
        n_iter_no_change=2,
        max_iter=200,
    ),
    "adam": dict(solver="adam", learning_rate_init=0.01, max_iter=15),
    "adam-unshuffled": dict(
        solver="adam", learning_rate_init=0.01, shuffle=False, max_iter=15
    ),
}


@pytest.mark.parametrize("params", STOCHASTIC_CONFIGS.values(), ids=STOCHASTIC_CONFIGS)
def test_stochastic_training_matches_mlpregressor(data, params):
    X, y = data
    sk, ours = _pair(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk.fit(X, y)
        ours.fit(X, y)
        _assert_same_state(sk, ours)
        stopped = ours.n_iter_ < params["max_iter"]
        if params.get("learning_rate") == "adaptive":
            # It stopped early: the rate was divided by 5 down to 1e-6.
            assert ours.n_iter_ < params["max_iter"]
        for _ in range(2):
            sk.partial_fit(X, y)
            ours.partial_fit(X, y)
            _assert_same_state(sk, ours)
        if stopped:
            return  # stopped: warm starts differ on purpose, see below
        sk.set_params(warm_start=True, max_iter=4)
        ours.set_params(warm_start=True, max_iter=4)
        sk.fit(X, y)
        ours.fit(X, y)
    _assert_same_state(sk, ours)


@pytest.mark.parametrize(
    "n_samples, n_features, hidden, activation, solver",
    [
        (30, 1, (4,), "relu", "adam"),
        (50, 5, (6, 3), "logistic", "sgd"),
        (20, 2, (3, 3), "identity", "adam"),
    ],
)
def test_matches_mlpregressor_across_shapes(
    n_samples, n_features, hidden, activation, solver
):
    rng = np.random.RandomState(n_samples)
    X = rng.randn(n_samples, n_features)
    y = np.tanh(X.sum(axis=1)) + 0.1 * rng.randn(n_samples)
    params = dict(
        hidden_layer_sizes=hidden,
        activation=activation,
        solver=solver,
        learning_rate="invscaling",
        learning_rate_init=0.05,
        batch_size=n_samples // 2,
        max_iter=8,
        random_state=n_samples,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = MLPRegressor(alpha=ALPHA_SK, **params).fit(X, y)
        ours = RegularizedMLPRegressor(
            alpha=ALPHA_SK / n_samples, loss=half_squared_error, **params
        ).fit(X, y)
    _assert_same_state(sk, ours)


def test_early_stopping_matches_mlpregressor(data):
    X, y = data
    params = dict(
        solver="adam",
        learning_rate_init=0.01,
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=3,
        max_iter=300,
    )
    sk, ours = _pair(batch_size=15, **params)
    sk.fit(X, y)
    ours.fit(X, y)
    assert ours.n_iter_ < params["max_iter"]
    _assert_same_state(sk, ours)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_poisson_matches_mlpregressor(solver):
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = rng.poisson(np.exp(0.5 * X[:, 0]))
    params = dict(
        hidden_layer_sizes=(5,),
        activation="tanh",
        loss="poisson",
        batch_size=BATCH,
        solver=solver,
        learning_rate_init=0.01,
        max_iter=10,
        random_state=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = MLPRegressor(alpha=ALPHA_SK, **params).fit(X, y)
        # Poisson: MLPRegressor's data term is the full half deviance, ours
        # drops its constant; the penalty is α_sk / (2 batch) ‖W‖² for both.
        ours = RegularizedMLPRegressor(alpha=ALPHA_SK / (2 * BATCH), **params).fit(X, y)
    for a, b in zip(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_):
        assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    assert_allclose(ours.predict(X), sk.predict(X), rtol=1e-9)
    offset = np.asarray(sk.loss_curve_) - np.asarray(ours.loss_curve_)
    assert_allclose(offset, offset[0], atol=1e-9)


def test_multi_output_fits_jointly(data):
    X, y = data
    Y = np.column_stack([y, np.cos(X[:, 2])])
    # MLPRegressor's gradient for several outputs is that of the half squared
    # error summed over outputs: with that loss the trajectories coincide.
    sk, ours = _pair(
        loss=half_squared_error_summed_over_outputs,
        solver="sgd",
        learning_rate_init=0.05,
        max_iter=10,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk.fit(X, Y)
        ours.fit(X, Y)
    assert ours.n_outputs_ == 2
    assert ours.coefs_[-1].shape == (5, 2)
    assert ours.predict(X).shape == (40, 2)
    for a, b in zip(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_):
        assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    assert_allclose(ours.predict(X), sk.predict(X), rtol=1e-9, atol=1e-12)


def test_multi_output_objective_is_mean_over_outputs(data):
    X, y = data
    Y = np.column_stack([y, 3 * y])
    model = RegularizedMLPRegressor((4,), "tanh", alpha=0.0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y)
    assert_allclose(model.loss_, np.mean((Y - model.predict(X)) ** 2))
    # One network for both outputs: the hidden layer is shared.
    assert [W.shape for W in model.coefs_] == [(3, 4), (4, 2)]


# ----------------------------------------------------------------- partial_fit
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_lowers_the_loss(data, solver):
    X, y = data
    model = RegularizedMLPRegressor(
        (8,),
        "tanh",
        solver=solver,
        batch_size=10,
        learning_rate_init=0.02,
        random_state=0,
    )
    losses = []
    for _ in range(15):
        model.partial_fit(X, y)
        losses.append(model.loss_)
    assert losses[-1] < 0.5 * losses[0]
    assert np.mean(np.diff(losses) < 0) > 0.8
    assert model.n_iter_ == 1
    assert model.t_ == 15 * X.shape[0]
    assert len(model.loss_curve_) == 15
    assert model.best_loss_ == min(model.loss_curve_)


def test_partial_fit_once_equals_one_epoch_of_fit(data):
    X, y = data
    params = dict(solver="adam", learning_rate_init=0.01, random_state=3)
    once = RegularizedMLPRegressor((6,), **params).partial_fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = RegularizedMLPRegressor((6,), max_iter=1, **params).fit(X, y)
    for a, b in zip(once.coefs_ + once.intercepts_, fitted.coefs_ + fitted.intercepts_):
        assert_allclose(a, b)


def test_partial_fit_sample_weight_acts_as_repeated_rows(data):
    X, y = data
    weights = np.arange(X.shape[0]) % 3
    params = dict(solver="sgd", learning_rate_init=0.05, shuffle=False)
    weighted = RegularizedMLPRegressor((4,), random_state=0, **params)
    repeated = RegularizedMLPRegressor((4,), random_state=0, **params)
    X_rep, y_rep = np.repeat(X, weights, axis=0), np.repeat(y, weights)
    for _ in range(3):
        # One full batch per call ('auto' batch covers both data sets).
        weighted.partial_fit(X, y, sample_weight=weights)
        repeated.partial_fit(X_rep, y_rep)
    for a, b in zip(weighted.coefs_, repeated.coefs_):
        assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_partial_fit_rejects_a_different_number_of_features(data):
    X, y = data
    model = RegularizedMLPRegressor((4,), solver="adam").partial_fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :2], y)


def test_partial_fit_rejects_a_different_number_of_outputs(data):
    X, y = data
    model = RegularizedMLPRegressor((4,), solver="sgd").partial_fit(X, y)
    with pytest.raises(ValueError, match="outputs"):
        model.partial_fit(X, np.column_stack([y, y]))


@pytest.mark.parametrize("solver", ["lbfgs", "gd", "fista"])
def test_partial_fit_refused_for_full_batch_solvers(data, solver):
    X, y = data
    model = RegularizedMLPRegressor(solver=solver)
    assert not hasattr(model, "partial_fit")
    with pytest.raises(AttributeError) as excinfo:
        model.partial_fit(X, y)
    assert f"solver={solver!r} is not stochastic" in str(excinfo.value.__cause__)


def test_partial_fit_refuses_early_stopping(data):
    # As MLPRegressor: the method is there, the call raises a ValueError.
    X, y = data
    model = RegularizedMLPRegressor(solver="adam", early_stopping=True)
    with pytest.raises(ValueError, match="does not support early_stopping=True"):
        model.partial_fit(X, y)
    assert not hasattr(model, "coefs_")


def test_partial_fit_validates_parameters_on_every_call(data):
    X, y = data
    model = RegularizedMLPRegressor((4,), solver="sgd").partial_fit(X, y)
    model.set_params(learning_rate_init=-1.0)
    with pytest.raises(InvalidParameterError, match="learning_rate_init"):
        model.partial_fit(X, y)


def test_partial_fit_does_not_mutate_its_input(data):
    X, y = data
    X_copy, y_copy = X.copy(), y.copy()
    sw = np.ones(X.shape[0])
    RegularizedMLPRegressor((4,), solver="adam").partial_fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(sw, np.ones(X.shape[0]))


def test_partial_fit_after_an_lbfgs_fit_starts_from_its_weights(data):
    X, y = data
    model = RegularizedMLPRegressor((4,), "tanh", random_state=0, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    loss_after_lbfgs = model.loss_
    model.set_params(solver="sgd", learning_rate_init=1e-4)
    model.partial_fit(X, y)
    # A small step from the L-BFGS solution, not a fresh random network.
    assert abs(model.loss_ - loss_after_lbfgs) < 0.05 * loss_after_lbfgs
    assert model.loss_curve_ == model.loss_curve_[-1:]


# ------------------------------------------------------------------ warm start
def test_warm_start_continues_where_the_first_fit_ended(data):
    X, y = data
    params = dict(
        solver="sgd", momentum=0.0, learning_rate_init=0.05, shuffle=False, tol=0.0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ten = RegularizedMLPRegressor((5,), max_iter=10, random_state=0, **params)
        ten.fit(X, y)
        twice = RegularizedMLPRegressor(
            (5,), max_iter=5, random_state=0, warm_start=True, **params
        )
        twice.fit(X, y)
        twice.fit(X, y)
    for a, b in zip(ten.coefs_ + ten.intercepts_, twice.coefs_ + twice.intercepts_):
        assert_allclose(b, a, rtol=1e-12, atol=1e-14)
    assert_allclose(twice.loss_curve_, ten.loss_curve_)
    assert twice.n_iter_ == 5
    assert twice.t_ == ten.t_


@pytest.mark.parametrize("early_stopping", [False, True])
def test_warm_start_after_a_converged_fit_trains_again(data, early_stopping):
    # MLPRegressor carries its no-improvement count into a warm-started fit,
    # which then stops after one epoch: a regularization path would stall.
    X, y = data
    model = RegularizedMLPRegressor(
        (8,),
        solver="adam",
        learning_rate_init=0.01,
        alpha=1e-4,
        max_iter=300,
        n_iter_no_change=5,
        early_stopping=early_stopping,
        validation_fraction=0.25,
        random_state=0,
        warm_start=True,
    ).fit(X, y)
    first_iter, first_curve = model.n_iter_, list(model.loss_curve_)
    assert first_iter < 300
    model.set_params(alpha=0.05).fit(X, y)
    assert model.n_iter_ > 5 + 1
    assert model.loss_curve_ == first_curve + model.loss_curve_[first_iter:]
    assert len(model.loss_curve_) == first_iter + model.n_iter_
    assert model.t_ == len(model.loss_curve_) * (30 if early_stopping else 40)
    if early_stopping:
        this_fit = model.validation_scores_[first_iter:]
        assert len(this_fit) == model.n_iter_
        assert model.best_validation_score_ == max(this_fit)
    else:
        assert model.best_loss_ == min(model.loss_curve_)


def test_warm_start_full_batch_gd_resumes_the_article_loop(data):
    X, y = data
    params = dict(solver="gd", learning_rate_init=0.01, tol=0.0, weight_init="normal")
    ten = RegularizedMLPRegressor((5,), "tanh", max_iter=10, random_state=0, **params)
    ten.fit(X, y)
    twice = RegularizedMLPRegressor(
        (5,), "tanh", max_iter=5, random_state=0, warm_start=True, **params
    )
    twice.fit(X, y)
    twice.fit(X, y)
    for a, b in zip(ten.coefs_, twice.coefs_):
        assert_allclose(b, a, rtol=1e-12)
    # The second fit's first loss is the 6th loss of the uninterrupted run.
    assert_allclose(twice.loss_curve_, ten.loss_curve_[5:])


def test_without_warm_start_fit_starts_afresh(data):
    X, y = data
    model = RegularizedMLPRegressor((5,), "tanh", random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        first = [W.copy() for W in model.fit(X, y).coefs_]
        second = model.fit(X, y).coefs_
    for a, b in zip(first, second):
        assert_allclose(a, b)


def test_warm_start_rejects_a_changed_architecture(data):
    X, y = data
    model = RegularizedMLPRegressor((5,), warm_start=True, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    model.set_params(hidden_layer_sizes=(6,))
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        model.fit(X, y)


# -------------------------------------------------------------- early stopping
def test_early_stopping_restores_the_best_weights():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (60, 2))
    y = X[:, 0] + 0.5 * rng.randn(60)
    params = dict(
        hidden_layer_sizes=(200, 200),
        solver="adam",
        learning_rate_init=0.01,
        penalty=None,
        early_stopping=True,
        validation_fraction=0.25,
        max_iter=500,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = RegularizedMLPRegressor(**params).fit(X, y)
    # Over-parameterised on noisy data: the validation score peaks early.
    assert model.n_iter_ < 100
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.validation_scores_[-1] < model.best_validation_score_
    assert model.best_loss_ is None
    # Rebuild the held-out split (drawn after the initial weights).
    rng = check_random_state(0)
    initialize(ParameterLayout([2, 200, 200, 1]), "glorot_uniform", "relu", rng)
    _, X_val, _, y_val = train_test_split(X, y, random_state=rng, test_size=0.25)
    assert_allclose(
        r2_score(y_val, model.predict(X_val)), model.best_validation_score_, rtol=1e-10
    )


def test_early_stopping_needs_two_validation_samples():
    X = np.arange(10.0).reshape(-1, 1)
    model = RegularizedMLPRegressor(
        (3,), solver="adam", early_stopping=True, validation_fraction=0.1
    )
    with pytest.raises(ValueError, match="validation set is too small"):
        model.fit(X, X.ravel())


def test_no_validation_record_without_early_stopping(data):
    X, y = data
    model = RegularizedMLPRegressor((4,), max_iter=20, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)  # 'lbfgs': early stopping applies to stochastic solvers
    assert model.validation_scores_ is None
    assert model.best_validation_score_ is None
    assert model.best_loss_ == min(model.loss_curve_)


def test_batch_size_larger_than_the_data_is_clipped_with_a_warning(data):
    X, y = data
    model = RegularizedMLPRegressor((3,), solver="sgd", batch_size=1000)
    with pytest.warns(UserWarning, match="clipped"):
        model.partial_fit(X, y)


def test_partial_fit_after_switching_stochastic_solver(data):
    X, y = data
    model = RegularizedMLPRegressor((4,), solver="adam", random_state=0)
    model.partial_fit(X, y)
    model.set_params(solver="sgd", learning_rate_init=0.01)
    model.partial_fit(X, y)  # a fresh SGD optimizer; the counts carry on
    assert model.t_ == 2 * X.shape[0]
    assert len(model.loss_curve_) == 2
    assert np.isfinite(model.loss_)
    optimizer = model._stochastic_progress.optimizer
    assert isinstance(optimizer, SGDState)
    assert optimizer.lr == 0.01 and optimizer.learning_rate_init == 0.01
