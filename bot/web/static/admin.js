// Staff admin: small progressive enhancements. Everything works without this script.
(function () {
  "use strict";

  // Forms with data-confirm ask before doing something hard to undo (unpublish, rollback, dismiss).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    // After a failed save, put the keyboard focus on the list of problems.
    var summary = document.querySelector(".error-summary, .conflict");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }

    // Analytics: picking a day of a date range selects "Date range" as the period.
    var period = document.getElementById("f-period");
    ["f-start", "f-end"].forEach(function (id) {
      var input = document.getElementById(id);
      if (period && input) {
        input.addEventListener("change", function () {
          if (input.value) { period.value = "range"; }
        });
      }
    });

    // A live character count for the answer.
    var answer = document.querySelector("textarea[data-limit]");
    var counter = document.getElementById("answer-count");
    if (answer && counter) {
      var limit = parseInt(answer.getAttribute("data-limit"), 10);
      var update = function () {
        var length = answer.value.trim().length;
        counter.textContent = length + " of " + limit.toLocaleString("en") + " characters" +
          (length > limit ? ": " + (length - limit) + " too many" : "");
        counter.classList.toggle("error-text", length > limit);
      };
      answer.addEventListener("input", update);
      update();
    }
  });
})();
