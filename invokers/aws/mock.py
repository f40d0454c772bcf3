"""An embedded AWS for local handlers: moto's server on 127.0.0.1.

With ``--mock-aws``, local handlers get ``AWS_ENDPOINT_URL`` pointing at it and
dummy credentials, so code that uses DynamoDB, SQS, SNS or S3 through boto3
runs with no account. ``inventory`` lists what the handlers created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .session import AwsError

if TYPE_CHECKING:
    from .resources import Provisioned

INTERNAL_PREFIX = "svl-tui-"
"""svl-tui's own queues in the mock (event sources deliver SNS, S3 and EventBridge through them): not the
project's, so not listed as resources."""
MOCK_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}


@dataclass
class MockAws:
    endpoint: str
    region: str
    _server: Any = field(repr=False, default=None)
    provisioned: Provisioned | None = None
    """The project's resources created in it (``provision``), once created: for discovery, the views, the mappings."""

    @property
    def environment(self) -> dict[str, str]:
        """What local workers need to talk to the mock instead of AWS."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
                **MOCK_CREDENTIALS}

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    _session: Any = field(repr=False, default=None)

    def client(self, service: str) -> Any:
        """A boto3 client of the mock (dummy credentials, its endpoint and region).

        One boto3 session for all of them: its loader caches the service models,
        which are most of a client's creation time.
        """
        if self._session is None:
            import boto3

            self._session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                          aws_session_token="testing", region_name=self.region)
        return self._session.client(service, endpoint_url=self.endpoint)

    def inventory(self) -> dict[str, list[str]]:
        """The tables, queues, topics and buckets that exist in the mock."""
        client = self.client
        return {
            "dynamodb tables": client("dynamodb").list_tables().get("TableNames", []),
            "sqs queues": [name for url in client("sqs").list_queues().get("QueueUrls", [])
                           if not (name := url.rsplit("/", 1)[-1]).startswith(INTERNAL_PREFIX)],
            "sns topics": [t["TopicArn"].rsplit(":", 1)[-1] for t in client("sns").list_topics().get("Topics", [])],
            "s3 buckets": [b["Name"] for b in client("s3").list_buckets().get("Buckets", [])],
        }


def start(region: str = "us-east-1") -> MockAws:
    """Start moto's server on a free port of 127.0.0.1 (never on other interfaces), with nothing in it."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        raise AwsError("config", "--mock-aws needs moto's server: pip install 'svl-tui[mock]'") from exc
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request would flood the terminal
    _fast_clock()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto keeps its state per process, not per server: a new session starts from an empty AWS
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=30).read()
    return MockAws(endpoint, region, server)



def _fast_clock() -> None:
    """moto asks the time for every message of a queue on every SQS call (is it visible? delayed?), each
    time through datetime arithmetic (~20 us); with a thousand messages queued a single send took tens of
    milliseconds. ``time.time()`` is the same value for "now", so only that case is replaced."""
    import time

    import moto.core.utils as utils
    import moto.sqs.models as sqs_models

    slow = utils.unix_time
    if getattr(slow, "svl_fast", False):
        return

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else slow(dt)

    def unix_time_millis(dt: Any = None) -> float:
        return time.time() * 1000.0 if dt is None else slow(dt) * 1000.0

    unix_time.svl_fast = True  # type: ignore[attr-defined]
    for module in (utils, sqs_models):
        if getattr(module, "unix_time", None) is slow:
            module.unix_time = unix_time  # type: ignore[attr-defined]
        if hasattr(module, "unix_time_millis"):
            module.unix_time_millis = unix_time_millis  # type: ignore[attr-defined]
