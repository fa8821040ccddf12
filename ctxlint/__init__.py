"""ctxlint: whole-program analysis of Flask context misuse."""

__version__ = "0.1.0"
