"""The documentation site: the mkdocs hook that writes the API reference, and its data."""
