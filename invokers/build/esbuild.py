"""Build TypeScript/JavaScript functions with the project's own esbuild, as ``sam build`` does.

SAM's ``Metadata: BuildMethod: esbuild`` / ``BuildProperties`` and the
``serverless-esbuild`` plugin's ``custom.esbuild`` both map onto esbuild's
command line. The output is laid out as each tool lays it out: SAM lets esbuild put a
single entry point at the top of the artifact folder (``src/app.ts`` ->
``app.js``, for ``Handler: app.handler``); serverless-esbuild keeps the
service's paths (``src/handler.ts`` -> ``src/handler.js``). Either way the
function's handler string works unchanged on the output folder.
A rebuild happens only when one of the inputs esbuild read last time changed
(its metafile lists them), which keeps a save-to-ready reload fast.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from . import STAMP, BuildFailed, Recipe, write_json

TIMEOUT_S = 60
_ERROR = re.compile(r"\[ERROR\]\s*(.*)")
_LOCATION = re.compile(r"^\s+(.+?):(\d+):(\d+):\s*$")
SOURCE_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx")

# SAM BuildProperties -> esbuild flags (lists repeat the flag per item)
_FLAGS: dict[str, str] = {"target": "--target", "format": "--format", "platform": "--platform",
                          "main_fields": "--main-fields", "out_extension": "--out-extension:",
                          "loader": "--loader:", "banner": "--banner:", "footer": "--footer:",
                          "define": "--define:", "external": "--external:"}
_SAM_KEYS = {"EntryPoints": "entry_points", "Target": "target", "Format": "format", "Platform": "platform",
             "MainFields": "main_fields", "OutExtension": "out_extension", "Loader": "loader", "Banner": "banner",
             "Footer": "footer", "Define": "define", "External": "external", "Minify": "minify",
             "Sourcemap": "sourcemap"}
_PLUGIN_KEYS = {"target": "target", "format": "format", "platform": "platform", "mainFields": "main_fields",
                "outExtension": "out_extension", "loader": "loader", "banner": "banner", "footer": "footer",
                "define": "define", "external": "external", "exclude": "external", "minify": "minify",
                "sourcemap": "sourcemap", "keepNames": "keep_names"}


def options_from_sam(properties: dict[str, Any], runtime: str) -> dict[str, Any]:
    """A template's ``BuildProperties`` as recipe options (unknown keys are ignored, as SAM warns)."""
    options = {ours: properties[theirs] for theirs, ours in _SAM_KEYS.items() if theirs in properties}
    options.setdefault("target", default_target(runtime))
    return options


def options_from_plugin(config: dict[str, Any], runtime: str, entry: str) -> dict[str, Any]:
    """``custom.esbuild`` of a serverless.yml using serverless-esbuild, for one function's entry file."""
    options = {ours: config[theirs] for theirs, ours in _PLUGIN_KEYS.items() if theirs in config}
    for mapping in ("loader", "banner", "footer", "define", "out_extension"):
        if isinstance(options.get(mapping), dict):
            options[mapping] = [f"{k}={v}" for k, v in options[mapping].items()]
    if isinstance(options.get("main_fields"), list):
        options["main_fields"] = ",".join(map(str, options["main_fields"]))
    options.setdefault("target", default_target(runtime))
    options["entry_points"] = [entry]
    options["keep_paths"] = True
    return options


def default_target(runtime: str) -> str:
    digits = "".join(ch for ch in runtime.split(".")[0] if ch.isdigit())
    return f"node{digits}" if digits else "node20"


def find_esbuild(source: Path) -> str:
    """The project's esbuild (nearest ``node_modules/.bin``), else one on PATH."""
    for folder in (source, *source.parents):
        candidate = folder / "node_modules" / ".bin" / "esbuild"
        if candidate.exists():
            return str(candidate)
    found = os.environ.get("SVL_ESBUILD") or shutil.which("esbuild")
    if found:
        return found
    raise BuildFailed(f"esbuild is not installed for {source}: run 'npm install' there "
                      "(the template's package.json lists esbuild), or 'npm install --save-dev esbuild'")


def command(recipe: Recipe, out: Path, metafile: Path) -> list[str]:
    options = recipe.options
    entries = options.get("entry_points") or []
    if isinstance(entries, str):
        entries = [entries]
    if not entries:
        raise BuildFailed(f"no EntryPoints to build in {recipe.source}: add BuildProperties: EntryPoints")
    args = [find_esbuild(Path(recipe.source)), *map(str, entries), "--bundle", f"--outdir={out}",
            "--log-level=error", "--color=false", f"--metafile={metafile}"]
    if options.get("keep_paths"):  # serverless-esbuild keeps src/handler.ts at src/handler.js
        args.append(f"--outbase={recipe.source}")
    options = {"platform": "node", **options}
    for key, flag in _FLAGS.items():
        value = options.get(key)
        if value in (None, "", []):
            continue
        for item in value if isinstance(value, list) else [value]:
            args.append(f"{flag}{item}" if flag.endswith(":") else f"{flag}={item}")
    for key, flag in (("minify", "--minify"), ("sourcemap", "--sourcemap"), ("keep_names", "--keep-names")):
        if _true(options.get(key)):
            args.append(flag)
    return args


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def ensure(recipe: Recipe, out: Path) -> bool:
    """Build when any input changed since the last good build; True when it built."""
    stamp = out.parent / STAMP
    if out.is_dir() and _current(stamp):
        return False
    build(recipe, out)
    return True


def _current(stamp: Path) -> bool:
    try:
        inputs = json.loads(stamp.read_text(encoding="utf-8"))["inputs"]
        return all(os.stat(path).st_mtime_ns == mtime for path, mtime in inputs.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def build(recipe: Recipe, out: Path) -> None:
    """Run esbuild once; BuildFailed carries its first error's file and line."""
    source = Path(recipe.source)
    metafile = out.parent / "meta.json"
    out.mkdir(parents=True, exist_ok=True)
    args = command(recipe, out, metafile)
    try:
        done = subprocess.run(args, cwd=source, capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildFailed(f"could not run esbuild ({args[0]}): {exc}") from exc
    if done.returncode != 0:
        raise failure(done.stderr or done.stdout, source)
    _link_node_modules(source, out)
    try:
        inputs = json.loads(metafile.read_text(encoding="utf-8")).get("inputs", {})
    except (OSError, ValueError):
        inputs = {}
    stamps = {}
    for name in inputs:
        path = (source / name).resolve()
        try:
            stamps[str(path)] = path.stat().st_mtime_ns
        except OSError:
            continue
    write_json(out.parent / STAMP, {"inputs": stamps})


def failure(output: str, source: Path) -> BuildFailed:
    """esbuild's first error as a BuildFailed with the file (absolute) and line."""
    message, file, line, column = "", "", None, None
    for text in output.splitlines():
        if not message:
            match = _ERROR.search(text)
            if match:
                message = match[1].strip()
            continue
        location = _LOCATION.match(text)
        if location:
            file = str((source / location[1]).resolve())
            line, column = int(location[2]), int(location[3])
            break
    if not message:
        message = output.strip().splitlines()[-1] if output.strip() else "esbuild failed without a message"
    where = f" ({os.path.relpath(file, source)}:{line}:{column})" if file else ""
    hint = ""
    if message.startswith("Could not resolve"):
        hint = (f": is it in {source}/package.json, and installed? Run 'npm install' there"
                " (or list it in External if the runtime provides it)")
    return BuildFailed(f"esbuild: {message}{where}{hint}", file, line, column)


def _link_node_modules(source: Path, out: Path) -> None:
    """Externals (``External``, ``exclude``) still resolve from the project's node_modules, as they would
    from the deployed package."""
    link = out / "node_modules"
    if link.exists() or link.is_symlink():
        return
    for folder in (source, *source.parents):
        if (folder / "node_modules").is_dir():
            try:
                link.symlink_to(folder / "node_modules", target_is_directory=True)
            except OSError:
                pass
            return
