"""The discovery document of the Perspective-compatible endpoints (`/$discovery/rest?version=v1alpha1`).

Google's API clients build themselves from such a document: with it,
`googleapiclient.discovery.build("commentanalyzer", "v1alpha1", developerKey=KEY,
discoveryServiceUrl=OUR_URL, static_discovery=False)` calls this server. It
describes `comments.analyze` and `comments.suggestscore` with Perspective's
request and response schemas, rooted at the URL the document was asked from.
"""
from __future__ import annotations

from typing import Any

from classifier.label_sets import ATTRIBUTES

VERSION = "v1alpha1"


def _string(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": name}


def _schemas() -> dict[str, Any]:
    score = {"id": "Score", "type": "object", "properties": {
        "value": {"type": "number", "format": "float", "description": "Probabilidad entre 0 y 1."},
        "type": {"type": "string", "enum": ["PROBABILITY"]},
    }}
    span = {"id": "SpanScore", "type": "object", "properties": {
        "begin": {"type": "integer", "format": "int32", "description": "Primer carácter del tramo (puntos de código)."},
        "end": {"type": "integer", "format": "int32", "description": "Carácter tras el último."},
        "score": _ref("Score"),
    }}
    attribute_scores = {"id": "AttributeScores", "type": "object", "properties": {
        "summaryScore": _ref("Score"), "spanScores": {"type": "array", "items": _ref("SpanScore")},
    }}
    parameters = {"id": "AttributeParameters", "type": "object", "properties": {
        "scoreType": {"type": "string", "enum": ["PROBABILITY"]},
        "scoreThreshold": {"type": "number", "format": "float"},
    }}
    text_entry = {"id": "TextEntry", "type": "object", "properties": {
        "text": _string("El texto (UTF-8, hasta 20,480 bytes)."), "type": {"type": "string", "enum": ["PLAIN_TEXT", "HTML"]},
    }}
    context = {"id": "Context", "type": "object", "properties": {"entries": {"type": "array", "items": _ref("TextEntry")}}}
    client = {
        "languages": {"type": "array", "items": {"type": "string"}}, "clientToken": _string("Se devuelve tal cual."),
        "communityId": _string("Comunidad del comentario."), "context": _ref("Context"), "comment": _ref("TextEntry"),
    }
    analyze_request = {"id": "AnalyzeCommentRequest", "type": "object", "properties": {
        **client,
        "requestedAttributes": {"type": "object", "additionalProperties": _ref("AttributeParameters"),
                                "description": "Atributos pedidos: " + ", ".join(ATTRIBUTES) + "."},
        "spanAnnotations": {"type": "boolean"}, "doNotStore": {"type": "boolean"}, "sessionId": _string("Sesión."),
    }}
    analyze_response = {"id": "AnalyzeCommentResponse", "type": "object", "properties": {
        "attributeScores": {"type": "object", "additionalProperties": _ref("AttributeScores")},
        "languages": {"type": "array", "items": {"type": "string"}},
        "detectedLanguages": {"type": "array", "items": {"type": "string"}},
        "clientToken": {"type": "string"},
    }}
    suggest_request = {"id": "SuggestCommentScoreRequest", "type": "object", "properties": {
        **client, "attributeScores": {"type": "object", "additionalProperties": _ref("AttributeScores")},
    }}
    suggest_response = {"id": "SuggestCommentScoreResponse", "type": "object", "properties": {
        "clientToken": {"type": "string"}, "detectedLanguages": {"type": "array", "items": {"type": "string"}},
        "requestedLanguages": {"type": "array", "items": {"type": "string"}},
    }}
    found: list[dict[str, Any]] = [score, span, attribute_scores, parameters, text_entry, context, analyze_request, analyze_response,
             suggest_request, suggest_response]
    return {str(schema["id"]): schema for schema in found}


def _method(name: str, *, request: str, response: str, description: str) -> dict[str, Any]:
    path = f"{VERSION}/comments:{name}"
    return {
        "id": f"commentanalyzer.comments.{name}", "path": path, "flatPath": path, "httpMethod": "POST",
        "parameters": {}, "parameterOrder": [], "request": _ref(request), "response": _ref(response),
        "description": description,
    }


def discovery_document(*, root_url: str) -> dict[str, Any]:
    """The REST description a Google API client builds from, with every URL under `root_url` (ends in "/")."""
    return {
        "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": f"commentanalyzer:{VERSION}",
        "name": "commentanalyzer", "version": VERSION, "revision": "20261202",
        "title": "Discriminamómetro: API compatible con Perspective (Comment Analyzer)",
        "description": "Atributos de toxicidad en español, autoalojados; el mismo protocolo que la Perspective API.",
        "protocol": "rest", "rootUrl": root_url, "servicePath": "", "baseUrl": root_url, "basePath": "/",
        "batchPath": "batch",
        "parameters": {
            "key": {"type": "string", "location": "query", "description": "La clave de API."},
            "alt": {"type": "string", "location": "query", "default": "json", "enum": ["json"]},
            "prettyPrint": {"type": "boolean", "location": "query", "default": "true"},
            "fields": {"type": "string", "location": "query"},
        },
        "schemas": _schemas(),
        "resources": {"comments": {"methods": {
            "analyze": _method("analyze", request="AnalyzeCommentRequest", response="AnalyzeCommentResponse",
                               description="Puntúa un comentario en los atributos pedidos."),
            "suggestscore": _method("suggestscore", request="SuggestCommentScoreRequest", response="SuggestCommentScoreResponse",
                                    description="Propone las puntuaciones correctas de un comentario: entran a la cola de etiquetado."),
        }}},
    }
