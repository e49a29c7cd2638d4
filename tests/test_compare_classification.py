"""The classification comparison: its data, its task decision, rows and curves."""

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegressionCV

from sk_regnet import RegularizedMLPClassifierCV, experiments
from sk_regnet.experiments import DataError

TINY = {"alphas": [1e-3, 1e-1], "cv": 2, "hidden": (3,)}


def shop(n=80, seed=0, labels=("buy", "skip")):
    """``a`` and ``color`` decide the label; ``b`` and ``city`` do not.

    With three labels the score is cut in three.
    """
    rng = np.random.RandomState(seed)
    a, b = rng.normal(size=(2, n))
    color = rng.choice(["red", "green", "blue"], n)
    city = rng.choice(["Oslo", "Rome"], n)
    effect = {"red": 1.5, "green": -1.5, "blue": 0.0}
    score = 2 * a + np.array([effect[c] for c in color]) + rng.normal(0, 0.3, n)
    edges = np.quantile(score, np.linspace(0, 1, len(labels) + 1)[1:-1])
    y = np.array(labels, dtype=object)[np.searchsorted(edges, score)]
    return a, color, b, city, y


def write_shop(path, **kwargs):
    a, color, b, city, y = shop(**kwargs)
    lines = ["a,color,b,city,choice"] + [
        f"{v:.4f},{c},{w:.4f},{t},{label}"
        for v, c, w, t, label in zip(a, color, b, city, y)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_columns(path, **columns):
    names = list(columns)
    rows = zip(*columns.values())
    path.write_text(
        ",".join(names) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    )
    return path


# ------------------------------------------------------------------ data
def test_breast_cancer_is_a_stratified_classification_split():
    data = experiments.load_dataset("breast_cancer")
    assert data.task == "classification"
    # The 75/25 split of issue 15's anchors, stratified by the class codes.
    assert data.X_train.shape == (426, 30) and data.X_test.shape == (143, 30)
    assert_array_equal(data.classes, ["benign", "malignant"])
    share = np.mean(data.y_test == "malignant")
    assert abs(share - np.mean(data.y_train == "malignant")) < 0.01
    assert data.describe() == (
        "breast_cancer (426 train / 143 test samples, 30 feature(s), target "
        "diagnosis: 2 classes (benign, malignant))"
    )
    other = experiments.load_dataset("breast_cancer", seed=1, test_size=0.2)
    assert other.X_test.shape[0] == 114
    assert not np.array_equal(other.y_test, data.y_test[:114])


@pytest.mark.parametrize(
    "target, task, expected, labels",
    [
        (["yes", "no"] * 6, "auto", "classification", ["no", "yes"]),
        ([0.0, 1.0] * 6, "auto", "classification", [0, 1]),
        ([1.0, 2.0, 3.0] * 4, "auto", "classification", [1, 2, 3]),
        ([0.5, 1.25, 3.0] * 4, "auto", "regression", None),
        ([0.0, 1.0] * 6, "regression", "regression", None),
        ([1.0, 2.0, 3.0] * 4, "classification", "classification", [1, 2, 3]),
    ],
)
def test_the_task_follows_the_target_unless_forced(
    tmp_path, target, task, expected, labels
):
    rng = np.random.RandomState(0)
    path = write_columns(tmp_path / "t.csv", x=rng.normal(size=12), y=target)
    data = experiments.load_csv(path, "y", task=task, test_size=0.5)
    assert data.task == expected
    if labels is None:
        assert data.classes is None and data.y_train.dtype == float
    else:
        assert data.classes.tolist() == labels
        # Whole numbers become integer labels; the split is stratified.
        assert sorted(set(data.y_test.tolist())) == labels


@pytest.mark.parametrize(
    "target, task, match",
    [
        (
            ["yes", "no", "high"] * 4,
            "regression",
            r"target column 'y' is not numeric \(line 2: 'yes'\); regression "
            "needs numbers",
        ),
        (
            [0.5, 1.25, 3.0] * 4,
            "classification",
            r"'y' is continuous \(e.g. 0.5\), not class labels",
        ),
        (["yes"] * 12, "auto", r"the target 'y' has a single class \('yes'\)"),
        ([1.0] * 12, "auto", r"single class \(1\).*pass --task regression"),
        # A stratified split puts each class in both parts.
        (
            ["a"] * 11 + ["b"],
            "auto",
            r"1 of the 2 classes of the target 'y' have fewer than 2 rows \('b'\): "
            "a stratified split needs one in each part",
        ),
        # Whole-number targets of many values read as classes: the message
        # says how to predict them as numbers.
        (
            list(range(12)),
            "auto",
            r"12 of the 12 classes .* \(0, 1, 2, 3, 4 and 7 more\).*"
            "pass --task regression to predict them as numbers",
        ),
    ],
)
def test_a_target_that_does_not_fit_its_task_is_named(tmp_path, target, task, match):
    rng = np.random.RandomState(0)
    path = write_columns(tmp_path / "t.csv", x=rng.normal(size=12), y=target)
    with pytest.raises(DataError, match=match):
        experiments.load_csv(path, "y", task=task)


def test_more_classes_than_test_rows_is_a_data_error(tmp_path):
    path = write_columns(
        tmp_path / "t.csv", x=np.arange(12), y=["a", "b", "c", "d"] * 3
    )
    with pytest.raises(DataError, match="at least one row of each of the 4 classes"):
        experiments.load_csv(path, "y", test_size=0.2)


def test_read_csv_keeps_a_text_target_as_labels(tmp_path):
    path = write_shop(tmp_path / "shop.csv", n=20)
    X, y, names = experiments.read_csv(path, "choice")
    assert names == ["a", "color", "b", "city"]
    assert y.dtype == object and set(y) == {"buy", "skip"}
    X, y, names = experiments.read_csv(path, "a")
    assert y.dtype == float


# ------------------------------------------------------------ comparison
@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    path = write_shop(tmp_path_factory.mktemp("shop") / "shop.csv")
    data = experiments.load_csv(path, "choice", seed=0)
    return experiments.compare(data, **TINY)


def test_classification_rows_and_curves(tiny_run):
    result = tiny_run
    assert result.task == "classification"
    rows = {row["model"]: row for row in result.rows}
    assert list(rows) == [
        "network l2",
        "network l1",
        "network group_lasso",
        "network group_lasso adaptive",
        "LogisticRegressionCV l2",
        "LogisticRegressionCV l1",
    ]
    data = result.dataset
    names = data.feature_names
    for name, row in rows.items():
        assert {"test_log_loss", "test_accuracy", "train_log_loss"} <= set(row)
        assert "test_mse" not in row
        model = result.models[name]
        proba = model.predict_proba(data.X_test)
        truth = [list(model.classes_).index(label) for label in data.y_test]
        picked = proba[np.arange(len(proba)), truth]
        assert_allclose(row["test_log_loss"], -np.mean(np.log(picked)))
        assert row["test_accuracy"] == np.mean(
            model.predict(data.X_test) == data.y_test
        )
        # Every row that selects features lists them, by original column.
        sparse = name.endswith(("l1", "group_lasso", "adaptive"))
        assert (row["kept"] is not None) == sparse, name
        if sparse:
            assert row["kept"] == [n for n in names if n in row["kept"]]
    net = result.models["network l1"][-1]
    assert isinstance(net, RegularizedMLPClassifierCV)
    curve = result.curves["l1"]
    assert_allclose(curve["cv_log_loss"], -net.scores_path_.mean(axis=1))
    assert curve["alpha"] == net.alpha_ == rows["network l1"]["alpha"]
    assert "cv_mse" not in curve
    assert set(result.curves) == {"l2", "l1", "group_lasso", "group_lasso adaptive"}
    # The folds are stratified and shuffled, seeded.
    assert type(net.cv).__name__ == "StratifiedKFold" and net.cv.shuffle


def test_classification_baselines_on_the_networks_scale(tiny_run):
    result = tiny_run
    n = result.dataset.X_train.shape[0]
    for penalty, factor in (("l2", 2.0), ("l1", 1.0)):
        row = next(r for r in result.rows if r["model"].endswith(f"CV {penalty}"))
        logistic = result.models[row["model"]][-1]
        assert isinstance(logistic, LogisticRegressionCV)
        assert logistic.scoring == "neg_log_loss"
        # sklearn's C * sum(loss) + P/2 (L2) or + |w|_1 (L1), over C * n.
        assert_allclose(
            row["alpha"], 1 / (factor * float(np.ravel(logistic.C_)[0]) * n)
        )
        assert row["nonzero_weights"] == np.count_nonzero(logistic.coef_)
    l1 = result.models["LogisticRegressionCV l1"][-1]
    kept = next(r for r in result.rows if r["model"] == "LogisticRegressionCV l1")
    # One-hot columns of a categorical column count as that column.
    assert len(kept["kept"]) <= 4 and l1.coef_.shape[1] == 2 + 3 + 2


def test_classification_json(tiny_run):
    d = json.loads(json.dumps(tiny_run.to_dict(), allow_nan=False))
    assert d["dataset"]["task"] == "classification"
    assert d["dataset"]["classes"] == ["buy", "skip"]
    assert d["dataset"]["categories"] == {
        "color": ["blue", "green", "red"],
        "city": ["Oslo", "Rome"],
    }
    assert d["settings"]["task"] == "classification"
    assert d["settings"]["adaptive_group_lasso"] is True
    assert d["settings"]["penalties"] == ["l2", "l1", "group_lasso"]
    curve = d["validation_curves"]["group_lasso"]
    assert set(curve) == {
        "alphas",
        "cv_log_loss",
        "alpha",
        "alpha_index",
        "n_alphas",
        "grid_end",
    }
    assert d["rows"][0]["model"] == "network l2"


def test_multiclass_comparison(tmp_path):
    labels = ("low", "mid", "high")
    path = write_shop(tmp_path / "three.csv", n=90, labels=labels)
    data = experiments.load_csv(path, "choice", seed=1)
    assert data.classes.tolist() == sorted(labels)
    result = experiments.compare(
        data, penalties=["l1"], adaptive=False, alphas=[0.01], cv=3, hidden=(3,)
    )
    rows = {row["model"]: row for row in result.rows}
    assert list(rows) == [
        "network l1",
        "LogisticRegressionCV l2",
        "LogisticRegressionCV l1",
    ]
    for name, row in rows.items():
        assert result.models[name].predict_proba(data.X_test).shape[1] == 3
        # Better than the class frequencies (log 3 = 1.10).
        assert row["test_log_loss"] < 1.0, name
    assert result.models["LogisticRegressionCV l1"][-1].solver == "saga"


def test_a_class_too_rare_for_the_folds_is_a_data_error(tmp_path):
    y = ["a"] * 20 + ["b"] * 4
    path = write_columns(tmp_path / "rare.csv", x=np.arange(24), y=y)
    data = experiments.load_csv(path, "y", test_size=0.25, seed=0)
    assert np.sum(data.y_train == "b") == 3
    with pytest.raises(DataError, match=r"\('b'\) among the training rows.*--cv"):
        experiments.compare(data, cv=5, hidden=(2,), alphas=[0.1])


def test_regression_defaults_are_unchanged_by_the_task_split():
    # The same run from the facade and from the regression task.
    data = experiments.load_dataset("article")
    result = experiments.compare(data, penalties=["l1"], baselines=False, **TINY)
    assert result.task == "regression"
    assert result.settings["task"] == "regression"
    assert [row["model"] for row in result.rows][3:] == ["network l1"]
    assert "test_mse" in result.rows[3] and "cv_mse" in result.curves["l1"]
