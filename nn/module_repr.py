"""Module reprs as lists of indented lines, so a nesting of any depth is written in time linear in its text.

torch writes a module as ``Name(`` then one entry per ``extra_repr`` line and per sub-module, indented by two
spaces, then ``)``; a sub-module's entry is ``(name): `` and its repr with every later line indented two spaces
further. Re-indenting each child's whole text at every level costs depth x text; here a text is a list of
``(level, line)`` pairs (``"  " * level + line``) and nesting adds 1 to the levels of the child's lines.
A line never starts with two spaces (they are counted in its level), so two texts are equal exactly when their
lists are. As torch's ``_addindent``, a sub-module's later lines that are blank lose their indentation: such a line
is ``(None, "")``, written empty at any depth.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Lines", "block", "entry", "lines_of", "text_of"]

#: A text as (indentation level, line) pairs; level None for a blank line written empty (see :func:`entry`).
Lines = list[tuple[int | None, str]]


def _level_and_rest(line: str) -> tuple[int, str]:
    """``line`` as (level, rest) with ``"  " * level + rest == line`` and ``rest`` not starting with two spaces."""
    level = (len(line) - len(line.lstrip(" "))) // 2
    return level, line[2 * level :]


def lines_of(text: str) -> Lines:
    """``text`` (a repr a class writes itself, an ``extra_repr`` line) as :data:`Lines`."""
    return [_level_and_rest(line) for line in text.split("\n")]


def text_of(lines: Lines) -> str:
    """The text of ``lines``."""
    return "\n".join("" if level is None else "  " * level + line for level, line in lines)


def entry(prefix: str, lines: Lines) -> Lines:
    """The entry ``prefix`` + the text of ``lines`` (a sub-module's ``(name): repr``). Its later lines keep their
    levels: :func:`block` puts every line of an entry one level in, which is torch's ``_addindent`` for them and its
    join of the entries with ``"\\n  "`` for the first. As ``_addindent``, a later line that is blank (an empty line
    of a multi-line ``extra_repr``, written as two spaces in the sub-module's own repr) becomes empty, at any depth."""
    level, first = lines[0]
    later = [(None, "") if not line.strip() else (level, line) for level, line in lines[1:]]
    return [(0, prefix + "  " * (level or 0) + first), *later]


def block(name: str, entries: Iterable[Lines]) -> Lines:
    """``name(`` then each entry's lines one level in, then ``)``; ``name()`` when there are none."""
    inside = [(None if level is None else level + 1, line) for lines in entries for level, line in lines]
    return [(0, f"{name}("), *inside, (0, ")")] if inside else [(0, f"{name}()")]
