"""Install JupyterLab setting overrides for everyone using this Python environment.

Writes ``<sys.prefix>/share/jupyter/lab/settings/overrides.json`` (the environment's
application settings, not the user's home), merging with what is there:

- ``@jupyterlab/apputils-extension:notification``: ``fetchNews`` "false" (the schema's
  string value for "Never") and ``checkForUpdates`` false, so JupyterLab never greets a learner
  with its "get notified about official Jupyter news?" pop-up and makes no request for news.

Run with the environment's Python: ``.venv/bin/python tools/lab_settings.py`` (``make lab`` does).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def settings_file(prefix: str | Path = sys.prefix) -> Path:
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def install(prefix: str | Path = sys.prefix) -> Path:
    """Merge :data:`OVERRIDES` into the environment's ``overrides.json``; return its path."""
    path = settings_file(prefix)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for plugin, values in OVERRIDES.items():
        current.setdefault(plugin, {}).update(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"JupyterLab settings: {install()}")
