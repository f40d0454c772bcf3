"""JWT authorizers (HTTP API) and Cognito user-pool authorizers (REST) as API Gateway enforces them.

Offline, a token's signature cannot be checked against the issuer's JWKS, so
it is trusted for its claims, and everything else API Gateway checks is
checked: the token is present in its identity source (``Bearer`` optional),
well formed and *signed* (``alg: none`` is refused: API Gateway never accepts
an unsigned token, and a test that passes with one would fail deployed), its
``iss`` is the authorizer's issuer, ``aud`` (or, without ``aud``, ``client_id``)
one of its audiences (each when known locally: a ``!GetAtt`` of another
stack's output is not), ``exp`` in the future, ``nbf``/``iat`` not, and for a
route with scopes ``scope``/``scp`` holds at least one of them.

Answers as API Gateway's: HTTP API 401 ``{"message":"Unauthorized"}`` with a
``www-authenticate`` header saying why, 403 ``{"message":"Forbidden"}`` for
missing scopes; REST 401 ``{"message":"Unauthorized"}`` (``The incoming token
has expired`` for an expired one). The claims reach the handler where API
Gateway puts them: HTTP API 2.0 ``authorizer.jwt.claims``/``scopes`` (values as
strings, arrays as ``[a b]``), 1.0 ``authorizer.claims``/``scopes``, REST
``authorizer.claims`` (values as strings, ``exp``/``iat`` as dates, arrays
comma-joined).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from typing import Any

from . import payloads
from .payloads import HttpAnswer

_UNAUTHORIZED = {"message": "Unauthorized"}
_FORBIDDEN = {"message": "Forbidden"}
_EXPIRED_REST = {"message": "The incoming token has expired"}
_BEARER = re.compile(r"^bearer\s+", re.IGNORECASE)


class Invalid(Exception):
    """The token fails a check; the message is API Gateway's ``error_description``."""


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A JWT's header and claims, without checking its signature (nothing offline can)."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise Invalid("the token is not a JWT (three base64url parts separated by dots)")
    try:
        header, claims = (json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
                          for part in parts[:2])
    except (ValueError, binascii.Error) as exc:
        raise Invalid(f"the token cannot be decoded: {exc}") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Invalid("the token's header and claims must be JSON objects")
    if str(header.get("alg", "none")).lower() == "none" or not parts[2]:
        raise Invalid("the token is unsigned (alg none): API Gateway only accepts signed tokens")
    return header, claims


def token_scopes(claims: dict[str, Any]) -> list[str]:
    """The scopes a token grants: ``scope`` (space separated, OAuth) or ``scp`` (a list, or a string)."""
    value = claims.get("scope", claims.get("scp"))
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value).split() if isinstance(value, (str, int)) else []


def _audiences(claims: dict[str, Any]) -> list[str]:
    """``aud`` when present (a string or a list), else ``client_id``: API Gateway's order."""
    aud = claims.get("aud")
    if aud is not None:
        return [str(item) for item in aud] if isinstance(aud, list) else [str(aud)]
    client = claims.get("client_id")
    return [str(client)] if client is not None else []


def _times(claims: dict[str, Any], now: float) -> None:
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise Invalid("the token has no numeric exp claim")
    if exp <= now:
        raise Invalid("the token has expired")
    for name in ("nbf", "iat"):
        value = claims.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > now:
            raise Invalid(f"the token is not valid yet ({name} is in the future)")


def check(config: dict[str, Any], raw: str, payload_format: str,
          now: float | None = None) -> HttpAnswer | dict[str, Any]:
    """The route's JWT (HTTP API) or Cognito (REST) authorizer on ``raw``, the identity source's value:
    the refusal, or ``requestContext.authorizer`` for the payload format."""
    now = time.time() if now is None else now
    token = _BEARER.sub("", raw.strip())
    if config.get("type") == "COGNITO":
        return _cognito(config, token, now)
    if not token:
        return payloads.json_answer(401, _UNAUTHORIZED)
    required = [str(scope) for scope in config.get("scopes") or []]
    try:
        _header, claims = decode(token)
        if config.get("issuer") and claims.get("iss") != config["issuer"]:
            raise Invalid("the token does not have a valid issuer")
        audience = [str(item) for item in config.get("audience") or []]
        if audience and not set(_audiences(claims)) & set(audience):
            raise Invalid("the token does not have a valid audience")
        _times(claims, now)
    except Invalid as exc:
        return _challenge(401, _UNAUTHORIZED, "invalid_token", str(exc), required)
    granted = token_scopes(claims)
    if required and not set(granted) & set(required):
        return _challenge(403, _FORBIDDEN, "insufficient_scope",
                          "the token does not have a valid scope", required)
    scopes = granted if required else None
    flat = {key: _http_claim(value) for key, value in claims.items()}
    if payload_format == "1.0":
        return {"claims": flat, "scopes": scopes}
    return {"jwt": {"claims": flat, "scopes": scopes}}


def _cognito(config: dict[str, Any], token: str, now: float) -> HttpAnswer | dict[str, Any]:
    """A REST ``COGNITO_USER_POOLS`` authorizer: ID tokens, or access tokens with one of the method's scopes."""
    if not token:
        return payloads.json_answer(401, _UNAUTHORIZED)
    try:
        _header, claims = decode(token)
    except Invalid:
        return payloads.json_answer(401, _UNAUTHORIZED)
    issuers = [str(item) for item in config.get("issuers") or []]
    if issuers and claims.get("iss") not in issuers:
        return payloads.json_answer(401, _UNAUTHORIZED)
    validation = str(config.get("validation") or "")
    if validation and re.fullmatch(validation, str(claims.get("aud", ""))) is None:
        return payloads.json_answer(401, _UNAUTHORIZED)
    try:
        _times(claims, now)
    except Invalid as exc:
        return payloads.json_answer(401, _EXPIRED_REST if "expired" in str(exc) else _UNAUTHORIZED)
    required = [str(scope) for scope in config.get("scopes") or []]
    use = claims.get("token_use")
    if required:  # an access token carrying one of the method's scopes
        if use == "id" or not set(token_scopes(claims)) & set(required):
            return payloads.json_answer(401, _UNAUTHORIZED)
    elif use == "access":  # without scopes on the method, API Gateway wants the ID token
        return payloads.json_answer(401, _UNAUTHORIZED)
    return {"claims": {key: _rest_claim(key, value) for key, value in claims.items()}}


def _challenge(status: int, body: dict[str, Any], error: str, description: str, scopes: list[str]) -> HttpAnswer:
    answer = payloads.json_answer(status, body)
    answer.headers.append(("www-authenticate", f'Bearer scope="{" ".join(scopes)}" error="{error}" '
                                               f'error_description="{description}"'))
    return answer


def _http_claim(value: Any) -> str:
    """A claim as an HTTP API passes it: a string; arrays as ``[a b]``."""
    if isinstance(value, list):
        return "[" + " ".join(_http_claim(item) for item in value) + "]"
    return _text(value)


def _rest_claim(key: str, value: Any) -> str:
    """A claim as a REST Cognito authorizer passes it: ``exp``/``iat`` as dates, arrays comma-joined."""
    if key in ("exp", "iat") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
    if isinstance(value, list):
        return ",".join(_text(item) for item in value)
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
