"""The exercises' solutions, the lecture's formulas written out independently of npfl_helpers,
and small helpers shared by the tests of npfl_helpers.exercises (tests/test_exercises_*.py)."""

import numpy as np

from npfl_helpers import exercises as ex


def minibatch_variance_ok(sigma2, N, m):
    return sigma2 / m * (N - m) / (N - 1)


def filter_normalize_ok(D, W):
    return D / np.linalg.norm(D, axis=0) * np.linalg.norm(W, axis=0)


def tanh_backward_ok(h, g_h):
    return g_h * (1 - h**2)


def softmax_rows(a):
    p = np.exp(a - a.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def mlp_backward_ok(X, y, W1, b1, W2, b2):
    h1 = np.tanh(X @ W1 + b1)
    p = softmax_rows(h1 @ W2 + b2)
    g = p.copy()
    g[np.arange(len(y)), y] -= 1.0
    g = g / len(y)
    g_W2, g_b2 = h1.T @ g, g.sum(axis=0)
    g = (g @ W2.T) * (1 - h1**2)
    return X.T @ g, g.sum(axis=0), g_W2, g_b2


def momentum_ok(theta, v, g, lr, beta):
    v = beta * v - lr * g
    return theta + v, v


def nesterov_ok(theta, v, grad_fn, lr, beta):
    theta = theta + beta * v
    g = grad_fn(theta)
    v = beta * v - lr * g
    return theta - lr * g, v


def momentum_matrix_ok(lr, beta, lam):
    # v ← βv − αλu;  u ← u + v = (1 − αλ)u + βv
    return np.array([[1 - lr * lam, beta], [-lr * lam, beta]])


def critical_beta_ok(lr, lam):
    # the discriminant (1 + β − αλ)² − 4β = 0 at √β = 1 − √(αλ)
    return (1 - np.sqrt(lr * lam)) ** 2


def rmsprop_ok(theta, r, g, lr, beta, eps):
    r = beta * r + (1 - beta) * g**2
    return theta - lr / np.sqrt(r + eps) * g, r


def adam_ok(theta, t, s, r, g, lr, beta1, beta2, eps):
    t = t + 1
    s = beta1 * s + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g**2
    s_hat = s / (1 - beta1**t)
    r_hat = r / (1 - beta2**t)
    return theta - lr / np.sqrt(r_hat + eps) * s_hat, t, s, r


def adam_alpha_t(theta, t, s, r, g, lr, beta1, beta2, eps):
    t = t + 1
    s = beta1 * s + (1 - beta1) * g
    r = beta2 * r + (1 - beta2) * g**2
    alpha_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - alpha_t / np.sqrt(r + eps) * s, t, s, r


def cosine_ok(t, initial_lr, decay_steps, alpha):
    t = np.minimum(t, decay_steps)
    return initial_lr * (alpha + (1 - alpha) * 0.5 * (1 + np.cos(np.pi * t / decay_steps)))


def unbiased_variance_ok(x):
    n = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    return np.sum(centred**2, axis=1) / (n - 1)


def kl_divergence_ok(p, q):
    keep = p > 0  # 0 · log(0/q) = 0
    return np.sum(p[keep] * np.log(p[keep] / q[keep]))


def gaussian_log_likelihood_ok(x, mu, sigma2):
    return np.sum(-((x - mu) ** 2) / (2 * sigma2) - 0.5 * np.log(2 * np.pi * sigma2))


# Every checker of a learner's function: (check, the correct function, its output names)
FUNCTION_CHECKS = [
    (ex.check_minibatch_variance, minibatch_variance_ok, ("variance",)),
    (ex.check_filter_normalize, filter_normalize_ok, ("D_normalised",)),
    (ex.check_tanh_backward, tanh_backward_ok, ("g_a",)),
    (ex.check_mlp_backward, mlp_backward_ok, ("g_W1", "g_b1", "g_W2", "g_b2")),
    (ex.check_momentum_step, momentum_ok, ("theta", "v")),
    (ex.check_nesterov_step, nesterov_ok, ("theta", "v")),
    (ex.check_momentum_matrix, momentum_matrix_ok, ("M",)),
    (ex.check_critical_beta, critical_beta_ok, ("beta",)),
    (ex.check_rmsprop_step, rmsprop_ok, ("theta", "r")),
    (ex.check_adam_bias_correction, adam_ok, ("theta", "t", "s", "r")),
    (ex.check_cosine_decay, cosine_ok, ("lr",)),
    (ex.check_unbiased_variance, unbiased_variance_ok, ("variance",)),
    (ex.check_kl_divergence, kl_divergence_ok, ("kl",)),
    (ex.check_gaussian_log_likelihood, gaussian_log_likelihood_ok, ("loglik",)),
]
CHECKS = [check for check, _, _ in FUNCTION_CHECKS]


def not_implemented(*args):
    raise NotImplementedError


def run(check, fn, capsys, **kw):
    """Run a check; return its verdict and what it printed."""
    verdict = check(fn, **kw)
    return verdict, capsys.readouterr().out


def mistake(check, fn, capsys, *expected_fragments, output=None):
    """Assert that ``check`` rejects ``fn`` with every fragment in its message; return it."""
    verdict, out = run(check, fn, capsys)
    assert verdict is False, out
    assert out.startswith(ex.NO)
    for fragment in expected_fragments:
        assert fragment in out, out
    if output is not None:
        assert f"output {output} is wrong" in out
        assert "expected:" in out and "got:" in out
    return out
