"""A labelled set for deduplication, built from real bibliographic facts.

Each group is one work (as published) and holds the records of it that real
libraries carry: messy spellings of one work are in one group, and every pair
of records from two groups is two distinct works. The traps of issue 12 are here
as groups of their own that sit next to each other: parts and sequels, volumes,
editions, proceedings volumes, preprint and published version, retraction
notice and paper, erratum and article, thesis and article, conference and journal
version, chapter and book, same-titled pieces, generic titles, DOI conflicts.

Facts (titles, authors, journals, volumes, pages, DOIs) are those of the
published works; the spelling variants are the ones reference exports produce
(LaTeX escapes, abbreviations, initials, ``and others``, transliteration …).

``RELATED`` lists pairs of works a bibliographer links rather than merges, with
the relation expected on the first work's record.
"""

from __future__ import annotations

from typing import Any

Item = dict[str, Any]


def names(*people: str | dict[str, str]) -> list[dict[str, str]]:
    """``"Family, Given"`` → a CSL name; ``"{Group name}"`` → a literal; a dict as it is."""
    out = []
    for p in people:
        if isinstance(p, dict):
            out.append(p)
        elif p.startswith("{"):
            out.append({"literal": p.strip("{}")})
        elif "," in p:
            family, given = (s.strip() for s in p.split(",", 1))
            out.append({"family": family, "given": given} if given else {"family": family})
        else:
            out.append({"family": p})
    return out


def rec(type_: str, title: str, authors: list[Any] | None, year: int | None, **fields: Any) -> Item:
    item: Item = {"type": type_, "title": title}
    if authors:
        item["author"] = names(*authors)
    if year is not None:
        item["issued"] = {"date-parts": [[year]]}
    for k, v in fields.items():
        if v is not None:
            item[{"container": "container-title", "doi": "DOI", "editors": "editor"}.get(k, k)] = (
                names(*v) if k == "editors" else v)
    return item


def art(title: str, authors: list[Any] | None, year: int | None, container: str | None = None,
        **fields: Any) -> Item:
    return rec("article-journal", title, authors, year, container=container, **fields)


LECUN = ["LeCun, Yann", "Bengio, Yoshua", "Hinton, Geoffrey"]
SHANNON = ["Shannon, Claude E."]
GOODFELLOW = ["Goodfellow, Ian", "Pouget-Abadie, Jean", "Mirza, Mehdi", "Xu, Bing",
              "Warde-Farley, David", "Ozair, Sherjil", "Courville, Aaron", "Bengio, Yoshua"]
WAKEFIELD = ["Wakefield, A. J.", "Murch, S. H.", "Anthony, A.", "Linnell, J.", "Casson, D. M.",
             "Malik, M.", "Berelowitz, M.", "Dhillon, A. P.", "Thomson, M. A.", "Harvey, P.",
             "Valentine, A.", "Davies, S. E.", "Walker-Smith, J. A."]
PRISMA = ["Moher, David", "Liberati, Alessandro", "Tetzlaff, Jennifer", "Altman, Douglas G."]
KRIZHEVSKY = ["Krizhevsky, Alex", "Sutskever, Ilya", "Hinton, Geoffrey E."]
CORMEN = ["Cormen, Thomas H.", "Leiserson, Charles E.", "Rivest, Ronald L.", "Stein, Clifford"]
MISQ = "MIS Quarterly"

GROUPS: list[tuple[str, list[Item]]] = [
    # ---------------------------------------------------------------- true duplicates, messy
    ("lecun2015", [
        art("Deep learning", LECUN, 2015, "Nature", volume="521", issue="7553", page="436-444",
            doi="10.1038/nature14539"),
        art("Deep Learning", ["LeCun, Y.", "Bengio, Y.", "Hinton, G."], 2015, "Nature", volume="521",
            page="436-44"),
        art("Deep learning", ["LeCun, Yann"], 2015, "Nature", doi="https://doi.org/10.1038/NATURE14539",
            custom={"etal": ["author"]}),
    ]),
    ("he2016", [
        rec("paper-conference", "Deep residual learning for image recognition",
            ["He, Kaiming", "Zhang, Xiangyu", "Ren, Shaoqing", "Sun, Jian"], 2016,
            container="Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)",
            page="770-778", doi="10.1109/CVPR.2016.90"),
        rec("paper-conference", "Deep Residual Learning for Image Recognition",
            ["He, K.", "Zhang, X.", "Ren, S.", "Sun, J."], 2016,
            container="Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition",
            page="770--778"),
    ]),
    ("godel1931", [
        art("Über formal unentscheidbare Sätze der Principia Mathematica und verwandter Systeme I",
            ["Gödel, Kurt"], 1931, "Monatshefte für Mathematik und Physik", volume="38", page="173-198",
            doi="10.1007/BF01700692"),
        art("{\\\"U}ber formal unentscheidbare S{\\\"a}tze der {Principia Mathematica} und verwandter Systeme {I}",
            ["Goedel, K."], 1931, "Monatshefte f{\\\"u}r Mathematik und Physik", volume="38", page="173--98"),
        art("Uber formal unentscheidbare Satze der Principia Mathematica und verwandter Systeme I",
            ["Godel, Kurt"], 1931, "Monatsh. Math. Phys.", volume="38"),
    ]),
    ("vandermaaten2008", [
        art("Visualizing data using t-SNE", ["van der Maaten, Laurens", "Hinton, Geoffrey"], 2008,
            "Journal of Machine Learning Research", volume="9", issue="86", page="2579-2605"),
        art("Visualizing Data using t-SNE",
            [{"family": "Maaten", "given": "Laurens", "non-dropping-particle": "van der"}, "Hinton, G."],
            2008, "J. Mach. Learn. Res.", volume="9", page="2579-605"),
    ]),
    ("watson1953", [
        art("Molecular structure of nucleic acids: a structure for deoxyribose nucleic acid",
            ["Watson, J. D.", "Crick, F. H. C."], 1953, "Nature", volume="171", issue="4356",
            page="737-738", doi="10.1038/171737a0"),
        art("Molecular structure of nucleic acids", ["Watson, James D.", "Crick, Francis H. C."], 1953,
            "Nature", volume="171", page="737-8"),
    ]),
    ("kahneman1979", [
        art("Prospect theory: an analysis of decision under risk", ["Kahneman, Daniel", "Tversky, Amos"],
            1979, "Econometrica", volume="47", issue="2", page="263-291", doi="10.2307/1914185"),
        art("Prospect Theory: An Analysis of Decision under Risk", ["Daniel, Kahneman", "Amos, Tversky"],
            1979, "Econometrica", volume="47", issue="2", page="263-91"),
        art("PROSPECT THEORY - ANALYSIS OF DECISION UNDER RISK", ["KAHNEMAN, D", "TVERSKY, A"], 1979,
            "ECONOMETRICA", volume="47", issue="2", page="263-291"),
    ]),
    ("lucas1976", [
        art("Econometric policy evaluation: a critique", ["Lucas Jr, Robert E."], 1976,
            "Carnegie-Rochester Conference Series on Public Policy", volume="1", page="19-46",
            doi="10.1016/S0167-2231(76)80003-6"),
        art("Econometric policy evaluation: A critique",
            [{"family": "Lucas", "given": "Robert E.", "suffix": "Jr."}],
            1976, "Carnegie-Rochester Conf. Ser. Public Policy", volume="1", page="19-46"),
        art("Econometric Policy Evaluation: A Critique", ["Lucas, R. E., Jr."], 1976,
            "Carnegie-Rochester Conference Series on Public Policy", volume="1"),
    ]),
    ("who2020", [
        rec("report", "Report of the WHO-China Joint Mission on Coronavirus Disease 2019 (COVID-19)",
            ["{World Health Organization}"], 2020, publisher="World Health Organization"),
        rec("report", "Report of the WHO-China joint mission on coronavirus disease 2019 (COVID-19)",
            ["{WHO}"], 2020, publisher="WHO"),
    ]),
    ("lotman1970", [
        rec("book", "Структура художественного текста", ["Лотман, Юрий Михайлович"], 1970,
            publisher="Искусство", **{"publisher-place": "Москва"}),
        rec("book", "Struktura khudozhestvennogo teksta", ["Lotman, Yu. M."], 1970, publisher="Iskusstvo",
            **{"publisher-place": "Moscow"}),
    ]),
    ("bakhtin1963", [
        rec("book", "Проблемы поэтики Достоевского", ["Бахтин, Михаил Михайлович"], 1963,
            publisher="Советский писатель"),
        rec("book", "Problemy poetiki Dostoevskogo", ["Bakhtin, M. M."], 1963, publisher="Sovetskii pisatel'"),
    ]),
    ("hopfield1982", [
        art("Neural networks and physical systems with emergent collective computational abilities",
            ["Hopfield, J. J."], 1982, "Proceedings of the National Academy of Sciences of the United States of America",
            volume="79", issue="8", page="2554-2558", doi="10.1073/pnas.79.8.2554"),
        art("Neural networks and physical systems with emergent collective computational abilities",
            ["Hopfield, John J."], 1982, "Proc Natl Acad Sci U S A", volume="79", issue="8", page="2554-8"),
    ]),
    ("vandegraaff1931", [
        art("A 1,500,000 volt electrostatic generator", ["Van de Graaff, R. J."], 1931, "Physical Review",
            volume="38", page="1919-1920"),
        art("A 1,500,000 Volt Electrostatic Generator",
            [{"family": "Graaff", "given": "Robert J.", "non-dropping-particle": "van de"}],
            1931, "Phys. Rev.", volume="38", page="1919-20"),
    ]),
    ("hochreiter1997", [
        art("Long short-term memory", ["Hochreiter, Sepp", "Schmidhuber, Jürgen"], 1997, "Neural Computation",
            volume="9", issue="8", page="1735-1780", doi="10.1162/neco.1997.9.8.1735"),
        art("Long Short-Term Memory", ["Hochreiter, S.", "Schmidhuber, J."], 1997, "Neural Comput.",
            volume="9", issue="8", page="1735-80", doi="doi:10.1162/NECO.1997.9.8.1735"),
        art("Long short-term memory", ["Hochreiter, Sepp", "Schmidhuber, J{\\\"u}rgen"], 1997,
            "Neural computation", volume="9", issue="8", page="1735--1780"),
    ]),
    ("rumelhart1986", [
        art("Learning representations by back-propagating errors",
            ["Rumelhart, David E.", "Hinton, Geoffrey E.", "Williams, Ronald J."], 1986, "Nature",
            volume="323", issue="6088", page="533-536", doi="10.1038/323533a0"),
        art("Learning representations by backpropagating errors", ["Rumelhart, D. E.", "Hinton, G. E.",
            "Williams, R. J."], 1986, "Nature", volume="323", page="533-6"),
    ]),
    ("breiman2001", [
        art("Random forests", ["Breiman, Leo"], 2001, "Machine Learning", volume="45", issue="1", page="5-32",
            doi="10.1023/A:1010933404324"),
        art("Random Forests", ["Breiman, L."], 2001, "Mach. Learn.", volume="45", issue="1", page="5-32"),
    ]),
    ("cohen1960", [
        art("A coefficient of agreement for nominal scales", ["Cohen, Jacob"], 1960,
            "Educational and Psychological Measurement", volume="20", issue="1", page="37-46",
            doi="10.1177/001316446002000104"),
        art("A Coefficient of Agreement for Nominal Scales", ["Cohen, J."], 1960, "Educ. Psychol. Meas.",
            volume="20", page="37-46"),
    ]),
    ("higgins2002", [
        art("Quantifying heterogeneity in a meta-analysis", ["Higgins, Julian P. T.", "Thompson, Simon G."], 2002,
            "Statistics in Medicine", volume="21", issue="11", page="1539-1558", doi="10.1002/sim.1186"),
        art("Quantifying heterogeneity in a meta-analysis", ["Higgins, J. P.", "Thompson, S. G."], 2002,
            "Stat Med", volume="21", issue="11", page="1539-58", PMID="12111919"),
    ]),
    ("moher2009plos", [
        art("Preferred reporting items for systematic reviews and meta-analyses: the PRISMA statement",
            PRISMA, 2009, "PLoS Medicine", volume="6", issue="7", page="e1000097",
            doi="10.1371/journal.pmed.1000097"),
        art("Preferred Reporting Items for Systematic Reviews and Meta-Analyses: The PRISMA Statement",
            ["Moher, D.", "Liberati, A.", "Tetzlaff, J.", "Altman, D. G.", "{The PRISMA Group}"], 2009,
            "PLoS Med", volume="6", issue="7", page="e1000097"),
        art("Preferred reporting items for systematic reviews and meta-analyses: the PRISMA statement",
            ["Moher, D."], 2009, "PLoS Med.", volume="6", custom={"etal": ["author"]}),
    ]),
    ("lowry1951", [
        art("Protein measurement with the Folin phenol reagent",
            ["Lowry, Oliver H.", "Rosebrough, Nira J.", "Farr, A. Lewis", "Randall, Rose J."], 1951,
            "Journal of Biological Chemistry", volume="193", issue="1", page="265-275"),
        art("Protein measurement with the folin phenol reagent", ["Lowry, O. H.", "Rosebrough, N. J.",
            "Farr, A. L.", "Randall, R. J."], 1951, "J Biol Chem", volume="193", issue="1", page="265-75"),
    ]),
    ("laemmli1970", [
        art("Cleavage of structural proteins during the assembly of the head of bacteriophage T4",
            ["Laemmli, U. K."], 1970, "Nature", volume="227", issue="5259", page="680-685",
            doi="10.1038/227680a0"),
        art("Cleavage of Structural Proteins during the Assembly of the Head of Bacteriophage T4",
            ["Laemmli, Ulrich K."], 1970, "Nature", volume="227", page="680-5"),
    ]),
    ("kaplan1958", [
        art("Nonparametric estimation from incomplete observations", ["Kaplan, E. L.", "Meier, Paul"], 1958,
            "Journal of the American Statistical Association", volume="53", issue="282", page="457-481",
            doi="10.1080/01621459.1958.10501452"),
        art("Nonparametric Estimation from Incomplete Observations", ["Kaplan, Edward L.", "Meier, P."], 1958,
            "J. Am. Stat. Assoc.", volume="53", issue="282", page="457-81"),
    ]),
    ("dempster1977", [
        art("Maximum likelihood from incomplete data via the EM algorithm",
            ["Dempster, A. P.", "Laird, N. M.", "Rubin, D. B."], 1977,
            "Journal of the Royal Statistical Society: Series B (Methodological)", volume="39", issue="1",
            page="1-38"),
        art("Maximum Likelihood from Incomplete Data Via the EM Algorithm",
            ["Dempster, Arthur P.", "Laird, Nan M.", "Rubin, Donald B."], 1977,
            "J R Stat Soc Series B", volume="39", issue="1", page="1-38",
            doi="10.1111/j.2517-6161.1977.tb01600.x"),
    ]),
    ("turing1950", [
        art("Computing machinery and intelligence", ["Turing, A. M."], 1950, "Mind", volume="59", issue="236",
            page="433-460", doi="10.1093/mind/LIX.236.433"),
        art("Computing Machinery and Intelligence", ["Turing, Alan M."], 1950, "Mind", volume="LIX",
            page="433-60"),
    ]),
    ("nash1950pnas", [
        art("Equilibrium points in n-person games", ["Nash, John F."], 1950,
            "Proceedings of the National Academy of Sciences", volume="36", issue="1", page="48-49",
            doi="10.1073/pnas.36.1.48"),
        art("Equilibrium Points in N-Person Games", ["Nash, J. F., Jr."], 1950, "PNAS", volume="36",
            page="48-9"),
    ]),
    ("hardin1968", [
        art("The tragedy of the commons", ["Hardin, Garrett"], 1968, "Science", volume="162", issue="3859",
            page="1243-1248", doi="10.1126/science.162.3859.1243"),
        art("Tragedy of the Commons", ["Hardin, G."], 1968, "Science", volume="162", page="1243-8"),
    ]),
    ("granovetter1973", [
        art("The strength of weak ties", ["Granovetter, Mark S."], 1973, "American Journal of Sociology",
            volume="78", issue="6", page="1360-1380", doi="10.1086/225469"),
        art("The Strength of Weak Ties", ["Granovetter, M. S."], 1973, "Am J Sociol", volume="78", issue="6",
            page="1360-80"),
    ]),
    ("akerlof1970", [
        art("The market for \"lemons\": quality uncertainty and the market mechanism", ["Akerlof, George A."],
            1970, "The Quarterly Journal of Economics", volume="84", issue="3", page="488-500",
            doi="10.2307/1879431"),
        art("The Market for Lemons", ["Akerlof, G."], 1970, "Q. J. Econ.", volume="84", page="488-500"),
        art("The market for 'lemons': Quality uncertainty and the market mechanism", ["Akerlof, George"],
            1970, "Quarterly Journal of Economics", volume="84", issue="3", page="488-500"),
    ]),
    ("silver2016", [
        # one record with the online-first year
        art("Mastering the game of Go with deep neural networks and tree search",
            ["Silver, David", "Huang, Aja", "Maddison, Chris J."], 2016, "Nature", volume="529",
            issue="7587", page="484-489", doi="10.1038/nature16961", custom={"etal": ["author"]}),
        art("Mastering the game of Go with deep neural networks and tree search",
            ["Silver, D.", "Huang, A.", "Maddison, C. J.", "Guez, A.", "Sifre, L."], 2015, "Nature",
            volume="529", page="484-489"),
    ]),
    ("vaswani2017", [
        rec("paper-conference", "Attention is all you need",
            ["Vaswani, Ashish", "Shazeer, Noam", "Parmar, Niki", "Uszkoreit, Jakob", "Jones, Llion",
             "Gomez, Aidan N.", "Kaiser, Łukasz", "Polosukhin, Illia"], 2017,
            container="Advances in Neural Information Processing Systems", volume="30"),
        rec("paper-conference", "Attention Is All You Need", ["Vaswani, A.", "Shazeer, N.", "Parmar, N."],
            2017, container="Advances in Neural Information Processing Systems 30 (NIPS 2017)",
            custom={"etal": ["author"]}),
    ]),
    ("shannon1948a", [
        art("A mathematical theory of communication", SHANNON, 1948, "Bell System Technical Journal",
            volume="27", issue="3", page="379-423", doi="10.1002/j.1538-7305.1948.tb01338.x"),
        art("A Mathematical Theory of Communication", ["Shannon, C. E."], 1948, "Bell Syst. Tech. J.",
            volume="27", issue="3", page="379-423"),
    ]),
    ("erratum_lancet", [
        # the same correction notice, titled two ways
        art("Erratum: Global, regional, and national incidence, prevalence, and years lived with disability",
            ["{GBD 2016 Disease and Injury Incidence and Prevalence Collaborators}"], 2017, "The Lancet",
            volume="390", issue="10106", page="e38"),
        art("Global, regional, and national incidence, prevalence, and years lived with disability [Erratum]",
            ["{GBD 2016 Disease and Injury Incidence and Prevalence Collaborators}"], 2017, "Lancet",
            volume="390", issue="10106", page="e38"),
    ]),
    ("coase1937", [
        art("The nature of the firm", ["Coase, R. H."], 1937, "Economica", volume="4", issue="16", page="386-405",
            doi="10.1111/j.1468-0335.1937.tb00002.x"),
        art("The Nature of the Firm", ["Coase, Ronald H."], 1937, "Economica", volume="4", issue="16",
            page="386-405"),
    ]),
    ("arxiv_versions", [
        rec("article", "Adam: A method for stochastic optimization", ["Kingma, Diederik P.", "Ba, Jimmy"], 2014,
            container="arXiv", number="arXiv:1412.6980v1", URL="https://arxiv.org/abs/1412.6980v1"),
        rec("article", "Adam: A Method for Stochastic Optimization", ["Kingma, D. P.", "Ba, J."], 2017,
            URL="http://arxiv.org/abs/1412.6980v9", container="arXiv preprint"),
    ]),

    # ---------------------------------------------------------------- traps: parts and sequels
    ("shannon1948b", [
        art("A mathematical theory of communication", SHANNON, 1948, "Bell System Technical Journal",
            volume="27", issue="4", page="623-656", doi="10.1002/j.1538-7305.1948.tb00917.x"),
    ]),
    ("chandrasekhar1943a", [
        art("Dynamical friction. I. General considerations: the coefficient of dynamical friction",
            ["Chandrasekhar, S."], 1943, "The Astrophysical Journal", volume="97", page="255-262",
            doi="10.1086/144517"),
        art("Dynamical friction I", ["Chandrasekhar, S."], 1943, "ApJ", volume="97"),
    ]),
    ("chandrasekhar1943b", [
        art("Dynamical friction II", ["Chandrasekhar, S."], 1943, "ApJ", volume="97"),
    ]),
    ("chandrasekhar1943c", [
        art("Dynamical friction III", ["Chandrasekhar, S."], 1943, "ApJ", volume="98"),
    ]),
    ("fama1970", [
        art("Efficient capital markets: a review of theory and empirical work", ["Fama, Eugene F."], 1970,
            "The Journal of Finance", volume="25", issue="2", page="383-417"),
    ]),
    ("fama1991", [
        art("Efficient capital markets: II", ["Fama, Eugene F."], 1991, "The Journal of Finance",
            volume="46", issue="5", page="1575-1617"),
    ]),
    ("mommsen1", [rec("book", "The history of Rome, part 1", ["Mommsen, Theodor"], 1854)]),
    ("mommsen2", [rec("book", "The history of Rome, part 2", ["Mommsen, Theodor"], 1854)]),
    ("study1", [rec("report", "National Longitudinal Survey of Youth: study number 1",
                    ["{U.S. Bureau of Labor Statistics}"], 1980)]),
    ("study2", [rec("report", "National Longitudinal Survey of Youth: study number 2",
                    ["{U.S. Bureau of Labor Statistics}"], 1980)]),
    ("study3", [rec("report", "National Longitudinal Survey of Youth: study number 3",
                    ["{U.S. Bureau of Labor Statistics}"], 1980)]),
    ("bgb305", [rec("chapter", "§ 305 Einbeziehung Allgemeiner Geschäftsbedingungen in den Vertrag",
                    ["Basedow, Jürgen"], 2019, container="Münchener Kommentar zum Bürgerlichen Gesetzbuch",
                    volume="2", edition="8")]),
    ("bgb305c", [rec("chapter", "§ 305c Überraschende und mehrdeutige Klauseln",
                     ["Basedow, Jürgen"], 2019, container="Münchener Kommentar zum Bürgerlichen Gesetzbuch",
                     volume="2", edition="8")]),
    ("bgb305short", [rec("chapter", "§ 305 BGB", ["Basedow, J."], 2019, container="MüKo BGB")]),
    ("bgb305cshort", [rec("chapter", "§ 305c BGB", ["Basedow, J."], 2019, container="MüKo BGB")]),
    ("copper1", [art("Electrochemical deposition of copper(I) oxide films", ["Golden, Teresa D.",
                     "Shumsky, Mark G.", "Zhou, Yanchun", "VanderWerf, Rachel A.", "Van Leeuwen, Robert A.",
                     "Switzer, Jay A."], 1996, "Chemistry of Materials", volume="8", page="2499-2504")]),
    ("copper2", [art("Electrochemical deposition of copper(II) oxide films", ["Golden, Teresa D."],
                     1996, "Chemistry of Materials")]),
    ("quarterly4", [rec("report", "Fourth quarterly report on the implementation of the programme",
                        ["{European Commission}"], 2012)]),
    ("quarterly5", [rec("report", "Fifth quarterly report on the implementation of the programme",
                        ["{European Commission}"], 2012)]),

    # ---------------------------------------------------------------- traps: volumes, editions
    ("econometrics1", [rec("book", "Handbook of Econometrics", None, 1983, volume="1",
                           editors=["Griliches, Zvi", "Intriligator, Michael D."], publisher="North-Holland")]),
    ("econometrics2", [rec("book", "Handbook of Econometrics", None, 1984, volume="2",
                           editors=["Griliches, Zvi", "Intriligator, Michael D."], publisher="North-Holland")]),
    ("naacl2019v1", [rec("book", "Proceedings of the 2019 Conference of the North American Chapter of the "
                         "Association for Computational Linguistics: Human Language Technologies, Volume 1 "
                         "(Long and Short Papers)", None, 2019, publisher="Association for Computational Linguistics")]),
    ("naacl2019v2", [rec("book", "Proceedings of the 2019 Conference of the North American Chapter of the "
                         "Association for Computational Linguistics: Human Language Technologies, Volume 2 "
                         "(Industry Papers)", None, 2019, publisher="Association for Computational Linguistics")]),
    ("cormen2", [
        rec("book", "Introduction to Algorithms", CORMEN, 2001, edition="2", publisher="MIT Press",
            ISBN="0-262-03293-7"),
        rec("book", "Introduction to algorithms", ["Cormen, Thomas", "Leiserson, Charles", "Rivest, Ronald",
            "Stein, Clifford"], None, edition="2nd"),
    ]),
    ("cormen3", [
        rec("book", "Introduction to Algorithms", CORMEN, 2009, edition="3", publisher="MIT Press",
            ISBN="978-0-262-03384-8"),
        rec("book", "Introduction to algorithms", ["Cormen, T. H.", "Leiserson, C. E.", "Rivest, R. L.",
            "Stein, C."], 2009, edition="Third", publisher="The MIT Press"),
    ]),
    ("cormen3noyear", [rec("book", "Introduction to algorithms", CORMEN, None)]),
    ("feller1", [rec("book", "An introduction to probability theory and its applications", ["Feller, William"],
                     1968, volume="1", edition="3", publisher="Wiley")]),
    ("feller2", [rec("book", "An introduction to probability theory and its applications", ["Feller, William"],
                     1971, volume="2", edition="2", publisher="Wiley")]),

    # ---------------------------------------------------------------- traps: related works
    ("gan_preprint", [rec("article", "Generative adversarial networks", GOODFELLOW, 2014,
                          container="arXiv", URL="https://arxiv.org/abs/1406.2661",
                          doi="10.48550/arXiv.1406.2661")]),
    ("gan_nips", [rec("paper-conference", "Generative adversarial nets", GOODFELLOW, 2014,
                      container="Advances in Neural Information Processing Systems", volume="27",
                      page="2672-2680")]),
    ("wakefield1998", [art("Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive "
                           "developmental disorder in children", WAKEFIELD, 1998, "The Lancet", volume="351",
                           issue="9103", page="637-641")]),
    ("wakefield_retraction", [art("Retraction—Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and "
                                  "pervasive developmental disorder in children", ["{The Editors of The Lancet}"],
                                  2010, "The Lancet", volume="375", issue="9713", page="445")]),
    ("gbd2016", [art("Global, regional, and national incidence, prevalence, and years lived with disability "
                     "for 328 diseases and injuries for 195 countries, 1990-2016",
                     ["{GBD 2016 Disease and Injury Incidence and Prevalence Collaborators}"], 2017,
                     "The Lancet", volume="390", issue="10100", page="1211-1259")]),
    ("nash_thesis", [rec("thesis", "Non-cooperative games", ["Nash, John Forbes"], 1950,
                         publisher="Princeton University", genre="PhD thesis")]),
    ("nash_annals", [art("Non-cooperative games", ["Nash, John"], 1951, "Annals of Mathematics", volume="54",
                         issue="2", page="286-295", doi="10.2307/1969529")]),
    ("alexnet_nips", [rec("paper-conference", "ImageNet classification with deep convolutional neural networks",
                          KRIZHEVSKY, 2012, container="Advances in Neural Information Processing Systems",
                          volume="25", page="1097-1105")]),
    ("alexnet_cacm", [art("ImageNet classification with deep convolutional neural networks", KRIZHEVSKY, 2017,
                          "Communications of the ACM", volume="60", issue="6", page="84-90",
                          doi="10.1145/3065386")]),
    ("ox_handbook", [rec("book", "The Oxford Handbook of Political Economy", None, 2006,
                         editors=["Weingast, Barry R.", "Wittman, Donald A."], publisher="Oxford University Press",
                         doi="10.1093/oxfordhb/9780199548477.001.0001")]),
    ("ox_chapter", [rec("chapter", "The reach of political economy", ["Weingast, Barry R.", "Wittman, Donald A."],
                        2006, container="The Oxford Handbook of Political Economy", page="3-25",
                        doi="10.1093/oxfordhb/9780199548477.001.0001")]),
    ("intro_ox", [rec("chapter", "Introduction", ["Weingast, Barry R.", "Wittman, Donald A."], 2006,
                      container="The Oxford Handbook of Political Economy")]),
    ("intro_newhandbook", [rec("chapter", "Introduction", ["Goodin, Robert E.", "Klingemann, Hans-Dieter"], 1996,
                               container="A New Handbook of Political Science", page="3-49")]),
    ("prisma_bmj", [art("Preferred reporting items for systematic reviews and meta-analyses: the PRISMA statement",
                        PRISMA, 2009, "BMJ", volume="339", page="b2535", doi="10.1136/bmj.b2535")]),
    ("prisma_annals", [art("Preferred reporting items for systematic reviews and meta-analyses: the PRISMA "
                           "statement", PRISMA, 2009, "Annals of Internal Medicine", volume="151", issue="4",
                           page="264-269")]),
    ("prisma_jce", [art("Preferred reporting items for systematic reviews and meta-analyses: the PRISMA statement",
                        PRISMA, 2009, "Journal of Clinical Epidemiology", volume="62", issue="10",
                        page="1006-1012")]),
    ("anna_karenina_ru", [rec("book", "Анна Каренина", ["Толстой, Лев Николаевич"], 1878,
                              publisher="Типография Т. Рис")]),
    ("anna_karenina_en", [rec("book", "Anna Karenina", ["Tolstoy, Leo"], 1901, publisher="Thomas Y. Crowell",
                              translator=names("Garnett, Constance"), **{"original-title": "Анна Каренина"})]),
    ("eco_rose_it", [rec("book", "Il nome della rosa", ["Eco, Umberto"], 1980, publisher="Bompiani",
                         **{"publisher-place": "Milano"})]),
    ("eco_rose_en", [rec("book", "The name of the rose", ["Eco, Umberto"], 1983,
                         publisher="Harcourt Brace Jovanovich", translator=names("Weaver, William"),
                         **{"original-title": "Il nome della rosa"})]),

    # ---------------------------------------------------------------- traps: generic titles, DOI conflicts
    *[(f"misq_comments_{i}", [art("Editor's Comments", ["Straub, Detmar W."], 2009, MISQ, volume="33",
                                  issue=str(i), page=p)])
      for i, p in ((1, "iii-viii"), (2, "iii-vii"), (3, "iii-x"), (4, "iii-ix"))],
    *[(f"editorial_{i}", [art("Editorial", ["Smith, Richard"], 2001, "BMJ", volume="322", issue=str(i))])
      for i in (7277, 7278, 7279, 7280)],
    ("editorial_doi_none", [art("Editorial", None, 2020, "Nature Physics")]),
    ("editorial_v16_1", [art("Editorial", None, 2020, "Nature Physics", volume="16", issue="1")]),
    ("editorial_v16_2", [art("Editorial", None, 2020, "Nature Physics", volume="16", issue="2")]),
    ("reply_a", [art("Reply", ["Smith, George Davey"], 2003, "International Journal of Epidemiology",
                     volume="32", page="1109")]),
    ("reply_b", [art("Reply", ["Smith, George Davey"], 2003, "International Journal of Epidemiology",
                     volume="32", page="914")]),
    ("bookreview_a", [art("Book review", ["Jones, Peter"], 2010, "The Economic Journal", volume="120",
                          page="F100")]),
    ("bookreview_b", [art("Book review", ["Jones, Peter"], 2010, "The Economic Journal", volume="120",
                          page="F200")]),
]

RELATED: list[tuple[str, str, str]] = [
    ("gan_preprint", "gan_nips", "preprint-of"),
    ("wakefield_retraction", "wakefield1998", "retraction-of"),
    ("erratum_lancet", "gbd2016", "erratum-of"),
    ("nash_thesis", "nash_annals", "thesis-version-of"),
    ("alexnet_nips", "alexnet_cacm", "conference-version-of"),
    ("ox_chapter", "ox_handbook", "chapter-of"),
    ("cormen2", "cormen3", "edition-of"),
    ("anna_karenina_en", "anna_karenina_ru", "translation-of"),
    ("eco_rose_en", "eco_rose_it", "translation-of"),
]


def records() -> list[tuple[str, Item]]:
    """(work, record) for every record, in the set's order."""
    return [(work, {**r, "id": f"{work}-{i}"}) for work, rs in GROUPS for i, r in enumerate(rs)]


def pairs() -> tuple[int, int]:
    """(duplicate pairs, distinct pairs) in the set."""
    sizes = [len(rs) for _, rs in GROUPS]
    n = sum(sizes)
    same = sum(s * (s - 1) // 2 for s in sizes)
    return same, n * (n - 1) // 2 - same
