"""Data-fit losses: values, gradients, and what each loss buys in a fit."""

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from autograd.test_util import check_grads
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sk_regnet import RegularizedMLPRegressor
from sk_regnet._losses import (
    LOSS_NAMES,
    CallableLoss,
    Huber,
    Poisson,
    SquaredError,
    get_loss,
)


@pytest.fixture
def arrays():
    rng = np.random.RandomState(0)
    y = rng.uniform(0, 3, size=(7, 2))
    raw = rng.randn(7, 2)
    sw = rng.uniform(0.1, 2.0, size=7)
    return y, raw, sw


def _reference_mean(per_entry, sw):
    per_sample = per_entry.mean(axis=1)
    return np.average(per_sample, weights=sw)


@pytest.mark.parametrize("weighted", [False, True])
def test_loss_values_match_their_formulas(arrays, weighted):
    y, raw, sw = arrays
    sw = sw if weighted else None
    r = y - raw
    delta = 0.7
    huber = np.where(np.abs(r) <= delta, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta))
    expected = {
        SquaredError(): r**2,
        Poisson(): np.exp(raw) - y * raw,
        Huber(delta): huber,
    }
    for loss, per_entry in expected.items():
        assert_allclose(loss.value(y, raw, sw), _reference_mean(per_entry, sw))


def test_integer_sample_weights_act_as_repeated_rows(arrays):
    y, raw, _ = arrays
    counts = np.array([0, 1, 2, 3, 1, 1, 2])
    for loss in (SquaredError(), Poisson(), Huber(0.5)):
        assert_allclose(
            loss.value(y, raw, counts.astype(float)),
            loss.value(np.repeat(y, counts, 0), np.repeat(raw, counts, 0)),
        )


@pytest.mark.parametrize("loss", [SquaredError(), Poisson(), Huber(0.5)])
def test_loss_gradients_match_finite_differences(arrays, loss):
    y, raw, sw = arrays
    check_grads(lambda f: loss.value(y, f, sw), modes=["rev"], order=1)(raw)


def test_poisson_gradient_is_prediction_minus_target(arrays):
    y, raw, _ = arrays
    g = grad(lambda f: Poisson().value(y, f))(raw)
    assert_allclose(g, (np.exp(raw) - y) / y.size)


def test_huber_is_quadratic_then_linear():
    loss = Huber(delta=1.0)
    y = np.zeros((1, 1))
    values = [loss.value(y, np.full((1, 1), r)) for r in (0.5, 1.0, 3.0, 5.0)]
    assert_allclose(values[0], 0.125)
    assert_allclose(values[1], 0.5)
    # Slope delta beyond the threshold: outliers pull with bounded force.
    assert_allclose(values[3] - values[2], 2.0)
    g = grad(lambda f: loss.value(y, f))
    assert_allclose(g(np.full((1, 1), 100.0)), 1.0)
    assert_allclose(g(np.full((1, 1), 1.0)), 1.0)


def test_inverse_links():
    raw = np.array([[-2.0], [0.0], [3.0]])
    assert_allclose(Poisson().inverse_link(raw), np.exp(raw))
    for loss in (SquaredError(), Huber(), CallableLoss(lambda *a: 0.0)):
        assert_allclose(loss.inverse_link(raw), raw)


def test_get_loss_maps_names_and_callables():
    assert [type(get_loss(name)) for name in LOSS_NAMES] == [
        SquaredError,
        Poisson,
        Huber,
    ]
    assert get_loss("huber", huber_delta=2.5).delta == 2.5
    assert get_loss(_log_cosh).func is _log_cosh
    with pytest.raises(ValueError, match="Unknown loss 'l1'"):
        get_loss("l1")


def _log_cosh(y_true, y_pred, sample_weight):
    return anp.mean(anp.log(anp.cosh(y_pred - y_true)))


# ------------------------------------------------------------ in an estimator
def test_poisson_predictions_are_positive_and_follow_the_rate():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(150, 2))
    rate = np.exp(1.0 + X[:, 0] - 0.5 * X[:, 1])
    y = rng.poisson(rate)
    model = RegularizedMLPRegressor(
        (5,), "tanh", loss="poisson", alpha=1e-4, random_state=0, max_iter=40
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    X_test = rng.uniform(-1, 1, size=(200, 2))
    true_rate = np.exp(1.0 + X_test[:, 0] - 0.5 * X_test[:, 1])
    pred = model.predict(X_test)
    assert np.all(pred > 0)
    assert np.corrcoef(pred, true_rate)[0, 1] > 0.95
    # Far outside the data the identity link would go negative; exp cannot.
    assert np.all(model.predict(np.full((3, 2), [-30.0, 30.0])) > 0)


def test_poisson_rejects_negative_targets():
    X = np.zeros((4, 1))
    with pytest.raises(ValueError, match="non-negative"):
        RegularizedMLPRegressor(loss="poisson").fit(X, [1.0, 0.0, -1.0, 2.0])


def test_huber_beats_squared_error_with_gross_outliers():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(100, 1))
    y = np.sin(2 * X[:, 0]) + 0.05 * rng.randn(100)
    outliers = rng.choice(100, size=10, replace=False)
    y_dirty = y.copy()
    y_dirty[outliers] += rng.choice([-1, 1], size=10) * rng.uniform(8, 12, size=10)
    X_test = np.linspace(-1, 1, 100).reshape(-1, 1)
    y_test = np.sin(2 * X_test[:, 0])
    errors = {}
    for loss in ("squared_error", "huber"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = RegularizedMLPRegressor(
                (6,),
                "tanh",
                loss=loss,
                huber_delta=0.5,
                solver="lbfgs",  # 50 quasi-Newton steps fit this curve
                random_state=0,
                max_iter=50,
            ).fit(X, y_dirty)
        errors[loss] = np.mean((model.predict(X_test) - y_test) ** 2)
    assert errors["huber"] < 0.1 * errors["squared_error"]
    assert errors["huber"] < 0.05


def test_huber_delta_changes_the_fit():
    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, size=(50, 1))
    y = X[:, 0] + rng.standard_cauchy(50)
    fits = [
        RegularizedMLPRegressor(
            (3,), "tanh", loss="huber", huber_delta=d, random_state=0, max_iter=30
        )
        for d in (0.1, 100.0)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        small, large = (m.fit(X, y).predict(X) for m in fits)
    assert np.max(np.abs(small - large)) > 0.1


def test_huber_delta_must_be_positive():
    X = np.zeros((4, 1))
    with pytest.raises(ValueError, match="huber_delta"):
        RegularizedMLPRegressor(loss="huber", huber_delta=0.0).fit(X, np.ones(4))
