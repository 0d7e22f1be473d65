"""NTA export formats, one module each; every module registers itself on import."""

__all__: list[str] = []
