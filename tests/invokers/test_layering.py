"""The layering contracts (pyproject.toml, run by lint-imports in .ci/run) catch what the runtime test missed.

Each test copies the packages to a temporary folder, breaks one rule there and
runs lint-imports on the copy, so the real tree is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_CHECK = ("import sys, invokers.cli, invokers.engine, invokers.discovery, invokers.logs, tui.entry; "
                 "heavy = [m for m in ('textual', 'boto3', 'rich') if m in sys.modules]; print(heavy)")


def _copy(tmp_path: Path) -> Path:
    for package in ("tui", "invokers", "event_samples"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "_examples"))
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")
    shutil.copy(ROOT / "tests" / "contracts.py", tmp_path / "tests" / "contracts.py")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _prepend(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    path.write_text(f"{head}{sep}{line}\n{rest}", encoding="utf-8")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint)], cwd=tree, capture_output=True, text=True, timeout=60, check=False)


def test_contracts_hold_on_the_real_tree() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_textual_in_the_reloader_passes_the_runtime_check_but_breaks_a_contract(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    _prepend(tree / "invokers" / "reload.py", "import textual.app  # noqa: F401")
    runtime = subprocess.run([sys.executable, "-c", RUNTIME_CHECK], cwd=tree, capture_output=True, text=True,
                             timeout=60, check=False)
    assert runtime.stdout.strip() == "[]"  # the old test: the CLI never imports the reloader, so it sees nothing
    done = _lint(tree)
    assert done.returncode == 1
    assert "invokers.reload -> textual" in done.stdout
    assert "never import Textual or Rich BROKEN" in done.stdout


def test_boto3_at_module_level_breaks_the_import_time_contract_but_inside_a_function_does_not(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    session = tree / "invokers" / "aws" / "session.py"
    original = session.read_text(encoding="utf-8")
    _prepend(session, "import boto3  # noqa: F401")
    done = _lint(tree)
    assert done.returncode == 1
    assert "invokers.cli -> invokers.cli_aws" in done.stdout or "-> invokers.aws.session" in done.stdout
    assert "invokers.aws.session -> boto3 (l. " in done.stdout
    session.write_text(original, encoding="utf-8")  # boto3 imported lazily, as the real file does
    assert _lint(tree).returncode == 0


def test_engine_importing_the_ui_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    engine = tree / "invokers" / "engine.py"
    engine.write_text(engine.read_text(encoding="utf-8") + "\n\ndef _late() -> None:\n    import tui.format  # noqa\n")
    done = _lint(tree)
    assert done.returncode == 1 and "invokers.engine -> tui.format" in done.stdout
