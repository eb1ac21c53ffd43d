"""refcli's corrections towards citeproc-js, by CSL node family: each module
subclasses the citeproc-py element classes of its family, and
``engine._element_classes`` registers them (with the speed layer,
``csl/speed.py``) in the style parser.

- ``groups``: cs:group and suppression bookkeeping (macros as implicit groups)
- ``names``: cs:names, cs:name, cs:name-part, cs:substitute
- ``dates``: cs:date, cs:date-part
- ``numbers``: cs:number, cs:label, ordinals and page ranges
- ``conditions``: cs:choose, cs:if, cs:else-if
- ``sorting``: cs:sort, cs:key
- ``text``: cs:text, locale terms, display blocks and "normal" decorations
"""
