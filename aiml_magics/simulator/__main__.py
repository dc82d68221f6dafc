"""`python -m aiml_magics.simulator`: serve the simulator until Ctrl-C."""

from .cli import main

raise SystemExit(main())
