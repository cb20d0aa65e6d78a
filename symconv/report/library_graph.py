r"""The index of a set of theorem reports: statuses, claims, and the graph of theorems on lemmas.

The *lemmas* of a theorem are what its verdict rests on:

* for an identity decided by :func:`symconv.prove`, the rules of its proof
  steps (``normal_form``, ``interior_equal``, ``output_length``, ...) and the
  rules of its certificate, prefixed ``cert:`` (the trusted rules the core
  re-checks: ``cert:eventual_periodicity``, ``cert:flip_conjugation``,
  ``cert:strip_input_flip``), or ``counterexample`` / ``numeric_check``;
* for the other kinds, the method that decided it (``length_argument``,
  ``numeric_bound``, ``monte_carlo``, ``sympy_closed_form``, ``custom_check``).

The index draws, for each theorem file, one TikZ picture with three columns:
the claims of the source on the left, the theorems (in file order, coloured
by status) in the middle and the lemmas on the right, with an edge from each
claim to the theorems covering it and from each theorem to the lemmas it uses.
Claims and lemmas sit at the mean height of their theorems (pushed apart to
stay legible), which keeps most edges short; a file with more than
:data:`PER_PICTURE` theorems gets several pictures. The same relation is
also given as text: a lemma column in the tables and a claims x lemmas matrix.

>>> name_tt("a_b")
'a\\char95{}\\allowbreak{}b'
>>> natural_key("C10.2") > natural_key("C9.1")
True
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Iterable

from symconv.report.latex import environment
from symconv.report.notation import Tex, escape_tex, escape_tt
from symconv.library.specs import CustomSpec, ExpectationSpec, IdentitySpec, InequalitySpec, ShapesSpec

if TYPE_CHECKING:  # pragma: no cover
    from symconv.prover.proof import Proof
    from symconv.report.library import LibraryEntry

__all__ = ["LEMMAS", "STATUSES", "PER_PICTURE", "lemmas", "proof_lemmas", "index_latex", "name_tt", "natural_key"]

#: Every lemma the index knows, in the order the index lists them, with what it says.
LEMMAS = {
    "flip_conjugation": "every flip() of a side is moved to its input (flip >> L = mirror(L) >> flip)",
    "normal_form": "a side is brought to its polyphase normal form: pad, one strided correlation per output "
                   "phase with an effective kernel, crop",
    "generic_normal_form": "the normal form with a generic kernel length, in formal kernel atoms",
    "interior_equal": "the interior operators (effective kernels and strides) are equal as exact polynomials "
                      "in the taps",
    "output_length": "output lengths are quasi-affine past a bound: equal on a full period, with equal slopes, "
                     "means equal for every n",
    "no_inner_edge": "no output reads across an inner window edge, so every output is the interior operator",
    "boundary_bound": "the outputs are compared exactly for every n below the boundary bound; eventual "
                      "periodicity settles every n",
    "relu_identity_under_bound": "under the declared input bound, interval arithmetic shows a relu() sees only "
                                 "non-negative values, so it is the identity",
    "linear_reduction": "with those relu() dropped and affine layers read as 1x1 convolutions, the sides are linear",
    "flip_phase": "a flip crosses down(s, q) as down(s, (m - 1 - q) mod s), m the length reaching it",
    "small_lengths": "the outputs are compared exactly below the first length where every layer is non-empty",
    "residue_class": "for one residue of n, the flip-free chains are decided like any linear chains",
    "axis_projection": "a 2-D chain projected on each axis: the output lengths agree axis by axis",
    "product_bound": "2-D chains agree for every shape iff they agree below the product of the per-axis bounds",
    "shapes_equal": "the exact 2-D outputs are compared for every shape below the product bound",
    "interior_operator": "N-D chains that pad only in front agree for every shape iff their per-axis lengths agree "
                         "and their outputs agree at one interior shape",
    "generic_lengths": "with a generic kernel length c, both output lengths as eventually quasi-affine functions "
                       "of n and c",
    "zero_extension": "every padding and transposed layer reads a signal that is zero outside its window, so each "
                      "layer is its bi-infinite operator restricted to the window (in N-D checked axis by axis: the "
                      "index maps are separable, and a position outside the box is outside on some axis)",
    "impulse_responses": "operators that commute with a shift by P are equal iff their responses to the impulses at "
                         "0..P-1 are equal formal series (in the polyphase atoms of the generic kernels; in N-D the "
                         "impulses of a box [0, t*_1) x ... x [0, t*_d), and the bias constants)",
    "axis_lengths": "N-D, one generic size c: on each axis the output lengths agree for every n_a and c (the 1-D "
                    "generic length lemma on the axis projections, classes of n_a and c mod P)",
    "edge_free": "N-D: both sides pad only in front, so for every c each output is the interior operator applied "
                 "to the zero-extended input",
    "polyphase_responses": "N-D, with c = P q + rho + 1: the responses to the impulses at 0 <= t_j < S_j are equal "
                           "formal sums in the polyphase atoms A_(r,a)(z_G^P) of the kernels of size c",
    "instance": "the generic statement at one value of its sizes, decided as a concrete statement (says nothing "
                "of the next value)",
    "factored_interior": "a deep conv chain is y[i] = sum_a E[a] x[S i - p + a] with E(z) = prod_l "
                         "K_l(z^(d_l S_(l-1))); equal multisets of scalar factors A(z^f) and equal sequences of "
                         "matrix factors (kernels with channels; convolve multiplies, dilate substitutes) give equal "
                         "kernels without expanding",
    "flip_product_bound": "N-D flips across strided layers: per residue class of n mod the strides on each axis, "
                          "the flips move to the input with fixed phases, then the product bound",
    "affine_as_convolution": "affine(s, t) read as the grouped 1x1 convolution with weights s and bias t",
    "branch_sums": "a sum of branches paired in order adds their bounds: e = sum_b e_b, r = sum_b r_b",
    "shared_layers": "padding written as pad() (conv(k, padding=(l, r)) = pad(l, r) >> conv(k)), the layers both "
                     "sides share at the ends split off, and what differs between them proved on its own",
    "congruence": "both sides apply the same layer f: equal chains before it and after it give equal sides",
    "congruence_before": "the chains before the shared layer, proved equal on their own",
    "congruence_after": "the chains after the shared layer, proved equal on their own",
    "relu_pairing": "relu(u) - relu(-u) = u: a relu() whose channels come in negated pairs, weighed by w and -w, "
                    "drops out and the side is linear",
    "relu_reduction": "with the relu() layers dropped under the bound, the chains left are proved equal for every "
                      "input",
    "network_blocks": "both sides apply the same relu() / max-pool layers between affine blocks A_j and B_j",
    "block_sups": "each block's exact sups over every input shape: D_j of A_j - B_j, Lip(B_j), and the reach r_j "
                  "of A_j",
    "lipschitz_chain": "relu() and max-pool are 1-Lipschitz: e_j = D_j(r_(j-1)) + Lip(B_j) e_(j-1) bounds "
                       "|L x - R x| after block j",
    "affine_difference": "every output of L - R is an affine form of the input; its largest value on |x| <= 1 is "
                         "the sum of the absolute taps plus the offset",
    "worst_case_gain": "the worst-case gain of L - R over every input shape (finite horizon)",
    "tolerance": "the worst-case difference is within atol + rtol * R for every input shape",
    "cert:flip_conjugation": "certificate rule, re-checked by the core: flips moved to the input",
    "cert:strip_input_flip": "certificate rule, re-checked by the core: flip >> A = flip >> B iff A = B",
    "cert:eventual_periodicity": "certificate rule, re-checked by the core: both sides agree for every n below "
                                 "a limit and are periodic past n0",
    "cert:residue_classes": "certificate rule, re-checked by the core: flips across strided layers, one "
                            "eventually periodic class of n at a time",
    "cert:flip_axes_conjugation": "certificate rule, re-checked by the core: in N-D, flips on some axes moved to "
                                  "the input",
    "cert:strip_input_flip_axes": "certificate rule, re-checked by the core: flip_G >> A = flip_G >> B iff A = B, "
                                  "in N-D",
    "cert:product_bound": "certificate rule, re-checked by the core: N-D chains agree for every shape below the "
                          "product of the per-axis bounds, so for every shape",
    "cert:flip_product_bound": "certificate rule, re-checked by the core: the product bound per residue class of "
                               "the input shape, flips moved to the input with fixed phases",
    "cert:factored_interior": "certificate rule, re-checked by the core: E(z) = prod_l K_l(z^(d_l S_(l-1))) of both "
                              "sides as equal multisets of scalar factors A(z^f) and equal sequences of matrix factors, "
                              "equal stride and padding, and equal "
                              "lengths (n < limit, equal growth per period)",
    "cert:generic_interior_nd": "certificate rule, re-checked by the core: N-D with one generic size c = P q + rho "
                                "+ 1, equal per-axis lengths for every n_a and c, no edge inside, and equal "
                                "polyphase impulse responses",
    "cert:length_formula": "certificate rule, re-checked by the core: the output length equals a quasi-affine "
                           "formula F(n) (N-D: one formula F_a(n_a) per axis) below a limit, and both grow alike "
                           "per period past n0",
    "cert:interior_operator": "certificate rule, re-checked by the core: both sides pad only in front, their "
                              "per-axis lengths agree, and a few outputs agree exactly at one interior shape",
    "cert:padding_as_pad": "certificate rule, re-checked by the core: every convolution's zero padding written as "
                           "a pad() layer before it (conv(k, padding=(l, r)) = pad(l, r) >> conv(k))",
    "cert:merge_branches": "certificate rule, re-checked by the core: a sum of convolutions with the same stride, "
                           "dilation and groups made one (conv(a) + conv(b) = conv(a + b), paddings aligned by padk)",
    "cert:drop_identity_layers": "certificate rule, re-checked by the core: pad(0, 0), crop(0, 0), down(1) and "
                                 "up(1) left out (each is the identity at every size)",
    "cert:congruence": "certificate rule, re-checked by the core: both sides split at the same layer; the chains "
                       "before it and after it are the next goals",
    "cert:relu_pairing": "certificate rule, re-checked by the core: a relu() with negated channel pairs rewritten "
                         "as two convolutions (relu(u) - relu(-u) = u)",
    "cert:polynomial_identity": "fact rule, re-checked by the kernel: two rational expressions (with square roots) "
                                "in named real symbols are equal, by exact expansion of the numerator",
    "cert:gaussian_moment": "fact rule, re-checked by the kernel: E[relu(g)^k] or E[g^k] of a standard normal, "
                            "from the recursion M_k = (k - 1) M_(k-2)",
    "cert:no_real_root": "fact rule, re-checked by the kernel: an integer polynomial has no real root (equal sign "
                         "changes of its Sturm sequence at -oo and +oo)",
    "cert:rational_sign": "fact rule, re-checked by the kernel: the sign of an expression of integers, evaluated in "
                          "exact rational arithmetic",
    "cert:nonnegative_combination": "fact rule, re-checked by the kernel: a polynomial is >= 0 because every term "
                                    "of its expansion is (coefficient >= 0, odd powers only of symbols declared >= 0)",
    "cert:generic_argument": "certificate rule, re-checked by the core: the whole generic argument replayed from "
                             "the statement (lengths by classes of n and c, zero extension, impulse responses)",
    "cert:generic_instances": "certificate rule, re-checked by the core: the generic statement at c = 1..C, each "
                              "by eventual periodicity",
    "cert:tolerance_network": "certificate rule, re-checked by the core: the blocks' sups recomputed exactly and "
                              "e_j = D_j(r_(j-1)) + Lip(B_j) e_(j-1) checked up to e_k <= atol",
    "cert:tolerance": "certificate rule, re-checked by the core: the worst-case gain of L - R within atol + rtol * R",
    "cert:relu_identity": "certificate rule, re-checked by the core: a relu() whose input is >= 0 under the bound "
                          "dropped",
    "cert:relu_identity_at": "certificate rule, re-checked by the core: the same for a relu() in any dimension or "
                             "inside sums",
    "cert:affine_as_convolution": "certificate rule, re-checked by the core: affine(s, t) read as its 1x1 "
                                  "convolution with bias t",
    "counterexample": "a concrete counterexample (small integers), re-verified with the numeric evaluator",
    "numeric_check": "both sides evaluated in floating point on seeded random inputs (numerical evidence only)",
    "length_argument": "the exact length argument: quasi-linear past the last clamp, compared on two periods",
    "lengths_at": "output lengths computed exactly at the listed input lengths",
    "numeric_bound": "quantity and bound evaluated in floating point on every listed case",
    "monte_carlo": "a seeded Monte-Carlo mean with its confidence interval",
    "sympy_closed_form": "the closed form established symbolically by SymPy",
    "custom_check": "a check written in the theorem file (exact computation when it reports proved)",
}

#: Verdicts in the order the index counts them (``error``: a check that crashed).
STATUSES = ("proved", "checked", "refuted", "unknown", "error")

#: Theorems in one dependency picture (each picture gets a page).
PER_PICTURE = 36

#: Vertical distance of two theorems in a picture, and of two claims or lemmas at least (cm).
ROW, GAP = 0.52, 0.62

#: Where the columns start (cm): claims, theorems, the decision-procedure hub, lemmas; the longest name shown.
X_CLAIM, X_THEOREM, X_HUB, X_LEMMA, NAME_CHARS = 0.0, 1.7, 8.9, 11.9, 48

#: The lemmas every proof by the decision procedure uses: in the pictures such a theorem has one edge to a
#: hub standing for them, and its other lemmas get edges of their own.
CORE = ("normal_form", "interior_equal", "output_length", "cert:eventual_periodicity")


def natural_key(label: str) -> tuple:
    """Sort key comparing digit runs as numbers: C2.10 after C2.9."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", label) if p)


def name_tt(name: str) -> Tex:
    """A theorem name for ``\\texttt``, breakable after every underscore."""
    return Tex(r"\char95{}\allowbreak{}".join(escape_tt(part) for part in name.split("_")))


def _ordered(names: Iterable[str]) -> tuple[str, ...]:
    order = list(LEMMAS)
    unique = set(names)
    return tuple(sorted(unique, key=lambda n: (order.index(n), "") if n in LEMMAS else (len(order), n)))


def proof_lemmas(proof: "Proof") -> tuple[str, ...]:
    """The lemmas of one proof: its steps' rules, its certificate's rules (``cert:``), or how it was decided."""
    names = [step.rule for step in proof.steps]
    if proof.certificate is not None:
        names += ["cert:" + str(getattr(step.rule, "value", step.rule)) for step in proof.certificate.steps]
    if proof.verdict == "refuted":
        names.append("counterexample" if proof.counterexample is not None else "numeric_check")
    elif proof.verdict == "checked":
        names.append("numeric_check")
    return _ordered(names)


def lemmas(entry: "LibraryEntry") -> tuple[str, ...]:
    """The lemmas a theorem of the library rests on (see the module docstring)."""
    spec, result = entry.theorem.spec, entry.result
    if result.verdict == "error":
        return ()
    if entry.instances:
        return _ordered(name for i in entry.instances for name in proof_lemmas(i.proof))
    if isinstance(spec, CustomSpec):
        return ("custom_check",) if result.data or result.verdict != "unknown" else ()
    if result.verdict == "unknown" or isinstance(spec, IdentitySpec):
        return ()
    if isinstance(spec, ShapesSpec):
        return ("lengths_at",) if spec.at else ("length_argument",)
    if isinstance(spec, InequalitySpec):
        return ("numeric_bound",)
    if isinstance(spec, ExpectationSpec):
        return ("monte_carlo", "sympy_closed_form") if result.data.get("symbolic") else ("monte_carlo",)
    return ()


# ---------------------------------------------------------------- layout

def _spread(targets: list[float], top: float) -> list[float]:
    """Heights near ``targets`` (descending), at least GAP apart and not above ``top``."""
    out: list[float] = []
    for y in targets:
        out.append(min(y, top, out[-1] - GAP) if out else min(y, top))
    return out


def _column(groups: dict[str, list[float]], order: list[str], top: float, bottom: float) -> dict[str, float]:
    """Heights of the claims or lemmas of one picture: the mean of their theorems', spread and centred."""
    names = sorted(groups, key=lambda n: (-sum(groups[n]) / len(groups[n]), order.index(n)))
    ys = _spread([sum(groups[n]) / len(groups[n]) for n in names], top)
    if ys and ys[-1] < bottom:  # pushed below the last theorem: lift the column back up as far as it goes
        lift = min(bottom - ys[-1], top - ys[0])
        ys = [y + lift for y in ys]
    return dict(zip(names, ys))


def _short(name: str) -> str:
    """``name`` cut in the middle to NAME_CHARS characters (the ends tell similar names apart)."""
    if len(name) <= NAME_CHARS:
        return name
    keep = NAME_CHARS - 3
    return name[:keep - keep // 2] + "..." + name[len(name) - keep // 2:]


def _picture(rows: list[dict], claim_order: list[str], lemma_order: list[str]) -> dict:
    """One TikZ picture: nodes with their places, and edges (all LaTeX built here from safe parts)."""
    ys = [-i * ROW for i in range(len(rows))]
    bottom = ys[-1] if ys else 0.0
    hubbed = [set(CORE) <= set(row["lemma_names"]) for row in rows]
    hub_ys = [y for y, h in zip(ys, hubbed) if h]
    hub_y = max(bottom, min(0.0, sum(hub_ys) / len(hub_ys))) if hub_ys else None
    claims: dict[str, list[float]] = {}
    used: dict[str, list[float]] = {}
    for row, y, hub in zip(rows, ys, hubbed):
        for c in row["claim_names"]:
            claims.setdefault(c, []).append(y)
        for name in row["lemma_names"]:
            used.setdefault(name, []).append(hub_y if hub and name in CORE else y)
    nodes, edges = [], []
    for i, (row, y, hub) in enumerate(zip(rows, ys, hubbed)):
        style = f"thm, fill={row['verdict']}!18, draw={row['verdict']}" + ("" if row["passed"] else ", miss")
        nodes.append({"style": Tex(style), "place": Tex(f"(t{i}) at ({X_THEOREM:.2f},{y:.2f})"),
                      "label": Tex(rf"\hyperlink{{{row['anchor']}}}{{{name_tt(_short(row['name']))}}}")})
        ends = (["(hub.west)"] if hub else []) + [f"(l{lemma_order.index(name)}.west)"
                                                   for name in row["lemma_names"] if not (hub and name in CORE)]
        edges += [{"style": Tex(f"lemmaedge, draw={row['verdict']}!45"), "path": Tex(f"(t{i}.east) -- {end}")}
                  for end in ends]
        edges += [{"style": Tex("claimedge"), "path": Tex(f"(c{claim_order.index(c)}.east) -- (t{i}.west)")}
                  for c in row["claim_names"]]
    if hub_y is not None:
        nodes.append({"style": Tex("hub"), "place": Tex(f"(hub) at ({X_HUB:.2f},{hub_y:.2f})"),
                      "label": Tex(r"\hyperlink{lemmas}{decision procedure}")})
        edges += [{"style": Tex("hubedge"), "path": Tex(f"(hub.east) -- (l{lemma_order.index(name)}.west)")}
                  for name in CORE]
    for column, order, x, prefix, style, anchor in ((claims, claim_order, X_CLAIM, "c", "claim", "claim"),
                                                     (used, lemma_order, X_LEMMA, "l", "lemma", "lemma")):
        for name, y in sorted(_column(column, order, 0.0, bottom).items(), key=lambda item: order.index(item[0])):
            k = order.index(name)
            label = escape_tex(name) if prefix == "c" else name_tt(name)
            nodes.append({"style": Tex(style), "place": Tex(f"({prefix}{k}) at ({x:.2f},{y:.2f})"),
                          "label": Tex(rf"\hyperlink{{{anchor}.{k}}}{{{label}}}")})
    return {"nodes": nodes, "edges": edges}


# ---------------------------------------------------------------- the index

def _row(number: int, entry: "LibraryEntry", pdf: bool = False) -> dict:
    t, r = entry.theorem, entry.result
    names = lemmas(entry)
    return {"number": number, "anchor": f"thm.{number}", "name": t.name, "name_tt": name_tt(t.name),
            "href": Tex(f"{entry.slug}.pdf") if pdf else None, "kind": t.kind, "claims": ", ".join(t.claims) or "--",
            "claim_names": list(t.claims), "verdict": r.verdict, "expected": r.expected, "passed": r.passed,
            "source": t.source, "lemma_names": list(names),
            "lemmas": Tex(r",\allowbreak{} ".join(name_tt(n) for n in names) or "--")}


def _files(rows: list[dict], entries: list["LibraryEntry"], claim_order, lemma_order) -> list[dict]:
    files: dict[str, dict] = {}
    for row, entry in zip(rows, entries):
        f = files.setdefault(entry.file, {"file": escape_tt(entry.file), "anchor": f"file.{len(files)}",
                                          "rows": [], "sources": []})
        f["rows"].append(row)
        if row["source"] and row["source"] not in f["sources"]:
            f["sources"].append(row["source"])
    out = list(files.values())
    for f in out:
        count = -(-len(f["rows"]) // PER_PICTURE)
        size = -(-len(f["rows"]) // count)
        chunks = [f["rows"][i:i + size] for i in range(0, len(f["rows"]), size)]
        f["pictures"] = [dict(_picture([dict(r) for r in chunk], claim_order, lemma_order),
                              part=(f"part {j + 1} of {count}" if count > 1 else ""))
                         for j, chunk in enumerate(chunks)]
        f["counts"] = Counter(r["verdict"] for r in f["rows"])
        f["summary"] = ", ".join(f"{f['counts'][s]} {s}" for s in STATUSES if f["counts"][s])
    return out


def _claims(rows: list[dict], claim_order: list[str], lemma_order: list[str]) -> tuple[list[dict], list[dict]]:
    """Per claim: the theorems covering it; and the claims x lemmas matrix (counts of theorems)."""
    listing, matrix = [], []
    for k, c in enumerate(claim_order):
        covering = [r for r in rows if c in r["claim_names"]]
        listing.append({"label": c, "anchor": f"claim.{k}", "theorems": covering,
                        "all_passed": all(r["passed"] for r in covering)})
        matrix.append({"label": c, "anchor": f"claim.{k}", "total": len(covering),
                       "cells": [sum(name in r["lemma_names"] for r in covering) or "" for name in lemma_order]})
    loose = [r for r in rows if not r["claim_names"]]
    if loose:
        matrix.append({"label": "no claim", "anchor": "", "total": len(loose),
                       "cells": [sum(name in r["lemma_names"] for r in loose) or "" for name in lemma_order]})
    return listing, matrix


def index_latex(entries: list["LibraryEntry"], pdf: bool = False) -> str:
    """The index of a set of reports (a complete document): see the module docstring.

    With ``pdf`` (the reports are compiled beside it) each theorem links to its PDF; otherwise the index
    names the ``.tex`` files, which are what exists.
    """
    rows = [_row(i + 1, e, pdf) for i, e in enumerate(entries)]
    claim_order = sorted({c for r in rows for c in r["claim_names"]}, key=natural_key)
    lemma_order = list(_ordered(n for r in rows for n in r["lemma_names"]))
    counts = Counter(r["verdict"] for r in rows)
    listing, matrix = _claims(rows, claim_order, lemma_order)
    return environment().get_template("index.tex.j2").render(
        total=len(rows), counts=[(s, counts[s]) for s in STATUSES if counts[s]],
        failures=[r for r in rows if not r["passed"]],
        files=_files(rows, entries, claim_order, lemma_order),
        claims=listing, matrix=matrix, pdf=pdf,
        lemma_columns=[{"name": name_tt(n), "anchor": f"lemma.{k}"} for k, n in enumerate(lemma_order)],
        lemmas=[{"name": name_tt(n), "anchor": f"lemma.{k}", "text": LEMMAS.get(n, "(not described)"),
                 "count": sum(n in r["lemma_names"] for r in rows)} for k, n in enumerate(lemma_order)],
        statuses=list(STATUSES), core=[name_tt(n) for n in CORE],
    )
