"""What the headless commands read: the project, a function by name, the event, the embedded AWS.

Shared by ``invoke``, ``watch`` and the UI's launcher, so they fail the same
way on the same bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .cli_output import UsageError
from .models import FunctionSpec

if TYPE_CHECKING:
    from .aws.mock import MockAws
    from .discovery import Discovery
    from .discovery.settings import Settings
    from .discovery.yamlfile import Problem
    from .history import History


def load_project(args: argparse.Namespace, err: TextIO = sys.stderr) -> Discovery:
    # Imported here, not at the top: PyYAML and the config readers would delay the spare worker.
    from .discovery import discover_or_example

    project = Path(args.project) if args.project else None
    if project is not None and not project.is_dir():
        raise UsageError(f"--project {args.project}: no such folder")
    found = discover_or_example(project, discovery_settings(args))
    if found.example:
        print(f"svl-tui: no functions in {Path.cwd()}; showing the bundled example project ({found.project})",
              file=err)
    if getattr(args, "resolve_aws", False) and not args.no_aws:
        from .aws.session import Aws, AwsSettings
        from .discovery.placeholders import resolve

        found.problems.extend(resolve(found, Aws(AwsSettings.from_args(args.profile, args.region))))
    for problem in found.problems:
        print(f"svl-tui: {problem.severity}: {problem}", file=err)
    return found


def history_for(args: argparse.Namespace, found: Discovery | None = None) -> History:
    """Where this command records its invocations: the project's ``.svl/history`` (``--project`` or the current
    folder when no project was loaded, as for ``invoke --remote``)."""
    from .history import History

    if found is not None:
        return History.for_project(found.project, example=found.example)
    return History.for_project(Path(args.project) if getattr(args, "project", None) else Path.cwd())


def discovery_settings(args: argparse.Namespace) -> Settings:
    """``--parameter-overrides``, ``--env-vars`` and ``--stage`` as discovery settings (UI and CLI alike)."""
    from .discovery.settings import Settings, parse_overrides

    return Settings(parameter_overrides=parse_overrides(getattr(args, "parameter_overrides", None) or []),
                    env_vars=getattr(args, "env_vars", None) or "", stage=getattr(args, "stage", None) or "")


def fetch_layers(specs: list[FunctionSpec], args: argparse.Namespace) -> None:
    """Download the layer ARNs these functions use that are not cached yet (only when some are missing)."""
    from .build import missing_layers

    if not any(missing_layers(spec) for spec in specs):
        return
    from .aws.session import Aws, AwsSettings
    from .build.layers import fetch_missing

    for arn, why in fetch_missing(specs, Aws(AwsSettings.from_args(args.profile, args.region))).items():
        print(f"svl-tui: warning: layer {arn} could not be downloaded: {why}", file=sys.stderr)


def find_function(found: Discovery, name: str) -> FunctionSpec:
    spec = found.get(name)
    if spec is not None:
        return spec
    close = found.suggestions(name)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    known = ", ".join(s.name for s in found.functions) or "none"
    raise UsageError(f"no function named {name!r} in {found.project}.{hint} (functions: {known})")


def read_event(args: argparse.Namespace, spec: FunctionSpec) -> Any:
    """The event from --data, --event FILE, --event - (stdin), or the function's default."""
    given, event = explicit_event(args, spec.name)
    if given:
        return event
    if spec.default_event is not None:
        return spec.default_event
    from .trigger_events import opening_event  # here: a plain invoke need not load the event catalogue

    return opening_event(spec, Path(args.project or Path.cwd())).event


def explicit_event(args: argparse.Namespace, function: str) -> tuple[bool, Any]:
    """(True, the event) from --data, --saved, --event FILE or --event -; (False, None) when none was given."""
    if args.data is not None:
        return True, parse_json(args.data, "--data")
    if args.saved:
        return True, saved_event(Path(args.project or Path.cwd()), function, args.saved)
    if args.event == "-":
        return True, parse_json(sys.stdin.read(), "standard input")
    if args.event:
        path = Path(args.event)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--event {args.event}: {exc.strerror or exc}") from None
        return True, parse_json(text, args.event)
    return False, None


def saved_event(project: Path, function: str, name: str) -> Any:
    """The event ``function`` saved as ``name`` in ``project`` (``--saved``)."""
    from event_samples import SavedEventError, SavedEvents

    try:
        return SavedEvents(project).load(function, name)
    except SavedEventError as exc:
        raise UsageError(str(exc)) from None


def parse_json(text: str, where: str) -> Any:
    """An event as strict JSON: a syntax error, or a NaN / Infinity (not JSON, refused by AWS), says where."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}. "
                         "Fix the event (keys and strings need double quotes).") from None
    except ValueError:
        from event_samples.strict_json import loads_strict  # only now: it finds the line and column

        try:
            loads_strict(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}.") from None
        raise  # pragma: no cover - loads_strict refuses whatever the fast path refused


def _refuse_constant(name: str) -> None:
    raise ValueError(name)


def start_mock(args: argparse.Namespace, found: Discovery | None = None, *, quiet: bool = False) -> MockAws | None:
    """The embedded AWS (moto on 127.0.0.1) when ``--mock-aws`` was given: the one place that starts it.

    With the project ``found``, its declared resources are created in it
    (``mock.provisioned``) and its functions' environments and triggers are
    re-read so ``!Ref``/``!GetAtt`` of them give the real names; resources that
    could not be created are added to ``found.problems`` (and printed on stderr unless ``quiet``).
    Raises ``AwsError`` when moto is not installed or cannot start.
    """
    if not args.mock_aws:
        return None
    from .aws import mock

    started = mock.start(args.region or "us-east-1")
    if found is not None:
        for problem in provision_project(found, started):
            if not quiet:
                print(f"svl-tui: {problem.severity}: {problem}", file=sys.stderr)
    return started


def provision_project(found: Discovery, mock: MockAws) -> list[Problem]:
    """Create ``found``'s resources in ``mock`` and point its functions at them; the problems met.

    The functions are updated in place (environment and triggers from a second
    discovery whose settings carry the resources), so a spec already picked
    stays valid, and ``found.settings`` keeps the resources for reloads.
    """
    from dataclasses import replace

    from .aws.provision import provision
    from .discovery import discover
    from .discovery.yamlfile import Problem

    try:
        provisioned = provision(found, mock)
    except Exception as exc:  # noqa: BLE001 - a bug here must not stop the session: say it and go on
        problem = Problem("--mock-aws", None, "", f"the project's resources were not created: "
                                                  f"{type(exc).__name__}: {exc}", "warning")
        found.problems.append(problem)
        return [problem]
    mock.provisioned = provisioned
    if provisioned.resources:
        found.settings = replace(found.settings, resources=provisioned)
        again = {spec.name: spec for spec in discover(found.project, found.settings).functions}
        for spec in found.functions:
            if spec.name in again:
                spec.environment, spec.triggers = again[spec.name].environment, again[spec.name].triggers
    found.problems.extend(provisioned.problems)
    return provisioned.problems
