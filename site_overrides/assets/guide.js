/* Guided mode of a tree page ("Lépésről lépésre"): one question or instruction at a time.
 *
 * The tree is read from the page itself: the node sections that generator/pages/tree_page.py
 * writes (data-node, data-kind, data-outcome, a.fa-answer[data-next], p.fa-next[data-next]).
 * The place is kept in the address, so reload, a copied link, back/forward and file:// work:
 *   ?ut=<answers given, joined by |>[&be=<entry node>][&elozo=<earlier trees, JSON>]#<current node>
 * Steps are passed through only when the current node lies beyond them, so an instruction stays
 * on screen until "Kész, tovább". Without JavaScript the same address just scrolls to #<node>.
 * Also: the current node is marked in the flowchart, and the chart opens full size (zoom, pan). */
(function () {
  "use strict";

  var box = document.getElementById("fa-utmutato");
  if (!box) return;
  var article = box.closest("article") || document.body;
  var treeId = box.getAttribute("data-tree");
  var startId = box.getAttribute("data-start");
  var heading = article.querySelector("h1");
  var treeTitle = heading ? heading.textContent.trim() : treeId;
  var OUTCOME_LABELS = { solved: "Megoldva", escalate: "Továbbküldés", "continue": "Folytatás másik fában" };
  var KIND_LABELS = { question: "Kérdés", step: "Teendő", outcome: "Kimenet" };
  var MONTHS = ["január", "február", "március", "április", "május", "június", "július", "augusztus",
                "szeptember", "október", "november", "december"];
  var nodes = readNodes();
  if (!nodes[startId]) return;

  /* ---- the tree, from the page ---- */

  /* An element's text as typed: its line breaks kept (the page writes a typed line break as <br> and a
   * newline, generator/text.py `plain_block`), other whitespace runs as one space, a run of blank lines as one. */
  function textOf(element) {
    if (!element) return "";
    return element.textContent.split("\n").map(function (line) { return line.replace(/\s+/g, " ").trim(); })
      .join("\n").replace(/\n{3,}/g, "\n\n").replace(/^\n+|\n+$/g, "");
  }

  function readNodes() {
    var found = {};
    article.querySelectorAll("section.fa-node[data-node]").forEach(function (section) {
      var title = section.querySelector("h2");
      var copy = title ? title.cloneNode(true) : document.createElement("h2");
      var kindLabel = copy.querySelector(".fa-kind");
      if (kindLabel) kindLabel.remove();
      var next = section.querySelector(":scope > p.fa-next[data-next]");
      var nextLink = next && next.querySelector("a");
      var contact = section.querySelector(":scope > .fa-contact");
      found[section.getAttribute("data-node")] = {
        id: section.getAttribute("data-node"),
        kind: section.getAttribute("data-kind"),
        outcome: section.getAttribute("data-outcome"),
        section: section,
        text: textOf(copy),
        answers: Array.prototype.map.call(section.querySelectorAll("a.fa-answer"), function (a) {
          return { label: textOf(a), next: a.getAttribute("data-next"), href: a.getAttribute("href"),
                   then: textOf(a.parentNode.querySelector(".fa-then")) };
        }),
        next: next ? { ref: next.getAttribute("data-next"), href: nextLink ? nextLink.getAttribute("href") : "#",
                       text: textOf(nextLink) } : null,
        codes: Array.prototype.map.call(section.querySelectorAll("a.fa-code"), textOf),
        contact: contact ? readContact(contact) : null
      };
    });
    return found;
  }

  function readContact(element) {
    var lines = Array.prototype.map.call(element.querySelectorAll(":scope > p"), function (p) {
      var label = p.querySelector("strong");
      return textOf(p).slice(label ? textOf(label).length : 0).trim();
    });
    return { who: lines[0] || "", channel: lines[1] || "",
             include: Array.prototype.map.call(element.querySelectorAll("li"), textOf) };
  }

  /* Where a `next` value leads: {node} in this tree, or {href} of another tree's page. */
  function resolve(ref, href) {
    var hash = ref.indexOf("#");
    var tree = hash >= 0 ? ref.slice(0, hash) : null;
    var node = hash >= 0 ? ref.slice(hash + 1) : ref;
    if ((tree === null || tree === treeId) && nodes[node]) return { node: node };
    return { href: href, ref: ref, entry: hash >= 0 ? node : null };
  }

  function sameLabel(a, b) {
    return a.replace(/\s+/g, " ").trim().toLowerCase() === b.replace(/\s+/g, " ").trim().toLowerCase();
  }

  /* Nodes reachable from `from` through steps only: is `target` among them? */
  function stepsReach(from, target) {
    var seen = {};
    var id = from;
    while (nodes[id] && nodes[id].kind === "step" && !seen[id]) {
      seen[id] = true;
      var way = resolve(nodes[id].next.ref, nodes[id].next.href);
      if (!way.node) return false;
      id = way.node;
      if (id === target) return true;
    }
    return false;
  }

  /* Follow the answers from the entry node. Ends at a question without an answer yet, at the
   * instruction the address names, at an outcome, or at a link into another tree. */
  function walk(state) {
    var parts = state.raw === "" ? [] : state.raw.split("|");
    var pos = 0;
    var path = [];
    var id = state.entry;
    for (var guard = 0; guard < 10000; guard++) {
      var node = nodes[id];
      var way = null;
      if (node.kind === "outcome") return { path: path, current: id };
      if (node.kind === "question") {
        var match = null;
        for (var k = parts.length - pos; k > 0 && !match; k--) {
          var given = parts.slice(pos, pos + k).join("|");
          match = node.answers.filter(function (a) { return sameLabel(a.label, given); })[0] || null;
          if (match) pos += k;
        }
        if (!match) return { path: path, current: id };
        path.push({ id: id, answer: match.label });
        way = resolve(match.next, match.href);
      } else {
        if (pos >= parts.length && (state.hash === id || !stepsReach(id, state.hash))) return { path: path, current: id };
        path.push({ id: id, answer: null });
        way = resolve(node.next.ref, node.next.href);
      }
      if (!way.node) return { path: path, current: null, external: way };
      id = way.node;
    }
    return { path: path, current: id };
  }

  /* ---- the address ---- */

  function parsePrevious(text) {
    if (!text) return [];
    try {
      var value = JSON.parse(text);
      var slug = /^[a-z0-9]+(-[a-z0-9]+)*$/;
      var ok = Array.isArray(value) && value.every(function (seg) {
        return seg && slug.test(seg.f) && typeof seg.c === "string" && Array.isArray(seg.p) &&
          (seg.b === undefined || slug.test(seg.b)) && (seg.k === undefined || Array.isArray(seg.k)) &&
          seg.p.every(function (item) { return Array.isArray(item) && slug.test(item[0]) && typeof item[2] === "string"; });
      });
      return ok ? value : [];
    } catch (error) {
      return [];
    }
  }

  function readState() {
    var params = new URLSearchParams(location.search);
    if (!params.has("ut")) return null;
    var entry = params.get("be");
    return {
      prev: parsePrevious(params.get("elozo")),
      entry: entry && nodes[entry] ? entry : startId,
      raw: params.get("ut") || "",
      hash: decodeURIComponent(location.hash.slice(1))
    };
  }

  function query(prev, entry, answers) {
    var parts = [];
    if (prev.length) parts.push("elozo=" + encodeURIComponent(JSON.stringify(prev)));
    if (entry && entry !== startId) parts.push("be=" + encodeURIComponent(entry));
    parts.push("ut=" + answers.map(encodeURIComponent).join("|"));
    return "?" + parts.join("&");
  }

  function answersOf(path) {
    return path.filter(function (step) { return step.answer !== null; }).map(function (step) { return step.answer; });
  }

  /* The address of a place in an earlier tree: segment `si` of `prev`, at its item `ii`. */
  function previousHref(prev, si, ii) {
    var seg = prev[si];
    var answers = seg.p.slice(0, ii).filter(function (item) { return item[3] != null; })
      .map(function (item) { return item[3]; });
    var params = [];
    if (si > 0) params.push("elozo=" + encodeURIComponent(JSON.stringify(prev.slice(0, si))));
    if (seg.b) params.push("be=" + encodeURIComponent(seg.b));
    params.push("ut=" + answers.map(encodeURIComponent).join("|"));
    return encodeURIComponent(seg.f) + ".html?" + params.join("&") + "#" + encodeURIComponent(seg.p[ii][0]);
  }

  function publicAddress() {
    var canonical = document.querySelector("link[rel=canonical]");
    var here = location.search + location.hash;
    if (canonical && canonical.href && location.protocol === "file:") return new URL(here, canonical.href).href;
    return location.href;
  }

  /* ---- state changes ---- */

  var state = null;
  var result = null;

  function goTo(entry, answers, node, how) {
    var url = query(state.prev, entry, answers) + "#" + encodeURIComponent(node);
    history[how === "replace" ? "replaceState" : "pushState"](null, "", url);
    update(true);
  }

  /* Go back to item `index` of the path: that answer is to be given again, the rest is dropped. */
  function rewind(index) {
    goTo(state.entry, answersOf(result.path.slice(0, index)), result.path[index].id);
  }

  function answer(label, target) {
    var answers = answersOf(result.path).concat(label === null ? [] : [label]);
    if (target.node) return goTo(state.entry, answers, target.node);
    location.href = leaveHref(target, { id: result.current, answer: label });
  }

  /* The address of the next tree, carrying the path so far (this tree becomes an earlier one). */
  function leaveHref(target, last) {
    var path = result.path.concat(last ? [last] : []);
    var segment = {
      f: treeId, c: treeTitle,
      p: path.map(function (step) {
        var node = nodes[step.id];
        return [step.id, node.kind.charAt(0), node.text, step.answer];
      }),
      k: codesOf(path)
    };
    if (state.entry !== startId) segment.b = state.entry;
    var href = target.href || "#";
    var hashAt = href.indexOf("#");
    var page = hashAt >= 0 ? href.slice(0, hashAt) : href;
    var node = hashAt >= 0 ? href.slice(hashAt + 1) : "";
    var params = ["elozo=" + encodeURIComponent(JSON.stringify(state.prev.concat([segment])))];
    if (target.entry) params.push("be=" + encodeURIComponent(target.entry));
    params.push("ut=");
    return page + "?" + params.join("&") + (node ? "#" + node : "");
  }

  /* The catalogue code an answer label names exactly (from the lookup table), or null. */
  function codeNamed(label) {
    var table = window.faLookupTable;
    var id = table && window.faLookup ? table.keys[window.faLookup.fold(label)] : undefined;
    return typeof id === "number" ? table.entries[id][0] : null;
  }

  /* Codes met on the path: a node's codes, but where the answers themselves are codes
   * ("Milyen hibakódot lát?"), only the one chosen. */
  function codesOf(path) {
    var codes = [];
    function add(code) { if (code && codes.indexOf(code) < 0) codes.push(code); }
    path.forEach(function (step) {
      var node = nodes[step.id];
      if (node.kind === "question" && node.answers.some(function (a) { return codeNamed(a.label); })) {
        add(step.answer !== null ? codeNamed(step.answer) : null);
      } else {
        node.codes.forEach(add);
      }
    });
    return codes;
  }

  function start() {
    state = { prev: [], entry: startId, raw: "", hash: startId };
    goTo(startId, [], startId);
  }

  function leave(hash) {
    history.pushState(null, "", location.pathname + (hash || ""));
    update(false);
  }

  /* ---- rendering ---- */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text != null) node.textContent = text;
    return node;
  }

  /* Text into `node`, each of its line breaks as a <br>. */
  function appendLines(node, text) {
    text.split("\n").forEach(function (line, index) {
      if (index) node.appendChild(document.createElement("br"));
      node.appendChild(document.createTextNode(line));
    });
    return node;
  }

  function button(label, cls, onClick, attrs) {
    var b = appendLines(el("button", Object.assign({ type: "button", "class": cls }, attrs || {})), label);
    b.addEventListener("click", onClick);
    return b;
  }

  var live = el("div", { "class": "fa-sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  box.hidden = false;
  box.after(live);

  function renderStart() {
    box.textContent = "";
    var card = el("div", { "class": "fa-guide__start" });
    var p = el("p");
    p.appendChild(el("strong", {}, "Sietne? "));
    p.appendChild(document.createTextNode("Válaszoljon a kérdésekre egyenként, és az útmutató a megoldásig vezeti."));
    card.appendChild(p);
    card.appendChild(button("Lépésről lépésre", "md-button md-button--primary fa-guide__begin", start));
    box.appendChild(card);
  }

  function pathItem(kind, text, answerText, control) {
    var li = el("li", { "class": "fa-guide__item" });
    var q = appendLines(el("span", { "class": "fa-guide__q" }), (kind === "s" ? "Teendő: " : "") + text);
    li.appendChild(q);
    li.appendChild(appendLines(el("span", { "class": "fa-guide__a" }), answerText));
    if (control) li.appendChild(control);
    return li;
  }

  function renderPath(list) {
    state.prev.forEach(function (seg, si) {
      var group = el("li", { "class": "fa-guide__tree" });
      group.appendChild(el("span", { "class": "fa-guide__treename" }, seg.c));
      var inner = el("ol", {});
      seg.p.forEach(function (item, ii) {
        if (item[1] === "o") {
          inner.appendChild(pathItem("o", item[2], "folytatás a következő útmutatóban"));
          return;
        }
        var link = el("a", { href: previousHref(state.prev, si, ii), "class": "fa-guide__change",
                             "aria-label": "Módosítom: " + item[2] }, "Módosítom");
        inner.appendChild(pathItem(item[1], item[2], item[3] != null ? item[3] : "kész", link));
      });
      group.appendChild(inner);
      list.appendChild(group);
    });
    result.path.forEach(function (step, index) {
      var node = nodes[step.id];
      var change = button("Módosítom", "fa-guide__change", function () { rewind(index); },
                          { "aria-label": "Módosítom: " + node.text });
      list.appendChild(pathItem(node.kind.charAt(0), node.text, step.answer !== null ? step.answer : "kész", change));
    });
  }

  function stepNumber() {
    return state.prev.reduce(function (n, seg) {
      return n + seg.p.filter(function (item) { return item[1] !== "o"; }).length;
    }, 0) + result.path.length + 1;
  }

  function cloneBody(node) {
    var body = el("div", { "class": "fa-guide__body" });
    Array.prototype.forEach.call(node.section.children, function (child) {
      if (child.matches("h2, ul.fa-answers, p.fa-next")) return;
      var copy = child.cloneNode(true);
      copy.removeAttribute("id");
      copy.querySelectorAll("[id]").forEach(function (inner) { inner.removeAttribute("id"); });
      body.appendChild(copy);
    });
    return body;
  }

  function renderCurrent(card) {
    var node = nodes[result.current];
    var label = node.kind === "outcome" ? OUTCOME_LABELS[node.outcome] : KIND_LABELS[node.kind];
    card.setAttribute("data-node", node.id);
    card.setAttribute("data-kind", node.kind);
    if (node.outcome) card.setAttribute("data-outcome", node.outcome);
    card.appendChild(el("p", { "class": "fa-guide__count" }, stepNumber() + ". lépés"));
    var title = el("h3", { id: "fa-guide-aktualis", "class": "fa-guide__title", tabindex: "-1" });
    title.appendChild(el("span", { "class": "fa-guide__kind" }, label + ": "));
    appendLines(title, node.text);
    card.appendChild(title);
    if (node.kind === "outcome") card.appendChild(outcomeBanner(node));
    card.appendChild(cloneBody(node));
    if (node.kind === "question") {
      var group = el("div", { "class": "fa-guide__answers", role: "group", "aria-labelledby": "fa-guide-aktualis" });
      node.answers.forEach(function (a) {
        group.appendChild(button(a.label, "fa-guide__answer", function () { answer(a.label, resolve(a.next, a.href)); }));
      });
      card.appendChild(group);
    } else if (node.kind === "step") {
      card.appendChild(button("Kész, tovább", "fa-guide__answer fa-guide__done", function () {
        answer(null, resolve(node.next.ref, node.next.href));
      }));
    } else {
      if (node.next) {
        var target = resolve(node.next.ref, node.next.href);
        var href = target.node ? query(state.prev, state.entry, answersOf(result.path)) + "#" + target.node
                               : leaveHref(target, { id: node.id, answer: null });
        card.appendChild(appendLines(el("a", { href: href, "class": "md-button md-button--primary fa-guide__continue" }),
                                     "Tovább: " + node.next.text));
      }
      card.appendChild(summaryBlock(node));
    }
  }

  function outcomeBanner(node) {
    var texts = {
      solved: "A hiba megoldódott. Ha mégsem, kezdje újra, vagy küldje el az összefoglalót az ügyfélszolgálatnak.",
      escalate: "Ezt nem lehet helyben megoldani: küldje el az összefoglalót az alább megadott helyre.",
      "continue": "A hibaelhárítás egy másik útmutatóban folytatódik; az eddigi válaszai megmaradnak."
    };
    var banner = el("p", { "class": "fa-guide__banner fa-guide__banner--" + node.outcome });
    banner.appendChild(el("strong", {}, OUTCOME_LABELS[node.outcome] + ". "));
    banner.appendChild(document.createTextNode(texts[node.outcome] || ""));
    return banner;
  }

  /* ---- the summary ---- */

  function formatDate(d) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + ". " + MONTHS[d.getMonth()] + " " + d.getDate() + ". " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function summaryText() {
    var lines = ["Hibaelhárítás – összefoglaló", ""];
    var n = 0;
    var current = result.current ? nodes[result.current] : null;
    var codes = [];
    function addCodes(list) { list.forEach(function (c) { if (codes.indexOf(c) < 0) codes.push(c); }); }
    if (current && current.outcome === "escalate" && current.contact) {
      lines.push("Küldje el ide: " + current.contact.who + " (" + current.contact.channel + ")", "");
    }
    state.prev.forEach(function (seg) {
      lines.push("Útmutató: " + seg.c);
      seg.p.forEach(function (item) {
        if (item[1] === "o") lines.push("   → " + item[2]);
        else lines.push(++n + ". " + (item[1] === "s" ? "Teendő: " + item[2] + " – elvégezve" : item[2] + " – " + item[3]));
      });
      addCodes(seg.k || []);
    });
    lines.push("Útmutató: " + treeTitle);
    result.path.forEach(function (step) {
      var node = nodes[step.id];
      lines.push(++n + ". " + (step.answer === null ? "Teendő: " + node.text + " – elvégezve" : node.text + " – " + step.answer));
    });
    addCodes(codesOf(result.path));
    if (current) {
      if (current.kind !== "question") addCodes(current.codes);
      if (current.kind === "outcome") {
        lines.push("", "Eredmény: " + OUTCOME_LABELS[current.outcome] + " – " + current.text);
      } else {
        lines.push("", "Itt tart: " + KIND_LABELS[current.kind] + " – " + current.text + " (még nincs eredmény)");
      }
      if (current.contact) {
        lines.push("Kihez forduljon: " + current.contact.who, "Hogyan: " + current.contact.channel);
        if (current.contact.include.length) lines.push("Mit írjon meg: " + current.contact.include.join("; "));
      }
    }
    lines.push("Hibakód: " + (codes.length ? codes.join(", ") : "nincs"));
    lines.push("Dátum: " + formatDate(new Date()));
    lines.push("Oldal: " + publicAddress());
    // A text typed on several lines goes on indented under its item, so the list stays readable in a ticket.
    return lines.map(function (line) { return line.replace(/\n(?!\n)/g, "\n   "); }).join("\n") + "\n";
  }

  function copyText(text) {
    function fallback() {
      var area = el("textarea", { "class": "fa-sr-only", "aria-hidden": "true", tabindex: "-1" });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
      area.remove();
      return ok;
    }
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, fallback);
    }
    return Promise.resolve(fallback());
  }

  function summaryBlock() {
    var wrap = el("div", { "class": "fa-guide__summary" });
    var text = summaryText();
    var pre = el("pre", { "class": "fa-guide__summarytext", tabindex: "0", "aria-label": "Az összefoglaló szövege" }, text);
    var note = el("p", { "class": "fa-guide__copied", role: "status" });
    wrap.appendChild(button("Összefoglaló másolása", "md-button md-button--primary fa-guide__copy", function () {
      copyText(summaryText()).then(function (ok) {
        note.textContent = ok ? "Az összefoglaló a vágólapra került: illessze be a bejelentésbe vagy a levélbe."
                              : "A másolás nem sikerült: jelölje ki lent a szöveget, és másolja ki (Ctrl+C).";
        if (!ok) pre.closest("details").open = true;
      });
    }));
    wrap.appendChild(note);
    var details = el("details", { "class": "fa-guide__preview" });
    details.appendChild(el("summary", {}, "Az összefoglaló megtekintése"));
    details.appendChild(pre);
    wrap.appendChild(details);
    return wrap;
  }

  /* ---- putting it together ---- */

  function renderGuide() {
    box.textContent = "";
    var bar = el("div", { "class": "fa-guide__bar" });
    bar.appendChild(el("h2", { "class": "fa-guide__heading", id: "fa-guide-cim" }, "Lépésről lépésre"));
    var tools = el("div", { "class": "fa-guide__tools" });
    var canGoBack = result.path.length > 0 || state.prev.length > 0;
    tools.appendChild(button("‹ Vissza", "fa-guide__tool fa-guide__back", back, canGoBack ? {} : { disabled: "" }));
    tools.appendChild(button("Újrakezdés", "fa-guide__tool fa-guide__restart", restart));
    tools.appendChild(button("Teljes útmutató", "fa-guide__tool fa-guide__exit", function () { leave(""); },
                             { title: "Kilépés: az összes lépés és az ábra" }));
    bar.appendChild(tools);
    box.appendChild(bar);
    if (result.path.length || state.prev.length) {
      var nav = el("nav", { "class": "fa-guide__path", "aria-label": "Az eddigi válaszok" });
      nav.appendChild(el("p", { "class": "fa-guide__pathtitle" }, "Az eddigi válaszok"));
      var list = el("ol", {});
      renderPath(list);
      nav.appendChild(list);
      box.appendChild(nav);
    }
    var card = el("div", { "class": "fa-guide__card" });
    if (result.current) {
      renderCurrent(card);
    } else {
      card.appendChild(el("h3", { id: "fa-guide-aktualis", "class": "fa-guide__title", tabindex: "-1" },
                          "Folytatás másik fában"));
      card.appendChild(el("a", { href: leaveHref(result.external, null), "class": "md-button md-button--primary fa-guide__continue" },
                          "Tovább a következő útmutatóhoz"));
    }
    box.appendChild(card);
  }

  function back() {
    if (result.path.length) return rewind(result.path.length - 1);
    if (state.prev.length) {
      var si = state.prev.length - 1;
      location.href = previousHref(state.prev, si, state.prev[si].p.length - 1);
    }
  }

  function restart() {
    state = { prev: [], entry: startId, raw: "", hash: startId };
    goTo(startId, [], startId);
  }

  function highlight() {
    article.querySelectorAll(".fc-chart .fa-aktualis, .fc-chart .fa-bejart").forEach(function (g) {
      g.classList.remove("fa-aktualis", "fa-bejart");
    });
    article.querySelectorAll(".fc-chart [aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
    if (!state) return;
    result.path.forEach(function (step) {
      var g = document.getElementById("fc-" + treeId + "-n-" + step.id);
      if (g) g.classList.add("fa-bejart");
    });
    var current = result.current && document.getElementById("fc-" + treeId + "-n-" + result.current);
    if (current) {
      current.classList.add("fa-aktualis");
      var link = current.querySelector("a");
      if (link) link.setAttribute("aria-current", "step");
    }
  }

  /* Render whatever the address says; `moveFocus` after the user's own step. */
  function update(moveFocus) {
    state = readState();
    document.documentElement.classList.toggle("fa-guided", !!state);
    if (!state) {
      result = null;
      renderStart();
      highlight();
      live.textContent = "";
      return;
    }
    result = walk(state);
    var want = result.current || "";
    if (result.current && state.hash !== want) {
      history.replaceState(null, "", query(state.prev, state.entry, answersOf(result.path)) + "#" + encodeURIComponent(want));
      state.hash = want;
    }
    renderGuide();
    highlight();
    var node = result.current ? nodes[result.current] : null;
    live.textContent = node
      ? stepNumber() + ". lépés. " + (node.kind === "outcome" ? OUTCOME_LABELS[node.outcome] : KIND_LABELS[node.kind]) + ": " + node.text
      : "Folytatás másik fában.";
    if (moveFocus) {
      var title = document.getElementById("fa-guide-aktualis");
      if (title) {
        title.focus({ preventScroll: true });
        box.scrollIntoView({ block: "start" });
      }
    }
  }

  /* In guided mode, a link to a place on this page (flowchart, table of contents) leaves guided mode. */
  document.addEventListener("click", function (event) {
    if (!state || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var link = event.target.closest && event.target.closest("a");
    if (!link || box.contains(link)) return;
    var href = link.getAttribute("href") || link.getAttribute("xlink:href") || "";
    if (href.charAt(0) !== "#" || href.length < 2) return;
    event.preventDefault();
    follow(href);
  });

  /* Follow a link: a place on this page (leaving guided mode), or another page. */
  function follow(href) {
    if (href.charAt(0) !== "#") {
      location.href = new URL(href, location.href).href;
      return;
    }
    if (state) leave(href);
    else history.pushState(null, "", href);
    var target = document.getElementById(decodeURIComponent(href.slice(1)));
    if (target) {
      target.scrollIntoView({ block: "start" });
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  }

  window.addEventListener("popstate", function () { update(true); });

  /* ---- the flowchart, full size: zoom with the buttons or + and -, pan by scrolling or dragging ---- */

  function setupZoom() {
    var figure = article.querySelector(".fa-chart-figure");
    var chart = figure && figure.querySelector(".fc-chart");
    var svg = chart && chart.querySelector("svg");
    if (!svg || typeof HTMLDialogElement === "undefined") return;
    var viewBox = svg.viewBox && svg.viewBox.baseVal;
    var natural = viewBox && viewBox.width ? viewBox.width * 4 / 3 : 800;
    var zoom = 1;
    var dialog = el("dialog", { "class": "fa-zoom", "aria-labelledby": "fa-zoom-cim" });
    var bar = el("div", { "class": "fa-zoom__bar" });
    bar.appendChild(el("h2", { id: "fa-zoom-cim", "class": "fa-zoom__title" }, "Folyamatábra: " + treeTitle));
    var level = el("span", { "class": "fa-zoom__level", "aria-live": "polite" });
    var stage = el("div", { "class": "fa-zoom__stage fc-chart", tabindex: "0", role: "region",
                            "aria-label": "A folyamatábra; görgetéssel vagy húzással mozgatható" });
    function apply(value) {
      zoom = Math.min(4, Math.max(0.25, value));
      svg.style.width = Math.round(natural * zoom) + "px";
      svg.style.maxWidth = "none";
      level.textContent = Math.round(zoom * 100) + "%";
    }
    bar.appendChild(button("−", "fa-zoom__btn", function () { apply(zoom / 1.25); }, { "aria-label": "Kicsinyítés" }));
    bar.appendChild(level);
    bar.appendChild(button("+", "fa-zoom__btn", function () { apply(zoom * 1.25); }, { "aria-label": "Nagyítás" }));
    bar.appendChild(button("Képernyőhöz igazítás", "fa-zoom__btn", function () {
      apply((stage.clientWidth - 16) / natural);
    }));
    bar.appendChild(button("Bezárás", "fa-zoom__btn fa-zoom__close", function () { dialog.close(); }));
    dialog.appendChild(bar);
    dialog.appendChild(stage);
    document.body.appendChild(dialog);
    var placeholder = document.createComment("fa-zoom");
    var style = svg.getAttribute("style");
    var open = button("Ábra teljes méretben", "md-button fa-zoom__open", function () {
      chart.replaceChild(placeholder, svg);
      stage.appendChild(svg);
      dialog.showModal();
      apply(1);
      stage.focus();
    });
    figure.insertBefore(open, figure.firstChild);
    dialog.addEventListener("close", function () {
      if (style === null) svg.removeAttribute("style");
      else svg.setAttribute("style", style);
      chart.replaceChild(svg, placeholder);
      open.focus();
    });
    stage.addEventListener("keydown", function (event) {
      if (event.key === "+" || event.key === "=") { apply(zoom * 1.25); event.preventDefault(); }
      if (event.key === "-") { apply(zoom / 1.25); event.preventDefault(); }
    });
    var drag = null;
    stage.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "mouse" || event.target.closest("a")) return;
      drag = { x: event.clientX, y: event.clientY, left: stage.scrollLeft, top: stage.scrollTop };
      stage.setPointerCapture(event.pointerId);
    });
    stage.addEventListener("pointermove", function (event) {
      if (!drag) return;
      stage.scrollLeft = drag.left - (event.clientX - drag.x);
      stage.scrollTop = drag.top - (event.clientY - drag.y);
    });
    stage.addEventListener("pointerup", function () { drag = null; });
    /* A click on a node in the big chart closes it and follows the link on the page. */
    stage.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link) return;
      event.preventDefault();
      dialog.close();
      follow(link.getAttribute("href") || link.getAttribute("xlink:href") || "");
    });
  }

  setupZoom();
  update(!!readState());
})();
