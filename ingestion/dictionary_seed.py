"""The original Discriminamómetro dictionary: 7 COPRED categories and their 51 search terms.

Loaded by the data migration `0002_dictionary_seed`; after that the dictionary is
data that admins edit, and this module is history.
"""

CATEGORIES: list[tuple[str, str, str]] = [
    ("apariencia", "Apariencia", "Discriminación por apariencia física, color de piel, origen étnico o condición social."),
    ("discapacidad", "Discapacidad", "Discriminación por discapacidad física, sensorial, intelectual o psicosocial."),
    ("edad", "Edad", "Discriminación por edad: contra personas jóvenes o mayores."),
    ("genero", "Género", "Discriminación por género: misoginia, sexismo y estereotipos de género."),
    ("ideologia", "Ideología", "Discriminación por ideología u opinión política."),
    ("orientacion", "Orientación sexual", "Discriminación por orientación sexual, identidad o expresión de género."),
    ("religion", "Religión", "Discriminación por religión o creencias."),
]

TERMS: dict[str, list[str]] = {
    "apariencia": [
        "chacha", "güerito", "iztapalacra", "jodido", "naco", "pinche fresa", "pinche gordo",
        "pinche indio", "pinche negro", "pinche pobre",
    ],
    "discapacidad": ["ciego", "cojo", "discapacitado"],
    "edad": [
        "chavoruco", "es chavo", "nini", "pareces niño chiquito", "pinche niño", "pinche viejita",
        "pinche viejito",
    ],
    "genero": [
        "como hombre", "como niña", "mama luchona", "es de niña", "vieja pendeja", "feminazi",
        "vieja loca", "es de embarazada", "puta", "vieja embarazada",
    ],
    "ideologia": ["chairo", "derechairo", "feminazi"],
    "orientacion": [
        "arroz con popote", "joto", "machorra", "marimacha", "lencha", "puto", "puñal", "maricon",
        "muerdealmohadas", "sodomita",
    ],
    "religion": [
        "pinche judio", "mocho", "persinado", "testiculos de jehova", "santurron", "mojigata",
        "religioso pendejo", "coge niños",
    ],
}
