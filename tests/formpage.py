"""Read a page's form the way a browser would submit it (for tests that replay real forms)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

_FORM = re.compile(r'<form method="post"[^>]*class="register-form"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input\b([^>]*)>", re.S)
_SELECT = re.compile(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
_TEXTAREA = re.compile(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)


def _attr(attrs: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', attrs)
    return html.unescape(match.group(1)) if match else None


def form_fields(page: str) -> dict[str, Any]:
    """The fields of the page's register form: name → value (a list for checkboxes)."""
    match = _FORM.search(page)
    assert match, "no register form in the page"
    body = match.group(1)
    data: dict[str, Any] = {}
    for attrs in _INPUT.findall(body):
        name, kind = _attr(attrs, "name"), (_attr(attrs, "type") or "text")
        if not name:
            continue
        if kind in ("radio", "checkbox"):
            if re.search(r"\bchecked\b", attrs):
                if kind == "checkbox" and name in data:
                    data[name] = [*data[name], _attr(attrs, "value") or "y"]
                else:
                    data[name] = [_attr(attrs, "value") or "y"] if kind == "checkbox" \
                        else _attr(attrs, "value")
            continue
        data[name] = _attr(attrs, "value") or ""
    for name, options in _SELECT.findall(body):
        selected = re.search(r'<option\b[^>]*\bselected\b[^>]*value="([^"]*)"|'
                             r'<option\b[^>]*value="([^"]*)"[^>]*\bselected\b', options)
        data[name] = html.unescape(next(g for g in selected.groups() if g is not None)) \
            if selected else ""
    for name, content in _TEXTAREA.findall(body):
        data[name] = html.unescape(content.removeprefix("\n").removeprefix("\r\n"))
    return data


# -- reading pages as a person does ---------------------------------------------------------------

SAVED_MEANWHILE = "Enregistré entre-temps par un autre utilisateur :"


def text(response: Any) -> str:
    """The page as a person reads it (HTML entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def revision_in(page: str) -> str:
    match = re.search(r'name="revision"[^>]*value="(\d+)"', page)
    assert match, "no revision field in the page"
    return match.group(1)


def field_errors(page: str) -> list[str]:
    return re.findall(r'<p class="field-error"[^>]*>([^<]*)</p>', page)


def day(offset: int) -> dt.date:
    """Today plus `offset` days (negative: in the past)."""
    return dt.date.today() + dt.timedelta(days=offset)
