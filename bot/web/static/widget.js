// Starts rasa-webchat from the page's JSON config, fills the accessibility gaps it leaves, and
// shows its own strings in the conversation's language, with a switch (EN / AZ / RU / TR).
//
// The language: one the student chose earlier in this session (sessionStorage), else `lang` in
// the embed config, else the page's <html lang>, else English. Then it follows the conversation:
// every reply says its language (`metadata.language`, bot/rasa_server/channels/render.py), and
// a reply in another language switches the widget's strings. The switch also tells the assistant
// (`/set_language{"language":"ru"}`, answered by actions/language.py with a greeting in it).
//
// Staff may read conversations, so the widget says so once per conversation: a short notice
// under the header, with a link to the privacy page (`privacyUrl`, default "/privacy", opened in
// the conversation's language), shown from the first time the chat opens until the student hides
// it or the page is left; the conversation (sessionStorage, like rasa-webchat's session) then
// remembers it was shown, so a reload of the same conversation does not show it again.
//
// The strings come with the config (`text`: the demo page, bot/web/app.py), or from the web app
// (`textUrl`, e.g. "https://www.example.edu/widget/text/": another site embedding the widget).
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("assistant-config").textContent);
  var LANGUAGES = settings.languages || ["en", "az", "ru", "tr"];
  var STORED = "assistant_language";
  var NOTICE_SHOWN = "assistant_privacy_notice";

  function loadTexts() {
    if (settings.text || !settings.textUrl) return Promise.resolve(settings.text || {});
    return Promise.all(
      LANGUAGES.map(function (code) {
        return fetch(settings.textUrl + code + ".json")
          .then(function (reply) { return reply.ok ? reply.json() : null; })
          .catch(function () { return null; });
      })
    ).then(function (found) {
      var texts = {};
      found.forEach(function (text, i) {
        if (text) texts[LANGUAGES[i]] = text;
      });
      return texts;
    });
  }

  loadTexts().then(start);

  function start(texts) {
    function supported(code) {
      return typeof code === "string" && Object.prototype.hasOwnProperty.call(texts, code);
    }

    function primary(tag) {
      return (tag || "").toLowerCase().split(/[-_]/)[0];
    }

    function initialLanguage() {
      var stored = null;
      try {
        stored = sessionStorage.getItem(STORED);
      } catch (e) { /* storage blocked: the page's language */ }
      var candidates = [stored, primary(settings.lang), primary(document.documentElement.lang)];
      for (var i = 0; i < candidates.length; i++) {
        if (supported(candidates[i])) return candidates[i];
      }
      return supported("en") ? "en" : Object.keys(texts)[0];
    }

    function noticeShownBefore() {
      try {
        return sessionStorage.getItem(NOTICE_SHOWN) === "1";
      } catch (e) {
        return false; // storage blocked: every page view is a new conversation anyway
      }
    }

    var language = initialLanguage();
    var showNotice = !noticeShownBefore();
    // Sent with every message (rasa-webchat's customData is the message's metadata): the server's
    // own replies use it for a sender it has not heard from yet (bot/rasa_server/languages.py).
    var customData = { language: language };
    var webchat = null;

    function t(key) {
      return (texts[language] || {})[key] || (texts.en || {})[key] || "";
    }

    function choicePayload(code) {
      return "/set_language" + JSON.stringify({ language: code });
    }

    WebChat.default(
      {
        selector: "#assistant",
        // English: the plain greeting; another language: the greeting in it, and the assistant
        // knows the conversation's language from the start.
        initPayload: language === "en" ? "/greet" : choicePayload(language),
        socketUrl: settings.socketUrl,
        socketPath: "/socket.io/",
        customData: customData,
        title: t("title"),
        subtitle: t("subtitle"),
        inputTextFieldHint: t("placeholder"),
        // sessionStorage: a reload continues the conversation (Rasa keeps it by session id).
        params: { storage: "session" },
        showMessageDate: false,
        showCloseButton: true,
        innerRef: function (ref) {
          if (ref) webchat = ref;
        },
        onSocketEvent: {
          bot_uttered: function (message) {
            var spoken = message && message.metadata && message.metadata.language;
            if (supported(spoken) && spoken !== language) setLanguage(spoken);
          },
        },
        // The typing indicator shows for this long before each answer appears.
        customMessageDelay: function (message) {
          return Math.min(300 + message.length * 2, 1000);
        },
      },
      null
    );

    function setLanguage(code) {
      language = code;
      customData.language = code;
      try {
        sessionStorage.setItem(STORED, code);
      } catch (e) { /* storage blocked: this page view only */ }
      patch(document);
    }

    // Chosen with the switch: the strings change at once, and the assistant is told.
    function choose(code) {
      if (!supported(code)) return;
      setLanguage(code);
      if (webchat && webchat.sendMessage) webchat.sendMessage(choicePayload(code));
    }

    // rasa-webchat 1.0.1 renders icon-only buttons, a textarea without a label, and quick replies
    // as clickable <div>s. Name the controls and make the replies keyboard-operable.
    var names = [
      [".rw-close-button", "closeChat"],
      [".rw-send", "send"],
      [".rw-toggle-fullscreen-button", "fullScreen"],
      [".rw-new-message", "question"],
    ];

    function setAttr(el, name, value) {
      if (el.getAttribute(name) !== value) el.setAttribute(name, value);
    }

    function setText(el, value) {
      if (value && el.textContent !== value) el.textContent = value;
    }

    function languageSwitch() {
      var group = document.createElement("div");
      group.className = "assistant-languages";
      group.setAttribute("role", "group");
      ((texts[language] || {}).languages || []).forEach(function (entry) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "assistant-language";
        button.setAttribute("data-language", entry.code);
        button.setAttribute("lang", entry.code);
        button.setAttribute("aria-label", entry.name);
        button.textContent = entry.label;
        button.addEventListener("click", function (event) {
          event.preventDefault();
          choose(entry.code);
        });
        group.appendChild(button);
      });
      return group;
    }

    function privacyHref() {
      var base = settings.privacyUrl || "/privacy";
      return base + (base.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(language);
    }

    function privacyNotice() {
      var notice = document.createElement("div");
      notice.className = "assistant-privacy";
      notice.setAttribute("role", "note");
      var text = document.createElement("p");
      var sentence = document.createElement("span");
      sentence.className = "assistant-privacy-text";
      var link = document.createElement("a");
      link.className = "assistant-privacy-link";
      link.target = "_blank";
      link.rel = "noopener";
      text.appendChild(sentence);
      text.appendChild(document.createTextNode(" "));
      text.appendChild(link);
      var hide = document.createElement("button");
      hide.type = "button";
      hide.className = "assistant-privacy-hide";
      hide.addEventListener("click", function (event) {
        event.preventDefault();
        showNotice = false;
        if (notice.parentNode) notice.parentNode.removeChild(notice);
        var input = document.querySelector(".rw-new-message");
        if (input) input.focus();
      });
      notice.appendChild(text);
      notice.appendChild(hide);
      return notice;
    }

    function patchNotice(container) {
      var notice = container.querySelector(".assistant-privacy");
      if (!showNotice) {
        if (notice && notice.parentNode) notice.parentNode.removeChild(notice);
        return;
      }
      var header = container.querySelector(".rw-header");
      if (!header) return;
      if (!notice) {
        notice = privacyNotice();
        header.insertAdjacentElement("afterend", notice);
        try {
          sessionStorage.setItem(NOTICE_SHOWN, "1");
        } catch (e) { /* storage blocked: shown for this page view */ }
      }
      setAttr(notice, "aria-label", t("privacyTitle"));
      setText(notice.querySelector(".assistant-privacy-text"), t("privacyNotice"));
      var link = notice.querySelector(".assistant-privacy-link");
      setText(link, t("privacyLink"));
      setAttr(link, "href", privacyHref());
      setAttr(link, "hreflang", language);
      var hide = notice.querySelector(".assistant-privacy-hide");
      setText(hide, t("privacyHide"));
      setAttr(hide, "aria-label", t("privacyHideLabel"));
    }

    function patch(root) {
      var open = !!root.querySelector(".rw-conversation-container");
      root.querySelectorAll(".rw-launcher").forEach(function (el) {
        setAttr(el, "aria-label", open ? t("closeChat") : t("openChat"));
        setAttr(el, "aria-expanded", open ? "true" : "false");
      });
      names.forEach(function (pair) {
        root.querySelectorAll(pair[0]).forEach(function (el) {
          setAttr(el, "aria-label", t(pair[1]));
        });
      });
      root.querySelectorAll(".rw-new-message").forEach(function (el) {
        setAttr(el, "placeholder", t("placeholder"));
      });
      root.querySelectorAll(".rw-conversation-container .rw-title").forEach(function (el) {
        setText(el, t("title"));
      });
      root.querySelectorAll(".rw-conversation-container .rw-header > span").forEach(function (el) {
        setText(el, t("subtitle"));
      });
      root.querySelectorAll(".rw-messages-container").forEach(function (el) {
        el.setAttribute("role", "log");
        el.setAttribute("aria-live", "polite");
        setAttr(el, "aria-label", t("conversation"));
        if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
      });
      root.querySelectorAll(".rw-reply").forEach(function (el) {
        if (el.tagName !== "BUTTON" && !el.hasAttribute("role")) {
          el.setAttribute("role", "button");
          el.setAttribute("tabindex", "0");
        }
      });
      root.querySelectorAll(".rw-conversation-container .rw-header").forEach(function (header) {
        var group = header.querySelector(".assistant-languages");
        if (!group) {
          group = languageSwitch();
          header.appendChild(group);
        }
        setAttr(group, "aria-label", t("languageSwitch"));
        group.querySelectorAll(".assistant-language").forEach(function (button) {
          var pressed = button.getAttribute("data-language") === language;
          setAttr(button, "aria-pressed", pressed ? "true" : "false");
        });
      });
      root.querySelectorAll(".rw-conversation-container").forEach(patchNotice);
      // The widget speaks the conversation's language: assistive technology reads it so.
      root.querySelectorAll(".rw-conversation-container, .rw-launcher").forEach(function (el) {
        setAttr(el, "lang", language);
      });
    }

    // Enter or Space on a quick reply clicks it, like a real button.
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (target && target.classList && target.classList.contains("rw-reply") &&
          target.tagName !== "BUTTON" && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        target.click();
      }
    });

    new MutationObserver(function () { patch(document); }).observe(document.body, {
      childList: true,
      subtree: true,
    });
    patch(document);
  }
})();
