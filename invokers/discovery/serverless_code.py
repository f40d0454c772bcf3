"""serverless.yml code forms: ``layers:`` (local ``path`` or ARNs) and the ``serverless-esbuild`` plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..build import esbuild, layers
from ..models import FunctionSpec
from . import code, fields
from .yamlfile import Problem, YamlDocument

ESBUILD_PLUGIN = "serverless-esbuild"
ENTRY_SUFFIXES = (".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs")


def layer_logical_id(name: str) -> str:
    """The CloudFormation id the framework gives layer ``name`` (``common-deps`` -> ``CommonDashdepsLambdaLayer``)."""
    normal = name.replace("-", "Dash").replace("_", "Underscore")
    return normal[:1].upper() + normal[1:] + "LambdaLayer"


class Project:
    """What a serverless.yml says about code beyond each function's handler."""

    def __init__(self, doc: YamlDocument, project: Path, layer_defs: Any, plugins: Any, esbuild_config: Any) -> None:
        self.doc = doc
        self.project = project
        self.layers: dict[str, tuple[str, Any]] = {}
        if isinstance(layer_defs, dict):
            for name, definition in layer_defs.items():
                self.layers[layer_logical_id(str(name))] = (str(name), definition)
        modules = plugins.get("modules") if isinstance(plugins, dict) else plugins
        self.esbuild = isinstance(modules, list) and ESBUILD_PLUGIN in modules
        self.esbuild_config = esbuild_config if isinstance(esbuild_config, dict) else {}

    def finish(self, spec: FunctionSpec, items: Any, keys: tuple[str, ...]) -> list[Problem]:
        problems = self._layers(spec, items if isinstance(items, list) else [items], (*keys, "layers"))
        if self.esbuild and spec.runtime.startswith("nodejs"):
            entry = self._entry(spec)
            if entry is not None:
                options = esbuild.options_from_plugin(self.esbuild_config, spec.runtime,
                                                      str(entry.relative_to(self.project)))
                code.use_esbuild(spec, self.project.resolve(), options)
        return problems

    def _entry(self, spec: FunctionSpec) -> Path | None:
        """The source file of the handler (``src/handler.hello`` -> ``src/handler.ts``)."""
        stem = spec.handler.rsplit(".", 1)[0]
        for suffix in ENTRY_SUFFIXES:
            candidate = Path(spec.code_dir) / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate.resolve()
        return None

    def _layers(self, spec: FunctionSpec, items: list[Any], keys: tuple[str | int, ...]) -> list[Problem]:
        problems = []
        for index, item in enumerate(items):
            ref = item.get("Ref") if isinstance(item, dict) else None
            if isinstance(ref, str) and ref in self.layers:
                name, definition = self.layers[ref]
                path = definition.get("path") if isinstance(definition, dict) else None
                folder = (self.doc.path.parent / str(path)).resolve() if path else None
                if folder is None or not folder.is_dir():
                    problems.append(self.doc.problem(f"layer {name}: path {path!r} is not a folder; {spec.name} runs "
                                                     "without it", "layers", name, severity="warning"))
                    continue
                spec.layers.append(str(folder))
                continue
            if isinstance(item, str) and layers.is_arn(item):
                spec.layers.append(str(layers.folder_for(item)))
                if not layers.folder_for(item).is_dir():
                    problems.append(self.doc.problem(code.missing_arn(spec.name, item), *keys, index,
                                                     severity="warning"))
                continue
            shown = ref if isinstance(ref, str) else fields.describe(item)
            hint = f" (defined layers: {', '.join(self.layers)})" if self.layers else ""
            problems.append(self.doc.problem(f"layer {shown} is not defined in this file{hint}; {spec.name} runs "
                                             "without it", *keys, index, severity="warning"))
        return problems

