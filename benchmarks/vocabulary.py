"""Word lists the synthetic post generator draws from: sentences, names, locations, places.

Everything here is invented for benchmarks. The everyday sentences contain no
dictionary term, so whether a post matches depends only on the term the
generator writes into it; the decoys contain a term *inside* a longer word
("cómputo", "disputa"), which a correct matcher must not report. The ingestion
benchmark prints the share the matcher found next to the share intended, which
catches a sentence that breaks this.

Weights are relative; they describe who posts, not who lives where.
"""
from __future__ import annotations

# Everyday posts: what most of a search for common words brings back.
SENTENCES: tuple[str, ...] = (
    "Buenos días, ya voy tarde otra vez",
    "el tráfico en Periférico está imposible hoy",
    "alguien sabe si ya abrió la Línea 12?",
    "nada como unos tacos al pastor después del trabajo",
    "hoy sí se gana, vamos con todo",
    "qué calor hace, ya no aguanto",
    "llueve y no traje paraguas, clásico",
    "me quedé dormida en el camión y me pasé tres paradas",
    "la mañanera de hoy estuvo larguísima",
    "ya salió la convocatoria de becas, chéquenla",
    "no manches, se me olvidó la junta de las diez",
    "mi perro se comió mis audífonos nuevos",
    "les comparto el hilo completo",
    "qué buena rola, la traigo en la cabeza todo el día",
    "el súper estaba lleno, parecía quincena",
    "por fin viernes, a descansar",
    "ese partido estuvo de infarto",
    "ya regresé de vacaciones y no quiero trabajar",
    "hoy toca mercado sobre ruedas",
    "recomiéndenme una serie para el fin",
    "se fue la luz en toda la colonia",
    "otra vez subió la gasolina",
    "el metrobús venía hasta la madre",
    "feliz cumpleaños a mi mamá, la mejor del mundo",
    "hay que votar informados, lean las propuestas",
    "qué frío en la mañana y qué calor en la tarde",
    "estoy haciendo fila para el trámite desde las siete",
    "ya quiero que sea diciembre",
    "el café de la oficina sabe a tierra",
    "hoy corrí cinco kilómetros, récord personal",
    "ni modo, a seguirle",
    "la neta no entiendo por qué cancelaron el concierto",
    "me encantó la exposición del museo",
    "mañana hay examen y no he estudiado nada",
    "tremendo bache en la avenida, cuidado",
    "alguien vio el eclipse?",
    "qué rico huele el pan recién hecho",
    "mi abuelita hizo mole y ya me invitaron",
    "se acabó el agua en la unidad otra vez",
    "gracias a todos por sus mensajes",
    "qué onda con el internet hoy, no carga nada",
    "llegué temprano y todavía no abren",
    "hay ofertas en la tienda de la esquina",
    "esta semana se me hizo eterna",
    "ya casi terminan las obras del puente",
    "el profe nos dejó tarea para el puente",
    "vamos por unas chelas al rato",
    "cuídense mucho, hay muchos enfermos de gripa",
    "qué bonito atardecer desde la azotea",
    "no puedo creer lo que pasó en el último minuto",
    "me robaron el celular en el micro",
    "a quién le toca pagar la renta este mes?",
    "ya me vacuné, sin fila",
    "la fila del banco le da la vuelta a la cuadra",
    "hoy es día de tianguis",
    "qué gusto ver a la familia completa",
    "están regalando árboles en el parque",
    "la final se juega el domingo a las ocho",
    "les dejo el enlace a la nota",
    "opinen, qué prefieren: chilaquiles verdes o rojos?",
)

# Frames a dictionary term is written into; {t} is the term as the author wrote it.
TERM_FRAMES: tuple[str, ...] = (
    "ya cállate {t}",
    "qué {t} eres neta",
    "el de atrás en la fila es bien {t}",
    "no seas {t} y contesta",
    "le gritaron {t} en pleno partido y nadie hizo nada",
    "típico de {t}",
    "{t} 🤡",
    "mi tía dice que eso es de {t}",
    "dejen de decirle {t} a la gente",
    "otra vez con lo de {t}, qué flojera",
    "ese wey siempre anda de {t}",
    "por qué todo mundo dice {t} como si fuera chiste?",
    "me dijeron {t} en el trabajo y ya lo reporté",
    "pura gente {t} en los comentarios",
    "{t} {t} {t}",
    "jajaja {t}",
)

# Words with a dictionary term inside them: must not be reported as matches.
DECOYS: tuple[str, ...] = (
    "el cómputo de votos sigue", "otra disputa por el agua", "me cayó una chachalaca en el patio",
    "la reputación de esa tienda", "se rompió la computadora", "fuimos a la pinacoteca",
    "el imputado ya declaró",
)

# Accented and otherwise "as written" forms of folded dictionary words.
ACCENTED: dict[str, str] = {
    "maricon": "maricón", "judio": "judío", "santurron": "santurrón", "jehova": "Jehová",
    "testiculos": "testículos", "nino": "niño", "guerito": "güerito", "punal": "puñal",
}

HASHTAGS: tuple[str, ...] = (
    "CDMX", "LigaMX", "Monterrey", "Mañanera", "FelizLunes", "MetroCDMX", "Clima", "Viernes",
    "NoEsNormal", "Tacos", "FutbolMexicano", "Guadalajara", "Tendencia", "Quincena", "Lluvia",
    "Elecciones", "México", "Sismo", "TodosSomosMéxico", "Chivas", "Rayados", "América",
)

EMOJI: tuple[str, ...] = (
    "😂", "🤣", "🙄", "😡", "❤️", "🔥", "🙏", "💀", "👀", "😭", "🤡", "🇲🇽", "✨", "💯", "😤",
    "🤦‍♀️", "🌮", "⚽", "🙌", "😍",
)

URL_DOMAINS: tuple[str, ...] = (
    "www.eluniversal.com.mx", "www.milenio.com", "www.jornada.com.mx", "www.youtube.com",
    "www.infobae.com", "open.spotify.com", "www.excelsior.com.mx", "www.tiktok.com",
)

FIRST_NAMES: tuple[str, ...] = (
    "Lupita", "Beto", "Ximena", "Memo", "Caro", "Ana", "José", "María", "Juan", "Fer", "Dani",
    "Sofía", "Diego", "Valeria", "Luis", "Andrea", "Carlos", "Mariana", "Jorge", "Paola", "Alex",
    "Itzel", "Emiliano", "Regina", "Iván", "Karla", "Rodrigo", "Citlali", "Óscar", "Renata",
    "Pepe", "Chuy", "Lalo", "Nayeli", "Arturo", "Fátima", "Héctor", "Brenda", "Raúl", "Yessica",
)

LAST_NAMES: tuple[str, ...] = (
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
    "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres",
    "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero",
    "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez", "Domínguez", "Herrera", "Medina", "Castro",
)

# Profile locations as people write them. About 30% leave it empty.
LOCATIONS: tuple[tuple[str, int], ...] = (
    ("", 300),
    # Mexico: states, cities, abbreviations and nicknames.
    ("CDMX", 60), ("Ciudad de México", 30), ("México", 40), ("Mexico City", 6), ("DF", 6),
    ("Iztapalapa, CDMX", 4), ("Coyoacán", 3), ("Monterrey, N.L.", 20), ("Monterrey", 15),
    ("Mty", 4), ("San Nicolás, NL", 2), ("GDL", 8), ("Guadalajara, Jalisco", 20), ("Zapopan, Jal.", 5),
    ("Edomex", 10), ("Estado de México", 8), ("Ecatepec", 5), ("Naucalpan, Edo. Méx.", 3),
    ("Nezahualcóyotl", 2), ("Toluca", 4), ("Mérida, Yucatán", 8), ("Puebla, Pue.", 8), ("Puebla", 6),
    ("Querétaro", 8), ("Qro", 2), ("Tijuana", 6), ("TJ", 1), ("Mexicali, B.C.", 2),
    ("León, Gto.", 5), ("León", 2), ("Cancún", 5), ("Cancún, Q. Roo", 3), ("San Luis Potosí", 3),
    ("Aguascalientes", 3), ("Chihuahua", 3), ("Cd. Juárez", 3), ("Hermosillo, Sonora", 3),
    ("Culiacán, Sinaloa", 3), ("Mazatlán", 2), ("Oaxaca", 4), ("Veracruz", 4), ("Xalapa, Ver.", 3),
    ("Villahermosa, Tab.", 2), ("Tuxtla Gutiérrez", 2), ("Chiapas", 2), ("Morelia, Mich.", 3),
    ("Saltillo, Coah.", 3), ("Torreón", 3), ("Acapulco", 2), ("Pachuca, Hgo.", 2),
    ("Cuernavaca, Morelos", 3), ("Tlaxcala", 1), ("Zacatecas", 1), ("Durango", 1), ("Colima", 1),
    ("Tepic, Nayarit", 1), ("La Paz, BCS", 1), ("Campeche", 1), ("Reynosa, Tamps.", 2),
    ("Sinaloa", 2), ("Guerrero", 1), ("Soy de Monterrey pero vivo en CDMX", 1),
    # Abroad.
    ("Buenos Aires, Argentina", 4), ("Madrid, España", 4), ("Bogotá, Colombia", 3),
    ("Los Angeles, CA", 4), ("Houston, TX", 3), ("Chicago, IL", 2), ("Lima, Perú", 2),
    ("Santiago, Chile", 2), ("Caracas, Venezuela", 1), ("Guatemala", 1), ("Miami, FL", 2),
    ("Barcelona", 2), ("USA", 1), ("Texas", 2), ("Córdoba", 1),
    # Jokes and non-places.
    ("en tu corazón", 4), ("la luna", 3), ("donde hay tacos", 3), ("Hogwarts", 2), ("aquí nomás", 3),
    ("en mi casa", 3), ("planeta tierra 🌎", 2), ("🇲🇽", 4), ("ella/she", 2), ("siempre en la lucha ✊", 2),
    ("Wakanda", 1), ("el infierno 🔥", 1), ("Narnia", 1), ("por ahí", 2), ("Latinoamérica", 2),
)

# What people add after their location.
TAGLINES: tuple[str, ...] = (
    "ella/she", "él/he", "🏳️‍🌈", "fan del América", "Rayados ⚽", "amo a mis perros 🐶", "ingeniera",
    "opiniones propias", "mamá de 2", "estudiante UNAM", "Chivas de corazón", "cafeinómano ☕",
)

# Tagged places: (full name, name, type, country code, country, latitude, longitude, weight).
Place = tuple[str, str, str, str, str, float, float, int]
PLACES: tuple[Place, ...] = (
    ("Ciudad de México, México", "Ciudad de México", "city", "MX", "México", 19.43, -99.13, 30),
    ("Iztapalapa, Distrito Federal", "Iztapalapa", "city", "MX", "México", 19.36, -99.06, 6),
    ("Guadalajara, Jalisco", "Guadalajara", "city", "MX", "México", 20.67, -103.35, 12),
    ("Zapopan, Jalisco", "Zapopan", "city", "MX", "México", 20.72, -103.39, 4),
    ("Monterrey, Nuevo León", "Monterrey", "city", "MX", "México", 25.67, -100.31, 12),
    ("San Pedro Garza García, Nuevo León", "San Pedro Garza García", "city", "MX", "México", 25.66, -100.40, 3),
    ("Puebla, Puebla", "Puebla", "city", "MX", "México", 19.04, -98.21, 5),
    ("Mérida, Yucatán", "Mérida", "city", "MX", "México", 20.97, -89.62, 5),
    ("Tijuana, Baja California", "Tijuana", "city", "MX", "México", 32.51, -117.04, 4),
    ("León, Guanajuato", "León", "city", "MX", "México", 21.12, -101.68, 3),
    ("Querétaro, Querétaro", "Querétaro", "city", "MX", "México", 20.59, -100.39, 3),
    ("Benito Juárez, Quintana Roo", "Benito Juárez", "city", "MX", "México", 21.16, -86.85, 3),
    ("Toluca, México", "Toluca", "city", "MX", "México", 19.29, -99.66, 3),
    ("Ecatepec de Morelos, México", "Ecatepec de Morelos", "city", "MX", "México", 19.60, -99.05, 3),
    ("Oaxaca de Juárez, Oaxaca", "Oaxaca de Juárez", "city", "MX", "México", 17.07, -96.72, 2),
    ("Culiacán, Sinaloa", "Culiacán", "city", "MX", "México", 24.80, -107.39, 2),
    ("Hermosillo, Sonora", "Hermosillo", "city", "MX", "México", 29.07, -110.96, 2),
    ("Morelia, Michoacán de Ocampo", "Morelia", "city", "MX", "México", 19.70, -101.19, 2),
    ("México", "México", "country", "MX", "México", 23.63, -102.55, 4),
    ("Los Angeles, CA", "Los Angeles", "city", "US", "United States", 34.05, -118.24, 3),
    ("Houston, TX", "Houston", "city", "US", "United States", 29.76, -95.37, 2),
    ("Madrid, España", "Madrid", "city", "ES", "España", 40.42, -3.70, 2),
    ("Buenos Aires, Argentina", "Buenos Aires", "city", "AR", "Argentina", -34.60, -58.38, 2),
    ("Bogotá, D.C., Colombia", "Bogotá", "city", "CO", "Colombia", 4.71, -74.07, 1),
)
