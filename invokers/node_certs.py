"""The user's ``NODE_EXTRA_CA_CERTS`` in a Node worker: the same trusted roots, without parsing Node's own twice.

Node reads that variable when it starts, before any code runs: it builds its
whole root store (the ~140 certificates it bundles) and adds the file's. A file
that repeats Node's bundled roots (a system bundle, which is what such setups
often point it at) makes every execution environment parse ~290 certificates at
start: on this project's machines 32 of the 56 ms of CPU a bare ``node -e 0``
takes, and a first burst of 20 Node cold starts is bound by that CPU.

So a Node worker gets, in that variable, a file of only the certificates Node
does not bundle (or an empty value, which Node ignores, when it bundles them
all): Node trusts the same set of roots. The user's own value travels in
``SVL_NODE_EXTRA_CA_CERTS`` and the bootstrap puts it back into
``process.env`` before the handler loads, so the handler and what it starts see
it unchanged. A function that sets the variable itself, ``--use-openssl-ca``
(another root store), a file that cannot be read or holds other PEM blocks:
all left exactly as they are.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from functools import lru_cache

from . import cache

VARIABLE = "NODE_EXTRA_CA_CERTS"
CARRIER = "SVL_NODE_EXTRA_CA_CERTS"  # the user's value, restored by node_runtime.js
CACHE_NAME = "node-extra-ca.json"
_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)


def extra_ca_environment(node: str, function_environment: dict[str, str]) -> dict[str, str]:
    """What a Node worker's environment gets instead of the user's ``NODE_EXTRA_CA_CERTS`` ({}: nothing changes)."""
    given = os.environ.get(VARIABLE, "")
    if (not os.path.isabs(given) or VARIABLE in function_environment
            or "openssl-ca" in os.environ.get("NODE_OPTIONS", "") + function_environment.get("NODE_OPTIONS", "")):
        return {}
    try:
        identity = tuple((os.path.realpath(p), s.st_mtime_ns, s.st_size) for p in (node, given) for s in [os.stat(p)])
    except OSError:
        return {}
    reduced = _reduced(node, given, identity)
    return {} if reduced is None else {VARIABLE: reduced, CARRIER: given}


@lru_cache(maxsize=8)
def _reduced(node: str, given: str, identity: tuple[tuple[str, int, int], ...]) -> str | None:
    """The path of a file of ``given``'s certificates that ``node`` does not bundle ("" when none), made once
    per (node binary, file) and kept in the cache folder; None when ``given`` is not a plain certificate file."""
    key = hashlib.sha256(repr(identity).encode()).hexdigest()[:32]
    known = cache.read(CACHE_NAME)
    done = known.get(key)
    if isinstance(done, str) and (done == "" or os.path.isfile(done)):
        return done
    try:
        with open(given, "rb") as handle:
            text = handle.read()
    except OSError:
        return None
    blocks = _BLOCK.findall(text)
    if not blocks or any(kind != b"CERTIFICATE" for kind, _ in blocks):
        return None  # nothing Node could read, or PEM blocks of other kinds: not ours to rewrite
    bundled = _bundled_roots(node)
    if bundled is None:
        return None
    missing = [body for _, body in blocks if _normal(body) not in bundled]
    target = ""
    if missing:
        from event_samples.files import write_atomic

        file = cache.path(f"node-extra-ca-{key}.pem")
        pem = "".join(f"-----BEGIN CERTIFICATE-----{body.decode('ascii', 'replace')}-----END CERTIFICATE-----\n"
                      for body in missing)
        try:
            write_atomic(file, pem, durable=False)
        except OSError:
            return None
        target = str(file)
    known[key] = target
    cache.write(CACHE_NAME, known, keep=16)
    return target


def _bundled_roots(node: str) -> set[bytes] | None:
    """The root certificates ``node`` bundles (``tls.rootCertificates``), as normalised base64."""
    env = {name: value for name, value in os.environ.items() if name not in (VARIABLE, "NODE_OPTIONS")}
    try:
        out = subprocess.run([node, "-e", "process.stdout.write(JSON.stringify(require('tls').rootCertificates))"],
                             capture_output=True, timeout=30, env=env, check=True).stdout
        roots = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    found = {_normal(body) for pem in roots for _, body in _BLOCK.findall(pem.encode("ascii", "replace"))}
    return found or None


def _normal(body: bytes) -> bytes:
    return b"".join(body.split())
