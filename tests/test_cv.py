"""Tests of RegularizedMLPRegressorCV."""

import inspect

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_friedman1
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold

from sk_regnet import (
    RegularizedMLPRegressor,
    RegularizedMLPRegressorCV,
    _cv_base,
    _cv_folds,
    regularization_path,
)
from sk_regnet._network import forward

# Short fits on small explicit grids: they stop short, and the best alpha often
# sits at an end of the grid. A test about either warning uses pytest.warns,
# which still sees it.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings(
        "ignore:The best mean validation score is at the:UserWarning"
    ),
]


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(45, 3))
    y = X @ [1.0, -2.0, 0.0] + 0.5 * rng.normal(size=45)
    return X, y


def test_same_alpha_as_grid_search_when_both_reach_the_optimum(data):
    # A network without hidden layers and an L2 penalty is ridge regression:
    # convex, so warm and cold fits reach the same optimum and the scores of
    # the path equal GridSearchCV's fold by fold.
    X, y = data
    alphas = [1e-3, 1e-2, 1e-1, 1.0]
    folds = KFold(3, shuffle=True, random_state=0)
    params = dict(hidden_layer_sizes=(), penalty="l2", tol=1e-10, max_iter=500)
    cv = RegularizedMLPRegressorCV(
        **params, alphas=alphas, cv=folds, max_iter_warm=500, random_state=0
    ).fit(X, y)
    search = GridSearchCV(
        RegularizedMLPRegressor(**params, random_state=0),
        {"alpha": alphas},
        cv=folds,
        scoring="neg_mean_squared_error",
    ).fit(X, y)
    split_scores = np.array(
        [search.cv_results_[f"split{i}_test_score"] for i in range(3)]
    ).T
    # A fold's path stops past its minimum (NaN after): compare where it ran.
    ran = ~np.isnan(cv.mse_path_)
    assert ran[: int(np.argmin(-search.cv_results_["mean_test_score"])) + 1].all()
    assert_allclose(cv.mse_path_[ran], -split_scores[ran], rtol=1e-4)
    assert cv.alpha_ == search.best_params_["alpha"]
    assert_allclose(cv.best_score_, search.best_score_, rtol=1e-4)
    assert_allclose(cv.predict(X), search.predict(X), rtol=1e-4, atol=1e-6)


def test_fitted_attributes_and_refit_along_the_path(data):
    X, y = data
    cv = RegularizedMLPRegressorCV(
        (3,), "tanh", n_alphas=4, cv=3, max_iter=40, random_state=0
    ).fit(X, y)
    assert cv.alphas_.shape == (4,) and np.all(np.diff(cv.alphas_) > 0)
    for name in ("mse_path_", "nonzero_weights_path_", "selected_features_path_"):
        assert getattr(cv, name).shape == (4, 3)
    best = int(np.flatnonzero(cv.alphas_ == cv.alpha_)[0])
    # NaN: a fold's path stopped past its minimum; such an alpha is not chosen.
    mean = np.where(np.isnan(cv.mse_path_), np.inf, cv.mse_path_).mean(axis=1)
    assert best == int(np.argmin(mean))
    assert_allclose(cv.best_score_, -cv.mse_path_[best].mean())
    # The final network followed the path up to alpha_ (no cold fit at alpha_):
    # a cold first step at the grid's smallest alpha, warm steps after it.
    assert [s.alpha for s in cv.path_] == list(cv.alphas_[: best + 1])
    assert [s.warm_start for s in cv.path_] == [False] + [True] * best
    # n_iter_ counts every step of the path (the grid needs no fit).
    assert cv.n_iter_ == sum(s.n_iter for s in cv.path_) >= 1
    raw = forward(list(zip(cv.coefs_, cv.intercepts_)), X, "tanh").ravel()
    assert_allclose(cv.predict(X), raw)
    assert cv.n_features_in_ == 3 and cv.n_outputs_ == 1
    assert not hasattr(cv, "alpha")


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_final_network_is_not_worse_than_a_cold_fit_at_alpha_(penalty):
    # Issue 14: the final network (the path on all the data up to alpha_)
    # against a cold fit at alpha_ with the same parameters, by the mean test
    # MSE over six Friedman #1 draws (measured: l2 0.957, per draw 0.52-1.46;
    # l1 0.681, per draw 0.48-1.00).
    final, cold = [], []
    for seed in range(6):
        X, y = make_friedman1(1200, 10, noise=1.0, random_state=seed)
        X = (X - X[:200].mean(axis=0)) / X[:200].std(axis=0)
        y = (y - y[:200].mean()) / y[:200].std()
        params = dict(hidden_layer_sizes=(8,), penalty=penalty, random_state=seed)
        cv = RegularizedMLPRegressorCV(**params).fit(X[:200], y[:200])
        alone = RegularizedMLPRegressor(**params, alpha=cv.alpha_)
        alone.fit(X[:200], y[:200])
        for model, errors in ((cv, final), (alone, cold)):
            errors.append(np.mean((model.predict(X[200:]) - y[200:]) ** 2))
    assert np.mean(final) <= np.mean(cold)


def test_a_fold_stopped_early_is_continued_up_to_alpha_(data, monkeypatch):
    # With a hair-trigger stop every fold stops at its first rise; where the
    # mean (a stopped fold counted at its last error) is lowest past a stop,
    # that fold's path continues. Its scores are those of the path run
    # without stopping, and alpha_ has every fold's own score.
    X, y = data
    params = dict(
        hidden_layer_sizes=(3,), activation="tanh", n_alphas=8, eps=1e-3, cv=3
    )
    params.update(max_iter=60, random_state=0)  # n_jobs=1: the patched rule
    monkeypatch.setattr(_cv_folds, "_PATIENCE", 10**6)
    whole = RegularizedMLPRegressorCV(**params).fit(X, y)
    monkeypatch.setattr(_cv_folds, "_PATIENCE", 1)
    monkeypatch.setattr(_cv_folds, "_RISE", 0.0)
    continued = _record_continuations(monkeypatch)
    cv = RegularizedMLPRegressorCV(**params).fit(X, y)
    assert continued  # some fold's path was continued
    best = int(np.flatnonzero(cv.alphas_ == cv.alpha_)[0])
    assert np.isfinite(cv.mse_path_[best]).all()
    ran = ~np.isnan(cv.mse_path_)
    assert not ran.all()  # the folds did stop early
    assert_allclose(cv.mse_path_[ran], whole.mse_path_[ran])
    # A column is a prefix of the path: computed up to where it stopped.
    assert all(np.all(np.diff(column.astype(int)) <= 0) for column in ran.T)
    # The same choice; the final network does not depend on the folds.
    assert cv.alpha_ == whole.alpha_
    assert_allclose(cv.coefs_[0], whole.coefs_[0])


def test_results_do_not_depend_on_n_jobs(data):
    X, y = data
    params = dict(
        hidden_layer_sizes=(2,),
        alphas=[1e-3, 1e-1],
        cv=2,
        max_iter=20,
        random_state=1,
    )
    serial = RegularizedMLPRegressorCV(**params, n_jobs=1).fit(X, y)
    parallel = RegularizedMLPRegressorCV(**params, n_jobs=2).fit(X, y)
    assert_array_equal(serial.mse_path_, parallel.mse_path_)
    assert_array_equal(serial.coefs_[0], parallel.coefs_[0])


def test_unit_sample_weight_is_no_weight(data):
    X, y = data
    params = dict(
        hidden_layer_sizes=(2,), alphas=[1e-2, 1e-1], cv=2, max_iter=20, random_state=0
    )
    plain = RegularizedMLPRegressorCV(**params).fit(X, y)
    weighted = RegularizedMLPRegressorCV(**params).fit(X, y, np.ones(len(y)))
    assert_allclose(plain.mse_path_, weighted.mse_path_)


@pytest.mark.parametrize("zero_rows, part", [("first", "test"), ("second", "training")])
def test_a_fold_without_weight_is_a_clear_error(data, zero_rows, part):
    # Unshuffled 2-fold: fold 0 tests on the first half and trains on the
    # second.
    X, y = data
    folds = KFold(2)
    train, test = next(folds.split(X))
    weights = np.ones(len(y))
    weights[test if zero_rows == "first" else train] = 0.0
    model = RegularizedMLPRegressorCV((2,), alphas=[1e-2], cv=folds, max_iter=5)
    with pytest.raises(ValueError, match=f"every {part} row of CV fold 0"):
        model.fit(X, y, weights)


def test_groups_reach_the_splitter_with_metadata_routing(data):
    X, y = data
    groups = np.arange(len(y)) % 5
    params = dict(
        hidden_layer_sizes=(2,), alphas=[1e-2, 1e-1], max_iter=10, random_state=0
    )
    with sklearn.config_context(enable_metadata_routing=True):
        routed = RegularizedMLPRegressorCV(cv=GroupKFold(3), **params)
        routed.fit(X, y, groups=groups)
        # The same as handing over GroupKFold's folds.
        folds = list(GroupKFold(3).split(X, y, groups))
        given = RegularizedMLPRegressorCV(cv=folds, **params).fit(X, y)
    assert_array_equal(routed.mse_path_, given.mse_path_)
    assert routed.alpha_ == given.alpha_
    # Without routing, extra fit parameters are refused, as LassoCV does.
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        RegularizedMLPRegressorCV(cv=GroupKFold(3), **params).fit(X, y, groups=groups)


def test_multi_output(data):
    X, y = data
    Y = np.column_stack([y, -y])
    cv = RegularizedMLPRegressorCV(
        (2,), alphas=[1e-2, 1e-1], cv=2, max_iter=20, random_state=0
    ).fit(X, Y)
    assert cv.predict(X).shape == (45, 2)


def test_no_partial_fit():
    model = RegularizedMLPRegressorCV(solver="adam")
    assert not hasattr(model, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit") as error:
        model.partial_fit  # noqa: B018
    assert "alpha_" in str(error.value.__cause__)


def test_parameters_follow_the_base_estimator():
    base = set(inspect.signature(RegularizedMLPRegressor).parameters)
    cv = set(inspect.signature(RegularizedMLPRegressorCV).parameters)
    extra = {"alphas", "n_alphas", "eps", "cv", "n_jobs", "max_iter_warm"}
    assert cv == (base - {"alpha", "warm_start"}) | extra
    assert set(RegularizedMLPRegressorCV._parameter_constraints) == cv
    defaults = RegularizedMLPRegressor().get_params()
    for name, value in RegularizedMLPRegressorCV().get_params().items():
        if name in defaults:
            assert value == defaults[name], name


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alphas": [-0.1, 0.1]}, "non-negative"),
        ({"n_alphas": 0}, "n_alphas"),
        ({"cv": 1}, "n_splits"),
    ],
)
def test_bad_parameters(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        RegularizedMLPRegressorCV((2,), max_iter=5, **params).fit(X, y)


def test_fold_scores_and_sparsity_recomputed_independently():
    # Each column of mse_path_ is the sample-weighted validation MSE (mean over
    # outputs) of a warm-started path on that fold's training rows, and the
    # sparsity paths count that path's weights. Recomputed here from
    # regularization_path and a hand-written forward pass, with non-uniform
    # weights (zeros inside the test folds) and two outputs of different scale.
    rng = np.random.RandomState(3)
    X = rng.normal(size=(60, 4))
    Y = np.column_stack([X[:, 0] - X[:, 1], 10 * np.tanh(X[:, 2])])
    Y += 0.1 * rng.normal(size=Y.shape)
    weights = rng.randint(0, 4, size=60).astype(float)
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    for _, test in folds:
        assert np.any(weights[test] == 0) and np.any(weights[test] > 0)
    alphas = [1e-3, 3e-2, 0.3]
    params = dict(hidden_layer_sizes=(3,), activation="tanh", penalty="l1", max_iter=60)
    cv = RegularizedMLPRegressorCV(
        alphas=alphas, cv=folds, max_iter_warm=8, random_state=5, **params
    ).fit(X, Y, sample_weight=weights)
    seeds = np.random.RandomState(5).randint(np.iinfo(np.int32).max, size=4)
    for k, (train, test) in enumerate(folds):
        _, coefs, intercepts, steps = regularization_path(
            X[train],
            Y[train],
            alphas=alphas,
            sample_weight=weights[train],
            max_iter_warm=8,
            random_state=int(seeds[k]),
            **params,
        )
        for i in range(len(alphas)):
            hidden = np.tanh(X[test] @ coefs[0][i] + intercepts[0][i])
            errors = ((Y[test] - hidden @ coefs[1][i] - intercepts[1][i]) ** 2).mean(1)
            expected = np.average(errors, weights=weights[test])
            assert_allclose(cv.mse_path_[i, k], expected, rtol=1e-10)
            assert cv.mse_path_[i, k] != pytest.approx(errors.mean(), rel=1e-3)
            assert cv.nonzero_weights_path_[i, k] == steps[i].n_nonzero
            rows = np.abs(coefs[0][i]).sum(axis=1) > 0
            assert cv.selected_features_path_[i, k] == np.count_nonzero(rows)
    # The L1 path ends sparser than it starts, and uses fewer inputs.
    assert cv.nonzero_weights_path_[-1].sum() < cv.nonzero_weights_path_[0].sum()
    assert np.all(cv.selected_features_path_ <= 4)


def _record_continuations(monkeypatch, prepare=None):
    """Record where each continued fold had stopped (``prepare`` it first)."""
    continued = []
    continue_fold_path = _cv_base._continue_fold_path

    def spy(fold, *args):
        continued.append(fold.n_steps)
        if prepare is not None:
            prepare(fold)
        return continue_fold_path(fold, *args)

    monkeypatch.setattr(_cv_base, "_continue_fold_path", spy)
    return continued


def _continuing_data():
    # Short fits on a 20-alpha grid: a fold's path stops early and is
    # continued by the fit itself (no patched rule).
    rng = np.random.RandomState(9)
    X = rng.normal(size=(40, 20))
    y = X[:, 0] - 2 * X[:, 1] + rng.normal(size=40)
    params = dict(
        hidden_layer_sizes=(2,),
        penalty="l1",
        alphas=np.geomspace(1e-2, 3, 20),
        cv=3,
        max_iter=30,
        random_state=0,
    )
    return X, y, params


def test_continued_folds_do_not_depend_on_n_jobs(monkeypatch):
    X, y, params = _continuing_data()
    continued = _record_continuations(monkeypatch)
    serial = RegularizedMLPRegressorCV(**params, n_jobs=1).fit(X, y)
    assert continued  # the case continues a fold (checked in this process)
    parallel = RegularizedMLPRegressorCV(**params, n_jobs=2).fit(X, y)
    assert_array_equal(serial.mse_path_, parallel.mse_path_)
    assert_array_equal(serial.selection_frequency_, parallel.selection_frequency_)
    assert_allclose(serial.coefs_[0], parallel.coefs_[0])


def test_a_fold_handed_read_only_arrays_is_continued(monkeypatch):
    # joblib hands a worker large arrays (a continued fold's support of many
    # features) as read-only memmaps: the continuation must not write to them.
    X, y, params = _continuing_data()

    def read_only(fold):
        for array in (fold.errors, fold.n_nonzero, fold.n_features, fold.support):
            array.flags.writeable = False

    continued = _record_continuations(monkeypatch, prepare=read_only)
    cv = RegularizedMLPRegressorCV(**params).fit(X, y)
    assert continued
    monkeypatch.undo()
    expected = RegularizedMLPRegressorCV(**params).fit(X, y)
    assert_array_equal(cv.mse_path_, expected.mse_path_)


def test_many_sparse_features_with_two_jobs():
    # 20 alphas x 60 000 features of support per fold: over joblib's 1 MB
    # memmapping threshold when a stopped fold is continued in a worker.
    from scipy import sparse

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 20))
    y = X[:, 0] - 2 * X[:, 1] + rng.normal(size=40)
    X = sparse.hstack([sparse.csr_matrix(X), sparse.csr_matrix((40, 60_000))]).tocsr()
    params = dict(
        hidden_layer_sizes=(2,), penalty="l1", cv=3, max_iter=30, random_state=0
    )
    parallel = RegularizedMLPRegressorCV(**params, n_jobs=2).fit(X, y)
    serial = RegularizedMLPRegressorCV(**params, n_jobs=1).fit(X, y)
    assert parallel.alpha_ == serial.alpha_
    assert_array_equal(parallel.mse_path_, serial.mse_path_)
