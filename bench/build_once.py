"""Child process of the benchmark: one `mkdocs build`, then our render counters as JSON.

Runs MkDocs' own command line in this process, so what is timed is exactly `mkdocs build`; the
counters of `generator.render` (dot processes, version probes, cache hits) can only be read here.
"""

from __future__ import annotations

import cProfile
import dataclasses
import json
import sys

from mkdocs.__main__ import cli

__all__ = ["main"]


def main(argv: list[str]) -> int:
    """`build_once.py CONFIG SITE_DIR STATS_JSON [PROFILE]`: build quietly and strictly; 0 on success.
    With PROFILE, the build runs under cProfile and its stats are saved there."""
    config, site_dir, stats_file = argv[:3]
    command = ["build", "--quiet", "--strict", "-f", config, "-d", site_dir]
    try:
        if len(argv) > 3:
            cProfile.runctx("cli.main(command, standalone_mode=False)", globals(), {"command": command}, argv[3])
        else:
            cli.main(command, standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            return int(exc.code) if isinstance(exc.code, int) else 1
    except Exception as exc:  # a build error: report it the way the command line does
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    render = sys.modules.get("generator.render")  # present only when our plugin ran: the floor imports nothing
    stats = dataclasses.asdict(render.stats) if render is not None else {}
    with open(stats_file, "w", encoding="utf-8") as out:
        json.dump(stats, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
