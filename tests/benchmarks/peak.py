"""Run a command and write its peak resident memory (bytes) to a file: the harness's way of
measuring memory.

    python peak.py OUTFILE COMMAND [ARGS...]

Linux carries a process's peak RSS across fork and exec, so a command started straight from
the harness would report the harness's own memory at the fork (the data it generated, say)
as its peak. Started from this small process instead, its peak is its own (the floor is this
launcher's few megabytes, below any Python command's own).
"""

import os
import sys


def main() -> int:
    out, argv = sys.argv[1], sys.argv[2:]
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    _, status, usage = os.wait4(pid, 0)
    with open(out, "w") as handle:
        handle.write(str(usage.ru_maxrss * 1024))
    return os.waitstatus_to_exitcode(status) & 0xFF


if __name__ == "__main__":
    raise SystemExit(main())
