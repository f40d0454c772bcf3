"""What a Node environment loads at start: only what every invocation needs (a cold start pays for the rest)."""

from __future__ import annotations

from invokers.engine import Engine
from invokers.models import ResponseChunk, Result
from tests.conftest import MakeFunction

LOADED = """
exports.handler = async () => ({ http: process.moduleLoadList.includes("NativeModule http") });
"""

STREAMED = """
exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  stream.write(String(process.moduleLoadList.includes("NativeModule http")));
  stream.end(";done");
});
"""


async def test_the_http_module_is_loaded_only_for_a_streamed_response(engine: Engine,
                                                                      make_function: MakeFunction) -> None:
    plain = make_function(LOADED, ext=".js")
    _, result = await engine.invoke_collect(plain, {})
    assert result.ok and result.response == {"http": False}  # the Runtime API loop does without it
    streaming = make_function(STREAMED, name="streamed", ext=".js")
    chunks: list[bytes] = []
    final: Result | None = None
    async for update in engine.invoke(streaming, {}, chunks=True):
        if isinstance(update, ResponseChunk):
            chunks.append(update.data)
        elif isinstance(update, Result):
            final = update
    assert final is not None and final.ok, final
    assert b"".join(chunks) == b"true;done"  # loaded when the stream began, and the stream works
