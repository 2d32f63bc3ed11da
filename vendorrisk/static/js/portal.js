// Autosave for the vendor portal: saves the section a few seconds after the last change, with
// the version the page was built on. A conflict (409) is shown, never silently overwritten.
// Without JavaScript, the Save buttons do the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) {
    return;
  }
  var status = form.querySelector("[data-autosave-status]");
  var versionInput = form.querySelector("[data-version]");
  var timer = null;
  var busy = false;
  var stopped = false;
  var waitingSubmit = null;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function payload() {
    var data = new FormData(form);
    // Files go up with the Save buttons only.
    form.querySelectorAll('input[type="file"]').forEach(function (input) {
      data.delete(input.name);
    });
    data.set("action", "stay");
    return data;
  }

  function save() {
    if (stopped) {
      return;
    }
    if (busy) {
      timer = setTimeout(save, 1000);
      return;
    }
    busy = true;
    say("Saving…");
    // Not form.action: the Save buttons are named "action" and shadow that property.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: payload(),
      credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (response) {
      busy = false;
      if (response.status === 409) {
        stopped = true;
        say("Someone else saved this questionnaire meanwhile. Press Save draft to see what to do.");
        return null;
      }
      if (!response.ok) {
        say("Not saved automatically. Press Save draft.");
        return null;
      }
      return response.json();
    }).then(function (body) {
      if (body && body.ok) {
        versionInput.value = body.version;
        say("Saved at " + body.saved_at + " UTC");
      }
      resumeSubmit();
    }).catch(function () {
      busy = false;
      say("Not saved automatically (no connection). Press Save draft when you are back online.");
      resumeSubmit();
    });
  }

  // A Save pressed while an autosave is on its way waits for it, so the page's version is
  // current and the person's own autosave is never reported as someone else's save.
  function resumeSubmit() {
    if (waitingSubmit !== null) {
      var submitter = waitingSubmit;
      waitingSubmit = null;
      form.requestSubmit(submitter || undefined);
    }
  }

  function changed(event) {
    if (event.target && event.target.type === "file") {
      return;
    }
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(save, 2000);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (busy) {
      event.preventDefault();
      waitingSubmit = event.submitter || false;
    }
  });
})();
