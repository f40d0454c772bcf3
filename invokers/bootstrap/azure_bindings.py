"""The host's data in and out of one Azure invocation, for the Python bootstrap (``azure_python.py`` loads it).

Runs in the worker process, loaded by path (never on the handler's import path). In: the trigger's argument
and input bindings' values, built by the app's own ``azure-functions`` converters as the Azure Python worker
builds them, and the host's ``RetryContext``. Out: a returned value or an output binding's value as the host
would receive it, as JSON. Kept apart from ``azure_python.py``, which finds and calls the functions (models v1
and v2): converting values is one job, loading and calling the function another.
"""

import base64
import inspect
import json


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
