"""The checker's rule ``generic_argument``: a statement with one generic kernel length c, for every c >= 1.

Rule data: ``symbol`` (the generic length) and ``period`` (a hint ``P``; every
divisibility it needs is re-checked). The fragment: 1-D chains and sums of
``conv``/``conv_transpose`` (no groups, no bias), linear ``avgpool``, ``pad``,
``crop``, ``down``, ``up``, ``flip``; kernels ``k[c]`` (length c itself), fixed
kernels, ``dilate``, ``convolve``, ``flip``, ``padk``, sums and scalings.
Anything else is refused, naming it. Every flip() is first moved to the input
(:func:`symconv.checker.flips.flips_to_input`; ``flip >> A == flip >> B`` iff
``A == B``). Write ``n = P m + sigma`` and ``c = P q + rho + 1`` (``m, q >= 0``).

**(1) Lengths.** A layer maps a length ``L`` to ``max(0, phi(L))``,
``phi(L) = floor((a L + b0 + b1 c) / D)`` with ``a, D >= 1`` (the core's table,
:func:`symconv.core.output_length.length_step`). ``phi`` is non-decreasing, so
``phi(max S) = max phi(S)``: on a class ``(sigma, rho)`` a length is the maximum
of a set of pieces ``x m + y q + z``, starting from ``{P m + sigma}``, each layer
mapping every piece through ``phi`` and adding the piece 0. ``phi`` of a piece
is a piece when ``D`` divides ``a x`` and ``a y + b1 P`` (checked; the floor
then falls on ``z`` alone). Exactly one piece ``R`` (from n) has ``x > 0``, so a
side's length is ``max(Z(q), R(m, q))``.

*Lemma.* ``max(Z, R) == max(Z', R')`` on N^2 iff ``R == R'`` (as affine forms)
and ``H == H'`` on N, ``H(q) = max(Z(q), R(0, q))``; and ``H == H'`` on N iff
they agree at ``q = 0 .. Q + 1``, Q >= every crossing point of two of their
pieces. *Proof.* For a fixed q and large m the sides are R and R', so
R(., q) = R'(., q) for every q. Given R = R', ``R(m, q) >= R(0, q)`` gives
``max(Z, R(m)) = max(H, R(m))``, so H = H' suffices, and m = 0 shows it is
needed. Past Q no two pieces change order, so H and H' are each one affine
piece on ``[Q, oo)``, equal at Q and Q + 1 hence everywhere. A sum's branches
must have equal lengths (the same lemma).

**(2) Zero extension.** ``conv``, ``avgpool`` and ``crop`` read inside their
input's window, padding (``pad``, a padded conv or avgpool) outside it, and so
does a transposed convolution unless its kernel length is fixed with
``d (l - 1) + op < s + p``. A reader outside needs its input zero outside the
window (the chain's input is); ``pad``, ``up``, ``down`` and an unpadded
transposed convolution keep that, the others lose it. Then every layer's
output is its bi-infinite operator, on the zero-extended input, on the window.

**(3) Impulse responses.** On bi-infinite signals (in z, cross-correlation)

    conv (s, d, left padding p):  Y = down_s(z^p K(z^-d) X)     up(u): X(z^u)
    conv_transpose (s, d, p):     Y = z^-p K(z^d) X(z^s)        pad(l): z^l X   crop(l): z^-l X
    down(s, phase):               down_s(z^-phase X)            ``down_s``: keep exponents in sZ, divide by s

Both sides commute with shifting the input by P (the output by the slope of
R, equal by (1)), so they are equal when their responses to the impulses at
``0 .. P-1`` of each input channel are. A generic kernel is
``K(z) = sum_{r < P} z^r A_r(z^P)`` with formal atoms ``A_r`` (the polyphase
components, whatever c is); a response is a sum of terms
``coefficient * z^(beta + alpha q) * prod A_r(z^m)``, and ``down_s`` keeps a
term whole or drops it when alpha and every m are in sZ (checked: else the
period is too small). Equal formal sums are equal for every c and all taps.
``flip(K)(z) = z^(l - 1) K(1/z)`` with ``l - 1 = u (P q + rho + 1) + v - 1``
(and ``padding='same'``, ``floor(d (l - 1) / 2)``) need ``rho``: then (3) is
checked for each residue. (1)-(3) prove ``lhs == rhs`` for every n >= 0 and
every c >= 1: by (2) each side's output is its operator on the window, by (1)
the windows agree, by (3) the operators do.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Optional

from symconv.lazy_import import sympy

from symconv.checker.flips import as_layer, flips_to_input
from symconv.checker.zero_extension_nd import keeps_zero, reads_outside
from symconv.core.composite import Chain, Parallel
from symconv.core.exact_poly import from_sympy, to_sympy
from symconv.core.kernel import Kernel, KernelSymbol
from symconv.core.kernel_expr import Convolve, Dilate, FlipKernel, KernelSum, PadKernel, Scaled, exact_taps
from symconv.core.layers import AvgPool, Conv, ConvTranspose, Crop, Down, Layer, Pad, Up
from symconv.core.output_length import length_step, output_length
from symconv.errors import CertificateError

__all__ = ["rule_generic_argument", "compare_lengths", "MAX_PERIOD", "integer_affine", "merged_monomial",
           "add_term"]

#: Largest period the rule accepts (the work grows as P^2), and the largest crossing point it scans to.
MAX_PERIOD = 64
MAX_CROSSING = 10_000

#: ``{(beta, alpha, atoms, taps): number}``; atoms ``(kernel, o, i, r, m)`` sorted; taps an exact_poly monomial.
Series = dict


class _NeedsResidue(Exception):
    """A quantity depends on ``rho = (c - 1) mod P``: the caller checks each residue (internal signal)."""


def integer_affine(value: object, symbol: sympy.Symbol, what: str, where: str) -> tuple[int, int]:
    """``(u, v)`` with ``value = u c + v``, integers."""
    if isinstance(value, int):
        return 0, value
    expr = sympy.expand(value)
    poly = sympy.Poly(expr, symbol) if expr.free_symbols <= {symbol} else None
    if poly is None or poly.degree() > 1 or not all(t.is_Integer for t in poly.all_coeffs()):
        raise CertificateError(f"{where}: {what} {value} is not an integer affine function of {symbol}")
    return int(poly.coeff_monomial(symbol)), int(poly.coeff_monomial(1))


def _steps(layer: Layer, where: str) -> list[Layer]:
    """The layers of a chain, nested chains flattened; a layer outside the fragment is refused, naming it."""
    out = []
    for step in layer.layers():
        if isinstance(step, Chain):
            out += _steps(step, where)
        elif isinstance(step, (Conv, ConvTranspose)) and (step.groups != 1 or step.bias is not None):
            raise CertificateError(f"{where}: {step!r} has groups or a bias, outside the generic_argument rule")
        elif isinstance(step, AvgPool) and not step.is_linear or not isinstance(
                step, (Conv, ConvTranspose, AvgPool, Pad, Crop, Down, Up, Parallel)):
            raise CertificateError(f"{where}: {step!r} is outside the generic_argument rule (linear 1-D layers)")
        else:
            out.append(step)
    return out


# (1) lengths ---------------------------------------------------------------------------------------------

def _row(step: Layer, symbol, rows: dict, where: str) -> tuple[int, int, int, int]:
    """``(a, D, b1, b0)`` of the step's length, read from the core's table once per rule (``rows``)."""
    if step not in rows:
        row = length_step(step)
        b1, b0 = integer_affine(row.offset, symbol, f"the length offset of {step!r}", where)
        if row.empty_stays_empty and (b1 or b0 // row.divisor >= 1):
            raise CertificateError(f"{where}: {step!r} gives an empty output on an empty input, not max(0, phi)")
        rows[step] = (row.scale, row.divisor, b1, b0)
    return rows[step]


def _pieces(layer: Layer, pieces: frozenset, period: int, rho: int, symbol, rows: dict, where: str) -> frozenset:
    """The pieces of the output length on the class rho for an input length ``max(pieces)``."""
    for step in _steps(layer, where):
        if isinstance(step, Parallel):
            branches = [_pieces(b, pieces, period, rho, symbol, rows, where) for b in step.branches]
            for other in branches[1:]:
                witness = _first_difference(branches[0], other)
                if witness is not None:
                    raise CertificateError(f"{where}: the branches of {step!r} have different lengths for "
                                           f"{symbol} = {period * witness[1] + rho + 1}")
            pieces = branches[0]
            continue
        a, d, b1, b0 = _row(step, symbol, rows, where)
        mapped = {(0, 0, 0)}
        for x, y, z in pieces:
            if (a * x) % d or (a * y + b1 * period) % d:
                raise CertificateError(f"{where}: period {period} is not a multiple of the strides: it does not "
                                       f"make the length of {step!r} exact")
            mapped.add((a * x // d, (a * y + b1 * period) // d, (a * z + b1 * (rho + 1) + b0) // d))
        pieces = frozenset(mapped)
    return pieces


def _first_difference(left: frozenset, right: frozenset) -> Optional[tuple[int, int]]:
    """``(m, q)`` where ``max(left) != max(right)``, or None when they agree on N^2 (the lemma)."""
    (rl,), (rr,) = [p for p in left if p[0]], [p for p in right if p[0]]
    flat = [p for p in left | right if not p[0]]
    value = lambda pieces, m, q: max(x * m + y * q + z for x, y, z in pieces)  # noqa: E731
    if rl != rr:
        q = 0 if rl[0] != rr[0] or rl[2] != rr[2] else 1
        low = min(p[1] * q + p[2] for p in (rl, rr))
        m = max(0, max((y * q + z for _, y, z in flat), default=0) - low + 1)
        return next((m, q) for m in (m, m + 1) if value(left, m, q) != value(right, m, q))
    lines = {(y, z) for _, y, z in flat} | {rl[1:]}
    crossing = max([0] + [-((z1 - z2) // (y1 - y2)) for y1, z1 in lines for y2, z2 in lines if y1 > y2])
    if crossing > MAX_CROSSING:
        raise CertificateError(f"the length pieces cross only at q = {crossing} > {MAX_CROSSING}")
    return next(((0, q) for q in range(crossing + 2) if value(left, 0, q) != value(right, 0, q)), None)


def compare_lengths(sides: list[Layer], period: int, symbol, where: str) -> None:
    """(1): the two 1-D chains' output lengths agree for every n >= 0 and every ``symbol`` >= 1 (the lemma, on
    each class ``(sigma, rho)`` mod ``period``); else CertificateError with the first n and c where they differ."""
    rows: dict = {}
    for rho in range(period):
        for sigma in range(period):
            start = frozenset({(period, 0, sigma)})
            left, right = (_pieces(side, start, period, rho, symbol, rows, where) for side in sides)
            witness = _first_difference(left, right)
            if witness is not None:
                n, c = period * witness[0] + sigma, period * witness[1] + rho + 1
                lengths = [output_length(side, n, {symbol.name: c}) for side in sides]
                assert lengths[0] != lengths[1], "the length lemma found a difference the table does not have"
                raise CertificateError(f"{where}: the output lengths differ at n = {n}, {symbol} = {c}: "
                                       f"{lengths[0]} and {lengths[1]}")


# (2) zero extension --------------------------------------------------------------------------------------

def _zero_extension(layer: Layer, zero_outside: bool, where: str) -> bool:
    """Check (2) along ``layer``; whether its output is zero outside its window."""
    for step in _steps(layer, where):
        if isinstance(step, Parallel):
            zero_outside = all([_zero_extension(b, zero_outside, where) for b in step.branches])
            continue
        if reads_outside(step) and not zero_outside:
            raise CertificateError(f"{where}: zero extension fails: {step!r} reads beyond its input's window, "
                                   f"where the signal need not be zero (an earlier layer reads a window)")
        zero_outside = zero_outside and keeps_zero(step)
    return zero_outside


# (3) impulse responses -----------------------------------------------------------------------------------

def merged_monomial(t1: tuple, t2: tuple) -> tuple:
    """The product of two sorted monomials (tuples of variable numbers), sorted."""
    return tuple(sorted(t1 + t2)) if t1 and t2 else t1 or t2


def add_term(total: Series, key: tuple, number) -> None:
    """``total[key] += number``, the entry removed when it cancels."""
    value = total.get(key, 0) + number
    if value:
        total[key] = value
    else:
        del total[key]


def _sum(parts) -> Series:
    """The sum of series (the first one itself when it is the only one: series are never changed)."""
    first, *rest = parts
    if not rest:
        return first
    total = dict(first)
    for part in rest:
        for key, number in part.items():
            add_term(total, key, number)
    return total


def _products(pairs, divide: int = 1) -> Series:
    """``sum a * b`` over the pairs of terms, the exponents ``beta`` divided by ``divide``."""
    out: Series = {}
    get = out.get
    for (b1, a1, t1, m1), c1, (b2, a2, t2, m2), c2 in pairs:
        key = ((b1 + b2) // divide, a1 + a2, merged_monomial(t1, t2), merged_monomial(m1, m2))
        value = get(key, 0) + c1 * c2
        if value:
            out[key] = value
        else:
            del out[key]
    return out


def _mul(a: Series, b: Series) -> Series:
    return _products((k1, c1, k2, c2) for k1, c1 in a.items() for k2, c2 in b.items())


def _shift(a: Series, beta: int, alpha: int = 0) -> Series:
    return {(b + beta, al + alpha, t, m): c for (b, al, t, m), c in a.items()}


def _power(a: Series, e: int) -> Series:
    """``z -> z^e``."""
    return {(b * e, al * e, tuple(sorted((k, o, i, r, m * e) for k, o, i, r, m in t)), mono): c
            for (b, al, t, mono), c in a.items()}


def _down(a: Series, s: int, where: str) -> Series:
    """``down_s``: with alpha and every atom's m in sZ a term's exponents are all ``beta mod s`` (kept iff
    ``s | beta``), and dividing by s maps the kept terms one to one."""
    if any(al % s or any(m % s for *_, m in t) for _, al, t, _ in a):
        raise CertificateError(f"{where}: the period is not a multiple of the strides (a stride {s})")
    return {(b // s, al // s, tuple((k, o, i, r, m // s) for k, o, i, r, m in t), mono): c
            for (b, al, t, mono), c in a.items() if b % s == 0}


class _Context:
    """The period, the generic symbol, ``rho`` (None: not fixed) and a cache of kernel series."""

    def __init__(self, period: int, symbol, rho: Optional[int]) -> None:
        self.period, self.symbol, self.rho, self.cache = period, symbol, rho, {}


def _kernel(k: Kernel, e: int, ctx: _Context, where: str, s: int = 1) -> list[list[Series]]:
    """``K(z^e)`` as a matrix ``[out][in]`` of series, every atom's ``m`` and every alpha divided by ``s`` (the
    form ``down_s`` of a product needs, made at the leaves); cached per context."""
    key = (k, e, s)
    if key not in ctx.cache:
        ctx.cache[key] = _kernel_uncached(k, e, ctx, where, s)
    return ctx.cache[key]


def _exact(numerator: int, s: int, where: str) -> int:
    if numerator % s:
        raise CertificateError(f"{where}: the period is not a multiple of the strides (a stride {s})")
    return numerator // s


def _kernel_uncached(k: Kernel, e: int, ctx: _Context, where: str, s: int) -> list[list[Series]]:
    if isinstance(k.length, int):  # a fixed length: the core's own taps
        return [[{(j * e, 0, (), mono): c for j, poly in enumerate(taps) for mono, c in poly.items()}
                 for taps in row] for row in exact_taps(k)]
    if isinstance(k, KernelSymbol):
        if integer_affine(k.length, ctx.symbol, f"the length of {k!r}", where) != (1, 0):
            raise CertificateError(f"{where}: {k!r}: a generic length must be {ctx.symbol} itself")
        atom = (k.name,) + tuple(map(str, k.dims))  # the kernel as written: its name and sizes
        m = _exact(ctx.period * e, s, where)
        return [[{(r * e, 0, ((atom, o, i, r, m),), ()): 1 for r in range(ctx.period)}
                 for i in range(k.in_channels)] for o in range(k.out_channels)]
    if isinstance(k, Dilate):
        return _kernel(k.kernel, e * k.factor, ctx, where, s)
    if isinstance(k, Convolve):  # E[o][i] = sum_m a[m][i] b[o][m]
        a, b = _kernel(k.a, e, ctx, where, s), _kernel(k.b, e, ctx, where, s)
        return [[_sum([_mul(a[m][i], b[o][m]) for m in range(len(a))]) for i in range(len(a[0]))]
                for o in range(len(b))]
    if isinstance(k, FlipKernel):  # z^(e (l - 1)) K(z^-e)
        u, v = integer_affine(k.length, ctx.symbol, f"the length of {k!r}", where)
        if u and ctx.rho is None:
            raise _NeedsResidue
        beta, alpha = e * (u * ((ctx.rho or 0) + 1) + v - 1), _exact(e * u * ctx.period, s, where)
        return [[_shift(x, beta, alpha) for x in row] for row in _kernel(k.kernel, -e, ctx, where, s)]
    if isinstance(k, PadKernel):
        return [[_shift(x, e * k.left) for x in row] for row in _kernel(k.kernel, e, ctx, where, s)]
    if isinstance(k, KernelSum):
        a, b = _kernel(k.a, e, ctx, where, s), _kernel(k.b, e, ctx, where, s)
        return [[_sum((x, y)) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]
    if isinstance(k, Scaled):
        factor = {(0, 0, (), mono): c for mono, c in from_sympy(k.scalar).items()}
        return [[_mul(x, factor) for x in row] for row in _kernel(k.kernel, e, ctx, where, s)]
    raise CertificateError(f"{where}: the kernel {k!r} is outside the generic_argument rule")


def _left_padding(step: Conv, ctx: _Context, where: str) -> tuple[int, int]:
    """``(beta, alpha)`` of the left padding: for 'same', ``floor(d (l - 1) / 2)`` with ``l - 1 = u (P q + rho + 1)
    + v - 1``, which needs rho and ``2 | d u P``."""
    left = step.padding_pair()[0]
    if isinstance(left, int):
        return left, 0
    if ctx.rho is None:
        raise _NeedsResidue
    u, v = integer_affine(step.weight.length, ctx.symbol, f"the length of {step.weight!r}", where)
    if step.dilation * u * ctx.period % 2:
        raise CertificateError(f"{where}: {step!r} needs an even period")
    return step.dilation * (u * (ctx.rho + 1) + v - 1) // 2, step.dilation * u * ctx.period // 2


def _grouped(reflected: Series, s: int) -> dict:
    """The terms of ``K(z^-d)`` (atoms and alphas divided by s already) by exponent mod s."""
    groups: dict = {}
    for key, c in reflected.items():
        groups.setdefault(key[0] % s, []).append((key, c))
    return groups


def _correlate(x: Series, groups: dict, s: int, shift: tuple[int, int], where: str) -> Series:
    """``down_s(z^p X K(z^-d))``, multiplying only the pairs whose exponent s divides (``groups``: :func:`_grouped`).
    Every factor's alpha and atoms are in sZ, so every product term's are, as ``down_s`` needs."""
    terms = []
    for (b1, a1, t1, m1), c1 in _shift(x, *shift).items():
        t1 = tuple((k, o, i, r, _exact(m, s, where)) for k, o, i, r, m in t1)
        terms.append((((b1, _exact(a1, s, where), t1, m1), c1), groups.get(-b1 % s, ())))
    return _products(((k1, c1, k2, c2) for (k1, c1), group in terms for k2, c2 in group), s)


def _response(layer: Layer, x: list[Series], ctx: _Context, where: str) -> list[Series]:
    """The bi-infinite output of ``layer`` (one series per channel) for the input ``x``."""
    for step in _steps(layer, where):
        if isinstance(step, Parallel):
            outs = [_response(b, x, ctx, where) for b in step.branches]
            if len({len(out) for out in outs}) > 1:
                raise CertificateError(f"{where}: the branches of {step!r} give different numbers of channels")
            x = [_sum(channel) for channel in zip(*outs)]
        elif isinstance(step, Conv):
            key = ("grouped", step.weight, step.dilation, step.stride)
            if key not in ctx.cache:
                ctx.cache[key] = [[_grouped(koi, step.stride) for koi in row]
                                  for row in _kernel(step.weight, -step.dilation, ctx, where, step.stride)]
            shift = _left_padding(step, ctx, where)
            if len(ctx.cache[key][0]) != len(x):
                raise CertificateError(f"{where}: {step!r} takes {len(ctx.cache[key][0])} channels, not {len(x)}")
            x = [_sum(_correlate(xi, koi, step.stride, shift, where) for xi, koi in zip(x, row))
                 for row in ctx.cache[key]]
        elif isinstance(step, AvgPool):
            window = _grouped({(-j, 0, (), ()): Fraction(1, step.size) for j in range(step.size)}, step.stride)
            x = [_correlate(xi, window, step.stride, (step.padding, 0), where) for xi in x]
        elif isinstance(step, ConvTranspose):  # weight [in][out]
            k = _kernel(step.weight, step.dilation, ctx, where)
            x = [_shift(_sum(_mul(_power(x[i], step.stride), k[i][o]) for i in range(len(x))), -step.padding)
                 for o in range(len(k[0]))]
        elif isinstance(step, (Pad, Crop)):
            x = [_shift(xi, step.left if isinstance(step, Pad) else -step.left) for xi in x]
        elif isinstance(step, Down):
            x = [_down(_shift(xi, -step.phase), step.factor, where) for xi in x]
        else:
            x = [_power(xi, step.factor) for xi in x]
    return x


def _term_text(key: tuple) -> str:
    beta, alpha, atoms, _ = key
    power = f"z^({beta} + {alpha}q)" if alpha else f"z^{beta}"
    return power + "".join(f" {name}[{o},{i}]_{r}(z^{m})" for (name, *_), o, i, r, m in atoms)


def _compare_responses(sides: list[Layer], ctx: _Context, channels: int, where: str) -> None:
    for channel in range(channels):
        for position in range(ctx.period):
            impulse = [{(position, 0, (), ()): 1} if i == channel else {} for i in range(channels)]
            left, right = (_response(side, impulse, ctx, where) for side in sides)
            if len(left) != len(right):
                raise CertificateError(f"{where}: the sides give {len(left)} and {len(right)} output channels")
            for o, (a, b) in enumerate(zip(left, right)):
                if a != b:
                    key = min(set(a) ^ set(b) or {k for k in a if a[k] != b[k]}, key=repr)
                    terms = [to_sympy({key[3]: s.get(key, 0)}) if key in s else 0 for s in (a, b)]
                    residue = "" if ctx.rho is None else f" for {ctx.symbol} = {ctx.rho + 1} mod {ctx.period}"
                    raise CertificateError(f"{where}: the responses to the impulse at {position} (input channel "
                                           f"{channel}) differ{residue}: output channel {o}, the term "
                                           f"{_term_text(key)} has {terms[0]} on the left, {terms[1]} on the right")


def rule_generic_argument(state: list[Layer], step, where: str) -> str:
    """Close ``lhs == rhs`` for every n and every c >= 1 by (1)-(3) of the module docstring."""
    name, period = step.get("symbol"), step.get("period")
    if not isinstance(name, str) or type(period) is not int or not 1 <= period <= MAX_PERIOD:
        raise CertificateError(f"{where}: expected symbol (a name) and period (an integer in 1..{MAX_PERIOD})")
    symbols = {s for side in state for k in side.kernels() for s in k.length_symbols()}
    if {s.name for s in symbols} != {name} or len(symbols) != 1:
        raise CertificateError(f"{where}: the statement has the generic lengths {sorted(map(str, symbols))}; "
                               f"the rule takes exactly one, {name}")
    symbol = symbols.pop()
    if any(side.ndim != 1 for side in state):
        raise CertificateError(f"{where}: the generic_argument rule is for 1-D chains")
    flips = [flips_to_input(side, where) for side in state]
    if flips[0][0] != flips[1][0]:
        raise CertificateError(f"{where}: a flip() of the input on one side only")
    sides = [as_layer(False, steps) for _, steps in flips]
    compare_lengths(sides, period, symbol, where)
    for side in sides:
        _zero_extension(side, True, where)
    channels = state[0].in_channels or state[1].in_channels or 1
    try:
        _compare_responses(sides, _Context(period, symbol, None), channels, where)
    except _NeedsResidue:
        for rho in range(period):
            _compare_responses(sides, _Context(period, symbol, rho), channels, where)
    return f"every {name} >= 1 and every input length"
