// Starts rasa-webchat from the page's JSON config and fills the accessibility gaps it leaves.
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("assistant-config").textContent);

  WebChat.default(
    {
      selector: "#assistant",
      initPayload: "/greet",
      socketUrl: settings.socketUrl,
      socketPath: "/socket.io/",
      title: settings.title,
      subtitle: settings.subtitle,
      inputTextFieldHint: "Type your question…",
      // sessionStorage: a reload continues the conversation (Rasa keeps it by session id).
      params: { storage: "session" },
      showMessageDate: false,
      showCloseButton: true,
      // The typing indicator shows for this long before each answer appears.
      customMessageDelay: function (message) {
        return Math.min(300 + message.length * 2, 1000);
      },
    },
    null
  );

  // rasa-webchat 1.0.1 renders icon-only buttons, a textarea without a label, and quick replies
  // as clickable <div>s. Name the controls and make the replies keyboard-operable.
  var names = [
    [".rw-close-button", "Close the chat"],
    [".rw-send", "Send message"],
    [".rw-toggle-fullscreen-button", "Toggle full screen"],
    [".rw-new-message", "Your question"],
  ];

  function setAttr(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  function patch(root) {
    var open = !!root.querySelector(".rw-conversation-container");
    root.querySelectorAll(".rw-launcher").forEach(function (el) {
      setAttr(el, "aria-label", open ? "Close the chat" : "Open the chat with the BEU assistant");
      setAttr(el, "aria-expanded", open ? "true" : "false");
    });
    names.forEach(function (pair) {
      root.querySelectorAll(pair[0]).forEach(function (el) {
        if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", pair[1]);
      });
    });
    root.querySelectorAll(".rw-messages-container").forEach(function (el) {
      el.setAttribute("role", "log");
      el.setAttribute("aria-live", "polite");
      el.setAttribute("aria-label", "Conversation");
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
    root.querySelectorAll(".rw-reply").forEach(function (el) {
      if (el.tagName !== "BUTTON" && !el.hasAttribute("role")) {
        el.setAttribute("role", "button");
        el.setAttribute("tabindex", "0");
      }
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
})();
