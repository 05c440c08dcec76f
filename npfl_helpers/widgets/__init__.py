"""ipywidgets explorers: controls beside a figure that updates in place.

One module per notebook topic, the same names as in :mod:`npfl_helpers.plots` and
:mod:`npfl_helpers.exercises`:

====================  ====  =====================================================
module                nb    explorers
====================  ====  =====================================================
``statistics``        01    :func:`variance_estimator_explorer`
``likelihood``        03    :func:`likelihood_chain_explorer`,
                            :func:`gaussian_nll_explorer`, :func:`consistency_explorer`
``gradient_descent``  04    :func:`minibatch_noise_explorer`,
                            :func:`landscape_slice_explorer`
``backprop``          05    :func:`backprop_stepper`, :func:`activation_explorer`
``training``          06    :func:`training_explorer`
``momentum``          07    :func:`momentum_explorer`, :func:`phase_diagram_explorer`,
                            :func:`eigendirection_explorer`,
                            :func:`noisy_momentum_explorer`
``adaptive``          08    :func:`adam_bias_explorer`, :func:`optimizer_explorer`
``schedules``         09    :func:`schedule_explorer`
====================  ====  =====================================================

Private shared parts: ``_base`` (:class:`Explorer`, ``explorer_figure``), ``_blit`` (its
blitted rendering: cached static images and text pixels), ``_figure`` (figure sizes, the inline
PNG), ``_controls`` (the slider, dropdown and checkbox factories), ``_axes`` (limits that keep
still), ``_paths`` (the paths-on-a-surface explorer behind ``momentum_explorer`` and
``optimizer_explorer``).

Each factory returns an :class:`Explorer` (``.controls``, ``.figure``, ``.update()``); as the
last expression of a cell it displays itself. Works under ``%matplotlib inline`` and
``%matplotlib widget`` (ipympl). A new topic module is one more import line below.
"""

from ._base import Explorer
from .adaptive import *  # noqa: F403
from .backprop import *  # noqa: F403
from .generalization import *  # noqa: F403
from .gradient_descent import *  # noqa: F403
from .likelihood import *  # noqa: F403
from .momentum import *  # noqa: F403
from .playground import *  # noqa: F403
from .schedules import *  # noqa: F403
from .statistics import *  # noqa: F403
from .training import *  # noqa: F403

__all__ = ["Explorer", *(name for name in dict(globals())
                         if name.endswith(("_explorer", "_stepper")))]

# The factories listed in _checks.CHECKS check their arguments first (a wrong one is named). The
# checked factory replaces the original here and in its topic module
# (widgets.gd_valley_explorer is widgets.gradient_descent.gd_valley_explorer).
import sys as _sys  # noqa: E402

from ._checks import CHECKS as _CHECKS  # noqa: E402
from ._checks import validated as _validated  # noqa: E402

for _name in _CHECKS:
    _original = globals()[_name]
    globals()[_name] = _checked = _validated(_original)
    for _key, _module in list(_sys.modules.items()):
        if _key.startswith(__name__ + ".") and getattr(_module, _name, None) is _original:
            setattr(_module, _name, _checked)
del _name, _original, _checked, _key, _module
