"""/chat in English and Chinese, in headless Chromium: the page's words follow its language, every message
carries it (socket and POST), and a reply in the other language switches the page to it."""

# Chinese text uses full-width punctuation (U+FF0C, ...) on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _sent_frames(page: Any) -> list[dict[str, Any]]:
    """The JSON messages the page sends on its chat socket, collected as they go."""
    frames: list[dict[str, Any]] = []

    def watch(ws: Any) -> None:
        if "/api/v1/chat/ws" in ws.url:
            ws.on("framesent", lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", watch)
    return frames


def test_a_chinese_page_speaks_chinese_and_sends_lang_zh(hub_server: str, page: Any) -> None:
    frames = _sent_frames(page)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{hub_server}/chat?lang=zh&token=zh-chat-customer-0123456789")
    expect(page.locator("body")).to_have_attribute("data-socket", "open", timeout=10_000)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page).to_have_title("网点在线服务")
    message = page.get_by_label("您的消息")
    expect(message).to_have_attribute("placeholder", "请输入您要办理的业务，例如：预约")
    expect(page.locator(".msg.bot").first).to_have_text("您好！我可以帮您预约办理业务、查询网点排队情况，或为您取号。")
    expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith('"Noto Sans CJK SC"'), font

    message.fill("你好")
    page.get_by_role("button", name="发送").click()
    page.get_by_role("button", name="银行卡与密码").click(timeout=10_000)  # the hub's own menu (Rasa is down)
    card = page.locator("section.ticket")
    expect(card).to_be_visible(timeout=10_000)
    assert [frame["lang"] for frame in frames] == ["zh", "zh"], frames
    assert frames[0]["message"] == "你好" and frames[1]["message"].startswith("/"), frames
    number = card.locator(".number").inner_text()
    expect(card).to_have_attribute("aria-label", f"排队号 {number}")
    expect(card.locator("h2")).to_have_text("银行卡与密码")
    expect(card.locator(".status")).to_have_text(
        re.compile(r"^(您是下一位。|前面还有\d+位。)(大约还需\d+(–\d+)?分钟。|不到(一|\d+)分钟。|超过\d+分钟。)?$")
    )
    expect(card.locator(".arrive")).to_have_text(
        re.compile(r"^我们为您保留位置至\d\d:\d\d。到网点后，请在自助机上扫描此二维码签到。$")
    )
    expect(card.get_by_role("link", name="查看排队进度")).to_have_attribute("href", re.compile(r"/t/\w+\?lang=zh$"))
    expect(card.get_by_alt_text("您的排队号二维码，请在网点自助机上扫描")).to_be_visible()
    card_words = str(card.inner_text()).replace(number, "")
    assert not LATIN_WORD.search(card_words), card_words

    rating = page.locator(".rate")
    expect(rating).to_have_attribute("aria-label", "您对今天的服务满意吗？")
    page.get_by_role("group", name="您对今天的服务满意吗？").get_by_role("button", name="4分（满分5分）").click()
    expect(rating).to_have_text("感谢您的评价。", timeout=5_000)

    # The customer switches to English: the page's words and the card follow, the next message says lang en.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(card.locator("h2")).to_have_text("Cards and PIN", timeout=5_000)
    english_status = re.compile(
        r"^(You are next\.|\d+ ahead of you\.)"
        r"( About .* minutes\.| Less than (a minute|\d+ minutes)\.| More than \d+ minutes\.)?$"
    )
    expect(card.locator(".status")).to_have_text(english_status)
    expect(rating).to_have_text("Thank you for your rating.")
    page.get_by_label("Your message").fill("thanks")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".msg.bot")).to_have_count(4, timeout=10_000)  # greeting, menu, ticket, this reply
    assert frames[2] == {"message": "thanks", "lang": "en"}, frames
    assert not [url for url in failed if not url.startswith(hub_server)], failed  # nothing from the internet


def _fake_hub_socket(page: Any, replies: list[dict[str, Any]], received: list[dict[str, Any]]) -> None:
    """The chat socket answered here instead of by the hub: each message gets the next of `replies`."""

    def handle(ws: Any) -> None:
        ws.send(json.dumps({"type": "snapshot", "tickets": []}))

        def on_message(raw: Any) -> None:
            received.append(json.loads(raw))
            ws.send(json.dumps({"type": "reply", **replies[len(received) - 1]}))

        ws.on_message(on_message)

    page.route_web_socket(re.compile(r"/api/v1/chat/ws"), handle)


def test_a_reply_in_chinese_switches_an_english_page_and_back(hub_server: str, page: Any) -> None:
    received: list[dict[str, Any]] = []
    replies = [
        {"messages": [{"text": "好的，请问您要取多少钱？"}], "lang": "zh"},
        {"messages": [{"text": "Sure, how much would you like?"}], "lang": "en"},
        {"messages": [{"text": "Anything else?"}]},  # no lang (an older hub): the page keeps its language
    ]
    _fake_hub_socket(page, replies, received)
    page.goto(f"{hub_server}/chat?lang=en&token=flip-chat-customer-0123456789")
    expect(page.locator("body")).to_have_attribute("data-socket", "open", timeout=10_000)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    greeting = page.locator(".msg.bot").first
    expect(greeting).to_have_text(re.compile(r"^Hello! I can book an appointment"))

    page.get_by_label("Your message").fill("我想取钱")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans", timeout=5_000)
    expect(page.get_by_role("button", name="发送")).to_be_visible()
    expect(page.get_by_label("您的消息")).to_be_visible()
    expect(greeting).to_have_text("您好！我可以帮您预约办理业务、查询网点排队情况，或为您取号。")
    expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")
    assert received == [{"message": "我想取钱", "lang": "en"}]  # the page was English when it was sent

    page.get_by_label("您的消息").fill("withdraw please")
    page.get_by_role("button", name="发送").click()
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=5_000)
    assert received[1] == {"message": "withdraw please", "lang": "zh"}
    page.get_by_label("Your message").fill("no")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".msg.bot").last).to_have_text("Anything else?", timeout=5_000)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert received[2] == {"message": "no", "lang": "en"}

    page.reload()  # the language the customer ended up in is kept for this tab
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=5_000)


def test_without_the_socket_messages_post_their_lang_and_a_lost_socket_is_said(hub_server: str, page: Any) -> None:
    posts: list[dict[str, Any]] = []
    page.on("request", lambda r: posts.append(r.post_data_json) if r.url.endswith("/api/v1/chat") else None)
    sockets: list[Any] = []

    def handle(ws: Any) -> None:
        sockets.append(ws)
        ws.send(json.dumps({"type": "snapshot", "tickets": []}))

    page.route_web_socket(re.compile(r"/api/v1/chat/ws"), handle)
    page.goto(f"{hub_server}/chat?lang=zh&token=post-chat-customer-0123456789")
    expect(page.locator("body")).to_have_attribute("data-socket", "open", timeout=10_000)
    status = page.locator("#connection")
    expect(status).to_be_empty()

    sockets[0].close()
    expect(page.locator("body")).to_have_attribute("data-socket", "closed", timeout=5_000)
    expect(status).to_have_text("连接已断开，正在重新连接…您的消息仍可正常发送。")
    expect(status).to_have_attribute("role", "status")
    page.route_web_socket(re.compile(r"/api/v1/chat/ws"), lambda ws: ws.close())  # stays down from here
    page.get_by_label("您的消息").fill("你好")
    page.get_by_role("button", name="发送").click()
    expect(page.get_by_role("button", name="银行卡与密码")).to_be_visible(timeout=10_000)  # served over POST
    assert posts == [{"message": "你好", "channel": "mobile", "lang": "zh"}], posts


def test_chinese_typed_into_an_english_page_gets_the_page_in_chinese(hub_server: str, page: Any) -> None:
    """End to end: the hub decides the turn's language from the text (lobby_wire.lang) and says it in the reply."""
    frames = _sent_frames(page)
    page.goto(f"{hub_server}/chat?lang=en&token=typed-zh-customer-0123456789")
    expect(page.locator("body")).to_have_attribute("data-socket", "open", timeout=10_000)
    page.get_by_label("Your message").fill("我想取钱")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans", timeout=10_000)
    expect(page.get_by_role("button", name="发送")).to_be_visible()
    page.get_by_role("button", name="银行卡与密码").click(timeout=10_000)  # the hub's menu, now in Chinese
    expect(page.locator("section.ticket h2")).to_have_text("银行卡与密码", timeout=10_000)
    assert [frame["lang"] for frame in frames] == ["en", "zh"], frames
