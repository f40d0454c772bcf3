"""Hello: a handler in a subfolder of the code root, importing a sibling package and a layer."""

import json
import os

from common_utils import envelope  # from the layer (layers/common/python)
from shared.names import greet  # a sibling package of hello_world/, found from the code root


def lambda_handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name", "world")
    return envelope(200, {
        "message": greet(name),
        "table": os.environ["TABLE_NAME"],
        "stage": os.environ["STAGE"],
        "api_key": os.environ["API_KEY"],
    })


if __name__ == "__main__":
    print(json.dumps(lambda_handler({}, None)))
