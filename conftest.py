"""Shared pytest configuration: tests and doctests draw with the non-interactive Agg backend.

Set in this process only, so notebook kernels started by nbval keep their own inline backend.
"""

import matplotlib

matplotlib.use("Agg")
