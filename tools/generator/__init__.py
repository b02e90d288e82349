"""Code generator: Camunda OpenAPI spec -> models, operations, errors and semantic types.

A development tool of this repository (not shipped). See docs/generator.md.
"""

__all__: list[str] = []
