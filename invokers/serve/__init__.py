"""``svl-tui serve``: the project behind a local API Gateway and the Lambda Invoke API.

A face of the engine, not a second engine: HTTP requests become invocations
of the same ``Engine`` (so they share its warm environments, limits and
throttles) and HTTP responses are built from the same ``Result``. Every request
becomes a ``Traffic`` record for the terminal's access log and the UI.
"""
