/* Discriminamómetro: small behaviours every page may ask for with data- attributes, because the
 * Content-Security-Policy refuses inline scripts and on* handlers.
 * <a data-back> goes back in history (its href stays the fallback without JavaScript);
 * <select data-autosubmit> submits its form when it changes. */
(function () {
  "use strict";
  document.querySelectorAll("a[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
