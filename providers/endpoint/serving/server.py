"""Starting the server: uvicorn (with uvloop and httptools when installed) on the given
address, one process for `--workers 1`, else uvicorn's supervisor over N worker processes
sharing the socket, each loading the model itself and restarted if it dies."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from providers.endpoint.serving.options import OPTIONS_VARIABLE, ServingOptions

logger = logging.getLogger("mlform.serving")

UVICORN_SETTINGS: dict[str, Any] = {
    "loop": "auto",
    "http": "auto",
    "ws": "none",
    "lifespan": "on",
    "access_log": False,
    "server_header": False,
    "log_config": None,
    "timeout_graceful_shutdown": 5,
}


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s",
    )


def prepare(root: Path) -> None:
    """The worker and metrics folders, emptied of what an earlier server left."""
    for folder in (root / "workers", root / "metrics"):
        folder.mkdir(parents=True, exist_ok=True)
        for path in folder.iterdir():
            if path.suffix in (".json", ".tmp"):
                path.unlink(missing_ok=True)


def serve(options: ServingOptions) -> None:
    import uvicorn

    configure_logging()
    prepare(options.root)
    logger.info(
        "endpoint %s: serving %s on %s:%d with %d worker(s)%s",
        options.name,
        options.root / "current",
        options.host,
        options.port,
        options.workers,
        ", bearer token required" if options.token else "",
    )
    if options.workers == 1:
        from providers.endpoint.serving.app import create_app

        config = uvicorn.Config(
            create_app(options), host=options.host, port=options.port, **UVICORN_SETTINGS
        )
        uvicorn.Server(config).run()
        return
    os.environ[OPTIONS_VARIABLE] = options.to_environment()
    uvicorn.run(
        "providers.endpoint.serving.app:create_app_from_environment",
        factory=True,
        host=options.host,
        port=options.port,
        workers=options.workers,
        **UVICORN_SETTINGS,
    )
