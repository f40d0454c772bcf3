"""npm packages the tests and benchmarks really run (esbuild, jest), installed once into a shared cache.

Installed with npm from the registry on first use, into a folder keyed by
version, under a lock so concurrent test runs on one machine do not race.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.state import user_cache_home

ESBUILD_VERSION = "0.24.0"
JEST_VERSION = "29.7.0"
_HOME = user_cache_home() / "svl-tui-tests"  # persistent: the session's own cache folder is temporary


def esbuild_node_modules() -> Path:
    """A ``node_modules`` folder holding esbuild (npm install on first use, then reused)."""
    return _installed("esbuild", ESBUILD_VERSION, "esbuild")


def jest_node_modules() -> Path:
    """A ``node_modules`` folder holding jest, the runner of ``sam init``'s Node.js templates."""
    return _installed("jest", JEST_VERSION, "jest")


def _installed(package: str, version: str, binary: str) -> Path:
    target = _HOME / f"{package}-{version}"
    modules = target / "node_modules"
    if (modules / ".bin" / binary).exists():
        return modules
    _HOME.mkdir(parents=True, exist_ok=True)
    with open(_HOME / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (modules / ".bin" / binary).exists():
            return modules
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(f"npm is needed to install {package} for the tests (Node.js 20 ships it)")
        temp = Path(tempfile.mkdtemp(prefix=f"{package}-", dir=_HOME))
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(temp),
                        f"{package}@{version}"], check=True, capture_output=True, timeout=300)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(temp, target)
    return modules
