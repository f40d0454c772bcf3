"""Structured JSON logging, shaped like aws-lambda-powertools' Logger output."""

import json
import os
import time

COLD = True


def log(level, message, context, **extra):
    print(json.dumps({
        "level": level,
        "message": message,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z",
        "service": os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined"),
        "cold_start": COLD,
        "function_name": context.function_name,
        "function_memory_size": context.memory_limit_in_mb,
        "function_request_id": context.aws_request_id,
        **extra,
    }))


def handler(event, context):
    global COLD
    log("INFO", "order received", context, order_id=event.get("order_id", "o-1001"))
    log("DEBUG", "validating order", context, rules=["stock", "payment"])
    if event.get("amount", 0) > 1000:
        log("WARNING", "large order needs review", context, amount=event["amount"])
    log("INFO", "order accepted", context)
    COLD = False
    return {"accepted": True}
