"""Where svl-tui keeps its own files outside a project: the one place that decides.

``platformdirs`` gives each platform's convention (``$XDG_CONFIG_HOME`` /
``$XDG_CACHE_HOME`` on Linux, ``~/Library/...`` on macOS, ``%APPDATA%`` on
Windows). Imported inside the functions: most commands never need a path.
"""

from __future__ import annotations

from pathlib import Path

APP = "svl-tui"


def config_dir() -> Path:
    """User settings such as ``config.yaml`` (key remaps)."""
    import platformdirs

    return platformdirs.user_config_path(APP)


def cache_dir() -> Path:
    """Small caches that only save time (node versions, runtime hints)."""
    import platformdirs

    return platformdirs.user_cache_path(APP)
