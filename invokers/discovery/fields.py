"""Field checks shared by the config formats: numbers in range, handlers, runtimes.

Each check returns the value or adds a Problem naming the field, so one bad
function is reported and skipped while the others in the file still load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S
from .yamlfile import Problem, YamlDocument

PYTHON_EXTENSIONS = (".py",)
NODE_EXTENSIONS = (".js", ".mjs", ".cjs")
DEFAULT_PYTHON = "python3.12"
DEFAULT_NODE = "nodejs20.x"
SUPPORTED_PREFIXES = ("python3", "nodejs", "provided")


class Invalid(Exception):
    """A field is wrong; the function it belongs to is skipped."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def number(doc: YamlDocument, value: Any, keys: tuple[str | int, ...], *, default: float,
           low: float, high: float, integer: bool = False) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Invalid(doc.problem(f"expected a number from {low:g} to {high:g}, got {value!r}", *keys))
    try:
        parsed = float(value)
    except ValueError:
        raise Invalid(doc.problem(f"expected a number from {low:g} to {high:g}, got {value!r}", *keys)) from None
    if integer and parsed != int(parsed):
        raise Invalid(doc.problem(f"expected a whole number, got {value!r}", *keys))
    if not low <= parsed <= high:
        raise Invalid(doc.problem(f"{parsed:g} is out of range: Lambda allows {low:g} to {high:g}", *keys))
    return parsed


def timeout(doc: YamlDocument, value: Any, keys: tuple[str | int, ...]) -> float:
    return number(doc, value, keys, default=DEFAULT_TIMEOUT_S, low=1, high=900)


def memory(doc: YamlDocument, value: Any, keys: tuple[str | int, ...]) -> int:
    return int(number(doc, value, keys, default=DEFAULT_MEMORY_MB, low=128, high=10240, integer=True))


def concurrency(doc: YamlDocument, value: Any, keys: tuple[str | int, ...]) -> int | None:
    """A reserved or provisioned concurrency: a whole number of environments, None when unset."""
    if value is None:
        return None
    return int(number(doc, value, keys, default=0, low=0, high=10000, integer=True))


def environment(doc: YamlDocument, value: Any, keys: tuple[str | int, ...]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(doc.problem(f"expected a mapping of NAME: value, got {type(value).__name__}", *keys))
    env: dict[str, str] = {}
    for name, raw in value.items():
        if isinstance(raw, (dict, list)):
            raw = describe(raw)
        env[str(name)] = "" if raw is None else (str(raw).lower() if isinstance(raw, bool) else str(raw))
    return env


def describe(value: Any) -> str:
    """A readable stand-in for an intrinsic we could not resolve locally."""
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        arg_text = ".".join(arg) if isinstance(arg, list) and all(isinstance(a, str) for a in arg) else arg
        return f"<{name} {arg_text}>"
    return str(value)


def split_handler(doc: YamlDocument, project: Path, value: Any,
                  keys: tuple[str | int, ...]) -> tuple[Path, str]:
    """svl.yaml's ``src/app.handler`` -> (project/src, ``app.handler``): the handler's folder is its code root."""
    text = _handler_text(doc, value, keys)
    folder, _, rest = text.rpartition("/")
    code_dir = _inside(doc, project.resolve(), folder, text, keys)
    return code_dir, rest


def rooted_handler(doc: YamlDocument, code_root: Path, value: Any,
                   keys: tuple[str | int, ...]) -> tuple[Path, str]:
    """SAM / serverless.yml: the code root stays as configured and the handler string stays whole.

    Lambda runs ``Handler: hello_world/app.lambda_handler`` with ``/var/task`` = the CodeUri folder,
    importing ``hello_world.app`` from there; so sibling packages of the code root resolve, and
    ``_HANDLER`` is the whole string.
    """
    text = _handler_text(doc, value, keys)
    root = code_root.resolve()
    _inside(doc, root, text.rpartition("/")[0], text, keys)
    return root, text


def _handler_text(doc: YamlDocument, value: Any, keys: tuple[str | int, ...]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(doc.problem("a handler is required, e.g. 'src/app.handler' (path/module.function)", *keys))
    text = value.strip()
    rest = text.rpartition("/")[2]
    if "." not in rest or rest.startswith(".") or rest.endswith("."):
        raise Invalid(doc.problem(
            f"handler {text!r} must be module.function (e.g. 'app.handler' or 'src/app.handler')", *keys))
    return text


def _inside(doc: YamlDocument, root: Path, folder: str, text: str, keys: tuple[str | int, ...]) -> Path:
    """``root/folder``, refused when it leaves ``root`` (Lambda only loads code from inside its code root)."""
    target = (root / folder).resolve() if folder else root
    if folder.startswith("/") or not target.is_relative_to(root):
        raise Invalid(doc.problem(
            f"handler {text!r} points outside the function's code folder {root}: Lambda loads the handler "
            "from inside its code root, so use a path relative to it (no '..' or absolute paths)", *keys))
    return target


def infer_runtime(code_dir: Path, handler: str) -> str:
    """Runtime from the handler's file when the config names none."""
    module = handler.rsplit(".", 1)[0].replace(".", "/")
    for ext in NODE_EXTENSIONS:
        if (code_dir / f"{module}{ext}").is_file() or (code_dir / f"{handler.rsplit('.', 1)[0]}{ext}").is_file():
            return DEFAULT_NODE
    return DEFAULT_PYTHON


def runtime(doc: YamlDocument, value: Any, keys: tuple[str | int, ...], code_dir: Path, handler: str) -> str:
    if value is None:
        return infer_runtime(code_dir, handler)
    if not isinstance(value, str) or not value.startswith(SUPPORTED_PREFIXES):
        raise Invalid(doc.problem(
            f"unsupported runtime {value!r}: use python3.x, nodejs18.x/20.x/22.x or provided.al2023", *keys))
    return value


def architecture(doc: YamlDocument, value: Any, keys: tuple[str | int, ...]) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value in (None, "x86_64"):
        return "x86_64"
    if value == "arm64":
        return "arm64"
    raise Invalid(doc.problem(f"architecture must be x86_64 or arm64, got {value!r}", *keys))
