"""How the UI words and colours the engine's plain data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from invokers.drift import Drift
from invokers.models import Comparison, Result
from invokers.responses import http_view

STATUS_STYLES = {"ok": "bold green", "error": "bold red", "timeout": "bold yellow", "crashed": "bold magenta"}


def ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def signed_ms(delta: float) -> str:
    """A duration change with its sign, ``+1.50 ms``; a change that rounds to nothing is ``+0.00``, never ``-0.00``."""
    shown = round(delta, 2) + 0.0  # + 0.0: -0.0 becomes 0.0
    return f"{'+' if shown >= 0 else ''}{shown:.2f} ms"


def place(folder: Path, project: Path) -> str:
    """A folder as a person reads it: relative to the project when inside it, else with ``~`` for the home."""
    if folder.is_relative_to(project):
        return str(folder.relative_to(project))
    home = Path.home()
    return f"~/{folder.relative_to(home)}" if folder.is_relative_to(home) else str(folder)


def usd(value: float) -> str:
    return f"${value:.10f}".rstrip("0").rstrip(".") if value < 0.01 else f"${value:,.2f}"


def figures(result: Result, comparison: Comparison | None = None) -> Table:
    """The REPORT figures as a two-column table."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(no_wrap=True)
    start = Text("cold start", style="yellow") if result.cold else Text("warm", style="green")
    table.add_row("status", Text(result.status.upper(), style=STATUS_STYLES.get(result.status, "")))
    table.add_row("start", start)
    if result.init_ms is not None:
        table.add_row("init", ms(result.init_ms))
    duration = Text(ms(result.duration_ms))
    if comparison is not None:
        delta = comparison.duration_delta_ms
        duration.append(f"  {signed_ms(delta)}", style="red" if delta > 0 else "green")
    table.add_row("duration", duration)
    if result.attempts > 1:  # an Azure retry policy ran it again; the figures are the last attempt's
        failed = ", ".join(retry.get("status", "?") for retry in result.retries)
        table.add_row("attempts", Text(f"{result.attempts} (last shown; earlier: {failed})", style="yellow"))
    if result.paused_ms:
        table.add_row("paused", Text(f"{ms(result.paused_ms)} in the debugger (not in duration)", style="yellow"))
    table.add_row("billed", f"{result.billed_ms} ms")
    table.add_row("memory", f"{result.max_memory_mb or '?'} / {result.memory_mb} MB")
    table.add_row("cost", usd(result.cost_usd))
    if result.billing:  # a row of its own: beside the cost it squeezed the labels of a narrow panel
        table.add_row("prices", result.billing)
    table.add_row("per 1M", usd(result.cost_usd * 1_000_000))
    if comparison is not None:
        table.add_row("vs last", Text("response changed" if comparison.response_changed else "same response",
                                      style="yellow" if comparison.response_changed else "dim"))
    if result.log_dropped_lines:
        table.add_row("logs", Text(f"{result.log_dropped_lines} lines dropped", style="yellow"))
    return table


def pretty_json(value: Any) -> RenderableType:
    from rich.syntax import Syntax  # pygments is slow to import: not before the first frame

    text = value if isinstance(value, str) else json.dumps(value, indent=2, default=str)
    return Syntax(text, "json", theme="ansi_dark", word_wrap=True, background_color="default")


def outcome(result: Result) -> RenderableType:
    """The response (HTTP responses as status, headers, decoded body) or the error with its trace.

    Notes on what differs from Lambda here (another Python, an SDK Lambda bundles but this machine
    lacks) come last, in the panel, not only in the logs, so a mismatch is never silent.
    """
    if not result.ok:
        error = result.error or {}
        parts: list[RenderableType] = [
            Text(f"{error.get('errorType', 'Error')}", style="bold red"),
            Text(str(error.get("errorMessage", "")), style="red"),
        ]
        trace = error.get("stackTrace") or error.get("trace") or []
        if trace:
            parts.append(Text("".join(line if line.endswith("\n") else line + "\n" for line in trace).rstrip(),
                              style="dim"))
        parts.extend(error_locals(result))
        return Group(*parts, *notes(result))
    view = http_view(result.response)
    if view is None:
        return Group(pretty_json(result.response), *output_bindings(result), *notes(result))
    style = "green" if view.status < 400 else "yellow" if view.status < 500 else "red"
    head = Text(f"HTTP {view.status}", style=f"bold {style}")
    headers = Text("\n".join(f"{k}: {v}" for k, v in view.headers.items()), style="dim")
    body = pretty_json(view.body) if not isinstance(view.body, str) else Text(view.body)
    return Group(head, headers, Text(""), body, *output_bindings(result), *notes(result))


def notes(result: Result) -> list[Text]:
    """The engine's notes on this run (``Result.notes``), one warning line each."""
    return [Text(f"\n⚠ {note}", style="yellow") for note in result.notes]


def output_bindings(result: Result) -> list[RenderableType]:
    """An Azure function's output bindings (queue messages, blobs ... it sent), each under its name."""
    parts: list[RenderableType] = []
    for name, value in result.outputs.items():
        parts.append(Text(f"\noutput binding {name}", style="bold"))
        parts.append(pretty_json(value) if not isinstance(value, str) else Text(value))
    return parts


def error_locals(result: Result) -> list[Text]:
    """The failing frames' locals (innermost first), as the engine captured and masked them."""
    parts: list[Text] = []
    for frame in result.error_locals or []:
        where = str(frame.get("file", "")).replace("\\", "/").rsplit("/", 1)[-1]
        text = Text()
        text.append(f"\nlocals of {frame.get('function')} ({where}:{frame.get('line')})\n", style="bold")
        for variable in frame.get("locals") or []:
            text.append(f"  {variable.get('name')}", style="cyan")
            text.append(f" = {variable.get('value')}\n")
        parts.append(text)
    return parts


def configuration(details: Any) -> Table:
    """A deployed function's settings, aliases and versions."""
    spec = details.spec
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    table.add_row("runtime", spec.runtime)
    table.add_row("handler", spec.handler or "-")
    table.add_row("memory", f"{spec.memory_mb} MB")
    table.add_row("timeout", f"{spec.timeout_s:g} s")
    table.add_row("arch", spec.architecture)
    table.add_row("modified", spec.last_modified or "-")
    table.add_row("aliases", ", ".join(f"{a['Name']}→{a['FunctionVersion']}" for a in details.aliases) or "-")
    table.add_row("versions", ", ".join(details.versions) or "-")
    for name, value in sorted(spec.environment.items()):
        table.add_row(f"env {name}", value)
    for problem in details.problems:
        table.add_row("note", Text(problem, style="yellow"))
    return table


def drift_table(drift: Drift, *, only_drifted: bool = True) -> RenderableType:
    """Template against deployed; secrets arrive masked (invokers.drift)."""
    items = drift.drifted if only_drifted else drift.items
    if not drift.drifted:
        return Text(f"no drift: the template matches {drift.deployed_name}", style="green")
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold", title_justify="left",
                  title=f"drift against {drift.deployed_name}", title_style="bold yellow")
    table.add_column("setting", style="dim", no_wrap=True)
    table.add_column("template")
    table.add_column("deployed")
    for item in items:
        style = "" if item.same else "yellow"
        deployed = Text(item.deployed, style=style)
        if item.note:
            deployed.append(f" ({item.note})", style="dim")
        table.add_row(item.setting, Text(item.local, style=style), deployed)
    return table


def drift_lines(drift: Drift) -> Text:
    """The drift as short lines that wrap well in a narrow panel (the result panel at 80 columns)."""
    if not drift.drifted:
        return Text(f"no drift against {drift.deployed_name}", style="dim green")
    text = Text(f"drift against {drift.deployed_name}:", style="bold yellow")
    for item in drift.drifted:
        text.append(f"\n≠ {item.setting}: ", style="yellow").append(f"{item.local} → {item.deployed}")
        if item.note:
            text.append(f" ({item.note})", style="dim")
    return text

