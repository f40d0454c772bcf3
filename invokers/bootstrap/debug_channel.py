"""The worker's end of svl-tui's debug channel: breakpoints, post-mortems, locals on error.

Loaded by the Python bootstrap only when it is needed (a ``breakpoint()``, an
``import pdb``, a failing invocation), so an invocation that never stops or
fails pays nothing for it. Like the bootstrap it imports nothing of svl-tui's:
it runs inside the function's execution environment.

The channel is a socket the engine handed over at spawn (``SVL_DEBUG_FD``), not
stdin/stdout, which carry the function's logs. Messages are JSON lines; the
worker speaks first and the engine only ever answers:

- ``{"type": "breakpoint", file, line, function}`` -> ``{"action": "stop" | "skip"}``:
  the engine decides whether anyone is there to debug (the UI, a terminal) or
  the stop is skipped with a warning (never a hang);
- ``{"type": "stopped", frames, index, source, locals, output}`` -> ``{"line": "<pdb command>"}``:
  one per pdb prompt; the time until the answer is the pause that does not
  count against the timeout nor the Duration;
- ``{"type": "error_locals", frames}``: no answer; the locals of the innermost
  frames of the handler's own code when an invocation fails.

Secret masking is the engine's job (one function for the whole product); here
values are only summarised and capped.
"""

import json
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TASK_ROOT = os.path.abspath(os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
SOURCE_CONTEXT = 12  # lines shown above and below the current line
MAX_TEXT = 200  # characters of one value's text
MAX_ITEMS = 50  # children shown per container
MAX_DEPTH = 3  # levels of children sent (the UI expands within them)
MAX_NODES = 400  # values per frame, all levels together
ERROR_FRAMES = 3  # innermost frames of the handler's own code captured on error

CHANNEL_FD = ""  # set by the bootstrap, which takes SVL_DEBUG_FD out of the handler's environment
_channel = None
_paused_s = 0.0


class Channel:
    """Blocking JSON-lines requests to the engine over the inherited socket."""

    def __init__(self, fd):
        self.sock = socket.socket(fileno=fd)
        self.sock.setblocking(True)
        self.file = self.sock.makefile("rb")

    def send(self, message):
        self.sock.sendall(json.dumps(message, default=str).encode() + b"\n")

    def ask(self, message):
        """Send and wait for the answer; None when the engine has gone."""
        try:
            self.send(message)
            line = self.file.readline()
        except OSError:
            return None
        return json.loads(line) if line else None


def channel():
    global _channel
    if _channel is None:
        if CHANNEL_FD.isdigit():
            _channel = Channel(int(CHANNEL_FD))
    return _channel


def take_paused_ms():
    """Time spent waiting for the user since the last call (one invocation's pause)."""
    global _paused_s
    paused, _paused_s = _paused_s, 0.0
    return paused * 1000


def paused_ms():
    return _paused_s * 1000


# ---- stopping ------------------------------------------------------------------

def breakpoint_hook(frame, *, header=None):
    """``breakpoint()`` and ``pdb.set_trace()``: stop in svl-tui's debugger, or skip with a warning."""
    if os.environ.get("PYTHONBREAKPOINT") == "0":
        return
    link = channel()
    where = {"type": "breakpoint", "file": frame.f_code.co_filename, "line": frame.f_lineno,
             "function": frame.f_code.co_name}
    answer = link.ask(where) if link is not None else None
    if not answer or answer.get("action") != "stop":
        if link is None:  # no engine to tell: say it ourselves
            sys.stderr.write(f"svl: breakpoint() at {where['file']}:{where['line']} skipped: no debugger attached\n")
        elif answer and answer.get("say"):
            sys.stderr.write(str(answer["say"]) + "\n")
        return
    debugger = ChannelPdb(link)
    if header:
        debugger.message(header)
    debugger.set_trace(frame)


def post_mortem(tb):
    """Stop at the frame that raised (the engine asked for it on this invocation)."""
    link = channel()
    if link is None:
        return
    while tb.tb_next is not None and _is_ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    debugger = ChannelPdb(link)
    debugger.reset()
    debugger.interaction(None, tb)


def pdb_spec(path=None):
    """The real pdb's module spec, patched so that ``pdb.set_trace()`` stops here (called on ``import pdb``)."""
    import importlib.machinery

    spec = importlib.machinery.PathFinder.find_spec("pdb", path)
    if spec is None or spec.loader is None:
        return spec
    real_exec = spec.loader.exec_module

    def exec_module(module):
        real_exec(module)
        module.set_trace = lambda *, header=None: breakpoint_hook(sys._getframe(1), header=header)

    spec.loader.exec_module = exec_module
    return spec


def _pdb_class():
    import pdb

    class _Out:
        """pdb's stdout: kept until the next prompt, then sent with the stop."""

        def __init__(self):
            self.parts = []

        def write(self, text):
            self.parts.append(text)
            return len(text)

        def flush(self):
            pass

        def take(self):
            text, self.parts = "".join(self.parts), []
            return text

    class _In:
        """pdb's stdin: each prompt becomes a ``stopped`` message; the answer is the next command."""

        def __init__(self, owner):
            self.owner = owner

        def readline(self):
            global _paused_s
            owner = self.owner
            output = owner.stdout.take()
            if output.endswith(owner.prompt):
                output = output[: -len(owner.prompt)]
            began = time.perf_counter()
            answer = owner.link.ask(owner.state(output))
            _paused_s += time.perf_counter() - began
            if not answer:
                return "c\n"  # the engine went away: let the handler run to its end
            return str(answer.get("line", "")).replace("\n", " ") + "\n"

    class ChannelPdb(pdb.Pdb):
        """pdb with its prompt and output on the debug channel, plus the state a UI needs."""

        def __init__(self, link):
            self.link = link
            super().__init__(stdin=None, stdout=_Out(), nosigint=True)
            self.stdin = _In(self)
            self.use_rawinput = False
            self.prompt = "(Pdb) "

        def state(self, output):
            visible = [(i, frame, line) for i, (frame, line) in enumerate(self.stack)
                       if not _is_ours(frame.f_code.co_filename)]
            index = 0
            for position, (i, _frame, _line) in enumerate(visible):
                if i <= self.curindex:
                    index = position
            frames = [{"file": frame.f_code.co_filename, "line": line, "function": frame.f_code.co_name}
                      for _i, frame, line in visible]
            frame = self.curframe
            line = frame.f_lineno if frame is not None else 0
            if 0 <= self.curindex < len(self.stack):
                line = self.stack[self.curindex][1]
            return {"type": "stopped", "frames": frames, "index": index,
                    "source": source_around(frame.f_code.co_filename, line) if frame is not None else None,
                    "locals": summarise_locals(getattr(self, "curframe_locals", None) or frame.f_locals)
                    if frame is not None else [],
                    "output": output}

    return ChannelPdb


_pdb_classes = []


def ChannelPdb(link):  # noqa: N802 - stands for the class, built on first use: importing pdb costs ~20 ms
    if not _pdb_classes:
        _pdb_classes.append(_pdb_class())
    return _pdb_classes[0](link)


def _is_ours(filename):
    return os.path.dirname(os.path.abspath(filename)) == HERE or filename.startswith(("<frozen", "<string>"))


def source_around(filename, line):
    import linecache

    lines = linecache.getlines(filename)
    if not lines:
        return None
    start = max(1, line - SOURCE_CONTEXT)
    end = min(len(lines), line + SOURCE_CONTEXT)
    return {"file": filename, "line": line, "start": start,
            "lines": [text.rstrip("\n") for text in lines[start - 1:end]]}


# ---- values --------------------------------------------------------------------

def summarise_locals(namespace, depth=MAX_DEPTH):
    """``[{name, type, value, size?, children?}]`` for a frame's variables, capped in every direction."""
    budget = [MAX_NODES]
    nodes = []
    for name, value in list(namespace.items()):
        if name.startswith("__") and name.endswith("__"):
            continue
        if budget[0] <= 0:
            nodes.append({"name": "…", "type": "", "value": f"{len(namespace) - len(nodes)} more"})
            break
        nodes.append(_node(str(name), value, depth, budget))
    return nodes


def _text(value):
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a broken __repr__ must not break the debugger
        text = f"<repr failed: {type(exc).__name__}>"
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _node(name, value, depth, budget):
    budget[0] -= 1
    kind = type(value)
    node = {"name": name, "type": kind.__name__}
    if value is None or kind in (bool, int, float, complex):
        node["value"] = _text(value)
        return node
    if isinstance(value, (str, bytes, bytearray)):
        node["value"] = _text(value)
        node["size"] = len(value)
        return node
    if isinstance(value, dict):
        node["value"] = "{" + _items(len(value)) + "}" if value else "{}"
        node["size"] = len(value)
        if depth > 0 and value:
            node["children"] = _children(((_key(k), v) for k, v in value.items()), len(value), depth, budget)
        return node
    if isinstance(value, (list, tuple, set, frozenset)):
        brackets = "[]" if kind is list else "()" if kind is tuple else "{}"
        node["value"] = brackets[0] + _items(len(value)) + brackets[1] if value else _text(value)
        node["size"] = len(value)
        if depth > 0 and value:
            node["children"] = _children(((str(i), v) for i, v in enumerate(value)), len(value), depth, budget)
        return node
    node["value"] = _text(value)
    attributes = getattr(value, "__dict__", None)
    if depth > 0 and isinstance(attributes, dict) and attributes and not isinstance(value, type):
        fields = [(k, v) for k, v in attributes.items() if not k.startswith("__")]
        node["children"] = _children(iter(fields), len(fields), depth, budget)
    return node


def _items(count):
    return "1 item" if count == 1 else f"{count} items"


def _key(key):
    return key if isinstance(key, str) else _text(key)


def _children(pairs, total, depth, budget):
    children = []
    for name, value in pairs:
        if len(children) >= MAX_ITEMS or budget[0] <= 0:
            children.append({"name": "…", "type": "", "value": f"{total - len(children)} more"})
            break
        children.append(_node(name, value, depth - 1, budget))
    return children


# ---- errors --------------------------------------------------------------------

def _handler_code(filename):
    path = os.path.abspath(filename)
    return (path.startswith(TASK_ROOT + os.sep) and "site-packages" not in path
            and os.path.dirname(path) != HERE)


def error_locals(exc):
    """Send the locals of the innermost frames of the handler's own code at the moment it failed."""
    link = channel()
    if link is None:
        return
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    mine = [tb for tb in frames if _handler_code(tb.tb_frame.f_code.co_filename)]
    if not mine:  # handler code outside the task root (a layer, a test): anything not ours
        mine = [tb for tb in frames if not _is_ours(tb.tb_frame.f_code.co_filename)]
    captured = []
    for tb in reversed(mine[-ERROR_FRAMES:]):
        code = tb.tb_frame.f_code
        captured.append({"file": code.co_filename, "line": tb.tb_lineno, "function": code.co_name,
                         "locals": summarise_locals(tb.tb_frame.f_locals, depth=1)})
    try:
        link.send({"type": "error_locals", "frames": captured})
    except OSError:
        pass
