"""Shared by every function through the CommonLayer layer (/opt/python on Lambda)."""

import json


def envelope(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
