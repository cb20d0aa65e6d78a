"""The theorem library: declare claims in ``proofs/*.py``, run them, compare with the expected verdicts.

Public: :func:`theorem`, :func:`shapes`, :func:`inequality`,
:func:`expectation` (declarations), :func:`check` (run files or
directories), :class:`Evidence` (what a custom ``check=`` returns) and the
Monte-Carlo statistics :func:`mean_ci` and :func:`proportion_ci`.

What the verdicts mean in the library (DESIGN §4):

* ``proved`` -- by the decision procedure of :func:`symconv.prove` (an
  identity of chains, for every input length), by the exact length argument
  of :mod:`symconv.library.lengths` (every n), or by exact rational or
  symbolic computation over the scope the theorem's statement declares (the
  listed instances of a generic length, a finite list of sizes). A
  symbolic step that is argued by hand (a reduction by symmetry) is named
  in the theorem's note. Identities and length formulas are replayed by the
  kernel (:mod:`symconv.checker`), also inside a ``check=`` (``certify=``);
  the exact facts of a ``check=`` or ``symbolic=`` argument (identities,
  Gaussian moments, root counts, signs of rationals) are fact certificates
  the kernel replays (:mod:`symconv.library.facts`), and the steps beyond
  them are named in the theorem's ``rests_on``.
* ``checked`` -- floating-point or seeded Monte-Carlo evidence only, and
  only from a check that refutes the statement with its constant off by
  5 % (:mod:`symconv.library.perturbation`; the declaration's
  ``perturbed=``, run by ``tests/library``).
* ``refuted`` -- with a counterexample (or, for a Monte-Carlo claim, the
  measurement that excludes it).
* ``unknown`` -- not decided, or not expressible yet (N-D layers).
"""

from symconv.library.evidence import Evidence, Interval, mean_ci, proportion_ci
from symconv.library.load import default_paths, discover, load_file
from symconv.library.perturbation import perturbations
from symconv.library.registry import TheoremFileError, expectation, inequality, shapes, theorem
from symconv.library.results import CheckReport, TheoremResult
from symconv.library.run import check, run_theorem
from symconv.library.specs import VERDICTS, Theorem

__all__ = [
    "theorem",
    "shapes",
    "inequality",
    "expectation",
    "check",
    "run_theorem",
    "perturbations",
    "load_file",
    "discover",
    "default_paths",
    "Theorem",
    "TheoremResult",
    "CheckReport",
    "TheoremFileError",
    "Evidence",
    "Interval",
    "mean_ci",
    "proportion_ci",
    "VERDICTS",
]
