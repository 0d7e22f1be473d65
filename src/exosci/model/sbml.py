"""SBML export of the deterministic model (nominal parameters) for one design.

States become species (amounts, compartment of size 1) with rate rules; intermediates become
assignment rules; boluses and release bursts become events; carrier release becomes the
analytic release rate (first-order, Weibull or Korsmeyer-Peppas, summed over doses) as an
assignment rule. Fitted release models of other kinds cannot be exported (UserInputError).
The exosci solver applies release as the amount released per hour, so the two agree to the
tolerances stated in the tests, not exactly.
"""

from __future__ import annotations

from typing import Any

import libsbml
import numpy as np

from exosci.errors import UserInputError
from exosci.model.design import Design, Release
from exosci.model.equations import (
    INTERMEDIATES,
    STATES,
    derive,
    initial_state,
    parameter_names,
)
from exosci.model.parameters import ParameterTable
from exosci.model.solver import H

_ENTRY = {"intravenous": "P", "intranasal": "Nz", "intrathecal": "Cs", "local": "El"}
_INPUT = {"intravenous": "u_P", "intranasal": "u_N", "intrathecal": "u_C", "local": "u_les"}


def _rate_formula(rel: Release, tau: str) -> str:
    p = rel.params
    if rel.model == "first_order":
        k = p["k"]
        body = f"{k!r} * exp(-{k!r} * {tau})"
    elif rel.model == "weibull":
        tau0, beta = p["tau"], p["beta"]
        x = f"(({tau}) / {tau0!r})"
        body = f"({beta!r} / {tau0!r}) * pow({x}, {beta - 1!r}) * exp(-pow({x}, {beta!r}))"
    elif rel.model == "korsmeyer_peppas":
        k, n = p["k"], p["n"]
        body = f"piecewise({k * n!r} * pow({tau}, {n - 1!r}), {k!r} * pow({tau}, {n!r}) < 1, 0)"
    else:
        raise UserInputError(
            f"SBML export: release model {rel.model!r} is not expressible; accepted: "
            "first_order, weibull, korsmeyer_peppas (export the default carrier release instead)."
        )
    return f"piecewise({rel.retained!r} * {body}, {tau} > 0, 0)"


def _check(status: int, what: str) -> None:
    if status != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(
            f"libsbml failed on {what}: {libsbml.OperationReturnValue_toString(status)}"
        )


def _math(formula: str) -> Any:
    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise RuntimeError(f"cannot parse {formula!r}: {libsbml.getLastParseL3Error()}")
    return ast


def to_sbml(design: Design, *, table: ParameterTable | None = None) -> str:
    """SBML Level 3 Version 1 of the calibrated model (posterior medians), for ``design``."""
    if table is None:
        from exosci.model.posterior import calibrated_table

        table = calibrated_table()
    p = derive(table.nominal(), design)
    doc = libsbml.SBMLDocument(3, 1)
    model = doc.createModel()
    model.setId("exosci_sci_therapy")
    model.setName(f"exosci SCI therapy model: {design.label or 'design'} (MODEL, nominal)")
    model.setTimeUnits("dimensionless")
    comp = model.createCompartment()
    for call in (comp.setId("body"), comp.setConstant(True), comp.setSize(1.0)):
        _check(call, "compartment")
    y0 = initial_state(p, design, 1)
    for st in STATES:
        sp = model.createSpecies()
        sp.setId(st.name)
        sp.setName(f"{st.description} [{st.unit}]")
        sp.setCompartment("body")
        sp.setInitialAmount(float(y0[st.name][0]))
        sp.setHasOnlySubstanceUnits(True)
        sp.setBoundaryCondition(False)
        sp.setConstant(False)
    for name in parameter_names():
        par = model.createParameter()
        par.setId(name)
        par.setValue(float(np.asarray(p[name])))
        par.setConstant(True)
    derived = [n for n, _ in INTERMEDIATES] + ["u_P", "u_N", "u_C", "u_les"]
    for name in derived:
        par = model.createParameter()
        par.setId(name)
        par.setConstant(False)
        par.setValue(0.0)
    rel = design.release
    dose = design.dose_ug
    times = [k * H for k in design.dose_steps()]  # the same 1-h grid as the solver
    inputs = dict.fromkeys(("u_P", "u_N", "u_C", "u_les"), "0")
    if rel is not None and dose > 0:
        terms = [_rate_formula(rel, f"(time - {t!r})") for t in times]
        inputs[_INPUT[design.route]] = f"{dose!r} * ({' + '.join(terms)})"
    for name, formula in [*INTERMEDIATES, *inputs.items()]:
        rule = model.createAssignmentRule()
        rule.setVariable(name)
        _check(rule.setMath(_math(formula)), f"rule {name}")
    for st in STATES:
        rule = model.createRateRule()
        rule.setVariable(st.name)
        _check(rule.setMath(_math(st.rate)), f"rate {st.name}")
    bolus = dose if rel is None else dose * (1.0 - rel.retained)
    if bolus > 0:
        target = _ENTRY[design.route]
        for i, t in enumerate(times):
            ev = model.createEvent()
            ev.setId(f"dose_{i + 1}")
            ev.setUseValuesFromTriggerTime(True)
            trig = ev.createTrigger()
            trig.setInitialValue(False)
            trig.setPersistent(True)
            trig.setMath(_math(f"time >= {t!r}"))
            ea = ev.createEventAssignment()
            ea.setVariable(target)
            ea.setMath(_math(f"{target} + {bolus!r}"))
    return str(libsbml.writeSBMLToString(doc))


def validate_sbml(text: str) -> list[str]:
    """libsbml consistency check; returns the error messages (empty when valid)."""
    doc = libsbml.readSBMLFromString(text)
    doc.checkConsistency()
    errs = []
    for i in range(doc.getNumErrors()):
        e = doc.getError(i)
        if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            errs.append(f"{e.getErrorId()}: {e.getMessage().strip()}")
    return errs
