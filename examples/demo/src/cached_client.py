"""A client created once per execution environment, reused by warm invokes.

The first (cold) invoke pays for the slow set-up at import time; later warm
invokes reuse it, exactly as a boto3 client or a connection pool on Lambda.
"""

import os
import time


class SlowClient:
    def __init__(self, table):
        time.sleep(0.2)  # stands in for TLS handshakes, credential lookups, SDK import
        self.table = table
        self.created_at = time.time()
        self.calls = 0

    def get(self, key):
        self.calls += 1
        return {"key": key, "table": self.table, "calls_on_this_client": self.calls}


CLIENT = SlowClient(os.environ.get("TABLE_NAME", "orders"))


def handler(event, context):
    item = CLIENT.get(event.get("key", "o-1001"))
    return {"item": item, "client_age_s": round(time.time() - CLIENT.created_at, 3),
            "remaining_ms": context.get_remaining_time_in_millis()}
