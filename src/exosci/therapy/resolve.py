"""Check a spec against the knowledge graph and turn it into the model's :class:`Design`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exosci.errors import UnknownNameError, UserInputError
from exosci.kb.schema import Entity
from exosci.model.design import AXES, Design, Release, Route
from exosci.model.parameters import default_parameters
from exosci.therapy.open_names import OpenName, open_name
from exosci.therapy.spec import TherapySpec

if TYPE_CHECKING:
    from exosci.reason.graph import HasCurated

ROUTES: dict[str, Route] = {
    "route:intravenous": "intravenous",
    "route:intranasal": "intranasal",
    "route:intrathecal": "intrathecal",
    "route:local-implantation": "local",
}
SEVERITY = {"mild": 0.6, "moderate": 1.0, "severe": 1.4}
TARGETING = {"int:rvg-display", "int:rgd-display"}
FIELD_TYPES: dict[str, tuple[str, ...]] = {
    "exosome.source": ("exosome", "cell_source"),
    "exosome.preconditioning": ("intervention",),
    "exosome.engineering": ("intervention", "gene"),
    "exosome.cargo": ("mirna", "rna", "gene", "small_molecule"),
    "exosome.co_therapies": ("small_molecule", "intervention"),
    "carrier": ("material", "delivery_system"),
    "route": ("route",),
    "species": ("species",),
}
# Fields whose names may come from the open vocabulary (exosci.therapy.open_names); species and
# route stay closed: the model has nothing to say about a route or species it does not know.
OPEN_FIELDS = frozenset(k for k in FIELD_TYPES if k.startswith("exosome.") or k == "carrier")


@dataclass(frozen=True)
class ResolvedTherapy:
    """A spec with every name resolved, its mechanism profile and the model design."""

    spec: TherapySpec
    entities: dict[str, list[Entity]]
    product: Entity | None
    profile: Any  # exosci.reason.profile.MechanismProfile, or None without vesicles
    design: Design
    notes: list[str] = field(default_factory=list)
    effect: Any = None  # exosci.model.effect.DesignEffect (None before the effect is computed)
    warnings: list[str] = field(default_factory=list)
    open_names: list[OpenName] = field(default_factory=list)  # names beyond the graph

    def evidence_entities(self) -> list[str]:
        """Entities whose evidence the design draws on (the profile's, when there is one)."""
        return list(self.profile.entities) if self.profile is not None else self.profile_entities()

    def profile_entities(self) -> list[str]:
        ids = [self.product.id] if self.product else []
        for key in FIELD_TYPES:
            if key.startswith("exosome."):
                ids += [e.id for e in self.entities.get(key, [])]
        return list(dict.fromkeys(ids))


class ResolveCache:
    """Work shared by the resolutions of related specs against one knowledge base.

    Resolving a design and its one-change alternatives repeats the same look-ups: the same
    names, the same outcome-study table, and for alternatives that keep the vesicles (carrier,
    route, timing) the same mechanism profile and potency. Each is a pure function of the
    knowledge base and its key, so it is computed once per cache. A cache belongs to one
    knowledge base (passing it with another is refused) and lives as long as its caller keeps
    it: nothing is shared between evaluations.
    """

    def __init__(self, kb: HasCurated) -> None:
        self.kb = kb
        self.names: dict[tuple[str, str, str], tuple[Entity, OpenName | None]] = {}
        self.profiles: dict[tuple[str, ...], Any] = {}
        self.effects: dict[tuple[Any, ...], Any] = {}
        self._studies: Any = None

    def studies(self) -> Any:
        """The outcome-study records of :func:`exosci.model.effect.outcome_records` (read-only)."""
        if self._studies is None:
            from exosci.model.effect import outcome_records

            self._studies = outcome_records(self.kb)
        return self._studies


def _cached_resolve(
    kb: HasCurated,
    field_name: str,
    value: str,
    cache: ResolveCache | None,
    opened: list[OpenName] | None = None,
    species: str = "rat",
) -> Entity:
    """The entity ``value`` names in ``field_name``; a name accepted by the open vocabulary
    (:mod:`exosci.therapy.open_names`) is appended to ``opened``."""
    key = (field_name, value, species)
    if cache is not None and key in cache.names:
        ent, open_ = cache.names[key]
    else:
        ent, open_ = _resolve(kb, field_name, value, species)
        if cache is not None:
            cache.names[key] = (ent, open_)
    if open_ is not None and opened is not None:
        opened.append(open_)
    return ent


def _resolve(
    kb: HasCurated, field_name: str, value: str, species: str
) -> tuple[Entity, OpenName | None]:
    types = FIELD_TYPES[field_name]
    try:
        return kb.resolve(value, types=types), None
    except UnknownNameError as exc:
        if field_name not in OPEN_FIELDS:
            accepted = "/".join(t.replace("_", " ") for t in types)
            raise UnknownNameError(
                value,
                f"{accepted} in field `{field_name}` (any {accepted} of the knowledge graph; "
                "try `exosci kb search`)",
                exc.suggestions,
            ) from None
        open_ = open_name(kb, field_name, value, types, exc, species)
        return open_.entity, open_


def _statements(kb: HasCurated, predicate: str) -> list[tuple[str, str]]:
    return [(s.subject, s.object) for s in kb.curated.statements if s.predicate == predicate]


LOADING = {
    "small_molecule": "int:drug-loading",
    "rna": "int:sirna-loading",
    "mirna": "int:mirna-loading",
}


def choose_product(
    kb: HasCurated, source: Entity, modifiers: set[str], cargo: frozenset[str] = frozenset()
) -> Entity | None:
    """The most specific exosome product of ``source`` matching the preconditioning/engineering.

    A product made by loading (drug, siRNA or miRNA loading) also fits when it carries one of
    the spec's ``cargo`` ids, so "M2 macrophage + berberine" finds the berberine-loaded M2-Exos.
    """
    if source.type == "exosome":
        # A generic product named directly ("BMSC-Exos") plus hypoxia or a loaded drug still
        # means the more specific product of the same cell source, when the graph has one.
        cells = [o for s, o in _statements(kb, "derived_from") if s == source.id]
        cells = [c for c in cells if c in kb.curated.entities and c.startswith("src:")]
        if cells and (modifiers or cargo):
            specific = choose_product(kb, kb.curated.entities[cells[0]], modifiers, cargo)
            if specific is not None and _is_modified(kb, specific.id):
                return specific
        return source
    products = [s for s, o in _statements(kb, "derived_from") if o == source.id]
    products += [o for s, o in _statements(kb, "secretes") if s == source.id]
    products = [p for p in dict.fromkeys(products) if p in kb.curated.entities]
    if not products:
        return None
    mods: dict[str, set[str]] = {p: set() for p in products}
    for pred in ("preconditioned_by", "engineered_with"):
        for s, o in _statements(kb, pred):
            if s in mods:
                mods[s].add(o)
    carried = {p: {o for s, o in _statements(kb, "carries") if s == p} for p in products}
    loading = set(LOADING.values())

    def fits(p: str) -> bool:
        extra = mods[p] - modifiers
        return not extra or (extra <= loading and bool(carried[p] & cargo))

    # Prefer products whose modifications are all in the spec, the more of them the better.
    fitting = [p for p in products if fits(p)]
    best = max(fitting, key=lambda p: (len(mods[p]), p == f"exo:{source.id[4:]}"), default=None)
    return kb.curated.entities[best] if best else None


def _is_modified(kb: HasCurated, product: str) -> bool:
    return any(
        s.subject == product and s.predicate in ("preconditioned_by", "engineered_with")
        for s in kb.curated.statements
    )


def parent_products(kb: HasCurated, product: Entity, source: Entity) -> list[str]:
    """The unmodified products a modified product is made from: their evidence applies to it.

    That is the generic product (``exo:<source>``) of the spec's cell source and of every cell
    source the product is derived from, and any exosome it is recorded as derived from.
    """
    ents = kb.curated.entities
    derived = [
        s.object
        for s in kb.curated.statements
        if s.subject == product.id and s.predicate == "derived_from" and s.object in ents
    ]
    sources = [e for e in [source.id, *derived] if e.startswith("src:")]
    out = [f"exo:{e[4:]}" for e in sources]
    out += [e for e in derived if ents[e].type == "exosome" and e != "exo:exosome"]
    return [p for p in dict.fromkeys(out) if p in ents and p != product.id]


DEPOT_WORDS = ("hydrogel", "scaffold", "sponge", "patch", "fibre", "fiber", "microneedle")
DEPOT_ROUTES = {"local"}  # where an implanted depot sits: at the lesion


def is_depot(carrier: Entity | None) -> bool:
    """A carrier that stays where it is put and releases over time (gel, scaffold, patch)."""
    if carrier is None:
        return False
    return carrier.type == "material" or any(w in carrier.id for w in DEPOT_WORDS)


def check_route_carrier(route: Route, carrier: Entity | None, name: str) -> list[str]:
    """Refuse route/carrier pairs that make no physical sense; warn about doubtful ones.

    A depot (hydrogel, scaffold, sponge, patch) releases where it is placed: into the lesion
    after local implantation. Injected into a vein or dropped into the nose it would deliver
    nothing to the cord (and an implanted scaffold cannot be given intranasally), so those are
    refused. An intrathecal injectable gel is accepted with a warning: it releases into the CSF.
    """
    if not is_depot(carrier) or route in DEPOT_ROUTES:
        return []
    label = carrier.name if carrier is not None else name
    if route == "intrathecal" and "hydrogel" in (carrier.id if carrier else ""):
        return [
            f"{label} given intrathecally: modelled as release into the CSF (no in-situ capture "
            "at the lesion); most gel-vesicle studies implant the gel at the lesion (the review, "
            "section 4.1)."
        ]
    raise UserInputError(
        f"fields `route` and `carrier`: route {route!r} with the depot carrier {label!r} makes "
        "no sense: a hydrogel, scaffold, sponge or patch releases where it is placed, and given "
        f"{'into a vein' if route == 'intravenous' else 'into the nose'} it would not reach the "
        "cord. Accepted: route `local implantation` with this carrier; or this route with "
        "`carrier: none` (free vesicles) or a nano-delivery system (e.g. exosome-liposome)."
    )


def _release(spec: TherapySpec, carrier: Entity | None) -> tuple[Release | None, str]:
    c = spec.carrier
    fitted = not isinstance(c, str) and c is not None and c.release is not None
    if carrier is None and not fitted:
        return None, "no carrier: bolus into the route's entry compartment"
    if fitted:
        assert c is not None and not isinstance(c, str) and c.release is not None
        per_hour = c.release.time_unit in {"hour", "hours", "h"}
        if per_hour:
            raise UserInputError(
                "field `carrier.release.time_unit`: 'hour' given; fit the curve in days "
                "(`exosci release fit` reports per-day parameters); accepted: day."
            )
        return (
            Release(c.release.model, dict(c.release.params), 1.0, "fitted curve in the spec", True),
            f"{c.name}: fitted {c.release.model} release from the spec",
        )
    assert carrier is not None
    table = default_parameters().carriers
    key = carrier.id
    if key not in table:
        if "hydrogel" in key:
            key = "mat:hydrogel"
        elif carrier.type == "material":
            key = "default_material"
        else:
            return None, f"{carrier.name}: nano-delivery system, treated as immediate release"
    d = table[key]
    return (
        Release(d.model, dict(d.params), d.retained, d.source),
        f"{carrier.name}: default {d.model} release ({d.source})",
    )


def _carrier(
    kb: HasCurated,
    spec: TherapySpec,
    cache: ResolveCache | None = None,
    opened: list[OpenName] | None = None,
) -> tuple[Entity | None, list[str]]:
    """The carrier entity; a fitted carrier block whose name is not in the graph is accepted.

    ``exosci release fit --spec-block`` writes ``name: fitted carrier`` with the fitted
    release: such a carrier is a depot of unknown material, modelled by its own curve.
    """
    name = spec.carrier_name
    if not name:
        return None, []
    c = spec.carrier
    has_fit = not isinstance(c, str) and c is not None and c.release is not None
    try:
        return _cached_resolve(kb, "carrier", name, cache, opened), []
    except UnknownNameError:
        if not has_fit:
            raise
    ent = Entity(
        id="mat:user-fitted-carrier",
        name=name,
        type="material",
        description="a carrier given by its fitted release curve",
    )
    return ent, [
        f"carrier {name!r} is not in the knowledge graph: modelled as a local depot with the "
        "fitted release curve from the spec (its material's own biology is not modelled)"
    ]


def resolve_spec(
    spec: TherapySpec, kb: HasCurated | None = None, *, cache: ResolveCache | None = None
) -> ResolvedTherapy:
    """Resolve every name of ``spec`` in the graph, profile it and build the model design.

    ``cache`` (a :class:`ResolveCache` of the same ``kb``) shares the look-ups between the
    resolutions of related specs (a design and its alternatives); the result is the same.
    """
    if kb is None:
        from exosci.kb import default_kb

        kb = cache.kb if cache is not None else default_kb()
    if cache is not None and cache.kb is not kb:
        raise ValueError("resolve_spec: the cache belongs to another knowledge base")
    notes: list[str] = []
    species = _cached_resolve(kb, "species", spec.species, cache)
    if species.id not in ("sp:rat", "sp:mouse"):
        raise UserInputError(
            f"field `species`: {spec.species!r} is not covered by the model; accepted: rat "
            "(BBB 0-21) or mouse (BMS 0-9). The lesion and locomotor-score model is calibrated "
            "on rodent contusion only, so a human or monkey prediction would be unfounded; use "
            "`exosci evaluate` for the evidence and the clinical outlook."
        )
    route = _cached_resolve(kb, "route", spec.route, cache)
    if route.id not in ROUTES:
        raise UserInputError(
            f"field `route`: {spec.route!r} ({route.name}) is not modelled; accepted: "
            "intravenous, intranasal, intrathecal, local implantation."
        )
    ents: dict[str, list[Entity]] = {"species": [species], "route": [route]}
    sp = "rat" if species.id == "sp:rat" else "mouse"
    opened: list[OpenName] = []
    carrier, cnotes = _carrier(kb, spec, cache, opened)
    notes += cnotes
    warnings = check_route_carrier(ROUTES[route.id], carrier, spec.carrier_name or "")
    notes += [f"warning: {w}" for w in warnings]
    ents["carrier"] = [carrier] if carrier and carrier.id in kb.curated.entities else []
    product = None
    ex = spec.exosome
    if ex is not None:
        ents["exosome.source"] = [
            _cached_resolve(kb, "exosome.source", ex.source, cache, opened, sp)
        ]
        for key in ("preconditioning", "engineering", "cargo", "co_therapies"):
            ents[f"exosome.{key}"] = [
                _cached_resolve(kb, f"exosome.{key}", v, cache, opened, sp)
                for v in getattr(ex, key)
            ]
        mods = {e.id for k in ("preconditioning", "engineering") for e in ents[f"exosome.{k}"]}
        cargo_ids = frozenset(e.id for e in ents["exosome.cargo"])
        product = choose_product(kb, ents["exosome.source"][0], mods, cargo_ids)
        if product is not None and product.id != ents["exosome.source"][0].id:
            notes.append(f"source resolved to the product {product.name} ({product.id})")
    notes += [f"open vocabulary: {o.note}" for o in opened]
    dose_ug = _dose_ug(spec)
    if ex is None and spec.dose.amount > 0:
        notes.append(
            "no vesicles given: the dose carries no vesicle cargo, so the dynamics give the "
            "control course (the carrier's own biology is not modelled)"
        )
    release, rnote = _release(spec, carrier)
    notes.append(rnote)
    draft = ResolvedTherapy(spec, ents, product, None, Design(), notes)
    profile = None
    scores = dict.fromkeys(AXES, 0.0)
    if ex is not None:
        from exosci.reason.profile import mechanism_profile

        ids = draft.profile_entities() + [ents["exosome.source"][0].id]
        if product is not None:
            ids += parent_products(kb, product, ents["exosome.source"][0])
        ids = list(dict.fromkeys(ids))
        if cache is None:
            profile = mechanism_profile(kb, ids)
        else:
            if tuple(ids) not in cache.profiles:
                cache.profiles[tuple(ids)] = mechanism_profile(kb, ids)
            profile = cache.profiles[tuple(ids)]
        scores = {a: float(profile.axes[a].score) for a in AXES}
    effect = _cached_effect(kb, ents, product, cache)
    t0 = spec.timing.start_hours_post_injury / 24.0
    times = tuple(t0 + i * spec.timing.interval_days for i in range(spec.timing.doses))
    if spec.timing.doses > 1 and spec.timing.interval_days <= 0:
        raise UserInputError(
            f"field `timing.interval_days`: {spec.timing.interval_days!r} with "
            f"{spec.timing.doses} doses; accepted: > 0 days when doses > 1."
        )
    engineered = {e.id for e in ents.get("exosome.engineering", [])}
    design = Design(
        species="rat" if species.id == "sp:rat" else "mouse",
        severity=SEVERITY[spec.injury.severity],
        route=ROUTES[route.id],
        dose_ug=dose_ug,
        dose_times_days=times,
        release=release,
        axis_scores=scores,
        targeted=bool(engineered & TARGETING),
        carrier=carrier.id if carrier is not None else "",
        potency=effect.potency,
        effect=effect.draws(),
        horizon_days=spec.horizon_days,
        label=spec.name,
    )
    notes += [t.name + ": " + t.reason for t in effect.terms if t.kind == "modifier"]
    notes += list(effect.notes)
    return ResolvedTherapy(spec, ents, product, profile, design, notes, effect, warnings, opened)


def _cached_effect(
    kb: HasCurated,
    ents: dict[str, list[Entity]],
    product: Entity | None,
    cache: ResolveCache | None,
) -> Any:
    """:func:`_effect`, computed once per cache for the same vesicles and modifications."""
    if cache is None:
        return _effect(kb, ents, product)
    key = (
        product.id if product is not None else None,
        *((k, tuple(e.id for e in v)) for k, v in sorted(ents.items()) if k.startswith("exo")),
    )
    if key not in cache.effects:
        cache.effects[key] = _effect(kb, ents, product, cache.studies())
    return cache.effects[key]


def _effect(
    kb: HasCurated, ents: dict[str, list[Entity]], product: Entity | None, studies: Any = None
) -> Any:
    """The design's potency: product term plus one term per modification (exosci.model.effect).

    ``studies``: the knowledge base's outcome-study records, when the caller already has them.
    """
    from exosci.model.effect import (
        NO_VESICLES,
        combine,
        modifier_terms,
        outcome_records,
        product_term,
    )

    if "exosome.source" not in ents:
        return NO_VESICLES
    source = ents["exosome.source"][0]
    studies = outcome_records(kb) if studies is None else studies
    src_id = _cell_source(kb, product or source)
    base = _base_product(kb, product, source)
    terms = [product_term(studies, base, source=src_id, name=f"product {kb_name(kb, base)}")]
    modified = [product.id] if product is not None and product.id != base else []
    notes: list[str] = []
    carried = {o for s, o in _statements(kb, "carries") if s == base}
    for key in ("preconditioning", "engineering", "cargo", "co_therapies"):
        for ent in ents.get(f"exosome.{key}", []):
            if key == "engineering" and ent.id in TARGETING:
                continue  # acts through delivery (lesion homing), in the dynamics
            natural = ent.id in carried or (
                _carried_by(kb, modified, ent.id) and not set(modified) & _loaded(kb)
            )
            natural = key == "cargo" and natural  # a natural cargo named in the spec: enriched
            if natural:
                notes.append(
                    f"cargo {ent.name}: the source vesicles carry it naturally; named in the spec "
                    "it is modelled as an enrichment with its own term (not dropped)"
                )
            prods = modified + _products_with(kb, ent.id)
            mech = _mechanism_refs(kb, ent.id)
            terms += modifier_terms(
                studies,
                ent.id,
                kind=key,
                label=f"{key.replace('_', ' ')}: {ent.name}",
                modified_products=list(dict.fromkeys(prods)),
                parent=terms[0],
                mechanism_refs=mech,
                cargo=key == "cargo",
                natural=natural,
            )
    return combine(terms, notes)


def kb_name(kb: HasCurated, ent_id: str) -> str:
    ent = kb.curated.entities.get(ent_id)
    return ent.name if ent is not None else ent_id


def _cell_source(kb: HasCurated, ent: Entity) -> str | None:
    if ent.type == "cell_source":
        return ent.id
    for s, o in _statements(kb, "derived_from"):
        if s == ent.id and o.startswith("src:"):
            return o
    return None


def _base_product(kb: HasCurated, product: Entity | None, source: Entity) -> str:
    """The unmodified product whose outcome studies anchor the product term."""
    if product is None:
        return source.id
    if not _is_modified(kb, product.id) and product.id not in _loaded(kb):
        return product.id
    parents = parent_products(kb, product, source)
    return parents[0] if parents else product.id


def _loaded(kb: HasCurated) -> set[str]:
    return {s for s, o in _statements(kb, "engineered_with") if o in LOADING.values()}


def _carried_by(kb: HasCurated, products: list[str], cargo: str) -> bool:
    return any((p, cargo) in set(_statements(kb, "carries")) for p in products)


def _products_with(kb: HasCurated, modifier: str) -> list[str]:
    """Products defined by a modification: preconditioned/engineered with it or loaded with it."""
    out = [
        s
        for s, o in _statements(kb, "preconditioned_by") + _statements(kb, "engineered_with")
        if o == modifier
    ]
    loaded = _loaded(kb)
    out += [s for s, o in _statements(kb, "carries") if o == modifier and s in loaded]
    return list(dict.fromkeys(out))


def _mechanism_refs(kb: HasCurated, modifier: str) -> list[str]:
    """Distinct references of in vivo, experimental statements about the modification itself."""
    refs: list[str] = []
    causal = {"promotes", "inhibits", "activates", "increases_amount", "decreases_amount"}
    for s in kb.curated.statements:
        if s.subject != modifier or s.predicate not in causal:
            continue
        for ev in s.evidence:
            grade = getattr(ev, "grade", "experimental")
            if ev.model == "in_vivo" and grade == "experimental":
                refs += [str(r) for r in ev.refs]
    return list(dict.fromkeys(refs))


def _dose_ug(spec: TherapySpec) -> float:
    amount = spec.dose.amount
    if spec.dose.unit == "mg":
        return amount * 1000.0
    if spec.dose.unit == "particles":
        return amount / default_parameters().params["particles_per_ug"].value
    return amount


def to_design(spec: TherapySpec, kb: HasCurated | None = None) -> Design:
    """The model design of a spec (names resolved, profile from the graph's evidence)."""
    return resolve_spec(spec, kb).design


def spec_profile(spec: TherapySpec, kb: HasCurated | None = None) -> Any:
    """The spec's mechanism profile (five axes with evidence), or None without vesicles."""
    return resolve_spec(spec, kb).profile
