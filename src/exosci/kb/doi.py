"""DOI checks: the DOI syntax, and the pattern of the cited journal's DOIs.

The review's reference list carries misprinted DOIs (``10.1002/jev.2.70066`` for J Extracell
Vesicles' ``10.1002/jev2.70066``); a syntactically valid DOI can still be dead. Each journal the
reference list cites has the pattern its publisher assigns (registrant prefix and journal code),
so a DOI that does not fit its journal is flagged. Corrections made with these checks are listed
in ``docs/curation-audit.md``.
"""

from __future__ import annotations

import re

# Crossref's recommended pattern for modern DOIs (case-insensitive): 10.<4-9 digit registrant>/<suffix>
DOI_SYNTAX = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Z0-9]+$", re.IGNORECASE)

_ELS = r"10\.1016/"  # Elsevier
_SPR = r"10\.1186/"  # BioMed Central (Springer Nature)
_WIL = r"10\.1002/"  # Wiley
_NPG = r"10\.1038/"  # Nature Portfolio
_MDPI = r"10\.3390/"
_ACS = r"10\.1021/"

# journal (as the reference list abbreviates it) -> pattern of its DOIs
JOURNAL_DOI: dict[str, str] = {
    "ACS Appl Mater Interfaces": _ACS + r"acsami\.",
    "ACS Nano": _ACS + r"acsnano\.",
    "Acta Biomater": _ELS + r"j\.actbio\.",
    "Acta Neuropathol": r"10\.1007/s00401-",
    "Acta Pharm Sin B": _ELS + r"j\.apsb\.",
    "Adv Exp Med Biol": r"10\.1007/978-",
    "Adv Health Mater": _WIL + r"adhm\.",
    "Adv Healthc Mater": _WIL + r"adhm\.",
    "Adv Mater": _WIL + r"adma\.",
    "Adv Sci": _WIL + r"advs\.",
    "Adv Technol Neurosci": r"10\.4103/ATN\.",
    "Anat Cell Biol": r"10\.5115/acb\.",
    "Annu Rev Biochem": r"10\.1146/annurev-biochem-",
    "Annu Rev Pathol": r"10\.1146/annurev-pathmechdis-",
    "BMC Med": _SPR + r"s12916-",
    "BMJ": r"10\.1136/bmj\.",
    "Bioact Mater": _ELS + r"j\.bioactmat\.",
    "Biochem Biophys Res Commun": _ELS + r"j\.bbrc\.",
    "Biochim Biophys Acta Mol Cell Res": _ELS + r"j\.bbamcr\.",
    "Biol Rev Camb Philos Soc": r"10\.1111/j\.1469-185X\.",
    "Biomater Adv": _ELS + r"j\.bioadv\.",
    "Biomaterials": _ELS + r"j\.biomaterials\.",
    "Biomed Mater": r"10\.1088/1748-605X/",
    "Biomed Pharmacother": _ELS + r"j\.biopha\.",
    "Biosens Bioelectron": _ELS + r"j\.bios\.",
    "Biotechnol Adv": _ELS + r"j\.biotechadv\.",
    "Blood": r"10\.1182/blood-",
    "Bone Res": _NPG + r"s41413-",
    "CNS Neurosci Ther": r"10\.1111/cns\.",
    "Cell": _ELS + r"j\.cell\.",
    "Cell Commun Signal": _SPR + r"s12964-",
    "Cell Death Differ": _NPG + r"cdd\.",
    "Cell Death Dis": _NPG + r"s41419-",
    "Cell Death Discov": _NPG + r"s41420-",
    "Cell Stem Cell": _ELS + r"j\.stem\.",
    "Cell Transplant": r"10\.1177/0963",
    "Cells": _MDPI + r"cells",
    "Circ Res": r"10\.1161/CIRCRESAHA\.",
    "Curr Med Chem": r"10\.2174/",
    "Curr Neurol Neurosci Rep": r"10\.1007/s11910-",
    "Curr Opin Neurobiol": _ELS + r"j\.conb\.",
    "Cytotherapy": _ELS + r"j\.jcyt\.",
    "Drug Deliv": r"10\.1080/10717544\.",
    "Embo J": r"10\.15252/embj\.",
    "eLife": r"10\.7554/eLife\.",
    "Exp Mol Med": _NPG + r"s12276-",
    "Extracell Vesicles Circ Nucl Acids": r"10\.20517/evcna\.",
    "Extracellular Vesicle": _ELS + r"j\.vesic\.",
    "FASEB J": r"10\.1096/fj\.",
    "Front Genet": r"10\.3389/fgene\.\d{4}\.\d+$",
    "Front Immunol": r"10\.3389/fimmu\.\d{4}\.\d+$",
    "Front Pharmacol": r"10\.3389/fphar\.\d{4}\.\d+$",
    "Front Synaptic Neurosci": r"10\.3389/fnsyn\.\d{4}\.\d+$",
    "Genes Dev": r"10\.1101/gad\.",
    "Glia": _WIL + r"glia\.",
    "Int J Biochem Cell Biol": _ELS + r"j\.biocel\.",
    "Int J Mol Sci": _MDPI + r"ijms",
    "Int J Nanomed": r"10\.2147/IJN\.",
    "Int J Nanomedicine": r"10\.2147/IJN\.",
    "J Biol Chem": r"10\.1074/jbc\.",
    "J Control Release": _ELS + r"j\.jconrel\.",
    # Wiley since 2020 (jev2.<article>); Taylor & Francis 2017-2019; Co-Action before
    "J Extracell Vesicles": r"(10\.1002/jev2\.\d+$|10\.1080/20013078\.|10\.3402/jev\.v\d+\.\d+$)",
    "J Mater Chem B": r"10\.1039/",
    "J Nanobiotechnol": _SPR + r"s12951-",
    "J Nanobiotechnology": _SPR + r"s12951-",
    "J Neuroinflammation": _SPR + r"s12974-",
    "J Neurosci": r"10\.1523/JNEUROSCI\.",
    "J Neurotrauma": r"10\.1089/neu\.",
    "J Orthop Translat": _ELS + r"j\.jot\.",
    "Lancet": _ELS + r"S0140-6736",
    "Lancet Neurol": _ELS + r"S1474-4422",
    "Life Sci": _ELS + r"j\.lfs\.",
    "Mar Drugs": _MDPI + r"md\d+$",
    "Mater Today Bio": _ELS + r"j\.mtbio\.",
    "Med Res Rev": _WIL + r"med\.",
    "Mol Cancer": _SPR + r"s12943-",
    "Mol Neurobiol": r"10\.1007/s12035-",
    "Mol Ther": _ELS + r"j\.ymthe\.",
    "Nano Lett": _ACS + r"acs\.nanolett\.",
    "Nanomedicine": _ELS + r"j\.nano\.",
    "Nat Cell Biol": _NPG + r"ncb\d+$",
    "Nat Commun": _NPG + r"s41467-",
    "Nat Rev Drug Discov": _NPG + r"(nrd\d+$|d41573-)",
    "Nat Rev Mol Cell Biol": _NPG + r"nrm\.",
    "Nature": _NPG + r"\d+$",
    "Neural Regen Res": r"10\.4103/1673-5374\.",
    "NeuroMarkers": _ELS + r"j\.neumar\.",
    "Neurochem Res": r"10\.1007/s11064-",
    # Neurology: "WNL." and sixteen digits
    "Neurology": r"10\.1212/WNL\.\d{16}$",
    "Neuron": _ELS + r"j\.neuron\.",
    "Neurospine": r"10\.14245/ns\.",
    "Nucleic Acids Res": r"10\.1093/nar/",
    "Periodontol 2000": r"10\.1111/prd\.",
    "Philos Trans R Soc Lond B Biol Sci": r"10\.1098/rstb\.",
    "Phytomedicine": _ELS + r"j\.phymed\.",
    "Proc Natl Acad Sci": r"10\.1073/pnas\.",
    "Proc Natl Acad Sci USA": r"10\.1073/pnas\.",
    "Proteomics": _WIL + r"pmic\.",
    "Redox Biol": _ELS + r"j\.redox\.",
    "Research": r"10\.34133/research\.",
    "Science": r"10\.1126/science\.",
    "Semin Cancer Biol": _ELS + r"j\.semcancer\.",
    "Signal Transduct Target Ther": _NPG + r"s41392-",
    "Small": _WIL + r"smll\.",
    "Stem Cell Res Ther": _SPR + r"s13287-",
    "Theranostics": r"10\.7150/thno\.\d+$",
    "Trends Cell Biol": _ELS + r"j\.tcb\.",
    "Trends Neurosci": _ELS + r"j\.tins\.",
    "bioRxiv": r"10\.1101/\d{4}\.\d{2}\.\d{2}\.",
}


# Misprints of the review's reference list corrected in references.tsv:
# number -> (as printed in the review, corrected, why). Listed in docs/curation-audit.md.
DOI_CORRECTIONS: dict[int, tuple[str, str, str]] = {
    46: (
        "10.1002/jev.2.70066",
        "10.1002/jev2.70066",
        "J Extracell Vesicles (Wiley) DOIs are jev2.<article>; the article is e70066",
    ),
    67: (
        "10.1212/WNL.00000000000011782",
        "10.1212/WNL.0000000000011782",
        "Neurology DOIs carry sixteen digits after 'WNL.'; the review printed seventeen",
    ),
    116: (
        "10.1021/acsmi.2c19607",
        "10.1021/acsami.2c19607",
        "ACS Appl Mater Interfaces' journal code is 'acsami'",
    ),
    119: (
        "10.1016/j.bbamer.2017.05.027",
        "10.1016/j.bbamcr.2017.05.027",
        "Biochim Biophys Acta Mol Cell Res' journal code is 'bbamcr'",
    ),
}


def doi_problem(doi: str, journal: str | None = None) -> str | None:
    """Why ``doi`` is not acceptable (for ``journal``, when given), or None when it is.

    Checks the DOI syntax, then, for a journal listed in :data:`JOURNAL_DOI`, its pattern.
    A journal that is not listed is reported too: a new journal needs its pattern added.
    """
    if not DOI_SYNTAX.match(doi):
        return f"not a DOI (expected '10.<4-9 digit registrant>/<suffix>'): {doi!r}"
    if journal is None:
        return None
    pattern = JOURNAL_DOI.get(journal)
    if pattern is None:
        return (
            f"journal {journal!r} has no DOI pattern in exosci.kb.doi.JOURNAL_DOI;"
            " add its publisher's pattern"
        )
    if not re.match(pattern, doi, re.IGNORECASE):
        return f"DOI {doi!r} does not fit the DOIs of {journal} (pattern {pattern})"
    return None
