"""svl-tui's own state (config, caches, the bundled example's run history) kept out of the user's home
for the whole test session, while the installs the tests keep for speed stay where they persist.

``invokers.paths`` is the one place that decides where svl-tui keeps its files, through ``platformdirs``,
which follows ``$XDG_CONFIG_HOME`` / ``$XDG_CACHE_HOME``. The session points both at a temporary folder
before any test runs (child processes, such as CLI runs, inherit them), so a test run never writes into
``~/.cache/svl-tui`` (the example's history would otherwise fill up with test runs). Tests that want a
folder of their own still set the variables themselves. CLI runs inside the example use a copy of it
(``demo_copy``), so its ``.svl/history`` stays the user's too.

What must persist across runs is placed from the user's *real* cache folder, remembered in
``SVL_TEST_USER_CACHE`` before the switch: the npm installs (``tests/npm_tools.py``), the Azure packages
(``tests/azure_setup.py``, ``~/.cache/svl-tui/tests``) and pip's own download cache.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

USER_CACHE = "SVL_TEST_USER_CACHE"
_STATE_VARIABLES = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME")
DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"
_session: Isolation | None = None


def user_cache_home() -> Path:
    """The user's real cache folder (``~/.cache``), whatever the session's isolation did to XDG_CACHE_HOME."""
    return Path(os.environ.get(USER_CACHE) or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


class Isolation:
    """The session's temporary config and cache folders; ``end`` puts the environment back and removes them."""

    def __init__(self) -> None:
        self.saved = {name: os.environ.get(name) for name in (*_STATE_VARIABLES, USER_CACHE, "PIP_CACHE_DIR")}
        real = user_cache_home()
        os.environ[USER_CACHE] = str(real)
        os.environ.setdefault("PIP_CACHE_DIR", str(real / "pip"))  # pip follows XDG_CACHE_HOME otherwise
        self.root = Path(tempfile.mkdtemp(prefix="svl-tui-test-state-"))
        self.config = self.root / "config"
        self.cache = self.root / "cache"
        os.environ["XDG_CONFIG_HOME"] = str(self.config)
        os.environ["XDG_CACHE_HOME"] = str(self.cache)
        global _session
        _session = self

    def end(self) -> None:
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(self.root, ignore_errors=True)


def demo_copy() -> Path:
    """A copy of ``examples/demo`` for this session: commands run *in* the example record their runs in its
    ``.svl/history``, which must not fill up the repository's example with test runs."""
    assert _session is not None, "the session's isolation starts in tests/conftest.py"
    target = _session.root / "demo"
    if not target.is_dir():
        shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".svl"))
    return target
