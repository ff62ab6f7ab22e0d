"""The console's locks, tried over HTTP: no page or action without a session, no change without
the session's CSRF token, slower sign-in after five wrong passwords, cookies the page's scripts
can't read, and markup from plugins and events shown as text."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from console_support import PASSWORD, make_config, make_logs, plugin_folder, season_events
from shoprules.configs import open_source
from shoprules.console.app import SESSION_COOKIE, Console, create_app
from shoprules.console.auth import Signer, Throttle, hash_password, verify_password
from starlette.testclient import TestClient

PAGES = [
    "/",
    "/rules",
    "/history",
    "/history/rollback?to=1",
    "/whatif",
    "/replay",
    "/fleet",
    "/whatif/jobs/1",
]
CHANGES = [
    ("/rules/switch", {"plugin": "returns", "rule": "window", "enabled": "false"}),
    ("/rules/param", {"plugin": "returns", "rule": "window", "param": "days", "value": "30"}),
    ("/history/rollback", {"to": "1", "confirm": "yes"}),
    ("/whatif/run", {"log": "season.jsonl", "proposed": "{}"}),
    ("/whatif/jobs/1/publish", {}),
    ("/signout", {}),
]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(tmp_path: Path):
    config = make_config(tmp_path, operators=("alice", "bob"))
    logs = make_logs(tmp_path / "logs")
    source = open_source(config)
    clock = Clock()
    console = Console(source, events_dir=logs, throttle=Throttle(clock), threads=1)
    with TestClient(create_app(console), follow_redirects=False) as client:
        yield client, console, config, clock


def signin_form(client: TestClient) -> dict[str, str]:
    page = client.get("/signin").text
    return {
        "csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),
        "next": "/rules",
    }


def sign_in(client: TestClient, name: str = "alice", password: str = PASSWORD):
    return client.post("/signin", data={**signin_form(client), "name": name, "password": password})


def csrf_of(client: TestClient) -> str:
    page = client.get("/rules").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def state(config: Path) -> tuple[bytes, bytes]:
    versions = config.with_name(config.name + ".versions.jsonl")
    return config.read_bytes(), versions.read_bytes() if versions.exists() else b""


@pytest.mark.parametrize("page", PAGES)
def test_every_page_without_a_session_goes_to_sign_in(setup, page: str) -> None:
    client, *_ = setup
    r = client.get(page)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/signin?next=")


@pytest.mark.parametrize(("path", "form"), CHANGES)
def test_every_action_without_a_session_is_refused(setup, path: str, form: dict) -> None:
    client, _, config, _ = setup
    before = state(config)
    assert client.post(path, data=form).status_code == 401
    assert client.get("/api/whatif/jobs/1").status_code == 401
    assert state(config) == before


@pytest.mark.parametrize(("path", "form"), CHANGES)
def test_a_change_without_the_right_csrf_token_changes_nothing(
    setup, path: str, form: dict
) -> None:
    client, console, config, _ = setup
    with TestClient(client.app, follow_redirects=False) as other:
        assert sign_in(other, "bob").status_code == 303
        bobs = csrf_of(other)  # a real token, but of another session
    assert sign_in(client).status_code == 303
    assert bobs != csrf_of(client)
    before = state(config)
    for data in (dict(form), {**form, "csrf": "wrong"}, {**form, "csrf": bobs}):
        r = client.post(path, data=data)
        assert r.status_code == 403
        assert "CSRF" in r.text
        assert state(config) == before
        assert console.runner.jobs() == []
        assert client.get("/rules").status_code == 200  # still signed in: signout refused too


def test_the_right_csrf_token_is_heard(setup) -> None:
    client, _, config, _ = setup
    sign_in(client)
    r = client.post(
        "/rules/switch",
        data={"plugin": "returns", "rule": "window", "enabled": "false", "csrf": csrf_of(client)},
    )
    assert r.status_code == 303
    assert (
        json.loads(config.read_text())["plugins"]["returns"]["rules"]["window"]["enabled"] is False
    )


def test_a_csrf_token_in_the_header_is_heard_too(setup) -> None:
    client, _console, *_ = setup
    sign_in(client)
    r = client.post("/api/whatif/jobs/1/cancel", headers={"X-CSRF-Token": "nope"})
    assert r.status_code == 403
    r = client.post("/api/whatif/jobs/1/cancel", headers={"X-CSRF-Token": csrf_of(client)})
    assert r.status_code == 404  # heard: there is no such run


def test_sign_in_needs_the_forms_token(setup) -> None:
    client, *_ = setup
    r = client.post("/signin", data={"name": "alice", "password": PASSWORD, "csrf": "x"})
    assert r.status_code == 403
    assert SESSION_COOKIE not in r.cookies


def test_the_session_cookie_is_http_only_strict_and_expires(setup) -> None:
    client, *_ = setup
    r = sign_in(client)
    cookies = [v for k, v in r.headers.multi_items() if k == "set-cookie"]
    cookie = next(v for v in cookies if SESSION_COOKIE in v)
    flags = {f.strip().split("=")[0].lower(): f for f in cookie.split(";")}
    assert "httponly" in flags
    assert flags["samesite"].split("=")[1].strip().lower() == "strict"
    assert int(flags["max-age"].split("=")[1]) == 8 * 3600
    assert "secure" not in flags  # plain http on 127.0.0.1; --secure-cookies behind TLS


def test_secure_cookies_behind_tls(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    console = Console(open_source(config), secure_cookies=True, session_seconds=600)
    app = create_app(console)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        r = sign_in(client)
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and "session" in v)
        assert "Secure" in cookie and "Max-Age=600" in cookie


def test_an_expired_or_forged_session_is_not_one(setup) -> None:
    client, console, *_ = setup
    old = console.signer.session_cookie("alice", now=time.time() - 9 * 3600)
    client.cookies.set(SESSION_COOKIE, old)
    assert client.get("/rules").status_code == 303
    forged = Signer().session_cookie("alice")  # another key
    client.cookies.set(SESSION_COOKIE, forged)
    assert client.get("/rules").status_code == 303
    good = console.signer.session_cookie("alice")
    body, mac = good.split(".")
    client.cookies.set(SESSION_COOKIE, body[:-2] + "xx." + mac)
    assert client.get("/rules").status_code == 303
    client.cookies.set(SESSION_COOKIE, good)
    assert client.get("/rules").status_code == 200


def test_a_removed_operator_is_signed_out(setup) -> None:
    client, console, *_ = setup
    sign_in(client, "bob")
    assert client.get("/rules").status_code == 200
    console.source.operators.remove("bob")
    assert client.get("/rules").status_code == 303


def test_five_wrong_passwords_slow_further_tries(setup) -> None:
    client, _, _, clock = setup
    for _ in range(5):
        assert sign_in(client, password="guess").status_code == 401
    r = sign_in(client)  # the right password, too soon: not even checked
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert "Too many wrong passwords" in r.text
    clock.now += 1.5
    assert sign_in(client, password="guess").status_code == 401  # sixth wrong: now 2 s
    clock.now += 1.5
    assert sign_in(client).status_code == 429
    clock.now += 1
    assert sign_in(client).status_code == 303
    for _ in range(4):  # a right password clears the count
        assert sign_in(client, password="guess").status_code == 401
    assert sign_in(client).status_code == 303


def test_an_unknown_name_is_told_like_a_wrong_password(setup) -> None:
    client, *_ = setup
    r = sign_in(client, name="mallory")
    assert r.status_code == 401 and "Wrong name or password" in r.text


def test_passwords_are_salted_scrypt(tmp_path: Path) -> None:
    a, b = hash_password("secret"), hash_password("secret")
    assert a != b and a.startswith("scrypt$") and "secret" not in a
    assert verify_password("secret", a) and not verify_password("Secret", a)
    assert not verify_password("secret", None)
    config = make_config(tmp_path)
    stored = open_source(config).operators.get("alice")
    assert stored.startswith("scrypt$") and PASSWORD not in stored


def test_only_logs_in_the_events_dir_are_read(setup) -> None:
    client, *_ = setup
    sign_in(client)
    for name in ("../store.json", "/etc/passwd", "notes.txt", "season.jsonl/.."):
        r = client.get("/replay", params={"log": name})
        assert r.status_code == 400, name
        assert "no event log named" in r.text
    assert client.get("/replay", params={"log": "season.jsonl"}).status_code == 200
    # A Parquet log is offered to the what-if, not to the replay page (which picks by line).
    console = setup[1]
    (console.events_dir / "season.parquet").write_bytes(b"PAR1")
    assert "season.parquet" in client.get("/whatif").text
    assert "season.parquet" not in client.get("/replay").text
    assert client.get("/replay", params={"log": "season.parquet"}).status_code == 400


def test_pages_forbid_inline_scripts_and_framing(setup) -> None:
    client, *_ = setup
    r = client.get("/signin")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text  # only <script src=...>


def test_markup_from_plugins_and_events_is_escaped(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    source = open_source(config, plugin_dirs=[str(plugin_folder("hostile"))])
    console = Console(source, plugin_dirs=[str(plugin_folder("hostile"))])
    with TestClient(create_app(console), follow_redirects=False) as client:
        sign_in(client)
        page = client.get("/rules").text
        assert (
            "&lt;script&gt;window.pwned=1&lt;/script&gt;&#34;onmouseover=&#34;window.pwned=2"
            in page
        )
        assert "&lt;b&gt;bold&lt;/b&gt;" in page
        event = json.loads(
            Path(__file__).parents[2].joinpath("examples/events/01-order-placed.json").read_text()
        )
        event["id"] = '"onmouseover="x<script>'
        page = client.post(
            "/replay", data={"event": json.dumps(event), "csrf": csrf_of(client)}
        ).text
        assert "&#34;onmouseover=&#34;x&lt;script&gt;" in page
        for text in (page, client.get("/rules").text):
            assert "<script>window" not in text
            assert '"onmouseover=' not in text
            assert "<b>bold" not in text


def test_sign_in_goes_back_only_to_a_page_of_the_console(setup) -> None:
    client, *_ = setup
    for target, expected in (
        ("/history?a=1&b=2", "/history?a=1&b=2"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
    ):
        form = {**signin_form(client), "next": target, "name": "alice", "password": PASSWORD}
        r = client.post("/signin", data=form)
        assert r.status_code == 303 and r.headers["location"] == expected, target


def test_odd_log_requests_are_refused_not_crashes(setup) -> None:
    client, console, *_ = setup
    sign_in(client)
    with (console.events_dir / "season.jsonl").open("a") as log:
        log.write("{not json\n")
    for params in ({"line": "x"}, {"from": "-"}, {"line": "-3"}, {"line": "999999"}):
        r = client.get("/replay", params={"log": "season.jsonl", **params})
        assert r.status_code in (200, 400), params
    after_the_season = str(season_events() + 1)  # the line appended above
    r = client.get("/replay", params={"log": "season.jsonl", "line": after_the_season})
    assert r.status_code == 200 and "{not json" in r.text


def test_a_wrong_password_keeps_the_page_asked_for(setup) -> None:
    client, *_ = setup
    form = {**signin_form(client), "next": "/history", "name": "alice", "password": "guess"}
    page = client.post("/signin", data=form).text
    assert 'name="next" value="/history"' in page
