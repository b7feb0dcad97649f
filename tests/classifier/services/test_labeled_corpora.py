"""`import_labeled` for MEX-A3T, OffendES and DETOXIS: the real files land in LabeledText with
their original labels in `extra` and the documented mapping onto `discriminatory`; bad rows are
rejected by line and the rest kept; importing again adds nothing."""
from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from classifier.models import LabeledText
from tests.shared_data import SHARED, csv_head, needs_shared


def run(path: Path, **options) -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_labeled", str(path), stdout=out, stderr=err, no_progress=True, **options)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def lines_head(source: Path, target: Path, lines: int, *, also: str = "") -> Path:
    """The first `lines` lines of a real tab-separated file, plus the one line starting with `also`."""
    with source.open(encoding="utf-8", newline="") as handle:
        every = handle.readlines()
    extra = [line for line in every[lines:] if also and line.startswith(also)]
    target.write_text("".join(every[:lines] + extra), encoding="utf-8", newline="")
    return target


# --- MEX-A3T ------------------------------------------------------------------------------------------


@needs_shared
@pytest.mark.django_db
def test_mexa3t_dev_aggressive_with_a_term_is_discriminatory_and_splits_do_not_collide(tmp_path, dictionary):
    dev = SHARED / "mexa3t2018" / "mexa3t2018_dev.tsv"
    out, err, error = run(dev, format="mexa3t")
    assert error is None and err == ""
    assert "3156 leídas, 3156 nuevas" in out
    assert "etiquetas positivas: apariencia 7, discriminatory 16, genero 5, ideologia 4, orientacion 4" in out
    rows = LabeledText.objects.filter(task="discrimination", source="import:mexa3t2018")
    insult = rows.get(external_id="dev-19")  # "<user> maricon con ellas si pero con uno se le arruga pinche cobarde …"
    assert (insult.split, insult.labels) == ("dev", ["discriminatory", "orientacion"])
    assert insult.extra == {"aggressive": True, "mapping": "aggressive+term", "terms": ["maricon"]}
    assert rows.filter(extra__mapping="aggressive-no-term", labels=[]).count() == 729
    assert rows.filter(extra__mapping="aggressive+intensifier", labels=[]).count() == 39  # "puto"/"puta" alone
    assert rows.filter(extra__aggressive=False).exclude(labels=[]).count() == 0

    train = lines_head(SHARED / "mexa3t2018" / "mexa3t2018_train.tsv", tmp_path / "mexa3t2018_train.tsv", 300)
    run(train, format="mexa3t")
    assert rows.count() == 3156 + 300  # train's row 0 is not dev's row 0
    assert rows.get(external_id="train-0").split == "train"

    out, _, _ = run(dev, format="mexa3t")
    assert "0 nuevas, 0 actualizadas, 3156 sin cambios" in out
    assert rows.count() == 3156 + 300


@pytest.mark.django_db
def test_mexa3t_bad_rows_are_rejected_by_line_and_the_rest_kept(tmp_path, dictionary):
    path = tmp_path / "mexa3t2018_train.tsv"
    path.write_text(
        "0\t1\ta\tpinche joto\n"
        "1\t2\ta\totro texto\n"
        "2\t1\tsin texto\n"
        "x\t0\ta\tnúmero que no es\n"
        "4\t0\ta\t   \n"
        "5\t1\ta\tcon nulo \x00 dentro\n"
        "6\t\ta\tsin etiqueta\n"
        "7\t1\ta\teres un pendejo\n"
    )
    out, err, error = run(path, format="mexa3t")
    assert error is None
    assert "línea 2: valor no válido en 'agresivo': '2' (se espera 0 o 1)" in err
    assert "línea 3: la fila tiene 3 campos; se esperan 4" in err
    assert "línea 4: el número de fila no es un entero" in err
    assert "línea 5: falta el texto" in err
    assert "línea 6: el texto contiene un carácter nulo" in err
    assert "línea 7: valor no válido en 'agresivo'" in err
    assert "8 leídas, 2 nuevas, 0 actualizadas, 0 sin cambios, 0 repetidas, 6 rechazadas" in out
    assert dict(LabeledText.objects.values_list("external_id", "labels")) == {
        "train-0": ["discriminatory", "orientacion"], "train-7": [],
    }


@pytest.mark.django_db
def test_mexa3t_needs_a_split_to_tell_its_row_numbers_apart(tmp_path, dictionary):
    path = tmp_path / "agresivos.tsv"
    path.write_text("0\t1\ta\tpinche joto\n")
    _, _, error = run(path, format="mexa3t")
    assert error is not None and "indique --split" in str(error)
    out, _, error = run(path, format="mexa3t", split="test")
    assert error is None and LabeledText.objects.get().external_id == "test-0"


# --- OffendES -----------------------------------------------------------------------------------------


@needs_shared
@pytest.mark.django_db
def test_offendes_offence_to_a_group_is_discriminatory_and_the_tab_row_is_read(tmp_path, dictionary):
    dev = SHARED / "offendes" / "offendes_dev.tsv"
    out, err, error = run(dev, format="offendes")
    assert error is None and err == ""
    assert "100 leídas, 100 nuevas" in out and "etiquetas positivas: discriminatory 4" in out
    rows = LabeledText.objects.filter(task="discrimination", source="import:offendes")
    group = rows.get(external_id="33334")  # "Esto es para retrasados..."
    assert group.labels == ["discriminatory"] and group.split == "dev"
    assert group.extra == {"offendes_label": "OFG", "influencer": "javioliveira", "influencer_gender": "man", "media": "youtube"}
    assert rows.filter(extra__offendes_label="OFP").count() == 22
    assert not rows.filter(extra__offendes_label="OFP").exclude(labels=[]).exists()

    # The one row of the training file whose comment holds a tab (and was quoted for it).
    train = lines_head(SHARED / "offendes" / "offendes_train.tsv", tmp_path / "offendes_train.tsv", 201, also="19755\t")
    out, err, error = run(train, format="offendes")
    assert error is None and err == "" and "201 leídas, 201 nuevas" in out
    tabbed = rows.get(external_id="19755")
    assert tabbed.text.startswith("Como me gusta tus videos") and "lo q\tUE hacen" in tabbed.text
    assert tabbed.text.endswith("🥰🥰") and tabbed.extra["influencer"] == "nauterplay" and tabbed.labels == []

    out, _, _ = run(dev, format="offendes")
    assert "0 nuevas, 0 actualizadas, 100 sin cambios" in out
    assert rows.count() == 301


@pytest.mark.django_db
def test_offendes_bad_rows_are_rejected_by_line_and_the_rest_kept(tmp_path, dictionary):
    path = tmp_path / "offendes_train.tsv"
    path.write_text(
        "comment_id\tcomment\tinfluencer\tinfluencer_gender\tmedia\tlabel\n"
        "1\tQue cerdos todos ellos\tdalas\tman\tyoutube\tOFG\n"
        "2\tun comentario\tdalas\tman\tyoutube\tOFX\n"
        "3\tsin columnas\tOFP\n"
        "4\tcon\ttabulador\tdalas\tman\ttwitter\tOFP\n"
        "5\t\tdalas\tman\tyoutube\tNO\n"
        "\tsin id\tdalas\tman\tyoutube\tNO\n"
        "7\tcon nulo \x00\tdalas\tman\tyoutube\tNO\n"
        "8\tbuen comentario\twindygirk\twoman\tinstagram\tNOE\n"
    )
    out, err, error = run(path, format="offendes")
    assert error is None
    assert "línea 3: etiqueta de OffendES desconocida: 'OFX' (OFP, OFG, NOE o NO)" in err
    assert "línea 4: la fila tiene 3 campos; se esperan 6" in err
    assert "línea 6: falta el texto" in err
    assert "línea 7: falta el id" in err
    assert "línea 8: el texto contiene un carácter nulo" in err
    assert "8 leídas, 3 nuevas, 0 actualizadas, 0 sin cambios, 0 repetidas, 5 rechazadas" in out
    stored = {r.external_id: (r.text, r.labels) for r in LabeledText.objects.all()}
    assert stored == {
        "1": ("Que cerdos todos ellos", ["discriminatory"]),
        "4": ("con\ttabulador", []),  # OFP: an insult to a person
        "8": ("buen comentario", []),
    }


@pytest.mark.django_db
def test_offendes_without_a_label_column_is_refused_clearly(tmp_path, dictionary):
    path = tmp_path / "offendes_dev.tsv"
    path.write_text("comment_id\tcomment\tinfluencer\tinfluencer_gender\tmedia\n1\thola\tdalas\tman\tyoutube\n")
    _, _, error = run(path, format="offendes")
    assert error is not None and "faltan columnas en el TSV: label" in str(error)
    assert not LabeledText.objects.exists()


# --- DETOXIS ------------------------------------------------------------------------------------------


@needs_shared
@pytest.mark.django_db
def test_detoxis_toxic_and_aimed_at_a_group_is_discriminatory(dictionary):
    path = SHARED / "detoxis2021" / "detoxis2021_train.csv"
    out, err, error = run(path, format="detoxis")
    assert error is None and err == ""
    assert "3463 leídas, 3463 nuevas" in out and "etiquetas positivas: discriminatory 508" in out
    rows = LabeledText.objects.filter(task="discrimination", source="import:detoxis2021")
    migrants = rows.get(external_id="0_004")  # "asi me gusta, que se maten entre ellos y en alta mar. Mas inmigrantes asi …"
    assert migrants.labels == ["discriminatory"] and migrants.split == "train"
    assert migrants.extra == {
        "topic": "CR", "thread_id": "0_002", "argumentation": 0, "constructiveness": 0, "positive_stance": 0,
        "negative_stance": 0, "target_person": 0, "target_group": 1, "stereotype": 0, "sarcasm": 0, "mockery": 0,
        "insult": 0, "improper_language": 0, "aggressiveness": 1, "intolerance": 1, "toxicity": 1, "toxicity_level": 2,
    }
    person = rows.get(external_id="0_009")  # "Los más preparados": toxic, aimed at a person
    assert person.labels == [] and (person.extra["toxicity"], person.extra["target_person"]) == (1, 1)
    assert rows.filter(extra__toxicity=1).count() == 1147
    assert not rows.filter(extra__toxicity=0).exclude(labels=[]).exists()

    out, _, _ = run(path, format="detoxis")
    assert "0 nuevas, 0 actualizadas, 3463 sin cambios" in out


@needs_shared
@pytest.mark.django_db
def test_detoxis_bad_rows_are_rejected_by_line_and_the_rest_kept(tmp_path, dictionary):
    path = csv_head(SHARED / "detoxis2021" / "detoxis2021_train.csv", tmp_path / "detoxis2021_train.csv", 3)
    lines = path.read_text(encoding="utf-8").splitlines()
    good = lines[1].split(",")
    toxicity_two = [*good[:2], "x_1", *good[3:-2], "2", good[-1]]
    level_five = [*good[:2], "x_2", *good[3:-1], "5"]
    no_text = [*good[:2], "x_3", good[3], good[4], "", *good[6:]]
    path.write_text("\n".join([*lines, ",".join(toxicity_two), ",".join(level_five), ",".join(no_text)]) + "\n", encoding="utf-8")
    out, err, error = run(path, format="detoxis")
    assert error is None
    assert "línea 5: valor no válido en 'toxicity': '2' (se espera 0 o 1)" in err
    assert "línea 6: valor no válido en 'toxicity_level': '5' (se espera 0 a 3)" in err
    assert "línea 7: falta el texto" in err
    assert "6 leídas, 3 nuevas" in out and "3 rechazadas" in out
    assert sorted(LabeledText.objects.values_list("external_id", flat=True)) == ["0_002", "0_003", "0_004"]

    path.write_text("topic,thread_id,comment_id,comment,toxicity\nCR,0,1,hola,1\n", encoding="utf-8")
    _, _, error = run(path, format="detoxis")
    assert error is not None and "faltan columnas en el CSV: aggressiveness, argumentation" in str(error)
