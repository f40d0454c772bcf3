"""The svl-tui engine: discovery, local runtimes, AWS, results. No UI imports.

Public API::

    from invokers.discovery import discover
    from invokers.engine import Engine
    from invokers.models import FunctionSpec, LogRecord, Result
"""
