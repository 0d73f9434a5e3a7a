"""CLI subcommands: each module registers its parser and calls into the library."""
