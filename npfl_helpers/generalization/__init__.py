r"""Generalisation and capacity: polynomial regression, L2, validation sets, no free lunch
(notebook 02).

=======================  ======================================================================
module                   what it holds
=======================  ======================================================================
``polynomial``           the model: ``TARGETS`` and ``sample`` (data), ``polynomial_features``
                         (Legendre or monomial), ``least_squares`` and ``fit_polynomial`` /
                         ``fit_all_degrees`` (closed-form, L2-regularised), ``objective``,
                         ``objective_grad``, ``predict`` (``predict_clipped`` for a panel
                         with a fixed range), ``mean_squared_error`` and the exact
                         ``generalization_error``; ``MAX_DEGREE``, ``NOISE_MAX``
``capacity``             training and test error against the degree (``capacity_curve``,
                         ``average_capacity_curve``) and against λ (``lambda_path``)
``validation``           choosing (degree, λ) on a validation set (``select_on_validation``) and
                         the optimism of choosing on the test set (``selection_bias``)
``no_free_lunch``        two learners swapping ranks on two processes (``rank_swap``); every
                         labelling of a small domain (``off_training_set_errors``)
``_common``              checked inputs and data sets, the limit on one array's size
=======================  ======================================================================

Every public name is available here (``generalization.fit_polynomial``,
``generalization.capacity_curve``). Nothing here imports matplotlib or ipywidgets.
"""

from .capacity import *  # noqa: F403
from .capacity import __all__ as _capacity_all
from .no_free_lunch import *  # noqa: F403
from .no_free_lunch import __all__ as _no_free_lunch_all
from .polynomial import *  # noqa: F403
from .polynomial import MAX_DEGREE as MAX_DEGREE  # documented constants, not in __all__
from .polynomial import NOISE_MAX as NOISE_MAX
from .polynomial import __all__ as _polynomial_all
from .validation import *  # noqa: F403
from .validation import __all__ as _validation_all

__all__ = [*_polynomial_all, *_capacity_all, *_validation_all, *_no_free_lunch_all]
