"""Inter-annotator agreement: how far annotators agree on the same posts.

Pure functions over plain mappings, with no database access, so a selector or a
report can feed them whatever it has read. Two shapes of input are used:

* ratings: ``item -> annotator -> value`` for one single-choice question
  ("is it discriminatory?" yes/no/unsure, or True/False). Values only need to
  be hashable. An annotator who did not rate an item is absent from its mapping.
* annotations: ``item -> annotator -> set of labels`` for the multi-label
  categories question; `label_agreement` turns it into one binary
  "has this label" rating per label.

The statistics come from maintained libraries: Cohen's kappa from scikit-learn
(`sklearn.metrics.cohen_kappa_score`) and Krippendorff's alpha from the
`krippendorff` package. Every metric returns None, rather than nan or an
exception, where it is undefined (too little data, or a single category seen),
so callers can show "n/a" without special-casing numpy.
"""
from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import combinations
from statistics import fmean
from typing import Generic, Literal, TypeVar

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

ItemT = TypeVar("ItemT", bound=Hashable)
AnnotatorT = TypeVar("AnnotatorT", bound=Hashable)
LabelT = TypeVar("LabelT", bound=Hashable)
ValueT = TypeVar("ValueT", bound=Hashable)

Level = Literal["nominal", "ordinal", "interval", "ratio"]


@dataclass(frozen=True)
class LabelAgreement(Generic[AnnotatorT]):
    """Agreement on one category, from the binary "has this label" ratings.

    `kappas` holds Cohen's kappa for every pair of annotators (in order of first
    appearance in the data), None where undefined. `mean_kappa` is the plain mean
    of the defined ones: Light's kappa (R. J. Light, 1971) when every pair is
    defined, None when no pair is.
    """

    percent: float | None
    alpha: float | None
    kappas: dict[tuple[AnnotatorT, AnnotatorT], float | None]
    mean_kappa: float | None


@dataclass(frozen=True)
class AnnotatorAgreement:
    """How often one annotator gave the reference answer: `agreed` of `compared` items."""

    agreed: int
    compared: int

    @property
    def share(self) -> float | None:
        return self.agreed / self.compared if self.compared else None


def percent_agreement(ratings: Mapping[ItemT, Mapping[AnnotatorT, Hashable]]) -> float | None:
    """Pairwise percent agreement, pooled over items.

    For an item rated by n >= 2 annotators there are n(n-1)/2 unordered pairs of
    its annotators; a pair agrees when both gave the same value. The result is
    (agreeing pairs over all items) / (pairs over all items). Items with fewer
    than 2 ratings have no pair and are ignored, so an item rated by more people
    weighs more. With the same number of raters on every item this equals Fleiss'
    mean observed agreement P-bar. None when no item has 2 ratings.
    """
    agreeing = pairs = 0
    for by_annotator in ratings.values():
        count = len(by_annotator)
        pairs += count * (count - 1) // 2
        agreeing += sum(same * (same - 1) // 2 for same in Counter(by_annotator.values()).values())
    return agreeing / pairs if pairs else None


def cohen_kappa(
    ratings: Mapping[ItemT, Mapping[AnnotatorT, Hashable]], *, first: AnnotatorT, second: AnnotatorT
) -> float | None:
    """Cohen's kappa between two annotators over the items both of them rated.

    None when they share fewer than 2 items, or when kappa is undefined: both
    gave one and the same category everywhere, so chance agreement p_e is 1 and
    kappa is 0/0.
    """
    shared = [(row[first], row[second]) for row in ratings.values() if first in row and second in row]
    if len(shared) < 2:
        return None
    return _kappa([pair[0] for pair in shared], [pair[1] for pair in shared])


def krippendorff_alpha(
    ratings: Mapping[ItemT, Mapping[AnnotatorT, Hashable]], *, level: Level = "nominal"
) -> float | None:
    """Krippendorff's alpha for any number of annotators, missing ratings allowed.

    For "nominal", values may be any hashable (they are coded as integers). The
    other levels measure distances between values, so these must be real numbers
    (map an ordered scale to numbers first); a TypeError says otherwise. Items
    with a single rating cannot be paired and are left out. None when no item has
    2 ratings, or when the pairable ratings hold one single value (alpha is then
    0/0: no disagreement observed and none expected).
    """
    pairable = [row for row in ratings.values() if len(row) >= 2]
    values = _distinct(value for row in pairable for value in row.values())
    if len(values) < 2:
        return None
    if level == "nominal":
        codes: Mapping[Hashable, float] = {value: float(code) for code, value in enumerate(values)}
    else:
        codes = {value: _number(value) for value in values}
    matrix = _reliability_matrix(pairable, codes=codes)
    alpha = float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level))
    return None if math.isnan(alpha) else alpha


def label_agreement(
    annotations: Mapping[ItemT, Mapping[AnnotatorT, AbstractSet[Hashable]]], *, labels: Iterable[LabelT]
) -> dict[LabelT, LabelAgreement[AnnotatorT]]:
    """Per category, percent agreement, nominal alpha and pairwise kappas on "has this label".

    Each annotator who answered an item gives, for every label, True if the label
    is in their set and False otherwise (an empty set means "none of them");
    annotators who did not answer the item give nothing. Labels nobody chose are
    still reported: full agreement, alpha and kappas undefined.
    """
    report: dict[LabelT, LabelAgreement[AnnotatorT]] = {}
    for label in labels:
        binary = {item: {who: label in chosen for who, chosen in row.items()} for item, row in annotations.items()}
        kappas = pairwise_kappas(binary)
        report[label] = LabelAgreement(
            percent=percent_agreement(binary),
            alpha=krippendorff_alpha(binary),
            kappas=kappas,
            mean_kappa=mean_kappa(kappas.values()),
        )
    return report


def pairwise_kappas(
    ratings: Mapping[ItemT, Mapping[AnnotatorT, Hashable]],
) -> dict[tuple[AnnotatorT, AnnotatorT], float | None]:
    """Cohen's kappa for every pair of annotators, in order of first appearance in the data."""
    annotators = _distinct(annotator for row in ratings.values() for annotator in row)
    return {(a, b): cohen_kappa(ratings, first=a, second=b) for a, b in combinations(annotators, 2)}


def mean_kappa(kappas: Iterable[float | None]) -> float | None:
    """The plain mean of the defined pairwise kappas (Light's kappa when all are defined); None when none is."""
    defined = [kappa for kappa in kappas if kappa is not None]
    return fmean(defined) if defined else None


def annotator_agreement_with(
    ratings: Mapping[ItemT, Mapping[AnnotatorT, Hashable]], *, reference: Mapping[ItemT, Hashable]
) -> dict[AnnotatorT, AnnotatorAgreement]:
    """For each annotator, how many of their ratings equal the reference value of the item.

    `reference` is one value per item: the consensus, an adjudicated label, or the
    model's decision. Items missing from it, or whose reference is None (e.g. a
    disputed post with no consensus yet), are not compared. Every annotator who
    rated anything is listed, with `compared` 0 (and `share` None) if none of
    their items had a reference.
    """
    counts: dict[AnnotatorT, list[int]] = {}
    for item, row in ratings.items():
        expected = reference.get(item)
        for annotator, value in row.items():
            agreed_compared = counts.setdefault(annotator, [0, 0])
            if expected is not None:
                agreed_compared[0] += int(value == expected)
                agreed_compared[1] += 1
    return {who: AnnotatorAgreement(agreed=agreed, compared=compared) for who, (agreed, compared) in counts.items()}


def _kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two aligned rating lists, via scikit-learn on integer codes."""
    categories = _distinct([*first, *second])
    if len(categories) < 2:
        # One category for both: p_e = 1, so kappa is 0/0. Caught here rather than
        # through sklearn's UndefinedMetricWarning, so no warning reaches callers.
        return None
    # Integer codes let sklearn handle any hashable values (it cannot sort a mix of types).
    code = {category: index for index, category in enumerate(categories)}
    kappa = cohen_kappa_score(
        [code[value] for value in first], [code[value] for value in second], replace_undefined_by=np.nan
    )
    # With two or more categories p_e < 1 and sklearn never reaches its undefined branch;
    # nan is still mapped to None should that ever change.
    return None if math.isnan(kappa) else float(kappa)


def _reliability_matrix(rows: Sequence[Mapping[AnnotatorT, Hashable]], *, codes: Mapping[Hashable, float]) -> np.ndarray:
    """Annotators x items matrix of coded values, nan where an annotator did not rate the item."""
    annotators = _distinct(annotator for row in rows for annotator in row)
    position = {annotator: index for index, annotator in enumerate(annotators)}
    matrix = np.full((len(annotators), len(rows)), np.nan)
    for column, row in enumerate(rows):
        for annotator, value in row.items():
            matrix[position[annotator], column] = codes[value]
    return matrix


def _number(value: Hashable) -> float:
    if not isinstance(value, numbers.Real):
        raise TypeError(f"Non-nominal Krippendorff's alpha needs numeric ratings, got {value!r}.")
    return float(value)


def _distinct(values: Iterable[ValueT]) -> list[ValueT]:
    """The distinct values in order of first appearance (keeps results stable without sorting mixed types)."""
    return list(dict.fromkeys(values))
