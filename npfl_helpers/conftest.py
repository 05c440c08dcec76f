"""Docstring examples run headless."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
