"""The jinja2 environment of the report templates: strict, with delimiters that do not clash with LaTeX.

Every string that reaches a template is either a :class:`Tex` (LaTeX built by
the report modules, from escaped text and ``sympy.latex``) or is escaped on
output by the environment's ``finalize`` hook, so a user's text can never
inject TeX. Templates use ``((* ... *))`` for blocks, ``((( ... )))`` for
values and ``((= ... =))`` for comments, and an undefined name is an error.

>>> environment().from_string("((( x )))").render(x="50% & k_0")
'50\\\\% \\\\& k\\\\_0'
"""

from __future__ import annotations

import jinja2

from symconv.report.tex_escape import Tex, escape_tex

__all__ = ["environment", "render"]


_ENVIRONMENT: list[jinja2.Environment] = []  # built once, on first use


def _finalize(value: object) -> str:
    """Escape every value a template prints unless it is already LaTeX (a :class:`Tex`)."""
    return value if isinstance(value, Tex) else escape_tex(str(value))


def environment() -> jinja2.Environment:
    """The jinja2 environment of the report templates (strict, LaTeX-safe delimiters)."""
    if not _ENVIRONMENT:
        _ENVIRONMENT.append(jinja2.Environment(
            loader=jinja2.PackageLoader("symconv.report", "templates"),
            block_start_string="((*", block_end_string="*))",
            variable_start_string="(((", variable_end_string=")))",
            comment_start_string="((=", comment_end_string="=))",
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        ))
        # ``| tex`` marks LaTeX written in a template (a literal or a macro's output) as
        # already LaTeX; never apply it to a value that came from the user.
        _ENVIRONMENT[0].filters["tex"] = Tex
    return _ENVIRONMENT[0]


def render(template: str, **context: object) -> str:
    """``template`` (a file of ``symconv/report/templates``) rendered with ``context``."""
    return environment().get_template(template).render(**context)
