"""The `agent` command line (typer): one module per command group, one console pair and error wrapper in `output`."""
