"""The evaluation's report: one self-contained HTML file (its PNG plots embedded as data
URIs), so that it opens in any browser, from any machine, with nothing beside it. It holds
no timestamp: the same evaluation gives the same bytes.

The artifact store names files by digest, without an extension, and a browser or `open`
may not take such a file for HTML. So the report is stored as a tar archive holding
`report.html`, and the `report` output is the path of that file in the archive's unpacked
directory (`<artifacts>/.unpacked/<digest>/report.html`), which opens as what it is.
"""

from __future__ import annotations

import base64
import html
import io
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers.evaluation.scoring import MetricValue
from providers.evaluation.slices import Slice
from providers.evaluation.thresholds import Verdict, show

ARTIFACT = "report.tar"
"""The report's artifact name (the `report` output holds its path, not its digest)."""
FILE = "report.html"
"""The report's name inside the archive."""

TITLES = {
    "roc": "ROC curve",
    "precision_recall": "Precision-recall curve",
    "confusion_matrix": "Confusion matrix",
    "calibration": "Calibration",
    "residuals": "Residuals",
    "feature_importance": "Feature importance",
    "training_curves": "Training curves",
}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.passed { color: #1a7f37; font-weight: bold; } .failed { color: #cf222e; font-weight: bold; }
.note { color: #666; } figure { margin: 1rem 0; } img { max-width: 100%; }
code { background: #f4f4f4; padding: 0 0.2rem; }
"""


@dataclass(frozen=True)
class ReportContent:
    address: str
    model_id: str
    part: str
    rows: int
    task: str
    classes: Sequence[Any] | None
    metrics: Mapping[str, MetricValue]
    baseline: Mapping[str, Any] | None
    slices: Sequence[Slice]
    verdicts: Sequence[Verdict]
    custom: Mapping[str, str]
    """Custom metric name -> its function reference."""
    plots: Mapping[str, Path]
    predictions: str
    """The digest of the stored predictions."""
    notes: Sequence[str] = ()


def write_report(content: ReportContent, path: Path) -> None:
    """Write the report into a tar archive at `path`, holding `FILE` only. The archive's
    bytes depend on the report's alone (no time, owner or mode from the machine)."""
    data = render(content).encode("utf-8")
    entry = tarfile.TarInfo(FILE)
    entry.size, entry.mtime, entry.mode = len(data), 0, 0o644
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as archive:
        archive.addfile(entry, io.BytesIO(data))


def render(content: ReportContent) -> str:
    passed = all(verdict.passed for verdict in content.verdicts)
    sections = [
        f"<h1>Evaluation {_e(content.address)}</h1>",
        _summary(content, passed),
        _thresholds(content.verdicts),
        _metrics(content),
        _confusion(content),
        _slices(content),
        _plots(content.plots),
    ]
    body = "\n".join(section for section in sections if section)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Evaluation {_e(content.address)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _summary(content: ReportContent, passed: bool) -> str:
    if not content.verdicts:
        gate = '<span class="note">no thresholds</span>'
    elif passed:
        gate = '<span class="passed">passed</span>'
    else:
        gate = '<span class="failed">failed</span>'
    rows = [
        ("Model", f"<code>{_e(content.model_id)}</code>"),
        ("Part", _e(content.part)),
        ("Rows", str(content.rows)),
        ("Task", _e(content.task)),
        ("Gate", gate),
        ("Predictions", f"<code>{_e(content.predictions)}</code> (Parquet)"),
    ]
    if content.classes is not None:
        rows.insert(4, ("Classes", ", ".join(_e(str(c)) for c in content.classes)))
    if content.custom:
        listed = ", ".join(
            f"{_e(name)} (<code>{_e(reference)}</code>)"
            for name, reference in content.custom.items()
        )
        rows.append(("Custom metrics", listed))
    table = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    notes = "".join(f'<p class="note">{_e(note)}</p>' for note in content.notes)
    return f"<table>{table}</table>{notes}"


def _thresholds(verdicts: Sequence[Verdict]) -> str:
    if not verdicts:
        return ""
    rows = []
    for verdict in verdicts:
        threshold = verdict.threshold
        bounds = [
            f"{bound} {show(value, sign='delta' in bound)}"
            for bound in ("min", "max", "min_delta", "max_delta")
            if (value := getattr(threshold, bound)) is not None
        ]
        result = (
            '<span class="passed">passed</span>'
            if verdict.passed
            else f'<span class="failed">failed</span>: {_e("; ".join(verdict.failures))}'
        )
        note = f' <span class="note">{_e(verdict.note)}</span>' if verdict.note else ""
        rows.append(
            f"<tr><td>{_e(threshold.metric)}</td><td>{_e(', '.join(bounds))}</td>"
            f'<td class="number">{_number(verdict.value)}</td>'
            f'<td class="number">{_number(verdict.baseline)}</td><td>{result}{note}</td></tr>'
        )
    head = (
        "<tr><th>Metric</th><th>Condition</th><th>Value</th><th>Baseline</th><th>Result</th></tr>"
    )
    return f"<h2>Thresholds</h2><table>{head}{''.join(rows)}</table>"


def _metrics(content: ReportContent) -> str:
    baseline = content.baseline
    head = "<tr><th>Metric</th><th>Value</th>"
    if baseline is not None:
        head += "<th>Baseline</th><th>Change</th>"
    rows = []
    for name, value in content.metrics.items():
        if isinstance(value, list):
            continue
        row = f'<tr><td>{_e(name)}</td><td class="number">{_number(value)}</td>'
        if baseline is not None:
            before = baseline.get(name)
            change = (
                f"{value - before:+.4f}"
                if isinstance(value, float) and isinstance(before, int | float)
                else ""
            )
            row += f'<td class="number">{_number(before)}</td><td class="number">{change}</td>'
        rows.append(row + "</tr>")
    if not rows:
        return ""
    note = (
        '<p class="note">Baseline: the last evaluation of this address that passed its gate.</p>'
        if baseline is not None
        else '<p class="note">No baseline: no earlier evaluation of this address passed its '
        "gate.</p>"
    )
    return f"<h2>Metrics</h2><table>{head}</tr>{''.join(rows)}</table>{note}"


def _confusion(content: ReportContent) -> str:
    matrix = content.metrics.get("confusion_matrix")
    if not isinstance(matrix, list) or content.classes is None:
        return ""
    names = [_e(str(c)) for c in content.classes]
    head = "<tr><th>true \\ predicted</th>" + "".join(f"<th>{n}</th>" for n in names) + "</tr>"
    rows = "".join(
        f"<tr><th>{name}</th>" + "".join(f'<td class="number">{c}</td>' for c in row) + "</tr>"
        for name, row in zip(names, matrix, strict=True)
    )
    return f"<h2>Confusion matrix</h2><table>{head}{rows}</table>"


def _slices(content: ReportContent) -> str:
    if not content.slices:
        return ""
    names = [n for n, v in content.slices[0].metrics.items() if not isinstance(v, list)]
    head = "<tr><th>Slice</th><th>Rows</th>" + "".join(f"<th>{_e(n)}</th>" for n in names)
    rows = "".join(
        f'<tr><td>{_e(item.name)}</td><td class="number">{item.rows}</td>'
        + "".join(f'<td class="number">{_number(item.metrics.get(n))}</td>' for n in names)
        + "</tr>"
        for item in content.slices
    )
    note = '<p class="note">&mdash;: the metric is undefined on the slice.</p>'
    return f"<h2>Slices</h2><table>{head}</tr>{rows}</table>{note}"


def _plots(plots: Mapping[str, Path]) -> str:
    figures = []
    for name, path in plots.items():
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        title = TITLES.get(name, name)
        figures.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{_e(title)}">'
            f"<figcaption>{_e(title)}</figcaption></figure>"
        )
    return f"<h2>Plots</h2>{''.join(figures)}" if figures else ""


def _number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.4f}"
    return "&mdash;"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
