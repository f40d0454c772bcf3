"""How Lambda's Python runtime writes logs and errors: the root log handler (text or JSON), the
``[ERROR]`` record of an unhandled error, and error payloads without the runtime's own frames.

Part of the bootstrap (``python_runtime.py`` loads it by path, as ``svl_lambda_logs``): it runs in
the worker, imports nothing of svl-tui, and its folder is never on the handler's import path.
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))  # the bootstrap's folder: frames from here are ours


def install_logging(request_id, azure=False):
    """Lambda's root log handler (``request_id()`` gives the invocation's id); ``logging`` is imported
    here because every handler gets the handler installed, as on Lambda."""
    import logging

    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"

    class LambdaFormatter(logging.Formatter):
        converter = time.gmtime

        def format(self, record):
            record.aws_request_id = current = request_id()
            if json_format:
                data = {"timestamp": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
                        "level": record.levelname, "message": record.getMessage(),
                        "logger": record.name, "requestId": current}
                if record.exc_info:
                    data["errorType"] = record.exc_info[0].__name__
                    data["errorMessage"] = str(record.exc_info[1])
                    data["stackTrace"] = self.formatException(record.exc_info).splitlines()
                data["location"] = f"{record.pathname}:{record.funcName}:{record.lineno}"
                return json.dumps(data, default=str)
            text = super().format(record)
            # Lambda keeps a multi-line record (a traceback) as one log event.
            return text.replace("\n", "\r")

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(LambdaFormatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in ("DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL"):
        root.setLevel("WARNING" if level == "WARN" else level)
    elif azure:
        root.setLevel("INFO")  # the Azure host shows logging.info by default


def user_frames(tb):
    """Stack frames without this bootstrap's own, as Lambda shows them."""
    import traceback

    frames = [f for f in traceback.extract_tb(tb)  # ours: this bootstrap and its Azure modules
              if os.path.dirname(os.path.abspath(f.filename)) != HERE
              and not f.filename.startswith("<frozen")]
    return traceback.format_list(frames)


def error_payload(exc, request_id=""):
    payload = {"errorMessage": str(exc), "errorType": type(exc).__name__,
               "requestId": request_id, "stackTrace": user_frames(exc.__traceback__)}
    return payload


def log_error(payload, request_id):
    """Lambda writes an unhandled error to the log as one ``[ERROR]`` record."""
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    trace = "".join(payload.get("stackTrace") or [])
    text = f"{payload['errorType']}: {payload['errorMessage']}"
    if trace:
        text += "\rTraceback (most recent call last):\r" + trace.rstrip("\n").replace("\n", "\r")
    line = f"[ERROR]\t{stamp}\t{request_id}\t{text}\n"
    try:
        sys.stdout.write(line)
    except (ValueError, OSError, AttributeError):  # the handler closed sys.stdout: our fd 1 is still open
        os.write(1, line.encode("utf-8", "replace"))
