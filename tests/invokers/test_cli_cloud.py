"""``stats --deployed``, ``insights`` and ``tune`` as a user runs them: a real svl-tui process against moto's server."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timezone

import boto3
import pytest

pytestmark = pytest.mark.usefixtures("fake_aws_env")


def cli(*args: str, endpoint: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AWS_ENDPOINT_URL=endpoint)
    return subprocess.run([sys.executable, "-m", "tui.entry", *args], capture_output=True, text=True, env=env,
                          input=stdin, timeout=90, cwd="/")


def deploy(endpoint: str, memory: int = 512) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return e\n")
    kwargs = {"region_name": "us-east-1", "endpoint_url": endpoint}
    role = boto3.client("iam", **kwargs).create_role(RoleName=f"r-{time.time_ns()}",
                                                     AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    boto3.client("lambda", **kwargs).create_function(
        FunctionName="shop", Runtime="python3.12", Role=role, Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()}, MemorySize=memory)


def test_stats_deployed_prints_cloudwatch_figures(moto_server: str) -> None:
    client = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto_server)
    now = datetime.now(timezone.utc)
    for metric, value in (("Invocations", 5), ("Errors", 1), ("Duration", 120.0), ("ConcurrentExecutions", 3)):
        client.put_metric_data(Namespace="AWS/Lambda", MetricData=[{
            "MetricName": metric, "Dimensions": [{"Name": "FunctionName", "Value": "shop"}], "Value": value,
            "Timestamp": now}])
    done = cli("stats", "shop", "--deployed", "--window", "hour", endpoint=moto_server)
    assert done.returncode == 0, done.stderr
    assert "shop (CloudWatch, last hour, one point per 1 min)" in done.stdout
    assert "invocations  5" in done.stdout and "errors       1 (20.00%)" in done.stdout
    assert "max 120.00 ms" in done.stdout and "concurrency  max 3" in done.stdout
    assert "Duration p50/p99 unavailable" in done.stdout  # moto cannot compute percentiles: said, not hidden
    document = json.loads(cli("stats", "shop", "--deployed", "--json", endpoint=moto_server).stdout)
    assert (document["invocations"], document["errors"], document["window"]) == (5, 1, "hour")


def test_insights_errors_preset(moto_server: str) -> None:
    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=moto_server)
    logs.create_log_group(logGroupName="/aws/lambda/shop")
    logs.create_log_stream(logGroupName="/aws/lambda/shop", logStreamName="s")
    logs.put_log_events(logGroupName="/aws/lambda/shop", logStreamName="s", logEvents=[
        {"timestamp": int(time.time() * 1000) - 500, "message": "[ERROR]\t2026-03-04T12:00:01.000Z\tab12\tboom"}])
    done = cli("insights", "shop", "errors", "--since", "10m", endpoint=moto_server)
    assert done.returncode == 0, done.stderr
    assert "recent errors of shop, last 10m: 1 row(s)" in done.stdout and "boom" in done.stdout
    unknown = cli("insights", "shop", "fastest", endpoint=moto_server)
    assert unknown.returncode == 2 and "choose one of errors, cold-starts, slowest, memory" in unknown.stderr


def test_tune_asks_first_then_runs_and_restores(moto_server: str) -> None:
    deploy(moto_server)
    refused = cli("tune", "shop", "--memory", "128,256", "-n", "2", endpoint=moto_server, stdin="")
    assert refused.returncode == 2 and "without confirmation: pass --yes" in refused.stderr
    client = boto3.client("lambda", region_name="us-east-1", endpoint_url=moto_server)
    assert client.get_function_configuration(FunctionName="shop")["MemorySize"] == 512  # nothing changed
    done = cli("tune", "shop", "--memory", "128,256", "-n", "2", "--yes", "--data", '{"k": 1}', endpoint=moto_server)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "shop: 2 sizes, warm p50 duration and cost per million invocations"
    assert lines[1].lstrip().startswith("128 MB") and lines[2].lstrip().startswith("256 MB")
    assert "memory restored to 512 MB" in done.stdout
    assert "128 MB: 2/2 ok" in done.stderr
    assert client.get_function_configuration(FunctionName="shop")["MemorySize"] == 512
    assert [v["Version"] for v in client.list_versions_by_function(FunctionName="shop")["Versions"]] == ["$LATEST"]
    bad = cli("tune", "shop", "--memory", "64", "--yes", endpoint=moto_server)
    assert bad.returncode == 2 and "Lambda takes 128 to 10,240 MB" in bad.stderr
