"""Shared pytest configuration.

Tests and doctests draw with the non-interactive Agg backend (set in this process only, so
notebook kernels started by nbval keep their own inline backend). Under CI, hypothesis runs
derandomised, so a red run can be reproduced exactly.
"""

import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
