"""SQS -> DynamoDB: each message on OrdersQueue is an order saved to OrdersTable.

A message that is not an order is reported in batchItemFailures: it comes back
after the queue's visibility timeout and, after 3 receives, SQS moves it to OrdersDLQ.
"""

import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            table.put_item(Item={"orderId": str(order["orderId"]), "total": Decimal(str(order.get("total", 0))),
                                 "status": "NEW"})
            print(f"saved order {order['orderId']}")
        except (ValueError, KeyError, TypeError) as exc:
            print(f"message {record['messageId']} is not an order: {exc!r}")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
