"""The state of one rendering run, shared by the corrected node classes
(``csl/nodes/``) and the run that drives them (``process.py``).

Each value is a context variable: a run sets it, renders, and resets it, so
two runs in two threads (or two contexts) never see each other's state.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from types import MappingProxyType

from refcli.csl.names import GivenNameRegister

_EMPTY: Mapping = MappingProxyType({})

# Per-render disambiguation state: key -> {"names": n, "given": level, "cond": bool}
DISAMB: contextvars.ContextVar[Mapping] = contextvars.ContextVar("refcli_csl_disamb", default=_EMPTY)
# Option overrides for the cs:name being rendered (set by Name.process).
NAME_OVERRIDES: contextvars.ContextVar[Mapping] = contextvars.ContextVar("refcli_csl_nameopt", default=_EMPTY)
# While a cs:substitute renders: (the cs:names it substitutes for, list of (tag, variable) used).
SUBST: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("refcli_csl_subst", default=None)
# The cs:group being rendered: did it call variables, did any render? (CSL §Group)
GROUP: contextvars.ContextVar[dict | None] = contextvars.ContextVar("refcli_csl_group", default=None)
# The run's register of names rendered (names.GivenNameRegister), set by process.Processor
NAMEREG: contextvars.ContextVar[GivenNameRegister | None] = contextvars.ContextVar("refcli_csl_namereg", default=None)
# True while a cite is rendered only to judge ambiguity: citeproc-js's
# getAmbiguousCite ("just_looking") leaves accessed dates out
LOOKING: contextvars.ContextVar[bool] = contextvars.ContextVar("refcli_csl_looking", default=False)
# subsequent-author-substitute bookkeeping for the bibliography entry being rendered.
SAS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("refcli_csl_sas", default=None)
# Per rendered cite/entry: [disambiguate tests passed, disambiguate tests evaluated]
DISAMB_COUNT: contextvars.ContextVar[list | None] = contextvars.ContextVar("refcli_csl_dcount", default=None)
# Rendered cite bodies for first-position cites: (key, state) -> (text, disambiguate
# counts, first names), set by process.Processor for one run so a many-item
# citation reuses single cites.
CITE_PARTS: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("refcli_csl_parts", default=None)
# disambiguate tests (passed, evaluated) of the last cite body rendered or reused
LAST_COUNTS: contextvars.ContextVar[tuple[int, int]] = contextvars.ContextVar("refcli_csl_last_counts",
                                                                              default=(0, 0))
