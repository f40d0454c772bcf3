"""serve's HTTP/1.1 server: the parser on its own (examples and fuzzing), then real sockets against a small handler."""

from __future__ import annotations

import asyncio
import http.client
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invokers.http_wire import MAX_HEAD
from invokers.serve.http_connection import HttpConnection, Responder
from invokers.serve.http_parser import HttpError, HttpRequest, RequestParser
from invokers.serve.http_server import HttpServer


def parse_all(data: bytes, *, max_body: int = 1024 * 1024, pieces: list[int] | None = None) -> list[HttpRequest]:
    """Every request in ``data``, fed whole or split at ``pieces`` (offsets)."""
    parser = RequestParser(max_body)
    found: list[HttpRequest] = []
    cuts = sorted({0, *(pieces or []), len(data)})
    for start, end in zip(cuts, cuts[1:], strict=False):
        parser.feed(data[start:end])
        while (request := parser.next()) is not None:
            found.append(request)
    return found


def refused(data: bytes, **kwargs: int) -> HttpError:
    with pytest.raises(HttpError) as caught:
        parse_all(data, **kwargs)
    return caught.value


def test_a_get_is_parsed_with_headers_in_order_and_case_and_the_path_decoded() -> None:
    [request] = parse_all(b"GET /a%20b/c?x=1&x=%2F HTTP/1.1\r\nHost: h:1\r\nX-Trace: t\r\nx-trace: u\r\n\r\n")
    assert (request.method, request.target, request.path) == ("GET", "/a%20b/c?x=1&x=%2F", "/a b/c")
    assert request.query_string == "x=1&x=%2F"  # raw, as API Gateway's rawQueryString
    assert request.headers == [("Host", "h:1"), ("X-Trace", "t"), ("x-trace", "u")]
    assert request.header("X-TRACE") == "u" and request.host == "h:1" and request.keep_alive
    assert request.body == b""


def test_keep_alive_follows_the_version_and_connection_header() -> None:
    assert not parse_all(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")[0].keep_alive
    assert not parse_all(b"GET / HTTP/1.0\r\n\r\n")[0].keep_alive
    assert parse_all(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")[0].keep_alive


def test_bodies_by_length_and_chunked_with_extensions_and_trailers_and_pipelined_requests() -> None:
    data = (b"\r\nPOST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
            b"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0A\r\n0123456789\r\n0\r\n"
            b"Trailer-One: x\r\nTrailer-Two: y\r\n\r\n"
            b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            b"GET /d HTTP/1.1\r\n\r\n")
    requests = parse_all(data)
    assert [(r.path, r.body) for r in requests] == [("/a", b"hello"), ("/b", b"abc0123456789"), ("/c", b""),
                                                     ("/d", b"")]


@pytest.mark.parametrize(("data", "status", "words"), [
    (b"GET /\r\n\r\n", 400, "malformed request line"),
    (b"GET  / HTTP/1.1\r\n\r\n", 400, "malformed request line"),
    (b"G\x01T / HTTP/1.1\r\n\r\n", 400, "malformed request line"),
    (b"GET / HTTP/2.0\r\n\r\n", 505, "HTTP/1.1"),
    (b"GET / FOO/1.1\r\n\r\n", 400, "malformed request line"),
    (b"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400, "malformed header"),
    (b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", 400, "malformed header"),
    (b"GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n", 400, "obsolete line folding"),
    (b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both"),
    (b"POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n", 400, "Content-Length"),
    (b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400, "conflicting"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "only chunked"),
    (b"POST / HTTP/1.1\r\nContent-Length: 2000\r\n\r\n", 413, "at most 1000 bytes"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7D1\r\n", 413, "at most 1000 bytes"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "chunk size"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n", 400, "CRLF"),
    (b"POST / HTTP/1.1\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx", 417, "100-continue"),
    (b"GET / HTTP/1.1\r\nX: " + b"a" * MAX_HEAD + b"\r\n\r\n", 431, "Too Large"),
    (b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_HEAD + 10), 431, "Too Large"),
])
def test_bad_requests_are_refused_with_a_status_that_says_why(data: bytes, status: int, words: str) -> None:
    error = refused(data, max_body=1000)
    assert error.status == status and words in error.message


def test_expect_continue_is_visible_while_the_body_is_awaited() -> None:
    parser = RequestParser()
    parser.feed(b"PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
    assert parser.next() is None
    waiting = parser.waiting_for_body
    assert waiting is not None and waiting.expects_continue
    parser.feed(b"abc")
    request = parser.next()
    assert request is not None and request.body == b"abc" and parser.waiting_for_body is None


_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=12)
_value = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20)
_request = st.tuples(
    st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
    st.lists(_token, max_size=4).map(lambda parts: "/" + "/".join(parts)),
    st.lists(st.tuples(_token.filter(lambda n: n.lower() not in ("content-length", "transfer-encoding", "expect",
                                                                "connection")), _value), max_size=6),
    st.binary(max_size=300),
    st.one_of(st.none(), st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=8)),
)


def _encode(method: str, path: str, headers: list[tuple[str, str]], body: bytes, chunks: list[int] | None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers)
    if chunks is None:
        return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    out, rest, index = [(head + "Transfer-Encoding: chunked\r\n\r\n").encode()], body, 0
    while rest:
        size = chunks[index % len(chunks)]
        out.append(b"%x\r\n%b\r\n" % (len(rest[:size]), rest[:size]))
        rest, index = rest[size:], index + 1
    out.append(b"0\r\n\r\n")
    return b"".join(out)


@settings(max_examples=150, deadline=None)
@given(st.lists(_request, min_size=1, max_size=4), st.lists(st.integers(min_value=0, max_value=4000), max_size=12))
def test_any_split_of_a_valid_stream_gives_the_same_requests(requests: list[tuple[str, str, list[tuple[str, str]],
                                                                                  bytes, list[int] | None]],
                                                            cuts: list[int]) -> None:
    data = b"".join(_encode(*request) for request in requests)
    whole = parse_all(data)
    split = parse_all(data, pieces=[cut % (len(data) + 1) for cut in cuts])
    expected = [(method, path, [(n, v.strip(" \t")) for n, v in headers], body)
                for method, path, headers, body, _chunks in requests]
    for found in (whole, split):
        assert [(r.method, r.path, r.headers[:len(h)], r.body) for r, (_m, _p, h, _b) in
                zip(found, expected, strict=True)] == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.lists(st.integers(min_value=0, max_value=400), max_size=5))
def test_any_bytes_either_parse_or_are_refused_with_an_http_error(data: bytes, cuts: list[int]) -> None:
    try:
        parse_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + data, max_body=100, pieces=cuts)
        parse_all(data, max_body=100, pieces=cuts)
    except HttpError as error:
        assert 400 <= error.status < 600 and error.message


async def echo(request: HttpRequest, responder: Responder) -> None:
    if request.path == "/boom":
        raise RuntimeError("a bug in a face")
    if request.path == "/stream":
        await responder.start(200, [("Content-Type", "text/plain")])
        for piece in (b"one;", b"two;"):
            await responder.write(piece)
        await responder.end()
        return
    responder.send(200, [("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                   f"{request.method} {request.target} {len(request.body)}:".encode() + request.body)


@asynccontextmanager
async def listening() -> AsyncIterator[int]:
    server = HttpServer(echo, max_body=1000)
    port = await server.start("127.0.0.1", 0)
    try:
        yield port
    finally:
        await server.close()


def exchange(port: int, data: bytes, *, answers: int = 1, then: bytes = b"") -> bytes:
    """Send ``data`` (then ``then`` once the first answer head came), read until ``answers`` answers or close."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        received = b""
        while True:
            if then and b"\r\n\r\n" in received:
                connection.sendall(then)
                then = b""
            piece = connection.recv(65536)
            if not piece:
                return received
            received += piece
            if not then and _complete(received) >= answers:
                return received


def _complete(data: bytes) -> int:
    """How many whole Content-Length answers ``data`` holds."""
    count, at = 0, 0
    while (end := data.find(b"\r\n\r\n", at)) >= 0:
        head = data[at:end].lower()
        if b" 100 continue" in head.split(b"\r\n")[0]:
            at = end + 4
            continue
        marker = head.find(b"content-length: ")
        if marker < 0:
            return count
        length = int(head[marker + 16:].split(b"\r\n")[0])
        if len(data) < end + 4 + length:
            return count
        at, count = end + 4 + length, count + 1
    return count


async def test_keep_alive_and_head_and_repeated_headers_over_http_client() -> None:
    async with listening() as port:
        def talk() -> list[tuple[int, str, list[str], bytes]]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            seen = []
            for method, body in (("GET", None), ("POST", b"data"), ("HEAD", None)):
                connection.request(method, "/x?q=1", body=body)
                response = connection.getresponse()
                seen.append((response.status, response.getheader("Content-Length") or "",
                             response.headers.get_all("Set-Cookie") or [], response.read()))
            connection.close()
            return seen

        seen = await asyncio.to_thread(talk)
    assert seen[0] == (200, "13", ["a=1", "b=2"], b"GET /x?q=1 0:")
    assert seen[1] == (200, "18", ["a=1", "b=2"], b"POST /x?q=1 4:data")
    assert seen[2] == (200, "14", ["a=1", "b=2"], b"")  # HEAD: the length a GET would get, no body


async def test_pipelined_requests_are_answered_in_order_on_one_connection() -> None:
    async with listening() as port:
        data = b"".join(f"GET /{n} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for n in range(5))
        received = await asyncio.to_thread(exchange, port, data, answers=5)
    assert [line.split(b" ")[1] for line in received.split(b"\r\n") if line.startswith(b"GET")] == \
        [b"/0", b"/1", b"/2", b"/3", b"/4"]
    assert received.count(b"HTTP/1.1 200 OK") == 5


async def test_expect_100_continue_then_the_body_and_a_chunked_upload() -> None:
    async with listening() as port:
        head = b"PUT /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
        continued = await asyncio.to_thread(exchange, port, head, then=b"abc")
        chunked = await asyncio.to_thread(exchange, port, b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                          b"2\r\nab\r\n1\r\nc\r\n0\r\n\r\n")
    assert continued.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")
    assert continued.endswith(b"PUT /up 3:abc")
    assert chunked.endswith(b"POST /c 3:abc")


async def test_refusals_close_the_connection_with_a_clear_answer() -> None:
    async with listening() as port:
        bad = await asyncio.to_thread(exchange, port, b"NONSENSE\r\n\r\n", answers=2)
        large = await asyncio.to_thread(exchange, port, b"POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n", answers=2)
    assert bad.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"Connection: close" in bad
    assert bad.endswith(b"(expected: METHOD /path HTTP/1.1)")
    assert large.startswith(b"HTTP/1.1 413 ") and large.endswith(b"at most 1000 bytes")


async def test_a_failing_handler_is_a_500_and_the_connection_goes_on() -> None:
    async with listening() as port:
        received = await asyncio.to_thread(exchange, port, b"GET /boom HTTP/1.1\r\n\r\nGET /ok HTTP/1.1\r\n\r\n",
                                           answers=2)
    assert received.startswith(b"HTTP/1.1 500 Internal Server Error") and received.endswith(b"GET /ok 0:")


async def test_streamed_answers_are_chunked_on_1_1_and_close_delimited_on_1_0() -> None:
    async with listening() as port:
        chunked = await asyncio.to_thread(exchange, port, b"GET /stream HTTP/1.1\r\nConnection: close\r\n\r\n",
                                          answers=2)
        plain = await asyncio.to_thread(exchange, port, b"GET /stream HTTP/1.0\r\n\r\n", answers=2)
    assert b"Transfer-Encoding: chunked" in chunked and chunked.endswith(b"\r\n\r\n4\r\none;\r\n4\r\ntwo;\r\n0\r\n\r\n")
    assert b"Transfer-Encoding" not in plain and plain.endswith(b"\r\n\r\none;two;")


class Captured(asyncio.Transport):
    """A transport that keeps what is written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.sent += bytes(data)

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: object = None) -> object:
        return ("127.0.0.1", 4000) if name in ("peername", "sockname") else default


async def test_bytes_arriving_between_an_answer_and_the_next_request_do_not_start_two_at_once() -> None:
    active, most = 0, 0

    async def slow(request: HttpRequest, responder: Responder) -> None:
        nonlocal active, most
        active += 1
        most = max(most, active)
        for _ in range(3):
            await asyncio.sleep(0)
        responder.send(200, [], request.path.encode())
        active -= 1

    tasks: set[asyncio.Task[None]] = set()
    connection = HttpConnection(slow, set(), tasks, 1000)
    transport = Captured()
    connection.connection_made(transport)
    connection.data_received(b"GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n")
    for _ in range(4):
        await asyncio.sleep(0)  # /1 answered; reading /2 is scheduled but has not run yet
    connection.data_received(b"GET /3 HTTP/1.1\r\n\r\n")
    for _ in range(30):
        await asyncio.sleep(0)
    assert most == 1 and not tasks
    assert [part[-2:] for part in transport.sent.split(b"HTTP/1.1 200 OK")[1:]] == [b"/1", b"/2", b"/3"]


async def test_framing_headers_are_ours_and_204_has_neither_body_nor_length() -> None:
    async def answer(request: HttpRequest, responder: Responder) -> None:
        status = 204 if request.path == "/none" else 200
        responder.send(status, [("Content-Length", "999"), ("Connection", "upgrade"), ("Date", "yesterday")], b"body")

    connection = HttpConnection(answer, set(), set(), 1000)
    transport = Captured()
    connection.connection_made(transport)
    connection.data_received(b"GET /some HTTP/1.1\r\n\r\nGET /none HTTP/1.1\r\n\r\n")
    for _ in range(10):
        await asyncio.sleep(0)
    first, second = transport.sent.split(b"HTTP/1.1 ")[1:]
    assert first == (b"200 OK\r\nDate: yesterday\r\nContent-Type: application/octet-stream\r\n"
                     b"Content-Length: 4\r\n\r\nbody")
    assert second == b"204 No Content\r\nDate: yesterday\r\n\r\n"


async def test_idle_connections_are_closed_and_an_incomplete_request_gets_408_first() -> None:
    server = HttpServer(echo, idle_s=0.3)
    port = await server.start("127.0.0.1", 0)

    def wait_out(data: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
            connection.sendall(data)
            received = b""
            while piece := connection.recv(65536):  # until the server closes the connection
                received += piece
            return received

    try:
        idle, partial, answered = await asyncio.gather(
            asyncio.to_thread(wait_out, b""),
            asyncio.to_thread(wait_out, b"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"),
            asyncio.to_thread(wait_out, b"GET /kept HTTP/1.1\r\n\r\n"))
    finally:
        await server.close()
    assert idle == b""
    assert partial.startswith(b"HTTP/1.1 408 Request Timeout\r\n") and b"still incomplete" in partial
    assert answered.startswith(b"HTTP/1.1 200 OK") and answered.endswith(b"GET /kept 0:")  # then closed, idle
