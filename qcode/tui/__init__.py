"""The terminal UI (Textual). Everything here reads and writes through the core."""
