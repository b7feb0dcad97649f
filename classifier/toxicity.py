"""The `toxicity` task's evidence: which of the Perspective API's attributes a labelled row informs, and how.

No corpus here was annotated with Perspective's attributes. Each one annotated
something close to some of them, so a row trains and is measured only on the
attributes its corpus actually judged (`attributes_informed`); on the others it
is neither positive nor negative. The corpora stay imported once, under the
`discrimination` task, with their original annotations in `LabeledText.extra`;
rows of the `toxicity` task (annotators or clients judging the attributes
directly) train too.

| attribute | DETOXIS 2021 (3,463) | OffendES (16,810) | MEX-A3T 2018 (10,856) | HatEval 2019 (5,000) | EXIST 2021 (3,541) |
| --- | --- | --- | --- | --- | --- |
| TOXICITY | `toxicity` (1,147 / 2,316) | OFP, OFG → 1 (2,289); NO → 0 (13,276); NOE unknown (1,245) | `aggressive` (3,511 / 7,345) | HS or AG → 1 (2,079; AG never without HS); the rest unknown | unknown |
| SEVERE_TOXICITY | `toxicity_level` 3 → 1 (69); 0–2 → 0 | NO, NOE → 0 | not aggressive → 0 | — | — |
| INSULT | `insult` (248 / 3,215) | OFP, OFG → 1; NO, NOE → 0 | not aggressive → 0 | — | — |
| PROFANITY | `improper_language` (359 / 3,104) | NOE → 1 (1,245); NO → 0; OFP, OFG unknown | — | — | — |
| THREAT | — | — | — | — | — |
| IDENTITY_ATTACK | toxic and aimed at a group (508) | OFG (216) | aggressive + a COPRED term (334) | HS (2,079) | sexist (1,741 / 1,800) |

Counts are of the whole files (train and dev). The reasons:

* TOXICITY is Perspective's "rude, disrespectful or unreasonable comment".
  DETOXIS's `toxicity`, OffendES's offensive labels and MEX-A3T's `aggressive`
  are that judgement under other names. OffendES's NOE (expletives without
  offence, "qué puta pasada") is left unknown: Perspective's readers rated swearing
  as toxic part of the time, OffendES's annotators judged offence only, so
  neither answer is what a Perspective reader would say. HatEval's HS = 0
  tweets were collected by hostile keywords and are often abusive to someone
  else than women or immigrants: only its positives are known. EXIST's sexism
  includes benevolent stereotypes, which are not rude: unknown.
* SEVERE_TOXICITY ("very hateful, aggressive, disrespectful") is DETOXIS's
  top level, 3, "very toxic" (69 comments; level 2, "toxic", 269, is what
  TOXICITY already says). Severe toxicity is toxicity: a row known not to be
  toxic is known not to be severe, and so for INSULT, THREAT and
  IDENTITY_ATTACK (`IMPLIED_BY_NON_TOXIC`); that gives them OffendES's and
  MEX-A3T's non-offensive rows as negatives. PROFANITY is not implied: a
  friendly comment may swear.
* INSULT ("insulting, inflammatory or negative comment towards a person or a
  group"): DETOXIS's `insult`; OffendES's offensive labels (offensive to a
  person or a group is an insult), its NO and NOE rows are not. MEX-A3T's
  aggressive tweets are not all insults (some are threats, some swearing), so
  they are unknown, and only its non-aggressive ones are negatives.
* PROFANITY ("swear words, curse words, or other obscene or profane
  language"): DETOXIS's `improper_language`; OffendES's NOE is exactly
  expletives without offence, its NO rows have none; its offensive rows may or
  may not swear: unknown.
* THREAT: no corpus annotates threats (DETOXIS's `aggressiveness` is any
  aggressive tone, EXIST's `sexual-violence` includes harassment and
  suggestions), so no row is positive and the attribute is not offered
  (`classifier.services.training`: too little evidence leaves an attribute out).
* IDENTITY_ATTACK ("negative or hateful comments targeting someone because of
  their identity"): each corpus's `discriminatory` mapping (`classifier.importers`).

Weak rows (the original project's tweets found by a term) judge nothing. Rows
of other sources of the discrimination task (annotators, a CSV) inform
IDENTITY_ATTACK only (their annotators judged discrimination, not rudeness). The demo corpus's
synthetic judgements (`DEMO_SOURCE`) say discriminatory or not of posts that are
otherwise friendly: TOXICITY and IDENTITY_ATTACK both follow `discriminatory`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from classifier.label_sets import ATTRIBUTES, DISCRIMINATION, DISCRIMINATORY, TOXICITY

TOXIC, SEVERE, INSULT, PROFANITY, THREAT, IDENTITY = ATTRIBUTES
IMPLIED_BY_NON_TOXIC = (SEVERE, INSULT, THREAT, IDENTITY)
DEMO_SOURCE = "demo"
# Where the attributes judged by a row of the toxicity task are listed (all of them when absent).
JUDGED_KEY = "attributes"

Informed = dict[str, int]


def attributes_informed(
    *, task: str, source: str, labels: list[str], extra: Mapping[str, Any], weak: bool = False,
) -> Informed:
    """The attributes a row informs, each with its value (1 present, 0 absent); the others are unknown."""
    if weak:
        return {}
    if task == TOXICITY:
        judged = extra.get(JUDGED_KEY) or ATTRIBUTES
        return {name: int(name in labels) for name in ATTRIBUTES if name in judged}
    if task != DISCRIMINATION:
        return {}
    found = _corpus_rule(source=source, extra=extra)(labels, extra)
    if found.get(TOXIC) == 0:
        found.update({name: 0 for name in IMPLIED_BY_NON_TOXIC if name not in found})
    return found


def corpus_of(*, source: str, extra: Mapping[str, Any]) -> str:
    """Which corpus a discrimination row comes from, by the annotations it kept (so a corpus imported
    under another source name maps the same)."""
    if "toxicity_level" in extra:
        return "detoxis"
    if "offendes_label" in extra:
        return "offendes"
    if "aggressive" in extra:
        return "mexa3t"
    if "AG" in extra or "TR" in extra:
        return "hateval"
    if "sexism_type" in extra:
        return "exist"
    return "demo" if source == DEMO_SOURCE else "other"


def _corpus_rule(*, source: str, extra: Mapping[str, Any]) -> Callable[[list[str], Mapping[str, Any]], Informed]:
    return _RULES[corpus_of(source=source, extra=extra)]


def _detoxis(labels: list[str], extra: Mapping[str, Any]) -> Informed:
    return {
        TOXIC: int(extra["toxicity"] == 1), SEVERE: int(extra["toxicity_level"] == 3), INSULT: int(extra["insult"] == 1),
        PROFANITY: int(extra["improper_language"] == 1), IDENTITY: int(DISCRIMINATORY in labels),
    }


def _offendes(labels: list[str], extra: Mapping[str, Any]) -> Informed:
    label = extra["offendes_label"]
    if label in {"OFP", "OFG"}:
        return {TOXIC: 1, INSULT: 1, IDENTITY: int(label == "OFG")}
    if label == "NOE":
        return {PROFANITY: 1, INSULT: 0, SEVERE: 0, IDENTITY: 0}
    return {TOXIC: 0, PROFANITY: 0}


def _mexa3t(labels: list[str], extra: Mapping[str, Any]) -> Informed:
    return {TOXIC: int(bool(extra["aggressive"])), IDENTITY: int(DISCRIMINATORY in labels)}


def _hateval(labels: list[str], extra: Mapping[str, Any]) -> Informed:
    hateful = DISCRIMINATORY in labels
    return {TOXIC: 1, IDENTITY: int(hateful)} if hateful or extra.get("AG") else {IDENTITY: 0}


def _identity_only(labels: list[str], extra: Mapping[str, Any]) -> Informed:
    """EXIST, annotators, a CSV: whether the row attacks a group, and nothing else."""
    return {IDENTITY: int(DISCRIMINATORY in labels)}


def _demo(labels: list[str], extra: Mapping[str, Any]) -> Informed:
    value = int(DISCRIMINATORY in labels)
    return {TOXIC: value, IDENTITY: value}


_RULES: dict[str, Callable[[list[str], Mapping[str, Any]], Informed]] = {
    "detoxis": _detoxis, "offendes": _offendes, "mexa3t": _mexa3t, "hateval": _hateval,
    "exist": _identity_only, "other": _identity_only, "demo": _demo,
}


def demo_attributes(*, discriminatory: bool) -> list[str]:
    """A demo post's attributes, as a row of the toxicity task lists them (see the module docstring)."""
    return [TOXIC, IDENTITY] if discriminatory else []
