"""Feature selection: importances, selection attributes, SelectFromModel, Friedman #1."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_regnet import RegularizedMLPRegressor

FISTA = dict(activation="tanh", penalty="group_lasso", solver="fista", random_state=0)


@pytest.fixture(scope="module")
def sparse_data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(80, 6))
    y = np.sin(2 * X[:, 0]) + np.exp(X[:, 1]) - X[:, 4] + 0.05 * rng.randn(80)
    return X, y


@pytest.fixture(scope="module")
def sparse_model(sparse_data):
    X, y = sparse_data
    return RegularizedMLPRegressor((6,), alpha=0.03, max_iter=300, **FISTA).fit(X, y)


def test_feature_importances(sparse_model):
    imp = sparse_model.feature_importances_
    norms = np.linalg.norm(sparse_model.coefs_[0], axis=1)
    assert imp.shape == (6,)
    assert np.all(imp >= 0)
    assert_allclose(imp.sum(), 1.0)
    assert_allclose(imp, norms / norms.sum())
    assert np.array_equal(imp == 0, np.all(sparse_model.coefs_[0] == 0, axis=1))
    assert np.flatnonzero(imp).tolist() == [0, 1, 4]
    assert sparse_model.n_features_selected_ == 3
    assert sparse_model.group_support_.tolist() == [1, 1, 0, 0, 1, 0]


def test_importances_all_zero_when_everything_is_dropped(sparse_data):
    X, y = sparse_data
    model = RegularizedMLPRegressor((4,), alpha=50.0, max_iter=50, **FISTA).fit(X, y)
    assert model.n_features_selected_ == 0
    assert np.array_equal(model.feature_importances_, np.zeros(6))


def test_importances_need_a_fitted_model():
    model = RegularizedMLPRegressor()
    assert not hasattr(model, "feature_importances_")
    assert not hasattr(model, "n_features_selected_")


# The max_iter=5 fit only has to exist (to refuse the names): it stops short.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_selected_feature_names_from_dataframe(sparse_data):
    X, y = sparse_data
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(6)])
    model = RegularizedMLPRegressor((6,), alpha=0.03, max_iter=300, **FISTA).fit(df, y)
    assert model.selected_feature_names_.tolist() == ["x0", "x1", "x4"]
    with pytest.raises(AttributeError, match="DataFrame"):
        _ = RegularizedMLPRegressor((2,), max_iter=5).fit(X, y).selected_feature_names_


def test_groups_enter_and_leave_together(sparse_data):
    X, y = sparse_data
    groups = [[0, 2], [1], [3, 5]]  # column 4 in no group: never penalised
    groups_copy = [list(g) for g in groups]
    X_copy = X.copy()
    model = RegularizedMLPRegressor(
        (6,), alpha=0.05, groups=groups, max_iter=300, **FISTA
    ).fit(X, y)
    W = model.coefs_[0]
    kept = np.any(W != 0, axis=1)
    for g in groups:
        assert len(set(kept[g])) == 1  # all or none of a group
    assert model.group_support_.tolist() == [True, True, False]
    assert kept[4]  # unpenalised column stays
    assert groups == groups_copy and np.array_equal(X, X_copy)  # inputs untouched


def test_group_weights_validation_and_effect(sparse_data):
    X, y = sparse_data
    for bad in ([1.0, 2.0], [1, 1, 1, 1, 1, -1], [1, 1, 1, 1, 1, np.inf]):
        model = RegularizedMLPRegressor(group_weights=bad, **FISTA)
        with pytest.raises(ValueError, match="group_weights"):
            model.fit(X, y)
    # a heavy weight on an informative feature drops it, a light one keeps it
    weights = np.ones(6)
    weights[4] = 100.0
    model = RegularizedMLPRegressor(
        (6,), alpha=0.03, group_weights=weights, max_iter=300, **FISTA
    ).fit(X, y)
    assert model.feature_importances_[4] == 0
    assert model.feature_importances_[0] > 0


def test_select_from_model(sparse_data, sparse_model):
    X, y = sparse_data
    exact = SelectFromModel(sparse_model, threshold=1e-12, prefit=True)
    assert np.array_equal(exact.get_support(), sparse_model.feature_importances_ > 0)
    assert exact.transform(X).shape == (80, 3)
    # the default threshold for this estimator is the mean importance
    default = SelectFromModel(sparse_model, prefit=True)
    imp = sparse_model.feature_importances_
    assert np.array_equal(default.get_support(), imp >= imp.mean())


# Short (max_iter=60) selector fits inside the search: they stop short.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_select_from_model_pipeline_in_grid_search(sparse_data):
    X, y = sparse_data
    pipe = make_pipeline(
        StandardScaler(),
        SelectFromModel(
            RegularizedMLPRegressor((4,), max_iter=60, **FISTA), threshold=1e-12
        ),
        Ridge(),
    )
    search = GridSearchCV(
        pipe,
        {"selectfrommodel__estimator__alpha": [0.01, 0.1]},
        cv=2,
    ).fit(X, y)
    best = search.best_estimator_
    selector = best.named_steps["selectfrommodel"]
    assert selector.get_support().sum() > 0
    assert np.isfinite(search.best_score_)
    assert best.predict(X).shape == (80,)


# Friedman #1 selection by the adaptive group lasso, with the automatic grid
# and nothing tuned to the data set: tests/test_adaptive.py.


# A two-alpha grid: the best may sit at its end.
@pytest.mark.filterwarnings(
    "ignore:The best mean validation score is at the:UserWarning"
)
def test_cv_estimator_and_path_with_group_lasso(sparse_data):
    # The CV estimator takes the new parameters, and the path reports the
    # group-lasso objective (with groups, weights and deep_l2) at each alpha.
    from sk_regnet import RegularizedMLPRegressorCV, regularization_path

    X, y = sparse_data
    params = dict(
        hidden_layer_sizes=(6,),
        activation="tanh",
        penalty="group_lasso",
        solver="fista",
        groups=[[0], [1], [2, 3], [5]],
        group_weights=[1.0, 1.0, 2.0, 2.0],
        deep_l2=0.5,
        max_iter=200,
        random_state=0,
    )
    cv = RegularizedMLPRegressorCV(alphas=[0.003, 0.03], cv=2, **params).fit(X, y)
    assert cv.mse_path_.shape == (2, 2) and np.all(np.isfinite(cv.mse_path_))
    assert cv.group_support_.shape == (4,)  # one entry per user group
    alphas, coefs, intercepts, steps = regularization_path(
        X, y, alphas=[0.003, 0.03], **params
    )
    # data_loss (= J - alpha * P) must be the plain MSE of that step's model,
    # which holds only if P is the estimator's group-lasso penalty
    hidden = np.tanh(X @ coefs[0][-1] + intercepts[0][-1])
    pred = (hidden @ coefs[1][-1] + intercepts[1][-1]).ravel()
    assert_allclose(steps[-1].data_loss, np.mean((y - pred) ** 2), rtol=1e-8)
    assert steps[-1].n_features == int(np.any(coefs[0][-1] != 0, axis=1).sum())
