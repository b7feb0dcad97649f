/* "Mis alertas": the new subscription's form shows only the fields its choices need.
 * Without this script every field is shown and the server reads the ones that apply.
 * [data-watch=X] is shown while "Qué vigilar" is X, [data-not-watch=X] while it is not,
 * [data-channel=X] while "A dónde enviar" is X. Hidden fields are still submitted: the server ignores them. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-subscription-form]");
  if (!form) {
    return;
  }
  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }
  function update() {
    var watch = checked("watch");
    var channel = checked("channel");
    form.querySelectorAll("[data-watch]").forEach(function (el) { el.hidden = el.dataset.watch !== watch; });
    form.querySelectorAll("[data-not-watch]").forEach(function (el) { el.hidden = el.dataset.notWatch === watch; });
    form.querySelectorAll("[data-channel]").forEach(function (el) { el.hidden = el.dataset.channel !== channel; });
  }
  form.classList.add("enhanced");
  form.addEventListener("change", update);
  update();
})();
