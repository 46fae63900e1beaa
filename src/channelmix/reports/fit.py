"""Tables that fit the console: a table with more columns than the console has room for goes
on below in further parts (its label column repeated), so no figure is ever cut; labels of
names are shortened with an ellipsis, labels of sentences (a limit, a rule) wrap, headers
wrap at their spaces, and a column of words (the channels a mix adds and drops) wraps."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

LABEL_WIDTH = 28  # a label longer than this is shortened (a name) or wrapped (a sentence) below 120 columns
FIGURE_WIDTH = 14  # a column whose every cell is this narrow holds figures: never wrapped, never cut
BORDER = 3  # a column's padding and rule


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def fitted(title: str, columns: list[str], rows: list[list[str]], width: int, names: bool = True) -> list[Table]:
    """``rows`` under ``columns`` as one table or as parts that each fit ``width`` cells; the
    first column holds the labels (``names``: shortened with an ellipsis, else wrapped)."""
    natural = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(columns)]
    label = natural[0] if width >= 120 else min(natural[0], LABEL_WIDTH)
    label = max(label, min(_longest_word(columns[0]), LABEL_WIDTH), 1)
    figures = [all(cell_len(r[i]) <= FIGURE_WIDTH for r in rows) for i in range(len(columns))]
    need = [max(max([0] + [cell_len(r[i]) for r in rows]), _longest_word(h)) if figures[i]
            else max([_longest_word(h)] + [_longest_word(r[i]) for r in rows]) for i, h in enumerate(columns)]
    if label + BORDER + 1 + sum(natural[i] + BORDER for i in range(1, len(columns))) <= width:
        need = [max(n, w) for n, w in zip(natural, need)]  # room for every header on one line
    wants = [(need[i] if figures[i] else max(need[i], min(natural[i], LABEL_WIDTH))) + BORDER
             for i in range(len(columns))]
    parts: list[list[int]] = [[]]
    used = label + BORDER + 1
    for i in range(1, len(columns)):
        if parts[-1] and used + wants[i] > width:
            parts.append([])
            used = label + BORDER + 1
        parts[-1].append(i)
        used += wants[i]
    for part in parts:  # room left in a part: headers on fewer lines, words columns wider
        room = width - label - BORDER - 1 - sum(wants[i] for i in part)
        for i in part:
            more = min(room, max(natural[i] + BORDER - wants[i], 0))
            wants[i] += more
            room -= more
    tables = []
    for k, part in enumerate(parts):
        out = Table(title=(title or None) if k == 0 else None, title_justify="left")
        out.add_column(columns[0], width=label, overflow="ellipsis" if names else "fold", no_wrap=names)
        for i in part:  # figures right-aligned in a column as wide as the widest; words wrap
            out.add_column(columns[i], justify="right" if figures[i] else "left", width=wants[i] - BORDER,
                           overflow="fold")
        for r in rows:
            out.add_row(r[0], *(r[i] for i in part))
        tables.append(out)
    return tables



def say(console: Console, text: str, style: str | None = None, indent: str = "") -> None:
    """A sentence wrapped to the console at ordinary spaces only: a figure grouped with no-break
    spaces (Swedish ``91 157``, French ``1 500``) stays on one line, which rich's own wrapping
    (any whitespace) would split.  ``indent``: the continuation lines' indent."""
    import textwrap

    lines = textwrap.wrap(text, width=max(console.width, 20), subsequent_indent=indent, break_long_words=True,
                          break_on_hyphens=False) or [""]
    for line in lines:
        console.print(Text(line, style=style or ""), soft_wrap=True)
