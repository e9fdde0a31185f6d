// Docflow's only script besides htmx: progressive enhancements, nothing a page needs to work.
(function () {
  "use strict";

  // htmx requests carry the CSRF token that the page put on <body>.
  function csrfHeaders() {
    var token = document.body.getAttribute("data-csrf");
    if (token) {
      document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
    }
  }

  // Filter a list of choices as you type: <input data-filter="#list"> hides rows of #list
  // ([data-filter-text]) that do not contain the words, ignoring accents.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function filters(root) {
    root.querySelectorAll("input[data-filter]").forEach(function (input) {
      var list = document.querySelector(input.getAttribute("data-filter"));
      if (!list) { return; }
      input.addEventListener("input", function () {
        var words = fold(input.value).split(/\s+/).filter(Boolean);
        list.querySelectorAll("[data-filter-text]").forEach(function (row) {
          var text = fold(row.getAttribute("data-filter-text"));
          row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
        });
      });
    });
  }

  // A checkbox data-check-group="name" ticks or clears every checkbox with data-group="name".
  // With scripts on it is only that helper: the ticked members are sent, not the group.
  function groups(root) {
    root.querySelectorAll("input[data-check-group]").forEach(function (box) {
      box.removeAttribute("name");
      box.addEventListener("change", function () {
        var name = box.getAttribute("data-check-group");
        document.querySelectorAll('input[data-group="' + name + '"]').forEach(function (item) {
          item.checked = box.checked;
        });
      });
    });
  }

  // A search result ticked with data-move-to="#list" moves into that list, so the next
  // search (which replaces the results) keeps it.
  function movers(root) {
    root.querySelectorAll("input[data-move-to]").forEach(function (box) {
      box.addEventListener("change", function () {
        var target = document.querySelector(box.getAttribute("data-move-to"));
        var label = box.closest("label");
        if (box.checked && target && label) { box.removeAttribute("data-move-to"); target.appendChild(label); }
      });
    });
  }

  // Buttons with data-confirm ask before they submit (window.confirm, no inline handler).
  function confirms(root) {
    root.querySelectorAll("[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  // Stop a second click from sending the same form while the first is on its way; the server
  // also acts once per form (a one-time key), this only spares the slow connection.
  function oneSubmit(root) {
    root.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
        }, 0);
      });
    });
  }

  // The main menu on a phone: a button folds it, so the page starts with its content; the
  // stylesheet shows the button only on narrow screens, and every item once it is open.
  function menu() {
    var nav = document.querySelector(".mainnav");
    var button = nav && nav.querySelector(".menu-toggle");
    if (!button) { return; }
    button.hidden = false;
    nav.classList.add("foldable");
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    }
    button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) { set(false); button.focus(); }
    });
  }

  // Installable web app: the worker keeps the static shell and an offline page.
  function serviceWorker() {
    var script = document.querySelector("script[data-service-worker]");
    if (!script || !("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(script.getAttribute("data-service-worker"))
      .catch(function () { /* no worker (private window, http): the pages work the same */ });
  }

  function enhance(root) {
    filters(root); groups(root); movers(root); confirms(root); oneSubmit(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    csrfHeaders();
    document.documentElement.classList.add("js");
    menu();
    enhance(document);
    serviceWorker();
  });
  // Coming back to a page from the history: its buttons work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[aria-busy=true]").forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) { enhance(event.target); }
  });
})();
