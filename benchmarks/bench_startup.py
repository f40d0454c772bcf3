"""svl-tui's own figures 5 and 6 of ``bench_serve.py``, without starting serverless-offline.

    python benchmarks/bench_startup.py [--rounds 3]

One ``svl-tui serve`` of ``fixtures/serve-peer`` (as ``bench_serve.py`` starts it), then:

5. save -> the next request runs the new code (hot reload), and warm latency before and after;
6. whole-process ``svl-tui invoke`` with that session running vs ``python-lambda-local``, alternated.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _stats import precompile  # noqa: E402
from bench_serve import FIXTURE, IDLE_S, SVL_PORT, cli_figures, reload_figures, started, wait_until_up  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="figure 6 alternates 5 x this many pairs")
    args = parser.parse_args()
    precompile()
    svl = shutil.which("svl-tui") or str(Path(sys.executable).with_name("svl-tui"))
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start (other work skews all figures)")
    with tempfile.TemporaryDirectory(dir=HERE, prefix=".serve-peer-") as folder:
        project = Path(folder)
        shutil.copytree(FIXTURE, project, dirs_exist_ok=True)
        with started([svl, "serve", "--port", str(SVL_PORT), "--quiet", "--account-concurrency", "64",
                      "--idle-timeout", str(IDLE_S)], project):
            wait_until_up(SVL_PORT, "/")
            print("5. Save -> the next request runs the new code (svl-tui reload)")
            reload_figures(project)
            print("6. Whole-process `svl-tui invoke` with the session running vs python-lambda-local (alternated)")
            cli_figures(args, project, svl)


if __name__ == "__main__":
    main()
