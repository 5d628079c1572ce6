import sys

from simlib.cli import main

sys.exit(main())
