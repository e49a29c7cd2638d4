"""The blog article's numbers reproduce exactly through the estimator."""

import numpy as np
from numpy.testing import assert_allclose

from sk_regnet.experiments import ARTICLE_MODELS, article_data, article_model

# Test MSEs printed by the article's own code (shared/reference/article_example.py).
ARTICLE_TEST_MSE = (0.040118093684423727, 0.10542759258095236, 0.09386316314562934)


def test_article_reproduces_exactly():
    X_train, X_test, y_train, y_test = article_data()
    mses = []
    # In sequence, all drawing from the global generator, as the article does.
    for penalty, alpha in ARTICLE_MODELS:
        model = article_model(penalty, alpha).fit(X_train, y_train)
        assert model.n_iter_ == 500
        mses.append(np.mean((y_test - model.predict(X_test)) ** 2))
    assert_allclose(mses, ARTICLE_TEST_MSE, rtol=1e-6)


def test_normal_init_draws_only_the_weights():
    X_train, _, y_train, _ = article_data()
    np.random.seed(1)
    expected_W1 = np.random.randn(1, 10)
    expected_W2 = np.random.randn(10, 1)
    after = np.random.rand()
    np.random.seed(1)
    # One step of size 1e-12 leaves the initial weights in place to ~1e-12.
    model = article_model(None, 0.0).set_params(max_iter=1, learning_rate_init=1e-12)
    model.fit(X_train, y_train)
    assert_allclose(model.coefs_[0], expected_W1, atol=1e-10)
    assert_allclose(model.coefs_[1], expected_W2, atol=1e-10)
    assert_allclose(model.intercepts_[0], 0.0, atol=1e-10)
    # 'gd' drew nothing else from the global generator.
    assert np.random.rand() == after
