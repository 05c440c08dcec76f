"""ipywidgets explorers: controls beside a figure that updates in place.

Each factory takes no arguments and returns an :class:`Explorer` (``.controls``, ``.figure``,
``.update()``); as the last expression of a cell it displays itself. Works under
``%matplotlib inline`` and ``%matplotlib widget`` (ipympl).
"""

from . import optimizers as _optimizers
from . import training as _training
from ._base import Explorer
from .mlp_training import training_explorer as training_explorer
from .optimizers import *  # noqa: F403
from .training import *  # noqa: F403

__all__ = ["Explorer", *_optimizers.__all__, *_training.__all__, "training_explorer"]
