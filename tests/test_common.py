"""scikit-learn's estimator checks on every public estimator and configuration."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_regnet import RegularizedMLPRegressor

PENALTIES = (None, "l1", "l2", "elasticnet")
SOLVERS = ("lbfgs", "adam", "sgd", "gd")


def _instance(penalty, solver):
    params = dict(penalty=penalty, solver=solver, random_state=0)
    if solver == "lbfgs" and penalty in ("l1", "elasticnet"):
        # check_sample_weight_equivalence compares predictions at rtol 1e-7 after
        # fitting 15 points with 30 features. Under the L1 split, L-BFGS-B stops
        # ~1e-6 away from the minimum on such an underdetermined fit (measured:
        # weighted vs repeated rows differ by 1e-7 to 1e-3 at the defaults, for
        # l2 as well on other seeds), which is rounding amplified, not a weighting
        # error; tests/test_mlp.py checks the equivalence on a well-posed fit.
        # These instances use a small, strongly regularized, tightly converged
        # network (still non-trivial: 7 and 17 non-zero weights on that data).
        params.update(
            hidden_layer_sizes=(10,),
            activation="tanh",
            alpha=0.1,
            l1_ratio=0.25,
            tol=1e-7,
            max_iter=1000,
        )
    return RegularizedMLPRegressor(**params)


def estimator_instances():
    """Every configuration the checks run on (new solvers/losses add theirs here)."""
    return [_instance(p, s) for s in SOLVERS for p in PENALTIES]


def expected_failed_checks(estimator):
    """Checks known to fail on a configuration, with the measured reason."""
    if estimator.solver == "lbfgs" and estimator.penalty == "l2":
        return {
            "check_sample_weight_equivalence_on_sparse_data": (
                "rounding amplified by L-BFGS on an underdetermined fit (see "
                "_instance): weighted and repeated sparse rows give gradients "
                "equal to 4e-16 but predictions 1.5e-8 apart after 59 iterations, "
                "where the check allows 1e-9 on a prediction of 2e-4 (dense: "
                "7e-10, inside it by luck; tol=1e-7 makes both fail). "
                "tests/test_sparse_float32.py checks sparse against dense."
            )
        }
    return {}


@parametrize_with_checks(
    estimator_instances(), expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
