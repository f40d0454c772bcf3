"""The AWS SDK a Node Lambda runtime bundles, for local Node workers.

``nodejs18.x`` and later bundle the AWS SDK for JavaScript v3 (``@aws-sdk/*``);
``nodejs16.x`` and earlier bundle v2 (``aws-sdk``). Handlers often rely on it
without listing it in ``package.json``. svl-tui installs the packages a
function needs, once and only when the user agrees (``svl-tui sdk install``,
``invoke --install-sdk``, or the UI's prompt calling :func:`install`), into its
own cache; workers resolve them after the function's own ``node_modules`` and
its layers, as Lambda's ``NODE_PATH`` does. Until then a ``Cannot find module``
for one of them says that Lambda bundles it and how to get it here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import cache
from .models import FunctionSpec

V2_PACKAGE = "aws-sdk"
_SOURCE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
_IMPORT = re.compile(r"""(?:require\s*\(\s*|import\s*\(\s*|from\s+|import\s+)"""
                     r"""["'](@aws-sdk/[\w.-]+|aws-sdk)(?:/[^"']*)?["']""")
_MISSING = re.compile(r"Cannot find (?:module|package) '(@aws-sdk/[\w.-]+|aws-sdk)(?:/[^']*)?'")
MAX_SCANNED_FILES = 2000  # a code folder is scanned for imports; bounded so a huge tree stays fast


def sdk_version(runtime: str) -> str:
    """``v3`` for nodejs18.x and later, ``v2`` before (what each Lambda runtime bundles)."""
    match = re.match(r"nodejs(\d+)", runtime)
    return "v2" if match and int(match[1]) <= 16 else "v3"


def is_bundled(package: str, runtime: str) -> bool:
    return package == V2_PACKAGE if sdk_version(runtime) == "v2" else package.startswith("@aws-sdk/")


def sdk_dir(runtime: str) -> Path:
    """The cache folder holding the installed SDK packages for ``runtime``'s SDK version."""
    return cache.path("node-sdk") / sdk_version(runtime)


def node_path(spec: FunctionSpec) -> str:
    """``NODE_PATH`` in Lambda's order: layers' ``nodejs/nodeNN/node_modules``, ``nodejs/node_modules``, the SDK."""
    major = re.match(r"nodejs(\d+)", spec.runtime)
    entries: list[str] = []
    layers = list(reversed(spec.layers))  # later layers overwrite earlier ones in /opt
    if major:
        entries += [os.path.join(layer, "nodejs", f"node{major[1]}", "node_modules") for layer in layers]
    entries += [os.path.join(layer, "nodejs", "node_modules") for layer in layers]
    entries.append(str(sdk_dir(spec.runtime) / "node_modules"))
    return os.pathsep.join(entries)


def missing_note(spec: FunctionSpec, error: dict[str, object] | None) -> tuple[list[str], str]:
    """For an error ``Cannot find module '@aws-sdk/...'``: the bundled packages missing here and what to do."""
    if error is None or spec.language != "node":
        return [], ""
    text = f"{error.get('errorMessage', '')}"
    found = set(_MISSING.findall(text))
    packages = sorted(match for match in found if is_bundled(match, spec.runtime))
    if not packages and V2_PACKAGE in found:
        return [], (f"Lambda's {spec.runtime} runtime bundles the AWS SDK v3 (@aws-sdk/*) only, not aws-sdk (v2): "
                    "this fails when deployed too. Add aws-sdk to package.json and run npm install, or move to v3")
    if not packages:
        return [], ""
    version = "AWS SDK for JavaScript v3" if sdk_version(spec.runtime) == "v3" else "AWS SDK for JavaScript v2"
    names = ", ".join(packages)
    return packages, (
        f"Lambda's {spec.runtime} runtime bundles {names} ({version}), so it works when deployed; it is not installed "
        f"here. Run 'svl-tui sdk install' in the project (or invoke with --install-sdk) to install it once with npm "
        f"into {sdk_dir(spec.runtime)}, or add it to the function's package.json")


def imported_packages(spec: FunctionSpec) -> list[str]:
    """The bundled SDK packages the function's own sources import (node_modules excluded)."""
    found: set[str] = set()
    root = Path(spec.code_dir)
    scanned = 0
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if d not in ("node_modules", ".git", ".aws-sam", "cdk.out")]
        for name in files:
            if not name.endswith(_SOURCE_SUFFIXES) or name.endswith(".d.ts"):
                continue
            scanned += 1
            if scanned > MAX_SCANNED_FILES:
                return sorted(found)
            try:
                text = (Path(folder) / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found.update(p for p in _IMPORT.findall(text) if is_bundled(p, spec.runtime))
    return sorted(found)


def resolvable(package: str, spec: FunctionSpec) -> bool:
    """Whether Node would find ``package`` for this function: its node_modules up the tree, layers, the SDK cache."""
    folder = Path(spec.code_dir).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / "node_modules" / package / "package.json").is_file():
            return True
    return any((Path(entry) / package / "package.json").is_file() for entry in node_path(spec).split(os.pathsep))


def missing_packages(spec: FunctionSpec) -> list[str]:
    """The bundled SDK packages this function imports but this machine cannot resolve (what to offer to install)."""
    if spec.language != "node" or not spec.code_dir:
        return []
    return [package for package in imported_packages(spec) if not resolvable(package, spec)]


@dataclass
class Installed:
    """What an install did: the packages, where, and npm's complaint when it failed."""

    packages: list[str]
    folder: str
    ok: bool
    message: str = ""


def install(packages: list[str], runtime: str, *, npm: str | None = None, timeout_s: float = 600) -> Installed:
    """Install ``packages`` (the SDK version ``runtime`` bundles) into svl-tui's cache with npm. Blocking.

    Only bundled SDK packages are accepted: this is not a general package installer.
    """
    folder = sdk_dir(runtime)
    wrong = [p for p in packages if not is_bundled(p, runtime)]
    if wrong:
        return Installed(packages, str(folder), False, (
            f"{', '.join(wrong)} is not part of the SDK that Lambda's {runtime} runtime bundles "
            f"({'@aws-sdk/*' if sdk_version(runtime) == 'v3' else V2_PACKAGE}); add it to the project's package.json"))
    if not packages:
        return Installed([], str(folder), True, "nothing to install")
    program = npm or shutil.which("npm")
    if not program:
        return Installed(packages, str(folder), False, "npm is not on PATH: install Node.js with npm to fetch the SDK")
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "package.json"
    if not manifest.is_file():
        manifest.write_text('{"name": "svl-tui-node-sdk", "private": true, "description": '
                            '"AWS SDK packages that Lambda Node runtimes bundle, for svl-tui workers"}\n')
    try:
        done = subprocess.run([program, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix",
                               str(folder), *packages], capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Installed(packages, str(folder), False, f"npm install did not finish: {exc}")
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        return Installed(packages, str(folder), False, "npm install failed: " + " | ".join(tail))
    return Installed(packages, str(folder), True, f"installed {', '.join(packages)} into {folder}")


async def install_async(packages: list[str], runtime: str) -> Installed:
    """:func:`install` off the event loop, for the UI's prompt."""
    import asyncio

    return await asyncio.to_thread(install, packages, runtime)
