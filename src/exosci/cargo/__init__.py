"""Cargo: what a vesicle's miRNAs target, and which gene sets and repair mechanisms they hit."""

from __future__ import annotations

from exosci.cargo.design import TargetMatrices, Universe, build_design
from exosci.cargo.enrich import BatchResult, EnrichmentResult, enrich_batch
from exosci.cargo.genesets import GeneSets, mechanism_genesets, read_gmt
from exosci.cargo.inputs import MirnaInput, read_mirnas
from exosci.cargo.mirna_names import (
    MirnaNames,
    MirnaReference,
    kb_reference,
    normalize_mirnas,
    reference_from_mature_fa,
)
from exosci.cargo.mirsets import MirsetResult, enrich_mirnas, mirbase_families
from exosci.cargo.orthologs import gene_key, to_species
from exosci.cargo.pipeline import enrich, run_enrich
from exosci.cargo.plot import plot_enrichment
from exosci.cargo.stats import bh_qvalues, hypergeom_sf
from exosci.cargo.targets import TargetTable, load_targets

__all__ = [
    "BatchResult",
    "EnrichmentResult",
    "GeneSets",
    "MirnaInput",
    "MirnaNames",
    "MirnaReference",
    "MirsetResult",
    "TargetMatrices",
    "TargetTable",
    "Universe",
    "bh_qvalues",
    "build_design",
    "enrich",
    "enrich_batch",
    "enrich_mirnas",
    "gene_key",
    "hypergeom_sf",
    "kb_reference",
    "load_targets",
    "mechanism_genesets",
    "mirbase_families",
    "normalize_mirnas",
    "plot_enrichment",
    "read_gmt",
    "read_mirnas",
    "reference_from_mature_fa",
    "run_enrich",
    "to_species",
]
