// Show and hide conditional questions as the vendor answers. The server decides the same way
// (vendorrisk.questionnaires.conditions) whenever the form is submitted, so this only enhances:
// without it, follow-up questions appear after the next save.
(function () {
  "use strict";

  function parse(element) {
    var raw = element.getAttribute("data-show-if");
    return raw ? JSON.parse(raw) : null;
  }

  // The option values chosen for a question; none when it is answered N/A or unanswered.
  function chosen(form, questionId) {
    var na = form.querySelector('input[name="a-' + questionId + '-na"]');
    if (na && na.checked) {
      return [];
    }
    var values = [];
    form.querySelectorAll('input[name="a-' + questionId + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && input.checked) {
        values.push(input.value);
      }
    });
    return values;
  }

  function holds(condition, seen) {
    if (condition === null) {
      return true;
    }
    if (Object.prototype.hasOwnProperty.call(condition, "question")) {
      var answer = seen[condition.question] || [];
      return answer.some(function (value) { return condition["in"].indexOf(value) !== -1; });
    }
    if (condition.all) {
      return condition.all.every(function (c) { return holds(c, seen); });
    }
    if (condition.any) {
      return condition.any.some(function (c) { return holds(c, seen); });
    }
    if (condition.not) {
      return !holds(condition.not, seen);
    }
    return true;
  }

  function show(element, shown) {
    element.hidden = !shown;
    var fieldset = element.querySelector(":scope > fieldset");
    if (fieldset) {
      fieldset.disabled = !shown;
    }
  }

  // Walk sections and questions in document order; a condition sees only answers to questions
  // that are themselves shown, exactly as on the server.
  // A page that shows one section (the vendor portal) carries the answers given elsewhere, so
  // conditions on earlier sections hold here too.
  function known(form) {
    var raw = form.getAttribute("data-known-answers");
    return raw ? JSON.parse(raw) : {};
  }

  function update(form) {
    var seen = known(form);
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var sectionShown = holds(parse(section), seen);
      show(section, sectionShown);
      section.querySelectorAll("[data-question]").forEach(function (question) {
        var shown = sectionShown && holds(parse(question), seen);
        show(question, shown);
        if (shown) {
          seen[question.getAttribute("data-question")] = chosen(form, question.getAttribute("data-question"));
        }
      });
    });
    // Answering N/A needs a comment: open the comment box.
    form.querySelectorAll("details[data-na-comment]").forEach(function (details) {
      var box = document.getElementById(details.getAttribute("data-na-comment"));
      if (box && box.checked) {
        details.open = true;
      }
    });
    document.querySelectorAll("[data-toc-for]").forEach(function (link) {
      var target = document.getElementById(link.getAttribute("data-toc-for"));
      if (target && form.contains(target)) {
        link.classList.toggle("vr-toc-hidden", target.hidden);
      }
    });
  }

  // An option that stands alone ("none of these", "not sure") unticks the others of its
  // question, and ticking another option unticks it. The server refuses the combination too.
  function keepExclusive(form, box) {
    if (box.type !== "checkbox" || !box.checked) {
      return;
    }
    var alone = box.hasAttribute("data-exclusive");
    form.querySelectorAll('input[type="checkbox"][name="' + box.name + '"]').forEach(function (other) {
      if (other !== box && other.checked && (alone || other.hasAttribute("data-exclusive"))) {
        other.checked = false;
      }
    });
  }

  document.querySelectorAll("form[data-questionnaire]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      keepExclusive(form, event.target);
      update(form);
    });
    update(form);
  });
})();
