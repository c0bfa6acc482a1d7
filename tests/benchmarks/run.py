"""mlform's benchmarks (``make bench``): whole-process timings against an import baseline.

    python tests/benchmarks/run.py                  # time every benchmark (5 runs each, median)
    python tests/benchmarks/run.py validate -n 9    # only benchmarks whose name contains "validate"
    python tests/benchmarks/run.py --json bench.json
    python tests/benchmarks/run.py --profile        # where the time goes: cProfile, top 15 cumulative
    python tests/benchmarks/run.py --list

The baseline is ``python -c "import hcl2, networkx, sqlalchemy, rich"`` with the same
interpreter: the floor any mlform command pays for its dependencies. A benchmark's ratio to it
says how much mlform adds on top, and compares across machines better than seconds do.

Adding a benchmark is one function: decorate it with ``@suite.benchmark("NAME")``, prepare its
input under ``ctx.scratch(...)``, return the command (``ctx.mlform(...)`` for mlform itself,
which also gives ``--profile`` its in-process target). See tests/benchmarks/README.md.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

# Run under the project's virtualenv when started with an interpreter that lacks the project's
# dependencies (e.g. a bare `python tests/benchmarks/run.py` outside the venv).
if (
    importlib.util.find_spec("hcl2") is None
    and VENV_PYTHON.exists()
    and not os.environ.get("MLFORM_BENCH_REEXEC")
):
    os.environ["MLFORM_BENCH_REEXEC"] = "1"
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])

sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from harness import Command, Context, Suite  # noqa: E402


def import_baseline(ctx: Context) -> Command:
    """The dependencies' import cost: the floor of any mlform command."""
    return ctx.python_command(
        "-c",
        "import hcl2, networkx, sqlalchemy, rich",
        label="python -c 'import hcl2, networkx, sqlalchemy, rich'",
    )


suite = Suite(baseline=import_baseline, description=__doc__ or "")


@suite.benchmark("validate 1000 resources, cold")
def validate_1000_cold(ctx: Context) -> Command:
    """Load and validate a generated 1,000-resource configuration (200 chains of dataset ->
    split -> model -> evaluation -> endpoint over 13 files): `mlform validate DIR`, with the
    parse cache off, so every file is parsed by python-hcl2.

    Covers start-up, imports, parsing every file, evaluating expressions, building the graph
    and checking it; no state, no data read beyond what validate needs.
    """
    config = ctx.scratch("validate-1000-cold")
    generate(config, resources=1000)
    command = ctx.mlform("validate", str(config), cwd=ctx.workdir)
    return replace(command, env={"MLFORM_CACHE_DIR": "off"})


@suite.benchmark("validate 1000 resources, warm")
def validate_1000_warm(ctx: Context) -> Command:
    """The same, with the parse cache warm (the warm-up run fills it): what a user sees on
    the second run over unchanged files."""
    config = ctx.scratch("validate-1000-warm")
    generate(config, resources=1000)
    cache = ctx.scratch("parse-cache")
    command = ctx.mlform("validate", str(config), cwd=ctx.workdir)
    return replace(command, env={"MLFORM_CACHE_DIR": str(cache)})


def _ten_datasets(ctx: Context, name: str) -> Path:
    config = ctx.scratch(name)
    blocks = []
    for i in range(10):
        rows = "".join(f"{n},{n * i % 97},{'ab'[n % 2]}\n" for n in range(200))
        (config / f"part{i}.csv").write_text("id,value,group\n" + rows)
        blocks.append(f'dataset "d{i}" {{\n  source = "part{i}.csv"\n}}\n')
    (config / "main.mlf.hcl").write_text("\n".join(blocks))
    return config


def _applied_plan(ctx: Context, config: Path, state: str, env: dict[str, str]) -> Command:
    import subprocess

    subprocess.run(
        [*ctx.mlform_argv("apply", "--auto-approve", "--state", state, str(config))],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    command = ctx.mlform(
        "plan", "--detailed-exitcode", "--state", state, str(config), cwd=ctx.workdir
    )
    return replace(
        command, env={**env, "MLFORM_CACHE_DIR": str(ctx.scratch(f"{config.name}-cache"))}
    )


@suite.benchmark("plan 10 datasets, no changes")
def plan_10_noop(ctx: Context) -> Command:
    """`mlform plan` of ten CSV datasets applied and unchanged: start-up, load, read the
    state snapshot, refresh (ten source fingerprints through the stat cache, ten artifact
    checks), decide ten no-ops, print "No changes". The setup applies them for real."""
    config = _ten_datasets(ctx, "plan-10")
    return _applied_plan(ctx, config, str(ctx.scratch("plan-10-state")), {})


@suite.benchmark("plan 10 datasets, no changes, state on PostgreSQL")
def plan_10_noop_postgresql(ctx: Context) -> Command:
    """The same with the state in a PostgreSQL database of its own (created on the server
    MLFORM_TEST_POSTGRESQL names; `make bench` starts one) and artifacts in a directory."""
    import uuid

    from sqlalchemy import create_engine

    from mlform.state.database import database_url

    server = os.environ.get("MLFORM_TEST_POSTGRESQL")
    if not server:
        raise RuntimeError("set MLFORM_TEST_POSTGRESQL to a PostgreSQL server (make postgres)")
    engine = create_engine(database_url(server), isolation_level="AUTOCOMMIT")
    name = f"mlform_bench_{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    state = engine.url.set(database=name).render_as_string(hide_password=False)
    engine.dispose()
    config = _ten_datasets(ctx, "plan-10-pg")
    artifacts = {"MLFORM_ARTIFACTS": str(ctx.scratch("plan-10-pg-artifacts"))}
    return _applied_plan(ctx, config, state, artifacts)


def _million_rows(ctx: Context) -> tuple[Path, Path]:
    """A 1,000,000-row CSV dataset, applied once (so its build is in the cache)."""
    import random
    import subprocess

    config, home = ctx.workdir / "million", ctx.workdir / "million-state"
    data = config / "big.csv"
    if not data.exists():  # shared by both benchmarks
        config, home = ctx.scratch("million"), ctx.scratch("million-state")
        generator = random.Random(7)
        with data.open("w") as handle:
            handle.write("id,tenure,monthly,plan,churned\n")
            for i in range(1_000_000):
                plan = generator.choice(("basic", "pro", "team"))
                monthly = round(generator.uniform(5, 120), 2)
                handle.write(f"{i},{generator.randint(0, 72)},{monthly},{plan},{i % 3 == 0}\n")
        (config / "main.mlf.hcl").write_text(
            'dataset "big" {\n  source = "big.csv"\n  where  = "tenure > 0"\n}\n'
        )
        subprocess.run(
            [*ctx.mlform_argv("apply", "--auto-approve", "--state", str(home), str(config))],
            check=True,
            capture_output=True,
        )
    return config, home


@suite.benchmark("dataset of 1M rows, recomputed")
def million_recomputed(ctx: Context) -> Command:
    """`mlform apply --replace dataset.big`: read a 1,000,000-row CSV, filter it with DuckDB,
    write Parquet to the artifact store (the build cache is bypassed by --replace)."""
    config, home = _million_rows(ctx)
    here = str(HERE / "apply_after.py")
    return ctx.python_command(here, "recompute", str(home), str(config), label="apply --replace")


@suite.benchmark("dataset of 1M rows, restored from cache")
def million_restored(ctx: Context) -> Command:
    """The same dataset forgotten from the state and applied again: its earlier build is
    found by build key and restored (the source is fingerprinted through the stat cache)."""
    config, home = _million_rows(ctx)
    here = str(HERE / "apply_after.py")
    return ctx.python_command(here, "restore", str(home), str(config), label="apply (restore)")


SPLIT_CONFIG = """
dataset "big" {
  source = "big.parquet"
}

split "big" {
  dataset = dataset.big
  ratio   = { train = 0.7, valid = 0.1, test = 0.2 }
  seed    = 42
  label   = "label"

  fill {
    columns = ["x0", "x1", "x2", "x3"]
    method  = "mean"
  }
  standardize {
    columns = [%s]
  }
  one_hot {
    columns = [%s]
  }
}
"""


def _split_data(ctx: Context) -> tuple[Path, Path]:
    """A 1,000,000-row, 20-column Parquet dataset (12 numeric columns, 4 of them with 3%%
    missing values, 6 string columns of 4 to 40 categories, an id and a 0/1 label), with a
    split of it declared and applied once."""
    import subprocess

    config, home = ctx.workdir / "split", ctx.workdir / "split-state"
    if not config.exists():
        import numpy as np
        import pyarrow as pa
        import pyarrow.parquet as pq

        config, home = ctx.scratch("split"), ctx.scratch("split-state")
        rng = np.random.default_rng(7)
        rows = 1_000_000
        columns: dict[str, object] = {"id": np.arange(rows)}
        for i in range(12):
            values = rng.normal(i, 1 + i, rows)
            mask = rng.random(rows) < 0.03 if i < 4 else None
            columns[f"x{i}"] = pa.array(values, mask=mask)
        for i in range(6):
            categories = np.array([f"v{j}" for j in range(4 + 7 * i)])
            columns[f"c{i}"] = categories[rng.integers(0, len(categories), rows)]
        columns["label"] = rng.integers(0, 2, rows)
        pq.write_table(pa.table(columns), config / "big.parquet")
        numeric = ", ".join(f'"x{i}"' for i in range(12))
        strings = ", ".join(f'"c{i}"' for i in range(6))
        (config / "main.mlf.hcl").write_text(SPLIT_CONFIG % (numeric, strings))
        subprocess.run(
            [*ctx.mlform_argv("apply", "--auto-approve", "--state", str(home), str(config))],
            check=True,
            capture_output=True,
        )
    return config, home


@suite.benchmark("split 1M x 20 Parquet, mlform")
def split_million(ctx: Context) -> Command:
    """`mlform apply --replace split.big`: assign 1,000,000 rows to three parts, fit a mean
    fill, a standardisation and a one-hot encoding on train, write the three transformed parts
    and the transform (the dataset is applied already). Peak memory is the whole process's."""
    config, home = _split_data(ctx)
    return ctx.mlform(
        "apply", "--auto-approve", "--state", str(home), "--replace", "split.big", str(config)
    )


@suite.benchmark("split 1M x 20 Parquet, pandas + scikit-learn script")
def split_million_reference(ctx: Context) -> Command:
    """The same work written with pandas and scikit-learn in one script
    (tests/benchmarks/split_reference.py): the bar the split must meet."""
    config, _ = _split_data(ctx)
    out = ctx.scratch("split-reference")
    here = str(HERE / "split_reference.py")
    return ctx.python_command(
        here, str(config / "big.parquet"), str(out), label="split_reference.py"
    )


TRAINING_CONFIG = """
dataset "big" {
  source = "big.csv"
  where  = "tenure > 0"
}

split "big" {
  dataset = dataset.big
  ratio   = { train = 0.7, valid = 0.1, test = 0.2 }
  seed    = 42
  label   = "label"

  fill {
    columns = [%(numeric)s]
    method  = "mean"
  }
  standardize {
    columns = [%(numeric)s]
  }
  one_hot {
    columns = [%(strings)s]
  }
}

model "big" {
  type    = "xgboost"
  split   = split.big
  label   = "label"
  params  = { objective = "binary:logistic", max_depth = 6, eta = 0.1, tree_method = "hist" }
  rounds  = 100
  nthread = 2
}

evaluation "big" {
  model   = model.big
  metrics = ["auc", "accuracy", "logloss"]
  plots   = []
}
"""
TRAINED = ("dataset.big", "split.big", "model.big", "evaluation.big")


def _training_data(ctx: Context) -> tuple[Path, Path]:
    """A 1,000,000 x 20 CSV (14 numeric columns, 4 with 2%% missing values, 4 string columns,
    tenure and a 0/1 label depending on them), and the configuration of its training,
    applied once."""
    import subprocess

    config, home = ctx.workdir / "training", ctx.workdir / "training-state"
    if not config.exists():
        import numpy as np
        import pyarrow as pa
        import pyarrow.csv as pacsv

        config, home = ctx.scratch("training"), ctx.scratch("training-state")
        rng = np.random.default_rng(11)
        rows = 1_000_000
        columns: dict[str, object] = {}
        signal = np.zeros(rows)
        for i in range(14):
            values = rng.normal(0, 1 + i % 3, rows)
            signal += values * (0.3 if i < 5 else 0.02)
            columns[f"x{i}"] = pa.array(values, mask=rng.random(rows) < 0.02 if i < 4 else None)
        for i in range(4):
            codes = rng.integers(0, 3 + 2 * i, rows)
            signal += (codes == 1) * 0.5
            columns[f"c{i}"] = np.array([f"k{j}" for j in range(3 + 2 * i)])[codes]
        columns["tenure"] = rng.integers(0, 72, rows)
        columns["label"] = (signal + rng.normal(0, 1, rows) > 0.8).astype(np.int64)
        pacsv.write_csv(pa.table(columns), config / "big.csv")
        numeric = ", ".join(f'"x{i}"' for i in range(14))
        strings = ", ".join(f'"c{i}"' for i in range(4))
        (config / "main.mlf.hcl").write_text(
            TRAINING_CONFIG % {"numeric": numeric, "strings": strings}
        )
        subprocess.run(
            [*ctx.mlform_argv("apply", "--auto-approve", "--state", str(home), str(config))],
            check=True,
            capture_output=True,
        )
    return config, home


@suite.benchmark("train 1M x 20 CSV, mlform apply")
def training_million(ctx: Context) -> Command:
    """`mlform apply` of dataset, split, xgboost model (100 rounds, depth 6, hist, 2 threads)
    and evaluation on a 1,000,000 x 20 CSV, every one rebuilt (`--replace` each, which also
    bypasses the build cache): what mlform adds around the training is this against the
    plain script below."""
    config, home = _training_data(ctx)
    replaced = [argument for address in TRAINED for argument in ("--replace", address)]
    return ctx.mlform("apply", "--auto-approve", "--state", str(home), *replaced, str(config))


@suite.benchmark("train 1M x 20 CSV, plain Python script")
def training_million_reference(ctx: Context) -> Command:
    """The same steps in one process with pyarrow, pandas, numpy, xgboost and scikit-learn's
    metrics (tests/benchmarks/training_reference.py), storing nothing."""
    config, _ = _training_data(ctx)
    here = str(HERE / "training_reference.py")
    return ctx.python_command(here, str(config / "big.csv"), label="training_reference.py")


@suite.benchmark("fingerprint 1 GiB, unchanged then changed")
def fingerprint_1gib(ctx: Context) -> Command:
    """Fingerprint a 1 GiB file through the stat cache: once unchanged (a stat, no read) and
    once changed (a full blake3 hash). The process prints both in-process timings and the
    hashing speed; the harness times the whole process."""
    path = ctx.scratch("fingerprint") / "data.bin"
    with path.open("wb") as handle:
        for _ in range(1024):
            handle.write(os.urandom(1 << 20))
    return ctx.python_command("-m", "mlform.artifacts.benchmark", str(path))


if __name__ == "__main__":
    raise SystemExit(suite.main())
