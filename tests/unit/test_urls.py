from mlform.urls import masked


def test_passwords_in_urls_are_masked_and_nothing_else_changes() -> None:
    assert (
        masked("postgresql://alice:s3cr%40t@db:5432/state")
        == "postgresql://alice:***@db:5432/state"
    )
    assert masked("postgresql+psycopg://u:p@h/d and s3://k:v@bucket/x") == (
        "postgresql+psycopg://u:***@h/d and s3://k:***@bucket/x"
    )
    for plain in ("s3://bucket/prefix", "postgresql://bob@h/db", "/srv/state", "a:b@c"):
        assert masked(plain) == plain
