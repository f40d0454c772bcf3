"""A minimal stand-in for the ``azure.functions`` package, for Azure-style Python handlers.

Loaded by the Python bootstrap only when a handler is Azure-style and the real
``azure-functions`` package is not installed, so ``import azure.functions as
func`` works without it. It covers what HTTP handlers use: ``HttpRequest``,
``HttpResponse`` and ``Context``, with the real package's signatures.
"""

import json


class HttpRequest:
    def __init__(self, method, url, *, headers=None, params=None, route_params=None, body=b""):
        self.method = method.upper()
        self.url = url
        self.headers = {str(k).lower(): v for k, v in (headers or {}).items()}
        self.params = dict(params or {})
        self.route_params = dict(route_params or {})
        self._body = body if isinstance(body, bytes) else (body or "").encode()

    def get_body(self):
        return self._body

    def get_json(self):
        return json.loads(self._body)


class HttpResponse:
    def __init__(self, body=None, *, status_code=None, headers=None, mimetype=None, charset=None):
        self.status_code = status_code or 200
        self.headers = dict(headers or {})
        self.mimetype = mimetype or "text/plain"
        self.charset = charset or "utf-8"
        if isinstance(body, str):
            body = body.encode(self.charset)
        self._body = body or b""

    def get_body(self):
        return self._body


class Context:
    def __init__(self, invocation_id, function_name, function_directory):
        self.invocation_id = invocation_id
        self.function_name = function_name
        self.function_directory = function_directory


def install():
    """Register this module as ``azure.functions`` unless the real package is importable."""
    import sys
    import types

    try:
        import azure.functions  # noqa: F401
        return
    except ImportError:
        pass
    package = sys.modules.get("azure") or types.ModuleType("azure")
    package.__path__ = getattr(package, "__path__", [])
    module = sys.modules[__name__]
    package.functions = module
    sys.modules["azure"] = package
    sys.modules["azure.functions"] = module
