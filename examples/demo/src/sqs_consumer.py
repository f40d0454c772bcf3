"""SQS batch consumer with partial batch responses (ReportBatchItemFailures)."""

import json


def handler(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            message = json.loads(record["body"])
            print(f"processing message {record['messageId']}: {message}")
        except (KeyError, ValueError) as exc:
            print(f"cannot parse message {record.get('messageId')}: {exc}")
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}
