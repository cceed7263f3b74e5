"""Human output: Rich tables on a terminal, plain aligned text when piped.

Every cell is built as ``rich.text.Text`` (never markup), so a tag value like ``[bold]x[/]`` prints
literally; control characters are made visible first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

_CONTROL_TABLE = {i: f"\\x{i:02x}" for i in [*range(0, 9), *range(11, 32), 127]}
_CONTROL_TABLE.update({i: f"\\x{i:02x}" for i in range(0x80, 0xA0)})

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLE = {
    "detected": "bold",
    "triaged": "blue",
    "approved": "green",
    "rejected": "red",
    "resolved": "dim",
}


def safe(value: Any) -> str:
    """Text with terminal control characters (ESC, ...) made visible."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value).translate(_CONTROL_TABLE)


def render_table(
    console: Console,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    tty: bool,
    title: str | None = None,
    styles: Sequence[dict[str, str] | None] | None = None,
    drop_order: Sequence[int] = (),
    fold: Sequence[int] = (),
) -> None:
    """Print rows as a table; ``styles[i]`` maps a cell value of column i to a Rich style.

    On a terminal too narrow for every column, the columns in ``drop_order`` are left out, in
    that order, until the rest fit (as ``gh`` and ``kubectl`` do); cells never wrap, except in
    the ``fold`` columns (long resource ids), which fold only when nothing else can go.
    """
    if not tty:
        console.file.write(plain_table(columns, rows))
        return
    from rich.table import Table
    from rich.text import Text

    texts = [[safe(v) for v in row] for row in rows]
    keep = _columns_that_fit(columns, texts, console.width, drop_order)
    table = Table(title=title, header_style="bold", show_lines=False)
    for i in keep:
        table.add_column(
            columns[i], overflow="fold" if i in fold else "ellipsis", no_wrap=i not in fold
        )
    for row in texts:
        cells = []
        for i in keep:
            text = row[i]
            style = ""
            if styles and i < len(styles) and styles[i]:
                style = styles[i].get(text, "")  # type: ignore[union-attr]
            cells.append(Text(text, style=style))
        table.add_row(*cells)
    console.print(table)


def _columns_that_fit(
    columns: Sequence[str], rows: Sequence[Sequence[str]], width: int, drop_order: Sequence[int]
) -> list[int]:
    widths = [max([len(columns[i]), *(len(r[i]) for r in rows)]) for i in range(len(columns))]
    keep = list(range(len(columns)))
    for i in drop_order:
        # Rich's default box: one border plus " x |" around every cell.
        if sum(widths[k] + 3 for k in keep) + 1 <= width:
            break
        keep.remove(i)
    return keep


def plain_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Aligned columns separated by two spaces: stable for grep, awk and diff."""
    data = [[safe(c) for c in columns], *[[safe(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in data) for i in range(len(columns))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in data]
    return "\n".join(lines) + "\n"


def render_fields(console: Console, pairs: Sequence[tuple[str, Any]], *, tty: bool) -> None:
    """Key: value lines (``show``)."""
    width = max((len(k) for k, _ in pairs), default=0)
    if not tty:
        console.file.write("".join(f"{k.ljust(width)}  {safe(v)}\n" for k, v in pairs))
        return
    from rich.text import Text

    for key, value in pairs:
        # Only the key is bold: Text(style=...) would style the value too.
        line = Text()
        line.append(f"{key.ljust(width)}  ", style="bold")
        line.append(safe(value))
        console.print(line)


def render_heading(console: Console, text: str, *, tty: bool) -> None:
    if not tty:
        console.file.write(f"\n{text}\n")
        return
    from rich.text import Text

    console.print()
    console.print(Text(text, style="bold underline"))


def difference_lines(difference: dict[str, Any]) -> list[str]:
    """``path: expected → actual`` per difference entry."""
    lines = []
    for path, entry in sorted(difference.items()):
        change = entry.get("change", "changed") if isinstance(entry, dict) else "changed"
        expected = _short(entry.get("expected")) if isinstance(entry, dict) else ""
        actual = _short(entry.get("actual")) if isinstance(entry, dict) else _short(entry)
        if change == "added":
            lines.append(f"{path}: (added) → {actual}")
        elif change == "removed":
            lines.append(f"{path}: {expected} → (removed)")
        else:
            lines.append(f"{path}: {expected} → {actual}")
    return [safe(line) for line in lines]


def _short(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        return text if len(text) <= 120 else text[:117] + "..."
    return str(value)
