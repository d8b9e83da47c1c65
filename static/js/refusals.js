// A refused write (409: someone else changed it meanwhile; 400: bad input) answers with the
// region to show: the current version and the message, with the unsaved input kept. htmx
// drops error responses by default, so swap them into targets marked data-show-refusals.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    var target = evt.detail.target;
    if ((status === 409 || status === 400) && target && target.hasAttribute("data-show-refusals")) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
})();
