"""The result panel shows an Azure function's output bindings and labels its cost as Azure's."""

from __future__ import annotations

from rich.console import Console

from invokers.models import Result
from tui.format import figures, outcome


def rendered(renderable: object) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_outputs_and_azure_cost_label_are_shown() -> None:
    result = Result(request_id="r", function="orders", status="ok", cold=False, duration_ms=3.0, billed_ms=100,
                    memory_mb=1536, max_memory_mb=52, cost_usd=0.0000004,
                    response={"status": 201, "headers": {"content-type": "application/json"}, "body": {"ok": True}},
                    outputs={"shipments": {"orderId": 7}, "audit": "plain text"}, billing="Azure Consumption")
    text = rendered(outcome(result))
    assert "HTTP 201" in text and "output binding shipments" in text and '"orderId": 7' in text
    assert "output binding audit" in text and "plain text" in text
    assert "Azure Consumption" in rendered(figures(result))


def test_a_lambda_result_has_no_output_section() -> None:
    result = Result(request_id="r", function="f", status="ok", cold=False, duration_ms=1.0, billed_ms=1,
                    memory_mb=128, max_memory_mb=40, response={"n": 1})
    assert "output binding" not in rendered(outcome(result))
    assert "Azure" not in rendered(figures(result))


def test_retried_attempts_are_counted_in_the_figures() -> None:
    result = Result(request_id="r3", function="jobs", status="ok", cold=False, duration_ms=2.0, billed_ms=100,
                    memory_mb=1536, max_memory_mb=50, billing="Azure Consumption", attempts=3,
                    retries=[{"request_id": "r1", "status": "error"}, {"request_id": "r2", "status": "timeout"}])
    assert "attempts 3 (last shown; earlier: error, timeout)" in rendered(figures(result))
    single = Result(request_id="r", function="jobs", status="ok", cold=False, duration_ms=2.0, billed_ms=100,
                    memory_mb=1536, max_memory_mb=50)
    assert "attempts" not in rendered(figures(single))


def test_figures_keep_every_label_in_the_stacked_result_panels_width() -> None:
    """Stacked (80-139 columns) the figures get 34 columns: Azure's price label must not squeeze 'duration'."""
    from rich.console import Console

    result = Result(request_id="r", function="cleanup", status="ok", cold=True, duration_ms=6.75, billed_ms=100,
                    memory_mb=1536, max_memory_mb=51, init_ms=228.91, cost_usd=0.0000025, billing="Azure Consumption")
    console = Console(width=34, record=True, color_system=None)
    console.print(figures(result))
    lines = console.export_text().splitlines()
    labels = [line.split()[0] for line in lines if line.strip()]
    assert labels == ["status", "start", "init", "duration", "billed", "memory", "cost", "prices", "per"]
    assert not any("…" in line for line in lines)
    assert any(line.split() == ["prices", "Azure", "Consumption"] for line in lines)
