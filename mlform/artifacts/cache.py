"""The local copies of remote artifacts, one read-only file per digest, shared by every store.

Providers read artifacts as local files, so an artifact kept in object storage is downloaded
once into `$MLFORM_CACHE_DIR/artifacts` (else `$XDG_CACHE_HOME/mlform/artifacts`, else
`~/.cache/mlform/artifacts`) and read from there afterwards. The cache is content-addressed
like the stores (`ab/cdef...`), so one copy serves every store and workspace holding the same
digest, and a copy enters it only after hashing to its name, through a temporary file renamed
into place: a killed download leaves no file under a digest's name. Deleting the directory at
any time is safe; it costs downloads, not data.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from mlform.artifacts.errors import ArtifactDamagedError, ArtifactError
from mlform.artifacts.hashing import hash_file, is_digest

CACHE_VARIABLE = "MLFORM_CACHE_DIR"
_READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


def cache_directory(environ: Mapping[str, str] | None = None) -> Path:
    """Where downloaded artifacts are kept, from the environment."""
    environ = os.environ if environ is None else environ
    if environ.get(CACHE_VARIABLE):
        return Path(environ[CACHE_VARIABLE]).expanduser() / "artifacts"
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]).expanduser() / "mlform" / "artifacts"
    return Path.home() / ".cache" / "mlform" / "artifacts"


class ArtifactCache:
    """Verified local copies of artifacts, by digest."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        if not is_digest(digest):
            raise ArtifactError(
                f'"{digest}" is not an artifact digest (64 lowercase hexadecimal characters)'
            )
        return self.root / digest[:2] / digest[2:]

    def get(self, digest: str) -> Path | None:
        """The cached copy, if there is one."""
        path = self.path(digest)
        return path if path.is_file() else None

    def fill(self, digest: str, write: Callable[[Path], None], origin: str) -> Path:
        """Cache the file `write(temporary)` produces; it must hash to `digest`, or
        ArtifactDamagedError names `origin` (where the content came from)."""
        final = self.path(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=final.parent, prefix=f".{os.getpid()}-")
        os.close(descriptor)
        temporary = Path(name)
        try:
            write(temporary)
            if hash_file(temporary) != digest:
                raise ArtifactDamagedError(
                    f"artifact {digest} at {origin} no longer matches its digest: it was "
                    "changed or damaged in storage. Run `mlform plan --verify` to see which "
                    "resources will be rebuilt, then `mlform apply`."
                )
            os.chmod(temporary, _READ_ONLY)
            os.replace(temporary, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return final

    def add(self, digest: str, source: Path) -> None:
        """Keep a copy of a local file known to hash to `digest` (one just stored), linked
        when on the same filesystem. Best effort: a cache that cannot be written is skipped."""
        if self.get(digest) is not None:
            return

        def link_or_copy(temporary: Path) -> None:
            os.unlink(temporary)
            try:
                os.link(source, temporary)
            except OSError:
                shutil.copyfile(source, temporary)

        with contextlib.suppress(OSError):
            self.fill(digest, link_or_copy, str(source))
