"""API Gateway REST (v1 proxy) handler: a tiny router over an in-memory store."""

import json
import logging
import uuid

logger = logging.getLogger()
logger.setLevel(logging.INFO)

ORDERS = {"o-1001": {"id": "o-1001", "item": "coffee beans", "quantity": 2}}


def respond(status, body, headers=None):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def list_orders(event):
    return respond(200, {"orders": list(ORDERS.values())})


def get_order(event):
    order_id = (event.get("pathParameters") or {}).get("id") or event["path"].rsplit("/", 1)[-1]
    order = ORDERS.get(order_id)
    return respond(200, order) if order else respond(404, {"message": f"order {order_id} not found"})


def create_order(event):
    try:
        payload = json.loads(event.get("body") or "{}")
    except ValueError:
        return respond(400, {"message": "body must be JSON"})
    if "item" not in payload:
        return respond(422, {"message": "'item' is required"})
    order = {"id": f"o-{uuid.uuid4().hex[:4]}", "item": payload["item"], "quantity": payload.get("quantity", 1)}
    ORDERS[order["id"]] = order
    logger.info("created order %s", order["id"])
    return respond(201, order, {"Location": f"/orders/{order['id']}"})


ROUTES = {
    "/orders": {"GET": list_orders, "POST": create_order},
    "/orders/{id}": {"GET": get_order},
}


def handler(event, context):
    resource = event.get("resource") or event.get("path", "")
    if resource.startswith("/orders/") and resource != "/orders/{id}":
        resource = "/orders/{id}"
    methods = ROUTES.get(resource)
    if methods is None:
        return respond(404, {"message": f"no route for {event.get('path')}"})
    action = methods.get(event.get("httpMethod", "").upper())
    if action is None:
        return respond(405, {"message": "method not allowed"}, {"Allow": ", ".join(sorted(methods))})
    return action(event)
