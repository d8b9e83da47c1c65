// The cycle report's narrative form. A refused save (409: someone saved a newer version;
// 400: a bad form) still carries the section to show, with the newer text and the unsaved
// words, so swap it in instead of dropping it as an error.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if ((status === 409 || status === 400) && evt.detail.target && evt.detail.target.id === "narrative") {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
})();
