// Progressive enhancement only: every action also works as a plain form post.
"use strict";
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
      button.textContent = data.liked ? (document.documentElement.lang === "sv" ? "Sluta gilla" : "Unlike")
                                      : (document.documentElement.lang === "sv" ? "Gilla" : "Like");
      form.querySelector(".like-count").textContent = data.likes;
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
    const response = await fetch(box.dataset.mentionSource + "?q=" + encodeURIComponent(word));
    if (!response.ok || ticket !== latest) return;
    const people = (await response.json()).people;
    if (ticket !== latest) return;
    list.replaceChildren(...people.map((p) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.textContent = (p.name ? p.name + " " : "") + "<" + p.email + ">";
      item.addEventListener("click", () => {
        const typed = wordAtCaret() || "";
        const start = box.selectionStart - typed.length;
        box.value = box.value.slice(0, start) + p.email + " " + box.value.slice(box.selectionStart);
        list.hidden = true; box.focus();
      });
      return item;
    }));
    list.hidden = people.length === 0;
  });
});
