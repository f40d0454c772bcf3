"""boto3 clients for the embedded AWS, shared by every poller of a session.

boto3 clients are thread-safe once made; making them is not, and costs tens of
milliseconds each, so they are made once, under a lock, on first use.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ..aws.mock import MOCK_CREDENTIALS

if TYPE_CHECKING:
    from ..aws.resources import Provisioned, Resource


class Clients:
    """One client per service for the embedded AWS at ``endpoint``."""

    def __init__(self, endpoint: str, region: str, connections: int = 64) -> None:
        self.endpoint = endpoint
        self.region = region
        self.account = "123456789012"  # moto's default account: the one every ARN it makes carries
        self._connections = connections
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str) -> Any:
        client = self._clients.get(service)
        if client is not None:
            return client
        with self._lock:
            if service not in self._clients:
                import boto3
                from botocore.config import Config

                session = boto3.Session(aws_access_key_id=MOCK_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                                        aws_secret_access_key=MOCK_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                                        aws_session_token=MOCK_CREDENTIALS["AWS_SESSION_TOKEN"],
                                        region_name=self.region)
                config = Config(max_pool_connections=self._connections, retries={"max_attempts": 2},
                                connect_timeout=5, read_timeout=30)
                self._clients[service] = session.client(service, endpoint_url=self.endpoint, config=config)
            return self._clients[service]

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


def find_resource(provisioned: Provisioned | None, name: str, type_: str) -> Resource | None:
    """The provisioned resource a trigger names, by logical id or by its real name (or ARN)."""
    if provisioned is None or not name:
        return None
    # a skipped or failed resource names nothing that exists
    resources = {key: r for key, r in provisioned.resources.items() if r.name and r.status == "created"}
    found = resources.get(name)
    if found is not None and found.type == type_:
        return found
    for resource in resources.values():
        if resource.type == type_ and name in (resource.name, resource.arn, resource.url):
            return resource
    return None


def name_from_arn(arn: str) -> str:
    """``arn:aws:sqs:us-east-1:1:Orders`` -> ``Orders``; ``...:table/Orders/stream/...`` -> ``Orders``."""
    tail = arn.split(":", 5)[-1]
    if "/" in tail:
        parts = tail.split("/")
        return parts[1] if parts[0] in ("table", "stream", "event-bus", "rule") else parts[0]
    return tail
