"""The command line: parse arguments into a typed object, call the core, render with views.

Kept thin and quick to import: `mlform --help` loads nothing beyond argparse.
"""
