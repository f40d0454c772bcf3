"""How to start a worker for each kind of runtime.

Every runtime is a Runtime API client; this module only knows which program
to start. Python and Node run svl-tui's own bootstraps (which also write log
fences); ``provided*`` runtimes run the function's own ``bootstrap`` file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import cache
from .models import FunctionSpec

BOOTSTRAP_DIR = Path(__file__).parent / "bootstrap"
PYTHON_BOOTSTRAP = BOOTSTRAP_DIR / "python_runtime.py"
NODE_BOOTSTRAP = BOOTSTRAP_DIR / "node_runtime.js"
NODE_MIN_MAJOR = 18
CACHE_NAME = "node-versions.json"
CACHE_ENTRIES = 32  # node binaries remembered (by path, mtime and size)


class RuntimeUnavailable(Exception):
    """The runtime a function needs is not installed (or too old) on this machine."""


@dataclass(frozen=True)
class Launch:
    command: list[str]
    speaks_fence: bool


def launch_for(spec: FunctionSpec) -> Launch:
    """The command that starts an execution environment for ``spec``."""
    if spec.language == "python":
        python = os.environ.get("SVL_PYTHON") or sys.executable
        return Launch([python, str(PYTHON_BOOTSTRAP)], speaks_fence=True)
    if spec.language == "node":
        return Launch([node_executable(), str(NODE_BOOTSTRAP)], speaks_fence=True)
    bootstrap = Path(spec.code_dir) / "bootstrap"
    if not bootstrap.is_file():
        raise RuntimeUnavailable(
            f"runtime {spec.runtime!r} needs an executable 'bootstrap' in {spec.code_dir}; none found")
    if not os.access(bootstrap, os.X_OK):
        raise RuntimeUnavailable(f"{bootstrap} is not executable: run chmod +x {bootstrap}")
    return Launch([str(bootstrap)], speaks_fence=False)


def node_executable() -> str:
    """Path to ``node`` (or ``SVL_NODE``), checked to be new enough."""
    node = os.environ.get("SVL_NODE") or shutil.which("node")
    if not node:
        raise RuntimeUnavailable(
            f"Node.js functions need node >= {NODE_MIN_MAJOR} on PATH, and none was found. "
            "Install Node.js (https://nodejs.org) or set SVL_NODE to its path.")
    major, version = _node_version(node)
    if major < NODE_MIN_MAJOR:
        raise RuntimeUnavailable(
            f"Node.js functions need node >= {NODE_MIN_MAJOR}; {node} is {version}. "
            "Install a newer Node.js or set SVL_NODE to one.")
    return node


@lru_cache(maxsize=8)
def _node_version(node: str) -> tuple[int, str]:
    """``node --version``, cached on disk by the binary's identity: it costs a process start."""
    try:
        stat = os.stat(node)
        key = f"{os.path.realpath(node)}:{stat.st_mtime_ns}:{stat.st_size}"
    except OSError as exc:
        raise RuntimeUnavailable(f"cannot run {node}: {exc.strerror}") from exc
    known = cache.read(CACHE_NAME)
    if isinstance(known.get(key), str):
        return int(known[key].lstrip("v").split(".")[0]), known[key]
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeUnavailable(f"could not run {node} --version: {exc}") from exc
    try:
        major = int(out.lstrip("v").split(".")[0])
    except ValueError:
        return 0, out or "an unknown version"
    known[key] = out
    cache.write(CACHE_NAME, known, keep=CACHE_ENTRIES)
    return major, out
