"""Terminal UI figures (issue: the Textual interface).

    python benchmarks/bench_tui.py [--runs 5] [--lines 100000]

1. process start -> first painted frame of ``svl-tui`` in a pseudo-terminal
   (target < 600 ms), against a minimal Textual app measured the same way;
2. streaming --lines log lines from a handler into the view: the largest stall
   of the UI's event loop (target < 100 ms), against the same app idle.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _stats import precompile, row  # noqa: E402

from tests.e2e.terminal import Terminal  # noqa: E402

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("Functions")
Hello().run()
"""


def first_paint(command: list[str], needle: str, cwd: Path) -> float:
    terminal = Terminal(command, cwd=cwd, columns=120, lines=35)
    try:
        return terminal.wait_for(needle)
    finally:
        terminal.kill()
        terminal.close()


async def stalls(lines: int) -> tuple[float, float, float]:
    """(largest stall idle, largest stall while streaming, seconds to stream) in the real app, headless."""
    from invokers.discovery import discover
    from tui.app import SvlApp

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "app.py").write_text(
            "import sys\ndef handler(e, c):\n"
            f"    for i in range({lines}):\n        sys.stdout.write(f'line {{i}} of a busy handler\\n')\n"
            "    return 'done'\n")
        (root / "svl.yaml").write_text("functions:\n  chatty:\n    handler: app.handler\n    timeout: 120\n")
        app = SvlApp(discover(root))
        async with app.run_test(size=(120, 35)) as pilot:
            gaps: list[float] = []
            last = time.perf_counter()

            def tick() -> None:
                nonlocal last
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

            app.set_interval(0.01, tick)
            await pilot.pause(1.0)
            idle = max(gaps)
            gaps.clear()
            start = time.perf_counter()
            await pilot.press("ctrl+r")
            while not app.main_screen.runs.get("chatty"):
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - start
            busy = max(gaps)
            shown = len(app.main_screen.runs["chatty"][0].records)
            assert shown >= lines, shown
    return idle, busy, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    precompile()
    svl = str(Path(sys.executable).with_name("svl-tui"))
    with tempfile.TemporaryDirectory() as folder:
        ours = [first_paint([svl], "orders-api", Path(folder)) for _ in range(args.runs)]
        minimal = [first_paint([sys.executable, "-c", MINIMAL_APP], "Functions", Path(folder))
                   for _ in range(args.runs)]
    print(f"First painted frame, 120x35 pseudo-terminal, {args.runs} runs")
    row("baseline: minimal Textual app (median)", f"{statistics.median(minimal) * 1000:.0f} ms")
    row("svl-tui on the example project (median, target < 600 ms)", f"{statistics.median(ours) * 1000:.0f} ms")
    idle, busy, elapsed = asyncio.run(stalls(args.lines))
    print(f"Streaming {args.lines} log lines into the view")
    row("baseline: largest event-loop stall, idle", f"{idle * 1000:.0f} ms")
    row("largest event-loop stall while streaming (target < 100 ms)", f"{busy * 1000:.0f} ms")
    row("time to stream all lines", f"{elapsed:.2f} s")


if __name__ == "__main__":
    main()
