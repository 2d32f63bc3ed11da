// The template composer's enhancements: drag-and-drop reordering and a live preview.
// Every action also works without this script, through the page's plain forms.
(function () {
  "use strict";

  // Drag a question within its section; dropping submits the section's reorder form.
  document.querySelectorAll("[data-reorder]").forEach(function (list) {
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-question]");
      if (!dragged) return;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.question);
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) return;
      var over = event.target.closest("[data-question]");
      if (!over || over === dragged || over.parentNode !== list) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      dragged = null;
      var form = document.querySelector('[data-reorder-form="' + list.dataset.section + '"]');
      if (!form) return;
      var ids = Array.prototype.map.call(list.querySelectorAll("[data-question]"), function (li) {
        return li.dataset.question;
      });
      form.querySelector('[name="order"]').value = ids.join(", ");
      form.submit();
    });
    list.addEventListener("dragend", function () { dragged = null; });
  });

  // Offer the finding title of a new question only when the chosen kind is scored.
  document.querySelectorAll("[data-finding-title]").forEach(function (box) {
    var kind = box.closest("form").querySelector('[name="type"]');
    if (!kind) return;
    var scored = box.dataset.scoredKinds.split(" ");
    function toggle() { box.hidden = scored.indexOf(kind.value) < 0; }
    kind.addEventListener("change", toggle);
    toggle();
  });

  // Load the vendor's view of the draft beside the editor, and refresh it on request.
  var panel = document.querySelector("[data-live-preview]");
  if (!panel || !window.fetch) return;
  var target = panel.querySelector("[data-live-preview-body]");
  function refresh() {
    fetch(panel.dataset.livePreview, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var part = doc.querySelector(".vr-questionnaire");
        target.replaceChildren();
        if (part) {
          part.querySelectorAll("input, select, textarea, button").forEach(function (el) {
            el.disabled = true;
          });
          target.appendChild(document.importNode(part, true));
        }
      });
  }
  var button = panel.querySelector("[data-live-preview-refresh]");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", refresh);
  }
  refresh();
})();
