"""Page profile: the service time of the four load-tested pages, in process, no HTTP.

`python -m bench.bench_pages --db URL` (a database filled by `flask --app careapp bench-data
--establishments 3000 --campaigns 3`) times, through the Flask test client with logged-in
sessions, the pages bench/bench_http.py loads over HTTP:

- the ARS dashboard `/region/?code=11` (the region's ARS),
- the national dashboard `/region/` (a national account),
- a questionnaire section page (GET) and its save (POST of the whole form, comment changed),

each `--runs` times after one warm-up request (median and p90 in ms). With `--compare REV`
(e.g. `--compare HEAD~1`) the committed tree of REV is exported with `git archive` and measured
in the same run against the working tree, or against the committed tree of `--after REV2`
(the working tree of a shared checkout may hold other people's unfinished changes): each tree
in its own process, rounds alternating (before, after, before, after…) so that the shared
machine's load falls on both alike. Benchmark accounts (one RSSI, the ARS of every region, one national) are
created on first use and get a password and TOTP secret made up for the run; their logins go
through the login page, the password and a TOTP code, as a person's.

Not a load test: bench/bench_http.py measures gunicorn under 20 users; this says where a
request's time goes when it is alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REVISION_RE = re.compile(r'name="revision"[^>]*value="([^"]*)"')
PAGES = ("ARS dashboard /region/?code=11", "national dashboard /region/",
         "section page (GET)", "section save (POST)")


def _csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise SystemExit("no CSRF token in the page")
    return match.group(1)


def _login(app: Any, email: str, password: str, secret: str) -> Any:
    import pyotp
    from sqlalchemy import select

    from careapp.auth.models import User
    from careapp.db import db

    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    response = client.post("/connexion", data={"csrf_token": _csrf(page), "email": email,
                                               "password": password})
    if response.status_code == 302 and response.headers["Location"].endswith("/connexion/code"):
        with app.app_context():
            user = db.session.scalar(select(User).filter_by(email=email))
            user.totp_last_step = None  # several logins within one 30 s step
            db.session.commit()
        page = client.get("/connexion/code").get_data(as_text=True)
        response = client.post("/connexion/code", data={
            "csrf_token": _csrf(page), "code": pyotp.TOTP(secret).now()})
    if response.status_code != 302:
        raise SystemExit(f"login of {email} failed ({response.status_code})")
    return client


def _accounts(app: Any) -> tuple[dict[str, str], int, str, str, str]:
    """(emails, assessment id, section id, password, TOTP secret): the benchmark accounts,
    created when missing, with a password and TOTP secret made up now."""
    import pyotp
    from sqlalchemy import select, update

    from careapp.assessments.models import Assessment
    from careapp.assessments.services import questionnaire_of_campaign
    from careapp.auth.models import User
    from careapp.auth.passwords import hash_password
    from careapp.benchdata.users import DOMAIN, create_users
    from careapp.db import db
    from careapp.organisations.models import Establishment

    password, secret = "Bench-" + secrets.token_urlsafe(18), pyotp.random_base32()
    with app.app_context():
        emails = {"rssi": f"rssi-0@{DOMAIN}", "ars": f"ars-11-0@{DOMAIN}",
                  "national": f"national-0@{DOMAIN}"}
        # Columns only: the stored TOTP secrets were encrypted under another run's key.
        if db.session.scalar(select(User.id).filter_by(email=emails["national"])) is None:
            create_users(1, password, secret)
        db.session.execute(update(User).where(User.email.in_(emails.values()))
                           .values(password_hash=hash_password(password), totp_secret=secret))
        establishment_id = db.session.scalar(
            select(Establishment.id).select_from(User).join(User.establishments)
            .where(User.email == emails["rssi"]))
        assessment = db.session.scalar(
            select(Assessment).where(Assessment.establishment_id == establishment_id)
            .order_by(Assessment.id.desc()))
        sections = questionnaire_of_campaign(assessment.campaign).sections
        found = assessment.id, sections[min(3, len(sections) - 1)].id
        db.session.commit()
    return emails, found[0], found[1], password, secret


def _timed(call: Any, runs: int) -> list[float]:
    call()  # warm-up: templates compiled, caches filled
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def measure(db_url: str, runs: int) -> dict[str, list[float]]:
    """Each page's times (ms) with the careapp importable from sys.path."""
    from cryptography.fernet import Fernet

    from careapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "ENV_NAME": "development",
                      "SECRET_KEY": secrets.token_hex(32),
                      "TOTP_KEYS": Fernet.generate_key().decode()})
    emails, assessment_id, section_id, password, secret = _accounts(app)
    ars = _login(app, emails["ars"], password, secret)
    national = _login(app, emails["national"], password, secret)
    rssi = _login(app, emails["rssi"], password, secret)
    section_url = f"/evaluations/{assessment_id}/sections/{section_id}"

    def get(client: Any, url: str) -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: {response.status_code}")
        return response

    counter = iter(range(10**9))

    def save() -> None:
        html = get(rssi, section_url).get_data(as_text=True)
        form = _form_fields(html)
        comment = next((k for k in form if k.endswith("comment")), None)
        if comment:
            form[comment] = f"banc d'essai {next(counter)}"
        response = rssi.post(section_url, data=form)
        if response.status_code != 302:
            raise SystemExit(f"POST {section_url}: {response.status_code}")

    def save_only() -> list[float]:
        save()  # warm-up
        out = []
        for _ in range(runs):
            html = get(rssi, section_url).get_data(as_text=True)
            form = _form_fields(html)
            comment = next((k for k in form if k.endswith("comment")), None)
            if comment:
                form[comment] = f"banc d'essai {next(counter)}"
            start = time.perf_counter()
            response = rssi.post(section_url, data=form)
            out.append((time.perf_counter() - start) * 1000)
            if response.status_code != 302:
                raise SystemExit(f"POST {section_url}: {response.status_code}")
        return out

    return {
        PAGES[0]: _timed(lambda: get(ars, "/region/?code=11"), runs),
        PAGES[1]: _timed(lambda: get(national, "/region/"), runs),
        PAGES[2]: _timed(lambda: get(rssi, section_url), runs),
        PAGES[3]: save_only(),
    }


FIELD_RE = re.compile(r'<(input|textarea|select)\b([^>]*)>(.*?)(?=<(?:input|textarea|select)\b|$)',
                      re.S)
ATTR_RE = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def _form_fields(html: str) -> dict[str, Any]:
    """The section form's fields as a browser would post them (checked boxes and radios,
    selected options, textareas' text)."""
    import html as htmllib

    start = html.find('class="section-form"')
    body = html[start:] if start >= 0 else html
    body = body[:body.find("</form>")]
    data: dict[str, Any] = {}
    for tag, attrs_text, rest in FIELD_RE.findall(body):
        attrs = {k: htmllib.unescape(v or "") for k, v in ATTR_RE.findall(attrs_text)}
        name = attrs.get("name")
        if not name:
            continue
        if tag == "textarea":
            data[name] = htmllib.unescape(rest[:rest.find("</textarea>")])
        elif tag == "select":
            chosen = re.search(r'<option value="([^"]*)"[^>]*selected', rest)
            data[name] = htmllib.unescape(chosen.group(1)) if chosen else ""
        elif attrs.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                data.setdefault(name, []).append(attrs.get("value", "on"))
        elif attrs.get("type") not in ("submit", "button"):
            data[name] = attrs.get("value", "")
    return data


def _export(rev: str, target: Path) -> str:
    """The committed tree of `rev` (its code and questionnaires) into `target`; its short id."""
    commit = subprocess.run(["git", "rev-parse", "--short", f"{rev}^{{commit}}"],  # noqa: S603, S607
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "archive", commit, "careapp", "questionnaires"],  # noqa: S603, S607
                             cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)  # noqa: S603, S607
    return commit


def _child(tree: Path, db_url: str, runs: int) -> dict[str, list[float]]:
    """measure() in a fresh interpreter importing careapp from `tree`."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--db", db_url,  # noqa: S603
                        "--runs", str(runs), "--json", out.name], check=True, cwd=tree,
                       env={**os.environ, "PYTHONPATH": str(tree)})
        return json.loads(Path(out.name).read_text())


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return f"{statistics.median(ordered):.0f} ({p90:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a bench-data database")
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page and round")
    parser.add_argument("--compare", metavar="REV",
                        help="also measure the committed tree of REV (git archive)")
    parser.add_argument("--after", metavar="REV",
                        help="with --compare: measure the committed tree of REV instead of the "
                             "working tree (which may hold other people's unfinished changes)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds with --compare")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # a child's output file
    args = parser.parse_args()
    if args.json:
        Path(args.json).write_text(json.dumps(measure(args.db, args.runs)))
        return
    if not args.compare:
        results = measure(args.db, args.runs)
        print("| page | median ms (p90) |\n|---|---:|")
        for page in PAGES:
            print(f"| {page} | {_summary(results[page])} |")
        return
    with tempfile.TemporaryDirectory(prefix="bench_pages_") as tmp:
        before_tree, after_tree = Path(tmp) / "before", Path(tmp) / "after"
        before_tree.mkdir()
        commit = _export(args.compare, before_tree)
        label = "this working tree"
        if args.after:
            after_tree.mkdir()
            label = _export(args.after, after_tree)
        else:
            after_tree = ROOT
        before: dict[str, list[float]] = {p: [] for p in PAGES}
        after: dict[str, list[float]] = {p: [] for p in PAGES}
        for _ in range(args.rounds):
            for tree, into in ((before_tree, before), (after_tree, after)):
                for page, times in _child(tree, args.db, args.runs).items():
                    into[page] += times
    print(f"| page | before ({commit}) median ms (p90) | after ({label}) median ms (p90) |")
    print("|---|---:|---:|")
    for page in PAGES:
        print(f"| {page} | {_summary(before[page])} | {_summary(after[page])} |")


if __name__ == "__main__":
    main()
