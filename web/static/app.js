// Progressive enhancement only: every action also works as a plain form post.
"use strict";
// The reader's time zone, for times shown by the server (web/clock.py reads the cookie).
(() => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;  // IANA names need no escaping
  const current = document.cookie.split("; ").find((c) => c.startsWith("tz="));
  if (current && current.slice(3) === zone) return;
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
  // Once per browser: show this page's times in the zone just learnt.
  if (document.querySelector("time[datetime]") && !sessionStorage.getItem("tz-reloaded")) {
    sessionStorage.setItem("tz-reloaded", "1");
    location.reload();
  }
})();
document.addEventListener("DOMContentLoaded", () => {
  // Likes without a page reload.
  document.querySelectorAll("form.like-form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
      });
      if (!response.ok) { form.submit(); return; }
      const data = await response.json();
      const button = form.querySelector("button.like");
      button.setAttribute("aria-pressed", data.liked ? "true" : "false");
      form.querySelector(".like-count").textContent = data.likes ? data.likes : "";
    });
  });
  // @-mention autocomplete from known people.
  const box = document.querySelector("textarea[data-mention-source]");
  const list = document.querySelector(".mention-suggestions");
  if (!box || !list) return;
  const wordAtCaret = () => {
    const before = box.value.slice(0, box.selectionStart);
    const match = before.match(/(^|\s)@([\w.+-]{1,40})$/);
    return match ? match[2] : null;
  };
  let latest = 0;  // answers can arrive out of order: only the newest request may fill the list
  box.addEventListener("input", async () => {
    const word = wordAtCaret();
    const ticket = ++latest;
    if (!word) { list.hidden = true; return; }
    const source = box.dataset.mentionSource;
    const response = await fetch(source + (source.includes("?") ? "&" : "?") + "q=" + encodeURIComponent(word));
    if (!response.ok || ticket !== latest) return;
    const people = (await response.json()).people;
    if (ticket !== latest) return;
    list.replaceChildren(...people.map((p, i) => {
      const item = document.createElement("li");
      item.id = "mention-" + i;
      item.setAttribute("role", "option");
      item.dataset.email = p.email;
      item.textContent = (p.name ? p.name + " " : "") + "<" + p.email + ">";
      item.addEventListener("click", () => choose(item));
      return item;
    }));
    list.hidden = people.length === 0;
  });
  const choose = (item) => {
    const typed = wordAtCaret() || "";
    const start = box.selectionStart - typed.length;
    box.value = box.value.slice(0, start) + item.dataset.email + " " + box.value.slice(box.selectionStart);
    close(); box.focus();
  };
  const close = () => {
    list.hidden = true;
    box.removeAttribute("aria-activedescendant");
  };
  // Keyboard: arrows move through the suggestions, Enter or Tab takes one, Escape closes.
  box.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    const items = [...list.children];
    const current = items.findIndex((li) => li.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (current + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach((li, i) => li.setAttribute("aria-selected", i === next ? "true" : "false"));
      box.setAttribute("aria-activedescendant", items[next].id);
    } else if ((event.key === "Enter" || event.key === "Tab") && current >= 0) {
      event.preventDefault();
      choose(items[current]);
    } else if (event.key === "Escape") {
      close();
    }
  });
});
