"""A small harness for whole-process benchmarks.

A benchmark is one function, registered on a :class:`Suite`, that prepares what it needs in a
scratch directory and returns the :class:`Command` to time::

    suite = Suite(baseline=import_baseline)

    @suite.benchmark("validate 1000 resources")
    def validate_1000(ctx: Context) -> Command:
        config = ctx.workdir / "config"
        generate(config, resources=1000)
        return ctx.mlform("validate", str(config))

    raise SystemExit(suite.main())

Every command runs as a fresh process (``subprocess``, wall clock), so interpreter start-up and
imports count, as they do for a user. Each command runs once as a warm-up (which must exit 0,
else the benchmark is reported as failed), then ``--repeat`` times (default 5) in interleaved
rounds (baseline, benchmark 1, benchmark 2, ..., baseline, ...) so that a change in machine
load affects all of them alike; the median is reported, with its ratio to the baseline
measured in the same run. ``--json FILE`` writes the results; ``--profile`` runs each
selected benchmark's in-process target under cProfile instead of timing it.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import inspect
import io
import json
import os
import platform
import pstats
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Command:
    """A whole-process command to time, and optionally the same work as an in-process call.

    ``profile`` is what ``--profile`` runs under cProfile in the harness's own process; a
    benchmark without it cannot be profiled. ``label`` is how the command is shown (default:
    the shell-quoted argv).
    """

    argv: Sequence[str]
    cwd: Path | None = None
    env: Mapping[str, str] | None = None
    label: str | None = None
    profile: Callable[[], object] | None = None

    def display(self) -> str:
        return self.label if self.label is not None else shlex.join(self.argv)


@dataclass
class Context:
    """What a benchmark function gets: a scratch directory and the interpreter to use."""

    workdir: Path
    python: str = sys.executable
    root: Path = ROOT

    def scratch(self, name: str) -> Path:
        """A fresh directory under the run's scratch directory."""
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=False)
        return path

    def python_command(self, *args: str, label: str | None = None) -> Command:
        """``python ARGS...`` with the benchmark interpreter."""
        return Command([self.python, *args], label=label)

    def mlform_argv(self, *args: str) -> list[str]:
        """The ``mlform`` console script beside the interpreter, else ``python -m mlform``."""
        script = Path(self.python).parent / "mlform"
        if script.exists():
            return [str(script), *args]
        found = shutil.which("mlform")
        if found is not None:
            return [found, *args]
        return [self.python, "-m", "mlform", *args]

    def mlform(self, *args: str, cwd: Path | None = None) -> Command:
        """``mlform ARGS...`` as a process, and in-process (for ``--profile``) the same call to
        ``mlform.cli.main.main``."""
        argv = self.mlform_argv(*args)
        label = shlex.join(["mlform", *args])
        return Command(argv, cwd=cwd, label=label, profile=lambda: run_mlform_inprocess(args, cwd))


def run_mlform_inprocess(args: Sequence[str], cwd: Path | None = None) -> int:
    """Call mlform's command line in this process, as ``mlform ARGS...`` would in ``cwd``;
    return its exit code. The import happens inside, so a profile shows what importing costs
    too."""
    from mlform.cli.main import main  # imported here on purpose: part of what is measured

    saved, saved_cwd = sys.argv, os.getcwd()
    sys.argv = ["mlform", *args]
    if cwd is not None:
        os.chdir(cwd)
    try:
        if inspect.signature(main).parameters:
            result: Any = main(list(args))
        else:
            result = main()
    except SystemExit as stop:
        result = stop.code
    finally:
        sys.argv = saved
        os.chdir(saved_cwd)
    if result is None:
        return 0
    return result if isinstance(result, int) else 1


BenchmarkFunction = Callable[[Context], Command]


@dataclass(frozen=True)
class Benchmark:
    name: str
    function: BenchmarkFunction
    description: str = ""


@dataclass
class Measurement:
    """The timings of one command in one run."""

    name: str
    command: str
    times: list[float] = field(default_factory=list)
    error: str | None = None
    peaks: list[int] = field(default_factory=list)
    """Peak resident memory of each timed run, in bytes."""

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def to_json(self, baseline: Measurement | None) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "command": self.command, "ok": self.ok}
        if self.times:
            data.update(
                times=self.times,
                median=self.median,
                min=min(self.times),
                max=max(self.times),
            )
        if self.peaks:
            data["peak_memory_bytes"] = statistics.median(self.peaks)
        if self.error is not None:
            data["error"] = self.error
        if baseline is not None and baseline.ok and self.ok:
            data["ratio"] = self.median / baseline.median
        return data


def run_once(command: Command, timeout: float | None = None) -> tuple[float, int, str]:
    """Run ``command`` once; return (wall-clock seconds, exit code, the tail of its output)."""
    elapsed, code, output, _ = run_measured(command, timeout)
    return elapsed, code, output


def run_measured(
    command: Command, timeout: float | None = None
) -> tuple[float, int, str, int | None]:
    """Run ``command`` once; return (wall-clock seconds, exit code, the tail of its output,
    its peak resident memory in bytes: the largest of the process and the children it waited
    for, from wait4's rusage).

    Bytecode caching is on whatever the caller's environment says (PYTHONDONTWRITEBYTECODE
    is dropped): an installed mlform runs from compiled modules, and the warm-up run writes
    them, so every measured run, baseline included, loads them as a user's would."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if command.env is not None:
        env.update(command.env)
    peak_file = tempfile.NamedTemporaryFile(prefix="mlform-peak-", delete=False)  # noqa: SIM115
    peak_file.close()
    launcher = [sys.executable, str(Path(__file__).with_name("peak.py")), peak_file.name]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [*launcher, *command.argv],
            cwd=command.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, 124, f"timed out after {timeout} s", None
    elapsed = time.perf_counter() - start
    output = proc.stdout.decode("utf-8", "replace")
    try:
        peak: int | None = int(Path(peak_file.name).read_text() or 0) or None
    except (OSError, ValueError):
        peak = None
    finally:
        Path(peak_file.name).unlink(missing_ok=True)
    if proc.returncode == 127 and peak is None:
        return elapsed, 127, tail(output), None
    return elapsed, proc.returncode, tail(output), peak


def tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def format_seconds(seconds: float) -> str:
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def format_line(result: Measurement, baseline: Measurement | None) -> str:
    """One line per benchmark: median, ratio to the baseline, spread."""
    name = result.name
    if baseline is None:  # the baseline itself: name its command
        name = f"{name} {json.dumps(result.command)}"
    if not result.ok:
        error = (result.error or "no timing").replace("\n", "\n    ")
        return f"{name}: FAILED ({error})"
    line = f"{name}: {format_seconds(result.median)}"
    if baseline is not None and baseline.ok and baseline is not result:
        ratio = result.median / baseline.median
        line += (
            f" ({ratio:.1f}x baseline {json.dumps(baseline.command)}"
            f" {format_seconds(baseline.median)})"
        )
    spread = f"{format_seconds(min(result.times))} - {format_seconds(max(result.times))}"
    memory = (
        f", peak memory {statistics.median(result.peaks) / 2**20:.0f} MiB" if result.peaks else ""
    )
    return f"{line} [{spread}, {len(result.times)} runs{memory}]"


class Suite:
    """A baseline and the benchmarks measured against it, with a command line."""

    def __init__(self, baseline: BenchmarkFunction, description: str = "") -> None:
        self.baseline = baseline
        self.description = description
        self.benchmarks: list[Benchmark] = []

    def benchmark(self, name: str) -> Callable[[BenchmarkFunction], BenchmarkFunction]:
        """Register the decorated function as the benchmark ``name``."""

        def register(function: BenchmarkFunction) -> BenchmarkFunction:
            if any(b.name == name for b in self.benchmarks):
                raise ValueError(f"benchmark {name!r} registered twice")
            summary = (inspect.getdoc(function) or "").split("\n\n")[0]
            self.benchmarks.append(Benchmark(name, function, " ".join(summary.split())))
            return function

        return register

    # -- running ---------------------------------------------------------------------------

    def select(self, patterns: Sequence[str]) -> list[Benchmark]:
        if not patterns:
            return list(self.benchmarks)
        chosen = [b for b in self.benchmarks if any(p in b.name for p in patterns)]
        if not chosen:
            raise SystemExit(f"no benchmark matches {', '.join(patterns)}")
        return chosen

    def measure(
        self,
        ctx: Context,
        selected: Sequence[Benchmark],
        repeat: int,
        timeout: float | None,
        log: Callable[[str], None],
    ) -> tuple[Measurement, list[Measurement]]:
        """Set up every benchmark, warm each command up once, then time ``repeat`` rounds."""
        baseline_command = self.baseline(ctx)
        commands: list[tuple[Measurement, Command]] = [
            (Measurement("baseline", baseline_command.display()), baseline_command)
        ]
        for bench in selected:
            log(f"setting up {bench.name} ...")
            try:
                command = bench.function(ctx)
            except Exception as exc:  # a broken setup fails its benchmark, not the run
                commands.append((Measurement(bench.name, "", error=f"setup: {exc!r}"), Command([])))
                continue
            commands.append((Measurement(bench.name, command.display()), command))

        for result, command in commands:
            if result.error is not None:
                continue
            log(f"warm-up: {result.name}: {result.command}")
            _, code, output = run_once(command, timeout)
            if code != 0:
                result.error = f"exit {code}: {output}" if output else f"exit {code}"

        for round_no in range(repeat):
            log(f"round {round_no + 1}/{repeat}")
            for result, command in commands:
                if result.error is not None:
                    continue
                elapsed, code, output, peak = run_measured(command, timeout)
                if code != 0:
                    result.error = f"exit {code} in round {round_no + 1}: {output}"
                    continue
                result.times.append(elapsed)
                if peak is not None:
                    result.peaks.append(peak)

        results = [result for result, _ in commands]
        return results[0], results[1:]

    def profile(self, ctx: Context, selected: Sequence[Benchmark], limit: int, sort: str) -> int:
        """Run each selected benchmark's in-process target under cProfile; print the top
        ``limit`` entries by ``sort``."""
        status = 0
        for bench in selected:
            command = bench.function(ctx)
            if command.profile is None:
                print(f"{bench.name}: no in-process target to profile", file=sys.stderr)
                status = 1
                continue
            profiler = cProfile.Profile()
            start = time.perf_counter()
            profiler.enable()
            try:
                result = command.profile()
            except Exception:
                profiler.disable()
                print(f"{bench.name}: the in-process run failed:", file=sys.stderr)
                traceback.print_exc()
                status = 1
                continue
            finally:
                profiler.disable()
            elapsed = time.perf_counter() - start
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats(sort).print_stats(limit)
            print(
                f"== {bench.name}: {command.display()} (in-process, {elapsed:.2f} s under cProfile, result {result!r})"
            )
            print(stream.getvalue().rstrip())
            print()
            if result not in (0, None):
                status = 1
        return status

    # -- command line -----------------------------------------------------------------------

    def main(self, argv: Sequence[str] | None = None) -> int:
        parser = argparse.ArgumentParser(
            description=self.description or "Run the benchmarks.",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument(
            "only", nargs="*", help="run only benchmarks whose name contains one of these"
        )
        parser.add_argument(
            "-n", "--repeat", type=int, default=5, help="timed runs per command (default 5)"
        )
        parser.add_argument(
            "--json", type=Path, metavar="FILE", help="write the results as JSON to FILE"
        )
        parser.add_argument(
            "--timeout", type=float, default=600.0, help="seconds allowed per command run"
        )
        parser.add_argument(
            "--python",
            default=sys.executable,
            help="interpreter for the commands (default: this one)",
        )
        parser.add_argument(
            "--workdir",
            type=Path,
            help="scratch directory, kept afterwards (default: a temporary one, removed)",
        )
        parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
        parser.add_argument(
            "--profile",
            action="store_true",
            help="run each benchmark in-process under cProfile instead of timing it",
        )
        parser.add_argument(
            "--profile-limit",
            type=int,
            default=15,
            help="entries to print with --profile (default 15)",
        )
        parser.add_argument(
            "--profile-sort",
            default="cumulative",
            help="pstats sort key with --profile (default cumulative)",
        )
        parser.add_argument("-q", "--quiet", action="store_true", help="print only the results")
        args = parser.parse_args(argv)

        if args.list:
            for bench in self.benchmarks:
                print(f"{bench.name}: {bench.description}" if bench.description else bench.name)
            return 0
        if args.repeat < 1:
            parser.error("--repeat must be at least 1")
        selected = self.select(args.only)

        def log(message: str) -> None:
            if not args.quiet:
                print(f"  {message}", file=sys.stderr, flush=True)

        if args.workdir is not None:
            args.workdir.mkdir(parents=True, exist_ok=True)
            workdir = Path(tempfile.mkdtemp(prefix="run-", dir=args.workdir))
            cleanup = False
        else:
            workdir = Path(tempfile.mkdtemp(prefix="mlform-bench-"))
            cleanup = True
        ctx = Context(workdir=workdir, python=args.python)
        try:
            if args.profile:
                return self.profile(ctx, selected, args.profile_limit, args.profile_sort)
            baseline, results = self.measure(ctx, selected, args.repeat, args.timeout, log)
        finally:
            if cleanup:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                log(f"kept {workdir}")

        print(format_line(baseline, None))
        for result in results:
            print(format_line(result, baseline))
        if args.json is not None:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(
                json.dumps(report(baseline, results, args.repeat), indent=2) + "\n"
            )
        return 0 if baseline.ok and all(r.ok for r in results) else 1


def report(baseline: Measurement, results: Sequence[Measurement], repeat: int) -> dict[str, Any]:
    """The JSON document of one run: where it ran, the baseline and each benchmark."""
    return {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "repeat": repeat,
        "statistic": "median wall-clock seconds of whole-process runs, after one warm-up",
        "baseline": baseline.to_json(None),
        "benchmarks": [result.to_json(baseline) for result in results],
    }
