"""Groups given by column name, row sums and group importances (``_groups``)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sk_regnet import RegularizedMLPRegressor
from sk_regnet._groups import (
    group_importances,
    input_moments,
    merge_moments,
    resolve_groups,
)
from sk_regnet._penalties import check_groups

# Short fits throughout: whether they reach tol is not what these tests check.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

CATEGORICAL = ["color", "shape", "noise"]
NUMERIC = ["x1", "x2"]


def _frame(n=300, seed=0):
    """Two informative categoricals, one pure-noise one with many levels,
    one informative and one noise numeric column; ``shape`` has a rare level
    ``'rare'`` in a single row."""
    rng = np.random.default_rng(seed)
    color = rng.choice(["red", "green", "blue"], n)
    shape = rng.choice(["a", "b", "c"], n)
    shape[n // 2] = "rare"
    noise = rng.choice([f"l{i}" for i in range(15)], n)
    x1, x2 = rng.normal(size=(2, n))
    y = (
        2.0 * (color == "red")
        - 1.5 * (shape == "b")
        + np.sin(2 * x1)
        + 0.3 * rng.normal(size=n)
    )
    X = pd.DataFrame({"color": color, "shape": shape, "noise": noise})
    X["x1"], X["x2"] = x1, x2
    return X, (y - y.mean()) / y.std()


def _pipeline(groups=CATEGORICAL + NUMERIC, **params):
    encode = ColumnTransformer(
        [
            (
                "cat",
                OneHotEncoder(sparse_output=False, handle_unknown="ignore"),
                CATEGORICAL,
            ),
            ("num", StandardScaler(), NUMERIC),
        ]
    )
    model = RegularizedMLPRegressor(
        (16,), penalty="group_lasso", groups=groups, random_state=0, **params
    )
    return Pipeline([("encode", encode), ("model", model)]).set_output(
        transform="pandas"
    )


def test_names_resolved_in_a_pipeline():
    X, y = _frame()
    model = _pipeline().fit(X, y)[-1]
    names = model.feature_names_in_
    expected = np.array(
        [(CATEGORICAL + NUMERIC).index(f.split("__")[1].split("_")[0]) for f in names]
    )
    assert_array_equal(model._group_ids, expected)
    assert model.group_support_.shape == model.group_importances_.shape == (5,)
    # One-hot columns never share a row: no block of X^T X is kept for them.
    assert_array_equal(model._input_moments["exclusive"], True)


def test_names_match_index_lists():
    # Resolving names gives exactly the index lists a user would compute.
    X, y = _frame()
    by_name = _pipeline(max_iter=30).fit(X, y)
    encoded = by_name[0].transform(X)
    ids = by_name[-1]._group_ids
    lists = [list(np.flatnonzero(ids == g)) for g in range(5)]
    by_index = RegularizedMLPRegressor(
        (16,), penalty="group_lasso", groups=lists, random_state=0, max_iter=30
    ).fit(encoded.to_numpy(), y)
    assert_allclose(by_name[-1].coefs_[0], by_index.coefs_[0])


def test_cross_validation_with_a_level_missing_from_a_fold():
    X, y = _frame()
    folds = KFold(5, shuffle=True, random_state=0)
    # The rare level is absent from the training rows of one fold, whose
    # encoding then has one column fewer.
    assert any("rare" not in set(X["shape"].iloc[train]) for train, _ in folds.split(X))
    scores = cross_val_score(_pipeline(max_iter=50), X, y, cv=folds)
    assert np.all(np.isfinite(scores))


def test_noise_categorical_gets_a_small_group_importance():
    X, y = _frame(n=400)
    # alpha chosen by cross-validation (on the pipeline, names resolved in
    # every fold), not set for this data set.
    search = GridSearchCV(
        _pipeline(), {"model__alpha": [1e-4, 1e-3, 1e-2, 1e-1]}, cv=3
    ).fit(X, y)
    model = search.best_estimator_[-1]
    importance = model.group_importances_
    assert_allclose(importance.sum(), 1.0)
    noise = CATEGORICAL.index("noise")
    informative = [CATEGORICAL.index("color"), CATEGORICAL.index("shape"), 3]
    assert importance[noise] < importance[informative].min()
    # Far below its share when the per-column importances are summed.
    per_column = np.bincount(model._group_ids, model.feature_importances_)
    assert importance[noise] < 0.3 * per_column[noise]


def _std_of_contributions(X, W, ids, n_groups, sample_weight=None):
    """The importances by their definition, on the data themselves."""
    out = np.zeros(n_groups)
    for g in range(n_groups):
        part = X[:, ids == g] @ W[ids == g]
        mean = np.average(part, axis=0, weights=sample_weight)
        sq = np.sum((part - mean) ** 2, axis=1)
        out[g] = np.sqrt(np.average(sq, weights=sample_weight))
    return out / out.sum()


@pytest.mark.parametrize("to_sparse", [np.asarray, sp.csr_matrix, sp.csc_matrix])
def test_group_importances_by_definition(to_sparse):
    # One-hot columns (exclusive), a correlated pair, a constant column, a
    # column in no group; weighted rows.
    rng = np.random.default_rng(0)
    levels = rng.integers(0, 4, size=60)
    a = rng.normal(size=60)
    X = np.column_stack(
        [np.eye(4)[levels], a, a + 0.3 * rng.normal(size=60), np.full(60, 2.0), a]
    )
    ids = np.array([0, 0, 0, 0, 1, 1, 2, -1])
    W = rng.normal(size=(8, 3))
    sw = rng.uniform(0.5, 2.0, size=60)
    moments = input_moments(to_sparse(X), ids, 3, sw)
    assert_array_equal(moments["exclusive"], [True, False, True])
    got = group_importances(W, ids, 3, moments)
    expected = _std_of_contributions(X, W, ids, 3, sw)
    assert_allclose(got, expected, atol=1e-12)
    assert got[2] == 0.0  # a constant column moves nothing
    # Adding one vector to every one-hot row is a bias shift: no change.
    shifted = W.copy()
    shifted[:4] += 10.0 * rng.normal(size=3)
    assert_allclose(group_importances(shifted, ids, 3, moments), got, atol=1e-12)
    # Two batches give the moments of all the rows.
    halves = [
        input_moments(to_sparse(X[r]), ids, 3, sw[r])
        for r in (slice(0, 30), slice(30, None))
    ]
    merged = merge_moments(*halves, ids)
    assert_allclose(group_importances(W, ids, 3, merged), got, atol=1e-12)
    # Without moments: Frobenius norms of the groups' rows.
    plain = np.array([np.linalg.norm(W[ids == g]) for g in range(3)])
    assert_allclose(group_importances(W, ids, 3), plain / plain.sum())
    assert_array_equal(group_importances(np.zeros((8, 3)), ids, 3, moments), 0.0)


def test_merge_when_a_batch_looks_exclusive():
    # A first batch where a group's columns never share a row, then one
    # where they do: the merged block is exact.
    X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0], [3.0, -1.0]])
    ids = np.array([0, 0])
    W = np.array([[1.0, 2.0], [-1.0, 0.5]])
    first, second = input_moments(X[:2], ids, 1), input_moments(X[2:], ids, 1)
    assert first["exclusive"][0] and not second["exclusive"][0]
    merged = merge_moments(first, second, ids)
    assert_allclose(merged["blocks"][0], X.T @ X)
    assert_allclose(
        group_importances(W, ids, 1, merged),
        group_importances(W, ids, 1, input_moments(X, ids, 1)),
    )


def test_bias_shift_in_a_fitted_model():
    # Shifting the one-hot rows of coefs_[0] (and the biases back) keeps the
    # predictions and group_importances_.
    X, y = _frame()
    pipe = _pipeline(max_iter=50).fit(X, y)
    model = pipe[-1]
    before_pred, before = pipe.predict(X), model.group_importances_
    rows = model._group_ids == CATEGORICAL.index("noise")
    shift = np.full(model.coefs_[0].shape[1], 0.5)
    model.coefs_[0][rows] += shift
    model.intercepts_[0] -= shift  # the noise columns sum to 1 on every row
    assert_allclose(pipe.predict(X), before_pred, atol=1e-10)
    assert_allclose(model.group_importances_, before, atol=1e-12)


def test_partial_fit_accumulates_the_moments():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X[:, 0]
    model = RegularizedMLPRegressor(
        (4,), penalty="group_lasso", groups=[[0, 1], [2]], solver="adam"
    )
    for rows in (slice(0, 1), slice(1, 20), slice(20, None)):
        model.partial_fit(X[rows], y[rows])
    whole = input_moments(X, model._group_ids, 2)
    assert_allclose(
        model.group_importances_,
        group_importances(model.coefs_[0], model._group_ids, 2, whole),
    )


def test_a_constant_column_has_no_importance():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=50), np.full(50, 3.0)])
    model = RegularizedMLPRegressor((4,), penalty="group_lasso", max_iter=20)
    model.fit(X, X[:, 0])
    assert model.group_importances_[1] == 0.0
    assert model.feature_importances_[1] > 0.0


@pytest.mark.parametrize(
    "features, groups, expected",
    [
        # ColumnTransformer prefixes and OneHotEncoder levels.
        (["cat__a_x", "cat__a_y", "num__b"], ["a", "b"], [0, 0, 1]),
        # Without prefixes.
        (["a_x", "a_y", "b"], ["a", "b"], [0, 0, 1]),
        # The longest name wins; unnamed features stay out of every group.
        (["size_s", "size_m", "size_cm", "z"], ["size", "size_cm"], [0, 0, 1, -1]),
        # A transformer named like a column is a prefix, not a level.
        (["a__b_x", "a__c"], ["a", "b", "c"], None),
        (["a__b_x", "a__c"], ["b", "c"], [0, 1]),
        # A list of names is one group; nested ColumnTransformers.
        (["o__i__a_1", "o__i__b", "c"], [["a", "b"], "c"], [0, 0, 1]),
    ],
)
def test_resolve_names(features, groups, expected):
    names = np.array(features, dtype=object)
    if expected is None:
        with pytest.raises(ValueError, match="'a', which matches no feature"):
            resolve_groups(groups, len(features), names)
        return
    ids, n_groups = resolve_groups(groups, len(features), names)
    assert_array_equal(ids, expected)
    assert n_groups == len(groups)


def test_index_lists_unchanged():
    for groups in (None, [[0, 2], [1]], [[1]]):
        got, want = resolve_groups(groups, 3, None), check_groups(groups, 3)
        assert_array_equal(got[0], want[0])
        assert got[1] == want[1]


def test_unknown_name():
    X, y = _frame()
    with pytest.raises(ValueError, match="'colour', which matches no feature"):
        _pipeline(groups=["colour", "shape"]).fit(X, y)


def test_no_feature_names():
    X, y = _frame()
    pipe = _pipeline().set_output(transform="default")
    with pytest.raises(ValueError, match=r"no feature names.*set_output"):
        pipe.fit(X, y)
    model = RegularizedMLPRegressor(penalty="group_lasso", groups=["a"])
    with pytest.raises(ValueError, match="no feature names"):
        model.fit(np.ones((5, 2)), np.arange(5.0))


@pytest.mark.parametrize(
    "groups", [["color", [0, 1]], [[0], "color"], [["color", 3]], [[0, "shape"]]]
)
def test_mixed_names_and_indices(groups):
    X, y = _frame()
    with pytest.raises(ValueError, match="mixes column names and"):
        _pipeline(groups=groups).fit(X, y)


@pytest.mark.parametrize(
    "groups, match",
    [
        (["color", "color"], "'color' is in groups\\[0\\] and groups\\[1\\]"),
        (["color", []], "groups\\[1\\] is empty"),
        (["color", ""], "empty column name"),
    ],
)
def test_bad_names(groups, match):
    X, y = _frame()
    with pytest.raises(ValueError, match=match):
        _pipeline(groups=groups).fit(X, y)


def test_names_with_the_adaptive_group_lasso():
    X, y = _frame()
    model = _pipeline(group_weights="adaptive", max_iter=30).fit(X, y)[-1]
    assert model.group_weights_.shape == (5,)


def test_cv_estimator_resolves_names_once_for_its_folds():
    # The folds and the final network see arrays; the names reach them as
    # index lists in the order of groups.
    from sk_regnet import RegularizedMLPRegressorCV

    X, y = _frame()
    encode = _pipeline()[:-1].fit(X)
    Xe = encode.transform(X)
    model = RegularizedMLPRegressorCV(
        (8,), penalty="group_lasso", groups=CATEGORICAL + NUMERIC, cv=3, random_state=0
    ).fit(Xe, y)
    ids, n_groups = resolve_groups(CATEGORICAL + NUMERIC, Xe.shape[1], Xe.columns)
    assert n_groups == 5 and model.group_support_.shape == (5,)
    params = model._base_params(0)
    assert params["groups"] == [np.flatnonzero(ids == g).tolist() for g in range(5)]
    # The informative categoricals are kept.
    assert model.group_support_[:2].all()
