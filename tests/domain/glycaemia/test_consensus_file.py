"""The consensus file is read strictly: every block cited, bands in order, targets on known
bands."""

from __future__ import annotations

from importlib import resources

import pytest

from telesurveillance.domain.glycaemia import consensus

TEXT = (
    resources.files("telesurveillance.domain.glycaemia")
    .joinpath("consensus.yaml")
    .read_text(encoding="utf-8")
)


def test_the_packaged_file_cites_the_2019_consensus_and_bergenstal_2018() -> None:
    rules = consensus.packaged()
    assert rules.sufficiency_cite.url == "https://doi.org/10.2337/dci19-0028"
    assert rules.gmi_cite.url == "https://doi.org/10.2337/dc18-1581"
    assert (rules.days, rules.active_at_least) == (14, 70)
    assert all(p.cite.url.startswith("https://doi.org/") for p in rules.profiles)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  cv_at_most: 36\n", "  cv_at_most: 36\n  cv_below: 33\n", "unknown"),
        ("      - {name: tbr1, below: 70}", "      - {name: tbr1, below: 50}", "rise"),
        ("bands: [tar1, tar2], under: 25", "bands: [tar9], under: 25", "unknown band"),
        ('intercept: "3.31"', "intercept: 3.31", "strings"),
        ("url: https://doi.org/10.2337/dc18-1581", "url: doi 10.2337", "https"),
        ("      - {name: tar2}", "      - {name: tar2, up_to: 400}", "last band"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_element(old: str, new: str, message: str) -> None:
    assert old in TEXT
    with pytest.raises(consensus.ConsensusError, match=message):
        consensus.parse(TEXT.replace(old, new, 1))
