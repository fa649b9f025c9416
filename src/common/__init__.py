"""common: the from-scratch deep-learning library behind every chapter of the course."""

__version__ = "0.1.0"
