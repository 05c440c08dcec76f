"""Fixtures shared by the test modules."""

import warnings

import matplotlib.pyplot as plt
import pytest


@pytest.fixture
def strict_warnings():
    """Turn every warning into an error for the test, and close its figures afterwards.

    Use in a module with ``pytestmark = pytest.mark.usefixtures("strict_warnings")``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")


@pytest.fixture
def render():
    """A function that draws a figure: mathtext and layout errors only show when drawn."""

    def draw(fig):
        fig.canvas.draw()

    return draw
