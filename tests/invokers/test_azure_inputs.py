"""Azure input bindings (blob, table, Cosmos DB) read from the app's .svl/azure/ files and handed over as the host
does: Python parameters through the package's converters, Node v4 context.extraInputs, v3 context.bindings."""

from __future__ import annotations

import json
from pathlib import Path

from invokers.azure_inputs import binding_data, odata_filter, resolve
from invokers.engine import Engine
from tests.azure_setup import NodeApp, PythonApp, run, spec_of


def write_data(root: Path) -> None:
    blobs = root / ".svl/azure/blobs/docs"
    blobs.mkdir(parents=True)
    (blobs / "readme.txt").write_text("hello from a blob")
    tables = root / ".svl/azure/tables"
    tables.mkdir(parents=True)
    (tables / "Products.json").write_text(json.dumps([
        {"PartitionKey": "tools", "RowKey": "1", "Name": "hammer"},
        {"PartitionKey": "tools", "RowKey": "2", "Name": "saw"},
        {"PartitionKey": "food", "RowKey": "3", "Name": "bread"}]))
    cosmos = root / ".svl/azure/cosmos/shop"
    cosmos.mkdir(parents=True)
    (cosmos / "orders.json").write_text(json.dumps([{"id": "7", "customer": "ada"}, {"id": "8", "customer": "bob"}]))


def test_binding_expressions_resolve_as_the_host_does() -> None:
    request = {"method": "GET", "url": "http://localhost:7071/api/x", "query": {"file": "a.txt"},
               "params": {"id": "7"}, "body": {"customer": {"id": "c1"}}}
    values = binding_data(request)
    assert resolve("docs/{id}/{Query.file}", values, {}) == "docs/7/a.txt"
    assert resolve("%CONTAINER%/{customer.id}", values, {"CONTAINER": "in"}) == "in/c1"
    assert len(resolve("{rand-guid}", values, {})) == 36
    assert resolve("{unknown}", values, {}) == "{unknown}"
    queued = binding_data({"data": '{"orderId": 5}', "metadata": {"QueueTrigger": '{"orderId": 5}', "Id": "m1"}})
    assert resolve("orders/{orderId}-{Id}", queued, {}) == "orders/5-m1"


async def test_python_v2_inputs_through_the_packages_converters(engine: Engine, python_app: PythonApp) -> None:
    root = python_app({"function_app.py": '''import json

import azure.functions as func

app = func.FunctionApp()

@app.route(route="read/{name}", auth_level=func.AuthLevel.ANONYMOUS)
@app.blob_input(arg_name="doc", path="docs/{name}", connection="AzureWebJobsStorage")
@app.table_input(arg_name="products", table_name="Products", partition_key="tools", connection="AzureWebJobsStorage")
@app.cosmos_db_input(arg_name="orders", database_name="shop", container_name="orders", id="{Query.order}",
                     partition_key="{Query.order}", connection="CosmosDB")
def read(req: func.HttpRequest, doc: func.InputStream, products: str, orders: func.DocumentList) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({
        "doc": doc.read().decode(), "doc_type": type(doc).__name__,
        "products": [p["Name"] for p in json.loads(products)],
        "order": [o["customer"] for o in orders], "orders_type": type(orders).__name__}), mimetype="application/json")
'''})
    write_data(root)
    event = {"httpMethod": "GET", "path": "/read/readme.txt", "queryStringParameters": {"order": "8"}, "headers": {}}
    records, result = await run(engine, spec_of(root, "read"), event)
    assert result.response["body"] == {"doc": "hello from a blob", "doc_type": "InputStream",
                                       "products": ["hammer", "saw"], "order": ["bob"], "orders_type": "DocumentList"}
    assert not any(r.level == "WARN" for r in records)


async def test_node_v4_extra_inputs(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({"src/functions/read.js": """
        const { app, input } = require('@azure/functions');
        const doc = input.storageBlob({ path: 'docs/{name}', connection: 'AzureWebJobsStorage' });
        const product = input.table({ tableName: 'Products', partitionKey: 'food', rowKey: '3',
                                      connection: 'AzureWebJobsStorage' });
        const order = input.cosmosDB({ databaseName: 'shop', containerName: 'orders', id: '{Query.order}',
                                       partitionKey: '{Query.order}', connection: 'CosmosDB' });
        app.http('read', { route: 'read/{name}', extraInputs: [doc, product, order],
          handler: async (request, context) => ({ jsonBody: {
            doc: context.extraInputs.get(doc).toString(), isBuffer: Buffer.isBuffer(context.extraInputs.get(doc)),
            product: context.extraInputs.get(product).Name, order: context.extraInputs.get(order).customer } }) });
    """})
    write_data(root)
    event = {"httpMethod": "GET", "path": "/read/readme.txt", "queryStringParameters": {"order": "7"}, "headers": {}}
    _, result = await run(engine, spec_of(root, "read"), event)
    assert result.response["body"] == {"doc": "hello from a blob", "isBuffer": True, "product": "bread",
                                       "order": "ada"}


async def test_node_v3_function_json_input_and_a_missing_blob(engine: Engine, node_app: NodeApp) -> None:
    root = node_app({
        "Copy/index.js": "module.exports = async function (context, msg) {\n"
                         "  const source = context.bindings.source;\n"
                         "  return { found: source === null ? null : source.toString(), name: msg.name };\n};\n",
        "Copy/function.json": json.dumps({"bindings": [
            {"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "copies"},
            {"type": "blob", "direction": "in", "name": "source", "path": "docs/{name}"},
            {"type": "queue", "direction": "out", "name": "$return", "queueName": "done"}]}),
    })
    (root / "package.json").unlink()  # a v3 app: function.json folders, no v4 entry
    write_data(root)
    _, result = await run(engine, spec_of(root, "Copy"), {"name": "readme.txt"})
    assert result.response == {"found": "hello from a blob", "name": "readme.txt"}
    records, result = await run(engine, spec_of(root, "Copy"), {"name": "nothing.txt"})
    assert result.response == {"found": None, "name": "nothing.txt"}
    warning = next(r for r in records if r.level == "WARN")
    assert warning.message == ("svl: blob input 'source' reads .svl/azure/blobs/docs/nothing.txt, which does not "
                               "exist: the function gets null (put the blob's content in that file)")


def test_table_filters_of_comparisons_are_applied() -> None:
    test = odata_filter("RowKey eq '2' and Price gt 3 or Name eq 'O''Neil'")
    assert test is not None
    assert test({"RowKey": "2", "Price": 4}) and not test({"RowKey": "2", "Price": 2})
    assert test({"Name": "O'Neil"}) and not test({"Name": "Neil"})
    assert odata_filter("startswith(Name, 'a')") is None  # richer queries are not evaluated (a warning says so)


async def test_node_v4_table_filter_with_a_route_expression(engine: Engine, node_app: NodeApp) -> None:
    """As Azure/azure-functions-nodejs-e2e-tests' httpTriggerTableInput: filter "RowKey eq '{rowKey}'"."""
    root = node_app({"src/functions/table.js": """
        const { app, input } = require('@azure/functions');
        const rows = input.table({ tableName: 'Products', partitionKey: 'tools', filter: "RowKey eq '{rowKey}'",
                                   connection: 'AzureWebJobsStorage' });
        app.http('table', { route: 'table/{rowKey}', extraInputs: [rows],
          handler: async (request, context) => ({ jsonBody: context.extraInputs.get(rows) }) });
    """})
    write_data(root)
    records, result = await run(engine, spec_of(root, "table"), {"httpMethod": "GET", "path": "/table/2"})
    assert result.response["body"] == [{"PartitionKey": "tools", "RowKey": "2", "Name": "saw"}]
    assert not any(r.level == "WARN" for r in records)
