// Gongdan workspace: SLA countdowns, keyboard shortcuts, presence mode and pausing live refresh
// while the user is selecting or typing. Loaded as a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  const lang = document.documentElement.lang || "zh-hans";
  const zh = lang.startsWith("zh");

  function fmt(ms) {
    const past = ms < 0;
    let s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60);
    let text = d ? `${d}${zh ? "天" : "d"} ${h}${zh ? "小时" : "h"}` : h ? `${h}${zh ? "小时" : "h"} ${m}${zh ? "分" : "m"}` : `${m}${zh ? "分钟" : " min"}`;
    if (past) return zh ? `超出 ${text}` : `${text} overdue`;
    return zh ? `剩余 ${text}` : `${text} left`;
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-due]").forEach((el) => {
      const due = Date.parse(el.dataset.due);
      if (Number.isNaN(due)) return;
      if (!el.dataset.absolute) el.dataset.absolute = el.textContent.trim();
      el.textContent = fmt(due - now);
      el.title = el.dataset.absolute;
      el.classList.toggle("overdue", due < now);
    });
  }

  // ---- pause live refresh while the user is busy ------------------------------------------------
  document.addEventListener("htmx:beforeRequest", (evt) => {
    const el = evt.detail.elt;
    if (el.dataset && el.dataset.live === "queue" && el.querySelector(".bulk-check:checked, .bulk-bar :focus")) {
      evt.preventDefault();
    }
  });

  // ---- presence: tell others when I am writing ------------------------------------------------
  function updatePresenceMode() {
    const body = document.querySelector("#composer textarea");
    const mode = document.getElementById("presence-mode");
    if (body && mode) mode.value = body.value.trim() ? "1" : "0";
  }
  document.addEventListener("input", (evt) => {
    if (evt.target.closest && evt.target.closest("#composer")) updatePresenceMode();
  });

  // ---- keyboard shortcuts -----------------------------------------------------------------------
  let pendingG = false;
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  function rows() {
    return Array.from(document.querySelectorAll(".ticket-row"));
  }
  function move(step) {
    const list = rows();
    if (!list.length) return;
    let i = list.findIndex((r) => r.classList.contains("is-current"));
    if (i >= 0) list[i].classList.remove("is-current");
    i = Math.min(list.length - 1, Math.max(0, i + step));
    list[i].classList.add("is-current");
    const link = list[i].querySelector("a");
    if (link) link.focus();
  }
  function current() {
    return document.querySelector(".ticket-row.is-current") || null;
  }
  function composeAs(kind) {
    const radio = document.querySelector(`#composer input[name=kind][value=${kind}]`);
    if (radio) radio.checked = true;
    const body = document.querySelector("#composer textarea");
    if (body) body.focus();
  }
  function focusField(selector) {
    const el = document.querySelector(selector);
    if (el) { el.scrollIntoView({ block: "center" }); el.focus(); }
  }
  function help() {
    const dialog = document.getElementById("help");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  document.addEventListener("keydown", (evt) => {
    if (evt.key === "Enter" && (evt.ctrlKey || evt.metaKey) && typing(evt.target)) {
      const form = evt.target.closest("form");
      if (form) { evt.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (evt.ctrlKey || evt.metaKey || evt.altKey || typing(evt.target)) return;
    const key = evt.key;
    if (pendingG) {
      pendingG = false;
      const target = { q: "a[data-shortcut='g q']", b: "a[data-shortcut='g b']" }[key];
      const link = target && document.querySelector(target);
      if (link) { evt.preventDefault(); link.click(); }
      return;
    }
    const actions = {
      "?": help,
      "/": () => focusField(document.getElementById("f-q") ? "#f-q" : "#global-search"),
      j: () => move(1),
      k: () => move(-1),
      o: () => { const row = current(); const a = row && row.querySelector("a"); if (a) a.click(); },
      x: () => { const row = current(); const box = row && row.querySelector(".bulk-check"); if (box) box.checked = !box.checked; },
      r: () => composeAs("reply"),
      n: () => composeAs("note"),
      s: () => focusField("#status-form select"),
      a: () => focusField("#assign-form select"),
      g: () => { pendingG = true; },
    };
    const action = actions[key];
    if (action) { evt.preventDefault(); action(); }
  });

  function wire() {
    const open = document.getElementById("help-open");
    if (open && !open.dataset.wired) { open.dataset.wired = "1"; open.addEventListener("click", help); }
    tick();
  }
  document.addEventListener("DOMContentLoaded", wire);
  document.addEventListener("htmx:afterSettle", () => { tick(); updatePresenceMode(); });
  setInterval(tick, 30000);
})();

// ---- new ticket: pick a customer from the lookup without reloading the page -----------------------
document.addEventListener("click", (evt) => {
  const pick = evt.target.closest && evt.target.closest(".customer-pick");
  const field = document.getElementById("id_customer");
  if (!pick || !field) return;
  evt.preventDefault();
  field.value = pick.dataset.id;
  const shown = document.getElementById("chosen-customer");
  const badge = document.createElement("span");
  badge.className = "badge text-bg-primary";
  badge.textContent = pick.dataset.label;
  shown.replaceChildren(badge);
  document.body.dispatchEvent(new Event("customer-chosen"));
});
