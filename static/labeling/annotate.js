/* Discriminamómetro: keyboard-first labeling.
 * S / N / ? choose the answer, 1–9 toggle categories (once "Sí" is chosen), C goes to the comment,
 * Enter submits, K skips, U undoes the last answer. Inside the comment box keys type text;
 * Escape leaves it and Ctrl+Enter submits. Also records the seconds the page was visible.
 * A send the form refuses (no answer yet, a "Sí" without a category) says why in #answer-alert, a live
 * region screen readers announce, and focuses what is missing: the browser's own bubble is easy to miss. */
(function () {
  "use strict";
  const form = document.getElementById("answer-form");
  const skipForm = document.getElementById("skip-form");
  const undoForm = document.getElementById("undo-form");

  // Time on the post: only while the tab is visible, so a coffee break does not count.
  let visibleSince = document.hidden ? null : performance.now();
  let spent = 0;
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && visibleSince !== null) { spent += performance.now() - visibleSince; visibleSince = null; }
    else if (!document.hidden && visibleSince === null) { visibleSince = performance.now(); }
  });
  function secondsSpent() {
    const running = visibleSince === null ? 0 : performance.now() - visibleSince;
    return ((spent + running) / 1000).toFixed(2);
  }

  function submitOnce(target) {
    if (!target || target.dataset.sent) { return; }
    target.dataset.sent = "1";  // a held-down key sends one request
    target.submit();
  }

  if (form) {
    const categories = form.querySelector("fieldset.categories");
    const syncCategories = function () {
      const yes = form.querySelector('input[name="answer"][value="yes"]').checked;
      categories.disabled = !yes;
      const boxes = categories.querySelectorAll('input[type="checkbox"]');
      // A "Sí" needs at least one category: the browser says so before sending.
      boxes.forEach(function (box) { box.setCustomValidity(""); });
      if (yes && boxes.length && !categories.querySelector("input:checked")) {
        boxes[0].setCustomValidity(categories.dataset.required);
      }
    };
    const alertBox = document.getElementById("answer-alert");
    const say = function (text) { if (alertBox) { alertBox.textContent = text; } };
    // The first control the form refuses (in document order), and the page's words for what is missing.
    const refusal = function () {
      const invalid = form.querySelector("input:invalid, textarea:invalid");
      if (!invalid) { return null; }
      const text = invalid.type === "radio" ? form.dataset.answerRequired
        : invalid.type === "checkbox" ? categories.dataset.required : invalid.validationMessage;
      return { control: invalid, text: text };
    };
    form.addEventListener("change", function () {
      syncCategories();
      // What the message asked for is done: it goes (a new lack is said at the next send).
      const found = refusal();
      if (alertBox && (!found || found.text !== alertBox.textContent)) { say(""); }
    });
    // A click on "Enviar" with something missing: the browser refuses; say why as well.
    form.addEventListener("invalid", function () { const found = refusal(); if (found) { say(found.text); } }, true);
    syncCategories();
    // Clicking "Enviar" comes here too: record the time, and send a double click once.
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      const seconds = form.querySelector('input[name="seconds"]');
      if (seconds) { seconds.value = secondsSpent(); }
    });
    form.submitChecked = function () {
      syncCategories();
      const found = refusal();
      if (found) {
        say(found.text);
        found.control.focus();
        return;
      }
      form.requestSubmit();  // runs the submit handler above
    };
  }

  function choose(key) {
    const radio = form && form.querySelector('input[name="answer"][data-key="' + key + '"]');
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
  }

  function toggleCategory(key) {
    const box = form && form.querySelector('fieldset.categories:not([disabled]) input[data-key="' + key + '"]');
    if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.metaKey || event.isComposing) { return; }
    const typing = event.target.matches("textarea, input[type=text], input[type=password]");
    if (typing) {
      if (event.key === "Escape") { event.target.blur(); }
      if (event.key === "Enter" && event.ctrlKey && form) { event.preventDefault(); form.submitChecked(); }
      return;
    }
    if (event.ctrlKey) { return; }
    const key = event.key.toLowerCase();
    let handled = true;
    if (key === "s" || key === "n" || key === "?") { choose(key); }
    else if (/^[1-9]$/.test(key)) { toggleCategory(key); }
    else if (key === "enter" && form) { form.submitChecked(); }
    else if (key === "k" && skipForm) { submitOnce(skipForm); }
    else if (key === "u" && undoForm && !undoForm.querySelector("button").disabled) { submitOnce(undoForm); }
    else if (key === "c" && form && form.querySelector("textarea")) { form.querySelector("textarea").focus(); }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  });
})();
