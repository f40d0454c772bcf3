"""Hot reload: watch local functions' files, recycle what changed, report it.

A save recycles only the functions whose code changed (their next invoke is a
cold start of the new code, as after a deployment), re-runs discovery when a
config file changed, and says whether the new code loads. Bursts of writes (an
editor saving several files, ``git checkout``) are grouped into one reload.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import build
from .discovery import CONFIG_FILENAMES, Discovery, discover
from .discovery.settings import Settings
from .engine import Engine
from .file_watch import Watch, watch_folders
from .models import FunctionSpec, Result

IGNORED_DIRS = {".git", "__pycache__", "node_modules", ".svl", ".venv", "venv", ".mypy_cache", ".pytest_cache",
                ".ruff_cache", ".hypothesis", ".tox", ".idea", ".vscode", ".aws-sam", ".serverless", "dist", "build"}
CODE_SUFFIXES = {".py", ".js", ".mjs", ".cjs", ".json", ".ts", ".tsx", ".mts", ".cts", ".jsx", ".zip"}
AZURE_FILES = {"function.json", "host.json", "local.settings.json"}
ARTIFACT_DIRS = {"dist", "build", ".serverless"}  # where packaged zips live; a zip there can be a function's code
DEPENDENCY_FILES = {"package.json", "package-lock.json", "requirements.txt"}
SKIPPED_DIRS = IGNORED_DIRS - ARTIFACT_DIRS  # never descended into by the watcher


@dataclass
class LoadError:
    """New code that does not load: where, and why."""

    function: str
    error_type: str
    message: str
    file: str = ""
    line: int | None = None


@dataclass
class ReloadEvent:
    """One reload: what changed on disk and what happened to the functions."""

    files: list[str]
    reloaded: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    config_changed: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ignored(path: str) -> bool:
    """Files that cannot change what a function does: VCS, caches, editor droppings, svl-tui's own."""
    parts = Path(path).parts
    hidden_by = [part for part in parts[:-1] if part in IGNORED_DIRS]
    artifact = path.endswith(".zip") and all(part in ARTIFACT_DIRS for part in hidden_by)  # CodeUri: dist/fn.zip
    if hidden_by and Path(path).name not in DEPENDENCY_FILES and not artifact:
        return True
    name = parts[-1] if parts else ""
    return (name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".pyc")) or name.startswith((".#", "#"))
            or name == "4913" or name == ".DS_Store")


def skipped_dir(name: str) -> bool:
    """Folders whose files cannot change what a function does (``ignored`` for them), so not watched at all:
    ``node_modules`` or ``.git`` alone can hold more folders than the system lets one user watch."""
    return name in SKIPPED_DIRS


def _relevant(path: Path, config_names: set[str]) -> bool:
    return path.suffix in CODE_SUFFIXES or path.name in config_names or path.name == "bootstrap"


class Reloader:
    """Maps file changes to function reloads for one project, using the engine to recycle."""

    def __init__(self, project: Path, engine: Engine, discovery: Discovery | None = None) -> None:
        self.project = Path(project).resolve()
        self.engine = engine
        self.discovery = discovery or discover(self.project)
        self._config_names = set(CONFIG_FILENAMES) | AZURE_FILES

    @property
    def functions(self) -> list[FunctionSpec]:
        return self.discovery.functions

    def roots(self) -> list[Path]:
        """Folders to watch: the project, and code folders that live outside it."""
        roots = [self.project]
        for spec in self.functions:
            for code in (Path(spec.code_dir), *map(Path, spec.layers), *_build_sources(spec)):
                if (code.is_dir() and not build.is_generated(code) and not code.is_relative_to(self.project)
                        and code not in roots):
                    roots.append(code)
        return roots

    async def watch(self, stop: asyncio.Event | None = None) -> AsyncIterator[ReloadEvent]:
        """Yield a ReloadEvent for every burst of relevant changes, until ``stop`` is set.

        A save is applied at once (``file_watch`` knows when a write is
        finished); what was saved again while that reload ran is applied right
        after it and told in the same event, so a burst longer than the
        watcher's batches (a formatter rewriting the file, a long ``git
        checkout``) is still one event, whose errors are those of its end state.
        The watcher is armed as soon as this generator has taken its first step.
        """
        source = self._watch(stop)
        try:
            while (paths := await source.next_batch()) is not None:
                event = await self.apply(paths)
                while source.has_changes() and (more := await source.next_batch()) is not None:
                    event = _merged(event, await self.apply(more))
                if event is not None:
                    yield event
        finally:
            source.close()

    async def changes(self, stop: asyncio.Event | None = None) -> AsyncIterator[list[str]]:
        """Every burst of changed paths, not yet applied (``apply`` them when it suits).

        The watcher is armed as soon as this generator has taken its first
        step: a task iterating it, given one turn of the event loop, already
        sees every later save.
        """
        source = self._watch(stop)
        try:
            while (paths := await source.next_batch()) is not None:
                yield paths
        finally:
            source.close()

    def _watch(self, stop: asyncio.Event | None) -> Watch:
        """The watcher, taking only what ``apply`` would act on: an editor's temporary files (JetBrains'
        ``___jb_tmp___``, a backup renamed away) neither make a batch nor hold one."""
        return watch_folders(self.roots(), lambda path: not ignored(path) and _relevant(Path(path), self._config_names),
                             skipped_dir, stop)

    async def apply(self, paths: Iterable[str]) -> ReloadEvent | None:
        """Reload for a set of changed paths; None when none of them matters."""
        changed = sorted({Path(p).resolve() for p in paths if not ignored(p)})
        relevant = [p for p in changed if _relevant(p, self._config_names)]
        if not relevant:
            return None
        event = ReloadEvent(files=[self._display(p) for p in relevant])
        affected: dict[str, FunctionSpec] = {}
        if any(p.name in self._config_names for p in relevant):
            self._rediscover(event, affected)
        for path in relevant:
            if path.name in self._config_names:
                continue
            for spec in self._owners(path):
                affected[spec.name] = spec
        was_warm = {name for name in affected if self.engine.is_warm(name)}
        for name in affected:
            await self.engine.recycle(name)
        event.reloaded = sorted(set(affected) - set(event.removed))
        await self._check_new_code(event, affected, was_warm, relevant)
        return event

    async def reconfigure(self, settings: Settings) -> ReloadEvent:
        """Read the project again with other settings (an env-vars file, overrides, a stage), as after a save.

        Functions whose configuration changed get new environments, exactly as
        when their config file changes on disk.
        """
        self.discovery.settings = settings
        event = ReloadEvent(files=[settings.env_vars] if settings.env_vars else [])
        affected: dict[str, FunctionSpec] = {}
        self._rediscover(event, affected)
        was_warm = {name for name in affected if self.engine.is_warm(name)}
        for name in affected:
            await self.engine.recycle(name)
        event.reloaded = sorted(affected)
        await self._check_new_code(event, affected, was_warm, [])
        return event

    def _rediscover(self, event: ReloadEvent, affected: dict[str, FunctionSpec]) -> None:
        event.config_changed = True
        before = {spec.name: spec for spec in self.functions}
        found = discover(self.project, self.discovery.settings)
        event.problems = [str(p) for p in found.problems]
        if any(not problem.field for problem in found.errors):
            # A config file that does not load at all (often half-way through an edit) keeps the last good
            # functions: saying they were all removed would be wrong, and they still run. (A bad field only
            # drops its own function, as on start-up.)
            event.problems.append("the functions of the last good configuration stay in use until it loads")
            return
        self.discovery = found
        after = {spec.name: spec for spec in self.functions}
        event.added = sorted(set(after) - set(before))
        event.removed = sorted(set(before) - set(after))
        for name, spec in after.items():
            if name in before and before[name] != spec:
                affected[name] = spec
        for name in event.removed:
            affected[name] = before[name]

    def _owners(self, path: Path) -> list[FunctionSpec]:
        """Functions a changed source file can affect.

        A function's own handler file affects that function only; another file
        inside code folders affects the functions of those folders; a file
        elsewhere in the project (a shared package) may be imported by any of
        them, so it affects all.
        """
        by_handler = [spec for spec in self.functions if path in _handler_files(spec)]
        if by_handler:
            return by_handler
        built = [spec for spec in self.functions
                 if any(path == source or path.is_relative_to(source) for source in _build_sources(spec))
                 or any(path.is_relative_to(layer) for layer in spec.layers)]
        if built:
            return built
        if path.name in DEPENDENCY_FILES:
            return [s for s in self.functions if path.parent == Path(s.code_dir) or
                    Path(s.code_dir).is_relative_to(path.parent)]
        inside = [spec for spec in self.functions if path.is_relative_to(Path(spec.code_dir))]
        if inside:
            return inside
        if path.suffix == ".json":
            return []  # data next to the project (sample events, fixtures), not code
        return list(self.functions)

    async def _check_new_code(self, event: ReloadEvent, affected: dict[str, FunctionSpec], was_warm: set[str],
                              changed: list[Path]) -> None:
        """Start the recycled environments again (they were in use) and report init failures.

        Functions that were not running are not started; their Python files
        are compiled instead, so a syntax error is still reported at once.
        """
        current = {spec.name: spec for spec in self.functions}
        warm = [current[name] for name in sorted(was_warm) if name in current]
        failures = await asyncio.gather(*(self.engine.prewarm(spec) for spec in warm))
        for spec, failure in zip(warm, failures, strict=True):
            if failure is not None:
                error = _load_error(spec.name, failure)
                if error.file:
                    error.file = self._display(Path(error.file).resolve())
                event.errors.append(error)
        for spec in self._unstarted_builds(affected, warm):
            try:
                await build.prepare_async(spec)
            except build.BuildFailed as exc:
                event.errors.append(LoadError(spec.name, "Runtime.UserCodeSyntaxError", str(exc),
                                              self._display(Path(exc.file)) if exc.file else "", exc.line))
        reported = {e.file for e in event.errors}
        for path in changed:
            if path.suffix == ".py" and self._display(path) not in reported:
                problem = _compile_error(path)
                if problem is not None:
                    owners = ", ".join(s.name for s in self._owners(path)) or "-"
                    event.errors.append(LoadError(owners, "Runtime.UserCodeSyntaxError", problem[1],
                                                  self._display(path), problem[0]))

    @staticmethod
    def _unstarted_builds(affected: dict[str, FunctionSpec], warm: list[FunctionSpec]) -> list[FunctionSpec]:
        """Built functions not running: built now anyway, so a build error shows at save time."""
        started = {spec.name for spec in warm}
        return [spec for name, spec in sorted(affected.items())
                if name not in started and build.recipe_for(spec.code_dir) is not None]

    def _display(self, path: Path) -> str:
        return str(path.relative_to(self.project)) if path.is_relative_to(self.project) else str(path)


def _merged(first: ReloadEvent | None, later: ReloadEvent | None) -> ReloadEvent | None:
    """Two reloads of one burst as one event: the files of both, the functions' end state, and the errors of
    the later one plus those of the first that it did not supersede (another function, another file)."""
    if first is None or later is None:
        return first or later
    removed = sorted((set(first.removed) - set(later.added)) | (set(later.removed) - set(first.added)))
    return ReloadEvent(
        files=first.files + [f for f in later.files if f not in first.files],
        reloaded=sorted((set(first.reloaded) | set(later.reloaded)) - set(removed)),
        added=sorted((set(first.added) | set(later.added)) - set(later.removed)),
        removed=removed,
        errors=[e for e in first.errors if e.function not in later.reloaded and e.file not in later.files]
        + later.errors,
        config_changed=first.config_changed or later.config_changed,
        problems=later.problems if later.config_changed else first.problems)


def _build_sources(spec: FunctionSpec) -> list[Path]:
    """The user's files a generated code folder comes from (esbuild's code root, a zip)."""
    folder, archives = build.sources_of(spec)
    return ([folder] if folder is not None else []) + [Path(a) for a in archives]


def _handler_files(spec: FunctionSpec) -> set[Path]:
    code = Path(spec.code_dir)
    module = spec.handler.split("#")[0]
    if spec.language == "python":
        stem = module.rsplit(".", 1)[0].replace(".", "/")
        return {(code / f"{stem}.py").resolve(), (code / stem / "__init__.py").resolve()}
    if spec.language == "node":
        stem = module if module.endswith((".js", ".mjs", ".cjs")) else module.rsplit(".", 1)[0]
        stems = [stem] if stem.endswith((".js", ".mjs", ".cjs")) else [stem + ext for ext in (".js", ".mjs", ".cjs")]
        return {(code / s).resolve() for s in stems}
    return {(code / "bootstrap").resolve()}


def _compile_error(path: Path) -> tuple[int | None, str] | None:
    try:
        source = path.read_bytes()
    except OSError:
        return None
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc.lineno, f"{exc.msg} ({path.name}, line {exc.lineno})"
    except ValueError as exc:
        return None, str(exc)
    return None


def _load_error(name: str, failure: Result) -> LoadError:
    error = failure.error or {}
    message = str(error.get("errorMessage", ""))
    file, line = "", None
    for frame in error.get("stackTrace") or []:
        text = str(frame).strip()
        if text.startswith("File "):
            parts = text.split('"')
            if len(parts) >= 3:
                file = parts[1]
                tail = parts[2].replace(",", " ").split()
                if len(tail) >= 2 and tail[0].lower() == "line" and tail[1].isdigit():
                    line = int(tail[1])
            break
    return LoadError(name, str(error.get("errorType", "")), message, file, line)

