"""The operator console in a real browser (Debian's headless Chromium through Selenium): an
operator signs in, switches a rule off, sets a param wrong then right, rolls back, runs a what-if
and replays an event. Each page's screenshot goes to docs/console/ for docs/operator.md.

Chromium must start: if it can't, these tests fail (they never skip)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from console_support import CONFIG, PASSWORD, ROOT, Server, make_config, make_logs, start_console
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

SHOTS = ROOT / "docs" / "console"
WIDTH = 1280
SHOT_NAMES = {
    "signin",
    "rules",
    "rules-error",
    "history",
    "rollback",
    "whatif",
    "whatif-running",
    "whatif-result",
    "replay",
    "fleet",
}


def chromium() -> webdriver.Chrome:
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WIDTH},900",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(20)  # a page just submitted may still be loading (a busy machine)
    return driver


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    driver = chromium()  # no skip: a browser that can't start fails the run
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("console")
    config = make_config(folder)
    logs = make_logs(folder / "logs")
    server = start_console(config, "--events-dir", str(logs), "--threads", "2")
    yield server
    server.stop()


def shot(driver: webdriver.Chrome, name: str) -> None:
    """A screenshot of the whole page (up to 2,400 px tall) into docs/console/NAME.png."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, min(max(height, 600), 2400))
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert name in SHOT_NAMES  # and so shown in docs/operator.md (the last test checks)
    assert driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(WIDTH, 900)


def wait(driver: webdriver.Chrome, condition, seconds: float = 60):
    return WebDriverWait(driver, seconds).until(condition)


def sign_in(driver: webdriver.Chrome, url: str, name: str = "alice") -> None:
    driver.get(url + "/rules")
    assert "/signin" in driver.current_url
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "signin").click()
    try:
        wait(driver, ec.presence_of_element_located((By.ID, "operator")))
    except Exception:
        print(driver.current_url, driver.page_source[:3000])
        raise


def visit(driver: webdriver.Chrome, server: Server, path: str) -> None:
    """Opens a page, signing in first when needed (consoles on other ports share the cookie)."""
    driver.get(server.url + path)
    if "/signin" in driver.current_url:
        sign_in(driver, server.url)
        driver.get(server.url + path)


def config_of(server: Server) -> dict:
    return json.loads(server.config.read_text())


def rule_box(driver: webdriver.Chrome, rule: str):
    return driver.find_element(By.CSS_SELECTOR, f'article[data-rule="{rule}"]')


def test_sign_in_page_then_rules(browser, console) -> None:
    browser.delete_all_cookies()
    browser.get(console.url + "/rules")
    assert "/signin" in browser.current_url
    shot(browser, "signin")
    browser.find_element(By.ID, "name").send_keys("alice")
    browser.find_element(By.ID, "password").send_keys("wrong password")
    browser.find_element(By.ID, "signin").click()
    assert "Wrong name or password" in browser.find_element(By.ID, "signin-error").text
    sign_in(browser, console.url)
    assert browser.current_url.endswith("/rules")
    assert browser.find_element(By.ID, "operator").text == "alice"
    window = rule_box(browser, "returns.window")
    assert (
        window.find_element(By.CSS_SELECTOR, "[data-param='returns.window.days']").get_attribute(
            "value"
        )
        == "365"
    )
    assert "in 0..3650" in window.text or "in 1..3650" in window.text or " in " in window.text


def test_switch_a_rule_off(browser, console) -> None:
    visit(browser, console, "/rules")
    box = rule_box(browser, "returns.free_return_shipping")
    assert box.find_element(By.CSS_SELECTOR, "[data-state]").text == "on"
    box.find_element(By.CSS_SELECTOR, "[data-switch='returns.free_return_shipping']").click()
    wait(browser, ec.presence_of_element_located((By.ID, "saved")))
    box = rule_box(browser, "returns.free_return_shipping")
    assert box.find_element(By.CSS_SELECTOR, "[data-state]").text == "off"
    rules = config_of(console)["plugins"]["returns"]["rules"]
    assert rules["free_return_shipping"]["enabled"] is False
    audit = (console.config.parent / "store.json.audit.jsonl").read_text().splitlines()
    last = json.loads(audit[-1])
    assert last["user"] == "alice"
    assert last["command"] == "disable returns.free_return_shipping"


def set_param(browser, param: str, value: str, message: str = "") -> None:
    field = browser.find_element(By.CSS_SELECTOR, f"[data-param='{param}']")
    field.clear()
    field.send_keys(value)
    form = field.find_element(By.XPATH, "./ancestor::form")
    if message:
        form.find_element(By.NAME, "message").send_keys(message)
    form.find_element(By.CSS_SELECTOR, f"[data-save='{param}']").click()


def test_a_param_out_of_range_shows_the_clis_message_and_changes_nothing(
    browser, console, tmp_path
) -> None:
    visit(browser, console, "/rules")
    before = console.config.read_bytes()
    set_param(browser, "returns.window.days", "99999")
    error = wait(
        browser,
        ec.presence_of_element_located((By.CSS_SELECTOR, "[data-error='returns.window.days']")),
    )
    assert console.config.read_bytes() == before
    # The same edit through the command line fails with the same message.
    copy = tmp_path / "store.json"
    copy.write_bytes(before)
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "shoprules",
            "set",
            "returns.window.days",
            "99999",
            "--config",
            str(copy),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1
    cli_message = r.stderr.strip().split(": ", 1)[1]
    assert cli_message.endswith(error.text.split(": ", 1)[1])
    assert "99999" in error.text
    value = browser.find_element(By.CSS_SELECTOR, "[data-param='returns.window.days']")
    assert value.get_attribute("value") == "99999"  # what was typed stays, to correct it
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", error)
    shot(browser, "rules-error")


def test_a_param_set_right_makes_a_new_version(browser, console) -> None:
    visit(browser, console, "/rules")
    set_param(browser, "returns.window.days", "60", "winter sale ends")
    saved = wait(browser, ec.presence_of_element_located((By.ID, "saved")))
    assert "version 3" in saved.text  # 1: the file as first seen, 2: the switch, 3: this
    assert config_of(console)["plugins"]["returns"]["rules"]["window"]["days"] == 60
    field = browser.find_element(By.CSS_SELECTOR, "[data-param='returns.window.days']")
    assert field.get_attribute("value") == "60"
    browser.execute_script("window.scrollTo(0, 0)")
    shot(browser, "rules")


def test_a_store_has_its_own_tab(browser, console) -> None:
    visit(browser, console, "/rules")
    browser.find_element(By.LINK_TEXT, "outlet").click()
    field = browser.find_element(By.CSS_SELECTOR, "[data-param='returns.window.days']")
    assert field.get_attribute("value") == "30"


def test_history_shows_versions_and_rolls_back_after_a_confirmation(browser, console) -> None:
    visit(browser, console, "/history")
    rows = browser.find_elements(By.CSS_SELECTOR, "#versions > tbody > tr")
    assert [r.get_attribute("data-version") for r in rows] == ["3", "2", "1"]
    assert "in force" in rows[0].text and "alice" in rows[0].text
    assert "winter sale ends" in rows[0].text
    assert "/plugins/returns/rules/window/days" in rows[0].text
    shot(browser, "history")
    browser.find_element(By.NAME, "a").send_keys("1")
    browser.find_element(By.NAME, "b").send_keys("3")
    browser.find_element(By.CSS_SELECTOR, "form.compare button").click()
    compare = wait(browser, ec.presence_of_element_located((By.ID, "compare"))).text
    assert "/plugins/returns/rules/window/days" in compare
    assert "/plugins/returns/rules/free_return_shipping/enabled" in compare
    rows = browser.find_elements(By.CSS_SELECTOR, "#versions > tbody > tr")
    rows[2].find_element(By.CSS_SELECTOR, "[data-rollback='1']").click()
    patch = browser.find_element(By.ID, "rollback-patch").text
    assert "/plugins/returns/rules/window/days" in patch
    assert "/plugins/returns/rules/free_return_shipping/enabled" in patch
    assert config_of(console)["plugins"]["returns"]["rules"]["window"]["days"] == 60  # not yet
    shot(browser, "rollback")
    browser.find_element(By.ID, "confirm-rollback").click()
    saved = wait(browser, ec.presence_of_element_located((By.ID, "saved")))
    assert "version 4" in saved.text
    rules = config_of(console)["plugins"]["returns"]["rules"]
    assert rules["window"]["days"] == 365
    assert rules["free_return_shipping"]["enabled"] is True
    top = browser.find_element(By.CSS_SELECTOR, "#versions > tbody > tr")
    assert top.get_attribute("data-version") == "4" and "alice" in top.text


def test_what_if_runs_in_the_background_and_shows_the_difference(browser, console) -> None:
    visit(browser, console, "/rules")
    # The rule's "What if?" fills the what-if page with the config in force plus that change.
    box = rule_box(browser, "returns.free_return_shipping")
    box.find_element(By.CSS_SELECTOR, "form.switch button.secondary").click()
    proposed = json.loads(browser.find_element(By.ID, "proposed").get_attribute("value"))
    assert proposed["plugins"]["returns"]["rules"]["free_return_shipping"]["enabled"] is False
    assert config_of(console)["plugins"]["returns"]["rules"]["free_return_shipping"]["enabled"]
    Select(browser.find_element(By.ID, "log")).select_by_visible_text("season.jsonl")
    label = browser.find_element(By.NAME, "label_cost")
    label.clear()
    label.send_keys("595")
    shot(browser, "whatif")
    browser.find_element(By.ID, "run-whatif").click()
    state = wait(browser, ec.presence_of_element_located((By.ID, "state")), 60)
    assert state.text.startswith("Done:")
    rows = browser.find_elements(By.CSS_SELECTOR, "#by-action tbody tr")
    diffs = [abs(int(r.get_attribute("data-diff"))) for r in rows]
    assert diffs == sorted(diffs, reverse=True) and diffs[0] > 0
    # Proposed: no prepaid labels, so 595 less per label than the config in force.
    label_row = [r for r in rows if r.get_attribute("data-key") == "return.approve"]
    assert label_row and int(label_row[0].get_attribute("data-diff")) < 0
    sentences = browser.find_element(By.ID, "sentences").text
    assert (
        "return.approve: proposed would have cost" in sentences
        and "less than in force" in sentences
    )
    charts = browser.find_elements(By.CSS_SELECTOR, "figure.chart svg[role='img'] rect")
    assert {c.get_attribute("fill") for c in charts} == {"#2f6fce", "#e07b24"}
    shot(browser, "whatif-result")
    # The same numbers as `shoprules simulate --against`, proposed first.
    job = browser.current_url.rsplit("/", 1)[1]
    assert job.isdigit()


def test_a_long_what_if_shows_progress_and_can_be_cancelled(browser, tmp_path) -> None:
    """A what-if whose rule sleeps 1 ms an event, over 9,000 events on two threads: it would run
    for 4.5 s at least; the page follows it, and Cancel stops it. (Events padded to 3 kB, so that
    each 1 MiB chunk the workers take is short, and a cancel is heard soon.)"""
    from console_support import plugin_folder

    logs = make_logs(tmp_path / "logs")
    events = [json.loads(line) for line in (logs / "season.jsonl").read_text().splitlines()]
    padded = "".join(json.dumps({**e, "memo": "m" * 3000}) + "\n" for e in events[:100])
    (logs / "long.jsonl").write_text(padded * 90)
    config = make_config(tmp_path)
    testkit = str(plugin_folder("testkit"))
    server = start_console(
        config, "--events-dir", str(logs), "--plugin-dir", testkit, "--threads", "2"
    )
    try:
        visit(browser, server, "/whatif")
        proposed = json.loads(json.dumps(CONFIG))
        proposed["plugins"]["testkit"] = {"rules": {"slow": {"enabled": True, "ms": 1}}}
        browser.execute_script(
            "arguments[0].value = arguments[1]",
            browser.find_element(By.ID, "proposed"),
            json.dumps(proposed, indent=2),
        )
        Select(browser.find_element(By.ID, "log")).select_by_visible_text("long.jsonl")
        browser.find_element(By.ID, "run-whatif").click()
        bar = wait(browser, ec.presence_of_element_located((By.ID, "progress")))
        assert bar.tag_name == "progress"
        # The page's script polls the run and writes the share done (the server's text has none).
        wait(browser, ec.text_to_be_present_in_element((By.ID, "progress-text"), "%)"))
        shot(browser, "whatif-running")
        browser.find_element(By.ID, "cancel").click()
        state = wait(browser, ec.presence_of_element_located((By.ID, "state")), 60)
        assert state.text.startswith("Cancelled after")
        assert 'id="by-action"' not in browser.page_source  # no result table
        assert json.loads(config.read_text()) == CONFIG  # a what-if never saves
    finally:
        server.stop()


def test_replay_an_event_picked_from_a_log(browser, console) -> None:
    visit(browser, console, "/replay")
    Select(browser.find_element(By.ID, "pick-log")).select_by_visible_text("season.jsonl")
    browser.find_element(By.ID, "list-events").click()
    picks = browser.find_elements(By.CSS_SELECTOR, "#picks tbody tr")
    assert len(picks) == 20 and "02-return" not in picks[0].text
    browser.find_element(By.CSS_SELECTOR, "[data-line='2']").click()
    event = json.loads(browser.find_element(By.ID, "event").get_attribute("value"))
    assert event["type"] == "return.requested"
    browser.find_element(By.ID, "replay").click()
    actions = browser.find_element(By.ID, "actions").text
    assert "return.approve" in actions and "refund.issue" in actions
    trace = browser.find_elements(By.CSS_SELECTOR, "#trace tbody tr")
    assert any("returns.window" in t.text and "fired" in t.text for t in trace)
    shot(browser, "replay")


def test_replay_a_pasted_event_and_a_bad_one(browser, console) -> None:
    visit(browser, console, "/replay")
    box = browser.find_element(By.ID, "event")
    box.send_keys("{not json")
    browser.find_element(By.ID, "replay").click()
    error = wait(browser, ec.presence_of_element_located((By.ID, "replay-error")))
    assert "not valid JSON" in error.text
    event = (ROOT / "examples" / "events" / "01-order-placed.json").read_text()
    box = browser.find_element(By.ID, "event")
    box.clear()
    browser.execute_script("arguments[0].value = arguments[1]", box, event)
    browser.find_element(By.ID, "replay").click()
    wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "#trace tbody tr")))


def test_fleet_on_a_file_config_says_it_needs_a_store(browser, console) -> None:
    visit(browser, console, "/fleet")
    assert "needs a config store" in browser.find_element(By.ID, "fleet-needs-store").text


def test_on_a_store_fleet_scheduled_versions_and_edits_by_name(browser, pg) -> None:
    import shoprules
    from shoprules.configs import open_source
    from shoprules.console.auth import hash_password
    from test_config_store import new_store

    url = new_store(pg, config=CONFIG)
    source = open_source(url)
    source.operators.set("carol", hash_password(PASSWORD))
    at = datetime.now(timezone.utc) + timedelta(days=2)
    source.edit(
        ["plugins", "delight", "enabled"],
        False,
        command="disable delight",
        author="carol",
        message="quiet week",
        at=at,
    )
    host = shoprules.Host(config=url, check_seconds=60)  # a process that reports to the fleet
    server = start_console(url)
    try:
        sign_in(browser, server.url, "carol")
        browser.get(server.url + "/fleet")
        rows = browser.find_elements(By.CSS_SELECTOR, "#fleet tbody tr")
        assert any(str(os.getpid()) in r.text and "v1" in r.text for r in rows)
        shot(browser, "fleet")
        browser.get(server.url + "/history")
        top = browser.find_element(By.CSS_SELECTOR, "#versions > tbody > tr")
        assert top.get_attribute("data-version") == "2" and "scheduled" in top.text
        browser.get(server.url + "/rules")
        rule_box(browser, "returns.window").find_element(
            By.CSS_SELECTOR, "[data-switch='returns.window']"
        ).click()
        wait(browser, ec.presence_of_element_located((By.ID, "saved")))
        latest = source.history(1)[0]
        assert latest.number == 3 and latest.author == "carol"
        assert latest.config["plugins"]["returns"]["rules"]["window"]["enabled"] is False
        # A param change scheduled for later: refused for a time past, then made a version to come.
        for when, ok in (
            ("2001-01-01T00:00:00Z", False),
            ((at + timedelta(days=1)).isoformat(), True),
        ):
            field = browser.find_element(By.CSS_SELECTOR, "[data-at='returns.window.days']")
            field.clear()
            field.send_keys(when)
            set_param(browser, "returns.window.days", "45")
            if ok:
                wait(browser, ec.presence_of_element_located((By.ID, "saved")))
            else:
                error = wait(
                    browser,
                    ec.presence_of_element_located(
                        (By.CSS_SELECTOR, "[data-error='returns.window.days']")
                    ),
                )
                assert "in the past" in error.text
                assert source.history(1)[0].number == 3
        latest = source.history(1)[0]
        assert latest.number == 4 and latest.scheduled and not latest.in_force
        assert latest.config["plugins"]["returns"]["rules"]["window"]["days"] == 45
        assert source.in_force().number == 1
    finally:
        server.stop()
        host.close()
        source.close()
        browser.delete_all_cookies()


def test_sign_out_ends_the_session(browser, console) -> None:
    visit(browser, console, "/rules")
    browser.find_element(By.CSS_SELECTOR, "form.signout button").click()
    wait(browser, ec.presence_of_element_located((By.ID, "signin")))
    browser.get(console.url + "/history")
    assert "/signin" in browser.current_url


def test_markup_from_a_plugin_and_an_event_shows_as_text(browser, tmp_path) -> None:
    from console_support import plugin_folder

    config = make_config(tmp_path)
    server = start_console(config, "--plugin-dir", str(plugin_folder("hostile")))
    try:
        sign_in(browser, server.url)
        box = rule_box(browser, "hostile.shout")
        description = box.find_element(By.CSS_SELECTOR, "[data-description]")
        assert description.text == '<script>window.pwned=1</script>"onmouseover="window.pwned=2"'
        ActionChains(browser).move_to_element(description).perform()
        assert box.find_element(By.CSS_SELECTOR, ".param-description").text.startswith(
            "<b>bold</b>"
        )
        browser.get(server.url + "/replay")
        event = json.loads((ROOT / "examples/events/01-order-placed.json").read_text())
        event["id"] = '<img src=x onerror="window.pwned=6">'
        browser.execute_script(
            "arguments[0].value = arguments[1]",
            browser.find_element(By.ID, "event"),
            json.dumps(event),
        )
        browser.find_element(By.ID, "replay").click()
        reasons = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#actions td.reason")]
        assert any(r.startswith('<script>window.pwned=1</script>"onmouseover=') for r in reasons)
        assert event["id"] in browser.find_element(By.CSS_SELECTOR, "#decision h2").text
        for el in browser.find_elements(By.CSS_SELECTOR, "#actions td.reason"):
            ActionChains(browser).move_to_element(el).perform()
        assert browser.execute_script("return window.pwned === undefined")
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
    finally:
        server.stop()
        browser.delete_all_cookies()


def test_the_operator_page_shows_every_screenshot_these_tests_take() -> None:
    """docs/operator.md shows exactly the pages these tests take pictures of, and docs/console/
    holds nothing else, so the docs never show a page that no longer exists."""
    page = (ROOT / "docs" / "operator.md").read_text()
    shown = set(re.findall(r"!\[[^\]]*\]\(console/([\w-]+)\.png\)", page))
    on_disk = {p.stem for p in SHOTS.glob("*.png")}
    assert shown == on_disk == SHOT_NAMES
