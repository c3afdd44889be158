"""litsite: a static, documentation-style literature site generator."""

__version__ = "0.1.0"
