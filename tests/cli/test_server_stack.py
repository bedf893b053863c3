"""The server runs on uvicorn's standard stack (uvloop's event loop, httptools' HTTP parser),
which `serve` and `demo` pick by default once the project's dependencies are installed."""

from __future__ import annotations

from uvicorn.config import Config


def _noop_app() -> None:  # pragma: no cover - never called: the config is only loaded
    return None


def test_the_default_server_config_uses_uvloop_and_httptools() -> None:
    config = Config(app=_noop_app, loop="auto", http="auto")
    config.load()
    assert config.http_protocol_class.__module__ == "uvicorn.protocols.http.httptools_impl"
    factory = config.get_loop_factory()
    assert factory is not None
    assert factory.__module__ == "uvloop"
