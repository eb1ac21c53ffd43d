"""refcli: a command-line reference and citation manager.

The one data model everywhere is the CSL-JSON item (a plain ``dict``): readers
produce it, the store keeps it, citeproc-py formats it and writers emit it.
refcli's own bookkeeping lives in the item's ``custom`` object.
"""

__version__ = "0.1.0"
