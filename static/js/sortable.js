// Drag and drop for an ordered list that its form posts with htmx, after htmx's "Sortable"
// example (https://htmx.org/examples/sortable/); the cycle priorities and the week's review
// priorities use it. Mark the list `<ol class="sortable" data-handle=".x-handle">` inside a
// form with hx-post and hx-trigger="end[oldIndex !== newIndex]": SortableJS moves the items,
// and its "end" event (a DOM event that bubbles to the form) posts the new order with the
// version the page was rendered from. Without JavaScript the ↑ ↓ buttons post the same form
// to the move URL.
(function () {
  "use strict";
  htmx.onLoad(function (content) {
    var lists = content.querySelectorAll("ol.sortable[data-handle]");
    for (var i = 0; i < lists.length; i++) {
      var list = lists[i];
      var form = list.closest("form");
      var sortable = new Sortable(list, {
        animation: 150,
        handle: list.dataset.handle,
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
})();
