"""The console's web app: Starlette routes over a config source (`shoprules.configs`), Jinja2
pages with autoescaping, signed session cookies and a CSRF token on every changing request.

Every change goes through `source.edit`, `source.push` or `source.rollback`, under the name of
the operator who signed in: the console has no way of editing of its own."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import _core, report
from ..config_edit import InputError
from ..configs import parse_at
from ..host import Host
from .auth import Signer, Throttle, verify_password
from .whatif import Busy, Runner

HERE = Path(__file__).resolve().parent
CONSOLE_LOG_SUFFIXES = (".jsonl", ".jsonl.gz", ".parquet")
SESSION_COOKIE = "shoprules_session"
SIGNIN_COOKIE = "shoprules_signin"
MAX_BODY = 2 * 1024 * 1024  # a config is at most 1 MiB; its form encoding a little more
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
STATIC = {
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
}
PROPOSED_COLOUR, IN_FORCE_COLOUR = "#2f6fce", "#e07b24"


class HTTPError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _parse_value(text: str) -> Any:
    """As the CLI's `set`: a JSON value if the text is one (30, 0.2, true), else the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


_LOCAL_PATH = re.compile(r"/(?![/\\])[\w\-./?=&%+]*")


def _local(target: str) -> str:
    """Where to go after signing in: a path of this console only (never //host or /\\host)."""
    return target if _LOCAL_PATH.fullmatch(target) else "/"


def _json_error(text: str, what: str) -> str | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return f"{what}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
    return None


class Console:
    """One console over one config source."""

    def __init__(
        self,
        source: Any,
        *,
        plugin_dirs: list[str] | None = None,
        events_dir: str | Path | None = None,
        session_seconds: float = 8 * 3600,
        secure_cookies: bool = False,
        threads: int = 0,
        signer: Signer | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.source = source
        self.plugin_dirs = plugin_dirs
        self.events_dir = Path(events_dir).resolve() if events_dir else None
        self.signer = signer or Signer(max_age=session_seconds)
        self.throttle = throttle or Throttle()
        self.secure_cookies = secure_cookies
        self.runner = Runner(plugin_dirs, threads)
        self._source_lock = threading.Lock()
        self._hosts: dict[str, Host] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["money"] = report.money
        self.env.filters["money_text"] = report.money_text
        self.env.filters["json"] = lambda v: json.dumps(v, ensure_ascii=False)
        self.env.filters["when"] = lambda t: t.strftime("%Y-%m-%d %H:%M:%S UTC") if t else ""
        self.env.filters["q"] = lambda s: quote(str(s), safe="")

    # -- plumbing ---------------------------------------------------------------------------

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Runs a (blocking) source call on a worker thread, one at a time: a store source holds
        one database connection."""

        def locked() -> Any:
            with self._source_lock:
                return fn(*args, **kwargs)

        return await run_in_threadpool(locked)

    def host_for(self, config: dict[str, Any]) -> Host:
        """A host on `config`, kept for the few configs last asked for (a version's config is
        read again and again: the Rules and Replay pages)."""
        key = json.dumps(config, sort_keys=True)
        host = self._hosts.get(key)
        if host is None:
            host = Host(config=config, plugin_dirs=self.plugin_dirs)
            if len(self._hosts) > 8:
                self._hosts.clear()
            self._hosts[key] = host
        return host

    def logs(self, lines: bool = False) -> list[str]:
        """The event logs the console may read: the .jsonl, .jsonl.gz and .parquet files
        directly in --events-dir; with `lines`, only the plain JSON-lines ones (the replay page
        picks events by line)."""
        if self.events_dir is None or not self.events_dir.is_dir():
            return []
        suffixes = (".jsonl",) if lines else CONSOLE_LOG_SUFFIXES
        return sorted(
            p.name for p in self.events_dir.iterdir() if p.is_file() and p.name.endswith(suffixes)
        )

    def log_path(self, name: str, lines: bool = False) -> Path:
        """The log of that name, only if it is one of `logs(lines)`: never a path from the
        client."""
        if name not in self.logs(lines):
            raise HTTPError(400, f"no event log named {name!r} in the console's --events-dir")
        assert self.events_dir is not None
        return self.events_dir / name

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        session = request.scope.get("console_session")
        page = self.env.get_template(template).render(
            operator=session.operator if session else None,
            csrf=self.signer.csrf_token(session.nonce) if session else "",
            source_label=self.source.label,
            source_kind=self.source.kind,
            path=request.url.path,
            **context,
        )
        return HTMLResponse(page, status_code=status)

    async def form(self, request: Request) -> dict[str, str]:
        body = await request.body()
        if len(body) > MAX_BODY:
            raise HTTPError(413, "request too large")
        ctype = request.headers.get("content-type", "").split(";")[0].strip()
        if ctype not in ("application/x-www-form-urlencoded", ""):
            raise HTTPError(415, "expected a form (application/x-www-form-urlencoded)")
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise HTTPError(400, "the form is not UTF-8") from None

    # -- sessions ---------------------------------------------------------------------------

    def guard(
        self, handler: Callable[..., Awaitable[Response]], *, api: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        """Wraps a route: no session -> sign-in (pages) or 401 (API); a changing request (POST)
        without the session's CSRF token -> 403, before the handler runs."""

        async def endpoint(request: Request) -> Response:
            try:
                session = self.signer.session(request.cookies.get(SESSION_COOKIE))
                if session is not None:
                    stored = await self.call(self.source.operators.get, session.operator)
                    if stored is None:  # removed since signing in
                        session = None
                if session is None:
                    if api or request.method != "GET":
                        return JSONResponse({"error": "sign in first"}, status_code=401)
                    target = request.url.path + (
                        f"?{request.url.query}" if request.url.query else ""
                    )
                    return RedirectResponse(f"/signin?next={quote(target, safe='')}", 303)
                request.scope["console_session"] = session
                form: dict[str, str] = {}
                if request.method == "POST":
                    form = await self.form(request)
                    token = request.headers.get("x-csrf-token") or form.get("csrf")
                    if not self.signer.check_csrf(session.nonce, token):
                        return self.error(
                            request, 403, "Missing or wrong CSRF token: nothing was changed.", api
                        )
                return await handler(request, session, form)
            except HTTPError as error:
                return self.error(request, error.status, str(error), api)

        return endpoint

    def error(self, request: Request, status: int, message: str, api: bool = False) -> Response:
        if api or "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": message}, status_code=status)
        return self.render(request, "error.html", status, message=message)

    def _set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.secure_cookies,
        )

    async def signin_page(
        self, request: Request, message: str = "", status: int = 200, nxt: str | None = None
    ) -> Response:
        nonce = self.signer.sign({"t": time.time(), "n": secrets.token_urlsafe(16)})
        payload = self.signer.unsign(nonce)
        assert payload is not None
        names = await self.call(self.source.operators.names)
        if nxt is None:
            nxt = request.query_params.get("next", "/")
        response = self.render(
            request,
            "signin.html",
            status,
            signin_csrf=self.signer.csrf_token(payload["n"]),
            next=_local(nxt),
            message=message,
            no_operators=not names,
        )
        self._set_cookie(response, SIGNIN_COOKIE, nonce, 3600)
        return response

    async def signin(self, request: Request) -> Response:
        if request.method == "GET":
            return await self.signin_page(request)
        try:
            form = await self.form(request)
        except HTTPError as error:
            return self.error(request, error.status, str(error))
        pre = self.signer.unsign(request.cookies.get(SIGNIN_COOKIE))
        if pre is None or not self.signer.check_csrf(str(pre.get("n", "")), form.get("csrf")):
            return await self.signin_page(
                request, "The sign-in form expired or was not ours: try again.", 403
            )
        name = form.get("name", "").strip()
        client = request.client.host if request.client else "?"
        keys = (f"name:{name}", f"addr:{client}")
        wait = self.throttle.wait(*keys)
        if wait > 0:
            response = await self.signin_page(
                request,
                f"Too many wrong passwords: try again in {int(wait) + 1} s.",
                429,
            )
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        stored = await self.call(self.source.operators.get, name) if name else None
        ok = await run_in_threadpool(verify_password, form.get("password", ""), stored)
        if not ok:
            self.throttle.failed(*keys)
            return await self.signin_page(
                request, "Wrong name or password.", 401, form.get("next", "/")
            )
        self.throttle.succeeded(*keys)
        response = RedirectResponse(_local(form.get("next", "/")), 303)
        self._set_cookie(
            response, SESSION_COOKIE, self.signer.session_cookie(name), int(self.signer.max_age)
        )
        response.delete_cookie(SIGNIN_COOKIE, path="/")
        return response

    async def signout(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        response = RedirectResponse("/signin", 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- rules ------------------------------------------------------------------------------

    def _stores(self, config: dict[str, Any]) -> list[str]:
        stores = config.get("stores")
        return sorted(stores) if isinstance(stores, dict) else []

    async def rules(
        self,
        request: Request,
        session: Any,
        form: dict[str, str],
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status: int = 200,
        store: str | None = None,
    ) -> Response:
        history = await self.call(self.source.history, 2)
        latest = history[0]
        in_force = await self.call(self.source.in_force)
        if store is None:
            store = request.query_params.get("store", "")
        stores = self._stores(latest.config)
        if store and store not in stores:
            raise HTTPError(404, f"no store named {store!r} in the config")
        try:
            plugins, broken = self.host_for(latest.config).plugins(store=store or None), ""
        except _core.Error as error:  # a file broken by hand: roll it back on History
            plugins, broken = [], str(error)
        return self.render(
            request,
            "rules.html",
            status,
            plugins=plugins,
            broken=broken,
            stores=stores,
            store=store,
            latest=latest,
            in_force=in_force,
            errors=errors or {},
            values=values or {},
            saved=request.query_params.get("saved", ""),
        )

    async def rules_get(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        return await self.rules(request, session, form)

    def _keys(self, store: str, plugin: str, rule: str | None, last: str) -> list[str]:
        keys = ["stores", store] if store else []
        keys += ["plugins", plugin]
        if rule:
            keys += ["rules", rule]
        return [*keys, last]

    async def _edit(
        self,
        request: Request,
        session: Any,
        form: dict[str, str],
        keys: list[str],
        value: Any,
        command: str,
        default_of: Callable[[list[dict[str, Any]]], Any],
        field: str,
    ) -> Response:
        store = form.get("store", "")
        try:
            at = parse_at(form.get("at") or None)  # a scheduled version (stores only)
            result = await self.call(
                self.source.edit,
                keys,
                value,
                command=command + (f" --at {form['at']}" if at else ""),
                author=session.operator,
                message=form.get("message", ""),
                at=at,
                default_of=default_of,
            )
        except (_core.Error, InputError) as error:
            return await self.rules(
                request,
                session,
                form,
                errors={field: str(error)},
                values={field: form.get("value", "")},
                status=400,
                store=store,
            )
        anchor = quote(field, safe="")
        where = f"store={quote(store, safe='')}&" if store else ""
        return RedirectResponse(f"/rules?{where}saved={result.version.number}#{anchor}", 303)

    def _find_rule(self, plugins: list[dict[str, Any]], plugin: str, rule: str) -> dict[str, Any]:
        for p in plugins:
            if p["name"] == plugin:
                for r in p["rules"]:
                    if r["id"] == rule:
                        return r
        raise HTTPError(404, f"no rule {plugin}.{rule}")

    async def rules_switch(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        store, plugin, rule = form.get("store", ""), form.get("plugin", ""), form.get("rule", "")
        if not plugin:
            raise HTTPError(400, "which plugin?")
        enable = form.get("enabled") == "true"
        target = f"{plugin}.{rule}" if rule else plugin
        command = f"{'enable' if enable else 'disable'} {target}" + (
            f" --store {store}" if store else ""
        )

        # As the CLI: the value the config did not set is the plugin's default at the top
        # level, and what the store inherits in a store.
        def default_of(plugins: list[dict[str, Any]]) -> Any:
            if not rule:
                (p,) = [p for p in plugins if p["name"] == plugin]
                return p["enabled"] if store else True
            r = self._find_rule(plugins, plugin, rule)
            return r["enabled"] if store else r["enabled_by_default"]

        keys = self._keys(store, plugin, rule or None, "enabled")
        return await self._edit(request, session, form, keys, enable, command, default_of, target)

    async def rules_param(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        store, plugin, rule = form.get("store", ""), form.get("plugin", ""), form.get("rule", "")
        param, text = form.get("param", ""), form.get("value", "")
        if not (plugin and rule and param):
            raise HTTPError(400, "which plugin, rule and param?")
        target = f"{plugin}.{rule}.{param}"
        command = f"set {target} {text}" + (f" --store {store}" if store else "")
        which = "params" if store else "defaults"

        def default_of(plugins: list[dict[str, Any]]) -> Any:
            return self._find_rule(plugins, plugin, rule)[which].get(param)

        keys = self._keys(store, plugin, rule, param)
        return await self._edit(
            request, session, form, keys, _parse_value(text), command, default_of, target
        )

    # -- history ----------------------------------------------------------------------------

    async def history(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        versions = await self.call(self.source.history, 200)
        compare = None
        a, b = request.query_params.get("a"), request.query_params.get("b")
        if a and b:
            try:
                compare = (int(a), int(b), await self.call(self.source.diff, int(a), int(b)))
            except ValueError:
                raise HTTPError(400, "a and b must be version numbers") from None
            except Exception as error:
                raise HTTPError(404, str(error)) from None
        return self.render(
            request,
            "history.html",
            versions=versions,
            compare=compare,
            rolled=request.query_params.get("rolled", ""),
        )

    async def rollback(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        source = form if request.method == "POST" else dict(request.query_params)
        try:
            number = int(source.get("to", ""))
        except ValueError:
            raise HTTPError(400, "which version? (to=N)") from None
        try:
            target = await self.call(self.source.version, number)
        except Exception as error:
            raise HTTPError(404, str(error)) from None
        if request.method == "GET" or form.get("confirm") != "yes":
            latest = (await self.call(self.source.history, 1))[0]
            patch = await self.call(self.source.diff, latest.number, number)
            return self.render(request, "rollback.html", target=target, latest=latest, patch=patch)
        try:
            version = await self.call(
                self.source.rollback,
                number,
                author=session.operator,
                message=form.get("message", ""),
                at=parse_at(form.get("at") or None),
            )
        except (_core.Error, InputError) as error:  # e.g. a version that no longer validates
            raise HTTPError(400, str(error)) from None
        return RedirectResponse(f"/history?rolled={version.number}", 303)

    # -- what-if ----------------------------------------------------------------------------

    async def whatif_page(
        self,
        request: Request,
        proposed_text: str | None = None,
        error: str = "",
        status: int = 200,
        chosen_log: str = "",
        costs: tuple[str, str, str] = ("0", "0", "0"),
        busy: Any = None,
    ) -> Response:
        in_force = await self.call(self.source.in_force)
        if proposed_text is None:
            proposed_text = json.dumps(in_force.config, indent=2)
        return self.render(
            request,
            "whatif.html",
            status,
            in_force=in_force,
            proposed_text=proposed_text,
            error=error,
            logs=self.logs(),
            chosen_log=chosen_log,
            costs=costs,
            jobs=self.runner.jobs(),
            busy=busy,
            events_dir=self.events_dir,
        )

    async def whatif_get(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        return await self.whatif_page(request)

    async def whatif_draft(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        """The Rules page's "What if?": the latest config with that one change, not saved."""
        store, plugin, rule = form.get("store", ""), form.get("plugin", ""), form.get("rule", "")
        param = form.get("param", "")
        latest = (await self.call(self.source.history, 1))[0]
        config = json.loads(json.dumps(latest.config))
        node = config
        for key in self._keys(store, plugin, rule or None, param or "enabled")[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise HTTPError(400, "that part of the config is not an object")
        value: Any = _parse_value(form.get("value", "")) if param else form.get("enabled") == "true"
        node[param or "enabled"] = value
        return await self.whatif_page(request, json.dumps(config, indent=2))

    async def whatif_start(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        text = form.get("proposed", "")
        log_name = form.get("log", "")
        costs = (
            form.get("label_cost", "0"),
            form.get("pickup_cost", "0"),
            form.get("upgrade_cost", "0"),
        )

        async def again(error: str, status: int = 400, busy: Any = None) -> Response:
            return await self.whatif_page(request, text, error, status, log_name, costs, busy)

        bad = _json_error(text, "proposed config")
        if bad:
            return await again(bad)
        proposed = json.loads(text)
        if not isinstance(proposed, dict):
            return await again("proposed config: expected an object")
        try:
            money = tuple(int(c or "0") for c in costs)
        except ValueError:
            return await again("costs: whole minor units (cents), like 595")
        if any(c < 0 for c in money):
            return await again("costs: must not be negative")
        try:
            log = self.log_path(log_name)
        except HTTPError as error:
            return await again(str(error))
        try:
            await run_in_threadpool(
                _core.check_config, proposed, self.source.label, ".", self.plugin_dirs
            )
        except _core.ConfigError as error:
            return await again(str(error))
        in_force = await self.call(self.source.in_force)
        try:
            job = self.runner.start(
                log, proposed, in_force.config, in_force.number, session.operator, money
            )
        except Busy as busy:
            return await again(
                "Another what-if is running; wait for it or cancel it.", 409, busy.job
            )
        return RedirectResponse(f"/whatif/jobs/{job.id}", 303)

    def _job(self, request: Request) -> Any:
        job = self.runner.get(request.path_params["job"])
        if job is None:
            raise HTTPError(404, "no such what-if (the console keeps the last 20)")
        return job

    async def whatif_job(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        job = self._job(request)
        # The state first: the runner sets the result before it says "done", so a page that
        # reads "done" also finds the result (the job may finish while this page is drawn).
        state = job.state
        result = job.result if state == "done" else None
        view = whatif_view(result, job.in_force_version, job.log) if result else None
        return self.render(request, "whatif_job.html", job=job, state=state, view=view)

    async def whatif_status(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        job = self._job(request)
        status = job.status()
        if job.result is not None:
            status["result"] = job.result
        return JSONResponse(status)

    async def whatif_cancel(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        job = self._job(request)
        job.cancel.set()
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(job.status())
        return RedirectResponse(f"/whatif/jobs/{job.id}", 303)

    async def whatif_publish(
        self, request: Request, session: Any, form: dict[str, str]
    ) -> Response:
        job = self._job(request)
        if job.state != "done":
            raise HTTPError(409, "only a finished what-if can be published")
        try:
            version = await self.call(
                self.source.push,
                job.proposed,
                author=session.operator,
                message=form.get("message", "") or f"published after what-if {job.id} on {job.log}",
            )
        except (_core.Error, InputError) as error:
            raise HTTPError(400, str(error)) from None
        return RedirectResponse(f"/history?rolled={version.number}", 303)

    # -- replay -----------------------------------------------------------------------------

    def _log_lines(self, name: str, first: int, count: int) -> list[tuple[int, str]]:
        out = []
        with self.log_path(name, lines=True).open("rb") as f:
            for number, raw in enumerate(f, 1):
                if number >= first + count:
                    break
                if number >= first:
                    out.append((number, raw[: 1 << 20].decode("utf-8", "replace").strip()))
        return out

    async def replay(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        params = dict(request.query_params)
        text, error, decision, event_store = form.get("event", ""), "", None, ""
        log_name = params.get("log", "")
        picks: list[tuple[int, str, str]] = []
        if log_name:
            try:
                first = max(1, int(params.get("from", "1")))
                line_wanted = int(params["line"]) if "line" in params else None
            except ValueError:
                raise HTTPError(400, "from and line must be line numbers") from None
            lines = await run_in_threadpool(self._log_lines, log_name, first, 20)
            for number, line in lines:
                try:
                    ev = json.loads(line)
                    label = f"{ev.get('id', '?')}  {ev.get('type', '?')}  {ev.get('at', '')}"
                except (ValueError, AttributeError):
                    label = "(not a JSON event)"
                picks.append((number, label, line))
            if line_wanted is not None:
                wanted = [line for number, _, line in picks if number == line_wanted]
                if not wanted and line_wanted >= 1:
                    lines = await run_in_threadpool(self._log_lines, log_name, line_wanted, 1)
                    wanted = [line for _, line in lines]
                if wanted:
                    try:
                        text = json.dumps(json.loads(wanted[0]), indent=2)
                    except ValueError:  # a bad line: shown as it is, the replay will say why
                        text = wanted[0]
        in_force = await self.call(self.source.in_force)
        if request.method == "POST":
            bad = _json_error(text, "event")
            if bad:
                error = bad
            else:
                event = json.loads(text)
                try:
                    decision = self.host_for(in_force.config).evaluate(event)
                except (_core.InvalidEvent, _core.Error, TypeError, ValueError) as e:
                    error = f"event: {e}"
                if isinstance(event, dict):
                    event_store = str(event.get("store", "") or "")
        return self.render(
            request,
            "replay.html",
            400 if error else 200,
            text=text,
            error=error,
            decision=decision,
            in_force=in_force,
            logs=self.logs(lines=True),
            log_name=log_name,
            picks=picks,
            event_store=event_store,
        )

    # -- fleet ------------------------------------------------------------------------------

    async def fleet(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        processes = await self.call(self.source.fleet) if self.source.kind == "store" else []
        in_force = await self.call(self.source.in_force)
        return self.render(request, "fleet.html", processes=processes, in_force=in_force)

    async def home(self, request: Request, session: Any, form: dict[str, str]) -> Response:
        return RedirectResponse("/rules", 303)

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response("not found", 404)
        return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name])


def _rows(result: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """One row per (action or rule, currency): proposed, in force, difference; largest first."""
    proposed, in_force = result["configs"]
    rows = []
    for name in sorted(set(proposed[key]) | set(in_force[key])):
        a = proposed[key].get(name, {"count": 0, "money": {}})
        b = in_force[key].get(name, {"count": 0, "money": {}})
        currencies: list[str | None] = [*sorted(set(a["money"]) | set(b["money"]))] or [None]
        for currency in currencies:
            ma = a["money"].get(currency, 0) if currency is not None else 0
            mb = b["money"].get(currency, 0) if currency is not None else 0
            rows.append(
                {
                    "name": name,
                    "currency": currency,  # None: an action without money
                    "count_a": a["count"],
                    "count_b": b["count"],
                    "money_a": ma,
                    "money_b": mb,
                    "diff": ma - mb,
                    "count_diff": a["count"] - b["count"],
                }
            )
    rows.sort(
        key=lambda r: (-abs(r["diff"]), -abs(r["count_diff"]), r["name"], r["currency"] or "")
    )
    return rows


def _chart(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """Bars for an inline SVG: the two configs side by side for each row that has money."""
    shown = [r for r in rows if r["money_a"] or r["money_b"]][:15]
    top = max((max(abs(r["money_a"]), abs(r["money_b"])) for r in shown), default=0) or 1
    label_w, bar_w, row_h = 300, 380, 36
    bars = []
    for i, r in enumerate(shown):
        y = 30 + i * row_h
        bars.append(
            {
                "label": r["name"] + (f" ({r['currency']})" if r["currency"] else ""),
                "y": y,
                "wa": max(1, round(bar_w * abs(r["money_a"]) / top)) if r["money_a"] else 0,
                "wb": max(1, round(bar_w * abs(r["money_b"]) / top)) if r["money_b"] else 0,
                "a": report.money(r["money_a"], r["currency"]),
                "b": report.money(r["money_b"], r["currency"]),
            }
        )
    return {
        "title": title,
        "bars": bars,
        "label_w": label_w,
        "width": label_w + bar_w + 170,
        "height": 40 + row_h * len(shown),
        "colour_a": PROPOSED_COLOUR,
        "colour_b": IN_FORCE_COLOUR,
    }


def whatif_view(result: dict[str, Any], in_force_version: int, log: str) -> dict[str, Any]:
    names = ["proposed", f"in force (v{in_force_version})"]
    by_action, by_rule = _rows(result, "by_type"), _rows(result, "by_rule")
    return {
        "summary": report.summary_line({**result, "file": log}),  # the log's name, not its path
        "sentences": report.differences(result, names),
        "by_action": by_action,
        "by_rule": by_rule,
        "charts": [_chart(by_action, "By action"), _chart(by_rule, "By rule")],
        "names": names,
        "bad_lines": result["bad_lines"],
        "bad_examples": result["bad_examples"],
    }


def create_app(console: Console) -> Any:
    c = console

    def page(handler: Any) -> Any:
        return c.guard(handler)

    def api(handler: Any) -> Any:
        return c.guard(handler, api=True)

    routes = [
        Route("/signin", c.signin, methods=["GET", "POST"]),
        Route("/static/{name}", c.static),
        Route("/", page(c.home)),
        Route("/signout", page(c.signout), methods=["POST"]),
        Route("/rules", page(c.rules_get)),
        Route("/rules/switch", page(c.rules_switch), methods=["POST"]),
        Route("/rules/param", page(c.rules_param), methods=["POST"]),
        Route("/history", page(c.history)),
        Route("/history/rollback", page(c.rollback), methods=["GET", "POST"]),
        Route("/whatif", page(c.whatif_get)),
        Route("/whatif/draft", page(c.whatif_draft), methods=["POST"]),
        Route("/whatif/run", page(c.whatif_start), methods=["POST"]),
        Route("/whatif/jobs/{job}", page(c.whatif_job)),
        Route("/whatif/jobs/{job}/cancel", page(c.whatif_cancel), methods=["POST"]),
        Route("/whatif/jobs/{job}/publish", page(c.whatif_publish), methods=["POST"]),
        Route("/api/whatif/jobs/{job}", api(c.whatif_status)),
        Route("/api/whatif/jobs/{job}/cancel", api(c.whatif_cancel), methods=["POST"]),
        Route("/replay", page(c.replay), methods=["GET", "POST"]),
        Route("/fleet", page(c.fleet)),
    ]
    app = Starlette(routes=routes)
    app.state.console = console
    return SecurityHeaders(app)


class SecurityHeaders:
    """ASGI wrapper: every response forbids inline scripts, framing and sniffing, and caching."""

    HEADERS = (
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cache-control", b"no-store"),
    )

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.state = app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
