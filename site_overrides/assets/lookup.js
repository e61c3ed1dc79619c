/* Code lookup: a box in the header of every page (and a large one on the home page) that jumps
 * straight to a code's page. The data is window.faLookupTable, written at build time by
 * generator/lookup.py from the Python normaliser (its docstring explains the keys). This file only
 * folds the input (NFC, lower case, whitespace collapsed) and tries candidates taken from the table:
 * the input as a key; the longest key the input starts with when the rest holds no digit (a suffix
 * such as "-as"); the messages the input is the start of. No fetch, so it works from file://.
 * The core (`find`, `suggest`) runs without a DOM too, so the tests can compare it with Python. */
(function () {
  "use strict";

  var MIN_MESSAGE_PREFIX = 4;
  var MAX_SUGGESTIONS = 8;

  function fold(text) {
    return String(text).normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function has(obj, key) {
    return Object.prototype.hasOwnProperty.call(obj, key);
  }

  function asList(value) {
    return Array.isArray(value) ? value.slice() : [value];
  }

  /* Entries of message-only errors whose folded spellings start with `q`, in table order. */
  function messagesStartingWith(table, q) {
    var ids = [];
    Object.keys(table.keys).forEach(function (key) {
      var value = table.keys[key];
      if (typeof value === "number" && table.entries[value][3] && key.indexOf(q) === 0 && ids.indexOf(value) < 0) {
        ids.push(value);
      }
    });
    return ids.sort(function (a, b) { return a - b; });
  }

  /* The entries the input names: one id for a hit, several for a family (`K0517`), [] for none. */
  function find(table, query) {
    var q = fold(query);
    if (!q) return [];
    if (has(table.keys, q)) return asList(table.keys[q]);
    for (var n = q.length - 1; n > 0; n--) {
      var head = q.slice(0, n);
      if (has(table.keys, head) && !/\d/.test(q.slice(n))) return asList(table.keys[head]);
    }
    if (q.length >= MIN_MESSAGE_PREFIX) {
      var messages = messagesStartingWith(table, q);
      if (messages.length === 1) return messages;
    }
    return [];
  }

  /* Suggestions while typing: what `find` names, then entries with a spelling starting with the
   * input, then (from three characters on) entries whose code or title contains it. */
  function suggest(table, query) {
    var q = fold(query);
    var ids = [];
    function add(id) { if (ids.indexOf(id) < 0) ids.push(id); }
    if (!q) return ids;
    find(table, q).forEach(add);
    var starting = [];
    Object.keys(table.keys).forEach(function (key) {
      if (key.indexOf(q) === 0) asList(table.keys[key]).forEach(function (id) { starting.push(id); });
    });
    starting.sort(function (a, b) { return a - b; }).forEach(add);
    if (q.length >= 3) {
      table.entries.forEach(function (entry, id) {
        if (fold(entry[0]).indexOf(q) >= 0 || fold(entry[1]).indexOf(q) >= 0) add(id);
      });
    }
    return ids;
  }

  window.faLookup = { fold: fold, find: find, suggest: suggest };

  var table = window.faLookupTable;
  var script = typeof document !== "undefined" ? document.currentScript : null;
  if (!table || !script) return;
  var base = new URL((script.getAttribute("data-base") || ".").replace(/\/?$/, "/"), location.href);

  function pageUrl(path) {
    return new URL(path, base).href;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text != null) node.textContent = text;
    return node;
  }

  /* One lookup box: a labelled combobox with a list of suggestions and a status line. */
  function createBox(variant) {
    var id = "fa-kk-" + variant;
    var form = el("form", { "class": "fa-kk fa-kk--" + variant, role: "search", "aria-label": "Hibakód keresése",
                            novalidate: "" });
    var label = el("label", { "class": "fa-kk__label", "for": id },
                   variant === "home" ? "Van hibakódja vagy hibaüzenete? Írja be, és nyomjon Entert:" : "Hibakód");
    var row = el("div", { "class": "fa-kk__row" });
    var input = el("input", {
      id: id, "class": "fa-kk__input", type: "text", role: "combobox", "aria-autocomplete": "list",
      "aria-expanded": "false", "aria-controls": id + "-lista", autocomplete: "off", autocapitalize: "off",
      spellcheck: "false", enterkeyhint: "go",
      placeholder: variant === "home" ? "pl. K0517 (-116), 0505, 1155 vagy az üzenet eleje" : "Hibakód"
    });
    if (variant === "home") input.setAttribute("aria-describedby", id + "-tipp");
    var button = el("button", { type: "submit", "class": "fa-kk__go" }, "Ugrás");
    var panel = el("div", { "class": "fa-kk__panel", hidden: "" });
    var list = el("ul", { id: id + "-lista", "class": "fa-kk__list", role: "listbox", "aria-label": "Javasolt kódok" });
    var status = el("div", { "class": "fa-kk__status" });
    var announce = el("div", { "class": "fa-kk__sr", role: "status" });
    row.appendChild(input);
    row.appendChild(button);
    form.appendChild(label);
    form.appendChild(row);
    if (variant === "home") {
      form.appendChild(el("p", { id: id + "-tipp", "class": "fa-kk__tip" },
        "Bármilyen írásmód jó: K0517 -116, k0517(-116)-as, 0505, K0100, 1155; kód nélküli hibánál az üzenet eleje."));
    }
    panel.appendChild(list);
    panel.appendChild(status);
    form.appendChild(panel);
    form.appendChild(announce);

    var shown = [];
    var active = -1;

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) input.setAttribute("aria-activedescendant", id + "-opt-" + index);
      else input.removeAttribute("aria-activedescendant");
    }

    function open(isOpen) {
      panel.hidden = !isOpen;
      input.setAttribute("aria-expanded", isOpen && shown.length ? "true" : "false");
    }

    function go(entryId) {
      location.href = pageUrl(table.entries[entryId][2]);
    }

    function showSuggestions() {
      shown = suggest(table, input.value).slice(0, MAX_SUGGESTIONS);
      list.textContent = "";
      shown.forEach(function (entryId, i) {
        var entry = table.entries[entryId];
        var option = el("li", { id: id + "-opt-" + i, role: "option", "class": "fa-kk__option",
                                "aria-selected": "false" });
        option.appendChild(el("span", { "class": "fa-kk__code" }, entry[3] ? "„" + entry[0] + "”" : entry[0]));
        if (!entry[3]) option.appendChild(el("span", { "class": "fa-kk__title" }, entry[1]));
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { go(entryId); });
        list.appendChild(option);
      });
      list.hidden = !shown.length;
      status.textContent = "";
      announce.textContent = shown.length ? shown.length + " javaslat, a nyilakkal választhat." : "";
      setActive(-1);
      open(!!fold(input.value) && shown.length > 0);
    }

    function unknown(query) {
      shown = [];
      list.textContent = "";
      list.hidden = true;
      status.textContent = "";
      status.appendChild(document.createTextNode("Ezt a kódot nem ismerem: „" + query.trim() + "”. Nézze meg a "));
      status.appendChild(el("a", { href: pageUrl(table.index) }, "hibakódok listáját"));
      if (table.start) {
        status.appendChild(document.createTextNode(", vagy kezdje az elejéről: "));
        status.appendChild(el("a", { href: pageUrl(table.start[0]) }, table.start[1]));
      }
      status.appendChild(document.createTextNode("."));
      announce.textContent = status.textContent;
      open(true);
    }

    function offer(message) {
      showSuggestions();
      status.textContent = message;
      announce.textContent = message;
      open(true);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (active >= 0 && shown[active] != null) return go(shown[active]);
      if (!fold(input.value)) return;
      var ids = find(table, input.value);
      if (ids.length === 1) return go(ids[0]);
      if (ids.length > 1) return offer("Több kód is illik rá, válasszon a listából.");
      if (suggest(table, input.value).length) {
        offer("Nincs pontos találat. Válasszon a listából, vagy írja be a teljes kódot.");
      } else {
        unknown(input.value);
      }
    });
    input.addEventListener("input", showSuggestions);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (panel.hidden) showSuggestions();
        if (!shown.length) return;
        event.preventDefault();
        var next = active + (event.key === "ArrowDown" ? 1 : -1);
        if (next < -1) next = shown.length - 1;
        if (next >= shown.length) next = -1;
        setActive(next);
      } else if (event.key === "Escape") {
        if (!panel.hidden) {
          event.preventDefault();
          setActive(-1);
          open(false);
        }
      }
      event.stopPropagation();
    });
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) open(false);
    });
    return form;
  }

  function mount() {
    var header = document.querySelector(".md-header__inner");
    if (header) {
      var slot = el("div", { "class": "fa-kk-header" });
      slot.appendChild(createBox("header"));
      var before = header.querySelector("label[for='__search']") || header.querySelector(".md-search");
      header.insertBefore(slot, before || null);
    }
    var home = document.getElementById("kodkereso-home");
    if (!home && script.getAttribute("data-home") === "1") {
      var content = document.querySelector("article.md-content__inner");
      var heading = content && content.querySelector("h1");
      if (content) {
        home = el("div", { id: "kodkereso-home" });
        content.insertBefore(home, heading ? heading.nextSibling : content.firstChild);
      }
    }
    if (home) home.appendChild(createBox("home"));
  }

  mount();
})();
