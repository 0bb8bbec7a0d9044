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


def translate(message: object) -> str:
    """The message in the current locale; any other text is returned as it is."""
    if isinstance(message, Msg):
        params = {k: translate(v) if isinstance(v, Msg) else v for k, v in message.params.items()}
        return gettext(message.msgid, **params)
    if isinstance(message, BaseException) and message.args:
        return translate(message.args[0])
    return str(message)
