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
    sdk = bundled_sdk()
    if sdk:
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
def bundled_sdk() -> str:
    """A folder exposing only boto3 and its dependencies, as Lambda bundles them: links to svl-tui's installs.

    Linking (not copying) costs nothing and follows upgrades; the folder's name
    hashes the packages' locations, so another svl-tui install gets its own.
    """
    found: dict[str, Path] = {}
    for name in BUNDLED_PACKAGES:
        location = _installed(name)
        if location is None:
            if name == "boto3":
                return ""
            continue
        found[name] = location
    key = f"{zlib.crc32(repr(sorted(found.items())).encode()):08x}"
    target = cache.path("python-sdk") / key
    if target.is_dir():
        return str(target)
    temp = target.with_name(f"{key}.{os.getpid()}.tmp")
    try:
        temp.mkdir(parents=True, exist_ok=True)
        for location in found.values():
            (temp / location.name).symlink_to(location)
        for site in {p.parent for p in found.values()}:
            for dist in _DISTRIBUTIONS:
                for info in site.glob(f"{dist}-*.dist-info"):
                    if not (temp / info.name).exists():
                        (temp / info.name).symlink_to(info)
        os.replace(temp, target)
    except OSError:
        shutil.rmtree(temp, ignore_errors=True)
        if not target.is_dir():
            return ""
    return str(target)


_NO_MODULE = re.compile(r"No module named '([\w.]+)'")


def missing_module_note(spec: FunctionSpec, error: dict[str, object]) -> str:
    """For ``No module named 'x'``: where Lambda would get it from, and how to give it to the function here."""
    match = _NO_MODULE.search(f"{error.get('errorMessage', '')}")
    if match is None:
        return ""
    module = match[1].split(".")[0]
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
