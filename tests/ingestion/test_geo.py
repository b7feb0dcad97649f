"""Location attribution: which Mexican state (or foreign country) a user would expect."""
import json
from pathlib import Path

import pytest

from ingestion.geo import STATE_NAMES, Attribution, coordinates_resolve, location_attribute, location_resolve

LEGACY_JSON = Path("/work/shared/data/discriminamometro/json_genero.txt")
ISO_CODES = [
    "AGU", "BCN", "BCS", "CAM", "CHP", "CHH", "CMX", "COA", "COL", "DUR", "GUA", "GRO", "HID", "JAL", "MEX", "MIC",
    "MOR", "NAY", "NLE", "OAX", "PUE", "QUE", "ROO", "SLP", "SIN", "SON", "TAB", "TAM", "TLA", "VER", "YUC", "ZAC",
]
NOTHING = Attribution("", "", 0.0, "")


@pytest.mark.parametrize("text,state", [
    ("CDMX", "CMX"),
    ("Ciudad de México", "CMX"),
    ("Ciudad de Mexico", "CMX"),
    ("Mexico City", "CMX"),
    ("Iztapalapa, CDMX", "CMX"),
    ("Coyoacan, Distrito Federal", "CMX"),
    ("Mexico DF", "CMX"),
    ("Monterrey, N.L.", "NLE"),
    ("Monterrey N.L", "NLE"),
    ("monterrey nuevo leon", "NLE"),
    ("Mty", "NLE"),
    ("GDL", "JAL"),
    ("Guadalajara, Jalisco", "JAL"),
    ("gdl mx", "JAL"),
    ("Edomex", "MEX"),
    ("Edo. Méx.", "MEX"),
    ("Estado de México", "MEX"),
    ("Ecatepec", "MEX"),
    ("Tlalnepantla de Baz, Mexico", "MEX"),
    ("Cancún, Q. Roo", "ROO"),
    ("Tijuana BC", "BCN"),
    ("Tijuana, B.C.", "BCN"),
    ("cortazar Guanajuato", "GUA"),
    ("Los Cabos, Baja California Sur", "BCS"),
    ("Culiacan", "SIN"),
    ("Culiacán, Sin.", "SIN"),
    ("Ciudad Juárez", "CHH"),
    ("Cd. Juárez, Chih.", "CHH"),
    ("Leon, Guanajuato", "GUA"),
    ("Merida, Yucatan", "YUC"),
    ("Victoria, Tamaulipas", "TAM"),
    ("Xalapa, Veracruz de Ignacio de la Llave", "VER"),
    ("Poza Rica de Hidalgo, Veracruz", "VER"),
])
def test_mexican_locations_get_their_state(text, state):
    result = location_resolve(text)
    assert (result.state, result.country_code, result.evidence) == (state, "MX", "profile")
    assert result.confidence >= 0.7


@pytest.mark.parametrize("text,country", [
    ("Buenos Aires, Argentina", "AR"),
    ("Argentina ", "AR"),
    ("Madrid", "ES"),
    ("Bogotá, Colombia", "CO"),
    ("Houston, TX", "US"),
    ("Los Angeles, CA", "US"),
    ("San pedro sula, honduras", "HN"),
    ("Honduras", "HN"),
    ("Valencia - Venezuela", "VE"),
    ("Merida, Spain", "ES"),
    ("Santiago, Chile", "CL"),
    ("Laredo Texas", "US"),
    ("Republica Dominicana", "DO"),
])
def test_foreign_locations_get_the_country_and_no_state(text, country):
    result = location_resolve(text)
    assert (result.state, result.country_code, result.evidence) == ("", country, "profile")
    assert result.confidence >= 0.75


@pytest.mark.parametrize("text", ["KARMA", "", "   ", "en la luna", "La luna", "en tu corazón", "Wonderland "])
def test_jokes_and_empty_locations_give_nothing(text):
    assert location_resolve(text) == NOTHING


def test_ambiguous_cordoba_is_decided_by_its_qualifier():
    assert location_resolve("Córdoba, Veracruz").state == "VER"
    argentina = location_resolve("Córdoba, Argentina")
    assert (argentina.state, argentina.country_code) == ("", "AR")
    assert location_resolve("Cordoba").confidence < 0.5


def test_a_qualifier_beats_a_bare_city():
    assert location_resolve("Cuauhtémoc, Chihuahua").state == "CHH"
    assert location_resolve("Durango, Spain").country_code == "ES"
    assert location_resolve("La Paz, El Salvador").country_code == "SV"


def test_mexico_alone_is_the_country_without_a_state():
    result = location_resolve("México")
    assert (result.state, result.country_code) == ("", "MX")
    assert location_resolve("mexico").country_code == "MX"


def test_abbreviations_are_less_sure_than_names():
    assert location_resolve("GDL").confidence < location_resolve("Guadalajara").confidence
    assert location_resolve("Guadalajara").confidence < location_resolve("Guadalajara, Jalisco").confidence


def test_words_inside_longer_text_and_flags():
    assert location_resolve("Vivo en Iztapalapa 🇲🇽").state == "CMX"
    assert location_resolve("CDMX / Edomex").state == "CMX"
    assert location_resolve("🇦🇷").country_code == "AR"
    assert location_resolve("🇪🇸").country_code == "ES"
    flag_only = location_resolve("🇲🇽")
    assert (flag_only.state, flag_only.country_code) == ("", "MX")


def test_common_words_that_abbreviate_states_do_not_mislead():
    assert location_resolve("Monterrey sin ti").state == "NLE"
    assert location_resolve("Mexico sin ti").state == ""
    assert location_resolve("ver el mar") == NOTHING


def test_state_names_cover_all_32_codes():
    assert sorted(STATE_NAMES) == sorted(ISO_CODES)
    assert STATE_NAMES["CMX"] == "Ciudad de México"


@pytest.mark.parametrize("code", ISO_CODES)
def test_every_official_state_name_resolves_to_its_state(code):
    assert location_resolve(STATE_NAMES[code]).state == code
    assert location_resolve(STATE_NAMES[code].upper()).state == code


def test_coordinates_of_guadalajara_are_jalisco():
    result = coordinates_resolve(latitude=20.67, longitude=-103.35)
    assert (result.state, result.country_code, result.evidence) == ("JAL", "MX", "coordinates")
    assert result.confidence >= 0.85


def test_coordinates_of_madrid_are_not_a_mexican_state():
    result = coordinates_resolve(latitude=40.42, longitude=-3.70)
    assert result.state == ""
    assert result.country_code in ("", "ES")
    assert result.evidence == "coordinates"


def test_coordinates_far_from_any_city_are_less_sure():
    near = coordinates_resolve(latitude=19.43, longitude=-99.13)
    farther = coordinates_resolve(latitude=19.43, longitude=-99.83)
    assert near.state == "CMX"
    assert farther.confidence < near.confidence


def test_a_tagged_place_beats_a_conflicting_profile_location():
    result = location_attribute(place_name="Guadalajara, Jalisco", place_country_code="MX", profile_location="CDMX")
    assert (result.state, result.country_code, result.evidence) == ("JAL", "MX", "place")
    assert result.confidence >= 0.9


def test_a_foreign_place_is_foreign_whatever_the_profile_says():
    result = location_attribute(place_name="Madrid", place_country_code="ES", profile_location="Monterrey, N.L.")
    assert (result.state, result.country_code, result.evidence) == ("", "ES", "place")


def test_the_place_country_decides_an_ambiguous_place_name():
    assert location_attribute(place_name="Córdoba", place_country_code="MX").state == "VER"


def test_coordinates_beat_the_profile_and_the_profile_is_the_last_resort():
    by_coordinates = location_attribute(latitude=20.67, longitude=-103.35, profile_location="CDMX")
    assert (by_coordinates.state, by_coordinates.evidence) == ("JAL", "coordinates")
    by_profile = location_attribute(profile_location="Mty")
    assert (by_profile.state, by_profile.evidence) == ("NLE", "profile")


def test_nothing_known_gives_an_empty_attribution():
    assert location_attribute() == NOTHING
    assert location_attribute(profile_location="KARMA") == NOTHING


def test_real_profile_locations_are_mostly_attributed():
    if not LEGACY_JSON.exists():
        pytest.skip(f"{LEGACY_JSON} is not available")
    posts = json.loads(LEGACY_JSON.read_text(encoding="utf-8"))
    locations = [post.get("location") or "" for post in posts]
    locations = [location for location in locations if location.strip()]
    attributed = [
        location for location in locations
        if (result := location_resolve(location)).state or result.country_code not in ("", "MX")
    ]
    share = len(attributed) / len(locations)
    assert share >= 0.4, f"only {share:.1%} of {len(locations)} profile locations got a state or a foreign country"
