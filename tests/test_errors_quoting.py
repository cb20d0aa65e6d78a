"""Error messages quote at most about 80 characters of the user's text (a model's literal kernel can be
megabytes): the offending fragment, and the text around its column, with '...' where cut."""

from __future__ import annotations

import pytest

from symconv.cli import main
from symconv.core.kernel import literal
from symconv.dsl import parse_chain
from symconv.errors import (QUOTE_LIMIT, ArgumentError, InvalidArgument, KernelError, KindError, LiteralError,
                            ParseError, SemanticChainError, SemanticKernelError, quote, shorten)

#: 2,000 taps: "1, 1, ..., 1, " is 6,000 characters
TAPS = "1, " * 2000


def test_short_text_is_quoted_whole_as_repr_quotes_it():
    assert (shorten("conv(k[3])"), quote("conv(k[3])"), quote("it's")) == ("conv(k[3])", "'conv(k[3])'", '"it\'s"')
    assert shorten("x" * QUOTE_LIMIT) == "x" * QUOTE_LIMIT


def test_long_text_keeps_its_head_and_tail_within_the_limit():
    text = "".join(chr(ord("a") + i % 26) for i in range(1000))
    cut = shorten(text)
    assert cut == text[:40] + "..." + text[-40:]
    assert quote(list(range(1000))) == repr(list(range(1000)))[:40] + "..." + repr(list(range(1000)))[-40:]


@pytest.mark.parametrize("at", [0, 39, 40, 500, 959, 960, 999])
def test_a_window_around_an_index_holds_that_character_and_marks_each_cut_side(at):
    text = "".join(chr(0x4E00 + i) for i in range(1000))  # 1,000 different characters: a window has one place
    cut = shorten(text, at=at)
    window = cut.strip(".")
    start = text.index(window)
    assert len(window) == 80 and start <= at < start + 80
    assert min(at - start, start + 80 - at) >= min(40, at, 1000 - at)  # centred on at, unless near an end
    assert (cut.startswith("..."), cut.endswith("...")) == (start > 0, start + 80 < 1000)


def test_bad_tap_at_the_end_of_a_2000_tap_kernel_is_quoted_with_its_column_and_a_short_window():
    text = f"conv([{TAPS}'a'])"
    with pytest.raises(KindError) as caught:
        parse_chain(text)
    window = "..." + "1, " * 25 + "'a'])"
    assert str(caught.value) == (f"the string 'a' is used where a number is expected at column 6007: \"'a'\" in "
                                 f"\"{window}\"; expected e.g. 2, -1/2 or 0.5")
    assert (caught.value.column, caught.value.fragment, caught.value.text) == (6007, "'a'", text)


def test_syntax_error_at_the_end_of_a_2000_tap_kernel_is_quoted_with_its_column():
    with pytest.raises(ParseError) as caught:
        parse_chain(f"conv([{TAPS}2 2])")
    assert str(caught.value) == ("invalid syntax (invalid syntax. Perhaps you forgot a comma?) at column 6007: "
                                 "'2 2' in '..." + "1, " * 25 + "2 2])'; a layer is a call such as conv(k[3]), pad(1) "
                                 "or relu(), combined with >> and +")


def test_error_in_the_middle_of_a_long_text_shows_both_sides_of_its_column():
    with pytest.raises(LiteralError) as caught:
        parse_chain(f"conv([{TAPS}1e999, {TAPS}1])")
    window = " " + "1, " * 13 + "1e999, " + "1, " * 11  # the 40 characters before the column and 40 from it
    assert str(caught.value) == (f"the number 1e999 is not finite (it overflows a float) at column 6007: '1e999' in "
                                 f"'...{window}...'; expected a finite number")


def test_a_long_fragment_is_cut_to_its_head_and_tail_in_the_reason_and_the_quote():
    text = f"[{TAPS}2]"
    with pytest.raises(KindError) as caught:
        parse_chain(text)
    fragment = "[" + "1, " * 13 + "..." + ", 1" * 12 + ", 2]"  # its first 40 characters and its last 40
    window = "[" + "1, " * 26 + "1..."  # the first 80 characters of the text, from column 1
    assert str(caught.value) == (f"the kernel {fragment} is used where a layer is expected at column 1: "
                                 f"'{fragment}' in '{window}'; wrap a kernel in a layer: conv(...)")


@pytest.mark.parametrize("text, error", [
    (f"conv([{TAPS}1]) >> conv2d(k[3, 3])", SemanticChainError),
    (f"conv([[{TAPS}1], [1]])", SemanticKernelError),
    (f"conv([1], padding=[{TAPS}1])", InvalidArgument),
    (f"conv([{TAPS}1], bogus=1)", ArgumentError),
])
def test_core_errors_about_a_2000_tap_literal_stay_short_and_name_the_column(text, error):
    with pytest.raises(error) as caught:
        parse_chain(text)
    message = str(caught.value)
    assert len(message) < 500 and f"at column {caught.value.column}: " in message
    assert 1 < caught.value.column < len(text)


def test_kernel_errors_of_the_core_quote_a_long_literal_briefly():
    with pytest.raises(KernelError) as caught:
        literal([[1] * 2000, [1]])
    message = str(caught.value)
    assert message.startswith("kernel [[[[1, 1, 1, ") and "1, ...1, " in message
    assert message.endswith(", 1, 1], [1]]]] is ragged; expected equal sizes on each axis")
    assert len(message) < 150


def test_cli_prints_one_short_line_for_a_bad_tap_in_a_2000_tap_kernel(capsys):
    assert main(["derive", f"conv([{TAPS}'a'])"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 300
    assert "at column 6007: \"'a'\"" in err
