"""Find the local functions of a project folder.

Sources are read in a fixed order: ``svl.yaml``, a SAM template,
``serverless.yml``, then Azure ``function.json`` folders and Azure apps written
in code (Node v4, Python v2: loaded in a worker process). A name defined
twice keeps its first definition (with a warning). A broken file yields
Problems naming the file, line and field; the other files still load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..models import FunctionSpec
from ..runtimes import runtime_note
from . import azure, azure_apps, sam, serverless, svl
from .placeholders import apply_values
from .settings import Settings, apply_env_vars, samconfig_overrides
from .yamlfile import ConfigFileError, Problem, load

_YAML_SOURCES = (svl, sam, serverless)
CONFIG_FILENAMES = tuple(name for source in _YAML_SOURCES for name in source.FILENAMES)


@dataclass
class Discovery:
    project: Path
    functions: list[FunctionSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    example: bool = False  # True when the bundled example project stood in for an empty folder
    settings: Settings = field(default_factory=Settings)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def get(self, name: str) -> FunctionSpec | None:
        return next((spec for spec in self.functions if spec.name == name), None)

    def suggestions(self, name: str) -> list[str]:
        """Close matches for a mistyped name, best first (case-insensitive)."""
        import difflib

        names = [spec.name for spec in self.functions]
        lowered = {n.lower(): n for n in names}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.5)
        contains = [n for n in names if name.lower() in n.lower() and n.lower() not in close]
        return [lowered[c] for c in close] + contains[: 3 - len(close)]


def discover(project: Path | str, settings: Settings | None = None) -> Discovery:
    """All local functions in ``project`` and every problem found on the way."""
    root = Path(project).resolve()
    settings = settings or Settings()
    result = Discovery(root, settings=settings)
    for source in _YAML_SOURCES:
        for filename in source.FILENAMES:
            path = root / filename
            if not path.is_file():
                continue
            options = settings
            built = False
            if source is sam:
                path, built, options = _sam_inputs(root, path, settings, result.problems)
            try:
                doc = load(path)
            except ConfigFileError as exc:
                result.problems.append(exc.problem)
                continue
            specs, problems = (source.read(doc, path.parent, options, built=built) if source is sam
                               else source.read(doc, root, options) if source is serverless
                               else source.read(doc, root))
            result.problems.extend(problems)
            _add(result, specs)
            break  # template.yaml wins over template.yml, as in SAM
    for read in (azure.read, azure_apps.read):
        specs, problems = read(root)
        result.problems.extend(problems)
        _add(result, specs)
    if settings.env_vars:
        result.problems.extend(apply_env_vars(settings.env_vars, root, result.functions))
    result.problems.extend(svl.apply_interpreters(root, result.functions))
    apply_values(result, settings.aws_values)
    for spec in result.functions:
        spec.runtime_note = runtime_note(spec)
    return result


def _sam_inputs(root: Path, template: Path, settings: Settings,
                problems: list[Problem]) -> tuple[Path, bool, Settings]:
    """The template SAM itself would run (``.aws-sam/build`` when built) and the overrides it would use."""
    from dataclasses import replace

    from .built import built_template

    overrides, found = samconfig_overrides(root)
    problems.extend(found)
    options = replace(settings, parameter_overrides={**overrides, **settings.parameter_overrides})
    path, notes = built_template(root, template)
    problems.extend(notes)
    return path, path != template, options


def _add(result: Discovery, specs: list[FunctionSpec]) -> None:
    for spec in specs:
        existing = result.get(spec.name)
        if existing is not None:
            result.problems.append(Problem(Path(spec.config_file).name, None, spec.name,
                                           f"function {spec.name!r} is already defined in "
                                           f"{Path(existing.config_file).name}; this one is ignored", "warning"))
            continue
        result.functions.append(spec)


def example_project() -> Path:
    """The bundled example project: in the wheel, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_examples" / "demo", here.parent / "examples" / "demo"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled example project is missing from this installation")


def discover_or_example(project: Path | str | None, settings: Settings | None = None) -> Discovery:
    """The project's functions; with no project given and none found, the bundled example's."""
    found = discover(project or Path.cwd(), settings)
    if found.functions or found.problems or project is not None:
        return found
    example = discover(example_project())
    example.example = True
    return example
