"""What a page says when it holds no question: a bot check, a removed question, nothing at all.

Chinese Q&A sites word these notices alike (安全验证, 问题不存在, 已被删除 …), so one list
serves every site; a page class asks `notice()` once its own markers found no question.
"""

from __future__ import annotations

import re

from parsel import Selector

#: The first visible texts of a page: the title and the body's text, scripts and styles left out.
_VISIBLE_TEXT = (
    "(//title//text() | //body//text()[not(ancestor::script or ancestor::style)])"
    "[position() <= 200]"
)
CHALLENGE_TEXT = re.compile(r"安全验证|人机验证|访问验证|请输入验证码|拖动滑块")
REMOVED_TEXT = re.compile(
    r"问题不存在|已被删除|已删除|已被屏蔽|页面不存在|找不到该问题|审核中|已被?关闭"
)


def notice(sel: Selector) -> str | None:
    """`empty` for a page with no visible text, `challenge` for a bot check, `removed` for a
    removed question's notice, else None (the page is something else)."""
    head = " ".join(sel.xpath(_VISIBLE_TEXT).getall()).strip()
    if not head:
        return "empty"
    if CHALLENGE_TEXT.search(head):
        return "challenge"
    if REMOVED_TEXT.search(head):
        return "removed"
    return None
