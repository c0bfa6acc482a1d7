"""Where output goes: a rich console on a terminal, plain writes otherwise."""

from __future__ import annotations

import os
import sys
from typing import IO, Any


class Terminal:
    def __init__(self, stream: IO[str] | None = None, color: bool | None = None):
        self.stream = stream or sys.stdout
        if color is None:
            color = self.stream.isatty() and "NO_COLOR" not in os.environ
        self.color = color
        self._console: Any = None

    def print(self, text: str = "", style: str | None = None) -> None:
        """Print a line; `style` is a rich style, used only when colouring."""
        if self.color and style:
            if self._console is None:
                from rich.console import Console

                self._console = Console(file=self.stream, highlight=False, soft_wrap=True)
            from rich.text import Text

            self._console.print(Text(text, style=style))
        else:
            self.stream.write(text + "\n")

    def write(self, text: str) -> None:
        self.stream.write(text)
