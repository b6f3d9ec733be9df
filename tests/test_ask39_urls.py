"""Links on a page become URLs the output contract accepts (RFC 3986), whatever they hold."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.http import HtmlResponse

from medcrawl.contract.schema import schema_errors
from medcrawl.sites.ask39.pages import Ask39QuestionPage
from medcrawl.sites.spider import fetched_at
from tests.conftest import extract, fixture_response


def test_non_ascii_links_are_percent_encoded():
    seed = fixture_response("ask39", "seed_2024")
    body = seed.body.replace(b"//ypk.39.net/530312/", "//ypk.39.net/药品/巴氯芬片 1.html".encode())
    body = body.replace(b"http://my.39.net/P4349188", "http://my.39.net/医生/P4349188".encode())
    response = HtmlResponse(seed.url, body=body, headers=seed.headers)
    page = Ask39QuestionPage(response, fetched_at(response))
    by_kind = {}
    for item in page.items():
        by_kind.setdefault(type(item).__name__, []).append(item)
    drug = by_kind["Drug"][0]
    assert drug.url == (
        "https://ypk.39.net/%E8%8D%AF%E5%93%81/%E5%B7%B4%E6%B0%AF%E8%8A%AC%E7%89%87%201.html"
    )
    doctor = next(d for d in by_kind["Doctor"] if d.name == "袁余")
    assert doctor.profile_url == "http://my.39.net/%E5%8C%BB%E7%94%9F/P4349188"
    assert schema_errors("drugs", ItemAdapter(drug).asdict()) == []
    assert schema_errors("doctors", ItemAdapter(doctor).asdict()) == []
    assert extract("ask39", "seed_2024")["drugs"][0]["url"] == "https://ypk.39.net/530312/"
