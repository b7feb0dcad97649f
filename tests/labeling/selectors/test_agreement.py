"""Agreement metrics give the textbook answers, and None wherever a metric is undefined."""
from __future__ import annotations

import pytest

from labeling.selectors.agreement import (
    AnnotatorAgreement,
    annotator_agreement_with,
    cohen_kappa,
    krippendorff_alpha,
    label_agreement,
    percent_agreement,
)


def ratings_from_rows(rows: dict[str, list]) -> dict[int, dict[str, object]]:
    """Turn one row of values per annotator (None = no rating) into item -> annotator -> value."""
    items: dict[int, dict[str, object]] = {}
    for annotator, values in rows.items():
        for item, value in enumerate(values, start=1):
            row = items.setdefault(item, {})
            if value is not None:
                row[annotator] = value
    return items


# Wikipedia, "Cohen's kappa", worked example: 50 proposals read by A and B.
# Both yes 20, A yes / B no 5, A no / B yes 10, both no 15:
# p_o = (20 + 15) / 50 = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
WIKIPEDIA_KAPPA = ratings_from_rows({
    "A": ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15,
    "B": ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15,
})

# K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the example with
# missing data: observers A-D, units 1-12, values 1-5 (None = not coded). Unit 12 has one
# value only and is unpairable. The paper gives alpha nominal 0.743, ordinal 0.815,
# interval 0.849, ratio 0.797.
KRIPPENDORFF_2011 = ratings_from_rows({
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
})


def test_cohen_kappa_matches_the_wikipedia_example():
    assert cohen_kappa(WIKIPEDIA_KAPPA, first="A", second="B") == pytest.approx(0.4)
    assert cohen_kappa(WIKIPEDIA_KAPPA, first="B", second="A") == pytest.approx(0.4)


def test_cohen_kappa_uses_only_items_both_rated():
    ratings = {**WIKIPEDIA_KAPPA, "extra-1": {"A": "yes"}, "extra-2": {"B": "no", "C": "no"}}

    assert cohen_kappa(ratings, first="A", second="B") == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_krippendorff_alpha_matches_the_2011_paper(level, expected):
    assert krippendorff_alpha(KRIPPENDORFF_2011, level=level) == pytest.approx(expected, abs=5e-4)


def test_nominal_alpha_takes_any_hashable_values():
    names = {1: "no", 2: "unsure", 3: "yes", 4: True, 5: ("other", 5)}
    renamed = {item: {who: names[value] for who, value in row.items()} for item, row in KRIPPENDORFF_2011.items()}

    assert krippendorff_alpha(renamed) == pytest.approx(0.743, abs=5e-4)


def test_distance_levels_refuse_categories():
    with pytest.raises(TypeError):
        krippendorff_alpha({1: {"a": "yes", "b": "no"}}, level="interval")


def test_percent_agreement_pools_pairs_over_items():
    ratings = {
        1: {"a": "yes", "b": "yes", "c": "yes"},  # 3 pairs, 3 agree
        2: {"a": "yes", "b": "no", "c": "yes"},  # 3 pairs, 1 agrees (a-c)
        3: {"a": "no", "b": "no"},  # c did not rate it: 1 pair, 1 agrees
        4: {"a": "unsure"},  # one rating, no pair: ignored
    }

    assert percent_agreement(ratings) == pytest.approx(5 / 7)


def test_no_overlap_gives_none_everywhere():
    ratings = {1: {"a": "yes"}, 2: {"b": "no"}, 3: {"c": "yes"}}

    assert percent_agreement(ratings) is None
    assert cohen_kappa(ratings, first="a", second="b") is None
    assert krippendorff_alpha(ratings) is None
    assert percent_agreement({}) is None
    assert krippendorff_alpha({}) is None


def test_a_single_shared_item_is_too_little_for_kappa():
    assert cohen_kappa({1: {"a": "yes", "b": "no"}, 2: {"a": "no"}}, first="a", second="b") is None


def test_everyone_giving_the_same_answer_is_full_agreement_but_alpha_and_kappa_are_undefined():
    ratings = {1: {"a": "no", "b": "no"}, 2: {"a": "no", "b": "no", "c": "no"}, 3: {"b": "no"}}

    assert percent_agreement(ratings) == 1.0
    assert krippendorff_alpha(ratings) is None
    assert cohen_kappa(ratings, first="a", second="b") is None


def test_alpha_ignores_a_value_seen_only_on_an_unpairable_item():
    # "yes" appears only where one annotator rated: the pairable data hold "no" alone.
    ratings = {1: {"a": "no", "b": "no"}, 2: {"a": "no", "b": "no"}, 3: {"c": "yes"}}

    assert krippendorff_alpha(ratings) is None


def test_label_agreement_on_a_small_multi_label_example():
    annotations = {
        1: {"a": {"racism"}, "b": {"racism"}},
        2: {"a": {"racism", "sexism"}, "b": {"sexism"}},
        3: {"a": set(), "b": set(), "c": {"sexism"}},
        4: {"a": {"sexism"}, "b": {"sexism"}, "c": {"sexism"}},
    }

    report = label_agreement(annotations, labels=["racism", "sexism", "ableism"])

    # racism, by hand. Items: 1 a T b T; 2 a T b F; 3 a b c F; 4 a b c F.
    # Pairs 1 + 1 + 3 + 3 = 8, agreeing 1 + 0 + 3 + 3 = 7.
    # Coincidences: o_TT = 2 (item 1), o_TF = o_FT = 1 (item 2), o_FF = 3 + 3 (items 3, 4: 6 ordered pairs / 2).
    # n_T = 3, n_F = 7, n = 10. D_o = 2/10; D_e = 2 * 3 * 7 / (10 * 9) = 42/90; alpha = 1 - 18/42 = 4/7.
    # kappa(a, b) on items 1-4: a T T F F, b T F F F; p_o = 3/4, p_e = 1/2 * 1/4 + 1/2 * 3/4 = 1/2, kappa = 1/2.
    # a-c and b-c share items 3 and 4 only, all False: undefined.
    racism = report["racism"]
    assert racism.percent == pytest.approx(7 / 8)
    assert racism.alpha == pytest.approx(4 / 7)
    assert racism.kappas == {("a", "b"): pytest.approx(0.5), ("a", "c"): None, ("b", "c"): None}
    assert racism.mean_kappa == pytest.approx(0.5)

    # sexism, by hand. Items: 1 a b F; 2 a b T; 3 a F b F c T; 4 a b c T.
    # Pairs 1 + 1 + 3 + 3 = 8, agreeing 1 + 1 + 1 + 3 = 6.
    # Coincidences: o_FF = 2 + 1, o_TT = 2 + 3, o_FT = o_TF = 1 (item 3: 2 ordered F-T pairs / 2).
    # n_F = 4, n_T = 6, n = 10. D_o = 2/10; D_e = 2 * 4 * 6 / 90 = 48/90; alpha = 1 - 18/48 = 0.625.
    # kappa(a, b) = 1 (identical F T F T, p_e = 1/2); a-c and b-c on items 3, 4: F T vs T T,
    # p_o = 1/2, p_e = 1/2 * 1 + 1/2 * 0 = 1/2, kappa = 0. Mean (1 + 0 + 0) / 3.
    sexism = report["sexism"]
    assert sexism.percent == pytest.approx(6 / 8)
    assert sexism.alpha == pytest.approx(0.625)
    assert sexism.kappas == {("a", "b"): pytest.approx(1.0), ("a", "c"): pytest.approx(0.0), ("b", "c"): pytest.approx(0.0)}
    assert sexism.mean_kappa == pytest.approx(1 / 3)

    # Nobody chose it: everyone agrees it is absent, and the chance-corrected metrics are undefined.
    ableism = report["ableism"]
    assert (ableism.percent, ableism.alpha, ableism.mean_kappa) == (1.0, None, None)
    assert set(ableism.kappas.values()) == {None}


def test_annotator_agreement_with_a_reference():
    ratings = {
        1: {"ana": "yes", "beto": "no"},
        2: {"ana": "no", "beto": "no", "rita": "unsure"},
        3: {"ana": "yes", "rita": "yes"},
        4: {"beto": "yes"},  # no reference for this post: not compared
    }
    reference = {1: "yes", 2: "no", 3: "no", 4: None}

    result = annotator_agreement_with(ratings, reference=reference)

    assert result == {
        "ana": AnnotatorAgreement(agreed=2, compared=3),
        "beto": AnnotatorAgreement(agreed=1, compared=2),
        "rita": AnnotatorAgreement(agreed=0, compared=2),
    }
    assert result["ana"].share == pytest.approx(2 / 3)


def test_an_annotator_with_nothing_to_compare_has_no_share():
    result = annotator_agreement_with({1: {"ana": "yes"}}, reference={})

    assert result["ana"] == AnnotatorAgreement(agreed=0, compared=0)
    assert result["ana"].share is None
