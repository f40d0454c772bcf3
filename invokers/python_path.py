"""What a Python worker may import: built, never inherited from svl-tui.

Lambda's Python runtime gives a handler its code root, its layers
(``/opt/python/lib/pythonX.Y/site-packages`` and ``/opt/python``), the boto3
and botocore the runtime bundles, and the standard library. Locally the
project's own virtualenv (``.venv/``, ``venv/`` or an activated one that is
not svl-tui's) stands in for the dependencies ``sam build`` would package.
svl-tui's own packages (Textual, PyYAML, test extras...) are never visible,
so a missing dependency fails here as it would when deployed.

The worker runs with ``-S`` (no site-packages at all); the bootstrap puts
``SVL_PYTHON_PATH`` after the code root, processing the ``.pth`` files of the
entries also listed in ``SVL_PYTHON_SITES`` (a virtualenv's editable installs).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import cache
from .interpreters import Interpreter
from .models import FunctionSpec

BUNDLED_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
"""What Lambda's Python runtimes bundle beyond the standard library: boto3 and what it needs."""
_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python_dateutil", "urllib3", "six")
VENV_NAMES = (".venv", "venv")
REQUIRES_FILE = ".requires-python"  # in the links folder: the oldest Python its packages support


@dataclass
class PythonPath:
    """The worker's import path, in Lambda's order, and notes about what was left out."""

    entries: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def environment(self) -> dict[str, str]:
        return {"SVL_PYTHON_PATH": os.pathsep.join(self.entries), "SVL_PYTHON_SITES": os.pathsep.join(self.sites)}


def python_path(spec: FunctionSpec, interpreter: Interpreter) -> PythonPath:
    """Layers, the project's virtualenv, then the bundled SDK (the code root is the bootstrap's own first entry)."""
    major, minor = interpreter.version
    result = PythonPath()
    layers = list(reversed(spec.layers))  # later layers overwrite earlier ones in /opt
    for layer in layers:
        _add_dir(result.entries, Path(layer) / "python" / "lib" / f"python{major}.{minor}" / "site-packages")
    for layer in layers:
        _add_dir(result.entries, Path(layer) / "python")
    venv = project_venv(spec)
    if venv is not None:
        site = venv / "lib" / f"python{major}.{minor}" / "site-packages"
        if site.is_dir():
            result.entries.append(str(site))
            result.sites.append(str(site))
        else:
            others = sorted(p.parent.name for p in venv.glob("lib/python3.*/site-packages"))
            result.notes.append(
                f"the project's virtualenv {venv} is for {', '.join(others) or 'another Python'}, but the function "
                f"runs on {interpreter.label}: its packages are not used (recreate it with python{major}.{minor})")
    if spec.style == "azure":
        from .azure import package_note

        if note := package_note(spec, venv, result.entries):
            result.notes.append(note)
    sdk, minimum = bundled_sdk()
    if sdk and interpreter.version < minimum:
        own = pip_sdk_dir(interpreter.version)
        if (own / "boto3").is_dir():
            result.entries.append(str(own))
        else:
            result.notes.append(
                f"svl-tui's boto3 needs Python >= {minimum[0]}.{minimum[1]}, so this {interpreter.label} function "
                f"cannot import boto3 yet: run 'svl-tui sdk install' (or invoke with --install-sdk) to install boto3 "
                f"for {interpreter.label} once with pip into {own}, or install boto3 into the project's virtualenv")
    elif sdk:
        result.entries.append(sdk)
    else:
        result.notes.append("boto3 is not installed with svl-tui, so the function cannot import it as on Lambda "
                            "(pip install boto3 next to svl-tui)")
    return result


def _add_dir(entries: list[str], path: Path) -> None:
    if path.is_dir() and str(path) not in entries:
        entries.append(str(path))


def _installed(name: str) -> Path | None:
    """Where svl-tui's own ``name`` (a package or a single module) is, found without importing anything."""
    for entry in sys.path:
        if not entry:
            continue
        package, module = Path(entry) / name, Path(entry) / f"{name}.py"
        if (package / "__init__.py").is_file():
            return package
        if module.is_file():
            return module
    return None


def project_venv(spec: FunctionSpec) -> Path | None:
    """The project's own virtualenv: in the code folder or a parent up to the project, else an activated one."""
    code = Path(spec.code_dir) if spec.code_dir else None
    top = Path(spec.config_file).parent if spec.config_file else code
    if code is not None and top is not None:
        folder = code
        while True:
            for name in VENV_NAMES:
                if (folder / name / "pyvenv.cfg").is_file():
                    return folder / name
            if folder == top or folder.parent == folder or not folder.is_relative_to(top):
                break
            folder = folder.parent
    active = os.environ.get("VIRTUAL_ENV")
    if active and Path(active).resolve() != Path(sys.prefix).resolve() and (Path(active) / "pyvenv.cfg").is_file():
        return Path(active)
    return None


@lru_cache(maxsize=1)
def bundled_sdk() -> tuple[str, tuple[int, int]]:
    """A folder exposing only boto3 and its dependencies, as Lambda bundles them: links to svl-tui's installs,
    and the oldest Python those installs support (their ``Requires-Python``).

    Linking (not copying) costs nothing and follows upgrades; the folder's name
    hashes the packages' locations, so another svl-tui install gets its own.
    """
    found: dict[str, Path] = {}
    for name in BUNDLED_PACKAGES:
        location = _installed(name)
        if location is None:
            if name == "boto3":
                return "", (0, 0)
            continue
        found[name] = location
    key = f"{zlib.crc32(repr(sorted(found.items())).encode()):08x}"
    target = cache.path("python-sdk") / key
    if not (target / REQUIRES_FILE).is_file():
        shutil.rmtree(target, ignore_errors=True)  # absent, or made by an older svl-tui (links only, no minimum)
        _link(found, target)
    try:
        major, minor = (target / REQUIRES_FILE).read_text().split(".")[:2]
        return str(target), (int(major), int(minor))
    except (OSError, ValueError):
        return (str(target), (0, 0)) if target.is_dir() else ("", (0, 0))


def _link(found: dict[str, Path], target: Path) -> None:
    temp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    minimum = (0, 0)
    try:
        temp.mkdir(parents=True, exist_ok=True)
        for location in found.values():
            (temp / location.name).symlink_to(location)
        for site in {p.parent for p in found.values()}:
            for dist in _DISTRIBUTIONS:
                for info in site.glob(f"{dist}-*.dist-info"):
                    if not (temp / info.name).exists():
                        (temp / info.name).symlink_to(info)
                    minimum = max(minimum, _requires_python(info / "METADATA"))
        (temp / REQUIRES_FILE).write_text(f"{minimum[0]}.{minimum[1]}\n")
        os.replace(temp, target)
    except OSError:
        shutil.rmtree(temp, ignore_errors=True)


def _requires_python(metadata: Path) -> tuple[int, int]:
    """``Requires-Python: >= 3.10`` -> (3, 10); (0, 0) when the distribution does not say."""
    try:
        text = metadata.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return (0, 0)
    match = re.search(r"^Requires-Python:\s*>=\s*(\d+)\.(\d+)", text, re.MULTILINE)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def pip_sdk_dir(version: tuple[int, int]) -> Path:
    """Where ``svl-tui sdk install`` puts a boto3 for a Python older than svl-tui's own boto3 supports."""
    return cache.path("python-sdk") / f"py{version[0]}.{version[1]}"


def needs_own_boto3(interpreter: Interpreter) -> bool:
    """svl-tui's boto3 cannot run on this (older) Python, and no boto3 was installed for it yet."""
    sdk, minimum = bundled_sdk()
    return bool(sdk) and interpreter.version < minimum and not (pip_sdk_dir(interpreter.version) / "boto3").is_dir()


def install_boto3(interpreter: Interpreter, timeout_s: float = 600) -> tuple[bool, str]:
    """Install boto3 for ``interpreter`` with its own pip into svl-tui's cache (on the user's request)."""
    import subprocess

    folder = pip_sdk_dir(interpreter.version)
    try:
        done = subprocess.run([interpreter.path, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               "--target", str(folder), "boto3"], capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"pip install boto3 did not finish: {exc}"
    if done.returncode != 0:
        return False, "pip install boto3 failed: " + " | ".join((done.stderr or done.stdout).strip().splitlines()[-5:])
    return True, f"installed boto3 for {interpreter.label} into {folder}"


_NO_MODULE = re.compile(r"No module named '([\w.]+)'")


def missing_module_note(spec: FunctionSpec, error: dict[str, object]) -> str:
    """For ``No module named 'x'``: where Lambda would get it from, and how to give it to the function here."""
    match = _NO_MODULE.search(f"{error.get('errorMessage', '')}")
    if match is None:
        return ""
    module = match[1].split(".")[0]
    if module in BUNDLED_PACKAGES:
        return ""  # the launch's own note (boto3 for an older Python) says what to do
    code = Path(spec.code_dir)
    requirements = next((path for path in (code / "requirements.txt", code.parent / "requirements.txt")
                         if path.is_file()), None)
    version = spec.runtime if spec.runtime.startswith("python") else "python3"
    venv = project_venv(spec)
    where = f"the project's virtualenv {venv}" if venv else "a virtualenv in the project (.venv)"
    if requirements is None:
        return (f"{module} is not importable: a function gets its code folder, its layers, the project's virtualenv "
                f"and boto3, as on Lambda. Add it to a requirements.txt next to the code and install it into {where}")
    listed = module.lower().replace("_", "-") in _requirement_names(requirements)
    install = (f"{venv}/bin/pip install -r {requirements}" if venv else
               f"{version} -m venv .venv && .venv/bin/pip install -r {requirements}")
    return (f"{module} is {'listed in' if listed else 'not in'} {requirements}"
            f"{': sam build packages it for Lambda' if listed else ''}; locally a function imports from {where}, "
            f"so install it there: {install}")


def _requirement_names(path: Path) -> set[str]:
    names: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return names
    for line in lines:
        name = re.split(r"[\s<>=!~;\[#]", line.strip(), maxsplit=1)[0]
        if name and not name.startswith("-"):
            names.add(name.lower().replace("_", "-"))
    return names
