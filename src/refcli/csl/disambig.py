"""citeproc-js's cite-level disambiguation, step for step (``CSL.Disambiguation``).

Why a port and not CSL 1.0.2's prose: for styles whose givenname rule is
``by-cite`` (MLA, Chicago notes, Harvard…) Zotero's output depends on the exact
search citeproc-js runs over each group of ambiguous cites — a forward-only
counter of shown names and per-name given-name levels, lists of still-clashing
cites processed in turn, and a mode index (names → year suffix → the
``disambiguate`` condition) that is *not* reset between lists.  So a cite that
names already separated can still get its title added (MLA "(Chen, Dubois, et
al., “Title”)"), and a later list starts from the counters the previous one
left ("(Brown, João Silva, Nguyen, Brown, et al.)").  Reproducing those strings
needs the same steps; the method names below are citeproc-js's.

A configuration is ``{"names": shown names, "givens": [level per name],
"disambiguate": level, "year_suffix": n | None}`` for the first name list of a
cite (citeproc-js's nameset 0; our styles have one).
"""

from __future__ import annotations

import copy
from collections.abc import Callable


def _config(names: int) -> dict:
    return {"names": names, "givens": [0] * names, "disambiguate": 0, "year_suffix": None}


def _pad(config: dict) -> None:
    """citeproc-js's padBase: a given-name level for every shown name."""
    while len(config["givens"]) < config["names"]:
        config["givens"].append(0)


class CiteDisambiguation:
    """Run one group of cites that render alike (an "akey" in citeproc-js).

    ``render(key, config)`` returns the cite as compared for ambiguity and the
    number of ``disambiguate`` tests it evaluated; ``shown(key)`` the number of
    names the cite shows by default and ``total(key)`` how many it has;
    ``bib_order(key)`` the bibliography position (for year suffixes).
    Results land in ``self.registry``: key -> configuration.
    """

    def __init__(self, modes: list[str], add_names: bool, givens_max: int | None,
                 render: Callable[[str, dict], tuple[str, tuple[int, int]]], shown: Callable[[str], int],
                 total: Callable[[str], int], bib_order: Callable[[str], int]) -> None:
        self.modes = modes
        self.add_names = add_names
        self.givens_max = givens_max
        self.render = render
        self.shown = shown
        self.total = total
        self.bib_order = bib_order
        self.registry: dict[str, dict] = {}

    # -- set-up (initVars) -------------------------------------------------------

    def run(self, group: list[str]) -> None:
        if not self.modes or len(group) < 2:
            return
        first = group[0]
        self.base = _config(self.shown(first))
        for key in group[1:]:
            self.base["names"] = max(self.base["names"], self.shown(key))
        _pad(self.base)
        self.betterbase = copy.deepcopy(self.base)
        # citeproc-js sorts by the max-names array compared as a JS string ("12" < "7")
        items = sorted(group, key=lambda k: (str(self.total(k)), k))
        self.lists: list[list] = [[self.base, items]]
        self.names_max = self.total(items[0]) or None
        self.modeindex = 0
        self.counts = (0, 0)
        self.run_disambig()

    def run_disambig(self) -> None:
        self.init_givens = True
        while self.lists:
            self.gname = 0
            self.clashes = [1, 0]
            while self.lists[0][1]:
                self.listpos = 0
                ismax = self.increment()
                self.scan(self.lists[0])
                self.eval_scan(ismax)
            self.lists = self.lists[1:]

    def register(self, key: str, config: dict) -> None:
        self.registry[key] = copy.deepcopy(config)

    # -- one step ------------------------------------------------------------------

    def scan(self, lst: list) -> None:
        items = lst[1]
        self.item = items[0]
        cite, self.counts = self.render(self.item, self.base)
        self.partners, self.nonpartners = [self.item], []
        clashes = 0
        for other in items[1:]:
            text, self.counts = self.render(other, self.base)
            if text == cite:
                clashes += 1
                self.partners.append(other)
            else:
                self.nonpartners.append(other)
        self.clashes = [self.clashes[1], clashes]

    def eval_scan(self, maxed: bool) -> None:
        getattr(self, "dis_" + self.modes[self.modeindex])(maxed)
        if maxed:
            if self.modeindex < len(self.modes) - 1:
                self.modeindex += 1
            else:
                self._set_list(self.listpos + 1, [self.base, []])

    def _set_list(self, pos: int, value: list) -> None:
        if pos < len(self.lists):
            self.lists[pos] = value
        else:
            self.lists.append(value)

    def increment(self) -> bool:
        """incrementDisambig: one more given-name level, else one more name."""
        if self.init_givens:
            self.init_givens = False
            return False
        base = self.base
        mode = self.modes[self.modeindex]
        if mode == "names":
            givens = base["givens"]
            increment_names = self.givens_max is None
            if self.givens_max is not None:
                if self.gname < len(givens) and givens[self.gname] < self.givens_max:
                    givens[self.gname] += 1
                else:
                    increment_names = True
            if self.names_max is not None and increment_names and self.add_names \
                    and self.gname < self.names_max:
                base["names"] += 1
                self.gname += 1
                _pad(base)
            return ((not self.add_names or self.names_max is None or self.gname == self.names_max)
                    and (self.givens_max is None or self.gname >= len(base["givens"])
                         or base["givens"][self.gname] == self.givens_max))
        if mode == "extra":
            base["disambiguate"] += 1
            self.betterbase["disambiguate"] += 1
        return False

    def capture(self) -> None:
        """captureStepToBase: keep the step just taken."""
        if self.givens_max is not None and self.gname < len(self.base["givens"]):
            bg = self.betterbase["givens"]
            while len(bg) <= self.gname:
                bg.append(0)
            bg[self.gname] = self.base["givens"][self.gname]
        self.betterbase["names"] = self.base["names"]

    # -- modes ---------------------------------------------------------------------

    def dis_names(self, ismax: bool) -> None:
        if self.clashes[1] == 0 and len(self.nonpartners) == 1:
            self.capture()
            self.register(self.nonpartners[0], self.betterbase)
            self.register(self.partners[0], self.betterbase)
            self.lists[self.listpos] = [self.betterbase, []]
        elif self.clashes[1] == 0:
            self.capture()
            self.register(self.partners[0], self.betterbase)
            self.lists[self.listpos] = [self.betterbase, self.nonpartners]
            if self.nonpartners:
                self.init_givens = True
        elif len(self.nonpartners) == 1:
            self.capture()
            self.register(self.nonpartners[0], self.betterbase)
            self.lists[self.listpos] = [self.betterbase, self.partners]
        elif self.clashes[1] < self.clashes[0]:
            self.capture()
            self.lists[self.listpos] = [self.betterbase, self.partners]
            self.lists.append([self.betterbase, self.nonpartners])
        elif ismax:
            self.lists[self.listpos] = [self.betterbase, self.nonpartners]
            self.lists.append([self.betterbase, self.partners])
            if self.modeindex == len(self.modes) - 1:
                for key in self.partners:
                    self.register(key, self.betterbase)
                self.lists[self.listpos] = [self.betterbase, []]

    def dis_extra(self, ismax: bool) -> None:
        """disExtraText: switch the ``disambiguate`` condition on, level by level."""
        count, max_max = self.counts
        done = self.clashes[1] == 0 and len(self.nonpartners) < 2
        if not done and (not self.base["disambiguate"] or count != max_max):
            self.modeindex = 0
            self.base["disambiguate"] = count
            self.betterbase["disambiguate"] = count
            if not self.base["disambiguate"]:
                self.init_givens = True
                self.base["disambiguate"] = 1
            else:
                self.dis_names(False)
        elif done or count == max_max:
            if done or self.modeindex == len(self.modes) - 1:
                base = self.lists[self.listpos][0]
                for key in self.lists[self.listpos][1]:
                    self.register(key, base)
                self.lists[self.listpos] = [self.betterbase, []]
            else:
                self.modeindex = len(self.modes) - 1
                base = self.lists[self.listpos][0]
                base["disambiguate"] = True
                for key in self.lists[self.listpos][1]:
                    self.register(key, base)

    def dis_years(self, ismax: bool) -> None:
        base = self.lists[self.listpos][0]
        tokens = sorted(self.lists[self.listpos][1], key=self.bib_order) if self.clashes[1] else []
        for pos, key in enumerate(tokens):
            base["year_suffix"] = pos
            self.register(key, base)
        self.lists[self.listpos] = [self.betterbase, []]
