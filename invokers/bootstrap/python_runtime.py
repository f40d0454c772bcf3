"""Python runtime bootstrap: a Lambda Runtime API client that runs one handler.

Runs as a script in the worker process (the execution environment), so it
imports nothing from svl-tui and as little of the standard library as it can:
every millisecond here is cold-start time. It mirrors AWS's Python runtime
interface client: handler resolution and its ``Runtime.*`` init errors, the
context object, the ``[LEVEL]\\t<time>\\t<request id>\\t<message>`` log format
(or JSON when ``AWS_LAMBDA_LOG_FORMAT=JSON``), error payloads without the
runtime's own frames, and ``Runtime.MarshalError`` for unserialisable results.

Its helpers are siblings loaded by path (``sibling``): ``lambda_logs.py`` (log format, error payloads),
``python_process.py`` (the import path, the environment's end), ``debug_channel.py`` (only when debugging)
and ``azure_python.py`` (only for Azure functions).
"""

import json
import os
import socket
import sys
import time

RUNTIME_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
# What svl-tui tells this bootstrap (invokers/spawn.py, azure.py, python_path.py), taken out of the
# environment before any user code loads (os.environ.pop unsets the C variable too): a handler, and
# whatever it starts, sees only what Lambda gives it. A function's own SVL_* settings are left alone.
OUR_NAMES = ("SVL_LOG_FENCE", "SVL_DEBUG_FD", "SVL_ERROR_LOCALS", "SVL_PYTHON_PATH", "SVL_PYTHON_SITES",
             "SVL_STYLE", "SVL_AZURE_MODEL", "SVL_AZURE_FUNCTION_DIR")
OURS = {name: os.environ.pop(name) for name in OUR_NAMES if name in os.environ}
FENCE = OURS.get("SVL_LOG_FENCE", "")
AZURE = OURS.get("SVL_STYLE") == "azure"
THIS_FILE = os.path.abspath(__file__)
# Lambda's python3.12+ runtimes send responses as UTF-8; older ones \u-escape them (and measure that size).
_VERSION = os.environ.get("AWS_EXECUTION_ENV", "").rpartition("python")[2].split(".")
UTF8_RESPONSES = len(_VERSION) == 2 and _VERSION[0] == "3" and _VERSION[1].isdigit() and int(_VERSION[1]) >= 12
DEBUG_CHANNEL = OURS.get("SVL_DEBUG_FD", "")  # debug_channel reads it from here
ERROR_LOCALS = OURS.get("SVL_ERROR_LOCALS", "") != "0"  # capture the failing frames' locals (opt-out)


class RuntimeClient:
    """Minimal keep-alive HTTP/1.1 client for the four Runtime API routes."""

    def __init__(self, address):
        # ``host:port/key``: the key prefixes every path (the server refuses requests without it).
        address, _, key = address.partition("/")
        self.prefix = f"/{key}/2018-06-01/runtime" if key else "/2018-06-01/runtime"
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def request(self, method, path, body=b"", headers=None):
        self.sock.sendall(self._head(method, path, body, headers) + body)
        return self._reply()

    def answer_and_next(self, path, body, headers):
        """POST an invocation's answer and ask for the next event in one write (pipelined: one wake-up of
        the engine and, as it answers both together, of this process); returns the next event's reply."""
        self.sock.sendall(self._head("POST", path, body, headers) + body + self._head("GET", "/invocation/next"))
        self._reply()
        return self._reply()

    def _head(self, method, path, body=b"", headers=None):
        head = [f"{method} {self.prefix}{path} HTTP/1.1", "Host: runtime", f"Content-Length: {len(body)}"]
        for key, value in (headers or {}).items():
            head.append(f"{key}: {value}")
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")

    def _reply(self):
        status_line = self.file.readline()
        if not status_line:
            raise ConnectionError("runtime API closed the connection")
        reply_headers = {}
        while True:
            line = self.file.readline().decode("latin-1").rstrip("\r\n")
            if not line:
                break
            key, _, value = line.partition(":")
            reply_headers[key.strip().lower()] = value.strip()
        length = int(reply_headers.get("content-length", "0"))
        return reply_headers, self.file.read(length) if length else b""


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class LambdaContext:
    """The attributes Lambda's Python runtime gives ``context``."""

    def __init__(self, request_id, deadline_ms, arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = CognitoIdentity(identity or {})
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        paused = int(_debug.paused_ms()) if _debug is not None else 0  # the clock stops while the debugger does
        return max(self._deadline_ms + paused - int(time.time() * 1000), 0)

    def __repr__(self):
        return (f"LambdaContext([aws_request_id={self.aws_request_id},"
                f"function_name={self.function_name},memory_limit_in_mb={self.memory_limit_in_mb}])")


CURRENT_REQUEST_ID = ""


def load_handler(spec):
    """Import ``module.function`` the way AWS's runtime does, with its error types."""
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        return None, {"errorMessage": f"Bad handler '{spec}': {exc}", "errorType": "Runtime.MalformedHandlerName",
                      "requestId": "", "stackTrace": []}
    module_name = module_name.replace("/", ".")
    import importlib

    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        return None, {"errorMessage": f"Syntax error in module '{module_name}': {exc}",
                      "errorType": "Runtime.UserCodeSyntaxError", "requestId": "",
                      "stackTrace": [f'  File "{exc.filename}" Line {exc.lineno}\n', f"    {(exc.text or '').strip()}\n"]}
    except ImportError as exc:
        return None, {"errorMessage": f"Unable to import module '{module_name}': {exc}",
                      "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
    except Exception as exc:  # noqa: BLE001 - any init failure is reported, not raised
        return None, logs.error_payload(exc)
    handler = getattr(module, function_name, None)
    if handler is None:
        return None, {"errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
                      "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []}
    return handler, None


def to_json(value):
    """Serialise a result like Lambda's runtime (which accepts Decimal, e.g. from DynamoDB)."""
    def default(obj):
        from decimal import Decimal

        if isinstance(obj, Decimal):
            return int(obj) if obj == obj.to_integral_value() else float(obj)
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")

    return json.dumps(value, default=default, ensure_ascii=not UTF8_RESPONSES).encode("utf-8", "surrogatepass")


def set_trace_id(value):
    """``os.environ["_X_AMZN_TRACE_ID"]`` for this invoke, without C's setenv: glibc never frees the
    strings setenv replaces, so setting it on every invoke leaked ~100 bytes each (+2.7 MB over 20,000)."""
    os.environ._data[os.environ.encodekey("_X_AMZN_TRACE_ID")] = os.environ.encodevalue(value)


def flush_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (ValueError, OSError, AttributeError):
            pass  # the handler closed or replaced it: on Lambda that is its own business too


def fence():
    """Mark the end of an invocation's output on both pipes before reporting it.

    The engine waits for this mark, so every line the handler wrote is shown
    before its result, never after.
    """
    if FENCE:
        flush_streams()
        os.write(1, FENCE.encode() + b"\n")
        os.write(2, FENCE.encode() + b"\n")


def end_of_output():
    """Before answering: our buffered output into the pipes, and a fence mark where the engine needs one.

    On Linux it does not: it counts what is in the pipes when the answer comes (FIONREAD on its end)
    and delivers that first, so the answer only says ``Svl-Output: unfenced`` (True here), and an
    invocation that printed nothing wakes none of its threads. Elsewhere the fence is written (False).
    """
    if FENCE and sys.platform == "linux":
        flush_streams()
        return True
    fence()
    return False


_debug = None


def sibling(file_name, register=False):
    """A module of this bootstrap's folder, loaded by path as ``svl_<name>``: the handler's import path
    never holds this folder, so the handler cannot import (or shadow) our modules. Only a module that
    must be found by name (the debugger's, for pdb) goes in ``sys.modules``, where the handler would see it."""
    import importlib.util

    name = "svl_" + file_name.removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, os.path.join(os.path.dirname(THIS_FILE), file_name))
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def debug():
    """svl-tui's debug channel module (``debug_channel.py``), loaded the first time it is needed."""
    global _debug
    if _debug is None:
        _debug = sibling("debug_channel.py", register=True)
        _debug.CHANNEL_FD = DEBUG_CHANNEL
    return _debug


class PdbFinder:
    """Sends ``import pdb`` through the debug channel module, so ``pdb.set_trace()`` stops there too."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "pdb":
            return None
        sys.meta_path.remove(PdbFinder)
        return debug().pdb_spec(path)


def install_debug_hooks():
    """``breakpoint()`` and ``pdb.set_trace()`` stop in svl-tui's debugger; costs nothing until used."""
    if DEBUG_CHANNEL.isdigit():
        os.set_inheritable(int(DEBUG_CHANNEL), False)  # the handler's own child processes don't get it
    sys.breakpointhook = lambda *args, **kwargs: debug().breakpoint_hook(sys._getframe(1), header=kwargs.get("header"))
    if "pdb" not in sys.modules:
        sys.meta_path.insert(0, PdbFinder)


def load_azure(spec):
    """An Azure function (azure_python.py: models v1 and v2), called like a Lambda handler."""
    return sibling("azure_python.py").load(spec, OURS.get("SVL_AZURE_MODEL"), load_handler, logs.error_payload)


logs = None  # lambda_logs.py, loaded by main()


def install_logging_and_errors():
    global logs
    logs = sibling("lambda_logs.py")
    logs.install_logging(lambda: CURRENT_REQUEST_ID, azure=AZURE)


def main():
    global CURRENT_REQUEST_ID
    process = sibling("python_process.py")
    process.watch_parent(RUNTIME_API)
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    process.set_import_path(task_root, OURS.get("SVL_PYTHON_PATH"), OURS.get("SVL_PYTHON_SITES", ""))
    install_logging_and_errors()
    install_debug_hooks()
    client = RuntimeClient(RUNTIME_API)
    loader = load_azure if AZURE else load_handler
    handler, init_error = loader(os.environ.get("_HANDLER", ""))
    if init_error is not None:
        logs.log_error(init_error, CURRENT_REQUEST_ID)
        fence()
        client.request("POST", "/init/error", json.dumps(init_error).encode(),
                       {"Lambda-Runtime-Function-Error-Type": init_error["errorType"]})
        sys.exit(1)
    fence()  # import-time output comes before START
    import inspect

    loop = None
    # init ends here, whenever the engine reads it
    reply = client.request("GET", "/invocation/next", headers={"Svl-Ready-At": repr(time.perf_counter())})
    while True:
        headers, body = reply
        started = time.perf_counter()
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        CURRENT_REQUEST_ID = request_id
        set_trace_id(headers.get("lambda-runtime-trace-id", ""))
        client_context = headers.get("lambda-runtime-client-context")
        identity = headers.get("lambda-runtime-cognito-identity")
        context = LambdaContext(request_id, int(headers.get("lambda-runtime-deadline-ms", "0")),
                                headers.get("lambda-runtime-invoked-function-arn", ""),
                                json.loads(client_context) if client_context else None,
                                json.loads(identity) if identity else None)
        try:
            event = json.loads(body) if body else None
        except ValueError as exc:
            outcome = {"errorMessage": f"Unable to unmarshal input: {exc}", "errorType": "Runtime.UnmarshalError",
                       "requestId": request_id, "stackTrace": []}
        else:
            try:
                result = handler(event, context)
                if inspect.isawaitable(result):
                    if loop is None:
                        import asyncio

                        loop = asyncio.new_event_loop()
                        asyncio.set_event_loop(loop)
                    result = loop.run_until_complete(result)
            except Exception as exc:  # noqa: BLE001 - the handler's error becomes the invocation's
                outcome = logs.error_payload(exc, request_id)
                if DEBUG_CHANNEL and ERROR_LOCALS:
                    debug().error_locals(exc)
                if DEBUG_CHANNEL and headers.get("svl-debug") == "post-mortem":
                    debug().post_mortem(exc.__traceback__)
            else:
                try:
                    outcome = to_json(result)
                except (TypeError, ValueError) as exc:
                    outcome = {"errorMessage": f"Unable to marshal response: {exc}",
                               "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}
        # The invoke's own span, measured here: the engine's clock would also count however long
        # its event loop (a busy UI) took to read the answer.
        span = {"Svl-Started-At": repr(started), "Svl-Ended-At": repr(time.perf_counter())}
        if _debug is not None:
            span["Svl-Paused-Ms"] = repr(_debug.take_paused_ms())
        if isinstance(outcome, bytes):
            if end_of_output():
                span["Svl-Output"] = "unfenced"
            reply = client.answer_and_next(f"/invocation/{request_id}/response", outcome, span)
        else:
            if not AZURE:  # an Azure function's failure is told by the host's Executed lines instead
                logs.log_error(outcome, request_id)
            if end_of_output():
                span["Svl-Output"] = "unfenced"
            reply = client.answer_and_next(f"/invocation/{request_id}/error", json.dumps(outcome).encode(),
                                           {"Lambda-Runtime-Function-Error-Type": outcome["errorType"], **span})


if __name__ == "__main__":
    try:
        main()
    except (ConnectionError, BrokenPipeError):
        sys.exit(0)
