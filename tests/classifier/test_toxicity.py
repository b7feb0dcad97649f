"""The toxicity task's mapping, case by case, on rows as the importers leave them (`classifier.importers`)."""
from __future__ import annotations

import pytest

from classifier.toxicity import attributes_informed, corpus_of

DETOXIS = {
    "argumentation": 0, "constructiveness": 0, "positive_stance": 0, "negative_stance": 1, "target_person": 0,
    "target_group": 1, "stereotype": 1, "sarcasm": 0, "mockery": 0, "insult": 1, "improper_language": 0,
    "aggressiveness": 1, "intolerance": 1, "toxicity": 1, "toxicity_level": 3, "topic": "CR", "thread_id": "0",
}


def informed(labels: list[str], extra: dict, *, source: str = "import:x", task: str = "discrimination", weak: bool = False):
    return attributes_informed(task=task, source=source, labels=labels, extra=extra, weak=weak)


def test_a_very_toxic_detoxis_comment_against_immigrants_informs_every_attribute_but_threat():
    assert informed(["discriminatory"], DETOXIS) == {
        "TOXICITY": 1, "SEVERE_TOXICITY": 1, "INSULT": 1, "PROFANITY": 0, "IDENTITY_ATTACK": 1,
    }


def test_a_detoxis_comment_of_level_two_is_toxic_not_severe_and_a_calm_one_is_nothing():
    assert informed(["discriminatory"], {**DETOXIS, "toxicity_level": 2})["SEVERE_TOXICITY"] == 0
    calm = {**DETOXIS, **dict.fromkeys(("insult", "toxicity", "toxicity_level", "target_group", "stereotype", "intolerance"), 0)}
    assert informed([], calm) == {
        "TOXICITY": 0, "SEVERE_TOXICITY": 0, "INSULT": 0, "PROFANITY": 0, "IDENTITY_ATTACK": 0, "THREAT": 0,
    }


@pytest.mark.parametrize(("label", "expected"), [
    ("OFP", {"TOXICITY": 1, "INSULT": 1, "IDENTITY_ATTACK": 0}),
    ("OFG", {"TOXICITY": 1, "INSULT": 1, "IDENTITY_ATTACK": 1}),
    # Expletives without offence: profane, not an insult; whether toxic is left unknown.
    ("NOE", {"PROFANITY": 1, "INSULT": 0, "SEVERE_TOXICITY": 0, "IDENTITY_ATTACK": 0}),
    ("NO", {"TOXICITY": 0, "PROFANITY": 0, "SEVERE_TOXICITY": 0, "INSULT": 0, "THREAT": 0, "IDENTITY_ATTACK": 0}),
])
def test_offendes_labels(label, expected):
    extra = {"offendes_label": label, "influencer": "x", "influencer_gender": "f", "media": "youtube"}
    assert informed(["discriminatory"] if label == "OFG" else [], extra) == expected


def test_mexa3t_aggressive_tweets_are_toxic_and_judge_neither_insult_nor_profanity():
    aggressive = informed([], {"aggressive": True, "mapping": "aggressive-no-term", "terms": []})
    assert aggressive == {"TOXICITY": 1, "IDENTITY_ATTACK": 0}
    with_a_slur = informed(["discriminatory", "orientacion"], {"aggressive": True, "mapping": "aggressive+term", "terms": ["joto"]})
    assert with_a_slur == {"TOXICITY": 1, "IDENTITY_ATTACK": 1}
    calm = informed([], {"aggressive": False, "mapping": "not-aggressive", "terms": []})
    assert calm == {"TOXICITY": 0, "IDENTITY_ATTACK": 0, "SEVERE_TOXICITY": 0, "INSULT": 0, "THREAT": 0}
    assert "PROFANITY" not in calm  # a friendly tweet may swear ("no mames güey")


def test_hateval_knows_only_its_positives_for_toxicity():
    assert informed(["discriminatory"], {"TR": False, "AG": False}) == {"TOXICITY": 1, "IDENTITY_ATTACK": 1}
    assert informed([], {"TR": True, "AG": True}) == {"TOXICITY": 1, "IDENTITY_ATTACK": 0}
    # Collected by hostile keywords: not hateful nor aggressive does not mean not toxic.
    assert informed([], {"TR": False, "AG": False}) == {"IDENTITY_ATTACK": 0}


def test_exist_and_annotators_judge_identity_attack_only():
    assert informed(["discriminatory", "genero"], {"sexism_type": "ideological-inequality", "platform": "twitter"}) == {"IDENTITY_ATTACK": 1}
    assert informed([], {"sexism_type": "non-sexist", "platform": "gab"}) == {"IDENTITY_ATTACK": 0}
    assert informed(["discriminatory"], {}, source="annotators") == {"IDENTITY_ATTACK": 1}


def test_weak_rows_judge_nothing_and_the_demo_corpus_judges_toxicity_and_identity_attack():
    assert informed(["genero"], {"term": "vieja"}, source="weak:discriminamometro", weak=True) == {}
    assert informed(["discriminatory", "genero"], {"synthetic": True}, source="demo") == {"TOXICITY": 1, "IDENTITY_ATTACK": 1}
    # Not toxic implies not severe, not an insult, not a threat.
    friendly = {"TOXICITY": 0, "IDENTITY_ATTACK": 0, "SEVERE_TOXICITY": 0, "INSULT": 0, "THREAT": 0}
    assert informed([], {"synthetic": True}, source="demo") == friendly


def test_rows_of_the_toxicity_task_inform_the_attributes_they_judged():
    every = informed(["INSULT", "TOXICITY"], {}, task="toxicity", source="annotators")
    assert every == {"TOXICITY": 1, "SEVERE_TOXICITY": 0, "INSULT": 1, "PROFANITY": 0, "THREAT": 0, "IDENTITY_ATTACK": 0}
    some = informed(["THREAT"], {"attributes": ["THREAT", "TOXICITY"]}, task="toxicity", source="api")
    assert some == {"TOXICITY": 0, "THREAT": 1}


def test_a_corpus_imported_under_another_source_name_is_recognised_by_its_annotations():
    assert corpus_of(source="import:mi-copia", extra={"offendes_label": "NO"}) == "offendes"
    assert informed([], {"x": 1}, task="movie-genres") == {}
