"""One module per nested stack; each exposes ``build(cfg) -> Template`` and is pure."""
