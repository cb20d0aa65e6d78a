"""``derive`` of N-D chains: per-axis stride, padding and receptive field, in Python and as CLI JSON."""

from __future__ import annotations

import json

from symconv import derive
from symconv.cli import main
from symconv.core.kernel_nd import ConvolveNd, DilateNd, kernel_nd


def test_derive_json_gives_per_axis_lists_for_a_2d_chain_with_per_axis_stride(capsys):
    assert main(["derive", "conv2d(k[3, 3], stride=(2, 1), padding=1) >> conv2d(k, stride=2)", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stride"] == [4, 2] and out["padding"] == [[1, 1], [1, 1]] and out["receptive_field"] == [7, 5]
    assert out["exact"] is True and len(out["kernel"]) == 7 and len(out["kernel"][0]) == 5


def test_derive_3d_stride_composition_gives_the_composed_kernel():
    d = derive("conv3d(k[2, 2, 2], stride=2) >> conv3d(k, stride=2)")
    k = kernel_nd("k", 2, 2, 2, ndim=3)
    expected = ConvolveNd(k, DilateNd(k, (2, 2, 2))).taps()[0][0]
    assert d.stride == (4, 4, 4) and d.receptive_field == (4, 4, 4) and d.exact
    assert json.loads(json.dumps(d.to_json()))["kernel"] == [[[str(v) for v in row] for row in plane]
                                                            for plane in expected]


def test_derive_of_a_chain_padded_between_layers_is_not_exact():
    d = derive("conv2d(k[3, 3], stride=2, padding=1) >> conv2d(k, stride=2, padding=1)")
    assert not d.exact and d.to_json()["padding"] == [[3, 3], [3, 3]]
