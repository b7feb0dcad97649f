"""Attribute posts to Mexican states from places, coordinates and profile locations.

The gazetteer is data in this module: the 32 federal entities (ISO 3166-2:MX
codes without the "MX-" prefix), their capitals and large cities with
approximate coordinates, common abbreviations, and the other countries (ISO
alpha-2) that show up most in Spanish-language profile locations.

Free text is folded (case, accents, punctuation) into tokens and matched
against one alias dictionary, longest alias first, so a lookup costs a few
dictionary probes per token. Names shared by several places ("Córdoba",
"León", "Santiago"…) are ambiguous: a state or country named anywhere in the
same text decides, otherwise the most likely reading is returned with a low
confidence. `location_resolve` is cached, since profile locations repeat a lot.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Attribution:
    """Where a post comes from, and how sure we are."""

    state: str  # ISO code without prefix, e.g. "CMX"; "" when not attributed to a Mexican state
    country_code: str  # "MX", "AR", "ES", ...; "" when unknown
    confidence: float  # 0.0-1.0
    evidence: str  # "place", "coordinates", "profile" or "" (none)


_NOTHING = Attribution("", "", 0.0, "")


@dataclass(frozen=True, slots=True)
class _City:
    name: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _State:
    code: str
    name: str
    names: tuple[str, ...]  # other full names, read as sure as the official one
    abbreviations: tuple[str, ...]  # short forms that are not everyday words
    weak: tuple[str, ...]  # short forms that are also common words ("Sin", "Son", "Ver")


@dataclass(frozen=True, slots=True)
class _Country:
    code: str
    names: tuple[str, ...]
    regions: tuple[str, ...]  # provinces, states, regions: they qualify like a country name
    cities: tuple[_City, ...]


def _c(name: str, lat: float, lon: float, *aliases: str) -> _City:
    return _City(name, lat, lon, aliases)


_STATES: tuple[_State, ...] = (
    _State("AGU", "Aguascalientes", (), ("Ags",), ()),
    _State("BCN", "Baja California", ("Baja California Norte",), ("BC", "B.C."), ()),
    _State("BCS", "Baja California Sur", (), ("BCS", "B.C.S."), ()),
    _State("CAM", "Campeche", (), (), ("Camp",)),
    _State("CHP", "Chiapas", (), (), ("Chis",)),
    _State("CHH", "Chihuahua", (), ("Chih",), ()),
    _State(
        "CMX",
        "Ciudad de México",
        ("CDMX", "CD MX", "Cd. de México", "Cd. de Méx", "Ciudad de Méx", "Mexico City",
         "Distrito Federal", "DF", "D.F.", "México City"),
        ("CDMEX",),
        (),
    ),
    _State("COA", "Coahuila de Zaragoza", ("Coahuila",), ("Coah",), ()),
    _State("COL", "Colima", (), (), ("Col",)),
    _State("DUR", "Durango", (), ("Dgo",), ()),
    _State("GUA", "Guanajuato", (), ("Gto",), ()),
    _State("GRO", "Guerrero", (), ("Gro",), ()),
    _State("HID", "Hidalgo", (), ("Hgo",), ()),
    _State("JAL", "Jalisco", (), ("Jal",), ()),
    _State(
        "MEX",
        "Estado de México",
        ("Edomex", "Edo Mex", "Edo. Méx.", "Edo. de México", "Edo de Mex", "Estado de Mex",
         "Edo. Mexico", "Mex. Edo."),
        (),
        (),
    ),
    _State("MIC", "Michoacán de Ocampo", ("Michoacán",), ("Mich",), ()),
    _State("MOR", "Morelos", (), (), ("Mor",)),
    _State("NAY", "Nayarit", (), (), ("Nay",)),
    _State("NLE", "Nuevo León", ("Nvo. León",), ("NL", "N.L."), ()),
    _State("OAX", "Oaxaca", (), ("Oax",), ()),
    _State("PUE", "Puebla", (), (), ("Pue",)),
    _State("QUE", "Querétaro", ("Querétaro de Arteaga",), ("Qro",), ()),
    _State("ROO", "Quintana Roo", (), ("QRoo", "Q. Roo"), ()),
    _State("SLP", "San Luis Potosí", (), ("SLP", "S.L.P."), ()),
    _State("SIN", "Sinaloa", (), (), ("Sin",)),
    _State("SON", "Sonora", (), (), ("Son",)),
    _State("TAB", "Tabasco", (), (), ("Tab",)),
    _State("TAM", "Tamaulipas", (), ("Tamps",), ()),
    _State("TLA", "Tlaxcala", (), ("Tlax",), ()),
    _State("VER", "Veracruz de Ignacio de la Llave", ("Veracruz",), (), ("Ver",)),
    _State("YUC", "Yucatán", (), ("Yuc",), ()),
    _State("ZAC", "Zacatecas", (), ("Zac",), ()),
)

STATE_NAMES: dict[str, str] = {state.code: state.name for state in _STATES}

# Capital first, then the largest or best-known cities. Aliases after the coordinates.
_MX_CITIES: dict[str, tuple[_City, ...]] = {
    "AGU": (
        _c("Aguascalientes", 21.88, -102.29),
        _c("Jesús María", 21.96, -102.34),
        _c("Calvillo", 21.85, -102.72),
        _c("Rincón de Romos", 22.23, -102.32),
        _c("Pabellón de Arteaga", 22.15, -102.28),
    ),
    "BCN": (
        _c("Mexicali", 32.62, -115.45),
        _c("Tijuana", 32.51, -117.04, "TJ"),
        _c("Ensenada", 31.87, -116.60),
        _c("Tecate", 32.57, -116.63),
        _c("Playas de Rosarito", 32.36, -117.05, "Rosarito"),
        _c("San Quintín", 30.56, -115.94),
        _c("San Felipe", 31.02, -114.84),
    ),
    "BCS": (
        _c("La Paz", 24.14, -110.31),
        _c("Los Cabos", 22.95, -109.80),
        _c("Cabo San Lucas", 22.89, -109.91),
        _c("San José del Cabo", 23.06, -109.70),
        _c("Ciudad Constitución", 25.03, -111.67),
        _c("Loreto", 26.01, -111.35),
        _c("Guerrero Negro", 27.96, -114.06),
        _c("Santa Rosalía", 27.34, -112.27),
    ),
    "CAM": (
        _c("San Francisco de Campeche", 19.85, -90.53),
        _c("Ciudad del Carmen", 18.65, -91.82),
        _c("Champotón", 19.35, -90.72),
        _c("Escárcega", 18.61, -90.74),
        _c("Calkiní", 20.37, -90.05),
    ),
    "CHP": (
        _c("Tuxtla Gutiérrez", 16.75, -93.12, "Tuxtla"),
        _c("Tapachula", 14.90, -92.26),
        _c("San Cristóbal de las Casas", 16.74, -92.64),
        _c("Comitán", 16.25, -92.13, "Comitán de Domínguez"),
        _c("Palenque", 17.51, -91.98),
        _c("Chiapa de Corzo", 16.71, -93.01),
        _c("Villaflores", 16.23, -93.27),
        _c("Ocosingo", 16.91, -92.09),
    ),
    "CHH": (
        _c("Chihuahua", 28.63, -106.09),
        _c("Ciudad Juárez", 31.69, -106.42, "Juaritos"),
        _c("Delicias", 28.19, -105.47),
        _c("Hidalgo del Parral", 26.93, -105.67, "Parral"),
        _c("Nuevo Casas Grandes", 30.42, -107.91),
        _c("Camargo", 27.69, -105.17),
        _c("Ojinaga", 29.56, -104.41),
        _c("Cuauhtémoc", 28.41, -106.87),
    ),
    "CMX": (
        _c("Ciudad de México", 19.43, -99.13),
        _c("Iztapalapa", 19.36, -99.06),
        _c("Gustavo A. Madero", 19.48, -99.11, "GAM"),
        _c("Álvaro Obregón", 19.36, -99.20),
        _c("Tlalpan", 19.29, -99.17),
        _c("Coyoacán", 19.35, -99.16),
        _c("Cuauhtémoc", 19.43, -99.15),
        _c("Venustiano Carranza", 19.43, -99.10),
        _c("Azcapotzalco", 19.48, -99.18),
        _c("Iztacalco", 19.40, -99.10),
        _c("Xochimilco", 19.26, -99.10),
        _c("Benito Juárez", 19.37, -99.16),
        _c("Miguel Hidalgo", 19.43, -99.20),
        _c("Tláhuac", 19.28, -99.00),
        _c("La Magdalena Contreras", 19.31, -99.24, "Magdalena Contreras"),
        _c("Cuajimalpa", 19.36, -99.30, "Cuajimalpa de Morelos"),
        _c("Milpa Alta", 19.19, -99.02),
        _c("Polanco", 19.43, -99.19),
        _c("San Juan de Aragón", 19.46, -99.07),
    ),
    "COA": (
        _c("Saltillo", 25.42, -101.00),
        _c("Torreón", 25.54, -103.41),
        _c("Monclova", 26.91, -101.42),
        _c("Piedras Negras", 28.70, -100.52),
        _c("Ciudad Acuña", 29.32, -100.93),
        _c("Sabinas", 27.85, -101.12),
        _c("Ramos Arizpe", 25.54, -100.95),
        _c("Parras de la Fuente", 25.44, -102.18, "Parras"),
    ),
    "COL": (
        _c("Colima", 19.24, -103.72),
        _c("Manzanillo", 19.05, -104.32),
        _c("Tecomán", 18.91, -103.87),
        _c("Villa de Álvarez", 19.27, -103.74),
    ),
    "DUR": (
        _c("Victoria de Durango", 24.02, -104.66),
        _c("Gómez Palacio", 25.57, -103.50),
        _c("Ciudad Lerdo", 25.54, -103.52, "Lerdo"),
        _c("Santiago Papasquiaro", 25.04, -105.42),
        _c("Canatlán", 24.52, -104.78),
    ),
    "GUA": (
        _c("Guanajuato", 21.02, -101.26),
        _c("León", 21.12, -101.68, "León de los Aldama"),
        _c("Irapuato", 20.67, -101.35),
        _c("Celaya", 20.52, -100.81),
        _c("Salamanca", 20.57, -101.19),
        _c("Silao", 20.94, -101.43),
        _c("San Miguel de Allende", 20.91, -100.74),
        _c("Dolores Hidalgo", 21.16, -100.93),
        _c("Cortazar", 20.48, -100.96),
        _c("Pénjamo", 20.43, -101.72),
        _c("Valle de Santiago", 20.39, -101.19),
        _c("Acámbaro", 20.03, -100.72),
        _c("San Francisco del Rincón", 21.02, -101.86),
        _c("Moroleón", 20.13, -101.19),
        _c("Uriangato", 20.14, -101.17),
        _c("Salvatierra", 20.21, -100.88),
    ),
    "GRO": (
        _c("Chilpancingo", 17.55, -99.50, "Chilpancingo de los Bravo"),
        _c("Acapulco", 16.85, -99.88, "Acapulco de Juárez"),
        _c("Iguala", 18.34, -99.54, "Iguala de la Independencia"),
        _c("Zihuatanejo", 17.64, -101.55),
        _c("Ixtapa", 17.66, -101.60),
        _c("Taxco", 18.56, -99.60, "Taxco de Alarcón"),
        _c("Chilapa", 17.60, -99.18),
        _c("Tlapa", 17.55, -98.58, "Tlapa de Comonfort"),
    ),
    "HID": (
        _c("Pachuca", 20.12, -98.73, "Pachuca de Soto"),
        _c("Tulancingo", 20.08, -98.36, "Tulancingo de Bravo"),
        _c("Tula de Allende", 20.05, -99.34),
        _c("Tizayuca", 19.84, -98.98),
        _c("Huejutla", 21.14, -98.42, "Huejutla de Reyes"),
        _c("Ixmiquilpan", 20.48, -99.22),
        _c("Tepeji del Río", 19.90, -99.34),
        _c("Mineral de la Reforma", 20.07, -98.70),
        _c("Apan", 19.71, -98.45),
    ),
    "JAL": (
        _c("Guadalajara", 20.67, -103.35, "GDL"),
        _c("Zapopan", 20.72, -103.39),
        _c("Tlaquepaque", 20.64, -103.31, "San Pedro Tlaquepaque"),
        _c("Tonalá", 20.62, -103.24),
        _c("Tlajomulco", 20.47, -103.44, "Tlajomulco de Zúñiga"),
        _c("Puerto Vallarta", 20.65, -105.23, "Vallarta"),
        _c("Lagos de Moreno", 21.36, -101.93),
        _c("Tepatitlán", 20.82, -102.76, "Tepatitlán de Morelos"),
        _c("Ciudad Guzmán", 19.70, -103.46, "Zapotlán el Grande"),
        _c("Ocotlán", 20.35, -102.77),
        _c("Autlán de Navarro", 19.77, -104.37, "Autlán"),
        _c("Chapala", 20.29, -103.19),
        _c("Ameca", 20.55, -104.05),
        _c("Arandas", 20.70, -102.35),
    ),
    "MEX": (
        _c("Toluca", 19.29, -99.66, "Toluca de Lerdo"),
        _c("Ecatepec", 19.60, -99.05, "Ecatepec de Morelos", "Ecatepunk"),
        _c("Nezahualcóyotl", 19.40, -99.01, "Neza", "Ciudad Nezahualcóyotl"),
        _c("Naucalpan", 19.48, -99.24, "Naucalpan de Juárez"),
        _c("Tlalnepantla", 19.54, -99.19, "Tlalnepantla de Baz"),
        _c("Chimalhuacán", 19.42, -98.95),
        _c("Texcoco", 19.51, -98.88, "Texcoco de Mora"),
        _c("Cuautitlán Izcalli", 19.65, -99.25, "Izcalli"),
        _c("Cuautitlán", 19.67, -99.18),
        _c("Atizapán de Zaragoza", 19.56, -99.25, "Atizapán"),
        _c("Ixtapaluca", 19.32, -98.88),
        _c("Tecámac", 19.71, -98.97),
        _c("Nicolás Romero", 19.62, -99.31),
        _c("Chalco", 19.26, -98.90),
        _c("Valle de Chalco", 19.29, -98.94),
        _c("Huixquilucan", 19.36, -99.35),
        _c("Metepec", 19.25, -99.60),
        _c("Coacalco", 19.63, -99.11, "Coacalco de Berriozábal"),
        _c("Tultitlán", 19.65, -99.17),
        _c("Zinacantepec", 19.28, -99.73),
        _c("Zumpango", 19.80, -99.10),
        _c("Atlacomulco", 19.80, -99.88),
        _c("Valle de Bravo", 19.19, -100.13),
        _c("Teotihuacán", 19.69, -98.87),
    ),
    "MIC": (
        _c("Morelia", 19.70, -101.19),
        _c("Uruapan", 19.42, -102.06),
        _c("Zamora", 19.98, -102.28, "Zamora de Hidalgo"),
        _c("Lázaro Cárdenas", 17.96, -102.20),
        _c("Apatzingán", 19.09, -102.35),
        _c("Zitácuaro", 19.44, -100.36, "Heroica Zitácuaro"),
        _c("La Piedad", 20.34, -102.03),
        _c("Sahuayo", 20.06, -102.72),
        _c("Pátzcuaro", 19.51, -101.61),
    ),
    "MOR": (
        _c("Cuernavaca", 18.92, -99.23),
        _c("Jiutepec", 18.88, -99.18),
        _c("Cuautla", 18.81, -98.95),
        _c("Temixco", 18.85, -99.23),
        _c("Yautepec", 18.88, -99.07),
        _c("Jojutla", 18.61, -99.18),
    ),
    "NAY": (
        _c("Tepic", 21.50, -104.89),
        _c("Bahía de Banderas", 20.80, -105.25, "Nuevo Vallarta"),
        _c("Santiago Ixcuintla", 21.81, -105.21),
        _c("Compostela", 21.24, -104.90),
        _c("Xalisco", 21.44, -104.90),
        _c("Ixtlán del Río", 21.04, -104.37),
        _c("San Blas", 21.54, -105.29),
        _c("Sayulita", 20.87, -105.44),
    ),
    "NLE": (
        _c("Monterrey", 25.67, -100.31, "Mty"),
        _c("Guadalupe", 25.68, -100.26),
        _c("San Nicolás de los Garza", 25.74, -100.30),
        _c("Apodaca", 25.78, -100.19),
        _c("General Escobedo", 25.80, -100.33, "Escobedo"),
        _c("Santa Catarina", 25.67, -100.46),
        _c("San Pedro Garza García", 25.66, -100.40),
        _c("Juárez", 25.65, -100.09),
        _c("Cadereyta", 25.59, -99.99, "Cadereyta Jiménez"),
        _c("Linares", 24.86, -99.57),
        _c("Montemorelos", 25.19, -99.83),
        _c("Sabinas Hidalgo", 26.51, -100.18),
    ),
    "OAX": (
        _c("Oaxaca de Juárez", 17.07, -96.72),
        _c("Salina Cruz", 16.17, -95.20),
        _c("Juchitán", 16.43, -95.02, "Juchitán de Zaragoza"),
        _c("Tuxtepec", 18.09, -96.12, "San Juan Bautista Tuxtepec"),
        _c("Huajuapan", 17.80, -97.78, "Huajuapan de León"),
        _c("Puerto Escondido", 15.86, -97.07),
        _c("Santa Cruz Xoxocotlán", 17.03, -96.73, "Xoxocotlán"),
        _c("Huatulco", 15.77, -96.13),
        _c("Tehuantepec", 16.32, -95.24),
    ),
    "PUE": (
        _c("Puebla", 19.04, -98.21, "Puebla de Zaragoza", "Heroica Puebla de Zaragoza"),
        _c("Tehuacán", 18.46, -97.39),
        _c("San Martín Texmelucan", 19.28, -98.43, "Texmelucan"),
        _c("Atlixco", 18.91, -98.44),
        _c("San Andrés Cholula", 19.05, -98.30),
        _c("San Pedro Cholula", 19.06, -98.31, "Cholula"),
        _c("Teziutlán", 19.82, -97.36),
        _c("Huauchinango", 20.18, -98.05),
        _c("Izúcar de Matamoros", 18.60, -98.47, "Izúcar"),
        _c("Amozoc", 19.04, -98.05),
    ),
    "QUE": (
        _c("Santiago de Querétaro", 20.59, -100.39),
        _c("San Juan del Río", 20.39, -99.99),
        _c("Corregidora", 20.54, -100.44),
        _c("El Marqués", 20.61, -100.28),
        _c("Tequisquiapan", 20.52, -99.89),
    ),
    "ROO": (
        _c("Chetumal", 18.50, -88.30),
        _c("Cancún", 21.16, -86.85),
        _c("Playa del Carmen", 20.63, -87.07),
        _c("Cozumel", 20.51, -86.95),
        _c("Tulum", 20.21, -87.47),
        _c("Felipe Carrillo Puerto", 19.58, -88.05),
        _c("Isla Mujeres", 21.23, -86.73),
        _c("Bacalar", 18.68, -88.39),
        _c("Puerto Morelos", 20.85, -86.88),
    ),
    "SLP": (
        _c("San Luis Potosí", 22.15, -100.98),
        _c("Soledad de Graciano Sánchez", 22.18, -100.94),
        _c("Ciudad Valles", 21.99, -99.01),
        _c("Matehuala", 23.65, -100.64),
        _c("Rioverde", 21.93, -99.99),
        _c("Tamazunchale", 21.26, -98.79),
    ),
    "SIN": (
        _c("Culiacán", 24.81, -107.39, "Culiacán Rosales", "Culichi"),
        _c("Mazatlán", 23.25, -106.41),
        _c("Los Mochis", 25.79, -108.99),
        _c("Guasave", 25.57, -108.47),
        _c("Navolato", 24.77, -107.70),
        _c("Guamúchil", 25.46, -108.08),
        _c("Escuinapa", 22.83, -105.78),
        _c("Ahome", 25.92, -109.17),
    ),
    "SON": (
        _c("Hermosillo", 29.07, -110.96),
        _c("Ciudad Obregón", 27.49, -109.94, "Cajeme"),
        _c("Nogales", 31.31, -110.94),
        _c("San Luis Río Colorado", 32.46, -114.77),
        _c("Navojoa", 27.07, -109.44),
        _c("Guaymas", 27.92, -110.90),
        _c("Agua Prieta", 31.33, -109.55),
        _c("Caborca", 30.72, -112.16),
        _c("Puerto Peñasco", 31.32, -113.54),
        _c("Huatabampo", 26.83, -109.64),
    ),
    "TAB": (
        _c("Villahermosa", 17.99, -92.93),
        _c("Comalcalco", 18.26, -93.22),
        _c("Macuspana", 17.76, -92.60),
        _c("Huimanguillo", 17.83, -93.39),
        _c("Tenosique", 17.47, -91.42),
        _c("Heroica Cárdenas", 18.00, -93.38),
    ),
    "TAM": (
        _c("Ciudad Victoria", 23.74, -99.15),
        _c("Reynosa", 26.09, -98.28),
        _c("Heroica Matamoros", 25.87, -97.50, "Matamoros"),
        _c("Nuevo Laredo", 27.48, -99.52),
        _c("Tampico", 22.23, -97.86),
        _c("Ciudad Madero", 22.28, -97.83),
        _c("Altamira", 22.39, -97.94),
        _c("Ciudad Mante", 22.74, -98.97, "El Mante"),
        _c("Río Bravo", 25.99, -98.10),
        _c("Valle Hermoso", 25.67, -97.81),
    ),
    "TLA": (
        _c("Tlaxcala", 19.32, -98.24, "Tlaxcala de Xicohténcatl"),
        _c("Apizaco", 19.41, -98.14),
        _c("Huamantla", 19.31, -97.92),
        _c("Chiautempan", 19.31, -98.19),
        _c("Calpulalpan", 19.59, -98.57),
        _c("Zacatelco", 19.21, -98.24),
    ),
    "VER": (
        _c("Xalapa", 19.54, -96.91, "Jalapa", "Xalapa-Enríquez"),
        _c("Veracruz", 19.17, -96.13, "Puerto de Veracruz", "Heroica Veracruz"),
        _c("Coatzacoalcos", 18.14, -94.44),
        _c("Córdoba", 18.88, -96.93),
        _c("Orizaba", 18.85, -97.10),
        _c("Poza Rica", 20.53, -97.46, "Poza Rica de Hidalgo"),
        _c("Boca del Río", 19.11, -96.11),
        _c("Minatitlán", 17.99, -94.55),
        _c("Túxpam", 20.95, -97.40, "Tuxpan"),
        _c("Papantla", 20.45, -97.32),
        _c("Martínez de la Torre", 20.07, -97.06),
        _c("San Andrés Tuxtla", 18.45, -95.21),
        _c("Coatepec", 19.45, -96.96),
        _c("Acayucan", 17.95, -94.91),
        _c("Pánuco", 22.05, -98.18),
        _c("Tierra Blanca", 18.45, -96.36),
    ),
    "YUC": (
        _c("Mérida", 20.97, -89.62),
        _c("Valladolid", 20.69, -88.20),
        _c("Tizimín", 21.14, -88.15),
        _c("Kanasín", 20.93, -89.56),
        _c("Umán", 20.88, -89.75),
        _c("Ticul", 20.40, -89.53),
        _c("Motul", 21.10, -89.28),
        _c("Izamal", 20.93, -89.02),
    ),
    "ZAC": (
        _c("Zacatecas", 22.77, -102.58),
        _c("Fresnillo", 23.17, -102.87),
        _c("Guadalupe", 22.75, -102.52),
        _c("Jerez", 22.65, -102.99, "Jerez de García Salinas"),
        _c("Sombrerete", 23.64, -103.64),
        _c("Jalpa", 21.64, -102.97),
        _c("Ojocaliente", 22.57, -102.26),
        _c("Nochistlán", 21.36, -102.85),
        _c("Tlaltenango", 21.78, -103.30, "Tlaltenango de Sánchez Román"),
    ),
}

_MX_NAMES: tuple[str, ...] = (
    "México", "Méjico", "MX", "Méx", "República Mexicana", "Rep. Mexicana",
    "Estados Unidos Mexicanos", "Mexican Republic",
)

_FOREIGN: tuple[_Country, ...] = (
    _Country(
        "AR",
        ("Argentina", "Arg", "República Argentina", "Rep. Argentina"),
        ("Buenos Aires", "Bs. As.", "BsAs", "CABA", "Capital Federal", "Tucumán", "Entre Ríos",
         "Misiones", "Chaco", "Río Negro", "La Pampa", "Chubut", "Catamarca", "Santiago del Estero",
         "Tierra del Fuego", "Formosa", "Jujuy", "Neuquén", "Patagonia", "Conurbano"),
        (
            _c("Buenos Aires", -34.60, -58.38),
            _c("Córdoba", -31.42, -64.18),
            _c("Rosario", -32.95, -60.65),
            _c("Mendoza", -32.89, -68.83),
            _c("La Plata", -34.92, -57.95),
            _c("Mar del Plata", -38.00, -57.56),
            _c("San Miguel de Tucumán", -26.82, -65.22),
            _c("Salta", -24.79, -65.41),
            _c("Santa Fe", -31.63, -60.70),
            _c("Neuquén", -38.95, -68.06),
            _c("Bahía Blanca", -38.72, -62.27),
            _c("Corrientes", -27.47, -58.83),
            _c("San Juan", -31.54, -68.54),
            _c("San Luis", -33.30, -66.34),
            _c("Quilmes", -34.72, -58.25),
            _c("Paraná", -31.73, -60.53),
            _c("San Salvador de Jujuy", -24.19, -65.30),
            _c("Ushuaia", -54.80, -68.30),
            _c("Bariloche", -41.13, -71.31, "San Carlos de Bariloche"),
            _c("Lomas de Zamora", -34.76, -58.40),
            _c("Caballito", -34.62, -58.44),
            _c("Lanús", -34.70, -58.39),
            _c("Avellaneda", -34.66, -58.37),
            _c("San Antonio de Padua", -34.67, -58.70),
            _c("Comodoro Rivadavia", -45.86, -67.48),
        ),
    ),
    _Country(
        "ES",
        ("España", "Spain", "Españita", "Reino de España"),
        ("Cataluña", "Catalunya", "Andalucía", "Galicia", "Galiza", "País Vasco", "Euskadi",
         "Asturias", "Navarra", "Canarias", "Islas Canarias",
         "Extremadura", "Cantabria", "Aragón", "Castilla y León", "Castilla-La Mancha",
         "Comunidad Valenciana", "Comunidad de Madrid"),
        (
            _c("Madrid", 40.42, -3.70, "Madriz"),
            _c("Barcelona", 41.39, 2.17),
            _c("Valencia", 39.47, -0.38),
            _c("Sevilla", 37.39, -5.98),
            _c("Zaragoza", 41.65, -0.89),
            _c("Málaga", 36.72, -4.42),
            _c("Bilbao", 43.26, -2.93),
            _c("Murcia", 37.99, -1.13),
            _c("Palma de Mallorca", 39.57, 2.65, "Mallorca"),
            _c("Ibiza", 38.91, 1.43),
            _c("Tenerife", 28.29, -16.63),
            _c("Las Palmas de Gran Canaria", 28.12, -15.43, "Las Palmas"),
            _c("Alicante", 38.35, -0.48),
            _c("Córdoba", 37.89, -4.78),
            _c("Valladolid", 41.65, -4.72),
            _c("Vigo", 42.24, -8.72),
            _c("Gijón", 43.53, -5.66),
            _c("Granada", 37.18, -3.60),
            _c("A Coruña", 43.36, -8.41, "La Coruña"),
            _c("Oviedo", 43.36, -5.85),
            _c("Santander", 43.46, -3.81),
            _c("Pamplona", 42.81, -1.64),
            _c("San Sebastián", 43.32, -1.98, "Donostia"),
            _c("Salamanca", 40.97, -5.66),
            _c("Tarragona", 41.12, 1.25),
            _c("Cádiz", 36.53, -6.29),
            _c("Santa Cruz de Tenerife", 28.47, -16.25),
            _c("León", 42.60, -5.57),
            _c("Mérida", 38.92, -6.34),
            _c("Jerez de la Frontera", 36.69, -6.14, "Jerez"),
            _c("Zamora", 41.50, -5.75),
            _c("Santiago de Compostela", 42.88, -8.54),
            _c("Girona", 41.98, 2.82),
            _c("Almería", 36.84, -2.46),
            _c("Burgos", 42.34, -3.70),
            _c("Albacete", 38.99, -1.86),
        ),
    ),
    _Country(
        "CO",
        ("Colombia",),
        ("Antioquia", "Cundinamarca", "Valle del Cauca"),
        (
            _c("Bogotá", 4.71, -74.07, "Bogotá D.C."),
            _c("Medellín", 6.24, -75.58),
            _c("Cali", 3.45, -76.53),
            _c("Barranquilla", 10.96, -74.80),
            _c("Cartagena", 10.39, -75.48, "Cartagena de Indias"),
            _c("Bucaramanga", 7.12, -73.12),
            _c("Cúcuta", 7.89, -72.51),
            _c("Pereira", 4.81, -75.69),
            _c("Santa Marta", 11.24, -74.20),
            _c("Manizales", 5.07, -75.52),
            _c("Ibagué", 4.44, -75.23),
            _c("Villavicencio", 4.14, -73.63),
            _c("Montería", 8.75, -75.88),
        ),
    ),
    _Country(
        "US",
        ("Estados Unidos", "USA", "U.S.A.", "EE.UU.", "EEUU", "EUA", "E.U.A.", "United States",
         "United States of America", "Estados Unidos de América"),
        ("Texas", "California", "Florida", "Arizona", "Nevada", "Illinois", "New Mexico",
         "Nuevo México", "New Jersey", "Nueva Jersey", "Georgia", "Washington", "Oregon", "Utah",
         "North Carolina", "Carolina del Norte", "Tx", "Ca", "Fl", "NY", "Az", "NJ", "Il"),
        (
            _c("Los Angeles", 34.05, -118.24, "Los Ángeles"),
            _c("Houston", 29.76, -95.37),
            _c("Chicago", 41.88, -87.63),
            _c("New York", 40.71, -74.01, "Nueva York", "NYC", "New York City"),
            _c("Miami", 25.76, -80.19),
            _c("Dallas", 32.78, -96.80),
            _c("San Antonio", 29.42, -98.49),
            _c("Phoenix", 33.45, -112.07),
            _c("San Diego", 32.72, -117.16),
            _c("El Paso", 31.76, -106.49),
            _c("San Francisco", 37.77, -122.42),
            _c("Austin", 30.27, -97.74),
            _c("Las Vegas", 36.17, -115.14),
            _c("Denver", 39.74, -104.99),
            _c("Atlanta", 33.75, -84.39),
            _c("Seattle", 47.61, -122.33),
            _c("Orlando", 28.54, -81.38),
            _c("Tucson", 32.22, -110.97),
            _c("Fort Worth", 32.76, -97.33),
            _c("Sacramento", 38.58, -121.49),
            _c("Fresno", 36.74, -119.79),
            _c("Laredo", 27.51, -99.51),
            _c("McAllen", 26.20, -98.23),
            _c("Brownsville", 25.90, -97.50),
            _c("Yuma", 32.69, -114.63),
            _c("Calexico", 32.68, -115.50),
            _c("Albuquerque", 35.08, -106.65),
            _c("Washington D.C.", 38.91, -77.04),
            _c("Boston", 42.36, -71.06),
            _c("Anaheim", 33.84, -117.91),
            _c("Long Beach", 33.77, -118.19),
            _c("Riverside", 33.95, -117.40),
            _c("Bronx", 40.84, -73.87),
            _c("Brooklyn", 40.68, -73.94),
            _c("Manhattan", 40.78, -73.97),
        ),
    ),
    _Country(
        "CL",
        ("Chile",),
        ("Región Metropolitana",),
        (
            _c("Santiago", -33.45, -70.67, "Santiago de Chile"),
            _c("Valparaíso", -33.05, -71.62),
            _c("Viña del Mar", -33.02, -71.55),
            _c("Concepción", -36.83, -73.05),
            _c("Antofagasta", -23.65, -70.40),
            _c("Temuco", -38.74, -72.60),
            _c("La Serena", -29.90, -71.25),
            _c("Rancagua", -34.17, -70.74),
            _c("Talca", -35.43, -71.66),
            _c("Arica", -18.48, -70.31),
            _c("Iquique", -20.21, -70.15),
            _c("Puerto Montt", -41.47, -72.94),
            _c("Punta Arenas", -53.16, -70.91),
        ),
    ),
    _Country(
        "PE",
        ("Perú",),
        (),
        (
            _c("Lima", -12.05, -77.04),
            _c("Arequipa", -16.41, -71.54),
            _c("Trujillo", -8.11, -79.03),
            _c("Chiclayo", -6.77, -79.84),
            _c("Piura", -5.19, -80.63),
            _c("Cusco", -13.53, -71.97, "Cuzco"),
            _c("Iquitos", -3.75, -73.25),
            _c("Huancayo", -12.07, -75.21),
            _c("Callao", -12.06, -77.12),
            _c("Tacna", -18.01, -70.25),
        ),
    ),
    _Country(
        "VE",
        ("Venezuela",),
        ("Zulia", "Carabobo", "Anzoátegui"),
        (
            _c("Caracas", 10.48, -66.90),
            _c("Maracaibo", 10.65, -71.64),
            _c("Valencia", 10.16, -68.01),
            _c("Barquisimeto", 10.07, -69.32),
            _c("Maracay", 10.25, -67.60),
            _c("Ciudad Guayana", 8.30, -62.72, "Puerto Ordaz"),
            _c("Mérida", 8.59, -71.14),
            _c("Maturín", 9.75, -63.18),
            _c("Puerto La Cruz", 10.21, -64.63),
            _c("San Cristóbal", 7.77, -72.23),
            _c("Cumaná", 10.46, -64.17),
        ),
    ),
    _Country(
        "EC",
        ("Ecuador",),
        (),
        (
            _c("Quito", -0.18, -78.47),
            _c("Guayaquil", -2.19, -79.89),
            _c("Cuenca", -2.90, -79.00),
            _c("Ambato", -1.24, -78.63),
            _c("Machala", -3.26, -79.96),
            _c("Loja", -4.00, -79.20),
            _c("Portoviejo", -1.05, -80.45),
        ),
    ),
    _Country(
        "UY",
        ("Uruguay",),
        (),
        (
            _c("Montevideo", -34.90, -56.16),
            _c("Punta del Este", -34.96, -54.95),
            _c("Paysandú", -32.32, -58.08),
        ),
    ),
    _Country(
        "PY",
        ("Paraguay",),
        (),
        (
            _c("Asunción", -25.26, -57.58),
            _c("Ciudad del Este", -25.51, -54.61),
            _c("Encarnación", -27.33, -55.87),
            _c("Concepción", -23.41, -57.43),
        ),
    ),
    _Country(
        "BO",
        ("Bolivia",),
        (),
        (
            _c("La Paz", -16.50, -68.15),
            _c("Santa Cruz de la Sierra", -17.78, -63.18, "Santa Cruz"),
            _c("Cochabamba", -17.39, -66.16),
            _c("Sucre", -19.05, -65.26),
            _c("Oruro", -17.97, -67.11),
            _c("Potosí", -19.58, -65.75),
            _c("Tarija", -21.53, -64.73),
        ),
    ),
    _Country(
        "GT",
        ("Guatemala", "Guate"),
        ("Petén",),
        (
            _c("Ciudad de Guatemala", 14.63, -90.51),
            _c("Quetzaltenango", 14.83, -91.52, "Xela"),
            _c("Mixco", 14.63, -90.61),
            _c("Antigua Guatemala", 14.56, -90.73),
            _c("Escuintla", 14.30, -90.79),
            _c("Cobán", 15.47, -90.37),
            _c("Huehuetenango", 15.32, -91.47),
            _c("Chiquimula", 14.80, -89.54),
        ),
    ),
    _Country(
        "HN",
        ("Honduras",),
        (),
        (
            _c("Tegucigalpa", 14.07, -87.19, "Tegus"),
            _c("San Pedro Sula", 15.50, -88.03, "SPS"),
            _c("La Ceiba", 15.76, -86.78),
            _c("Choloma", 15.61, -87.95),
            _c("Comayagua", 14.45, -87.64),
            _c("Choluteca", 13.30, -87.19),
            _c("Roatán", 16.32, -86.54),
        ),
    ),
    _Country(
        "SV",
        ("El Salvador",),
        (),
        (
            _c("San Salvador", 13.69, -89.22),
            _c("Santa Ana", 13.99, -89.56),
            _c("San Miguel", 13.48, -88.18),
            _c("Soyapango", 13.71, -89.15),
            _c("Santa Tecla", 13.67, -89.29),
            _c("Mejicanos", 13.74, -89.21),
            _c("Apopa", 13.81, -89.18),
        ),
    ),
    _Country(
        "NI",
        ("Nicaragua",),
        (),
        (
            _c("Managua", 12.13, -86.25),
            _c("León", 12.44, -86.88),
            _c("Masaya", 11.97, -86.09),
            _c("Granada", 11.93, -85.96),
            _c("Matagalpa", 12.93, -85.92),
            _c("Chinandega", 12.63, -87.13),
            _c("Estelí", 13.09, -86.35),
        ),
    ),
    _Country(
        "CR",
        ("Costa Rica",),
        ("Guanacaste",),
        (
            _c("San José", 9.93, -84.08),
            _c("Alajuela", 10.02, -84.21),
            _c("Heredia", 10.00, -84.12),
            _c("Cartago", 9.86, -83.92),
            _c("Puntarenas", 9.98, -84.84),
            _c("Tibás", 9.96, -84.08),
            _c("Escazú", 9.92, -84.14),
        ),
    ),
    _Country(
        "PA",
        ("Panamá",),
        (),
        (
            _c("Ciudad de Panamá", 8.98, -79.52, "Panama City"),
            _c("San Miguelito", 9.03, -79.50),
        ),
    ),
    _Country(
        "CU",
        ("Cuba",),
        (),
        (
            _c("La Habana", 23.11, -82.37, "Habana", "Havana"),
            _c("Santiago de Cuba", 20.02, -75.82),
            _c("Camagüey", 21.38, -77.92),
            _c("Holguín", 20.89, -76.26),
            _c("Cienfuegos", 22.15, -80.44),
            _c("Pinar del Río", 22.42, -83.70),
            _c("Matanzas", 23.04, -81.58),
        ),
    ),
    _Country(
        "DO",
        ("República Dominicana", "Rep. Dominicana", "Dominican Republic"),
        (),
        (
            _c("Santo Domingo", 18.49, -69.93),
            _c("Santiago de los Caballeros", 19.45, -70.69),
            _c("Punta Cana", 18.58, -68.40),
            _c("La Romana", 18.43, -68.97),
            _c("Puerto Plata", 19.79, -70.69),
            _c("San Pedro de Macorís", 18.46, -69.31),
        ),
    ),
    _Country(
        "PR",
        ("Puerto Rico",),
        (),
        (
            _c("San Juan", 18.47, -66.11),
            _c("Bayamón", 18.40, -66.16),
            _c("Ponce", 18.01, -66.61),
            _c("Caguas", 18.23, -66.04),
            _c("Mayagüez", 18.20, -67.14),
        ),
    ),
    _Country(
        "CA",
        ("Canadá",),
        ("Ontario", "Quebec", "British Columbia"),
        (
            _c("Toronto", 43.65, -79.38),
            _c("Montreal", 45.50, -73.57),
            _c("Vancouver", 49.28, -123.12),
            _c("Ottawa", 45.42, -75.70),
            _c("Calgary", 51.05, -114.07),
            _c("Edmonton", 53.55, -113.49),
            _c("Winnipeg", 49.90, -97.14),
        ),
    ),
    _Country("BR", ("Brasil", "Brazil"), (), (
        _c("São Paulo", -23.55, -46.63, "Sao Paulo"), _c("Río de Janeiro", -22.91, -43.17))),
    _Country("GB", ("Reino Unido", "United Kingdom", "UK", "Inglaterra", "England"), ("Escocia", "Scotland"),
             (_c("Londres", 51.51, -0.13, "London"),)),
    _Country("FR", ("Francia", "France"), (), (_c("París", 48.86, 2.35),)),
    _Country("IT", ("Italia", "Italy"), (), (_c("Milán", 45.46, 9.19, "Milano"),)),
    _Country("DE", ("Alemania", "Germany", "Deutschland"), (), (_c("Berlín", 52.52, 13.40),)),
    _Country("PT", ("Portugal",), (), (_c("Lisboa", 38.72, -9.14, "Lisbon"),)),
    _Country("JP", ("Japón", "Japan"), (), (_c("Tokio", 35.68, 139.69, "Tokyo"),)),
    _Country("KR", ("Corea del Sur", "South Korea", "Korea"), (), (_c("Seúl", 37.57, 126.98, "Seoul"),)),
    _Country("RO", ("Rumania", "Rumanía", "Romania"), (), (_c("Bucarest", 44.43, 26.10),)),
)

# Names that belong to several places: the readings in order of likelihood, and the
# confidence of the first reading when nothing else in the text decides.
_AMBIGUOUS: dict[str, tuple[tuple[tuple[str, str], ...], float]] = {
    "Córdoba": ((("AR", ""), ("ES", ""), ("MX", "VER")), 0.4),
    "León": ((("MX", "GUA"), ("ES", ""), ("NI", "")), 0.6),
    "Mérida": ((("MX", "YUC"), ("ES", ""), ("VE", "")), 0.6),
    "Valencia": ((("ES", ""), ("VE", "")), 0.4),
    "Santiago": ((("CL", ""), ("MX", "QUE"), ("DO", ""), ("ES", "")), 0.4),
    "San José": ((("CR", ""), ("US", "")), 0.5),
    "Durango": ((("MX", "DUR"), ("ES", ""), ("US", "")), 0.7),
    "Guadalupe": ((("MX", "NLE"), ("MX", "ZAC")), 0.4),
    "Victoria": ((("MX", "TAM"), ("MX", "DUR"), ("CA", "")), 0.4),
    "Juárez": ((("MX", "CHH"), ("MX", "NLE")), 0.5),
    "Cuauhtémoc": ((("MX", "CMX"), ("MX", "CHH")), 0.6),
    "La Paz": ((("MX", "BCS"), ("BO", ""), ("SV", "")), 0.4),
    "San Luis": ((("MX", "SLP"), ("AR", "")), 0.5),
    "Potosí": ((("MX", "SLP"), ("BO", "")), 0.4),
    "Santa Cruz": ((("BO", ""), ("AR", ""), ("US", "")), 0.4),
    "San Juan": ((("PR", ""), ("AR", "")), 0.4),
    "Santa Fe": ((("AR", ""), ("MX", "CMX"), ("US", "")), 0.5),
    "Zamora": ((("MX", "MIC"), ("ES", "")), 0.5),
    "Salamanca": ((("MX", "GUA"), ("ES", "")), 0.5),
    "Valladolid": ((("ES", ""), ("MX", "YUC")), 0.5),
    "Jerez": ((("ES", ""), ("MX", "ZAC")), 0.4),
    "Granada": ((("ES", ""), ("NI", "")), 0.5),
    "Cartagena": ((("CO", ""), ("ES", "")), 0.5),
    "Concepción": ((("CL", ""), ("PY", "")), 0.5),
    "Cuenca": ((("EC", ""), ("ES", "")), 0.4),
    "San Cristóbal": ((("VE", ""), ("MX", "CHP")), 0.4),
    "San Miguel": ((("SV", ""), ("MX", "GUA")), 0.4),
    "Santa Ana": ((("SV", ""), ("US", "")), 0.4),
}

_QUALIFIER, _CITY, _WEAK = 0, 1, 2  # kinds of alias, strongest first
_NAME_CONFIDENCE = 0.9  # a state's name, or anything confirmed by a second name
_COUNTRY_CONFIDENCE = 0.85
_CITY_CONFIDENCE = 0.8
_ABBREVIATION_CONFIDENCE = 0.75
_MERGED_CONFIDENCE = 0.4  # a name registered for two places and not listed in _AMBIGUOUS
_WEAK_ALONE_CONFIDENCE = 0.6
_WEAK_DECIDES_CONFIDENCE = 0.85
_PLACE_CONFIDENCE = 0.95
_CACHE_SIZE = 65_536
_MAX_CHARS = 200
_FLAG_PREFIX = "xxflag"

_FLAG_RE = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
_MARKS_RE = re.compile("[\u0300-\u036f]+")
_TOKEN_RE = re.compile("[a-z0-9]+")

_Place = tuple[str, str]  # (country code, state code); state "" for a whole country
_Decision = tuple[str, str, float]  # country code, state code, confidence


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: int
    candidates: tuple[_Place, ...]  # likeliest first
    confidence: float
    sure: bool  # one reading, and not a weak abbreviation


def _entry(kind: int, candidates: tuple[_Place, ...], confidence: float) -> _Entry:
    return _Entry(kind, candidates, confidence, len(candidates) == 1 and kind != _WEAK)


def _flag_token(match: re.Match[str]) -> str:
    letters = "".join(chr(ord(char) - 0x1F1E6 + ord("a")) for char in match.group())
    return f" {_FLAG_PREFIX}{letters} "


def _tokens(text: str) -> list[str]:
    """Fold case, accents and punctuation away; flag emoji become tokens."""
    if text.isascii():
        return _TOKEN_RE.findall(text.lower())
    if _FLAG_RE.search(text):
        text = _FLAG_RE.sub(_flag_token, text)
    return _TOKEN_RE.findall(_MARKS_RE.sub("", unicodedata.normalize("NFKD", text).lower()))


def _alias_keys(alias: str) -> set[str]:
    """The lookup keys of an alias: as written, with dots closed up, 'Ciudad' as 'Cd'."""
    keys = {" ".join(_tokens(alias))}
    if "." in alias:
        keys.add(" ".join(_tokens(alias.replace(".", ""))))
    for key in list(keys):
        if key.startswith("ciudad "):
            keys.add("cd " + key.removeprefix("ciudad "))
    keys.discard("")
    return keys


def _register(index: dict[str, _Entry], alias: str, *, kind: int, place: _Place, confidence: float) -> None:
    for key in _alias_keys(alias):
        current = index.get(key)
        if current is None:
            index[key] = _entry(kind, (place,), confidence)
        elif place in current.candidates:
            index[key] = _entry(min(kind, current.kind), current.candidates, max(confidence, current.confidence))
        else:
            index[key] = _entry(_CITY, (*current.candidates, place), _MERGED_CONFIDENCE)


def _register_city(index: dict[str, _Entry], city: _City, *, place: _Place) -> None:
    _register(index, city.name, kind=_CITY, place=place, confidence=_CITY_CONFIDENCE)
    for alias in city.aliases:
        _register(index, alias, kind=_CITY, place=place, confidence=_ABBREVIATION_CONFIDENCE)


def _register_states(index: dict[str, _Entry]) -> None:
    for state in _STATES:
        place = ("MX", state.code)
        for name in (state.name, *state.names):
            _register(index, name, kind=_QUALIFIER, place=place, confidence=_NAME_CONFIDENCE)
        for abbreviation in state.abbreviations:
            _register(index, abbreviation, kind=_QUALIFIER, place=place, confidence=_ABBREVIATION_CONFIDENCE)
        for weak in state.weak:
            _register(index, weak, kind=_WEAK, place=place, confidence=_WEAK_ALONE_CONFIDENCE)
        for city in _MX_CITIES[state.code]:
            _register_city(index, city, place=place)
    for name in (*_MX_NAMES, f"{_FLAG_PREFIX}mx"):
        _register(index, name, kind=_QUALIFIER, place=("MX", ""), confidence=_COUNTRY_CONFIDENCE)


def _register_foreign(index: dict[str, _Entry]) -> None:
    for country in _FOREIGN:
        place = (country.code, "")
        for name in (*country.names, *country.regions, _FLAG_PREFIX + country.code.lower()):
            _register(index, name, kind=_QUALIFIER, place=place, confidence=_COUNTRY_CONFIDENCE)
        for city in country.cities:
            _register_city(index, city, place=place)


def _build_index() -> tuple[dict[str, _Entry], dict[str, int]]:
    """The alias dictionary, and for each first token the longest alias it starts."""
    index: dict[str, _Entry] = {}
    _register_states(index)
    _register_foreign(index)
    for alias, (candidates, confidence) in _AMBIGUOUS.items():
        for key in _alias_keys(alias):
            index[key] = _entry(_CITY, candidates, confidence)
    longest: dict[str, int] = {}
    for key in index:
        words = key.split(" ")
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return index, longest


_INDEX, _LONGEST = _build_index()


def _scan(tokens: list[str]) -> list[_Entry]:
    """Gazetteer entries found in the tokens, left to right, longest alias first."""
    found: list[_Entry] = []
    position, count = 0, len(tokens)
    while position < count:
        size = min(_LONGEST.get(tokens[position], 0), count - position)
        while size:
            key = " ".join(tokens[position:position + size]) if size > 1 else tokens[position]
            entry = _INDEX.get(key)
            if entry is not None:
                found.append(entry)
                break
            size -= 1
        position += size or 1
    return found


def _fitting_states(entry: _Entry, *, country: str, state: str) -> set[str] | None:
    """States of the entry's readings that fit (country, state); None when none fits."""
    fitting: set[str] | None = None
    for candidate_country, candidate_state in entry.candidates:
        if candidate_country == country and (not state or not candidate_state or candidate_state == state):
            fitting = fitting if fitting is not None else set()
            if candidate_state:
                fitting.add(candidate_state)
    return fitting


def _anchored(anchor_at: int, entries: list[_Entry]) -> _Decision:
    """Start from one sure entry; the others confirm it or make it more specific."""
    anchor = entries[anchor_at]
    country, state = anchor.candidates[0]
    agreeing = False
    for position, entry in enumerate(entries):
        if position == anchor_at:
            continue
        if entry.kind == _WEAK:  # a common word: it may confirm a state, never choose one
            agreeing = agreeing or (state != "" and entry.candidates[0] == (country, state))
            continue
        states = _fitting_states(entry, country=country, state=state)
        if states is None:
            continue
        agreeing = True
        if not state and len(states) == 1:
            state = states.pop()
    confidence = max(anchor.confidence, _NAME_CONFIDENCE) if agreeing else anchor.confidence
    return country, state, confidence


def _unanchored(entries: list[_Entry], *, token_count: int) -> _Decision | None:
    """Only ambiguous names and weak abbreviations: let a weak one pick, else the likeliest."""
    weak = {entry.candidates[0] for entry in entries if entry.kind == _WEAK}
    named = [entry for entry in entries if entry.kind != _WEAK]
    if not named:
        if token_count == 1 and len(entries) == 1:
            country, state = entries[0].candidates[0]
            return country, state, _WEAK_ALONE_CONFIDENCE
        return None
    for candidate in named[0].candidates:
        if candidate in weak:
            return candidate[0], candidate[1], _WEAK_DECIDES_CONFIDENCE
    country, state = named[0].candidates[0]
    return country, state, named[0].confidence


def _decide(entries: list[_Entry], *, token_count: int) -> _Decision | None:
    """A named state or country wins over a city; a sure name wins over an ambiguous one."""
    anchor_at = -1
    for position, entry in enumerate(entries):
        if entry.sure:
            if entry.kind == _QUALIFIER:
                anchor_at = position
                break
            if anchor_at < 0:
                anchor_at = position
    if anchor_at >= 0:
        if len(entries) == 1:
            return (*entries[0].candidates[0], entries[0].confidence)
        return _anchored(anchor_at, entries)
    if not entries:
        return None
    return _unanchored(entries, token_count=token_count)


def _text_decide(text: str, *, country_hint: str = "") -> _Decision | None:
    if not isinstance(text, str) or not text:
        return None
    tokens = _tokens(text[:_MAX_CHARS])
    entries = _scan(tokens)
    if country_hint:
        entries.insert(0, _entry(_QUALIFIER, ((country_hint, ""),), _COUNTRY_CONFIDENCE))
    return _decide(entries, token_count=len(tokens))


@lru_cache(maxsize=_CACHE_SIZE)
def location_resolve(text: str) -> Attribution:
    """Resolve a free-text location (profile location or place name). evidence='profile'.

    "CDMX", "Iztapalapa, CDMX", "Monterrey, N.L." → the state; "Buenos Aires" →
    country AR, no state; "México" alone → country MX, no state; "la luna" →
    nothing (Attribution('', '', 0.0, '')). Cached on the raw string.
    """
    decided = _text_decide(text)
    if decided is None:
        return _NOTHING
    country, state, confidence = decided
    return Attribution(state, country, confidence, "profile")


# Coordinates ---------------------------------------------------------------------------

_KM_PER_DEGREE = 111.2
_NEAR_KM = 75.0
_FAR_KM = 150.0
_NOT_MEXICO_CONFIDENCE = 0.9
_MEXICO_BOX = (14.3, 32.8, -118.5, -86.5)  # south, north, west, east
_CELL_DEGREES = 0.5

_Point = tuple[float, float, str, str]  # latitude, longitude, country code, state code
_Cell = tuple[float, tuple[tuple[float, _Point], ...]]  # longitude scale, points by distance


def _points() -> Iterable[_Point]:
    for code, cities in _MX_CITIES.items():
        for city in cities:
            yield city.lat, city.lon, "MX", code
    for country in _FOREIGN:
        for city in country.cities:
            yield city.lat, city.lon, country.code, ""


_POINTS: tuple[_Point, ...] = tuple(_points())


@lru_cache(maxsize=_CACHE_SIZE)
def _cell(row: int, column: int) -> _Cell:
    """Points that may be nearest for some spot of this cell, sorted by distance to its centre."""
    centre_lat, centre_lon = (row + 0.5) * _CELL_DEGREES, (column + 0.5) * _CELL_DEGREES
    scale = max(math.cos(math.radians(centre_lat)), 0.05)
    reach = _FAR_KM / _KM_PER_DEGREE + _CELL_DEGREES  # in degrees of latitude
    near = []
    for point in _POINTS:
        distance = math.hypot(point[0] - centre_lat, (point[1] - centre_lon) * scale)
        if distance <= reach:
            near.append((distance, point))
    near.sort(key=lambda item: item[0])
    return scale, tuple(near)


def _nearest(latitude: float, longitude: float) -> tuple[_Point, float] | None:
    """The closest gazetteer point within _FAR_KM, with its distance in km."""
    scale, near = _cell(math.floor(latitude / _CELL_DEGREES), math.floor(longitude / _CELL_DEGREES))
    slack = _CELL_DEGREES  # bounds the distance from any spot of the cell to its centre
    best: _Point | None = None
    best_distance = _FAR_KM / _KM_PER_DEGREE
    for to_centre, point in near:
        if to_centre - slack > best_distance:
            break
        distance = math.hypot(point[0] - latitude, (point[1] - longitude) * scale)
        if distance <= best_distance:
            best, best_distance = point, distance
    return None if best is None else (best, best_distance * _KM_PER_DEGREE)


def _in_mexico_box(latitude: float, longitude: float) -> bool:
    south, north, west, east = _MEXICO_BOX
    return south <= latitude <= north and west <= longitude <= east


def _distance_confidence(distance: float) -> float:
    """0.9 on a gazetteer city, 0.7 at _NEAR_KM, then 0.5 falling to 0.3 at _FAR_KM."""
    if distance <= _NEAR_KM:
        return round(0.9 - 0.2 * distance / _NEAR_KM, 3)
    return round(0.5 - 0.2 * (distance - _NEAR_KM) / (_FAR_KM - _NEAR_KM), 3)


@lru_cache(maxsize=_CACHE_SIZE)
def _coordinates_cached(latitude: float, longitude: float) -> Attribution:
    inside = _in_mexico_box(latitude, longitude)
    found = _nearest(latitude, longitude)
    if found is not None:
        (_, _, country, state), distance = found
        if country != "MX" or inside:
            return Attribution(state, country, _distance_confidence(distance), "coordinates")
    if inside:
        return _NOTHING
    return Attribution("", "", _NOT_MEXICO_CONFIDENCE, "coordinates")


def coordinates_resolve(*, latitude: float, longitude: float) -> Attribution:
    """Nearest gazetteer city within a radius → its state; outside Mexico's box → not Mexico.

    Within 75 km of a city the confidence goes from 0.9 down to 0.7, up to 150 km
    from 0.5 down to 0.3. A point outside Mexico's rough bounding box is never a
    Mexican state: the nearby foreign city's country if there is one, else
    state and country "" with the confidence that it is not Mexico. A point in
    the box but far from every city, or invalid coordinates, give nothing.
    """
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return _NOTHING
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return _NOTHING  # also rejects NaN
    if latitude == 0.0 and longitude == 0.0:
        return _NOTHING
    return _coordinates_cached(round(latitude, 3), round(longitude, 3))


# Combining evidence --------------------------------------------------------------------


@lru_cache(maxsize=_CACHE_SIZE)
def _place_resolve(name: str, country_code: str) -> Attribution:
    """A tagged place: its country code is authoritative, its name gives the state."""
    if country_code and country_code != "MX":
        return Attribution("", country_code, _PLACE_CONFIDENCE, "place")
    decided = _text_decide(name, country_hint=country_code)
    if decided is None:
        return Attribution("", "MX", _NAME_CONFIDENCE, "place") if country_code else _NOTHING
    country, state, confidence = decided
    sure = confidence >= _ABBREVIATION_CONFIDENCE
    return Attribution(state, country, _PLACE_CONFIDENCE if sure else confidence + 0.1, "place")


def _sharpen(base: Attribution, others: tuple[Attribution, ...]) -> Attribution:
    """Base knows only 'Mexico' or only 'not Mexico': take detail from weaker evidence that fits."""
    for other in others:
        if base.country_code == "MX" and other.country_code == "MX" and other.state:
            return other
        if not base.country_code and other.country_code not in ("", "MX"):
            return other
    return base


def location_attribute(
    *,
    place_name: str = "",
    place_country_code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    profile_location: str = "",
) -> Attribution:
    """Best evidence first: a tagged place, then coordinates, then the profile location.

    A place naming a state or city gives that state (confidence ~0.95); a place
    whose country code is not MX is foreign with that code. Evidence that only
    says "Mexico" (or only "not Mexico") is made more specific by weaker evidence
    that agrees with it. Returns Attribution('', '', 0.0, '') when nothing is known.
    """
    place = _NOTHING
    if place_name or place_country_code:
        place = _place_resolve((place_name or "").strip(), (place_country_code or "").strip().upper())
    coordinates = _NOTHING
    if latitude is not None and longitude is not None:
        coordinates = coordinates_resolve(latitude=latitude, longitude=longitude)
    profile = location_resolve(profile_location) if profile_location else _NOTHING
    ranked = (place, coordinates, profile)
    for rank, evidence in enumerate(ranked):
        if not evidence.evidence:
            continue
        if evidence.state or evidence.country_code not in ("", "MX"):
            return evidence
        return _sharpen(evidence, ranked[rank + 1:])
    return _NOTHING
