"""One CSL vocabulary (refcli.vocabulary) for every module that names CSL types and variables."""

from refcli import dedupe, doctor, resolve, vocabulary
from refcli.formats import csljson


def test_the_lists_are_the_specifications():
    assert len(vocabulary.NAME_VARIABLES) == len(set(vocabulary.NAME_VARIABLES)) == 26
    assert len(vocabulary.TYPES) == 45
    groups = [set(vocabulary.NAME_VARIABLES), set(vocabulary.DATE_VARIABLES),
              vocabulary.NUMBER_VARIABLES, vocabulary.STANDARD_VARIABLES]
    assert sum(map(len, groups)) == len(vocabulary.VARIABLES)  # no variable in two groups


def test_every_module_uses_the_one_vocabulary():
    assert csljson.NAME_VARS is vocabulary.NAME_VARIABLES
    assert set(vocabulary.NAME_VARIABLES) == dedupe._NAME_FIELDS
    assert vocabulary.VARIABLES - {"license"} <= resolve.CSL_FIELDS


def test_dedupe_compares_every_name_variable_as_names():
    # chair, compiler and curator were compared as raw lists: an accent made two values differ.
    for field in ("chair", "compiler", "curator", "author"):
        assert dedupe._same_value([{"family": "Müller", "given": "Anna"}],
                                  [{"family": "Muller", "given": "Anna"}], field), field


def test_a_registry_answer_keeps_its_issue(doi_server):
    item = resolve.fetch("10.1016/S0140-6736(20)30183-5")
    assert item["issue"] == "10223" and item["volume"] == "395"


def test_doctor_knows_every_csl_type():
    assert doctor.check([{"id": "k", "type": "bogus", "title": "T"}])[0].kind == "bad-type"
    for kind in vocabulary.TYPES:
        assert not [f for f in doctor.check([{"id": "k", "type": kind, "title": "T"}]) if f.kind == "bad-type"]
