"""List orders: settings come from serverless.yml variables, helpers from the layer."""

import os

from orders_common import respond  # from the 'common' layer


def handler(event, context):
    return respond({
        "stage": os.environ["STAGE"],
        "table": os.environ["TABLE_NAME"],
        "log_level": os.environ["LOG_LEVEL"],
        "memory": context.memory_limit_in_mb,
    })
