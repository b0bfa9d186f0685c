"""`python -m tracking ...`: the staff command line (see tracking/cli.py for the commands)."""
import sys

from tracking.cli import main

sys.exit(main())
