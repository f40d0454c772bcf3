import json
import logging
import os

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="hello/{name?}", methods=["GET", "POST"])
@app.queue_output(arg_name="audit", queue_name="audit", connection="AzureWebJobsStorage")
def hello(req: func.HttpRequest, audit: func.Out[str]) -> func.HttpResponse:
    logging.info("Python HTTP trigger function processed a request.")
    name = req.route_params.get("name") or req.params.get("name") or req.get_body().decode() or "world"
    audit.set(json.dumps({"greeted": name}))
    return func.HttpResponse(json.dumps({"message": f"{os.environ.get('GREETING', 'Hello')}, {name}!"}),
                             mimetype="application/json", headers={"Set-Cookie": "visited=yes; HttpOnly"})


@app.timer_trigger(schedule="0 */5 * * * *", arg_name="myTimer", run_on_startup=False, use_monitor=False)
def cleanup(myTimer: func.TimerRequest) -> None:
    if myTimer.past_due:
        logging.warning("The timer is past due!")
    logging.info("Python timer trigger function executed; next run %s", myTimer.schedule_status.get("Next"))


@app.queue_trigger(arg_name="msg", queue_name="orders", connection="AzureWebJobsStorage")
@app.queue_output(arg_name="shipments", queue_name="shipments", connection="AzureWebJobsStorage")
def orders(msg: func.QueueMessage, shipments: func.Out[str]) -> None:
    order = msg.get_json()
    logging.info("Python queue trigger processed a message: %s (dequeue count %s, id %s)",
                 order, msg.dequeue_count, msg.id)
    if "orderId" not in order:
        raise ValueError("order without an orderId")
    shipments.set(json.dumps({"orderId": order["orderId"], "status": "ready"}))
