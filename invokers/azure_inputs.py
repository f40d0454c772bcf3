"""Azure input bindings, read from local files: blob, table and Cosmos DB inputs get their data as the host would.

Locally there is no storage account, so each input reads a file under the
app's ``.svl/azure/`` folder (the app root is the folder with ``host.json``):

- blob input, ``path: "samples/{name}"``: the bytes of ``.svl/azure/blobs/samples/<name>``;
- table input, ``tableName: "Products"``: ``.svl/azure/tables/Products.json``, a JSON list of
  entities (``PartitionKey``, ``RowKey``, ...), filtered by ``partitionKey`` / ``rowKey`` and ``take``;
- Cosmos DB input, ``databaseName: "db"``, ``containerName`` (or ``collectionName``): ``"items"``:
  ``.svl/azure/cosmos/db/items.json``, a JSON list of documents, filtered by ``id`` / ``partitionKey``.

Binding expressions are resolved as the host resolves them: ``{name}`` from the
trigger's metadata, the route parameters, the query or a JSON payload's
properties, ``{Query.x}``, ``{queueTrigger}``, ``{rand-guid}``, ``{DateTime}``
and ``%AppSetting%`` from the app's settings. A missing blob or entity is
``null`` for the function, as on Azure, with a warning that says which file to
create. ``filter`` (table) and ``sqlQuery`` (Cosmos DB) are not evaluated: all
rows are given, with a warning.

The values travel to the worker in the event's ``svlInputs`` (each
``{"bytes": base64}``, ``{"string": ...}`` or ``{"json": ...}``, or null),
which the worker hands over as the host does: Node v4 ``context.extraInputs``,
v3 ``context.bindings``, Python parameters through the package's converters.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .models import FunctionSpec

DATA_DIR = Path(".svl") / "azure"
INPUT_TYPES = ("blob", "table", "cosmosdb")
_EXPRESSION = re.compile(r"\{([^{}]+)\}")
_SETTING = re.compile(r"%([^%]+)%")


def input_bindings(spec: FunctionSpec) -> list[dict[str, Any]]:
    """The function's input bindings that are read locally (blob, table, Cosmos DB)."""
    return [b for b in spec.azure_bindings if str(b.get("direction", "")).lower() == "in"
            and str(b.get("type", "")).lower() in INPUT_TYPES]


def with_inputs(event: Any, spec: FunctionSpec) -> tuple[Any, list[str]]:
    """``event`` (already in the host's shape) with its input bindings' values, and what could not be found."""
    bindings = input_bindings(spec)
    if not bindings or not isinstance(event, dict):
        return event, []
    root = app_root(spec)
    values = binding_data(event)
    warnings: list[str] = []
    inputs: dict[str, Any] = {}
    for binding in bindings:
        kind = str(binding.get("type")).lower()
        reader = {"blob": _blob, "table": _table, "cosmosdb": _cosmos}[kind]
        inputs[str(binding.get("name"))] = reader(binding, root, lambda text: resolve(text, values, spec.environment),
                                                  warnings)
    return {**event, "svlInputs": inputs}, warnings


def app_root(spec: FunctionSpec) -> Path:
    """The folder with the app's ``host.json`` (a v3/v1 function's code folder is below it)."""
    folder = Path(spec.code_dir)
    for candidate in (folder, *list(folder.parents)[:2]):
        if (candidate / "host.json").is_file():
            return candidate
    return folder


def binding_data(event: dict[str, Any]) -> dict[str, Any]:
    """What binding expressions can name, keys lower-cased: trigger metadata, route parameters, the query
    (also as ``query.x``), a JSON payload's top-level properties."""
    values: dict[str, Any] = {}
    if "method" in event and "url" in event:  # an HTTP request
        body = event.get("body")
        if isinstance(body, dict):
            values.update(body)
        query = event.get("query") or {}
        values.update(query)
        values.update({f"query.{k}": v for k, v in query.items()})
        values.update(event.get("params") or {})
        return {str(k).lower(): v for k, v in values.items()}
    data = event.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            pass
    if isinstance(data, dict):
        values.update(data)
    values.update(event.get("metadata") or {})
    return {str(k).lower(): v for k, v in values.items()}


def resolve(text: Any, values: dict[str, Any], settings: dict[str, str]) -> str:
    """A binding property with its ``%Setting%`` and ``{expression}`` parts filled in (unknown ones kept)."""
    def setting(match: re.Match[str]) -> str:
        return settings.get(match[1], match[0])

    def expression(match: re.Match[str]) -> str:
        name = match[1].strip()
        if name.lower() == "rand-guid":
            return str(uuid.uuid4())
        if name.lower().startswith("datetime"):
            return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        value = values.get(name.lower())
        if value is None and "." in name:  # {data.customer.id}: a property of a JSON payload
            head, *rest = name.lower().split(".")
            value = values.get(head)
            for part in rest:
                value = value.get(part) if isinstance(value, dict) else None
        return match[0] if value is None else str(value)

    return _EXPRESSION.sub(expression, _SETTING.sub(setting, str(text or "")))


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _unresolved(kind: str, binding: dict[str, Any], value: str, warnings: list[str]) -> bool:
    if _EXPRESSION.search(value) is None:
        return False
    warnings.append(f"{kind} input '{binding.get('name')}': cannot resolve {value!r} from this event "
                    "(its trigger metadata, route, query or payload); the function gets null")
    return True


def _blob(binding: dict[str, Any], root: Path, fill: Any, warnings: list[str]) -> Any:
    path = fill(binding.get("path") or binding.get("blobPath") or "")
    if _unresolved("blob", binding, path, warnings):
        return None
    file = root / DATA_DIR / "blobs" / path.lstrip("/")
    try:
        content = file.read_bytes()
    except OSError:
        warnings.append(f"blob input '{binding.get('name')}' reads {_relative(file, root)}, which does not exist: "
                        "the function gets null (put the blob's content in that file)")
        return None
    if str(binding.get("dataType", "")).lower() == "string":
        return {"string": content.decode("utf-8", "replace")}
    return {"bytes": base64.b64encode(content).decode()}


def _rows(file: Path, root: Path, binding: dict[str, Any], kind: str, warnings: list[str]) -> list[Any] | None:
    try:
        rows = json.loads(file.read_text(encoding="utf-8"))
    except OSError:
        warnings.append(f"{kind} input '{binding.get('name')}' reads {_relative(file, root)}, which does not exist: "
                        "the function gets null (write a JSON list of entries there)")
        return None
    except ValueError as exc:
        warnings.append(f"{kind} input '{binding.get('name')}': {_relative(file, root)} is not valid JSON "
                        f"({getattr(exc, 'msg', exc)} at line {getattr(exc, 'lineno', '?')}); the function gets null")
        return None
    if not isinstance(rows, list):
        warnings.append(f"{kind} input '{binding.get('name')}': {_relative(file, root)} must hold a JSON list of "
                        "entries; the function gets null")
        return None
    return rows


def _table(binding: dict[str, Any], root: Path, fill: Any, warnings: list[str]) -> Any:
    table = fill(binding.get("tableName") or "")
    rows = _rows(root / DATA_DIR / "tables" / f"{table}.json", root, binding, "table", warnings)
    if rows is None:
        return None
    partition, row = (fill(binding[key]) if binding.get(key) else None for key in ("partitionKey", "rowKey"))
    if any(_unresolved("table", binding, value, warnings) for value in (partition, row) if value):
        return None
    found = [r for r in rows if isinstance(r, dict) and (partition is None or str(r.get("PartitionKey")) == partition)
             and (row is None or str(r.get("RowKey")) == row)]
    if binding.get("filter"):
        query = fill(binding["filter"])
        test = odata_filter(query)
        if test is None:
            warnings.append(f"table input '{binding.get('name')}': the filter {query!r} is not evaluated locally "
                            "(only comparisons joined by 'and'/'or'); every entity of the partition is given")
        else:
            found = [r for r in found if test(r)]
    if row is not None:
        return {"json": found[0] if found else None}
    take = str(binding.get("take") or "")
    return {"json": found[:int(take)] if take.isdigit() else found}


def _cosmos(binding: dict[str, Any], root: Path, fill: Any, warnings: list[str]) -> Any:
    database = fill(binding.get("databaseName") or "")
    container = fill(binding.get("containerName") or binding.get("collectionName") or "")
    rows = _rows(root / DATA_DIR / "cosmos" / database / f"{container}.json", root, binding, "Cosmos DB", warnings)
    if rows is None:
        return None
    wanted, partition = (fill(binding[key]) if binding.get(key) else None for key in ("id", "partitionKey"))
    if any(_unresolved("Cosmos DB", binding, value, warnings) for value in (wanted, partition) if value):
        return None
    if binding.get("sqlQuery"):
        warnings.append(f"Cosmos DB input '{binding.get('name')}': the SQL query is not evaluated locally; "
                        "every document is given")
    if wanted is None:
        return {"json": rows}
    found = [d for d in rows if isinstance(d, dict) and str(d.get("id")) == wanted and (
        partition is None or partition in {str(v) for v in d.values() if not isinstance(v, (dict, list))})]
    return {"json": found[0] if found else None}


_COMPARISON = re.compile(r"\s*(\w+)\s+(eq|ne|gt|ge|lt|le)\s+('(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false)\s*", re.I)
_OPERATORS = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
              "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b}


def odata_filter(text: str) -> Any:
    """A table query's ``$filter`` of comparisons joined by ``and`` / ``or`` (``and`` binds first, as in OData)
    as a test of one entity; None for anything richer (parentheses, functions)."""
    alternatives = []
    for part in re.split(r"\s+or\s+", text.strip(), flags=re.I):
        terms = []
        for piece in re.split(r"\s+and\s+", part, flags=re.I):
            match = _COMPARISON.fullmatch(piece)
            if match is None:
                return None
            terms.append((match[1], match[2].lower(), _literal(match[3])))
        alternatives.append(terms)

    def test(entity: dict[str, Any]) -> bool:
        return any(all(_compare(entity.get(name), op, value) for name, op, value in terms) for terms in alternatives)

    return test


def _literal(text: str) -> Any:
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return float(text) if "." in text else int(text)


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if actual is None:
        return op == "ne"
    try:
        return bool(_OPERATORS[op](actual, expected))
    except TypeError:  # a string against a number: compared as text, as loosely typed table data often is
        return bool(_OPERATORS[op](str(actual), str(expected)))
