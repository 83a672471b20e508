"""The domain layer. Nothing here imports textual: a test enforces it."""
