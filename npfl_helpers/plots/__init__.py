r"""Static figures and animations, one module per notebook topic.

=======================  =============================================================
module                   what it draws
=======================  =============================================================
``_style``               colours (one per optimiser), display names, ``new_figure``,
                         numbers in titles (``sci_text``)
``statistics``           01: histograms of estimates, bias against n, MSE of σ̂² per divisor
``likelihood``           03: p̂_data against p_model, H = H(p) + KL bars, MSE against the
                         Gaussian NLL, consistency, efficiency, log-likelihood contours
``gradient_descent``     04: loss against work done, minibatch-gradient cloud and variance,
                         loss along a line and on a plane
``backprop``             05: activations and derivatives, finite-difference errors, matrices
``training``             06: loss and accuracy per epoch of MLP training runs
``momentum``             07: contours with optimiser paths, loss curves, the 1×2 figure;
                         the phase diagram; error per eigendirection, roots of the 2×2
                         iteration, rate against β, noise floor against β
``adaptive``             08: the race animation
``schedules``            09: learning rate :math:`\alpha_t` against the step
=======================  =============================================================

Every name is available here too (``plots.plot_surface``). Functions that draw return the
artists they create, so a widget can update them in place. Figures are created with pyplot
under ``plt.ioff()``: a notebook cell shows them with ``plt.show()``. What the figures show is
computed in the core modules (e.g. :mod:`npfl_helpers.trajectories`,
:func:`npfl_helpers.mlp.history_curves`), which need no matplotlib.
"""

from ._style import *  # noqa: F403
from ._style import __all__ as _style_all
from .adaptive import *  # noqa: F403
from .adaptive import __all__ as _adaptive_all
from .backprop import *  # noqa: F403
from .backprop import __all__ as _backprop_all
from .generalization import *  # noqa: F403
from .gradient_descent import *  # noqa: F403
from .gradient_descent import __all__ as _gradient_descent_all
from .likelihood import *  # noqa: F403
from .momentum import *  # noqa: F403
from .momentum import __all__ as _momentum_all
from .playground import *  # noqa: F403
from .schedules import *  # noqa: F403
from .schedules import __all__ as _schedules_all
from .statistics import *  # noqa: F403
from .training import *  # noqa: F403
from .training import __all__ as _training_all

__all__ = [*_style_all, *_gradient_descent_all, *_backprop_all, *_training_all, *_momentum_all,
           *_adaptive_all, *_schedules_all]

# Every public function checks its arguments first (see _checks): a wrong one is named. The
# checked function replaces the original here and in every plots module that holds it (its
# defining module and the topic module exporting it: plots.plot_surface is
# plots.momentum.plot_surface).
import sys as _sys  # noqa: E402

from ._checks import validated as _validated  # noqa: E402

_modules = [m for k, m in _sys.modules.items() if k.startswith(__name__ + ".")]
for _name, _obj in list(globals().items()):
    if (not _name.startswith("_") and type(_obj).__name__ == "function"
            and _obj.__module__.startswith(__name__ + ".")):
        globals()[_name] = _checked = _validated(_obj)
        for _module in _modules:
            if getattr(_module, _name, None) is _obj:
                setattr(_module, _name, _checked)
del _name, _obj, _checked, _module, _modules
