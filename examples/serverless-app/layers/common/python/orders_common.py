import json


def respond(body: dict, status: int = 200) -> dict:
    return {"statusCode": status, "body": json.dumps(body)}
