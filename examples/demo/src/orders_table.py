"""DynamoDB put/get through boto3. Run it with `svl-tui --mock-aws` to use the embedded AWS.

The client and the table check live at module scope, as on Lambda: the cold
start pays for them once.
"""

import json
import os
import uuid

import boto3

TABLE = os.environ.get("TABLE_NAME", "orders")
dynamodb = boto3.resource("dynamodb")


def ensure_table():
    existing = [t.name for t in dynamodb.tables.all()]
    if TABLE not in existing:
        table = dynamodb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                      AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                      BillingMode="PAY_PER_REQUEST")
        table.wait_until_exists()
        print(f"created table {TABLE}")
    return dynamodb.Table(TABLE)


table = ensure_table()


def handler(event, context):
    order = {"id": event.get("id") or f"o-{uuid.uuid4().hex[:6]}", "item": event.get("item", "tea"),
             "quantity": int(event.get("quantity", 1))}
    table.put_item(Item=order)
    stored = table.get_item(Key={"id": order["id"]})["Item"]
    print(json.dumps({"level": "INFO", "message": "stored order", "order_id": order["id"]}))
    return {"stored": stored, "items_in_table": table.scan(Select="COUNT")["Count"]}
