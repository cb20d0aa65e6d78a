"""Factorizations: a kernel as a two-layer CNN, with the fewest channels (issue 4, claims C0.1-C0.3).

``factor(q, sizes=(N, M), channels=C)`` returns a proved :class:`Factorization`;
``minimal_channels(q, sizes)`` says how few channels suffice and why;
``batchnorm_relu_factorization(q, sizes, bound)`` inserts batch norm and ReLU
between the layers without changing the result on inputs bounded by ``bound``;
``factor_separable(K)`` splits a 2-D kernel of rank r into a (K1, 1) layer with r
channels then a (1, K2) layer (issue 11).

>>> factor("[1, -2, 3, 0, 4]", sizes=(2, 4)).proof.verdict
'proved'
"""

from symconv.factoring.batchnorm import BoundedReluFactorization, batchnorm_relu_factorization
from symconv.factoring.factorization import Factorization, factor
from symconv.factoring.minimal_channels import MinimalChannels, minimal_channels
from symconv.factoring.request import parse_sizes
from symconv.factoring.separable import SeparableFactorization, factor_separable, separable_rank
from symconv.factoring.two_layer import SolutionFamily

__all__ = [
    "factor",
    "Factorization",
    "minimal_channels",
    "MinimalChannels",
    "SolutionFamily",
    "batchnorm_relu_factorization",
    "BoundedReluFactorization",
    "parse_sizes",
    "factor_separable",
    "SeparableFactorization",
    "separable_rank",
]
