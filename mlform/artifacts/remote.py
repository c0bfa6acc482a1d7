"""Artifacts in any fsspec location: `s3://bucket/prefix`, `gs://...`, `memory://...`.

Layout as in the local store: `<prefix>/ab/cdef...` per digest, `<prefix>/.partial/` for
writes in progress. A file is hashed (blake3) before it is uploaded, so its key is known, and
the object appears under that key only once complete; the caller records it in the state only
after `put_file` returned, so no partial object is ever recorded.

How "only once complete" is had depends on the storage:

- Object stores whose writes are atomic (S3 and its imitations, Google Cloud Storage) get the
  upload straight at the final key. A PUT there shows the whole object or none of it, and a
  multipart upload shows nothing until it is completed (s3fs aborts it on failure). S3 has no
  rename, so a temporary key moved into place would cost a server-side copy of every byte and
  a delete, for no gain in safety. A bucket lifecycle rule aborting incomplete multipart
  uploads after a day reclaims the parts of uploads killed mid-way.
- Anything else (`file://`, `memory://`, SFTP, ...) gets the upload under `.partial/` and a
  move to the final key, a rename where the filesystem has one; `discard_partial_writes`
  removes the leftovers of killed writes.

Reading: `exists` is one HEAD; `verify` streams the object through the hasher; `local_path`
downloads into the local artifact cache (`mlform.artifacts.cache`) once, verified. fsspec and
the storage's library (s3fs for S3) are imported on first use, never by a local state.

Credentials come from the storage's usual environment (for S3: `AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` for a server other than
AWS, honoured by botocore itself) or, for S3, from the URL (`s3://KEY:SECRET@bucket/prefix`).
Either way `location`, `repr` and every error show the URL without them.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlform.artifacts.cache import ArtifactCache, cache_directory
from mlform.artifacts.errors import ArtifactError, ArtifactNotFoundError
from mlform.artifacts.hashing import hash_bytes, hash_file, is_digest, new_hasher
from mlform.artifacts.locations import ArtifactURL
from mlform.artifacts.store import StoredArtifact
from mlform.urls import masked

if TYPE_CHECKING:
    from mlform.sdk.artifacts import ArtifactStore

_CHUNK = 8 << 20
_PARTIAL = ".partial"
ATOMIC_PUT_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs"})
"""Protocols whose uploads appear whole or not at all, so they go straight to the final key."""
_BUCKETS = ATOMIC_PUT_PROTOCOLS
_SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


class FsspecArtifactStore:
    """Artifacts under an fsspec URL. Nothing is imported or contacted until first used."""

    def __init__(
        self,
        url: str,
        *,
        cache: ArtifactCache | None = None,
        origin: str | None = None,
        storage_options: dict[str, Any] | None = None,
    ):
        try:
            self._url = ArtifactURL.parse(url)
        except ValueError as error:
            raise ArtifactError(str(error)) from None
        self.origin = origin
        self.cache = cache if cache is not None else ArtifactCache(cache_directory())
        self._options = dict(storage_options or {})
        self._filesystem: Any = None
        self._root = ""
        self._opening = threading.Lock()

    @property
    def location(self) -> str:
        """The URL without credentials, as recorded with each artifact in the state."""
        return str(self._url)

    @property
    def protocol(self) -> str:
        return self._url.protocol

    @property
    def atomic_puts(self) -> bool:
        return self._url.protocol in ATOMIC_PUT_PROTOCOLS

    def __repr__(self) -> str:
        return f"FsspecArtifactStore({self.location!r})"

    # writing --------------------------------------------------------------------------------

    def put_file(self, path: str | os.PathLike[str]) -> StoredArtifact:
        """Upload a copy of a local file under its digest, unless one is stored already."""
        source = Path(path)
        try:
            before = source.stat()
            digest = hash_file(source)
        except OSError as error:
            raise ArtifactError(f"cannot store {path}: {error.strerror}") from error
        size = before.st_size
        with self._errors(f"store artifact {digest} in"):
            if self._stored_size(digest) != size:  # a wrong size is a damaged copy, replaced
                self._upload(digest, size, lambda fs, key: fs.put_file(os.fspath(source), key))
                after = source.stat()
                if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                    with contextlib.suppress(FileNotFoundError):
                        self._fs().rm_file(self._key(digest))
                    raise ArtifactError(
                        f"cannot store {path}: it changed while it was uploaded to "
                        f"{self.location}; nothing was stored. This is a bug in whatever "
                        "wrote the file, which should finish writing before handing it over."
                    )
        self.cache.add(digest, source)
        return StoredArtifact(digest, size)

    def put_bytes(self, data: bytes) -> StoredArtifact:
        """Upload bytes held in memory."""
        digest = hash_bytes(data)
        with self._errors(f"store artifact {digest} in"):
            if self._stored_size(digest) != len(data):
                self._upload(digest, len(data), lambda fs, key: fs.pipe_file(key, data))
        return StoredArtifact(digest, len(data))

    def _upload(self, digest: str, size: int, write: Any) -> None:
        """`write(fs, key)` uploads; the object must then be at its digest's key, whole."""
        fs, final = self._fs(), self._key(digest)
        if self.atomic_puts:
            write(fs, final)
        else:
            temporary = f"{self._root}/{_PARTIAL}/{os.getpid()}-{uuid.uuid4().hex}"
            fs.makedirs(f"{self._root}/{_PARTIAL}", exist_ok=True)
            try:
                write(fs, temporary)
                fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
                fs.mv(temporary, final)
            except BaseException:
                with contextlib.suppress(Exception):
                    fs.rm_file(temporary)
                raise
        stored = self._stored_size(digest)
        if stored != size:
            raise ArtifactError(
                f"artifact {digest} was uploaded to {self.location}, which then reported "
                f"{'no object' if stored is None else f'{stored} bytes'} where {size} were "
                "written; nothing was recorded. Run `mlform apply` again."
            )

    def delete(self, digest: str) -> bool:
        """Remove an artifact; whether there was one. The cached copy stays (it is shared)."""
        with self._errors(f"remove artifact {digest} from"):
            if self._stored_size(digest) is None:
                return False
            self._fs().rm_file(self._key(digest))
        return True

    def discard_partial_writes(self, older_than: float = 3600.0) -> int:
        """Remove unfinished writes older than `older_than` seconds; how many were removed."""
        removed = 0
        cutoff = time.time() - older_than
        with self._errors("clean up unfinished writes in"):
            fs = self._fs()
            try:
                entries = fs.ls(f"{self._root}/{_PARTIAL}", detail=True)
            except FileNotFoundError:
                return 0
            for entry in entries:
                modified = _modified(entry)
                if entry.get("type") == "file" and modified is not None and modified < cutoff:
                    with contextlib.suppress(FileNotFoundError):
                        fs.rm_file(entry["name"])
                        removed += 1
        return removed

    # reading --------------------------------------------------------------------------------

    def exists(self, digest: str) -> bool:
        """Whether an artifact is stored under `digest` (one HEAD; its content is not read)."""
        with self._errors(f"look for artifact {digest} in"):
            return self._stored_size(digest) is not None

    def local_path(self, digest: str) -> Path:
        """A local, verified copy of the artifact, downloaded on first use; read it only."""
        cached = self.cache.get(digest)
        if cached is not None:
            return cached
        with self._errors(f"download artifact {digest} from"):
            fs, key = self._fs(), self._key(digest)

            def download(temporary: Path) -> None:
                try:
                    fs.get_file(key, os.fspath(temporary))
                except FileNotFoundError:
                    raise ArtifactNotFoundError(digest, self.location) from None

            return self.cache.fill(digest, download, self.location)

    def put(self, path: str | os.PathLike[str]) -> str:
        """Store a file during a provider's work; its digest (`mlform.sdk.ArtifactStore`)."""
        return self.put_file(path).digest

    def unpacked(self, digest: str) -> Path:
        """A stored tar archive as a directory, extracted once beside the local cache."""
        from mlform.artifacts.unpack import unpack

        return unpack(self.local_path(digest), self.cache.root.parent / "unpacked", digest)

    def verify(self, digest: str) -> bool:
        """Whether the artifact is stored and its content, downloaded again and not taken
        from the cache, still hashes to its digest."""
        hasher = new_hasher()
        with self._errors(f"verify artifact {digest} in"):
            try:
                with self._fs().open(self._key(digest), "rb", block_size=_CHUNK) as file:
                    while chunk := file.read(_CHUNK):
                        hasher.update(chunk)
            except FileNotFoundError:
                return False
        return bool(hasher.hexdigest() == digest)

    def digests(self) -> Iterator[str]:
        """The digest of every stored artifact, in no particular order."""
        with self._errors("list the artifacts in"):
            fs = self._fs()
            try:
                paths = fs.find(self._root)
            except FileNotFoundError:
                paths = []
        prefix = self._root + "/"
        for path in paths:
            relative = str(path).removeprefix(prefix)
            directory, _, name = relative.partition("/")
            digest = directory + name
            if len(directory) == 2 and "/" not in name and is_digest(digest):
                yield digest

    # the filesystem -------------------------------------------------------------------------

    def _key(self, digest: str) -> str:
        if not is_digest(digest):
            raise ArtifactError(
                f'"{digest}" is not an artifact digest (64 lowercase hexadecimal characters)'
            )
        self._fs()  # which gives the root its filesystem's form
        return f"{self._root}/{digest[:2]}/{digest[2:]}"

    def _stored_size(self, digest: str) -> int | None:
        try:
            info = self._fs().info(self._key(digest))
        except FileNotFoundError:
            return None
        if info.get("type") != "file":
            return None
        size = info.get("size")
        return int(size) if size is not None else -1

    def _fs(self) -> Any:
        """The filesystem, opened (and for a bucket, checked) on first use."""
        if self._filesystem is not None:
            return self._filesystem
        with self._opening:
            if self._filesystem is None:
                filesystem, root = self._open()
                self._root = root.rstrip("/")
                self._check_bucket(filesystem)
                self._filesystem = filesystem
        return self._filesystem

    def _open(self) -> tuple[Any, str]:
        try:
            import fsspec
        except ImportError:
            raise ArtifactError(
                f"the artifacts are at {self._described()}, and storing artifacts at a URL "
                "needs fsspec: pip install 'mlform[s3]'"
            ) from None
        options: dict[str, Any] = {"skip_instance_cache": True, "use_listings_cache": False}
        if self._url.user is not None or self._url.secret is not None:
            if self.protocol not in ("s3", "s3a"):
                raise ArtifactError(
                    f"the artifact location {self._described()} carries credentials, which "
                    "mlform understands only in s3:// URLs; give them to the storage through "
                    "its own environment variables or configuration instead"
                )
            options.update(key=self._url.user, secret=self._url.secret)
        options.update(self._options)
        try:
            return fsspec.core.url_to_fs(str(self._url), **options)
        except ImportError as error:
            raise ArtifactError(
                f"the artifacts are at {self._described()}, which needs a library that is not "
                f"installed: {error}. For S3: pip install 'mlform[s3]'"
            ) from None
        except ValueError as error:
            raise ArtifactError(
                f"cannot store artifacts at {self._described()}: {self._clean(error)}. Set "
                'MLFORM_ARTIFACTS or mlform { artifacts = "..." } to a directory or an fsspec '
                'URL such as "s3://bucket/prefix"'
            ) from None

    def _check_bucket(self, filesystem: Any) -> None:
        """A missing bucket is a mistake in the settings, not a missing artifact: without this
        check a mistyped bucket name would read as every artifact having been deleted."""
        if self.protocol not in _BUCKETS:
            return
        bucket = self._url.path.split("/", 1)[0]
        if not bucket:
            raise ArtifactError(
                f"the artifact location {self._described()} names no bucket; set "
                'MLFORM_ARTIFACTS or mlform { artifacts = "s3://bucket/prefix" }'
            )
        try:
            filesystem.info(bucket)
        except FileNotFoundError:
            raise ArtifactError(
                f"the bucket {bucket} of the artifact location {self._described()} does not "
                "exist, or these credentials cannot see it; create it, or set MLFORM_ARTIFACTS "
                'or mlform { artifacts = "..." } to another location'
            ) from None
        except Exception as error:
            raise self._failure(f"reach the bucket {bucket} of", error) from error

    # errors ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turns the storage library's errors (botocore's, aiohttp's, OSErrors) into one
        ArtifactError that names the location and what to check, never a credential."""
        try:
            yield
        except ArtifactError:
            raise
        except Exception as error:
            raise self._failure(doing, error) from error

    def _failure(self, doing: str, error: BaseException) -> ArtifactError:
        hint = (
            "Check that the bucket exists and that AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(and AWS_ENDPOINT_URL for a server other than AWS) are set"
            if self.protocol in ("s3", "s3a")
            else "Check that the location exists and that this machine may write to it"
        )
        return ArtifactError(
            f"cannot {doing} {self._described()}: {self._clean(error)}. {hint}, or set "
            'MLFORM_ARTIFACTS or mlform { artifacts = "..." } to another location'
        )

    def _described(self) -> str:
        return f"{self.location} (from {self.origin})" if self.origin else self.location

    def _clean(self, error: BaseException) -> str:
        """An error's text with every credential this store knows of taken out."""
        text = masked(str(error) or type(error).__name__)
        secrets = [self._url.secret, *(os.environ.get(name) for name in _SECRET_VARIABLES)]
        for secret in secrets:
            if secret:
                text = text.replace(secret, "***")
        return text


def _modified(entry: dict[str, Any]) -> float | None:
    """When a listed file was last written, across the filesystems' ways of saying it."""
    for name in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = entry.get(name)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return None


if TYPE_CHECKING:
    _satisfies_the_sdk_protocol: type[ArtifactStore] = FsspecArtifactStore
