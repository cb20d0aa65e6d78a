"""Escaping of user text for LaTeX: every special character, whitespace, non-ASCII."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symconv.report import escape_tex, escape_tt
from symconv.report.notation import Tex, name_math

SPECIALS = "\\{}$&#^_%~"


@pytest.mark.parametrize("char, escaped", [
    ("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"), ("$", r"\ensuremath{\$}"), ("&", r"\&"),
    ("#", r"\#"), ("^", r"\textasciicircum{}"), ("_", r"\_"), ("%", r"\%"), ("~", r"\textasciitilde{}"),
    ("<", r"\textless{}"), (">", r"\textgreater{}"), ("|", r"\textbar{}"),
])
def test_escape_tex_maps_each_special_character_to_its_text_command(char, escaped):
    assert escape_tex(f"a{char}b") == f"a{escaped}b"


@pytest.mark.parametrize("char, escaped", [
    ("\\", r"\char92{}"), ("{", r"\char123{}"), ("}", r"\char125{}"), ("^", r"\char94{}"),
    ("_", r"\char95{}"), ("~", r"\char126{}"), ("'", r"\char13{}"),
    ("$", r"\char36{}"), ("&", r"\&"), ("#", r"\#"), ("%", r"\%"),
])
def test_escape_tt_maps_each_special_character_to_its_typewriter_glyph(char, escaped):
    assert escape_tt(f"a{char}b") == f"a{escaped}b"


def test_escape_returns_tex_so_the_templates_do_not_escape_twice():
    assert isinstance(escape_tex("x"), Tex) and isinstance(escape_tt("x"), Tex)


def test_escape_tex_turns_line_breaks_into_spaces_so_no_paragraph_ends_inside_a_command():
    assert escape_tex("a\n\nb\tc\r") == "a  b c "


def test_escape_tex_shows_non_ascii_and_control_characters_by_code_point():
    assert escape_tex("k\u03b1\u2211\x07") == r"k\unichar{03B1}\unichar{2211}\unichar{0007}"


def test_escape_tex_breakable_allows_breaks_after_brackets_and_commas():
    assert escape_tex("f(a,b)", breakable=True) == r"f(\allowbreak{}a,\allowbreak{}b)"


def test_escape_tt_keeps_the_dsl_operators_readable():
    assert escape_tt("a >> b + c") == "a >> b + c"


def test_name_math_escapes_multi_letter_and_unicode_identifiers():
    assert name_math("k") == "k"
    assert name_math("my_k") == r"\mathit{my\_k}"
    assert name_math("k_\u03b1") == r"\mathit{k\_\unichar{03B1}}"


def _unescaped(tex: str) -> str:
    """What is left of ``tex`` once every escape sequence the escapers emit is removed."""
    tex = tex.replace(r"\ensuremath{\$}", "")
    tex = re.sub(r"\\(?:text[a-z]+|unichar\{[0-9A-F]+\}|char\d+|allowbreak)(?:\{\})?", "", tex)
    return re.sub(r"\\[{}$&#_%]", "", tex)


@given(st.text(max_size=60))
def test_escaped_text_has_no_special_character_left_unescaped(text):
    for escaped in (escape_tex(text), escape_tex(text, breakable=True), escape_tt(text)):
        rest = _unescaped(escaped)
        assert not any(c in rest for c in SPECIALS), (text, escaped)
        assert rest.isascii() and "\n" not in rest


def test_a_name_that_is_no_identifier_is_set_in_text_italics_so_its_escapes_work_in_math():
    from symconv.report.notation import name_math

    assert name_math("k_\u03b1") == r"\mathit{k\_\unichar{03B1}}"
    assert name_math("k_#$%&{}\\") == r"\text{\textit{k\_\#\ensuremath{\$}\%\&\{\}\textbackslash{}}}"
