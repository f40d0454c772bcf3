from orders_common import respond


def handler(event, context):
    return respond({"report": "ok", "remaining_ms": context.get_remaining_time_in_millis() > 20_000})
