"""A transcript's text hash (SHA-256 of its UTF-8), apart from the model so that the
store can check a text without loading the model's dataclasses (issue 16)."""


def text_hash(text: str) -> str:
    import hashlib  # loads OpenSSL: only when a text is stored or checked, not to start

    return hashlib.sha256(text.encode("utf-8")).hexdigest()
