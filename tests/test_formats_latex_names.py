"""LaTeX <-> Unicode and BibTeX name grammar (refcli.formats.latex / .names)."""

from __future__ import annotations

import pytest

from refcli.formats.latex import latex_to_unicode, unicode_to_latex
from refcli.formats.names import format_names, parse_names


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (r"M{\"u}ller", "Müller"),
        (r"\"{u}ber", "über"),
        (r"caf\'e", "café"),
        (r"Fran\c{c}ois", "François"),
        (r"Stra\ss e", "Straße"),
        (r"Stra{\ss}e", "Straße"),
        (r"{\v{S}}t\v{e}p\'an", "Štěpán"),
        (r"Garc{\'\i}a", "García"),
        (r"{\O}rsted and {\aa}", "Ørsted and å"),
        (r"Ma\l{}gorzata", "Małgorzata"),
        (r"pages 5--25 and 1---2", "pages 5–25 and 1—2"),
        ("Phys.~Rev.~{B}", "Phys. Rev. B"),
        (r"Smith \& Sons, 50\% off, \$5, \#1, a\_b", "Smith & Sons, 50% off, $5, #1, a_b"),
        (r"$\alpha$-stable laws", "α-stable laws"),
        (r"$x^2 + y_1$", "x²+y₁"),
        (r"{DNA} repair in {{Bayesian}} models", "DNA repair in Bayesian models"),
        (r"\emph{in vivo} and \textbf{bold}", "in vivo and bold"),
        ("``quoted''", "“quoted”"),
        ("a\n   b", "a b"),
        (r"\LaTeX\ rocks", "LaTeX rocks"),
    ],
)
def test_latex_to_unicode(raw: str, text: str) -> None:
    assert latex_to_unicode(raw) == text


def test_unknown_macro_falls_back_to_pylatexenc() -> None:
    assert latex_to_unicode(r"\unknownmacro{Word} end") .endswith("end")
    assert "\\" not in latex_to_unicode(r"\unknownmacro{Word} end")


def test_deep_braces_decode() -> None:
    assert latex_to_unicode("{" * 10000 + "x" + "}" * 10000) == "x"


def test_unicode_to_latex_escapes_specials_and_breaks_ligatures() -> None:
    assert unicode_to_latex("50% & $5 #1 a_b {x} ~ ^ \\") == (
        r"50\% \& \$5 \#1 a\_b \textbraceleft{}x\textbraceright{} \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )
    assert unicode_to_latex("a--b") == "a-{}-b"
    assert unicode_to_latex("Müller") == "Müller"  # UTF-8 is written as is


def test_case_protection_rule() -> None:
    out = unicode_to_latex("DNA of the iPhone in Deep A McDonald 3D", protect_case=True)
    assert out == "{DNA} of the {iPhone} in {Deep} {A} {McDonald} {3D}"
    # a title's plain first word needs no braces: styles capitalise it anyway
    assert unicode_to_latex("Deep Learning", protect_case=True) == "Deep {Learning}"


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        (
            "van der Maaten, Laurens and Hinton, Geoffrey and {World Health Organization}",
            [
                {"family": "Maaten", "given": "Laurens", "non-dropping-particle": "van der"},
                {"family": "Hinton", "given": "Geoffrey"},
                {"literal": "World Health Organization"},
            ],
        ),
        ("Ludwig van Beethoven", [{"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}]),
        ("Jean de La Fontaine", [{"family": "La Fontaine", "given": "Jean", "non-dropping-particle": "de"}]),
        ("King, Jr., Martin Luther", [{"family": "King", "given": "Martin Luther", "suffix": "Jr."}]),
        ("Donald E. Knuth", [{"family": "Knuth", "given": "Donald E."}]),
        (r"{\"U}nal, Ay{\c{s}}e", [{"family": "Ünal", "given": "Ayşe"}]),
        ("J.~R.~R. Tolkien", [{"family": "Tolkien", "given": "J. R. R."}]),
        ("{Barnes and Noble}", [{"literal": "Barnes and Noble"}]),
        ("Smith, John AND Doe, Jane", [{"family": "Smith", "given": "John"}, {"family": "Doe", "given": "Jane"}]),
        ("{de Gaulle}, Charles", [{"family": "de Gaulle", "given": "Charles"}]),
    ],
)
def test_parse_names(raw: str, names: list[dict]) -> None:
    parsed, truncated = parse_names(raw)
    assert parsed == names
    assert truncated is False


def test_and_others_marks_truncation() -> None:
    names, truncated = parse_names("Sch{\\\"o}lkopf, Bernhard and others")
    assert names == [{"family": "Schölkopf", "given": "Bernhard"}]
    assert truncated is True


def test_format_names_places_particles_suffix_and_braces() -> None:
    out = format_names(
        [
            {"family": "Maaten", "given": "Laurens", "non-dropping-particle": "van der"},
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
            {"literal": "World Health Organization"},
            {"family": "Garcia Marquez", "given": "Gabriel"},
            {"family": "Müller & Co", "given": "A."},
        ],
        truncated=True,
    )
    assert out == (
        "van der Maaten, Laurens and King, Jr., Martin Luther and "
        "{World Health Organization} and Garcia Marquez, Gabriel and {Müller \\& Co}, A. and others"
    )
    assert parse_names(out)[0][-1] == {"family": "Müller & Co", "given": "A."}
