"""Which Python runs a function: the version its runtime declares, found on this machine.

``python3.12`` is looked for as chosen in svl.yaml (``python:``, for the
function or the project), as a configured path (``SVL_PYTHON3_12``, or
``SVL_PYTHON`` for every Python function), then ``python3.12`` on PATH, then
pyenv's and uv's managed installs, then svl-tui's own interpreter. When no
such version exists here the closest one runs the function and the choice
carries a note saying so: a function is never run on another version silently.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from . import cache

VERSIONS_CACHE = "python-versions.json"
CACHE_ENTRIES = 32
_KNOWN_MINORS = range(8, 16)  # python3.8 .. python3.15, the ones worth looking for by name
_RUNTIME = re.compile(r"^python(\d+)\.(\d+)")
_SHIM_MARK = os.sep + "shims" + os.sep  # pyenv/asdf shims: slow shell scripts that pick a version by cwd


class InterpreterUnavailable(Exception):
    """A configured interpreter cannot be run."""


@dataclass(frozen=True)
class Interpreter:
    """The interpreter chosen for a runtime, where it came from, and the mismatch note if any."""

    path: str
    version: tuple[int, int]
    found_by: str
    note: str = ""

    @property
    def label(self) -> str:
        return f"Python {self.version[0]}.{self.version[1]}"


def wanted_version(runtime: str) -> tuple[int, int] | None:
    match = _RUNTIME.match(runtime)
    return (int(match[1]), int(match[2])) if match else None


def env_name(version: tuple[int, int]) -> str:
    """The variable that pins one version's interpreter: ``SVL_PYTHON3_12``."""
    return f"SVL_PYTHON{version[0]}_{version[1]}"


def python_for(runtime: str, configured: str = "", source: str = "") -> Interpreter:
    """The interpreter that runs ``runtime`` (``python3.12``), with a note when it is another version.

    ``configured`` is svl.yaml's ``python:`` choice (set at ``source``); it wins over everything else.
    """
    keys = ("SVL_PYTHON", "PATH", "PYENV_ROOT", "UV_PYTHON_INSTALL_DIR")
    wanted = wanted_version(runtime)
    pinned = env_name(wanted) if wanted else ""
    if configured:
        from .configured import ConfiguredMissing, configured_path

        try:
            path = configured_path(configured, source, "Python")
        except ConfiguredMissing as exc:
            raise InterpreterUnavailable(str(exc)) from None
        version = probe_version(path)
        note = "" if wanted is None or version == wanted else (
            f"{runtime} runs on Python {version[0]}.{version[1]} ({path}, set in {source})")
        return Interpreter(path, version, source, note)
    return _choose(runtime, tuple(os.environ.get(k, "") for k in (*keys, pinned)))


@lru_cache(maxsize=32)
def _choose(runtime: str, _environment: tuple[str, ...]) -> Interpreter:
    """Cached per runtime and the variables that steer the search (tests and users may change them)."""
    wanted = wanted_version(runtime)
    forced = os.environ.get(env_name(wanted)) if wanted else None
    for variable, path in ((env_name(wanted) if wanted else "", forced), ("SVL_PYTHON", os.environ.get("SVL_PYTHON"))):
        if path:
            version = probe_version(path)
            note = "" if wanted is None or version == wanted else (
                f"{runtime} runs on Python {version[0]}.{version[1]} ({path}, set by {variable})")
            return Interpreter(path, version, variable, note)
    if wanted is not None and wanted[0] == 3:
        exact = _candidates((wanted[1],))
        if exact:
            return exact[0]
    candidates = _candidates(_KNOWN_MINORS)
    if not candidates:
        raise InterpreterUnavailable(f"no Python interpreter found for {runtime}")
    if wanted is None:
        return candidates[-1]
    closest = min(candidates, key=lambda c: (abs(c.version[1] - wanted[1]) + 100 * abs(c.version[0] - wanted[0]),
                                             -c.version[1]))
    return Interpreter(closest.path, closest.version, closest.found_by, (
        f"{runtime} is not installed here (looked for {env_name(wanted)}, python{wanted[0]}.{wanted[1]} on PATH, "
        f"pyenv and uv); running on {closest.label} ({closest.path}) instead. Install python{wanted[0]}.{wanted[1]} "
        f"or set {env_name(wanted)} to its path"))


def _candidates(minors: Iterable[int]) -> list[Interpreter]:
    """The interpreters of these ``3.minor`` versions found by name (first found per version), oldest first."""
    found: dict[tuple[int, int], Interpreter] = {}
    for minor in minors:
        version = (3, minor)
        name = f"python3.{minor}"
        on_path = _which_real(name)
        if on_path:
            found.setdefault(version, Interpreter(on_path, version, "PATH"))
        for folder, prefix, label in ((os.path.join(_pyenv_root(), "versions"), f"3.{minor}.", "pyenv"),
                                      (_uv_root(), f"cpython-3.{minor}.", "uv")):
            matches = sorted((entry for entry in _listdir(folder) if entry.startswith(prefix)), key=_patch_level)
            for entry in reversed(matches):
                binary = os.path.join(folder, entry, "bin", name)
                if os.access(binary, os.X_OK):
                    found.setdefault(version, Interpreter(binary, version, label))
                    break
    own = sys.version_info[:2]
    if own[0] == 3 and own[1] in minors:
        found.setdefault((own[0], own[1]), Interpreter(own_interpreter(), (own[0], own[1]), "svl-tui's own"))
    return [found[v] for v in sorted(found)]


def own_interpreter() -> str:
    """svl-tui's interpreter outside its virtualenv (the workers get their own import path)."""
    return os.path.realpath(getattr(sys, "_base_executable", "") or sys.executable)


def _which_real(name: str) -> str:
    """``name`` on PATH, skipping version-manager shims (a shell script per start; pyenv is searched directly)
    and svl-tui's own virtualenv (its own interpreter is a candidate anyway)."""
    own_bin = os.path.join(sys.prefix, "bin") if sys.prefix != sys.base_prefix else ""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not folder or folder == own_bin or _SHIM_MARK in folder + os.sep:
            continue
        found = shutil.which(name, path=folder)
        if found:
            return found
    return ""


def _pyenv_root() -> str:
    return os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")


def _uv_root() -> str:
    return os.environ.get("UV_PYTHON_INSTALL_DIR") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "uv", "python")


def _listdir(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _patch_level(name: str) -> int:
    """``3.12.7`` / ``cpython-3.12.7-linux-x86_64-gnu`` -> 7 (pre-releases such as ``3.13.0rc1`` sort by digits)."""
    patch = name.split("-")[1 if name.startswith("cpython-") else 0].split(".")[2:3]
    digits = "".join(ch for ch in (patch[0] if patch else "") if ch.isdigit())
    return int(digits or -1)


@lru_cache(maxsize=8)
def probe_version(path: str) -> tuple[int, int]:
    """A configured interpreter's version, cached on disk by the binary's identity (a probe costs a start)."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise InterpreterUnavailable(f"cannot run the configured Python {path}: {exc.strerror}") from exc
    key = f"{os.path.realpath(path)}:{stat.st_mtime_ns}:{stat.st_size}"
    known = cache.read(VERSIONS_CACHE)
    if isinstance(known.get(key), list) and len(known[key]) == 2:
        return int(known[key][0]), int(known[key][1])
    import subprocess

    try:
        out = subprocess.run([path, "-S", "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
                             text=True, timeout=10).stdout.split()
        version = (int(out[0]), int(out[1]))
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError) as exc:
        raise InterpreterUnavailable(f"the configured Python {path} did not run: {exc}") from exc
    known[key] = list(version)
    cache.write(VERSIONS_CACHE, known, keep=CACHE_ENTRIES)
    return version
