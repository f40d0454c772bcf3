"""The debugger pane: where a stopped handler is, its stack and locals, and the keys that move it on.

It opens beside the logs when the engine's stream yields a ``DebugStop`` and
sends pdb commands back with ``Engine.debug_send``: the engine did the work
(masking included); this pane only shows it. Keys work while the pane (not its
input line) has focus: n next, s step, r return, c continue, u/d up/down;
the input line takes any pdb command or expression.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Log, OptionList, Static, Tree
from textual.widgets.tree import TreeNode

from invokers.models import DebugStop

from ..bindings import DEBUG_KEYS

if TYPE_CHECKING:
    from ..app import SvlApp

SOURCE_ABOVE, SOURCE_BELOW = 4, 6  # lines shown around the current one
WARM_AFTER_S = 2.0


class DebuggerPanel(Vertical, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"send({command!r})", description, id=action_id)
          for action_id, key, command, description, _help in DEBUG_KEYS),
        Binding("colon", "focus_input", "pdb command", id="debug-input"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stop: DebugStop | None = None
        self.waiting = False  # a command was sent; the handler runs until the next stop or its end

    @property
    def svl(self) -> SvlApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="debug-where")
        with Horizontal(id="debug-body"):
            with Vertical(id="debug-code"):
                yield Static("", id="debug-source")
                yield Log(id="debug-output", max_lines=500)
            with Vertical(id="debug-state"):
                yield OptionList(id="debug-stack")
                yield Tree("locals", id="debug-locals")
        yield Input(placeholder="pdb command or expression (n, s, c, p x, x = 1) · enter sends", id="debug-command")

    def on_mount(self) -> None:
        # The source view's highlighter (pygments) takes ~0.1-0.2 s to import: do it once the app has been
        # idle a while, off the UI thread, so the first stop does not pay for it.
        self.set_timer(WARM_AFTER_S, lambda: self.run_worker(_import_highlighter, thread=True, group="warm"))
        self.border_title = "Debugger"
        self.border_subtitle = "n next · s step · r return · c continue · u/d frames · : command"
        self.query_one(Tree).show_root = False

    # ---- showing a stop ------------------------------------------------------------

    def show_stop(self, stop: DebugStop) -> None:
        """Fill the pane from one stop; everything shown comes from the stop itself."""
        self.stop = stop
        self.waiting = False
        self.display = True
        what = "post-mortem, raised at" if stop.post_mortem else "stopped at"
        frame = stop.frames[stop.index] if 0 <= stop.index < len(stop.frames) else {}
        self.query_one("#debug-where", Static).update(Text.assemble(
            (f"{what} ", "bold yellow"), (f"{_short(stop.file)}:{stop.line}", "bold"),
            f" in {frame.get('function', '?')}"), layout=False)  # fixed sizes: no layout of the whole screen
        self._draw_source()
        if self.query_one("#debug-source").size.height == 0:  # just shown: again once it has its height
            self.call_after_refresh(self._draw_source)
        stack = self.query_one(OptionList)
        stack.clear_options()
        for frame_info in reversed(stop.frames):  # innermost first, as a debugger lists them
            stack.add_option(f"{frame_info.get('function')}  {_short(str(frame_info.get('file')))}:"
                             f"{frame_info.get('line')}")
        if stop.frames:
            stack.highlighted = len(stop.frames) - 1 - stop.index
        self._fill_locals(stop.locals)
        if stop.output.strip():
            self.query_one(Log).write(stop.output if stop.output.endswith("\n") else stop.output + "\n")
        if not self.has_focus_within:  # moving focus inside the pane would rebuild the footer for nothing
            self.focus()

    def _draw_source(self) -> None:
        if self.stop is not None:
            source = self.query_one("#debug-source", Static)
            source.update(_source(self.stop, source.size.height), layout=False)

    def _fill_locals(self, variables: list[dict[str, Any]]) -> None:
        tree: Tree[None] = self.query_one(Tree)
        tree.clear()
        _add_nodes(tree.root, variables)
        tree.root.expand()

    def finished(self) -> None:
        """The invocation ended: the pane goes away until the next stop."""
        self.stop = None
        self.waiting = False
        self.display = False
        self.query_one(Log).clear()

    # ---- sending commands ------------------------------------------------------------

    def action_send(self, line: str) -> None:
        stop = self.stop
        if stop is None or self.waiting:
            self.notify("The function is running: wait for it to stop.", timeout=2)
            return
        self.waiting = True
        self.query_one("#debug-where", Static).update(Text(f"running… (sent: {line})", style="italic"), layout=False)
        self.query_one(Log).write_line(f"(Pdb) {line}")
        try:
            self.svl.engine.debug_send(stop.request_id, line)
        except RuntimeError as exc:
            self.waiting = False
            self.notify(str(exc), severity="warning")

    def action_focus_input(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#debug-command")
    def _command(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        if line:
            event.input.value = ""
            self.action_send(line)

    @on(OptionList.OptionSelected, "#debug-stack")
    def _frame_selected(self, event: OptionList.OptionSelected) -> None:
        """Selecting a frame moves pdb there (up/down), so its locals come with the next stop."""
        event.stop()
        if self.stop is None:
            return
        wanted = len(self.stop.frames) - 1 - event.option_index
        if wanted < self.stop.index:
            self.action_send(f"up {self.stop.index - wanted}")
        elif wanted > self.stop.index:
            self.action_send(f"down {wanted - self.stop.index}")


def _import_highlighter() -> None:
    from rich.syntax import Syntax

    Syntax("", "python").lexer  # noqa: B018 - loads pygments' Python lexer


def _short(path: str) -> str:
    parts = path.replace("\\", "/").split("/")
    return "/".join(parts[-2:]) if len(parts) > 2 else path


def _source(stop: DebugStop, rows: int = 0) -> Any:
    """The lines around the current one, fitted to ``rows`` (a stacked pane is short) so it stays in view."""
    source = stop.source
    if not source or not source.get("lines"):
        return Text("(no source)", style="dim")
    from rich.syntax import Syntax  # pygments: imported on the first stop, not at start-up

    line = int(source.get("line") or stop.line)
    above, below = SOURCE_ABOVE, SOURCE_BELOW
    if 0 < rows < above + below + 1:
        above = min(above, (rows - 1) // 2)
        below = rows - 1 - above
    return Syntax("\n".join(source["lines"]), "python", line_numbers=True, start_line=int(source.get("start", 1)),
                  line_range=(line - above, line + below), highlight_lines={line}, theme="ansi_dark",
                  background_color="default", word_wrap=False)


def _add_nodes(parent: TreeNode[None], variables: list[dict[str, Any]]) -> None:
    for variable in variables:
        label = Text.assemble((str(variable.get("name")), "bold"), " = ", str(variable.get("value", "")),
                              (f"  {variable.get('type', '')}", "dim"))
        children = variable.get("children")
        if isinstance(children, list) and children:
            node = parent.add(label, expand=False)
            _add_nodes(node, children)
        else:
            parent.add_leaf(label)
