"""Request bodies of the REST API as pydantic models, so the OpenAPI schema is the contract."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from exosci.limits import MAX_MIRNAS, MAX_NAME_CHARS, MAX_TOP
from exosci.vocabulary import CargoSpecies

#: One name per item: no separators or line breaks (the list is written one name per line).
MirnaName = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_CHARS, pattern=r"^[^\t\r\n,;]*[^\s,;][^\t\r\n,;]*$"),
]

#: A data resource's registry name (never a path: the server opens no file a client names).
ResourceName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.-]*$")]


class CargoEnrichRequest(BaseModel):
    """miRNAs to enrich against the review's five repair mechanisms."""

    model_config = ConfigDict(extra="forbid", strict=True)
    mirnas: list[MirnaName] = Field(
        min_length=1,
        max_length=MAX_MIRNAS,
        description="miRBase names, MIMAT accessions or legacy names",
        examples=[["miR-146a-5p", "miR-21-5p"]],
    )
    species: CargoSpecies | None = Field(
        default=None, description="inferred from the names when absent"
    )
    top: int = Field(default=50, ge=1, le=MAX_TOP, description="gene sets returned")
    targets: list[ResourceName] = Field(
        default=[],
        max_length=4,
        description="fetched miRNA-target resources by name (GET /api/data/available?kind=targets); "
        "default: the knowledge graph's curated targets",
    )
    genesets: list[ResourceName] = Field(
        default=[],
        max_length=4,
        description="fetched gene-set resources by name (GET /api/data/available?kind=genesets); "
        "default: the review's five repair mechanisms",
    )


class FieldProblem(BaseModel):
    """One invalid field of a request: where, what, and a short prefix of the value."""

    loc: str
    msg: str
    got: str = ""


class ApiError(BaseModel):
    """The body of every error response (4xx): a message that says what would be accepted."""

    error: str
    kind: str
    suggestions: list[str] | None = Field(
        default=None, description="closest known names (unknown-name errors)"
    )
    field: str | None = Field(
        default=None, description="the spec field holding an unknown name (e.g. exosome.source)"
    )
    detail: list[FieldProblem] | None = Field(
        default=None, description="one entry per invalid field (validation errors)"
    )


def _doc(text: str) -> dict[str, object]:
    return {"model": ApiError, "description": text}


#: Error responses any route may give (the middleware answers the first four before routing).
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: _doc("Body that cannot be parsed at all, or a malformed Host header."),
    413: _doc("Request body over the route's size limit."),
    415: _doc("Wrong content type (JSON routes: application/json; file routes: octet-stream)."),
    421: _doc("Host header not one this server answers for (DNS-rebinding guard)."),
    422: _doc("Invalid input: the message names the field and what is accepted."),
    503: _doc(
        "The server's saved-runs database or data folder is unusable (the message says why)."
    ),
}
