"""The environment a local execution environment sees, and masking of secrets.

Lambda sets a fixed list of reserved variables; local handlers must see the
same names and shapes so code that reads them behaves as deployed.
"""

from __future__ import annotations

import os
import re
import time

from .azure import worker_environment
from .models import FunctionSpec

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

SHELL_ONLY = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV")
"""The user's shell's Python settings (svl-tui's own virtualenv, say): never a function's.
A function's own configuration may still set them, as on Lambda. (Node workers get a NODE_PATH
built by ``invokers.runtimes``, which replaces the shell's.)"""

BOOTSTRAP_SETTINGS = {"python": ("SVL_ERROR_LOCALS",)}
"""svl-tui settings in the user's shell that our bootstrap for that language reads (and takes out of the
handler's environment). Every other ``SVL_*`` name in the shell configures svl-tui itself (``SVL_NODE``,
``SVL_PYTHON3_12`` ...) and never reaches a function."""

INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
PROVISIONED = "provisioned-concurrency"
"""What Lambda sets it to in a provisioned environment; the engine puts it in that worker's own variables."""

_SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|AUTH|DSN", re.IGNORECASE)
# What a setting that only sounds secret holds (PASSWORD_ITERATIONS=100000, AUTH_ENABLED=true, TOKEN_TTL=3600):
# a number, a boolean, nothing. Anything else under a secret-sounding name is masked.
_PLAIN_VALUE = re.compile(r"[-+]?\d+(\.\d+)?|true|false|yes|no|on|off|none|null|", re.IGNORECASE)
# scheme://user:password@host: the password goes, whatever the variable is called.
_URL_CREDENTIALS = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]+@", re.IGNORECASE)
MASK = "****"


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def function_arn(spec: FunctionSpec, qualifier: str | None = None) -> str:
    """The deployed ARN, or the one this function would have in the default account; with the qualifier
    it was invoked with (``$LATEST``, a version, an alias) at the end, as Lambda's invoked ARN has it."""
    arn = spec.arn or f"arn:aws:lambda:{spec.region or region()}:{ACCOUNT_ID}:function:{spec.name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def log_stream_name() -> str:
    """``YYYY/MM/DD/[$LATEST]<32 hex>``, as Lambda names an environment's stream."""
    return time.strftime("%Y/%m/%d", time.gmtime()) + "/[$LATEST]" + os.urandom(16).hex()


def execution_env(runtime: str) -> str:
    return f"AWS_Lambda_{runtime}" if runtime else "AWS_Lambda_provided"


def shell_environment(spec: FunctionSpec) -> dict[str, str]:
    """The user's shell as a worker of ``spec`` inherits it: without svl-tui's own ``SVL_*`` settings."""
    kept = BOOTSTRAP_SETTINGS.get(spec.language, ())
    return {name: value for name, value in os.environ.items() if not name.startswith("SVL_") or name in kept}


def lambda_environment(spec: FunctionSpec, runtime_api: str, *,
                       base: dict[str, str] | None = None) -> dict[str, str]:
    """The worker's environment: the user's shell, then Lambda's reserved names, then the function's own.

    The user's shell comes first so that PATH, credentials and profiles keep
    working locally; the function's configured variables win over both, as on
    Lambda where configuration is the only source.
    """
    env = dict(os.environ if base is None else base)
    for name in SHELL_ONLY:
        env.pop(name, None)
    the_region = spec.region or region()
    env.update({
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name(),
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_REGION": the_region,
        "AWS_DEFAULT_REGION": the_region,
        "AWS_EXECUTION_ENV": execution_env(spec.runtime),
        # Powertools for TypeScript counts a cold start only when this says on-demand
        INITIALIZATION_TYPE: PROVISIONED if env.get(INITIALIZATION_TYPE) == PROVISIONED else "on-demand",
        "LAMBDA_TASK_ROOT": spec.code_dir,
        "LAMBDA_RUNTIME_DIR": os.path.join(os.path.dirname(os.path.abspath(__file__)), "bootstrap"),
        "_HANDLER": spec.handler,
        "TZ": ":UTC",
        "_X_AMZN_TRACE_ID": "",
    })
    if spec.style == "azure":
        env.update(worker_environment(spec))
    env.update({key: str(value) for key, value in spec.environment.items()})
    return env


def looks_secret(name: str, value: str | None = None) -> bool:
    """Whether ``name=value`` holds a secret: a secret-sounding name (KEY, SECRET, TOKEN, PASSWORD, PASSWD,
    PRIVATE, CREDENTIAL, AUTH, DSN) whose value is not a plain number or boolean. Without a value: the name alone."""
    if not _SECRET_NAME.search(name):
        return False
    return value is None or not _PLAIN_VALUE.fullmatch(value.strip())


def mask_value(name: str, value: str) -> str:
    """``value`` as svl-tui may show it: masked whole when secret, else with any URL password masked."""
    if looks_secret(name, value):
        return MASK
    return mask_url_credentials(value)


def mask_url_credentials(text: str) -> str:
    """``postgres://u:pw@h/db`` -> ``postgres://u:****@h/db``, anywhere in ``text``."""
    return _URL_CREDENTIALS.sub(lambda match: f"{match['head']}:{MASK}@", text)


def mask_environment(environment: dict[str, str]) -> dict[str, str]:
    """Environment variables as svl-tui shows them (list, details, ``--json``, its own logs): secrets masked.

    The one place masking is decided; every face calls this.
    """
    return {key: mask_value(key, str(value)) for key, value in environment.items()}
