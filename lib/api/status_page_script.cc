// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The status page's style (on top of base/html's kHtmlPageCss) and its script. The
// script takes over from the server's rendering: it fetches /v1/records, draws the same
// markup as status_page.cc from it (every text through textContent, never innerHTML),
// follows /v1/events from the listing's serial (EventSource resumes with Last-Event-ID
// by itself; a "relist" or a stream that fails for good starts over from a new
// listing), filters as the user types and counts ages on the server's clock. When the
// records cannot be fetched (no access, an older faild) the page falls back to
// reloading itself. body[data-live] tells a test (and a curious reader) where it is:
// "listing", "open", "reconnecting", "reloading".
#include "api/status_page_assets.hh"

namespace fail::api {

const std::string_view kStatusPageCss =
    "body{overflow-wrap:anywhere}"
    ".counts a{display:inline-block;padding:.1em .5em;margin:.1em .3em .1em 0;border-radius:.3em;"
    "text-decoration:none}"
    "#filter{display:flex;flex-wrap:wrap;gap:.4em;margin:.4em 0}"
    "#filter input{flex:1 1 12em;min-width:0}#filter input,#filter select,#filter button{font:inherit;padding:.2em .4em}"
    "[hidden]{display:none!important}"
    // Failing rows stand out by more than colour: a bar, bold names, the state's word.
    "tr.s-fail-row>td:first-child{box-shadow:inset .35em 0 #c62828;padding-left:.8em;font-weight:bold}"
    "tr.s-recover-row>td:first-child{box-shadow:inset .35em 0 #ef6c00;padding-left:.8em}"
    "tr.s-unknown-row>td:first-child{box-shadow:inset .35em 0 #616161;padding-left:.8em}"
    "tr.s-fail-row{background:#c628281f}";

const std::string_view kStatusPageScript = R"js("use strict";
(function () {
  var STATES = ["UP", "RECOVER", "FAIL", "UNKNOWN"];
  var body = document.body, main = document.getElementById("groups"), none = document.getElementById("none");
  var status = document.getElementById("status"), form = document.getElementById("filter");
  var q = document.getElementById("q"), stateSel = document.getElementById("state");
  // Server clock minus this browser's, in microseconds: ages are counted on the server's.
  var skew = Number(body.dataset.now) - Date.now() * 1000;
  var records = null, serial = 0, source = null, pending = false, backoff = 1000;

  // What the server's htmlEscape shows as an escape, shown the same way here: controls,
  // bidirectional overrides and isolates, line and paragraph separators, the BOM.
  function visible(s) {
    return String(s).replace(/[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g, function (c) {
      if (c === "\n") return "\\n";
      if (c === "\r") return "\\r";
      if (c === "\t") return "\\t";
      var n = c.charCodeAt(0), h = n.toString(16);
      return n < 0x20 || n === 0x7f ? "\\x" + h.padStart(2, "0") : "\\u" + h.padStart(4, "0");
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = visible(text);
    return e;
  }
  // As base/time's formatAge: 42s, 3m12s, 5h, 2d3h.
  function age(us) {
    var s = Math.max(0, Math.floor(us / 1e6));
    var units = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
    for (var i = 0; i + 1 < units.length; i++)
      if (s >= units[i][1]) {
        var rest = Math.floor((s % units[i][1]) / units[i + 1][1]);
        return Math.floor(s / units[i][1]) + units[i][0] + (rest ? rest + units[i + 1][0] : "");
      }
    return s + "s";
  }
  function ages() {
    var now = Date.now() * 1000 + skew;
    document.querySelectorAll("time[data-us]").forEach(function (t) {
      t.textContent = age(now - Number(t.dataset.us)) + " ago";
    });
  }
  function stateOf(r) { return STATES.indexOf(r.state) >= 0 ? r.state : "UNKNOWN"; }
  function group(name) { var i = name.indexOf(":"); return i < 0 ? "" : name.slice(0, i + 1); }
  // ASCII letters only, as the server compares.
  function fold(s) { return String(s).replace(/[A-Z]+/g, function (m) { return m.toLowerCase(); }); }
  function matches(r, text, st) {
    var s = stateOf(r);
    if (st && (st === "notup" ? s === "UP" : s !== st)) return false;
    return !text || [r.name, r.note, r.origin].some(function (f) { return fold(f).indexOf(text) >= 0; });
  }
  function cell(tr, label, text) {
    var td = el("td", "", text);
    td.dataset.label = label;
    tr.appendChild(td);
    return td;
  }
  function row(r) {
    var s = stateOf(r), cls = "s-" + s.toLowerCase();
    var tr = el("tr", "r " + cls + "-row");
    tr.dataset.name = r.name;
    cell(tr, "Name", r.name);
    cell(tr, "State").appendChild(el("span", "st " + cls, s));
    var changed = cell(tr, "Changed");
    if (r.since) {
      var t = el("time");
      t.dateTime = t.title = r.since_iso;
      t.dataset.us = r.since;
      changed.appendChild(t);
    }
    cell(tr, "Note", r.note);
    cell(tr, "Origin", r.origin);
    cell(tr, "Attributes", Object.keys(r.attrs || {}).map(function (k) { return k + "=" + r.attrs[k]; }).join(" "));
    return tr;
  }
  function countWords(c) {
    return STATES.filter(function (s) { return s !== "UP" && c[s]; }).map(function (s) { return ", " + c[s] + " " + s; }).join("");
  }
  function draw() {
    pending = false;
    if (!records) return;
    var text = fold(q.value), st = stateSel.value, total = {}, groups = new Map(), shown = 0;
    Array.from(records.keys()).sort().forEach(function (name) {
      var g = group(name);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(records.get(name));
    });
    var keys = Array.from(groups.keys()).filter(function (g) { return g; }).sort();
    if (groups.has("")) keys.push("");
    var frag = document.createDocumentFragment();
    keys.forEach(function (g) {
      var rows = groups.get(g), c = {}, kept = rows.filter(function (r) { return matches(r, text, st); });
      rows.forEach(function (r) { c[stateOf(r)] = (c[stateOf(r)] || 0) + 1; total[stateOf(r)] = (total[stateOf(r)] || 0) + 1; });
      if (!kept.length) return;
      shown += kept.length;
      var sec = el("section", "group"), h = el("h2", "", g || "other records");
      sec.dataset.group = g;
      h.appendChild(document.createTextNode(" "));
      h.appendChild(el("small", "muted", rows.length + (rows.length === 1 ? " record" : " records") + countWords(c)));
      sec.appendChild(h);
      var table = el("table"), head = el("tr"), tbody = el("tbody");
      ["Name", "State", "Changed", "Note", "Origin", "Attributes"].forEach(function (x) { head.appendChild(el("th", "", x)); });
      table.appendChild(el("thead")).appendChild(head);
      kept.forEach(function (r) { tbody.appendChild(row(r)); });
      table.appendChild(tbody);
      sec.appendChild(table);
      frag.appendChild(sec);
    });
    main.replaceChildren(frag);
    document.querySelectorAll("#counts a[data-state] b").forEach(function (b) {
      b.textContent = total[b.parentNode.dataset.state] || 0;
    });
    none.textContent = records.size ? "no record matches the filter" : "no records";
    none.hidden = shown > 0;
    ages();
  }
  function later() {
    if (!pending) { pending = true; setTimeout(draw, 150); }
  }
  function live(what, text) {
    body.dataset.live = what;
    status.textContent = (records ? records.size + (records.size === 1 ? " record" : " records") + ", serial " + serial + ": " : "") + text;
  }
  // The filters in the address too, so that a reload or a shared link keeps them.
  function filtered() {
    var p = new URLSearchParams();
    if (q.value) p.set("q", q.value);
    if (stateSel.value) p.set("state", stateSel.value);
    history.replaceState(null, "", p.toString() ? "?" + p : location.pathname);
    draw();
  }
  function start() {
    if (source) { source.close(); source = null; }
    live("listing", "fetching the records");
    fetch("/v1/records", { cache: "no-store", credentials: "same-origin" }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    }).then(function (j) {
      records = new Map();
      j.records.forEach(function (r) { records.set(r.name, r); });
      serial = j.serial;
      draw();
      follow();
    }).catch(function (e) {
      live("reloading", "no live updates (" + e.message + "): reloading every 30 s");
      setTimeout(function () { location.reload(); }, 30000);
    });
  }
  function follow() {
    source = new EventSource("/v1/events?since=" + serial);
    source.onopen = function () { backoff = 1000; live("open", "live"); };
    source.addEventListener("change", function (e) {
      var id = Number(e.lastEventId), d = JSON.parse(e.data);
      if (id && id <= serial) return;  // already in the listing
      if (d.deleted) records.delete(d.record.name); else records.set(d.record.name, d.record);
      if (id) serial = id;
      live("open", "live");
      later();
    });
    // The changes since our serial are gone: start over from a new listing.
    source.addEventListener("relist", start);
    source.onerror = function () {
      if (source.readyState !== EventSource.CLOSED) return live("reconnecting", "reconnecting");
      // Refused for good (busy, restarted without the stream): a new listing, later.
      source.close();
      source = null;
      live("reconnecting", "reconnecting in " + backoff / 1000 + " s");
      setTimeout(start, backoff);
      backoff = Math.min(backoff * 2, 60000);
    };
  }
  document.getElementById("apply").hidden = true;
  form.addEventListener("submit", function (e) { e.preventDefault(); filtered(); });
  q.addEventListener("input", filtered);
  stateSel.addEventListener("change", filtered);
  document.querySelectorAll("#counts a[data-state]").forEach(function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); stateSel.value = a.dataset.state; filtered(); });
  });
  setInterval(ages, 1000);
  start();
})();
)js";

}  // namespace fail::api
