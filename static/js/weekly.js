// Drag and drop for the week's review priorities, as on the cycle priorities page
// (static/js/priorities.js, after htmx's "Sortable" example): SortableJS moves the items in
// the form, and its "end" event triggers the form's hx-post="end[oldIndex !== newIndex]"
// with the new order and the version the page was rendered from. Without JavaScript the
// ↑ ↓ buttons post the same form to the move URL.
(function () {
  "use strict";
  htmx.onLoad(function (content) {
    var lists = content.querySelectorAll(".weekly-items.sortable");
    for (var i = 0; i < lists.length; i++) {
      var list = lists[i];
      var form = list.closest("form");
      var sortable = new Sortable(list, {
        animation: 150,
        handle: ".weekly-handle",
        ghostClass: "prio-ghost",
        onEnd: function (evt) {
          // One move at a time: the answer replaces the whole list.
          if (evt.oldIndex !== evt.newIndex) this.option("disabled", true);
        },
      });
      form.addEventListener("htmx:afterRequest", function () {
        sortable.option("disabled", false);
      });
    }
  });
  // A refused write (409: someone else changed the list; 400: a bad paste) still carries
  // the current list and the message, so show it instead of dropping it as an error.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if ((status === 409 || status === 400) && evt.detail.target && evt.detail.target.id === "weekly-list") {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
})();
