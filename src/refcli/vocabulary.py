"""The CSL-JSON vocabulary refcli stores: the item type and CSL 1.0.2's item types and
variables, written once for every module that needs to know them.

Source: the CSL 1.0.2 specification, appendices III (types) and IV (variables),
https://docs.citationstyles.org/en/stable/specification.html. A variable added
here reaches every reader, writer and check at once, so the lists cannot drift
apart (``dedupe`` once compared only 13 of the 26 name variables as names).
"""

from __future__ import annotations

from typing import Any, TypeAlias

# One work as CSL-JSON: the one data model, read and written by every module.
Item: TypeAlias = dict[str, Any]

TYPES = frozenset("""
article article-journal article-magazine article-newspaper bill book broadcast chapter
classic collection dataset document entry entry-dictionary entry-encyclopedia event
figure graphic hearing interview legal_case legislation manuscript map motion_picture
musical_score pamphlet paper-conference patent performance periodical personal_communication
post post-weblog regulation report review review-book software song speech standard thesis
treaty webpage
""".split())

# The commonest first: readers and checks visit them in this order.
NAME_VARIABLES = (
    "author", "editor", "translator", "container-author", "collection-editor", "composer",
    "director", "interviewer", "illustrator", "original-author", "recipient",
    "reviewed-author", "editorial-director", "chair", "compiler", "contributor", "curator",
    "executive-producer", "guest", "host", "narrator", "organizer", "performer",
    "producer", "script-writer", "series-creator",
)

DATE_VARIABLES = ("issued", "accessed", "event-date", "original-date", "submitted", "available-date")

NUMBER_VARIABLES = frozenset("""
chapter-number citation-number collection-number edition first-reference-note-number issue
locator number number-of-pages number-of-volumes page page-first part-number printing-number
section supplement-number version volume
""".split())

STANDARD_VARIABLES = frozenset("""
abstract annote archive archive_collection archive_location archive-place authority
call-number citation-key citation-label collection-title container-title
container-title-short dimensions division DOI event event-title event-place genre ISBN ISSN
jurisdiction keyword language license medium note original-publisher
original-publisher-place original-title part-title PMCID PMID publisher publisher-place
references reviewed-genre reviewed-title scale source status title title-short URL
volume-title year-suffix
""".split())

# The keys of one name object (CSL-JSON schema), beside which nothing is a name part.
NAME_PARTS = ("family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle")

VARIABLES = frozenset(NAME_VARIABLES) | frozenset(DATE_VARIABLES) | NUMBER_VARIABLES | STANDARD_VARIABLES
