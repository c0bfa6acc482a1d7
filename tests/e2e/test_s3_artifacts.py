"""Artifacts in S3 (a moto server on a local port), driven through the CLI as a user does."""

from __future__ import annotations

from pathlib import Path

from tests import s3 as s3_fixtures
from tests.e2e.test_engine import write_csv
from tests.s3 import S3, SECRET

s3_server, s3 = s3_fixtures.s3_server, s3_fixtures.s3  # the fixtures, for pytest to find

CONFIG = """mlform {{
{setting}}}

dataset "customers" {{
  source = "customers.csv"
}}
"""


def project(tmp_path: Path, artifacts: str | None) -> Path:
    directory = tmp_path / "churn"
    directory.mkdir()
    write_csv(directory / "customers.csv", 200)
    setting = f'  artifacts = "{artifacts}"\n' if artifacts else ""
    (directory / "main.mlf.hcl").write_text(CONFIG.format(setting=setting))
    return directory


def lifecycle(mlform, s3: S3, directory: Path, environ: dict[str, str]) -> None:
    cache = Path(environ["MLFORM_CACHE_DIR"])

    def run(*args: str, cache_dir: Path = cache):
        result = mlform(*args, cwd=directory, env={**environ, "MLFORM_CACHE_DIR": str(cache_dir)})
        assert SECRET not in result.output
        return result

    applied = run("apply", "--auto-approve")
    assert applied.code == 0, applied.output
    assert "Apply complete! Resources: 1 added" in applied.stdout
    keys = s3.keys("artifacts/")
    assert len(keys) == 1, keys
    key = keys[0]
    body = s3.client.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
    assert body[:4] == b"PAR1"  # the Parquet table itself
    assert not (directory / "state" / "artifacts").exists()  # nothing stored locally

    again = run("plan", "--detailed-exitcode")
    assert again.code == 0, again.output

    destroyed = run("destroy", "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    restored = run("apply", "--auto-approve")
    assert restored.code == 0, restored.output
    assert "Restored from cache" in restored.stdout

    verified = run("plan", "--verify", "--detailed-exitcode", cache_dir=directory / "fresh")
    assert verified.code == 0, verified.output
    assert (directory / "fresh" / "artifacts").is_dir()  # downloaded from S3 and checked

    s3.client.put_object(Bucket=s3.bucket, Key=key, Body=body[:-10] + b"0123456789")
    damaged = run("plan", "--verify", "--detailed-exitcode", cache_dir=directory / "fresh2")
    assert damaged.code == 2, damaged.output
    assert "# dataset.customers has been deleted" in damaged.stdout  # how refresh says damaged

    s3.client.delete_object(Bucket=s3.bucket, Key=key)
    gone = run("plan", "--detailed-exitcode")
    assert gone.code == 2, gone.output
    assert "# dataset.customers has been deleted" in gone.stdout
    assert "Plan: 1 to add" in gone.stdout

    rebuilt = run("apply", "--auto-approve")
    assert rebuilt.code == 0, rebuilt.output
    assert s3.keys("artifacts/") == [key]
    assert run("plan", "--detailed-exitcode").code == 0


def test_artifacts_in_s3_from_the_mlform_block(mlform, s3: S3, tmp_path: Path) -> None:
    directory = project(tmp_path, s3.url("artifacts"))
    lifecycle(mlform, s3, directory, s3.environ)


def test_artifacts_in_s3_from_the_environment(mlform, s3: S3, tmp_path: Path) -> None:
    directory = project(tmp_path, None)
    lifecycle(mlform, s3, directory, {**s3.environ, "MLFORM_ARTIFACTS": s3.url("artifacts")})


def test_a_missing_bucket_is_a_clear_error(mlform, s3: S3, tmp_path: Path) -> None:
    directory = project(tmp_path, "s3://no-such-bucket/artifacts")
    result = mlform("apply", "--auto-approve", cwd=directory, env=s3.environ)
    assert result.code == 1, result.output
    assert "the bucket no-such-bucket" in result.stderr
    assert "mlform { artifacts }" in result.stderr
    assert SECRET not in result.output
