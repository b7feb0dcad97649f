"""Turn what sources deliver into `TweetRecord`s.

One parser per shape: X API v2 response pages (and single v2 tweet objects), the
original project's 2020 JSON arrays and 2018 CSV files, and a generic CSV.
Each raises `RecordInvalid` with a message a user can act on, for a value of the
wrong type or shape as well as a missing one; every record built passes
`ingestion.validation.record_validate` (types, column lengths, NUL, dates).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from .entities import entities_from_text
from .records import RecordInvalid, TweetRecord
from .v2_plain import NotPlain, latest_date, v2_plain_parse
from .validation import record_validate, string_check


def text_check(text: Any) -> str:
    """The text of a record, if usable: present, within the length limit, without a NUL (PostgreSQL refuses one).

    The one check of a text, for posts from every source and for the classifier's labelled data sets.
    """
    if not isinstance(text, str) or not text.strip():
        raise RecordInvalid("falta el texto (campo vacío o ausente)")
    limit = settings.INGESTION["MAX_TEXT_CHARS"]
    if len(text) > limit:
        raise RecordInvalid(f"el texto tiene {len(text)} caracteres, más que el límite de {limit}")
    if "\x00" in text:
        raise RecordInvalid("el texto contiene un carácter nulo")
    return string_check(text, field="text")  # a lone surrogate cannot be stored nor hashed


def id_check(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RecordInvalid("falta el campo 'id'")
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise RecordInvalid(f"el campo 'id' no es texto ni número: {value!r:.60}")
    if isinstance(value, int) and not 0 <= value < 10**64:
        raise RecordInvalid("el campo 'id' no es un número válido")
    ident = str(value).strip()
    if len(ident) > 64:
        raise RecordInvalid("el campo 'id' tiene más de 64 caracteres")
    return string_check(ident, field="id")


def _text_of(value: Any, *, field: str) -> str:
    """An optional text field: "" when missing, its digits for a number; anything else is refused."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**64:
        return str(value)
    raise RecordInvalid(f"el campo '{field}' no es texto: {type(value).__name__}")


def _mapping(value: Any, *, field: str) -> Mapping[str, Any]:
    """An optional JSON object: {} when missing; another type is refused, not guessed at."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RecordInvalid(f"el campo '{field}' no es un objeto JSON")
    return value


def _items(value: Any, *, field: str) -> list[Any]:
    """An optional JSON array: [] when missing; another type is refused."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordInvalid(f"el campo '{field}' no es una lista")
    return value


def _clip(value: Any, limit: int, *, field: str = "") -> str:
    """A display field as text of at most `limit` characters ("" for a missing one)."""
    text = _text_of(value, field=field)
    return text if len(text) <= limit else text[:limit]


def datetime_parse(value: Any, *, field: str = "created_at") -> datetime | None:
    if value in (None, "", "NA"):
        return None
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value)  # the API's own form, fast
    except (TypeError, ValueError):
        try:
            parsed = parse_datetime(value.strip().replace("Z", "+00:00")) if isinstance(value, str) else None
        except ValueError:  # well formed, but not a date (month 13, hour 25, offset of a day)
            parsed = None
    if parsed is None:
        raise RecordInvalid(f"la fecha en '{field}' no se entiende: {value!r:.80}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def float_parse(value: Any) -> float | None:
    if value in (None, "", "NA"):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise RecordInvalid(f"coordenada no numérica: {value!r:.60}") from None


# --- X API v2 ----------------------------------------------------------------

def _entity_list(entities: Mapping[str, Any], kind: str, key: str) -> list[str]:
    items = _items(entities.get(kind), field=f"entities.{kind}")
    return [_text_of(item.get(key), field=f"entities.{kind}.{key}") for item in items if isinstance(item, dict)]


def _v2_full_text(tweet: Mapping[str, Any]) -> str:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and note.get("text"):
        return note["text"]  # type: ignore[no-any-return]  # posts longer than 280 characters; checked by text_check
    return tweet.get("text")  # type: ignore[return-value]


def _v2_place(tweet: Mapping[str, Any], places: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any]:
    geo = _mapping(tweet.get("geo"), field="geo")
    if isinstance(geo.get("place"), dict):  # flattened exports embed the place
        return geo["place"]  # type: ignore[no-any-return]
    return places.get(_text_of(geo.get("place_id"), field="geo.place_id"), {})


def _v2_coordinates(tweet: Mapping[str, Any]) -> tuple[float | None, float | None]:
    point = _mapping(tweet.get("geo"), field="geo").get("coordinates") or {}
    pair = point.get("coordinates") if isinstance(point, dict) else None
    if isinstance(pair, list) and len(pair) == 2:
        return float_parse(pair[1]), float_parse(pair[0])  # GeoJSON order is [lon, lat]
    return None, None


def v2_tweet_parse(
    tweet: Mapping[str, Any],
    *,
    users: Mapping[str, Mapping[str, Any]],
    places: Mapping[str, Mapping[str, Any]],
    referenced: Mapping[str, Mapping[str, Any]],
) -> TweetRecord:
    """One tweet object of an X API v2 response, with its page's expansions."""
    if not isinstance(tweet, dict):
        raise RecordInvalid("el elemento no es un objeto JSON")
    platform_id = id_check(tweet.get("id"))
    kinds = {
        _text_of(ref.get("type"), field="referenced_tweets.type"): _text_of(ref.get("id"), field="referenced_tweets.id")
        for ref in _items(tweet.get("referenced_tweets"), field="referenced_tweets")
        if isinstance(ref, dict)
    }
    original = referenced.get(kinds.get("retweeted", ""), {})
    body = original or tweet  # a retweet carries the original's full text and entities
    text = text_check(_v2_full_text(body) if original else _v2_full_text(tweet))
    author_id = _text_of(tweet.get("author_id"), field="author_id")
    author = _mapping(tweet.get("author"), field="author") or users.get(author_id, {})
    note = body.get("note_tweet")
    # A long post's entities cover its full text only in note_tweet.entities.
    entities = _mapping(
        (note.get("entities") if isinstance(note, dict) else None) or body.get("entities"), field="entities"
    )
    place = _v2_place(tweet, places)
    latitude, longitude = _v2_coordinates(tweet)
    hashtags, mentions, urls = entities_from_text(text) if not entities else (
        _entity_list(entities, "hashtags", "tag"),
        _entity_list(entities, "mentions", "username"),
        _entity_list(entities, "urls", "expanded_url"),
    )
    return record_validate(TweetRecord(
        platform_id=platform_id,
        text=text,
        created_at=datetime_parse(tweet.get("created_at")),
        lang=_text_of(tweet.get("lang"), field="lang"),
        author_id=author_id or _text_of(author.get("id"), field="author.id"),
        author_handle=_clip(author.get("username"), 64, field="author.username"),
        author_name=_clip(author.get("name"), 255, field="author.name"),
        author_location=_clip(author.get("location"), 255, field="author.location"),
        place_name=_clip(place.get("full_name"), 255, field="place.full_name"),
        place_country_code=_clip(place.get("country_code"), 2, field="place.country_code").upper(),
        latitude=latitude,
        longitude=longitude,
        is_retweet="retweeted" in kinds,
        is_quote="quoted" in kinds,
        is_reply="replied_to" in kinds or bool(tweet.get("in_reply_to_user_id")),
        hashtags=hashtags,
        mentions=mentions,
        urls=urls,
        metrics={
            k: v for k, v in _mapping(tweet.get("public_metrics"), field="public_metrics").items()
            if isinstance(v, int) and not isinstance(v, bool)
        },
    ))


def _index_by_id(items: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(item.get("id")): item for item in items if isinstance(item, dict) and isinstance(item.get("id"), (str, int))}


def v2_page_parse(page: Mapping[str, Any], *, clean: bool = False) -> Iterator[TweetRecord | RecordInvalid]:
    """Every tweet of one X API v2 response page (or one bare tweet object).

    Yields a `RecordInvalid` in place of each tweet that cannot be used, so the
    others on the same page are kept. `clean`: the page's line was seen to hold no
    NUL (`v2_plain.page_clean`), so its plain posts may take `v2_plain_parse`.
    """
    if not isinstance(page, dict):
        yield RecordInvalid("la línea no es un objeto JSON")
        return
    if "data" not in page:
        if "id" in page or "text" in page:
            page = {"data": [page]}
        elif "errors" in page or "meta" in page:
            return  # an empty result page: nothing to import
        else:
            yield RecordInvalid("no es una respuesta de la API v2 de X ni un tuit (faltan 'data' e 'id')")
            return
    data = page.get("data") or []
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        yield RecordInvalid("el campo 'data' no es una lista de tuits")
        return
    includes = page.get("includes")
    includes = includes if isinstance(includes, Mapping) else {}
    users = _index_by_id(includes.get("users"))
    places = _index_by_id(includes.get("places"))
    referenced = _index_by_id(includes.get("tweets"))
    latest = latest_date()
    for tweet in data:
        if clean:
            try:
                plain: TweetRecord | None = v2_plain_parse(tweet, users=users, referenced=referenced, latest=latest)
            except NotPlain:
                plain = None  # the general parser reads it, and says what is wrong with it
            if plain is not None:
                yield plain
                continue
        try:
            yield v2_tweet_parse(tweet, users=users, places=places, referenced=referenced)
        except RecordInvalid as error:
            ident = tweet.get("id") if isinstance(tweet, dict) else None
            shown = ident if isinstance(ident, str) and len(ident) <= 64 and ident.isprintable() else None
            yield RecordInvalid(f"{error} [id {shown}]" if shown else str(error))


# --- The original project's files ---------------------------------------------

def legacy_json_parse(item: Mapping[str, Any]) -> TweetRecord:
    """An item of the 2020 `json_<category>.txt` arrays (user_id, name, screen_name, full_text, location).

    Those files have no tweet id nor date; the id is derived from author and
    text, so importing the same file twice adds nothing.
    """
    if not isinstance(item, Mapping):
        raise RecordInvalid("el elemento no es un objeto JSON")
    text = text_check(item.get("full_text"))
    author_id = string_check(_text_of(item.get("user_id"), field="user_id"), field="user_id")  # before hashing
    digest = hashlib.sha1(f"{author_id}\x1f{text}".encode()).hexdigest()[:20]
    hashtags, mentions, urls = entities_from_text(text)
    return record_validate(TweetRecord(
        platform_id=f"dm2020-{digest}",
        text=text,
        lang="es",
        author_id=author_id,
        author_handle=_clip(item.get("screen_name"), 64, field="screen_name"),
        author_name=_clip(item.get("name"), 255, field="name"),
        author_location=_clip(item.get("location"), 255, field="location"),
        is_retweet=False,
        hashtags=hashtags,
        mentions=mentions,
        urls=urls,
    ))


def _bool_parse(value: Any) -> bool:
    return str(value).strip().upper() in {"TRUE", "1", "T", "YES", "SI", "SÍ"}


def legacy_csv_parse(row: Mapping[str, Any]) -> TweetRecord:
    """A row of the 2018 `base_<category>.csv` files (twitteR's `twListToDF` columns)."""
    text = text_check(row.get("text"))
    hashtags, mentions, urls = entities_from_text(text)
    metrics = {}
    for column, name in (("favoriteCount", "like_count"), ("retweetCount", "retweet_count")):
        count = str(row.get(column) or "")
        if count.isascii() and count.isdigit() and len(count) < 19:  # "²" is a digit int() refuses
            metrics[name] = int(count)
    return record_validate(TweetRecord(
        platform_id=id_check(row.get("id")),
        text=text,
        created_at=datetime_parse(row.get("created"), field="created"),
        lang="es",
        author_handle=_clip(row.get("screenName"), 64, field="screenName"),
        latitude=float_parse(row.get("latitude")),
        longitude=float_parse(row.get("longitude")),
        is_retweet=_bool_parse(row.get("isRetweet")) or text.startswith("RT @"),
        is_reply=str(row.get("replyToSID") or "NA") not in {"NA", ""},
        hashtags=hashtags,
        mentions=mentions,
        urls=urls,
        metrics=metrics,
    ))


# Generic CSV: accepted header names for each field, first match wins.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "platform_id": ("id", "tweet_id", "platform_id", "id_str"),
    "text": ("text", "full_text", "texto"),
    "created_at": ("created_at", "created", "date", "fecha"),
    "lang": ("lang", "language", "idioma"),
    "author_id": ("author_id", "user_id"),
    "author_handle": ("author_handle", "username", "screen_name", "screenName", "usuario"),
    "author_name": ("author_name", "name", "nombre"),
    "author_location": ("author_location", "location", "user_location", "ubicacion"),
    "latitude": ("latitude", "lat", "latitud"),
    "longitude": ("longitude", "lon", "lng", "longitud"),
}


def csv_columns_resolve(header: list[str]) -> dict[str, str]:
    """Map our field names to the file's columns; raise when `id` or `text` is missing."""
    present = {name.strip(): name for name in header}
    resolved = {}
    for field, aliases in CSV_COLUMNS.items():
        for alias in aliases:
            if alias in present:
                resolved[field] = present[alias]
                break
    missing = [f for f in ("platform_id", "text") if f not in resolved]
    if missing:
        wanted = " / ".join(CSV_COLUMNS[missing[0]])
        raise RecordInvalid(f"el encabezado del CSV no tiene la columna obligatoria ({wanted})")
    return resolved


def csv_row_parse(row: Mapping[str, Any], *, columns: Mapping[str, str]) -> TweetRecord:
    def value(field: str) -> Any:
        return row.get(columns[field]) if field in columns else None

    text = text_check(value("text"))
    hashtags, mentions, urls = entities_from_text(text)
    return record_validate(TweetRecord(
        platform_id=id_check(value("platform_id")),
        text=text,
        created_at=datetime_parse(value("created_at")),
        lang=_text_of(value("lang"), field="lang").strip(),
        author_id=_text_of(value("author_id"), field="author_id").strip(),
        author_handle=_clip(value("author_handle"), 64, field="author_handle").lstrip("@"),
        author_name=_clip(value("author_name"), 255, field="author_name"),
        author_location=_clip(value("author_location"), 255, field="author_location"),
        latitude=float_parse(value("latitude")),
        longitude=float_parse(value("longitude")),
        is_retweet=text.startswith("RT @"),
        hashtags=hashtags,
        mentions=mentions,
        urls=urls,
    ))
