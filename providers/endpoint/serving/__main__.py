"""`python -m providers.endpoint.serving --root DIR --name NAME --host HOST --port PORT
--workers N [--max-body-bytes N]`; the token comes from MLFORM_ENDPOINT_TOKEN."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from providers.endpoint.serving.options import parse_arguments
from providers.endpoint.serving.server import serve


def main(arguments: Sequence[str] | None = None) -> int:
    serve(parse_arguments(arguments))
    return 0


if __name__ == "__main__":
    sys.exit(main())
