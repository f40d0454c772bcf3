"""boto3 sessions from the user's normal settings, and AWS failures as messages.

Profile, region and ``AWS_ENDPOINT_URL`` (LocalStack, moto, any compatible
endpoint) come from the usual places; ``--profile``/``--region`` override them.
Every botocore failure becomes an ``AwsError`` whose message says what went
wrong and what to do, because users see it in a notification, not a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

RETRIES = {"mode": "adaptive", "max_attempts": 6}  # throttling: back off and retry, then say so


class AwsError(Exception):
    """An AWS call failed; ``kind`` groups the cause for the UI, the message says what to do."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class AwsSettings:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None

    @classmethod
    def from_args(cls, profile: str | None = None, region: str | None = None) -> AwsSettings:
        """``--region`` wins, then ``AWS_REGION`` (boto3 itself reads only ``AWS_DEFAULT_REGION``; the AWS
        CLI v2 and the other SDKs let ``AWS_REGION`` override it and the profile), then boto3's own lookup."""
        region = region or os.environ.get("AWS_REGION") or None
        return cls(profile or None, region, os.environ.get("AWS_ENDPOINT_URL") or None)


class Aws:
    """Lazily created boto3 clients for one profile/region (boto3 is imported on first use)."""

    def __init__(self, settings: AwsSettings | None = None) -> None:
        self.settings = settings or AwsSettings.from_args()
        self._session: Any = None
        self._clients: dict[str, Any] = {}

    @property
    def region(self) -> str:
        return self.session.region_name or "us-east-1"

    @property
    def session(self) -> Any:
        if self._session is None:
            import boto3
            from botocore.exceptions import ProfileNotFound

            try:
                self._session = boto3.Session(profile_name=self.settings.profile, region_name=self.settings.region)
            except ProfileNotFound as exc:
                raise AwsError("config", f"AWS profile {self.settings.profile!r} not found: check "
                                         "~/.aws/config or pass another --profile") from exc
        return self._session

    def client(self, service: str) -> Any:
        if service not in self._clients:
            from botocore.config import Config

            region = self.session.region_name
            if not region:
                raise AwsError("config", "no AWS region configured: pass --region, set AWS_REGION, "
                                         "or add a region to your profile")
            self._clients[service] = self.session.client(
                service, endpoint_url=self.settings.endpoint_url,
                config=Config(retries=dict(RETRIES),  # a copy: botocore rewrites the dict it is given
                              connect_timeout=5, read_timeout=70))
        return self._clients[service]


def explain(exc: BaseException, action: str) -> AwsError:
    """The user-facing meaning of a botocore exception raised while doing ``action``."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ReadTimeoutError,
        TokenRetrievalError,
    )

    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return AwsError("credentials", "no AWS credentials found: run 'aws configure' or 'aws sso login', "
                                       "set AWS_PROFILE, or start with --no-aws to work locally only")
    if isinstance(exc, TokenRetrievalError):
        return AwsError("credentials", f"your AWS SSO session has expired: run 'aws sso login' ({exc})")
    if isinstance(exc, NoRegionError):
        return AwsError("config", "no AWS region configured: pass --region or set AWS_REGION")
    if isinstance(exc, EndpointConnectionError):
        return AwsError("network", f"cannot reach the AWS endpoint {exc.kwargs.get('endpoint_url', '')}: "
                                   "check the region name, your network, or AWS_ENDPOINT_URL")
    if isinstance(exc, ReadTimeoutError):
        return AwsError("network", f"AWS did not answer in time while trying to {action}")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")) or code
        if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
            return AwsError("credentials", "your AWS credentials have expired: refresh them "
                                           "('aws sso login' or new keys)")
        if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
            return AwsError("denied", f"access denied: you may not {action} ({message})")
        if code in ("UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException"):
            return AwsError("credentials", f"AWS rejected your credentials ({message}): check the profile's keys")
        if code in ("ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded"):
            return AwsError("throttled", f"AWS is throttling requests to {action}, even after "
                                         f"{RETRIES['max_attempts']} tries with back-off: wait a moment and retry")
        if code == "ResourceNotFoundException":
            return AwsError("not-found", message)
        return AwsError("aws", f"{code}: {message}")
    return AwsError("aws", f"could not {action}: {exc}")
