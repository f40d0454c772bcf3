"""DynamoDB stream -> audit: every change to OrdersTable, as its stream delivers it."""


def handler(event, context):
    changes = []
    for record in event["Records"]:
        order_id = record["dynamodb"]["Keys"]["orderId"]["S"]
        total = (record["dynamodb"].get("NewImage") or {}).get("total", {}).get("N")
        print(f"audit: {record['eventName']} order {order_id} total {total}")
        changes.append({"event": record["eventName"], "orderId": order_id})
    return changes
