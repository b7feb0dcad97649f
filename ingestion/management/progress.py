"""Progress bars for management commands."""
from __future__ import annotations

from django.core.management.base import OutputWrapper


def _plain(text: str) -> str:
    return text


class BarOutput:
    """A command's OutputWrapper as a file for tqdm: text written as given.

    Left to itself the wrapper ends every write with a newline, so each redraw of
    a progress bar would take a new line, and it paints stderr red, like an error.
    """

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, style_func=_plain, ending="")

    def flush(self) -> None:
        self.out.flush()
