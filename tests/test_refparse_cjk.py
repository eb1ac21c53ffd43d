"""refcli.refparse.cjk: Chinese, Japanese and Korean conventions the model never saw."""

from __future__ import annotations

import pytest

from refcli.refparse import parse_reference


@pytest.mark.parametrize("text, expected", [
    ("王明, 李华. 中国对外贸易政策研究[J]. 经济研究, 2019, 54(3): 45-58.",
     {"type": "article-journal", "author": [{"family": "王", "given": "明"}, {"family": "李", "given": "华"}],
      "title": "中国对外贸易政策研究", "container-title": "经济研究", "issued": {"date-parts": [[2019]]},
      "volume": "54", "issue": "3", "page": "45-58"}),
    ("欧阳修. 新唐书[M]. 北京: 中华书局, 1975.",
     {"type": "book", "author": [{"family": "欧阳", "given": "修"}], "title": "新唐书",
      "publisher-place": "北京", "publisher": "中华书局", "issued": {"date-parts": [[1975]]}}),
    ("SMITH J, JONES K. Trade policy under uncertainty[J]. Journal of International Economics, 2020, 125: 103-118.",
     {"type": "article-journal", "author": [{"family": "SMITH", "given": "J"}, {"family": "JONES", "given": "K"}],
      "title": "Trade policy under uncertainty", "container-title": "Journal of International Economics",
      "issued": {"date-parts": [[2020]]}, "volume": "125", "page": "103-118"}),
    ("山田太郎 (2019)「日本の外交政策」『国際問題』第680号, 5–15頁.",
     {"type": "article-journal", "author": [{"literal": "山田太郎"}], "title": "日本の外交政策",
      "container-title": "国際問題", "issued": {"date-parts": [[2019]]}, "issue": "680", "page": "5-15"}),
    ("佐藤一郎 (2010)「戦後日本の安全保障」山田太郎編『日本外交史』岩波書店, 45–78頁.",
     {"type": "chapter", "author": [{"literal": "佐藤一郎"}], "title": "戦後日本の安全保障",
      "container-title": "日本外交史", "editor": [{"literal": "山田太郎"}], "publisher": "岩波書店",
      "issued": {"date-parts": [[2010]]}, "page": "45-78"}),
    ("山田太郎・鈴木花子編 (2015)『日本外交の論点』法律文化社.",
     {"type": "book", "editor": [{"literal": "山田太郎"}, {"literal": "鈴木花子"}], "title": "日本外交の論点",
      "publisher": "法律文化社", "issued": {"date-parts": [[2015]]}}),
])
def test_cjk_conventions(text, expected):
    assert parse_reference(text) == expected


def test_korean_names_are_split_family_first():
    item = parse_reference("김기태, 이민수. (2020). 일본의 대외정책. 세종정책브리핑.")
    assert item["author"] == [{"family": "김", "given": "기태"}, {"family": "이", "given": "민수"}]
    assert item["issued"] == {"date-parts": [[2020]]}


def test_references_without_those_marks_are_left_to_the_model():
    from refcli.refparse import cjk

    assert cjk.parse("LeCun, Y. (2015). Deep learning [Review]. Nature, 521, 436–444.") is None
    assert cjk.parse("Smith, J. (2001). Title. Journal, 3, 1-2.") is None
