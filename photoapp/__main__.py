import sys

from photoapp.cli import main

sys.exit(main())
