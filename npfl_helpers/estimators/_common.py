"""Private helpers of the :mod:`npfl_helpers.estimators` modules: how many numbers one
vectorised experiment may draw at once, the σ² of Monte-Carlo experiments, and 0-d results as
Python floats."""

from __future__ import annotations

import numpy as np

from .._validate import check_range

_MAX_DRAWS = 50_000_000  # numbers drawn at once (400 MB of float64)
_MAX_SIGMA2 = 1e100  # σ² of Monte-Carlo experiments: the squared errors of estimates stay finite


def _scalar(v):
    """A 0-d result as a Python float, anything else unchanged."""
    return float(v) if np.ndim(v) == 0 else v


def _sigma2(sigma2) -> float:
    """σ² > 0 of a Monte-Carlo experiment, at most 1e100 (so its squared errors stay finite)."""
    sigma2 = check_range("sigma2", sigma2, 0, low_open=True, allow_array=False)
    if sigma2 > _MAX_SIGMA2:
        raise ValueError(f"sigma2 must be at most {_MAX_SIGMA2:g} (the squared errors of the "
                         f"estimates stay finite); got {sigma2!r}")
    return sigma2


def _check_draws(rows: int, cols: int, rows_name: str = "trials", cols_name: str = "n"):
    """Refuse experiments whose one vectorised array would not fit in memory."""
    if rows * cols > _MAX_DRAWS:
        raise ValueError(f"{rows_name} × {cols_name} must be at most {_MAX_DRAWS:.0e} (the "
                         f"numbers drawn at once, in memory); got {_count(rows)} × "
                         f"{_count(cols)}")


def _count(n: int) -> str:
    return f"{n:.3g}" if n < 1e300 else "more than 1e300"
