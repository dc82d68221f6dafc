"""`aiml-magics lab [NOTEBOOK]`: JupyterLab with the magics ready, real service or simulator.

Without an API key in the environment, a local simulator is started on a free loopback port
and the kernels are pointed at it; every simulated answer says so in its footer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

from .api.secret import KEY_ENV_VARS


def lab_environment(
    environ: dict[str, str], simulator_url: str | None, simulator_key: str | None
) -> dict[str, str]:
    """The environment JupyterLab (and so every kernel) runs with."""
    env = dict(environ)
    if simulator_url is not None and simulator_key is not None:
        for name in KEY_ENV_VARS:
            env.pop(name, None)
        env["AIML_API_KEY"] = simulator_key
        env["AIML_API_BASE"] = simulator_url
    return env


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aiml-magics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    lab = commands.add_parser("lab", help="open JupyterLab with aiml-magics ready")
    lab.add_argument("notebook", nargs="?", help="notebook to open")
    lab.add_argument(
        "--simulator",
        action="store_true",
        help="use the local simulator even when an API key is set",
    )
    lab.add_argument("--port", type=int, default=None, help="JupyterLab port")
    args, extra = parser.parse_known_args(argv)

    use_simulator = args.simulator or not any(os.environ.get(n) for n in KEY_ENV_VARS)
    simulator = None
    if use_simulator:
        from .simulator import Simulator

        simulator = Simulator(port=0)
        simulator.start()
        print(
            f"No API key in the environment: answers come from the local simulator at "
            f"{simulator.base_url}. Set AIML_API_KEY to use the real service.",
            file=sys.stderr,
        )
    env = lab_environment(
        dict(os.environ),
        simulator.base_url if simulator else None,
        simulator.api_key if simulator else None,
    )
    command = [sys.executable, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1"]
    if args.port:
        command.append(f"--ServerApp.port={args.port}")
    if args.notebook:
        command.append(args.notebook)
    command += extra
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        if simulator is not None:
            simulator.stop()


if __name__ == "__main__":
    raise SystemExit(main())
