// The composer (/new): kind-specific fields, live Markdown preview, people as name chips
// with type-ahead, and a warning for a name that matches nobody.  Progressive
// enhancement: without it the form still posts (addresses typed, comma-separated).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("composer");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const thread = form.dataset.thread || "";

  // Local time for the event fields: the server gets the offset to UTC.
  const tz = form.querySelector("input[name=tz_offset]");
  if (tz) tz.value = String(new Date().getTimezoneOffset());

  // Only the fields of the chosen kind.
  const showKind = () => {
    const kind = (form.querySelector("input[name=kind]:checked") || {}).value;
    form.querySelectorAll(".for-kind").forEach((set) => {
      set.hidden = !set.dataset.kinds.split(" ").includes(kind);
    });
  };
  form.querySelectorAll("input[name=kind]").forEach((r) => r.addEventListener("change", showKind));
  showKind();

  // Live preview through the app's own renderer (/preview), so it matches the post.
  const body = document.getElementById("f-body");
  const preview = form.querySelector(".preview");
  let timer = 0;
  const render = async () => {
    const data = new FormData();
    data.append("body", body.value);
    data.append("csrf_token", csrf);
    const response = await fetch(body.dataset.preview, { method: "POST", body: data });
    if (!response.ok) return;
    preview.innerHTML = (await response.json()).html;  // sanitized by the server (nh3)
    preview.hidden = body.value.trim() === "";
  };
  body.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(render, 250); });
  if (body.value.trim()) render();

  const lookup = async (source, word) => {
    const url = source + "?q=" + encodeURIComponent(word) + (thread ? "&thread=" + thread : "");
    const response = await fetch(url);
    return response.ok ? (await response.json()).people : [];
  };
  const suggestionList = (list, people, choose) => {
    list.replaceChildren(...people.map((p, i) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = list.id + "-" + i;
      item.textContent = p.name || p.email;
      const mail = document.createElement("span");
      mail.className = "muted";
      mail.textContent = " " + p.email;
      item.append(mail);
      item.addEventListener("mousedown", (e) => { e.preventDefault(); choose(p); });
      return item;
    }));
    list.hidden = people.length === 0;
  };

  // People fields: a visible type-ahead box, chips, and the addresses in the real field.
  const fields = {};
  form.querySelectorAll(".people-field").forEach((field) => {
    const real = field.querySelector("input[type=text]");
    const chips = field.querySelector(".chips");
    const list = field.querySelector(".people-suggestions");
    const warn = field.querySelector(".warn");
    list.id = "suggest-" + field.dataset.people;
    const typing = real.cloneNode();
    typing.removeAttribute("name");
    typing.value = "";
    real.type = "hidden";
    real.removeAttribute("id");
    real.after(typing);
    const addresses = () => real.value.split(",").map((s) => s.trim()).filter(Boolean);
    const sync = () => {
      real.value = [...chips.children].map((c) => c.dataset.email).join(", ");
    };
    const addChip = (email, name) => {
      if (addresses().includes(email)) return;
      const chip = document.createElement("li");
      chip.className = "chip";
      chip.dataset.email = email;
      chip.textContent = name || email;
      chips.append(chip);
      decorate(chip);
      sync();
    };
    const decorate = (chip) => {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.setAttribute("aria-label", "×  " + chip.textContent);
      remove.textContent = "×";
      remove.addEventListener("click", () => { chip.remove(); sync(); });
      chip.append(remove);
    };
    [...chips.children].forEach(decorate);
    const choose = (p) => {
      addChip(p.email, p.name);
      typing.value = "";
      list.hidden = true;
      warn.hidden = true;
      typing.focus();
    };
    let latest = 0;
    typing.addEventListener("input", async () => {
      const word = typing.value.trim();
      const ticket = ++latest;
      warn.hidden = true;
      if (word.length < 1) { list.hidden = true; return; }
      const people = await lookup(typing.dataset.peopleSource, word);
      if (ticket !== latest) return;
      suggestionList(list, people, choose);
    });
    const settle = async () => {
      const word = typing.value.trim().replace(/,$/, "");
      if (!word) return;
      if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(word)) { addChip(word.toLowerCase(), null); typing.value = ""; return; }
      const people = await lookup(typing.dataset.peopleSource, word);
      if (people.length === 1) { choose(people[0]); return; }
      if (people.length === 0) {
        warn.textContent = field.dataset.noMatch.replace("{name}", word);
        warn.hidden = false;
      }
    };
    typing.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === ",") {
        event.preventDefault();
        const first = list.hidden ? null : list.querySelector("li");
        if (first) first.dispatchEvent(new MouseEvent("mousedown")); else settle();
      } else if (event.key === "Escape") { list.hidden = true; }
    });
    typing.addEventListener("blur", () => { list.hidden = true; settle(); });
    fields[field.dataset.people] = { addChip };
  });

  // @-mentions in the text: the name goes in the text, the person in the mention chips.
  const bodyList = form.querySelector(".body-suggestions");
  const bodyWarn = form.querySelector(".body-warn");
  bodyList.id = "suggest-body";
  const wordAtCaret = () => {
    const match = body.value.slice(0, body.selectionStart).match(/(^|\s)@([\p{L}\w.+-]{1,40})$/u);
    return match ? match[2] : null;
  };
  let latestBody = 0;
  body.addEventListener("input", async () => {
    const word = wordAtCaret();
    const ticket = ++latestBody;
    if (!word) {
      bodyList.hidden = true;
      // A finished @word (followed by a space) that names nobody: say so.
      const done = body.value.slice(0, body.selectionStart).match(/(^|\s)@([\p{L}\w.+-]{2,40})\s$/u);
      if (done && !(fields.mention && body.dataset.known && body.dataset.known.includes("|" + done[2] + "|"))) {
        const people = await lookup(body.dataset.mentionSource, done[2]);
        if (ticket !== latestBody) return;
        if (people.length === 0) {
          bodyWarn.textContent = bodyWarn.dataset.noMatch.replace("{name}", done[2]);
          bodyWarn.hidden = false;
        }
      }
      return;
    }
    bodyWarn.hidden = true;
    const people = await lookup(body.dataset.mentionSource, word);
    if (ticket !== latestBody) return;
    suggestionList(bodyList, people, (p) => {
      const typed = wordAtCaret() || "";
      const start = body.selectionStart - typed.length;
      const name = p.name || p.email;
      body.value = body.value.slice(0, start) + name + " " + body.value.slice(body.selectionStart);
      body.dataset.known = (body.dataset.known || "|") + name.split(" ")[0] + "|";
      if (fields.mention) fields.mention.addChip(p.email, p.name);
      bodyList.hidden = true;
      body.focus();
      render();
    });
  });
  body.addEventListener("blur", () => { bodyList.hidden = true; });
});
