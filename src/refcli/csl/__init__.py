"""TODO docstring"""
from refcli.csl.render import render
from refcli.csl.styles import StyleInfo, available_locales, list_styles, resolve_style

__all__ = ["render", "resolve_style", "list_styles", "available_locales", "StyleInfo"]
