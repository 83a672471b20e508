"""The domain layer. Nothing here imports a user interface (textual, rich, click,
qcode.tui, qcode.cli) and only the store runs SQL: tests/test_architecture.py checks
both. docs/architecture.md says which room holds what."""
