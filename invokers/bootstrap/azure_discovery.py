"""Azure Functions Python v2 discovery: what ``function_app.py`` registers, for ``azure_python.py --discover``.

Runs in a worker process with the project's interpreter, never in svl-tui's: it
imports the app, lists each function with its bindings and where it is defined,
and reports a broken decorator or a failing import at its file and line instead of
failing the whole app. Prints one JSON line after DISCOVERY_MARK (read by
``invokers/discovery/azure_apps.py``).
"""

import inspect
import json
import os
import sys
import traceback

DISCOVERY_MARK = "\x1esvl-azure-discovery "
THIS_DIR = os.path.dirname(os.path.abspath(__file__))


def caller_in(root):
    """File and line of the user's code that is calling us (the decorator's line)."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if os.path.abspath(frame.filename).startswith(root) and os.path.dirname(os.path.abspath(frame.filename)) != THIS_DIR:
            return frame.filename, frame.lineno
    return "", 0


def tolerate_decorator_errors(root, problems, broken, model):
    """A decorator called with a bad or missing argument is reported at its line, not fatal to the app.

    The Azure worker would fail the whole app; a listing that shows the other
    functions and points at the bad line is more useful while editing.
    """
    from azure.functions.decorators import function_app as fa

    def wrap(method):
        def call(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except (TypeError, ValueError) as exc:
                file, line = caller_in(root)
                problems.append({"file": file, "line": line, "message": f"{method.__name__}: {exc}"})

                def mark(target):
                    broken.add(id(model.user_function(target)))
                    return target

                return mark

        call.__name__ = method.__name__
        call.__doc__ = method.__doc__
        return call

    for cls in (fa.TriggerApi, fa.BindingApi, fa.SettingsApi):
        for name, value in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(value):
                setattr(cls, name, wrap(value))


def discover(root, model):
    """Import the app as the Azure worker would and print what it registers, after DISCOVERY_MARK.

    ``model`` is azure_python.py (its ``find_app``, ``import_app``, ``plain``...), shared with invocations.
    """
    root = os.path.abspath(root)
    problems = []
    functions = []
    broken = set()
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # prints at import time must not mix with our answer
    try:
        import azure.functions  # noqa: F401 - checked before user code runs
    except ImportError:
        problems.append({"file": os.path.join(root, model.SCRIPT_FILE), "line": 1, "message": (
            "function_app.py needs the 'azure-functions' package, which this project does not have: add it to "
            "requirements.txt and install it into the project's virtualenv "
            "(python -m venv .venv && .venv/bin/pip install -r requirements.txt)")})
    else:
        tolerate_decorator_errors(root, problems, broken, model)
        try:
            app = model.find_app(model.import_app(root))
            builders = [b for b in app._function_builders if id(model.user_function(b)) not in broken]
            app._function_builders = builders
            for function in app.get_functions():
                file, line = model.where_defined(function.get_user_function())
                functions.append({"name": function.get_function_name(), "file": file, "line": line,
                                  "bindings": [model.plain(binding) for binding in function.get_bindings()],
                                  "retry": retry_setting(function)})
        except Exception as exc:  # noqa: BLE001 - any failure of the user's app is reported, with its line
            file, line = error_location(exc, root, model)
            problems.append({"file": file, "line": line, "message": f"{type(exc).__name__}: {exc}"})
    sys.stdout = real_stdout
    sys.stdout.write(DISCOVERY_MARK + json.dumps({"functions": functions, "problems": problems}, default=str) + "\n")


def retry_setting(function):
    """``@app.retry(...)``'s settings, or None (older packages have no ``get_settings_dict``)."""
    settings = getattr(function, "get_settings_dict", lambda name: None)("retry_policy")
    if not settings:
        return None
    return {key: value for key, value in settings.items() if key != "setting_name" and value is not None}


def error_location(exc, root, model):
    if isinstance(exc, SyntaxError) and exc.filename:
        return exc.filename, exc.lineno or 0
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename).startswith(root)]
    frames = [f for f in frames if os.path.dirname(os.path.abspath(f.filename)) != THIS_DIR]
    if frames:
        return frames[-1].filename, frames[-1].lineno
    return os.path.join(root, model.SCRIPT_FILE), 0
