"""Messages produced by pure code (no request, no locale) and translated where they are shown.

A Msg is the French text itself (a str, so it compares, prints and serialises as French) that
remembers its msgid and parameters; `translate` renders it in the person's language. `Msg(...)`
is an extraction keyword of `make translations`, like `_`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext


class Msg(str):
    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Msg:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid = msgid
        text.params = params
        return text


class Figure(float):
    """A number parameter of a Msg, written in the person's language where it is shown
    (65,5 in French, 65.5 in English): the one display rule of careapp.numbers."""

    places: int | None
    below: tuple[float, ...]

    def __new__(cls, value: float, places: int | None = 1, below: tuple[float, ...] = ()
                ) -> Figure:
        figure = super().__new__(cls, value)
        figure.places, figure.below = places, below
        return figure

    def __str__(self) -> str:
        from careapp.numbers import format_number

        return format_number(float(self), self.places, self.below)


def translate(message: object) -> str:
    """The message in the current locale; any other text is returned as it is."""
    if isinstance(message, Msg):
        params = {k: translate(v) if isinstance(v, Msg) else str(v) if isinstance(v, Figure)
                  else v for k, v in message.params.items()}
        return gettext(message.msgid, **params)
    if isinstance(message, BaseException) and message.args:
        return translate(message.args[0])
    return str(message)
