r"""Notebook 10 (the playground): a question answered by experimenting with the playground.

**The question.** On the spirals, with momentum (β = 0.9) and every other control at its
default (noise 0.2, two hidden layers of 16 tanh units, batch size 16, λ = 0), start at
α = 0.1 and raise α one notch of the slider at a time, pressing **Reset** and playing at least
1,000 updates each time. At which α does the run first diverge within 1,000 updates?

:func:`check_diverging_lr` answers it by running exactly those trainings with
:class:`npfl_helpers.live_training.LiveTraining` (seeded, so the playground shows the same
runs): the answer is right when the run at that notch diverges within 1,000 updates and the run
at the notch below does not. Raising α one notch at a time, that is the first divergence.
"""

from __future__ import annotations

import functools
import math

from ..live_training import LiveTraining, lr_notches
from ._harness import NO, OK, _hint, _number_answer

__all__ = ["PLAYGROUND_QUESTION", "check_diverging_lr"]

PLAYGROUND_QUESTION = {"dataset": "spirals", "optimizer": "momentum", "beta": 0.9}
"""The settings of the question; everything else is the playground's default."""

_UPDATES = 1000
_START = 0.1
_NOTCHES = lr_notches(_START, 10.0)
_TOLERANCE = 0.03  # decades: an answer this close to a notch means that notch (7 %)


@functools.lru_cache(maxsize=64)
def _outcome(k: int) -> tuple[bool, int, float, str | None]:
    """Train at notch ``k``: (diverged, updates done, last training loss, why it diverged)."""
    run = LiveTraining(lr=float(_NOTCHES[k]), **PLAYGROUND_QUESTION)
    run.step(_UPDATES)
    return run.diverged, run.steps, run.history.train_loss[-1], run.divergence


def _fmt(lr: float) -> str:
    return f"{lr:.2g}"


def check_diverging_lr(answer) -> bool:
    r"""Check the answer to the playground's question (see the module docstring).

    ``answer`` is the α the learner read off the slider (a number or a numeric string; the
    slider shows two significant digits, so 0.63 stands for :math:`10^{-0.2} = 0.631`).
    ``None`` (or ``...``) means "not answered yet". Prints one message and returns a bool;
    never raises, whatever ``answer`` is.

    >>> check_diverging_lr(None)
    ✘ not answered yet: set the variable to the α at which the run first diverged and run the
      check again.
    False
    >>> check_diverging_lr("fast")
    ✘ α must be a number; got the text 'fast'.
    False
    """
    if answer is None or answer is Ellipsis:
        print(f"{NO} not answered yet: set the variable to the α at which the run first diverged "
              "and run the check again.")
        return False
    x, message = _number_answer(answer, "α")
    if message:
        print(message)
        return False
    if x <= 0:
        print(f"{NO} {x:g} is not a learning rate: α is positive (the slider goes from 0.0001 "
              "to 10).")
        return False
    logs = [math.log10(v) for v in _NOTCHES]
    if math.log10(x) < logs[0] - _TOLERANCE:
        print(f"{NO} {x:g} is below where the question starts: begin at α = {_START:g} and "
              "raise α one notch at a time.")
        return False
    if math.log10(x) > logs[-1] + _TOLERANCE:
        print(f"{NO} {x:g} is beyond the slider: α goes up to 10.")
        return False
    k = min(range(len(logs)), key=lambda i: abs(logs[i] - math.log10(x)))
    if abs(logs[k] - math.log10(x)) > _TOLERANCE:
        near = ", ".join(_fmt(v) for v in _NOTCHES if abs(math.log10(v / x)) < 0.1)
        print(f"{NO} {x:g} is not a value of the α slider (the nearest are {near}). Answer with "
              "the value the slider shows.")
        return False
    diverged, _, _, why = _outcome(k)
    before = _outcome(k - 1) if k else None
    lr = _fmt(_NOTCHES[k])
    if not diverged:
        _, _, loss, _ = _outcome(k)
        if k == 0:
            print(f"{NO} {lr} is where the question starts: at α = {lr} momentum does not "
                  f"diverge within {_UPDATES:,} updates (training loss {loss:.3g} after "
                  f"{_UPDATES:,} updates). Raise α one notch at a time.")
        else:
            print(f"{NO} at α = {lr} the run does not diverge within {_UPDATES:,} updates: its "
                  f"training loss is {loss:.3g} after {_UPDATES:,} updates.\n"
                  + _hint("press Reset after each change of α, and play until the title shows "
                          "update 1,000 (100 updates per frame is quicker)."))
        return False
    if before is not None and before[0]:
        print(f"{NO} the run does diverge at α = {lr} ({why}), but it diverges at the notch "
              f"below, α = {_fmt(_NOTCHES[k - 1])}, too.\n"
              + _hint("lower α one notch at a time until the run survives 1,000 updates."))
        return False
    survived = (f"; at the notch below, α = {_fmt(_NOTCHES[k - 1])}, it does not (training loss "
                f"{before[2]:.3g} after {_UPDATES:,} updates)" if before is not None else "")
    print(f"{OK} α = {lr}: momentum (β = 0.9) diverges on the spirals within {_UPDATES:,} "
          f"updates ({why}){survived}. Compare with SGD in experiment 1.")
    return True
