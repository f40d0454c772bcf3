"""``svl-tui serve --mock-aws`` as a user runs it: the event sources start, and a message sent from outside
(boto3 at the announced endpoint, as ``aws --endpoint-url`` would) reaches the handler."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import boto3

from tests.files import write

TEMPLATE = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      OrdersQueue:
        Type: AWS::SQS::Queue
      Consumer:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src
          Handler: app.handler
          Runtime: python3.12
          Events:
            Orders:
              Type: SQS
              Properties:
                Queue: !GetAtt OrdersQueue.Arn
                BatchSize: 5
"""


def test_serve_with_mock_aws_delivers_messages_sent_from_outside(tmp_path: Path) -> None:
    write(tmp_path, "src/app.py", """
        def handler(event, context):
            for record in event["Records"]:
                print("got " + record["body"])
    """)
    write(tmp_path, "template.yaml", TEMPLATE)
    process = subprocess.Popen([sys.executable, "-m", "tui.entry", "serve", "--mock-aws", "--port", "0",
                                "--no-reload"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stderr is not None and process.stdout is not None
        lines = []
        while not any("sqs:OrdersQueue -> Consumer" in line for line in lines):
            line = process.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        endpoint = next(m.group(1) for line in lines if (m := re.search(r"embedded AWS on (http://127\.0\.0\.1:\d+)",
                                                                       line)))
        sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        [url] = [u for u in sqs.list_queues()["QueueUrls"] if "OrdersQueue" in u]  # created from the template
        sqs.send_message(QueueUrl=url, MessageBody="order-1")
        delivery = process.stdout.readline()
        assert re.match(r"\d\d:\d\d:\d\d sqs:OrdersQueue -> Consumer 1 record ok [\d.]+ ms", delivery), delivery
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "got order-1" in err and "serve stopped" in err
