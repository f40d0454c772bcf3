"""Sleeps past its configured timeout (2 s), to show how a timeout looks."""

import time


def handler(event, context):
    print(f"starting slow work with {context.get_remaining_time_in_millis()} ms left")
    time.sleep(10)
    return {"finished": True}
