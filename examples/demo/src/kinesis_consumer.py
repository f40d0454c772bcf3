"""Kinesis Data Streams consumer: record data arrives base64-encoded."""

import base64
import json


def handler(event, context):
    readings = []
    for record in event.get("Records", []):
        data = base64.b64decode(record["kinesis"]["data"]).decode("utf-8")
        reading = json.loads(data)
        print(f"partition {record['kinesis']['partitionKey']} seq {record['kinesis']['sequenceNumber']}: {reading}")
        readings.append(reading)
    return {"processed": len(readings)}
