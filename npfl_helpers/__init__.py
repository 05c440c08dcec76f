"""npfl_helpers: tested numpy implementations behind the *Training Neural Networks* notebooks.

Submodules are imported on demand (``from npfl_helpers import optim``) so that importing the
package stays cheap: nothing below :mod:`npfl_helpers.plots` imports matplotlib or ipywidgets.
"""

__version__ = "0.1.0"

__all__ = [
    "autodiff",
    "backprop_stepper",
    "data",
    "estimators",
    "exercises",
    "generalization",
    "landscape",
    "losses",
    "mlp",
    "optim",
    "plots",
    "quadratic_theory",
    "schedules",
    "surfaces",
    "trajectories",
    "widgets",
]
