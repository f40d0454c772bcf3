"""Payloads as Lambda measures and writes them: UTF-8 sizes, strict JSON in and out."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pytest

from event_samples import SavedEventError, SavedEvents, parse_json
from invokers.engine import Engine
from invokers.result_builder import PAYLOAD_LIMIT
from tests.conftest import MakeFunction
from tests.invokers.test_cli import svl

CJK = "漢字かな交じり文"  # 3 UTF-8 bytes per character, 6 once \u-escaped


async def test_a_cjk_event_under_6_mb_of_utf8_is_accepted(make_function: MakeFunction, engine: Engine) -> None:
    text = CJK * (1_500_000 // len(CJK))  # 4.5 MB of UTF-8, 9 MB escaped
    assert len(text.encode()) < PAYLOAD_LIMIT < len(json.dumps(text))
    spec = make_function("""
        def handler(event, context):
            return {"chars": len(event["text"]), "head": event["text"][:4]}
    """)
    _, result = await engine.invoke_collect(spec, {"text": text})
    assert result.ok, result.error
    assert result.response == {"chars": len(text), "head": CJK[:4]}


async def test_an_event_over_6_mb_of_utf8_is_still_refused(make_function: MakeFunction, engine: Engine) -> None:
    spec = make_function("def handler(event, context):\n    return 1\n")
    _, result = await engine.invoke_collect(spec, {"text": CJK * (2_200_000 // len(CJK))})  # 6.6 MB
    assert result.status == "error" and result.error["errorType"] == "RequestEntityTooLargeException"


async def test_python_312_responses_are_utf8_as_on_lambda(make_function: MakeFunction, engine: Engine) -> None:
    """A 4.5 MB CJK response fits (python3.12 sends UTF-8); escaped it would be 9 MB and refused."""
    spec = make_function(f"""
        def handler(event, context):
            return {CJK!r} * {1_500_000 // len(CJK)}
    """)
    _, result = await engine.invoke_collect(spec, {})
    assert result.ok, result.error
    assert len(result.response) == 1_500_000 // len(CJK) * len(CJK)


def _strict(text: str) -> object:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in svl-tui's JSON output")

    return json.loads(text, parse_constant=refuse)


def test_nan_from_a_handler_never_reaches_our_json_output(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(textwrap.dedent("""\
        def handler(event, context):
            print('{"ratio": NaN}')
            return {"ratio": float("nan"), "top": float("inf"), "ok": 1.5}
    """))
    (tmp_path / "svl.yaml").write_text("functions:\n  f:\n    handler: app.handler\n    event: {x: .nan}\n")
    plain = svl("invoke", "f", "-q", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert _strict(plain.stdout) == {"ratio": None, "top": None, "ok": 1.5}
    document = svl("invoke", "f", "--json", cwd=tmp_path)
    assert _strict(document.stdout)["response"] == {"ratio": None, "top": None, "ok": 1.5}
    listed = svl("list", "--json", cwd=tmp_path)
    assert _strict(listed.stdout)[0]["default_event"] == {"x": None}


@pytest.mark.parametrize(("bad", "token", "line"), [('{"a": NaN}', "NaN", 1), ('{"a": [1, -Infinity]}', "-Infinity", 1),
                                                   ('{\n  "s": "NaN",\n  "b": Infinity\n}', "Infinity", 3)])
def test_data_with_nan_or_infinity_is_refused_with_where(tmp_path: Path, bad: str, token: str, line: int) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return event\n")
    (tmp_path / "svl.yaml").write_text("functions:\n  f:\n    handler: app.handler\n")
    done = svl("invoke", "f", "--data", bad, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert f"--data:{line}:" in done.stderr and f"{token} is not JSON" in done.stderr


def test_the_editor_and_saved_events_refuse_nan(tmp_path: Path) -> None:
    value, issue = parse_json('{"a": 1,\n "b": NaN}')
    assert value is None and issue is not None and issue.line == 2 and "NaN is not JSON" in issue.message
    saved = SavedEvents(tmp_path)
    with pytest.raises(SavedEventError, match="not strict JSON"):
        saved.save("f", "bad", {"a": math.nan})
    assert saved.list("f") == []
