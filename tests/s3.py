"""An S3 server for tests: moto in server mode on a free local port, a bucket per test.

Use it by importing the fixtures into a test module:
`from tests.s3 import s3, s3_server  # noqa: F401`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SECRET = "mlform-test-secret-Zq81xKp"
ACCESS_KEY = "AKIAMLFORMTESTKEY"


@dataclass
class S3:
    """A bucket on the test server, and the environment that reaches it."""

    endpoint: str
    bucket: str
    environ: dict[str, str] = field(default_factory=dict)

    def url(self, prefix: str = "artifacts") -> str:
        return f"s3://{self.bucket}/{prefix}"

    @property
    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET,
            region_name="us-east-1",
        )

    def keys(self, prefix: str = "") -> list[str]:
        response = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(item["Key"] for item in response.get("Contents", []))


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The endpoint URL of a moto S3 server, for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3:
    """A new bucket, with fake credentials and the endpoint in the environment (and the
    artifact cache in the test's directory)."""
    environ = {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_server,
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "MLFORM_CACHE_DIR": str(tmp_path / "cache"),
    }
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    bucket = f"mlform-{uuid.uuid4().hex[:12]}"
    server = S3(s3_server, bucket, environ)
    server.client.create_bucket(Bucket=bucket)
    return server
