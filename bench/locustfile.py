"""Simulated users for the HTTP load benchmark (driven by bench/bench_http.py, `make bench-http`).

Each simulated user logs in as a browser does (login page, password form with its CSRF token,
then a TOTP code computed with pyotp from the benchmark secret), with an account of its own (a
code is accepted once per account), then repeats its scenario's request with 1 s between
requests, and now and then the baseline (`GET /sante`, a trivial route) under the same load.

Settings come from the environment (set by bench_http.py):
BENCH_SCENARIO  ars | national | section | save
BENCH_MANIFEST  the JSON written by `bench-data --with-users N --users-file …`
BENCH_PASSWORD, BENCH_TOTP_SECRET  the benchmark accounts' password and TOTP secret
BENCH_REGION    the region of the ARS dashboard
BENCH_OFFSET    first account to use (scenarios sharing a kind of account use distinct ones)
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any

import pyotp
from locust import HttpUser, constant, task
from requests.cookies import RequestsCookieJar

SCENARIO = os.environ.get("BENCH_SCENARIO", "ars")
_MANIFEST_PATH = os.environ.get("BENCH_MANIFEST")  # unset when bench_http imports the names
MANIFEST: dict[str, Any] = (json.loads(Path(_MANIFEST_PATH).read_text(encoding="utf-8"))
                            if _MANIFEST_PATH else {})
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
TOTP = pyotp.TOTP(os.environ.get("BENCH_TOTP_SECRET") or pyotp.random_base32())
REGION = os.environ.get("BENCH_REGION", "11")
OFFSET = int(os.environ.get("BENCH_OFFSET", "0"))
_accounts = itertools.count(OFFSET)

# Names in locust's statistics (bench_http.py reads them back).
BASELINE = "baseline GET /sante"
NAMES = {"ars": "ARS dashboard GET /region/?code=",
         "national": "national dashboard GET /region/",
         "section": "section page GET",
         "save": "section save POST"}

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SECTION_FORM = re.compile(r'<form method="post"[^>]*class="section-form"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input\b([^>]*)>", re.S)
_SELECT = re.compile(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
_TEXTAREA = re.compile(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
_SELECTED = re.compile(r'<option\b[^>]*\bselected\b[^>]*value="([^"]*)"|'
                       r'<option\b[^>]*value="([^"]*)"[^>]*\bselected\b')


def _attr(attrs: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', attrs)
    return html.unescape(match.group(1)) if match else None


def csrf(page: str) -> str:
    match = _CSRF.search(page)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return html.unescape(match.group(1))


def section_form(page: str) -> list[tuple[str, str]]:
    """The section form's fields as a browser submits them (checked boxes and radios only)."""
    match = _SECTION_FORM.search(page)
    if not match:
        raise RuntimeError("no section form in the page")
    body, fields = match.group(1), []
    for attrs in _INPUT.findall(body):
        name, kind = _attr(attrs, "name"), (_attr(attrs, "type") or "text")
        if not name or kind in ("submit", "button"):
            continue
        if kind in ("radio", "checkbox") and not re.search(r"\bchecked\b", attrs):
            continue
        fields.append((name, _attr(attrs, "value") or ("y" if kind == "checkbox" else "")))
    for name, options in _SELECT.findall(body):
        selected = _SELECTED.search(options)
        fields.append((name, html.unescape(next(g for g in selected.groups() if g is not None))
                       if selected else ""))
    for name, content in _TEXTAREA.findall(body):
        fields.append((name, html.unescape(content.removeprefix("\n").removeprefix("\r\n"))))
    return fields


class LoopbackJar(RequestsCookieJar):
    """Production cookies are Secure; browsers treat http://127.0.0.1 as a secure context and
    send them, requests does not (and a policy set on the session's jar is lost when requests
    merges jars per request): the cookies are kept as not Secure, for the loopback only."""

    def set_cookie(self, cookie: Cookie, *args: Any, **kwargs: Any) -> None:
        cookie.secure = False
        super().set_cookie(cookie, *args, **kwargs)


class BenchUser(HttpUser):
    wait_time = constant(1)

    def on_start(self) -> None:
        self.client.cookies = LoopbackJar()
        self.index = next(_accounts)
        self.saves = 0
        if SCENARIO == "ars":
            self.email = MANIFEST["ars"][REGION][self.index]
        elif SCENARIO == "national":
            self.email = MANIFEST["national"][self.index]
        else:
            account = MANIFEST["rssi"][self.index]
            self.email, self.assessment = account["email"], account["assessment"]
        self.login()

    def login(self) -> None:
        page = self.client.get("/connexion", name="login (setup)").text
        response = self.client.post("/connexion", name="login (setup)", data={
            "csrf_token": csrf(page), "email": self.email, "password": PASSWORD})
        if "/connexion/code" not in response.url:
            raise RuntimeError(f"{self.email}: password step refused ({response.status_code})")
        response.raise_for_status()
        response = self.client.post("/connexion/code", name="login (setup)", data={
            "csrf_token": csrf(response.text), "code": TOTP.now()})
        if "/connexion" in response.url:
            raise RuntimeError(f"{self.email}: TOTP step refused ({response.status_code})")

    def _section_url(self) -> str:
        sections = MANIFEST["sections"]
        section = sections[(self.index + self.saves) % len(sections)]
        return f"/evaluations/{self.assessment}/sections/{section}"

    @task(1)
    def baseline(self) -> None:
        self.client.get("/sante", name=BASELINE)

    @task(4)
    def scenario(self) -> None:
        if SCENARIO == "ars":
            self._page(f"/region/?code={REGION}", NAMES["ars"] + REGION)
        elif SCENARIO == "national":
            self._page("/region/", NAMES["national"])
        elif SCENARIO == "section":
            self.saves += 1  # the next section each time
            self._page(self._section_url(), NAMES["section"])
        else:
            self._save()

    def _page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def _save(self) -> None:
        """Read the section as a browser does (not counted in the save), change a comment,
        post the whole form with its CSRF token and revision."""
        url = self._section_url()
        page = self.client.get(url, name="section page before save (not reported)")
        fields = section_form(page.text)
        self.saves += 1
        comment = next(i for i, (name, _) in enumerate(fields) if name.endswith("__comment"))
        fields[comment] = (fields[comment][0], f"Mesure de charge {self.index}-{self.saves}")
        fields.append(("next", "0"))
        with self.client.post(url, data=fields, name=NAMES["save"], allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}")
