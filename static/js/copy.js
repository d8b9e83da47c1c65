// "Copy to clipboard" on the priority email page: a button with data-copy-target="<id>"
// copies that element's text. navigator.clipboard needs a secure context (https or
// localhost); elsewhere, or if it is refused, the text is selected so Ctrl+C copies it.
(function () {
  "use strict";

  function say(button, text) {
    var status = button.parentElement.querySelector(".email-copy-status");
    if (status) status.textContent = text;
  }

  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function fallback(button, element) {
    select(element);
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(button, copied ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var element = document.getElementById(button.getAttribute("data-copy-target"));
    if (!element) return;
    var text = element.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { say(button, "Copied."); },
        function () { fallback(button, element); }
      );
    } else {
      fallback(button, element);
    }
  });
})();
