"""Request bodies of the REST API as pydantic models, so the OpenAPI schema is the contract."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from exosci.limits import MAX_MIRNAS, MAX_NAME_CHARS, MAX_TOP

#: One name per item: no separators or line breaks (the list is written one name per line).
MirnaName = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_CHARS, pattern=r"^[^\t\r\n,;]*[^\s,;][^\t\r\n,;]*$"),
]


class CargoEnrichRequest(BaseModel):
    """miRNAs to enrich against the review's five repair mechanisms."""

    model_config = ConfigDict(extra="forbid")
    mirnas: list[MirnaName] = Field(
        min_length=1,
        max_length=MAX_MIRNAS,
        description="miRBase names, MIMAT accessions or legacy names",
        examples=[["miR-146a-5p", "miR-21-5p"]],
    )
    species: Literal["rat", "mouse", "human"] | None = Field(
        default=None, description="inferred from the names when absent"
    )
    top: int = Field(default=50, ge=1, le=MAX_TOP, description="gene sets returned")
