"""Code root and handler string as Lambda has them: projects laid out like the real templates."""

from __future__ import annotations

from pathlib import Path

from invokers.discovery import discover
from invokers.engine import Engine
from tests.invokers.test_discovery import write

REPORT_WHERE = """
    import os, sys
    def where():
        return {"task_root": os.environ["LAMBDA_TASK_ROOT"], "cwd": os.getcwd(), "path0": sys.path[0],
                "handler": os.environ["_HANDLER"]}
"""


async def test_sam_handler_in_a_subfolder_of_code_uri_imports_siblings_from_the_code_root(tmp_path: Path) -> None:
    # CodeUri: src/ with Handler: hello_world/app.lambda_handler, as in sessions-with-aws-sam layouts:
    # /var/task is src/, so `from model import ...` finds src/model.py and `import todos` src/todos/.
    write(tmp_path, "template.yaml", """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          HelloWorldFunction:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: hello_world/app.lambda_handler
              Runtime: python3.12
    """)
    write(tmp_path, "src/model.py", "GREETING = 'hello from model'\n")
    write(tmp_path, "src/todos/__init__.py", "def count():\n    return 3\n")
    write(tmp_path, "src/where.py", REPORT_WHERE)
    write(tmp_path, "src/hello_world/app.py", """
        from model import GREETING
        import todos
        from where import where
        def lambda_handler(event, context):
            return {"greeting": GREETING, "todos": todos.count(), **where()}
    """)
    found = discover(tmp_path)
    spec = found.get("HelloWorldFunction")
    assert spec is not None and found.problems == []
    src = str((tmp_path / "src").resolve())
    assert spec.code_dir == src and spec.handler == "hello_world/app.lambda_handler"
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.ok, result.error
    assert result.response == {"greeting": "hello from model", "todos": 3, "task_root": src, "cwd": src,
                               "path0": src, "handler": "hello_world/app.lambda_handler"}


async def test_sam_node_handler_path_relative_to_code_uri(tmp_path: Path) -> None:
    # The sam init Node templates: no CodeUri folder for the handler, Handler: src/handlers/app.handler.
    write(tmp_path, "template.yaml", """
        Resources:
          GetAll:
            Type: AWS::Serverless::Function
            Properties:
              Handler: src/handlers/get-all-items.getAllItemsHandler
              Runtime: nodejs20.x
    """)
    write(tmp_path, "src/lib/table.js", "exports.name = () => 'items';\n")
    write(tmp_path, "src/handlers/get-all-items.js", """
        const { name } = require('../lib/table');
        exports.getAllItemsHandler = async () => ({ table: name(), root: process.env.LAMBDA_TASK_ROOT,
          cwd: process.cwd(), handler: process.env._HANDLER });
    """)
    spec = discover(tmp_path).get("GetAll")
    assert spec is not None
    root = str(tmp_path.resolve())
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.ok, result.error
    assert result.response == {"table": "items", "root": root, "cwd": root,
                               "handler": "src/handlers/get-all-items.getAllItemsHandler"}


async def test_serverless_service_folder_is_the_code_root(tmp_path: Path) -> None:
    write(tmp_path, "serverless.yml", """
        service: todos
        provider: {name: aws, runtime: python3.12}
        functions:
          create:
            handler: todos/create.create
    """)
    write(tmp_path, "todos/__init__.py", "")
    write(tmp_path, "todos/decimalencoder.py", "NAME = 'encoder'\n")
    write(tmp_path, "todos/create.py", """
        import os
        from todos import decimalencoder
        def create(event, context):
            return {"encoder": decimalencoder.NAME, "cwd": os.getcwd(), "handler": os.environ["_HANDLER"]}
    """)
    spec = discover(tmp_path).get("create")
    assert spec is not None
    async with Engine() as engine:
        _, result = await engine.invoke_collect(spec, {})
    assert result.ok, result.error
    assert result.response == {"encoder": "encoder", "cwd": str(tmp_path.resolve()), "handler": "todos/create.create"}


def test_serverless_module_is_the_code_root(tmp_path: Path) -> None:
    # serverless-python-requirements' per-function `module:` packages that folder as /var/task.
    write(tmp_path, "serverless.yml", """
        provider: {name: aws, runtime: python3.12}
        functions:
          hello:
            module: services/hello
            handler: handler.main
    """)
    write(tmp_path, "services/hello/handler.py", "def main(e, c):\n    return 1\n")
    spec = discover(tmp_path).get("hello")
    assert spec is not None
    assert spec.code_dir == str((tmp_path / "services" / "hello").resolve()) and spec.handler == "handler.main"


def test_handler_leaving_the_code_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "template.yaml", """
        Resources:
          Escape:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src
              Handler: ../../outside/app.handler
              Runtime: python3.12
          Fine:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src
              Handler: app.handler
              Runtime: python3.12
    """)
    write(tmp_path, "serverless.yml", """
        provider: {name: aws, runtime: nodejs20.x}
        functions:
          absolute:
            handler: /etc/app.handler
    """)
    found = discover(tmp_path)
    assert [spec.name for spec in found.functions] == ["Fine"]
    by_field = {problem.field: problem for problem in found.errors}
    escape = by_field["Resources.Escape.Properties.Handler"]
    assert escape.file == "template.yaml" and escape.line == 7
    assert "points outside the function's code folder" in escape.message and "'..'" in escape.message
    assert "points outside" in by_field["functions.absolute.handler"].message


async def test_serverless_package_artifact_zip_is_the_code_root(tmp_path: Path) -> None:
    import zipfile

    write(tmp_path, "serverless.yml", """
        provider: {name: aws, runtime: python3.12}
        package: {artifact: dist/service.zip}
        functions:
          fromService:
            handler: lib/handler.main
          fromOwn:
            handler: handler.main
            package: {artifact: dist/own.zip}
          missing:
            handler: handler.main
            package: {artifact: dist/not-built.zip}
    """)
    (tmp_path / "dist").mkdir()
    with zipfile.ZipFile(tmp_path / "dist" / "service.zip", "w") as archive:
        archive.writestr("lib/handler.py", "import os\ndef main(e, c):\n    return ['service', os.getcwd()]\n")
    with zipfile.ZipFile(tmp_path / "dist" / "own.zip", "w") as archive:
        archive.writestr("handler.py", "def main(e, c):\n    return ['own']\n")
    found = discover(tmp_path)
    assert [p.field for p in found.errors] == ["functions.missing.package.artifact"]
    assert "not a .zip file here" in found.errors[0].message
    service, own = found.get("fromService"), found.get("fromOwn")
    assert service is not None and own is not None
    async with Engine() as engine:
        _, from_service = await engine.invoke_collect(service, {})
        _, from_own = await engine.invoke_collect(own, {})
    assert from_service.ok and from_service.response == ["service", service.code_dir], from_service.error
    assert from_own.ok and from_own.response == ["own"], from_own.error
