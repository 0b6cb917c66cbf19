#!/usr/bin/env python
"""Django's command-line utility; `zhiben` (zhiben/cli.py) is the same with friendlier command names."""

from zhiben.cli import main

if __name__ == "__main__":
    main()
