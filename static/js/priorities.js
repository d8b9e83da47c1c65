// Drag and drop for the cycle priorities list, after htmx's "Sortable" example
// (https://htmx.org/examples/sortable/): SortableJS moves the items in the form, and its
// "end" event (a DOM event that bubbles to the form) triggers the form's
// hx-post="end[oldIndex !== newIndex]" with the new order and the list's version.
// Without JavaScript the ↑ ↓ buttons post the same form to the move URL.
(function () {
  "use strict";
  htmx.onLoad(function (content) {
    var lists = content.querySelectorAll(".prio-list.sortable");
    for (var i = 0; i < lists.length; i++) {
      var list = lists[i];
      var form = list.closest("form");
      var sortable = new Sortable(list, {
        animation: 150,
        handle: ".prio-handle",
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
  // A refused reorder (409: someone else changed the list) still carries the current list
  // and the message, so show it instead of treating it as an error to drop.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.xhr.status === 409 || evt.detail.xhr.status === 400) {
      if (evt.detail.target && evt.detail.target.id === "priority-list") {
        evt.detail.shouldSwap = true;
        evt.detail.isError = false;
      }
    }
  });
})();
