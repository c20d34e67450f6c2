# What a hostile program tries from inside the Python sandbox, for
# sandbox.test.mjs: reach examhall's API with the viewer's cookies (fetch, XHR,
# WebSocket, EventSource, importScripts, Pyodide's own HTTP helpers, and the
# "read the CSRF token, then sign the viewer out" chain), the page's document,
# storage and cookies, or JavaScript's eval. Each attempt is recorded as
# "blocked (why)" or "REACHED (what)". Attempts that settle later (promises,
# events) finish while the worker waits between runs, so the results live in
# `builtins` and the probes start only once per interpreter: run the program
# again to read them. The test puts the server's origin in for __ORIGIN__ and
# calls report(), or reached() / pending() / probed() from test expressions.
import asyncio, builtins, js
import pyodide.code, pyodide.http
from pyodide.ffi import create_once_callable, to_js

ORIGIN = "__ORIGIN__"
# A route the pages under test never call: any request to it in the server's log came from here.
CANARY = ORIGIN + "/api/v1/sessions"
_state = builtins.__dict__.setdefault("_examhall_probes", {"results": {}, "pending": set(), "started": False})


def _done(name, outcome, detail):
    _state["results"][name] = f"{outcome} ({detail})"[:200]
    _state["pending"].discard(name)


def _now(name, action):
    try:
        value = action()
    except BaseException as error:
        _done(name, "blocked", f"{type(error).__name__}: {error}")
    else:
        _done(name, "REACHED", repr(value))


def _later(name, start):
    _state["pending"].add(name)

    async def settle():
        try:
            value = await start()
        except BaseException as error:
            _done(name, "blocked", f"{type(error).__name__}: {error}")
        else:
            _done(name, "REACHED", repr(value))

    asyncio.ensure_future(settle())


def _events(target, good, bad):
    """A future for the first of `good` events (success) or `bad` ones (failure) on `target`."""
    future = asyncio.get_event_loop().create_future()

    def listen(kind, ok):
        def heard(event):
            if not future.done():
                if ok:
                    future.set_result(kind)
                else:
                    future.set_exception(OSError(f"{kind} event"))
        target.addEventListener(kind, create_once_callable(heard))

    for kind in good:
        listen(kind, True)
    for kind in bad:
        listen(kind, False)
    return future


def _options(**options):
    return to_js(options, dict_converter=js.Object.fromEntries)


def _xhr(url):
    request = js.XMLHttpRequest.new()
    request.open("GET", url, False)
    request.withCredentials = True
    request.send()
    return f"status {request.status}: {request.responseText[:60]}"


async def _fetch(url):
    response = await js.fetch(url, _options(credentials="include"))
    return f"status {response.status}: {(await response.text())[:60]}"


async def _sign_out_chain():
    session = await pyodide.http.pyfetch(ORIGIN + "/api/v1/session", credentials="include")
    token = (await session.json())["csrf_token"]
    ended = await pyodide.http.pyfetch(
        ORIGIN + "/api/v1/session", method="DELETE", credentials="include", headers={"X-CSRF-Token": token}
    )
    return f"sign-out answered {ended.status}"


def _origin():
    if js.self.origin != "null":
        return js.self.origin
    raise PermissionError("the origin is opaque")


def start_probes():
    if _state["started"]:
        return
    _state["started"] = True
    _now("origin", _origin)
    for name in ("document", "parent", "top", "opener", "localStorage", "sessionStorage", "cookieStore"):
        _now(f"js.{name}", lambda name=name: getattr(js, name))
    _now("xhr", lambda: _xhr(CANARY))
    _now("xhr /api/v1/session", lambda: _xhr("/api/v1/session"))
    _now("pyodide.http.open_url", lambda: pyodide.http.open_url(CANARY).read()[:60])
    _now("importScripts", lambda: js.importScripts(CANARY))
    _now("eval", lambda: js.eval("1 + 1"))
    _now("Function", lambda: js.Function.new("return 1")())
    _now("pyodide.code.run_js", lambda: pyodide.code.run_js("document.cookie"))
    _now("indexedDB", lambda: js.indexedDB.open("examhall-exam"))
    _later("fetch", lambda: _fetch(CANARY))
    _later("fetch /api/v1/session", lambda: _fetch("/api/v1/session"))
    _later("fetch absolute /api/v1/session", lambda: _fetch(ORIGIN + "/api/v1/session"))
    _later("pyodide.http.pyfetch", lambda: pyodide.http.pyfetch(CANARY, credentials="include"))
    _later("csrf token, then sign out", _sign_out_chain)
    _later("caches", lambda: js.caches.keys())
    _later("websocket", lambda: _events(js.WebSocket.new(CANARY.replace("http", "ws", 1)), ["open"], ["error", "close"]))
    _later("eventsource", lambda: _events(js.EventSource.new(CANARY, _options(withCredentials=True)), ["open", "message"], ["error"]))
    _later("worker from the server", lambda: _events(js.Worker.new(ORIGIN + "/sw.js"), ["message"], ["error"]))


def reached():
    return sum(1 for outcome in _state["results"].values() if not outcome.startswith("blocked"))


def pending():
    return len(_state["pending"])


def probed():
    return len(_state["results"])


def report():
    for name, outcome in sorted(_state["results"].items()):
        print(f"PROBE {name}: {outcome}")
    print(f"PENDING {pending()}")
    # A forged message to the page, for every run id it might be expecting
    # (the test runs this program again until no probe is pending, which may
    # take a few hundred runs on a slow machine): the page takes it as text
    # at most, never as markup.
    for run in range(1, 400):
        js.self.postMessage(_options(type="stdout", id=run, line="<img src=x data-forged=1>"))


start_probes()
