"""The Runtime API itself: any client of the protocol works, including a custom ``provided`` bootstrap."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path

from invokers.engine import Engine
from invokers.models import FunctionSpec
from invokers.runtime_api import Invocation, RuntimeAPI

CUSTOM_BOOTSTRAP = """\
#!{python}
# A custom runtime in the style of provided.al2023: plain HTTP against AWS_LAMBDA_RUNTIME_API.
import json, os, sys, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as reply:
        request_id = reply.headers["Lambda-Runtime-Aws-Request-Id"]
        deadline = int(reply.headers["Lambda-Runtime-Deadline-Ms"])
        event = json.loads(reply.read())
    print("custom runtime got", event, flush=True)
    kind = "error" if event.get("fail") else "response"
    body = {{"errorType": "Custom", "errorMessage": "asked to fail"}} if kind == "error" else {{
        "upper": event["text"].upper(), "handler": os.environ["_HANDLER"], "has_deadline": deadline > 0}}
    urllib.request.urlopen(urllib.request.Request(api + request_id + "/" + kind, data=json.dumps(body).encode(),
                                                  method="POST")).read()
"""


async def test_custom_provided_runtime_speaks_the_protocol(tmp_path: Path) -> None:
    import sys

    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_text(CUSTOM_BOOTSTRAP.format(python=sys.executable))
    bootstrap.chmod(0o755)
    spec = FunctionSpec(name="custom", source="svl.yaml", runtime="provided.al2023", handler="function.handler",
                        code_dir=str(tmp_path))
    async with Engine() as engine:
        records, result = await engine.invoke_collect(spec, {"text": "hi"})
        _, failed = await engine.invoke_collect(spec, {"fail": True, "text": ""})
    assert result.ok and result.response == {"upper": "HI", "handler": "function.handler", "has_deadline": True}
    assert any(r.message == "custom runtime got {'text': 'hi'}" for r in records)
    assert failed.status == "error" and failed.error["errorType"] == "Custom"


async def test_provided_runtime_without_bootstrap_says_what_is_missing(tmp_path: Path) -> None:
    spec = FunctionSpec(name="custom", source="svl.yaml", runtime="provided.al2023", handler="x.y",
                        code_dir=str(tmp_path))
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.status == "error" and "executable 'bootstrap'" in result.error["errorMessage"]


async def test_unknown_request_id_and_route_are_rejected() -> None:
    api = RuntimeAPI()
    address = await api.start()
    loop = asyncio.get_running_loop()

    def post(path: str) -> tuple[int, dict]:
        request = urllib.request.Request(f"http://{address}/2018-06-01/runtime{path}", data=b"{}", method="POST")
        try:
            with urllib.request.urlopen(request) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, body = await loop.run_in_executor(None, post, "/invocation/not-current/response")
    assert status == 400 and body["errorType"] == "InvalidRequestID"
    status, _ = await loop.run_in_executor(None, post, "/nope")
    assert status == 404

    def get_next() -> tuple[dict, bytes]:
        with urllib.request.urlopen(f"http://{address}/2018-06-01/runtime/invocation/next") as reply:
            return dict(reply.headers), reply.read()

    waiting = loop.run_in_executor(None, get_next)
    invocation = Invocation("rid-1", b'{"a": 1}', 123, "arn:aws:lambda:us-east-1:123456789012:function:f",
                            trace_id="Root=1-abc", client_context='{"custom": 1}')
    api.submit(invocation)
    headers, payload = await asyncio.wait_for(waiting, 10)
    assert payload == b'{"a": 1}'
    assert headers["Lambda-Runtime-Aws-Request-Id"] == "rid-1"
    assert headers["Lambda-Runtime-Deadline-Ms"] == "123"
    assert headers["Lambda-Runtime-Invoked-Function-Arn"].endswith(":function:f")
    assert headers["Lambda-Runtime-Trace-Id"] == "Root=1-abc"
    assert headers["Lambda-Runtime-Client-Context"] == '{"custom": 1}'
    status, _ = await loop.run_in_executor(None, post, "/invocation/rid-1/response")
    assert status == 202 and (await invocation.outcome).body == b"{}"
    await api.close()


CHATTY_BOOTSTRAP = """\
#!{python}
# A custom runtime that prints a lot right before it answers (no fence: it knows nothing of svl-tui).
import json, os, sys, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as reply:
        request_id = reply.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(reply.read())
    sys.stdout.write("".join(f"line {{i}} of {{event['n']}}\\n" for i in range(3000)))
    sys.stdout.write("partial, no newline")
    sys.stdout.flush()
    urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", data=b"1", method="POST")).read()
"""


async def test_a_custom_runtime_s_output_before_its_answer_comes_before_the_result(tmp_path: Path) -> None:
    """No fence, no quiet-period guess: what was in the pipes when it answered is read and delivered first."""
    import sys

    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_text(CHATTY_BOOTSTRAP.format(python=sys.executable))
    bootstrap.chmod(0o755)
    spec = FunctionSpec(name="chatty", source="svl.yaml", runtime="provided.al2023", handler="x.y",
                        code_dir=str(tmp_path))
    async with Engine() as engine:
        for n in range(3):
            records, result = await engine.invoke_collect(spec, {"n": n})
            assert result.ok
            printed = [r.message for r in records if r.stream == "stdout"]
            assert printed == [f"line {i} of {n}" for i in range(3000)] + ["partial, no newline"]
