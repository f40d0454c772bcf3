"""``AWS_IAM`` authorization (REST and HTTP API routes, function URLs) as API Gateway enforces it, offline.

A guarded request must be signed with Signature Version 4: an ``Authorization:
AWS4-HMAC-SHA256 Credential=.../{date}/{region}/{service}/aws4_request,
SignedHeaders=..., Signature=...`` header (or the presigned query form), an
``X-Amz-Date`` within 5 minutes of now, and a credential scoped to the right
service (``execute-api``; ``lambda`` for function URLs). The secret key behind
the access key cannot be known locally, so the signature itself is not
recomputed, and the signer is not looked up: the caller is named by its access
key (``userArn`` ``arn:aws:iam::{account}:user/{access key}``).

Refusals are API Gateway's: REST 403 ``Missing Authentication Token`` when
nothing is signed, 403 with the reason otherwise; HTTP API 403 ``Forbidden``;
function URLs 403 ``{"Message":"Forbidden"}``. The caller reaches the handler
where API Gateway puts it: REST (and HTTP API 1.0) ``requestContext.identity``,
HTTP API 2.0 and function URLs ``requestContext.authorizer.iam``.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from ..environment import ACCOUNT_ID
from . import payloads
from .payloads import HttpAnswer, Request

ALGORITHM = "AWS4-HMAC-SHA256"
SKEW_S = 300  # SigV4: a request must arrive within 5 minutes of its X-Amz-Date
_FIELD = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")


@dataclass
class Signer:
    """Who signed the request, as far as the signature says."""

    access_key: str
    region: str
    service: str


def _parts(request: Request) -> tuple[dict[str, str], str] | None:
    """The signature's fields and its date, from the header or the presigned query; None when unsigned."""
    header = request.header("authorization") or ""
    if header.startswith(ALGORITHM):
        fields = dict(_FIELD.findall(header[len(ALGORITHM):]))
        return fields, request.header("x-amz-date") or request.header("date") or ""
    query = dict(parse_qsl(request.query_string, keep_blank_values=True))
    if query.get("X-Amz-Algorithm") == ALGORITHM:
        fields = {name: query.get(f"X-Amz-{name}", "") for name in ("Credential", "SignedHeaders", "Signature")}
        return {key: value for key, value in fields.items() if value}, query.get("X-Amz-Date", "")
    return None


def signer(request: Request, service: str, now: float | None = None) -> Signer | str | None:
    """The signer of a SigV4 request; None when it is not signed; the reason when the signature is unusable."""
    found = _parts(request)
    if found is None:
        return None
    fields, date = found
    problems = [f"Authorization header requires '{name}' parameter."
                for name in ("Credential", "Signature", "SignedHeaders") if not fields.get(name)]
    if not date:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        return " ".join(problems)
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not scope[0]:
        return ("Credential should be of the form ACCESS_KEY/yyyyMMdd/region/service/aws4_request, "
                f"not '{'/'.join(scope[1:])}'.")
    if scope[3] != service:
        return f"Credential should be scoped to correct service: '{service}'. "
    try:
        signed_at = calendar.timegm(time.strptime(date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        return f"X-Amz-Date must be in the ISO8601 Long Format (yyyyMMdd'T'HHmmss'Z'), not '{date}'."
    now = time.time() if now is None else now
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    if signed_at < now - SKEW_S:
        limit = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now - SKEW_S))
        return f"Signature expired: {date} is now earlier than {limit} ({stamp} - 5 min.)"
    if signed_at > now + SKEW_S:
        limit = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now + SKEW_S))
        return f"Signature not yet current: {date} is still later than {limit} ({stamp} + 5 min.)"
    return Signer(scope[0], scope[2], scope[3])


def check(request: Request, kind: str, payload_format: str,
          now: float | None = None) -> HttpAnswer | tuple[str, dict[str, Any]]:
    """The refusal, or where the caller goes (``identity`` or ``authorizer``) and what it is."""
    found = signer(request, "lambda" if kind == "function_url" else "execute-api", now)
    if not isinstance(found, Signer):
        return _refusal(kind, found)
    arn = f"arn:aws:iam::{ACCOUNT_ID}:user/{found.access_key}"
    if kind == "api" or payload_format == "1.0":
        return "identity", {"accessKey": found.access_key, "accountId": ACCOUNT_ID, "caller": found.access_key,
                            "user": found.access_key, "userArn": arn}
    return "authorizer", {"iam": {"accessKey": found.access_key, "accountId": ACCOUNT_ID,
                                  "callerId": found.access_key, "cognitoIdentity": None, "principalOrgId": None,
                                  "userArn": arn, "userId": found.access_key}}


def _refusal(kind: str, reason: str | None) -> HttpAnswer:
    key = "Message" if kind == "function_url" else "message"
    unsigned = "Missing Authentication Token" if kind == "api" else "Forbidden"
    answer = payloads.json_answer(403, {key: unsigned if reason is None else reason})
    error = ("MissingAuthenticationTokenException" if reason is None else
             "InvalidSignatureException" if reason.startswith("Signature") else "IncompleteSignatureException")
    answer.headers.append(("x-amzn-ErrorType", error))
    return answer
