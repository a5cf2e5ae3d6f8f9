"""A page object for the rasa-webchat widget on the demo page, as a student uses it."""

from __future__ import annotations

from dataclasses import dataclass

BOT_BUBBLES = ".rw-from-response .rw-message-text"
CLIENT_BUBBLES = ".rw-from-client .rw-message-text"

# Records whether the typing indicator appeared at any moment (it shows only briefly).
WATCH_TYPING = """() => {
  window.__typingSeen = false;
  if (!window.__typingWatcher) {
    window.__typingWatcher = new MutationObserver(() => {
      if (document.querySelector('.rw-typing-indication')) window.__typingSeen = true;
    });
    window.__typingWatcher.observe(document.body, {childList: true, subtree: true});
  }
}"""


@dataclass
class Answer:
    text: str
    html: str
    replies: list[str]


class Widget:
    def __init__(self, page, timeout_ms: int = 30_000) -> None:
        self.page = page
        self.timeout = timeout_ms

    def open(self) -> Answer:
        """Click the launcher; the greeting arrives (on first open) with suggestions."""
        before = self.bot_count()
        self.page.click(".rw-launcher")
        self.page.wait_for_selector(".rw-conversation-container", timeout=self.timeout)
        return self._answer_after(before)

    def bot_count(self) -> int:
        return self.page.locator(BOT_BUBBLES).count()

    def ask(self, text: str) -> Answer:
        before = self.bot_count()
        self.page.evaluate(WATCH_TYPING)
        self.page.fill(".rw-new-message", text)
        self.page.keyboard.press("Enter")
        return self._answer_after(before)

    def click_reply(self, title: str) -> Answer:
        before = self.bot_count()
        self.page.evaluate(WATCH_TYPING)
        self.page.locator(".rw-reply", has_text=title).last.click()
        return self._answer_after(before)

    def typing_was_shown(self) -> bool:
        return bool(self.page.evaluate("() => window.__typingSeen === true"))

    def _answer_after(self, before: int) -> Answer:
        self.page.wait_for_function(
            f"() => document.querySelectorAll({BOT_BUBBLES!r}).length > {before}",
            timeout=self.timeout,
        )
        bubble = self.page.locator(BOT_BUBBLES).nth(before)
        message = self.page.locator(".rw-from-response .rw-message").nth(before)
        replies = message.locator(".rw-reply").all_inner_texts()
        return Answer(bubble.inner_text(), bubble.inner_html(), replies)


def open_site(context, servers):
    """The demo site in a new page of `context`, its launcher shown; `page.errors` collects the
    page's script errors (not the CSP's refusals of third-party fonts the widget asks for)."""
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(servers.page)
    page.wait_for_selector(".rw-launcher", timeout=15_000)
    return page
