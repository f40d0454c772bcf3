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
it registers (``azure_discovery.py``).
"""

import base64
import inspect
import json
import os
import sys

THIS_DIR = os.path.dirname(os.path.abspath(__file__))
SCRIPT_FILE = os.environ.get("PYTHON_SCRIPT_FILE_NAME", "function_app.py")


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


# ---- the host's data for one invocation -------------------------------------------------------


def envelope(event):
    """Non-HTTP triggers take ``{data, metadata}``; any other value is the trigger's data itself."""
    if isinstance(event, dict) and "data" in event:
        return event.get("data"), event.get("metadata") or {}, event.get("dataEncoding")
    return event, {}, None


def datum(value, meta):
    if value is None:
        return meta.Datum(None, None)
    if isinstance(value, bytes):
        return meta.Datum(value, "bytes")
    if isinstance(value, str):
        return meta.Datum(value, "string")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return meta.Datum(json.dumps(value), "json")
    return meta.Datum(value, "int" if isinstance(value, int) else "double")


def as_bytes(value, encoding):
    if isinstance(value, str):
        return base64.b64decode(value) if encoding == "base64" else value.encode()
    return json.dumps(value).encode()


def http_datum(event, meta):
    raw = event.get("rawBody", event.get("body"))
    if raw is None:
        body = b""
    elif event.get("bodyEncoding") == "base64":
        body = base64.b64decode(raw)
    else:
        body = (raw if isinstance(raw, str) else json.dumps(raw)).encode()
    text = lambda mapping: {str(k): meta.Datum(str(v), "string") for k, v in (mapping or {}).items()}  # noqa: E731
    return meta.Datum({"method": meta.Datum(event.get("method", "GET"), "string"),
                       "url": meta.Datum(event.get("url", ""), "string"), "headers": text(event.get("headers")),
                       "query": text(event.get("query")), "params": text(event.get("params")),
                       "body": meta.Datum(body, "bytes")}, "http")


def trigger_input(binding, event, annotation):
    """The trigger's argument, built by the package's own converter for the binding type."""
    from azure.functions import meta

    kind = binding.get("type", "")
    metadata = {}
    if kind == "httpTrigger":
        data = http_datum(event or {}, meta)
    else:
        value, raw_metadata, encoding = envelope(event)
        metadata = {str(k): datum(v, meta) for k, v in raw_metadata.items()}
        if kind == "blobTrigger" and binding.get("dataType") != "string":
            data = meta.Datum(as_bytes(value, encoding), "bytes")
        else:
            data = datum(value, meta)
    converter = meta.get_binding_registry().get(kind)
    wants_raw = annotation in (str, bytes, dict, list) or annotation is inspect.Parameter.empty and converter is None
    if converter is not None and not wants_raw:
        return converter.decode(data, trigger_metadata=metadata)
    if annotation is str and data.type == "json":
        return data.value  # the worker's generic binding hands JSON over as its text (a SQL trigger's changes: str)
    value = data.python_value
    if annotation is str and isinstance(value, bytes):
        return value.decode()
    if annotation is bytes and isinstance(value, str):
        return value.encode()
    return value


def input_value(binding, typed, annotation):
    """An input binding's value (``svlInputs``: bytes, string or json), through the package's converter as the
    Python worker does, or as plain text / bytes / JSON text for ``str`` / ``bytes`` parameters and untyped bindings."""
    from azure.functions import meta

    if typed is None:
        return None
    if "bytes" in typed:
        data = meta.Datum(base64.b64decode(typed["bytes"]), "bytes")
    elif "string" in typed:
        data = meta.Datum(typed["string"], "string")
    elif typed.get("json") is None:
        return None
    else:
        data = meta.Datum(json.dumps(typed["json"]), "json")
    converter = meta.get_binding_registry().get(binding.get("type", ""))
    if converter is not None and annotation not in (str, bytes):
        return converter.decode(data, trigger_metadata=None)
    value = data.value  # the worker's generic binding: the text (JSON as text) or the bytes
    if annotation is str and isinstance(value, bytes):
        return value.decode()
    if annotation is bytes and isinstance(value, str):
        return value.encode()
    return value


def make_retry_context(event):
    """The host's ``RetryContext`` when the function has a retry policy (``context.retry_context``), else None."""
    retry = event.get("retryContext") if isinstance(event, dict) else None
    if not isinstance(retry, dict):
        return None
    try:
        from azure.functions._abc import RetryContext as Base  # the package's own interface (not exported)
    except ImportError:
        Base = object

    class RetryContext(Base):
        retry_count = property(lambda self: int(retry.get("retryCount", 0)))
        max_retry_count = property(lambda self: int(retry.get("maxRetryCount", 0)))
        exception = property(lambda self: None)

    return RetryContext()


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


def shown(value, binding_type):
    """An output binding's value as the host would receive it, as JSON."""
    from azure.functions import meta

    if value is None:
        return None
    converter = meta.get_binding_registry().get(binding_type)
    if converter is not None and hasattr(converter, "encode") and not isinstance(value, (dict, list, int, float)):
        try:
            encoded = converter.encode(value, expected_type=None)
        except (NotImplementedError, TypeError, ValueError):
            encoded = None
        if encoded is not None:
            return from_datum(encoded)
    if isinstance(value, bytes):
        return bytes_view(value)
    if isinstance(value, (str, int, float, bool, dict, list)):
        return value
    body = getattr(value, "get_body", None)
    return bytes_view(body()) if body else str(value)


def bytes_view(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}


def from_datum(item):
    if item.type == "http":
        value = item.value
        headers = {k: v.value for k, v in value["headers"].items()}
        body = from_datum(value["body"])
        if isinstance(body, str) and "json" in next((v for k, v in headers.items() if k.lower() == "content-type"), ""):
            try:
                body = json.loads(body)
            except ValueError:
                pass
        response = {"status": int(value["status_code"].value), "headers": headers, "body": body}
        cookies = [morsel.OutputString() for cookie in value.get("cookies") or [] for morsel in cookie.values()]
        if cookies:
            response["cookies"] = cookies
        return response
    if item.type == "bytes":
        return bytes_view(item.value)
    if item.type == "json":
        return json.loads(item.value)
    return item.value


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
                kwargs[name] = trigger_input(trigger, event, param.annotation)
            elif name in outputs:
                kwargs[name] = outs[name] = make_out()
            elif name == "context":
                kwargs[name] = make_context(lambda_context.aws_request_id, function_name, directory,
                                            make_retry_context(event))
            elif name in inputs:
                kwargs[name] = input_value(inputs[name], (event or {}).get("svlInputs", {}).get(name), param.annotation)
            else:
                kwargs[name] = None  # an input binding svl-tui does not read locally (SQL, ...)
        result = func(**kwargs)
        if inspect.isawaitable(result):
            import asyncio

            result = asyncio.new_event_loop().run_until_complete(result)
        response = shown(result, returned["type"]) if returned else None
        if returned and returned["type"] == "http" and result is None:
            response = {"status": 204, "headers": {}, "body": None}
        values = {name: shown(out.get(), outputs[name].get("type", "")) for name, out in outs.items()}
        return {"response": response, "outputs": {k: v for k, v in values.items() if v is not None}}

    return call


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
        import importlib.util

        spec = importlib.util.spec_from_file_location("svl_azure_functions_shim",
                                                      os.path.join(THIS_DIR, "azure_functions_shim.py"))
        shim = importlib.util.module_from_spec(spec)
        sys.modules["svl_azure_functions_shim"] = shim
        spec.loader.exec_module(shim)
        shim.install()


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
    import importlib.util

    _spec = importlib.util.spec_from_file_location("svl_azure_discovery", os.path.join(THIS_DIR, "azure_discovery.py"))
    _discovery = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_discovery)
    _discovery.discover(sys.argv[2] if len(sys.argv) > 2 else os.getcwd(), sys.modules[__name__])
