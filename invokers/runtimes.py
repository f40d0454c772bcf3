"""How to start a worker for each kind of runtime.

Every runtime is a Runtime API client; this module only knows which program
to start. Python and Node run svl-tui's own bootstraps (which also write log
fences); ``provided*`` runtimes run the function's own ``bootstrap`` file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
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
    """How to start an environment: the command, the variables it needs, what the user should know."""

    command: list[str]
    speaks_fence: bool
    env: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def launch_for(spec: FunctionSpec) -> Launch:
    """The command that starts an execution environment for ``spec``, and its import path."""
    if spec.language == "python":
        from .interpreters import InterpreterUnavailable, python_for
        from .python_path import python_path

        try:
            interpreter = python_for(spec.runtime, spec.interpreter, spec.interpreter_source)
        except InterpreterUnavailable as exc:
            raise RuntimeUnavailable(_unavailable_python(spec, exc)) from exc
        built = python_path(spec, interpreter)
        notes = tuple(note for note in (interpreter.note, *built.notes) if note)
        # -S: no site-packages of any kind; the bootstrap puts exactly the built path after the code root.
        # -u: output unbuffered, as PYTHONUNBUFFERED would make it, without that name in the handler's environment.
        return Launch([interpreter.path, "-S", "-u", str(PYTHON_BOOTSTRAP)], True,
                      {**layer_environment(spec), **built.environment()}, notes)
    if spec.language == "node":
        from .node_certs import extra_ca_environment
        from .node_sdk import node_path

        node = node_executable(spec.interpreter, spec.interpreter_source)
        note = node_note(spec, node)
        # Lambda's NODE_PATH: the function's own node_modules first (Node's lookup), then layers, then the SDK.
        return Launch([node, *lambda_heap_flags(spec), str(NODE_BOOTSTRAP)], speaks_fence=True,
                      env={**layer_environment(spec), "NODE_PATH": node_path(spec),
                           **extra_ca_environment(node, spec.environment)}, notes=(note,) if note else ())
    bootstrap = Path(spec.code_dir) / "bootstrap"
    if not bootstrap.is_file():
        raise RuntimeUnavailable(
            f"runtime {spec.runtime!r} needs an executable 'bootstrap' in {spec.code_dir}; none found")
    if not os.access(bootstrap, os.X_OK):
        raise RuntimeUnavailable(f"{bootstrap} is not executable: run chmod +x {bootstrap}")
    return Launch([str(bootstrap)], speaks_fence=False, env=layer_environment(spec))


def runtime_note(spec: FunctionSpec) -> str:
    """What runs ``spec`` instead of its declared runtime, when this machine lacks it ('' when all is as declared)."""
    if not spec.is_local or spec.language not in ("python", "node"):
        return ""
    if spec.language == "node":
        try:
            return node_note(spec, node_executable(spec.interpreter, spec.interpreter_source))
        except RuntimeUnavailable as exc:
            return str(exc)
    from .interpreters import InterpreterUnavailable, python_for

    try:
        return python_for(spec.runtime, spec.interpreter, spec.interpreter_source).note
    except InterpreterUnavailable as exc:
        return _unavailable_python(spec, exc)


def _unavailable_python(spec: FunctionSpec, exc: Exception) -> str:
    if spec.interpreter:  # the message already names svl.yaml's key
        return str(exc)
    return f"{exc}. Set {_pin_hint(spec.runtime)} to a Python's path, or python: in svl.yaml"


def lambda_heap_flags(spec: FunctionSpec) -> list[str]:
    """V8's heap sizes as Lambda's Node.js runtimes set them from the memory size (their bootstrap script:
    new space = memory / 64, half of it per semi-space, the rest old space): a 128 MB function gets
    ``--max-semi-space-size=1 --max-old-space-size=126``. Without them V8 sizes its heap for a desktop and
    a warm worker's RSS grows by half over 20,000 invokes (see README, soak figures). Lambda only."""
    if spec.style != "lambda":
        return []
    new_space = spec.memory_mb // 64
    return [f"--max-semi-space-size={max(new_space // 2, 1)}", f"--max-old-space-size={spec.memory_mb - new_space}"]


def node_note(spec: FunctionSpec, node: str) -> str:
    """A note when ``node`` is another major version than ``spec``'s runtime declares (``nodejs18.x`` on 20)."""
    match = re.match(r"^nodejs(\d+)", spec.runtime)
    if match is None:
        return ""
    major, version = _node_version(node)
    wanted = int(match[1])
    if major == wanted:
        return ""
    chosen = f"set in {spec.interpreter_source}" if spec.interpreter else (
        "set by SVL_NODE" if os.environ.get("SVL_NODE") else "on PATH")
    return (f"{spec.runtime} runs on Node.js {version} ({node}, {chosen}); install Node.js {wanted} and "
            f"choose it with SVL_NODE or node: in svl.yaml")


def _pin_hint(runtime: str) -> str:
    from .interpreters import env_name, wanted_version

    wanted = wanted_version(runtime)
    return env_name(wanted) if wanted else "SVL_PYTHON"


def layer_environment(spec: FunctionSpec) -> dict[str, str]:
    """PATH and LD_LIBRARY_PATH as Lambda sets them: layers' ``bin/`` and ``lib/`` (``/opt/bin``, ``/opt/lib``) last.

    svl-tui's own virtualenv leaves PATH: a handler that starts ``python`` must not get ours.
    """
    own_bin = os.path.join(sys.prefix, "bin") if sys.prefix != sys.base_prefix else ""
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != own_bin]
    libraries = [p for p in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
    if spec.code_dir:
        libraries += [spec.code_dir, os.path.join(spec.code_dir, "lib")]
    for layer in reversed(spec.layers):
        path.append(os.path.join(layer, "bin"))
        libraries.append(os.path.join(layer, "lib"))
    return {"PATH": os.pathsep.join(path), "LD_LIBRARY_PATH": os.pathsep.join(libraries)}


def node_executable(configured: str = "", source: str = "") -> str:
    """Path to ``node``: svl.yaml's ``node:`` choice (set at ``source``), else ``SVL_NODE``, else PATH's;
    checked to be new enough."""
    if configured:
        from .configured import ConfiguredMissing, configured_path

        try:
            node: str | None = configured_path(configured, source, "Node.js")
        except ConfiguredMissing as exc:
            raise RuntimeUnavailable(str(exc)) from None
    else:
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
