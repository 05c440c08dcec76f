"""Shared test configuration: a non-interactive matplotlib backend, whatever the environment says."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
