"""The public resources exosci can fetch: official address, release, licence note, checksum.

Every address below was checked against public references (see the README's data section).
None of these files could be downloaded while this registry was written, so no checksum is
known in advance (``sha256=None``): the first fetch records the SHA-256 of what it received
(trust on first use) and ``exosci data verify`` checks the cached file against that record
from then on. A registry override file (``EXOSCI_DATA_REGISTRY``, YAML) can pin checksums,
point a resource at a mirror, or add a resource; tests use it to serve files from 127.0.0.1.

Resources whose licence or download address we could not confirm are listed as *manual*:
exosci says where to get them and ``exosci data add NAME FILE`` registers a local copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

import yaml

from exosci._settings import settings
from exosci.errors import UnknownNameError, UserInputError
from exosci.kb.names import closest
from exosci.limits import MAX_SPEC_BYTES, read_capped, short

Kind = Literal["targets", "genesets", "mirbase", "vesicle"]


@dataclass(frozen=True)
class Resource:
    """One downloadable file and what is known about it."""

    name: str
    title: str
    kind: Kind
    release: str
    url: str | None  # None: manual download only (see ``manual``)
    homepage: str
    licence: str
    citation: str
    filename: str
    sha256: str | None = None  # None: recorded at first fetch (trust on first use)
    member: str | None = None  # file inside a zip archive
    species: tuple[str, ...] = ()
    manual: str = ""  # how to get it by hand when it cannot be fetched
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fetchable(self) -> bool:
        return self.url is not None


_BUILTIN: tuple[Resource, ...] = (
    Resource(
        name="mirtarbase",
        title="miRTarBase MTI table: experimentally validated miRNA-target interactions",
        kind="targets",
        release="9.0 (2022)",
        url="https://mirtarbase.cuhk.edu.cn/~miRTarBase/miRTarBase_2022/cache/download/9.0/"
        "miRTarBase_MTI.xlsx",
        homepage="https://mirtarbase.cuhk.edu.cn/",
        licence="miRTarBase terms at https://mirtarbase.cuhk.edu.cn/~miRTarBase/"
        "miRTarBase_2022/cache/download/LICENSE (read them before use); exosci fetches the "
        "file for you and never redistributes it",
        citation="Huang H-Y et al., Nucleic Acids Res 2022;50:D222-D230, doi:10.1093/nar/gkab1079",
        filename="miRTarBase_MTI.xlsx",
        species=("human", "mouse", "rat"),
    ),
    Resource(
        name="mirtarbase-human-10",
        title="miRTarBase 2025 MTI table, human only (CSV)",
        kind="targets",
        release="10.0 (2025)",
        url="https://awi.cuhk.edu.cn/~miRTarBase/miRTarBase_2025/cache/download/10.0/hsa_MTI.csv",
        homepage="https://awi.cuhk.edu.cn/~miRTarBase/miRTarBase_2025/",
        licence="miRTarBase terms (see the download page); not redistributed by exosci",
        citation="Cui S et al., miRTarBase 2025, Nucleic Acids Res 2025;53:D147",
        filename="hsa_MTI.csv",
        species=("human",),
    ),
    Resource(
        name="targetscan",
        title="TargetScanHuman 8.0 conserved-site context++ scores (human, with other "
        "vertebrates' rows by Gene Tax ID)",
        kind="targets",
        release="8.0 (2021)",
        url="https://www.targetscan.org/vert_80/vert_80_data_download/"
        "Conserved_Site_Context_Scores.txt.zip",
        homepage="https://www.targetscan.org/cgi-bin/targetscan/data_download.vert80.cgi",
        licence="TargetScan terms on targetscan.org; not redistributed by exosci",
        citation="McGeary SE et al., Science 2019;366:eaav1741; Agarwal V et al., eLife "
        "2015;4:e05005",
        filename="Conserved_Site_Context_Scores.txt.zip",
        member="Conserved_Site_Context_Scores.txt",
        species=("human", "mouse", "rat"),
    ),
    Resource(
        name="targetscan-mouse",
        title="TargetScanMouse 8.0 conserved-site context++ scores",
        kind="targets",
        release="8.0",
        url=None,
        homepage="https://www.targetscan.org/cgi-bin/targetscan/data_download.mmu80.cgi",
        licence="TargetScan terms on targetscan.org",
        citation="McGeary SE et al., Science 2019;366:eaav1741",
        filename="Conserved_Site_Context_Scores.mmu80.txt.zip",
        member="Conserved_Site_Context_Scores.txt",
        species=("mouse",),
        manual="download 'Conserved site context++ scores' from the TargetScanMouse 8.0 data "
        "page (homepage above; its direct file address could not be confirmed here), then "
        "`exosci data add targetscan-mouse FILE`",
    ),
    Resource(
        name="reactome",
        title="Reactome human pathways as gene sets (GMT: name, R-HSA id, HGNC symbols)",
        kind="genesets",
        release="current (Reactome publishes quarterly; the checksum and date of the copy "
        "fetched are recorded)",
        url="https://reactome.org/download/current/ReactomePathways.gmt.zip",
        homepage="https://reactome.org/download-data",
        licence="CC BY 4.0 (https://reactome.org/license)",
        citation="Milacic M et al., Nucleic Acids Res 2024;52:D672, doi:10.1093/nar/gkad1025",
        filename="ReactomePathways.gmt.zip",
        member="ReactomePathways.gmt",
        species=("human",),
    ),
    Resource(
        name="msigdb-hallmark",
        title="MSigDB Hallmark gene sets, human symbols",
        kind="genesets",
        release="2023.2.Hs",
        url="https://data.broadinstitute.org/gsea-msigdb/msigdb/release/2023.2.Hs/"
        "h.all.v2023.2.Hs.symbols.gmt",
        homepage="https://www.gsea-msigdb.org/gsea/msigdb/",
        licence="MSigDB licence terms (CC BY 4.0 for the Hallmark collection; other "
        "collections carry extra terms); not redistributed by exosci",
        citation="Liberzon A et al., Cell Syst 2015;1:417, doi:10.1016/j.cels.2015.12.004",
        filename="h.all.v2023.2.Hs.symbols.gmt",
        species=("human",),
    ),
    Resource(
        name="mirbase",
        title="miRBase mature miRNA sequences, all species (mature.fa)",
        kind="mirbase",
        release="22.1 (the current miRBase release)",
        url="https://mirbase.org/download/CURRENT/mature.fa",
        homepage="https://www.mirbase.org/download/",
        licence="public domain (CC0); cite miRBase",
        citation="Kozomara A et al., Nucleic Acids Res 2019;47:D155, doi:10.1093/nar/gky1141",
        filename="mature.fa",
        notes=(
            "not needed for names: exosci ships a miRBase 22.1 name table for human, mouse "
            "and rat; fetch this for other species' sequences",
        ),
    ),
    Resource(
        name="exocarta",
        title="ExoCarta exosomal miRNA / protein / mRNA contents",
        kind="vesicle",
        release="5 (the download page's current files)",
        url=None,
        homepage="http://exocarta.org/download",
        licence="not stated in a form we could confirm: download it yourself under the "
        "site's terms",
        citation="Keerthikumar S et al., J Mol Biol 2016;428:688, doi:10.1016/j.jmb.2015.09.019",
        filename="EXOCARTA_MIRNA_DETAILS.txt",
        manual="download the miRNA (or protein/mRNA) details file from the ExoCarta download "
        "page, then `exosci data add exocarta FILE`",
    ),
    Resource(
        name="vesiclepedia",
        title="Vesiclepedia vesicle contents (all EV classes)",
        kind="vesicle",
        release="current download",
        url=None,
        homepage="http://microvesicles.org/download",
        licence="not stated in a form we could confirm: download it yourself under the "
        "site's terms",
        citation="Chitti SV et al., Nucleic Acids Res 2024;52:D1694, doi:10.1093/nar/gkad1007",
        filename="VESICLEPEDIA_DETAILS.txt",
        manual="download the details file from the Vesiclepedia download page, then "
        "`exosci data add vesiclepedia FILE`",
    ),
)


#: A resource name (it names a folder and a store file in the data folder).
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: A file name inside ``raw/<name>/`` (no folder part, no leading dot).
FILE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_OPTIONAL = ("url", "sha256", "member")


def _overrides() -> dict[str, dict[str, object]]:
    """The override file, every scalar read as a string (YAML's BaseLoader).

    A checksum of digits only (``sha256: 000...0``) stays the 64-character string it is
    instead of becoming the integer 0 (which would silently drop the pin).
    """
    path = settings.raw("data_registry")
    if not path:
        return {}
    where = f"EXOSCI_DATA_REGISTRY={path}"
    try:
        text = read_capped(path, what="data registry override (YAML)", cap=MAX_SPEC_BYTES)
        data = yaml.load(text.decode("utf-8"), Loader=yaml.BaseLoader) or {}
    except (UserInputError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise UserInputError(f"{where}: cannot read it ({str(exc)[:300]})") from None
    if not isinstance(data, dict):
        raise UserInputError(f"{where}: expected a mapping NAME: {{...}}")
    out: dict[str, dict[str, object]] = {}
    for name, fields in data.items():
        if isinstance(fields, str) and fields in _NULLS:
            fields = {}
        if not isinstance(fields, dict):
            raise UserInputError(f"{where}: {short(name)}: expected a mapping of fields")
        for key in _OPTIONAL:
            value = fields.get(key)
            if isinstance(value, str) and value in _NULLS:
                fields[key] = None
        out[str(name)] = dict(fields)
    return out


def _check(res: Resource, where: str) -> Resource:
    """Refuse names that could leave the data folder and checksums that are not SHA-256."""
    if not NAME_PATTERN.match(res.name) or ".." in res.name:
        raise UserInputError(
            f"{where}: resource name {short(res.name)}: expected letters, digits, '.', '_' or "
            "'-' (it names a folder in the data folder)"
        )
    if not FILE_PATTERN.match(res.filename) or ".." in res.filename:
        raise UserInputError(
            f"{where}: {res.name}: filename {short(res.filename)}: expected a plain file name "
            "(letters, digits, '.', '_', '+', '-'; no folder part)"
        )
    if res.sha256 is not None and not _SHA256.match(str(res.sha256).lower()):
        raise UserInputError(
            f"{where}: {res.name}: sha256 {short(str(res.sha256))}: expected 64 hexadecimal "
            "digits (quote it in YAML)"
        )
    return replace(res, sha256=res.sha256.lower()) if res.sha256 else res


_FIELDS = set(Resource.__dataclass_fields__)


def registry() -> dict[str, Resource]:
    """Built-in resources, with ``EXOSCI_DATA_REGISTRY`` overrides/additions applied."""
    out = {r.name: r for r in _BUILTIN}
    for name, fields in _overrides().items():
        bad = set(fields) - _FIELDS
        if bad:
            raise UserInputError(
                f"EXOSCI_DATA_REGISTRY: {name}: unknown field(s) {sorted(bad)}; "
                f"expected some of {sorted(_FIELDS - {'name'})}"
            )
        for key in ("species", "notes"):
            if key in fields:
                value = fields[key]
                fields[key] = (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
        where = "EXOSCI_DATA_REGISTRY"
        try:
            res = (
                replace(out[name], **fields)  # type: ignore[arg-type]
                if name in out
                else Resource(name=name, **fields)  # type: ignore[arg-type]
            )
        except TypeError as exc:  # a required field is missing
            raise UserInputError(f"{where}: {short(name)}: {exc}") from None
        out[name] = _check(res, where)
    return out


def get_resource(name: str) -> Resource:
    """The resource called ``name``; an unknown name lists close ones."""
    reg = registry()
    if name in reg:
        return reg[name]
    raise UnknownNameError(name, "data resource", closest(name, list(reg), limit=3) or sorted(reg))
