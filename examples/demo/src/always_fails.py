"""Raises, to show Lambda's error payload and stack trace."""


def charge(amount):
    if amount <= 0:
        raise ValueError(f"amount must be positive, got {amount}")
    return amount


def handler(event, context):
    return {"charged": charge(event.get("amount", 0))}
