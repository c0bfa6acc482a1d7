"""Write a large, realistic mlform configuration for benchmarks.

    python tests/benchmarks/generate.py DIR --resources 1000

writes, into DIR (created; it must be empty unless ``--force``):

- ``variables.mlf.hcl``: variables (one with a validation rule, one sensitive) and locals;
- ``pipelines_NN.mlf.hcl``: chains of ``dataset -> split -> model -> evaluation``, shaped like
  the quickstart (DESIGN.md §1), ``--chains-per-file`` chains per file (default 20);
- ``serving.mlf.hcl``: one ``endpoint`` per chain, referring across files to its model and
  evaluation;
- ``outputs.mlf.hcl``: a few outputs;
- ``bench.auto.mlfvars`` (the sensitive variable's value), ``metrics.py`` (the custom metric
  the evaluations inject), and ``data/customers_K.csv`` (small CSVs the datasets read).

A full chain is five resources, so ``--resources 1000`` gives 200 chains; a remainder becomes
one shorter last chain (dataset, split, ...), so the count is exact. Attributes vary from
chain to chain (sources, filters, samples, split methods, preprocessing, params, metrics,
gates, ports) the way a real team's configurations do. The output is deterministic, laid out
as ``terraform fmt`` would, and needs only the standard library.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

KINDS = ("dataset", "split", "model", "evaluation", "endpoint")
SEGMENTS = ("churn", "renewal", "upgrade", "winback", "retention")
DATA_FILES = 10
DATA_ROWS = 60
COLUMNS = ["customer_id", "tenure", "plan", "monthly", "region", "signup", "churned"]

# An attribute is (name, HCL expression); a body is a list of attributes and nested blocks.
Attribute = tuple[str, str]
Body = list["Attribute | Block"]


@dataclass
class Block:
    header: str  # e.g. 'dataset "churn_000"'
    body: Body


def q(text: str) -> str:
    """An HCL quoted string (the texts used here need no template escaping)."""
    assert "${" not in text and "%{" not in text
    return json.dumps(text)


def hcl_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(q(item) for item in items) + "]"


def hcl_object(pairs: Sequence[tuple[str, str]]) -> str:
    return "{ " + ", ".join(f"{key} = {value}" for key, value in pairs) + " }"


def render(block: Block, indent: int = 0) -> list[str]:
    """Lay a block out like ``terraform fmt``: two-space indent, ``=`` aligned within runs of
    consecutive attributes. A nested block with only a single attribute stays on one line."""
    pad = "  " * indent
    lines = [f"{pad}{block.header} {{"]
    run: list[Attribute] = []

    def flush() -> None:
        if run:
            width = max(len(name) for name, _ in run)
            lines.extend(f"{pad}  {name.ljust(width)} = {value}" for name, value in run)
            run.clear()

    for item in block.body:
        if isinstance(item, Block):
            flush()
            if len(item.body) == 1 and not isinstance(item.body[0], Block):
                name, value = item.body[0]
                lines.append(f"{pad}  {item.header} {{ {name} = {value} }}")
            else:
                lines.extend(render(item, indent + 1))
        else:
            run.append(item)
    flush()
    lines.append(f"{pad}}}")
    return lines


def render_file(blocks: Sequence[Block], comment: str) -> str:
    parts = [f"# {comment}"]
    parts.extend("\n".join(render(block)) for block in blocks)
    return "\n\n".join(parts) + "\n"


# -- the resources of one chain ---------------------------------------------------------------


def chain_name(i: int) -> str:
    return f"{SEGMENTS[i % len(SEGMENTS)]}_{i:03d}"


def dataset_block(i: int, name: str) -> Block:
    filters = [
        "tenure > 0",
        "tenure > 3 AND plan <> 'basic'",
        "monthly IS NOT NULL",
        "region IN ('north', 'south', 'east')",
        "tenure BETWEEN 1 AND 48",
        "signup >= '2020-01-01'",
    ]
    body: Body = [
        ("source", q(f"data/customers_{i % DATA_FILES}.csv")),
        ("columns", hcl_list(COLUMNS)),
        ("where", q(filters[i % len(filters)])),
    ]
    if i % 3 == 0:
        body.append(
            ("sample", hcl_object([("fraction", "local.sample_fraction"), ("seed", str(i))]))
        )
    elif i % 3 == 1:
        body.append(("limit", str(1000 + 250 * (i % 8))))
    if i % 4 == 0:
        body.append(
            (
                "description",
                q(f"Customers of the {SEGMENTS[i % len(SEGMENTS)]} programme, cohort {i}"),
            )
        )
        body.append(
            (
                "tags",
                hcl_object(
                    [
                        ("team", q(f"growth-{i % 6}")),
                        ("tier", q("gold" if i % 8 == 0 else "silver")),
                    ]
                ),
            )
        )
    return Block(f'dataset "{name}"', body)


def split_block(i: int, name: str) -> Block:
    ratios = [
        ("0.7", "0.1", "0.2"),
        ("0.6", "0.2", "0.2"),
        ("0.8", "0.1", "0.1"),
        ("0.75", "0.1", "0.15"),
    ]
    train, valid, test = ratios[i % len(ratios)]
    body: Body = [
        ("dataset", f"dataset.{name}"),
        ("ratio", hcl_object([("train", train), ("valid", valid), ("test", test)])),
    ]
    method = i % 4
    if method == 0:
        body.append(("seed", str(40 + i % 7)))
    elif method == 1:
        body.append(("label", q("churned")))
        body.append(("stratify_by", q("churned")))
        body.append(("seed", str(i)))
    elif method == 2:
        body.append(("hash_by", q("customer_id")))
    else:
        body.append(("index_by", q("signup")))
    body.append(
        Block(
            "fill",
            [("columns", hcl_list(["monthly"])), ("method", q("median" if i % 2 else "mean"))],
        )
    )
    standardize = ["monthly", "tenure"] if i % 5 else ["monthly"]
    body.append(Block("standardize", [("columns", hcl_list(standardize))]))
    body.append(
        Block("one_hot", [("columns", hcl_list(["plan", "region"] if i % 6 else ["plan"]))])
    )
    return Block(f'split "{name}"', body)


def model_block(i: int, name: str) -> Block:
    depth = "var.max_depth" if i % 3 == 0 else f"var.max_depth + {i % 3}"
    params = [
        ("max_depth", depth),
        ("eta", "var.eta" if i % 2 == 0 else "var.eta / 2"),
        ("objective", q("binary:logistic")),
    ]
    if i % 5 == 0:
        params.append(("subsample", "0.8"))
    body: Body = [
        ("type", q("xgboost")),
        ("split", f"split.{name}"),
        ("label", q("churned")),
        ("params", hcl_object(params)),
        ("rounds", "local.rounds" if i % 2 == 0 else str(100 + 50 * (i % 5))),
        ("early_stopping_rounds", str(10 + 5 * (i % 3))),
    ]
    return Block(f'model "{name}"', body)


def evaluation_block(i: int, name: str) -> Block:
    body: Body = [
        ("model", f"model.{name}"),
        ("part", q("test")),
        ("metrics", "local.standard_metrics" if i % 2 == 0 else hcl_list(["auc", "logloss"])),
        ("slice_by", hcl_list([["plan"], ["region"], ["plan", "region"]][i % 3])),
    ]
    if i % 2 == 0:
        body.append(Block('metric "lift"', [("function", q("metrics.py:top_decile_lift"))]))
    body.append(
        Block("threshold", [("metric", q("auc")), ("min", "local.min_auc" if i % 3 else "0.75")])
    )
    return Block(f'evaluation "{name}"', body)


def endpoint_block(i: int, name: str) -> Block:
    body: Body = [
        ("model", f"model.{name}"),
        ("evaluation", f"evaluation.{name}"),
        ("runtime", q("local")),
        ("port", str(9000 + i)),
        ("token", "var.serving_token"),
    ]
    return Block(f'endpoint "{name}"', body)


BUILDERS = (dataset_block, split_block, model_block, evaluation_block, endpoint_block)


# -- the files ----------------------------------------------------------------------------------


def variables_file() -> str:
    blocks = [
        Block(
            'variable "max_depth"',
            [
                ("type", "number"),
                ("default", "6"),
                Block(
                    "validation",
                    [
                        ("condition", "var.max_depth > 0"),
                        ("error_message", q("max_depth must be positive.")),
                    ],
                ),
            ],
        ),
        Block('variable "eta"', [("type", "number"), ("default", "0.1")]),
        Block('variable "serving_token"', [("type", "string"), ("sensitive", "true")]),
        Block(
            "locals",
            [
                ("sample_fraction", "0.5"),
                ("rounds", "200"),
                ("min_auc", "0.8"),
                ("standard_metrics", hcl_list(["auc", "accuracy", "logloss"])),
            ],
        ),
    ]
    return render_file(blocks, "Variables and locals shared by every pipeline.")


def outputs_file(names: Sequence[str]) -> str:
    blocks: list[Block] = []
    for name in names[:5]:
        blocks.append(Block(f'output "{name}_url"', [("value", f"endpoint.{name}.url")]))
        blocks.append(Block(f'output "{name}_auc"', [("value", f"evaluation.{name}.metrics.auc")]))
    return render_file(blocks, "A few outputs, as a team would expose them.")


METRICS_PY = '''"""Custom metrics injected into the generated evaluations."""

import math

import numpy as np


def top_decile_lift(y_true, y_pred, frame=None):
    """Positive rate of the top 10% by score over the overall positive rate (NaN if undefined)."""
    labels = np.asarray(y_true, dtype=float).reshape(-1)
    scores = np.asarray(y_pred, dtype=float).reshape(-1)
    if labels.size == 0 or labels.mean() == 0:
        return math.nan
    top = np.argsort(-scores, kind="stable")[: math.ceil(labels.size / 10)]
    return float(labels[top].mean() / labels.mean())
'''


def write_data(directory: Path, files: int, rows: int, seed: int) -> None:
    """Small CSVs with the quickstart's columns, so every dataset's source exists."""
    rng = random.Random(seed)
    as_of = dt.date(2024, 12, 31)
    directory.mkdir(parents=True, exist_ok=True)
    for k in range(files):
        with (directory / f"customers_{k}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for r in range(rows):
                tenure = 0 if rng.random() < 0.04 else rng.randint(1, 72)
                plan = rng.choice(["basic", "standard", "premium"])
                base = {"basic": 29.0, "standard": 59.0, "premium": 94.0}[plan]
                monthly = "" if rng.random() < 0.03 else f"{max(9.99, rng.gauss(base, 8)):.2f}"
                signup = as_of - dt.timedelta(days=int(tenure * 30.44) + rng.randint(0, 29))
                churn_p = 0.6 if tenure < 6 else 0.25 if tenure < 24 else 0.08
                writer.writerow(
                    [
                        f"C{k:02d}{r:04d}",
                        tenure,
                        plan,
                        monthly,
                        rng.choice(["north", "south", "east", "west", "central"]),
                        signup.isoformat(),
                        int(rng.random() < churn_p),
                    ]
                )


def generate(
    directory: Path, resources: int = 1000, chains_per_file: int = 20, force: bool = False
) -> dict[str, int]:
    """Write the configuration into ``directory``; return counts (resources, chains, files)."""
    if resources < 1:
        raise ValueError("resources must be at least 1")
    if chains_per_file < 1:
        raise ValueError("chains_per_file must be at least 1")
    if directory.exists() and any(directory.iterdir()):
        if not force:
            raise FileExistsError(f"{directory} is not empty (use --force to replace its contents)")
        for child in directory.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    directory.mkdir(parents=True, exist_ok=True)

    full, rest = divmod(resources, len(KINDS))
    chains = full + (1 if rest else 0)
    names = [chain_name(i) for i in range(chains)]
    files = 0

    def write(filename: str, text: str) -> None:
        nonlocal files
        (directory / filename).write_text(text, encoding="utf-8")
        files += 1

    write("variables.mlf.hcl", variables_file())
    for start in range(0, chains, chains_per_file):
        blocks: list[Block] = []
        for i in range(start, min(start + chains_per_file, chains)):
            kinds = len(KINDS) - 1 if i < full else rest  # endpoints live in serving.mlf.hcl
            blocks.extend(BUILDERS[k](i, names[i]) for k in range(min(kinds, len(KINDS) - 1)))
        end = min(start + chains_per_file, chains) - 1
        span = names[start] if end == start else f"{names[start]} to {names[end]}"
        write(
            f"pipelines_{start // chains_per_file:02d}.mlf.hcl",
            render_file(blocks, f"Pipelines {span}: dataset, split, model, evaluation."),
        )
    if full:
        endpoints = [endpoint_block(i, names[i]) for i in range(full)]
        write(
            "serving.mlf.hcl",
            render_file(endpoints, "Endpoints, one per pipeline, owned by the serving team."),
        )
        write("outputs.mlf.hcl", outputs_file(names[:full]))
    (directory / "bench.auto.mlfvars").write_text(
        'serving_token = "benchmark-token"\n', encoding="utf-8"
    )
    (directory / "metrics.py").write_text(METRICS_PY, encoding="utf-8")
    write_data(directory / "data", DATA_FILES, DATA_ROWS, seed=1)
    return {"resources": resources, "chains": chains, "files": files}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a generated mlform configuration for benchmarks."
    )
    parser.add_argument("directory", type=Path, help="configuration directory to write (created)")
    parser.add_argument(
        "--resources", type=int, default=1000, help="number of resources (default 1000)"
    )
    parser.add_argument(
        "--chains-per-file",
        type=int,
        default=20,
        help="pipeline chains per *.mlf.hcl file (default 20)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the contents of a non-empty directory"
    )
    args = parser.parse_args(argv)
    try:
        counts = generate(args.directory, args.resources, args.chains_per_file, args.force)
    except (FileExistsError, ValueError) as exc:
        parser.error(str(exc))
    print(
        f"wrote {args.directory}: {counts['resources']} resources in {counts['chains']} chains, "
        f"{counts['files']} *.mlf.hcl files"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
