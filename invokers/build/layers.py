"""Layer ARNs: downloaded once with ``GetLayerVersion`` into the cache, as ``sam local`` does.

Discovery gives every ARN layer a cache folder (``build/layer/<key>/out``); it
exists once the layer has been fetched. Fetching needs AWS credentials and is
only done when asked (``fetch_missing``: the CLI's invoke and list, the UI),
so a project with layers still lists and runs offline, saying which layer is
missing.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from ..models import FunctionSpec
from . import BuildFailed, Recipe, archive, recipe_for, register

if TYPE_CHECKING:
    from ..aws.session import Aws

LAYER_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([A-Za-z0-9_-]+):(\d+)$")
DOWNLOAD_TIMEOUT_S = 60


def folder_for(arn: str) -> Path:
    """The cache folder of a layer version (it may not exist yet)."""
    return register(Recipe("layer", arn))


def is_arn(text: str) -> bool:
    return bool(LAYER_ARN.match(text))


def fetch(arn: str, aws: Aws) -> Path:
    """Download and unpack one layer version; raises AwsError (AWS said no) or BuildFailed (bad archive)."""
    from ..aws.session import AwsError, explain

    match = LAYER_ARN.match(arn)
    if match is None:
        raise BuildFailed(f"{arn!r} is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)")
    out = folder_for(arn)
    if out.is_dir():
        return out
    try:
        client = aws.client("lambda")
        layer_arn, _, version = arn.rpartition(":")  # by layer ARN, not name: public layers live in other accounts
        answer = client.get_layer_version(LayerName=layer_arn, VersionNumber=int(version))
    except Exception as exc:
        error = explain(exc, f"download layer {arn}")
        if error.kind == "not-found":
            error = AwsError("not-found", f"AWS has no layer version {arn} that this account may use ({error})")
        raise error from exc
    location = str((answer.get("Content") or {}).get("Location") or "")
    if not location.startswith(("https://", "http://")):
        raise BuildFailed(f"AWS gave no download address for layer {arn} (Content.Location={location!r})")
    with tempfile.TemporaryDirectory(prefix="svl-layer-") as temp:
        zipped = Path(temp) / "layer.zip"
        try:
            with urllib.request.urlopen(location, timeout=DOWNLOAD_TIMEOUT_S) as response, zipped.open("wb") as file:
                shutil.copyfileobj(response, file)
        except OSError as exc:
            raise BuildFailed(f"could not download layer {arn}: {exc}") from exc
        archive.extract(zipped, out)
    return out


def fetch_missing(specs: list[FunctionSpec], aws: Aws) -> dict[str, str]:
    """Fetch every ARN layer these functions use that is not cached; {arn: why it failed} for the rest."""
    from ..aws.session import AwsError

    failed: dict[str, str] = {}
    wanted = {layer for spec in specs for layer in spec.layers if not Path(layer).is_dir()}
    for folder in sorted(wanted):
        recipe = recipe_for(folder)
        if recipe is None or recipe.kind != "layer":
            continue
        try:
            fetch(recipe.source, aws)
        except (AwsError, BuildFailed) as exc:
            failed[recipe.source] = str(exc)
    return failed
