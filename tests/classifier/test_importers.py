"""The documented mappings of MEX-A3T, OffendES and DETOXIS onto `discriminatory`, case by case,
and how their tab-separated rows are split."""
from __future__ import annotations

import pytest

from classifier.importers import (
    DETOXIS_ANNOTATIONS,
    ImportSpec,
    LabeledRow,
    detoxis_labels_map,
    mexa3t_labels_map,
    offendes_labels_map,
    read_mexa3t,
    read_offendes,
)
from ingestion.records import RecordInvalid


@pytest.mark.parametrize("label,labels", [
    ("OFG", ["discriminatory"]),  # offensive to a group
    ("OFP", []),  # offensive to a person: an insult, not an attack on a group
    ("NOE", []),  # expletives without offence
    ("NO", []),
])
def test_offendes_only_offence_to_a_group_is_discriminatory(label, labels):
    assert offendes_labels_map(label=label) == labels


@pytest.mark.parametrize("label", ["OFX", "ofg", "", "1"])
def test_offendes_unknown_label_is_refused_not_read_as_negative(label):
    with pytest.raises(RecordInvalid, match="etiqueta de OffendES desconocida"):
        offendes_labels_map(label=label)


def marks_of(**ones: int) -> dict[str, int]:
    return {**dict.fromkeys(DETOXIS_ANNOTATIONS, 0), "toxicity_level": 0, **ones}


@pytest.mark.parametrize("marks,labels", [
    (marks_of(toxicity=1, toxicity_level=2, target_person=1, insult=1), []),  # an insult to a person
    (marks_of(toxicity=1, toxicity_level=3, aggressiveness=1, improper_language=1), []),  # very toxic, no group
    (marks_of(toxicity=1, toxicity_level=1, target_group=1), ["discriminatory"]),
    (marks_of(toxicity=1, toxicity_level=1, stereotype=1), ["discriminatory"]),
    (marks_of(toxicity=1, toxicity_level=2, intolerance=1, target_person=1), ["discriminatory"]),
    (marks_of(toxicity=0, stereotype=1), []),  # a stereotype said without hostility
    (marks_of(toxicity=0, target_group=1, negative_stance=1), []),
    (marks_of(), []),
])
def test_detoxis_discriminatory_is_toxic_and_aimed_at_a_group(marks, labels):
    assert detoxis_labels_map(annotations=marks) == labels


@pytest.mark.parametrize("text,aggressive,labels,rule,terms", [
    ("pinche joto", True, ["discriminatory", "orientacion"], "aggressive+term", ["joto"]),
    ("Qué MARICÓN eres <user>", True, ["discriminatory", "orientacion"], "aggressive+term", ["maricon"]),
    ("<user> pinche feminazi", True, ["discriminatory", "genero", "ideologia"], "aggressive+term", ["feminazi"]),
    ("eres un pendejo de mierda <user>", True, [], "aggressive-no-term", []),  # an insult, not an attack on a group
    ("el cómputo falló, pendejo", True, [], "aggressive-no-term", []),  # "puto" is not inside "cómputo"
    ("puto tráfico, hijo de puta", True, [], "aggressive+intensifier", ["puta", "puto"]),  # intensifiers alone
    ("puto joto", True, ["discriminatory", "orientacion"], "aggressive+term", ["joto", "puto"]),
    ("pinche joto", False, [], "not-aggressive", ["joto"]),
    ("buenos días a todos", False, [], "not-aggressive", []),
])
def test_mexa3t_discriminatory_is_aggressive_with_a_dictionary_term(text, aggressive, labels, rule, terms):
    assert mexa3t_labels_map(text=text, aggressive=aggressive) == (labels, {"mapping": rule, "terms": terms})


def rows_of(reader, path, **spec) -> list[tuple[int, LabeledRow | str]]:
    parsed = reader(ImportSpec(path=path, fmt="", task="discrimination", source="test", **spec))
    return [(line, row if isinstance(row, LabeledRow) else str(row)) for line, row in parsed]


def test_a_tab_and_quotes_inside_an_offendes_comment_stay_in_the_comment(tmp_path):
    path = tmp_path / "offendes_train.tsv"
    path.write_text(
        "comment_id\tcomment\tinfluencer\tinfluencer_gender\tmedia\tlabel\n"
        '7\t"uno\tdos, ""tres"""\tdalas\tman\tyoutube\tOFG\n'
        '8\t"entre comillas" a medias\twindygirk\twoman\tinstagram\tNO\n'
    )
    (_, first), (_, second) = rows_of(read_offendes, path, split="train")
    assert first.text == 'uno\tdos, "tres"' and first.labels == ["discriminatory"]
    assert first.extra == {"offendes_label": "OFG", "influencer": "dalas", "influencer_gender": "man", "media": "youtube"}
    assert second.text == '"entre comillas" a medias'  # not quoted by the writer: kept as written


def test_a_mexa3t_tweet_keeps_its_quotes_and_tabs(tmp_path):
    path = tmp_path / "mexa3t2018_dev.tsv"
    path.write_text('4\t1\ta\t"joto"\tdijo\n')
    [(line, row)] = rows_of(read_mexa3t, path, split="dev")
    assert (line, row.text, row.external_id, row.labels) == (1, '"joto"\tdijo', "dev-4", ["discriminatory", "orientacion"])
