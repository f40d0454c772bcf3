"""Where a SAM function's code and layers come from: folders, zips, inline code, esbuild, nested templates.

Each form ends up as a plain folder (``spec.code_dir``) and a list of layer
folders (``spec.layers``), so the runtime side has no special cases; the
folders svl-tui produces itself are registered with ``invokers.build``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import build
from ..build import esbuild, inline, layers
from ..models import FunctionSpec
from . import fields
from .yamlfile import ConfigFileError, Problem, YamlDocument, load

APPLICATION_TYPE = "AWS::Serverless::Application"
LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
MAX_NESTING = 5
LAYER_ROOTS = ("python", "nodejs", "bin", "lib", "java", "ruby", "extensions")

LOCAL_LAYER = "svl-local-layer:"  # a layer folder passed down as a nested stack's parameter value

Resolve = Callable[[Any], Any]


def code_root(doc: YamlDocument, project: Path, name: str, props: dict[str, Any], prop: Resolve,
              keys: tuple[str, ...]) -> Path:
    """The folder the handler string is relative to: CodeUri, an extracted zip, or inline code."""
    if props.get("InlineCode") is not None:
        code = prop("InlineCode")
        if not isinstance(code, str):
            raise fields.Invalid(doc.problem("InlineCode must be the function's source text", *keys, "InlineCode"))
        runtime = str(prop("Runtime") or "")
        language = "node" if runtime.startswith("nodejs") else "python"
        return inline.materialize(str(doc.path), name, language, code)
    code_uri = prop("CodeUri") or "."
    if not isinstance(code_uri, str) or code_uri.startswith("s3://"):
        raise fields.Invalid(doc.problem(
            "CodeUri points at S3: svl-tui runs local code only; point CodeUri at a folder or a .zip",
            *keys, "CodeUri"))
    path = (project / code_uri).resolve()
    if code_uri.endswith(".zip"):
        if not path.is_file():
            raise fields.Invalid(doc.problem(f"CodeUri {code_uri} does not exist", *keys, "CodeUri"))
        return build.register(build.Recipe("zip", str(path)))
    return path


def finish(doc: YamlDocument, spec: FunctionSpec, resource: dict[str, Any], resources: dict[str, Any],
           globals_: dict[str, Any], resolve: Resolve, keys: tuple[str, ...], *, built: bool) -> list[Problem]:
    """Layers and esbuild for a function read from ``doc``; returns what to warn about."""
    props: dict[str, Any] = resource.get("Properties") or {}
    problems = _layers(doc, spec, [*(globals_.get("Layers") or []), *(props.get("Layers") or [])],
                       resources, resolve, (*keys, "Layers"))
    metadata: dict[str, Any] = resource["Metadata"] if isinstance(resource.get("Metadata"), dict) else {}
    method = str(metadata.get("BuildMethod") or "")
    if spec.language == "provided" and method and not (Path(spec.code_dir) / "bootstrap").is_file():
        problems.append(doc.problem(f"{spec.name} is compiled by 'sam build' (BuildMethod: {method}) and has no "
                                    f"bootstrap yet: run 'sam build' (svl-tui then runs .aws-sam/build)",
                                    *keys, severity="warning"))
    if metadata.get("BuildMethod") == "esbuild" and not built and props.get("InlineCode") is None:
        source = (doc.path.parent / str(resolve(props.get("CodeUri", globals_.get("CodeUri"))) or ".")).resolve()
        properties = metadata["BuildProperties"] if isinstance(metadata.get("BuildProperties"), dict) else {}
        use_esbuild(spec, source, esbuild.options_from_sam(properties, spec.runtime))
    return problems


def use_esbuild(spec: FunctionSpec, source: Path, options: dict[str, Any]) -> None:
    """Point the function at the build output of ``source`` (built before its worker starts)."""
    out = build.register(build.Recipe("esbuild", str(source), options))
    code_dir = Path(spec.code_dir)
    spec.code_dir = str(out / code_dir.relative_to(source)) if code_dir.is_relative_to(source) else str(out)
    if not spec.runtime.startswith("nodejs"):
        spec.runtime = fields.DEFAULT_NODE
    if options.get("sourcemap") in (True, "true", "True") and "NODE_OPTIONS" not in spec.environment:
        spec.environment["NODE_OPTIONS"] = "--enable-source-maps"  # what sam local sets for Sourcemap: true


def _layers(doc: YamlDocument, spec: FunctionSpec, items: list[Any], resources: dict[str, Any], resolve: Resolve,
            keys: tuple[str, ...]) -> list[Problem]:
    problems: list[Problem] = []
    for index, item in enumerate(items):
        ref = item.get("Ref") if isinstance(item, dict) and len(item) == 1 else None
        resource = resources.get(ref) if isinstance(ref, str) else None
        if isinstance(resource, dict) and resource.get("Type") in LAYER_TYPES:
            folder, problem = _local_layer(doc, str(ref), resource, resolve, (*keys, index))
            if folder is not None:
                spec.layers.append(str(folder))
            if problem is not None:
                problems.append(problem)
            continue
        value = resolve(item)
        if isinstance(value, str) and value.startswith(LOCAL_LAYER):  # a sibling nested stack's layer
            spec.layers.append(value[len(LOCAL_LAYER):])
            continue
        if isinstance(value, str) and layers.is_arn(value):
            spec.layers.append(str(layers.folder_for(value)))
            if not layers.folder_for(value).is_dir():
                problems.append(doc.problem(missing_arn(spec.name, value), *keys, index, severity="warning"))
            continue
        problems.append(doc.problem(f"layer {fields.describe(value)} cannot be found locally; {spec.name} runs "
                                    "without it", *keys, index, severity="warning"))
    return problems


def missing_arn(function: str, arn: str) -> str:
    return (f"{function} uses layer {arn}, which is not downloaded yet: svl-tui fetches it with "
            "GetLayerVersion on invoke when AWS credentials allow (not with --no-aws)")


def _local_layer(doc: YamlDocument, name: str, resource: dict[str, Any], resolve: Resolve,
                 keys: tuple[str | int, ...]) -> tuple[Path | None, Problem | None]:
    """The unpacked folder of a layer defined in the template (ContentUri), as Lambda mounts it at /opt."""
    props = resource.get("Properties") or {}
    content = resolve(props.get("ContentUri", props.get("Content")))
    if not isinstance(content, str) or content.startswith("s3://"):
        return None, doc.problem(f"layer {name} has no local ContentUri; functions run without it", *keys,
                                 severity="warning")
    path = (doc.path.parent / content).resolve()
    if content.endswith(".zip"):
        return (build.register(build.Recipe("zip", str(path))) if path.is_file() else None), (
            None if path.is_file() else doc.problem(f"layer {name}: {content} does not exist", *keys))
    if not path.is_dir():
        return None, doc.problem(f"layer {name}: ContentUri {content} is not a folder", *keys)
    if any((path / root).is_dir() for root in LAYER_ROOTS):
        return path, None
    method = str(((resource.get("Metadata") or {}).get("BuildMethod")) or "")
    if method.startswith("python"):
        return _built_layer(path, "python", path), None  # sam build copies such a folder to python/
    if method.startswith("nodejs"):  # sam build runs npm install and puts the result in nodejs/node_modules
        if (path / "node_modules").is_dir():
            return _built_layer(path, "nodejs/node_modules", path / "node_modules"), None
        return None, doc.problem(f"layer {name} is built by 'sam build' (BuildMethod: {method}) and "
                                 f"{content}/node_modules does not exist yet: run 'npm install' in {content}",
                                 *keys, severity="warning")
    if method:
        return None, doc.problem(f"layer {name} is built by 'sam build' (BuildMethod: {method}); svl-tui runs "
                                 "the built layer from .aws-sam/build once you run 'sam build'", *keys,
                                 severity="warning")
    return path, doc.problem(f"layer {name}: {content} has none of {', '.join(r + '/' for r in LAYER_ROOTS)} "
                             "as Lambda lays layers out (python/, nodejs/node_modules/); its modules will not be "
                             "found: run sam build, or move them under python/ or nodejs/node_modules/", *keys,
                             severity="warning")


def _built_layer(source: Path, mount: str, target: Path) -> Path:
    """A layer folder with ``mount`` (``python``, ``nodejs/node_modules``) linking to ``target``, as
    ``sam build`` would lay out the layer's ``source``."""
    out = build.register(build.Recipe("layer-source", str(source), {"mount": mount}))
    link = out / mount
    if not link.is_symlink():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target, target_is_directory=True)
    return out


def application(doc: YamlDocument, name: str, resource: dict[str, Any], resources: dict[str, Any],
                resolve: Resolve, depth: int) -> tuple[list[tuple[YamlDocument, dict[str, str]]], list[Problem]]:
    """A nested application with a local ``Location``: its template and the parameters it is given."""
    keys = ("Resources", name, "Properties")
    props = resource.get("Properties") or {}
    location = resolve(props.get("Location"))
    if not isinstance(location, str) or location.startswith(("http://", "https://", "s3://")):
        return [], [doc.problem(f"nested application {name} is not a local template; its functions are not run "
                                "locally", *keys, "Location", severity="warning")]
    if depth >= MAX_NESTING:
        return [], [doc.problem(f"nested application {name} is more than {MAX_NESTING} levels deep; skipped",
                                *keys, "Location")]
    path = (doc.path.parent / location).resolve()
    if path.is_dir():
        path = path / "template.yaml"
    try:
        child = load(path)
    except ConfigFileError as exc:
        return [], [exc.problem]
    raw: dict[str, Any] = props["Parameters"] if isinstance(props.get("Parameters"), dict) else {}
    parameters = {str(k): _sibling_layer(doc, v, resources) or fields.describe(resolve(v)) for k, v in raw.items()}
    return [(child, parameters)], []


def _sibling_layer(doc: YamlDocument, value: Any, resources: dict[str, Any]) -> str | None:
    """``!GetAtt Other.Outputs.LayerArn`` where the nested stack Other outputs ``!Ref`` of a local layer:
    that layer's folder, so the function's ``Layers: [!Ref LayerArn]`` finds it as the deployed stack would."""
    target = value.get("Fn::GetAtt") if isinstance(value, dict) and len(value) == 1 else None
    if not (isinstance(target, list) and len(target) == 2 and str(target[1]).startswith("Outputs.")):
        return None
    sibling = resources.get(target[0])
    location = ((sibling or {}).get("Properties") or {}).get("Location") if isinstance(sibling, dict) else None
    if not isinstance(location, str) or location.startswith(("http://", "https://", "s3://")):
        return None
    path = (doc.path.parent / location).resolve()
    try:
        child = load(path / "template.yaml" if path.is_dir() else path)
    except ConfigFileError:
        return None
    data = child.data if isinstance(child.data, dict) else {}
    output = ((data.get("Outputs") or {}).get(str(target[1])[len("Outputs."):]) or {})
    ref = output.get("Value", {}).get("Ref") if isinstance(output.get("Value"), dict) else None
    layer = (data.get("Resources") or {}).get(ref) if isinstance(ref, str) else None
    if not isinstance(layer, dict) or layer.get("Type") not in LAYER_TYPES:
        return None
    folder, _problem = _local_layer(child, str(ref), layer, lambda v: v, ("Resources", str(ref)))
    return f"{LOCAL_LAYER}{folder}" if folder is not None else None
