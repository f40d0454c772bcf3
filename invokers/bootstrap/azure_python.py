"""Azure Functions for the Python bootstrap: programming models v1 (function.json) and v2 (function_app.py).

Runs in the worker process, never in svl-tui's. The app's own ``azure-functions``
package (from the project's virtualenv) does the work the Azure Python worker
gives it: its decorators register the functions (``FunctionApp.get_functions``),
its converters turn the host's data into ``HttpRequest``, ``TimerRequest``,
``QueueMessage``, ``InputStream``, ``ServiceBusMessage``, ``EventHubEvent`` and
``DocumentList`` objects, and encode ``HttpResponse`` and output bindings back.
Only when a project does not have the package at all does a small stand-in
(``azure_functions_shim.py``) serve v1 HTTP handlers.

``python azure_python.py --discover APP_ROOT`` imports the app and prints what
it registers (``azure_discovery.py``). The host's data in and out of one invocation (trigger and
input binding values, the retry context, output values) is ``azure_bindings.py``.
"""

import inspect
import json
import os
import sys

THIS_DIR = os.path.dirname(os.path.abspath(__file__))
SCRIPT_FILE = os.environ.get("PYTHON_SCRIPT_FILE_NAME", "function_app.py")


def sibling(file_name, register=False):
    """A module of this bootstrap's folder, loaded by path as ``svl_<name>`` (as python_runtime.py loads this
    one): the handler's import path never holds this folder. Only a module that must be found by name (the
    ``azure.functions`` stand-in's) goes in ``sys.modules``."""
    import importlib.util

    name = "svl_" + file_name.removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, os.path.join(THIS_DIR, file_name))
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


binding_values = sibling("azure_bindings.py")  # the host's data in (trigger, inputs, retry context) and out (outputs)


# ---- v2: what function_app.py registers ---------------------------------------------------


def find_app(module):
    """The module's one ``FunctionApp`` (any ``FunctionRegister``), as the Python worker indexes it."""
    import azure.functions as func

    apps = [value for value in vars(module).values() if isinstance(value, func.FunctionRegister)]
    if not apps:
        raise ValueError(f"{SCRIPT_FILE} defines no FunctionApp: add 'app = func.FunctionApp()' at module level")
    if len(apps) > 1:
        raise ValueError(f"{SCRIPT_FILE} defines {len(apps)} FunctionApp objects; the Azure worker allows one")
    return apps[0]


def plain(binding):
    """A binding's dict with the package's enums as function.json writes them (``"direction": "out"``)."""
    import enum

    def value(item):
        if isinstance(item, enum.Enum):
            return item.name.lower() if type(item).__name__ == "BindingDirection" else item.value
        if isinstance(item, list):
            return [value(i) for i in item]
        return item

    return {key: value(item) for key, item in binding.get_dict_repr().items()}


def user_function(builder):
    function = getattr(builder, "_function", builder)
    return getattr(function, "_func", function)


def where_defined(func):
    code = getattr(inspect.unwrap(func), "__code__", None)
    return (code.co_filename, code.co_firstlineno) if code else ("", 0)


def import_app(root):
    sys.path.insert(0, root)
    import importlib

    module_name = os.path.splitext(SCRIPT_FILE)[0]
    return importlib.import_module(module_name)


def make_context(invocation_id, function_name, directory, retry_context=None):
    import threading

    import azure.functions as func

    class Context(func.Context):
        """What the Azure Python worker passes as ``context``."""

        def __init__(self):
            self._local = threading.local()
            self._local.invocation_id = invocation_id

        invocation_id = property(lambda self: invocation_id)
        thread_local_storage = property(lambda self: self._local)
        function_name = property(lambda self: function_name)
        function_directory = property(lambda self: directory)
        trace_context = property(lambda self: None)
        retry_context = property(lambda self: retry_context)

    return Context()


def make_out():
    import azure.functions as func

    class Out(func.Out):
        """``func.Out[T]``: the value a function sets on an output binding."""

        def __init__(self):
            self._value = None

        def set(self, val):
            self._value = val

        def get(self):
            return self._value

    return Out()


def invoker(func, bindings, function_name, directory):
    """``call(event, context) -> {response, outputs}`` for one Azure function."""
    trigger = next(b for b in bindings if str(b.get("type", "")).endswith("Trigger"))
    outputs = {b["name"]: b for b in bindings if b.get("direction") == "out" and b.get("name") != "$return"}
    inputs = {b["name"]: b for b in bindings if b.get("direction") == "in" and not str(b.get("type", "")).endswith("Trigger")}
    returned = next((b for b in bindings if b.get("name") == "$return"), None)
    if returned is None and trigger.get("type") == "httpTrigger":
        returned = {"name": "$return", "type": "http"}
    if returned is None and trigger.get("type") in ("activityTrigger", "orchestrationTrigger", "entityTrigger"):
        returned = {"name": "$return", "type": trigger["type"]}  # Durable triggers' implicit output, as in the worker
    params = inspect.signature(func).parameters

    def call(event, lambda_context):
        kwargs = {}
        outs = {}
        for name, param in params.items():
            if name == trigger["name"]:
                kwargs[name] = binding_values.trigger_input(trigger, event, param.annotation)
            elif name in outputs:
                kwargs[name] = outs[name] = make_out()
            elif name == "context":
                kwargs[name] = make_context(lambda_context.aws_request_id, function_name, directory,
                                            binding_values.make_retry_context(event))
            elif name in inputs:
                kwargs[name] = binding_values.input_value(inputs[name], (event or {}).get("svlInputs", {}).get(name), param.annotation)
            else:
                kwargs[name] = None  # an input binding svl-tui does not read locally (SQL, ...)
        result = func(**kwargs)
        if inspect.isawaitable(result):
            import asyncio

            result = asyncio.new_event_loop().run_until_complete(result)
        response = binding_values.shown(result, returned["type"]) if returned else None
        if returned and returned["type"] == "http" and result is None:
            response = {"status": 204, "headers": {}, "body": None}
        values = {name: binding_values.shown(out.get(), outputs[name].get("type", "")) for name, out in outs.items()}
        return {"response": response, "outputs": {k: v for k, v in values.items() if v is not None}}

    return call


def load(spec, model, load_handler, error_payload):
    """The function ``spec`` names, called like a Lambda handler: (handler, None), or (None, Lambda's init error).

    ``model`` is ``v2`` for a function_app.py app; ``load_handler`` imports a v1 ``module.function`` with
    Lambda's errors and ``error_payload`` words any other init failure (the bootstrap's own: python_runtime.py,
    lambda_logs.py)."""
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if model == "v2":
        try:
            return load_v2(task_root, spec), None
        except SyntaxError as exc:
            return None, {"errorMessage": f"Syntax error in {exc.filename}: {exc}", "errorType": "Runtime.UserCodeSyntaxError",
                          "requestId": "", "stackTrace": [f'  File "{exc.filename}" Line {exc.lineno}\n']}
        except LookupError as exc:
            return None, {"errorMessage": str(exc), "errorType": "Runtime.HandlerNotFound", "requestId": "",
                          "stackTrace": []}
        except Exception as exc:  # noqa: BLE001 - any init failure is reported, not raised
            return None, error_payload(exc)
    directory = os.path.join(task_root, spec.split(".", 1)[0])
    try:
        prepare_v1(directory)
    except ModuleNotFoundError as exc:  # the package a trigger needs is missing: Lambda's wording for it
        return None, {"errorMessage": f"Unable to import module '{spec}': {exc}", "errorType": "Runtime.ImportModuleError",
                      "requestId": "", "stackTrace": []}
    handler, init_error = load_handler(spec)
    if handler is None:
        return None, init_error
    return load_v1(handler, directory), None


def load_v2(root, function_name):
    app = find_app(import_app(root))
    for function in app.get_functions():
        if function.get_function_name() == function_name:
            bindings = [plain(binding) for binding in function.get_bindings()]
            return invoker(function.get_user_function(), bindings, function_name, root)
    names = ", ".join(f.get_function_name() for f in app.get_functions()) or "none"
    error = LookupError(f"function '{function_name}' is not registered by {SCRIPT_FILE} (registered: {names})")
    raise error


def prepare_v1(directory):
    """Before a v1 handler is imported: the stand-in for ``azure.functions`` when the project lacks it.

    The stand-in covers HTTP only: any other trigger without the package fails
    here, before the handler's import trips over a missing ``func.QueueMessage``.
    """
    if not has_real_package():
        trigger = next((b for b in v1_bindings(directory) if str(b.get("type", "")).endswith("Trigger")), {})
        if trigger.get("type", "httpTrigger") != "httpTrigger":
            raise ModuleNotFoundError(
                f"a {trigger.get('type')} function needs the 'azure-functions' package, which is not installed in "
                "the project's virtualenv: pip install azure-functions (and list it in requirements.txt)")
        sibling("azure_functions_shim.py", register=True).install()  # standin_invoker finds it by name


def load_v1(handler, directory):
    """A ``function.json`` function (``main`` already imported); its bindings come from its folder."""
    bindings = v1_bindings(directory)
    if not any(str(b.get("type", "")).endswith("Trigger") for b in bindings):
        bindings.append({"type": "httpTrigger", "name": "req", "direction": "in"})
    if has_real_package():
        return invoker(handler, bindings, os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""), directory)
    return standin_invoker(handler, directory)


def v1_bindings(directory):
    try:
        with open(os.path.join(directory, "function.json"), encoding="utf-8") as file:
            return json.load(file).get("bindings") or []
    except (OSError, ValueError):
        return []


def has_real_package():
    try:
        import azure.functions.meta  # noqa: F401
    except ImportError:
        return False
    return True


def standin_invoker(handler, directory):
    """An HTTP ``main(req[, context])`` on the stand-in package (the project lacks ``azure-functions``)."""
    func = sys.modules["azure.functions"]
    shim = sys.modules["svl_azure_functions_shim"]
    params = list(inspect.signature(handler).parameters)

    def call(event, context):
        raw = event.get("rawBody")
        body = raw if isinstance(raw, str) else json.dumps(raw) if raw is not None else ""
        req = func.HttpRequest(event.get("method", "GET"), event.get("url", ""), headers=event.get("headers"),
                               params=event.get("query"), route_params=event.get("params"), body=body.encode())
        azure_context = shim.Context(context.aws_request_id, context.function_name, directory)
        result = handler(*[azure_context if name == "context" else req for name in params])
        if inspect.isawaitable(result):
            import asyncio

            result = asyncio.new_event_loop().run_until_complete(result)
        return {"response": standin_response(result), "outputs": {}}

    return call


def standin_response(result):
    if result is None:
        return {"status": 204, "headers": {}, "body": None}
    if not hasattr(result, "get_body"):
        return {"status": 200, "headers": {}, "body": result}
    headers = dict(result.headers)
    mimetype = getattr(result, "mimetype", None)
    if mimetype:
        headers.setdefault("Content-Type", mimetype)
    body = result.get_body().decode(getattr(result, "charset", None) or "utf-8", "replace")
    if mimetype and "json" in mimetype:
        try:
            body = json.loads(body)
        except ValueError:
            pass
    return {"status": result.status_code, "headers": headers, "body": body}


if __name__ == "__main__" and sys.argv[1:2] == ["--discover"]:
    sibling("azure_discovery.py").discover(sys.argv[2] if len(sys.argv) > 2 else os.getcwd(), sys.modules[__name__])
