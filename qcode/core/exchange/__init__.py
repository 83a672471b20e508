"""Exchange with other tools and with papers: REFI-QDA codebooks (.qdc) and projects
(.qdpx), YAML, CSV, Markdown and HTML. Every reader treats its file as untrusted input."""
