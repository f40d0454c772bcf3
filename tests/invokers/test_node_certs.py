"""A Node worker trusts exactly the roots the user's NODE_EXTRA_CA_CERTS gives, and sees that variable unchanged,
while node starts with only the certificates of that file it does not bundle."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from invokers import node_certs
from invokers.engine import Engine
from invokers.node_certs import CARRIER, VARIABLE, extra_ca_environment
from invokers.runtimes import node_executable
from tests.conftest import MakeFunction


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no bundle holds, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "svl-tui test root")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "ours.pem", folder / "ours.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def bundled(count: int) -> str:
    """The first ``count`` root certificates node bundles, as PEM."""
    out = subprocess.run([node_executable(), "-p", "JSON.stringify(require('tls').rootCertificates)"],
                         capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]}).stdout
    return "\n".join(json.loads(out)[:count]) + "\n"


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(node_certs.cache, "path", lambda name: tmp_path / "cache" / name)
    (tmp_path / "cache").mkdir()
    node_certs._reduced.cache_clear()
    yield
    node_certs._reduced.cache_clear()


def test_only_the_certificates_node_lacks_are_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     isolated_cache: None) -> None:
    cert, _ = self_signed(tmp_path)
    given = tmp_path / "bundle.pem"
    given.write_text(bundled(5) + cert.read_text())
    monkeypatch.setenv(VARIABLE, str(given))
    env = extra_ca_environment(node_executable(), {})
    assert env[CARRIER] == str(given)
    assert Path(env[VARIABLE]).read_text().split() == cert.read_text().split()


def test_a_file_of_bundled_roots_only_passes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     isolated_cache: None) -> None:
    given = tmp_path / "bundle.pem"
    given.write_text(bundled(5))
    monkeypatch.setenv(VARIABLE, str(given))
    assert extra_ca_environment(node_executable(), {}) == {VARIABLE: "", CARRIER: str(given)}


@pytest.mark.parametrize("case", ["function sets it", "openssl store", "other pem blocks", "relative", "missing"])
def test_anything_else_is_left_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_cache: None,
                                        case: str) -> None:
    cert, key = self_signed(tmp_path)
    given = tmp_path / "bundle.pem"
    given.write_text(bundled(2) + (key.read_text() if case == "other pem blocks" else ""))
    monkeypatch.setenv(VARIABLE, {"relative": "bundle.pem", "missing": str(tmp_path / "none.pem")}.get(case,
                                                                                                         str(given)))
    if case == "openssl store":
        monkeypatch.setenv("NODE_OPTIONS", "--use-openssl-ca")
    function_environment = {VARIABLE: str(cert)} if case == "function sets it" else {}
    assert extra_ca_environment(node_executable(), function_environment) == {}


HANDLER = """
const https = require("https");
const { execFileSync } = require("child_process");
exports.handler = async (event) => {
  const child = execFileSync(process.execPath, ["-p", "process.env.NODE_EXTRA_CA_CERTS || ''"]).toString().trim();
  const answer = await new Promise((resolve) => {
    https.get({ host: "127.0.0.1", port: event.port, path: "/" }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(body));
    }).on("error", (err) => resolve("refused: " + err.code));
  });
  return { seen: process.env.NODE_EXTRA_CA_CERTS, child, answer };
};
"""


async def test_the_handler_trusts_the_users_roots_and_sees_the_users_value(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_function: MakeFunction, isolated_cache: None) -> None:
    cert, key = self_signed(tmp_path)
    given = tmp_path / "bundle.pem"
    given.write_text(bundled(3) + cert.read_text())
    monkeypatch.setenv(VARIABLE, str(given))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    import http.server

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the stdlib calls it by this name
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"trusted")

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        spec = make_function(HANDLER, ext=".js", timeout_s=30)
        async with Engine() as engine:
            _, result = await engine.invoke_collect(spec, {"port": server.server_address[1]})
    finally:
        server.shutdown()
        server.server_close()
    assert result.ok, result.error
    assert result.response == {"seen": str(given), "child": str(given), "answer": "trusted"}
