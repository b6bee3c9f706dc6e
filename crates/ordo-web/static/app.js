// Ordo: small progressive enhancements. Every page works without this file:
// forms post and the server answers with the page. With it: confirmations,
// name suggestions loaded on demand, quick-add shortcuts, drag and drop.
"use strict";

// Ask before a destructive form is sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// After adding a line, the page comes back at that line: focus it, so that
// typing goes on without the mouse.
document.addEventListener("DOMContentLoaded", () => {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const field = id ? document.getElementById(id) : null;
  if (field instanceof HTMLInputElement && field.type === "text") field.focus();
});

// A polite live region: what the scripts did, for screen readers.
function announce(text) {
  let live = document.getElementById("ordo-live");
  if (!live) {
    live = document.createElement("p");
    live.id = "ordo-live";
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    document.body.append(live);
  }
  live.textContent = text;
}

// ---- Names of people already met, loaded when the field is first used ----
document.addEventListener("focusin", async (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.people || input.dataset.loaded) return;
  input.dataset.loaded = "1";
  const list = input.list;
  if (!list) return;
  try {
    const res = await fetch(input.dataset.people, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!res.ok) return;
    const body = await res.json();
    for (const person of body.people || []) {
      const option = document.createElement("option");
      option.value = person.email;
      option.textContent = person.name;
      list.append(option);
    }
  } catch (_) {
    // Suggestions are a convenience: typing the address still works.
  }
});

// ---- Quick-add shortcuts ---------------------------------------------------
// "/d " decision, "/a " action, "/t " to discuss, "/n " note (the server
// understands them too); Alt+1..5 pick the kind, 5 being an image.
const SLASH_KINDS = { d: "decision", a: "action", t: "discuss", n: "note" };
const ALT_KINDS = ["decision", "action", "discuss", "note", "image"];

function kindSelect(input) {
  const form = input.form;
  return form ? form.querySelector("select[name=kind]") : null;
}

function setKind(select, kind) {
  select.value = kind;
  const option = select.selectedOptions[0];
  if (option) announce(option.textContent);
}

document.addEventListener("input", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.name !== "title") return;
  const select = kindSelect(input);
  if (!select) return;
  const match = /^\/([datn]) /.exec(input.value);
  if (match) {
    setKind(select, SLASH_KINDS[match[1]]);
    input.value = input.value.slice(match[0].length);
  }
});

document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement)) return;

  if (event.altKey && !event.ctrlKey && !event.metaKey && /^Digit[1-5]$/.test(event.code)) {
    const select = kindSelect(input);
    if (!select) return;
    event.preventDefault();
    const kind = ALT_KINDS[Number(event.code.slice(5)) - 1];
    if (kind === "image") {
      // Images come from a file: go to the picker of the same topic.
      const upload = input.form.nextElementSibling;
      const file = upload ? upload.querySelector("input[type=file]") : null;
      if (file) file.focus();
      return;
    }
    setKind(select, kind);
    return;
  }

  // In the new-topic line, Tab makes it a sub-topic of the topic above and
  // Shift+Tab lifts it back. Only while something is typed: an empty line
  // lets Tab move the focus as usual (no keyboard trap).
  if (event.key === "Tab" && input.id === "new-topic" && input.value.trim() !== "" && input.dataset.lastTopic) {
    const parent = input.form.querySelector("input[name=parent]");
    const nested = parent.value !== "";
    if (event.shiftKey === nested) {
      event.preventDefault();
      parent.value = nested ? "" : input.dataset.lastTopic;
      input.form.classList.toggle("as-subtopic", !nested);
      announce(input.form.dataset[nested ? "topicLabel" : "subtopicLabel"] || "");
    }
  }
});

// ---- Drag and drop -----------------------------------------------------------
// Elements move within and across topics, topics among topics. The handle
// starts the drag; the move is posted like the keyboard's up/down buttons.
function csrfToken() {
  const field = document.querySelector("input[name=_csrf]");
  return field ? field.value : "";
}

async function postMove(url, fields) {
  const body = new URLSearchParams({ _csrf: csrfToken(), ...fields });
  try {
    // The server answers a form post with a redirect to the page: not needed.
    const res = await fetch(url, { method: "POST", body, credentials: "same-origin", redirect: "manual" });
    if (res.ok || res.type === "opaqueredirect") return true;
  } catch (_) {
    // Fall through: show what the server holds.
  }
  window.location.reload();
  return false;
}

function meetingBase() {
  const notes = document.querySelector("section.notes[data-base]");
  return notes ? notes.dataset.base : null;
}

let dragged = null;

document.addEventListener("mousedown", (event) => {
  const handle = event.target instanceof Element ? event.target.closest("[data-drag]") : null;
  if (!handle) return;
  const item = handle.closest(handle.dataset.drag === "topic" ? "section.topic" : "li.element");
  if (item) item.draggable = true;
});

document.addEventListener("dragstart", (event) => {
  const item = event.target;
  if (!(item instanceof HTMLElement) || !item.draggable) return;
  dragged = item;
  item.classList.add("dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", item.id);
});

document.addEventListener("dragend", () => {
  if (dragged) {
    dragged.classList.remove("dragging");
    dragged.draggable = false;
  }
  dragged = null;
});

// Where among `children` a drop at `y` lands: before the first whose middle
// is below the pointer.
function indexAt(children, y) {
  for (let i = 0; i < children.length; i += 1) {
    const box = children[i].getBoundingClientRect();
    if (y < box.top + box.height / 2) return i;
  }
  return children.length;
}

function dropTarget(event) {
  if (!dragged || !(event.target instanceof Element)) return null;
  if (dragged.matches("li.element")) return event.target.closest("ul.elements[data-topic]");
  if (dragged.matches("section.topic")) return event.target.closest("section.notes");
  return null;
}

document.addEventListener("dragover", (event) => {
  if (dropTarget(event)) {
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  }
});

document.addEventListener("drop", (event) => {
  const target = dropTarget(event);
  const base = meetingBase();
  if (!target || !base) return;
  event.preventDefault();
  const item = dragged;
  if (item.matches("li.element")) {
    const siblings = [...target.children].filter((c) => c !== item && c.matches("li.element"));
    const position = indexAt(siblings, event.clientY);
    target.insertBefore(item, siblings[position] || null);
    postMove(`${base}/elements/${item.dataset.element}/move`, { topic: target.dataset.topic, position: String(position) });
  } else {
    const siblings = [...target.children].filter((c) => c !== item && c.matches("section.topic"));
    const position = indexAt(siblings, event.clientY);
    const after = siblings[position] || (siblings.length ? siblings[siblings.length - 1].nextElementSibling : null);
    target.insertBefore(item, after);
    postMove(`${base}/topics/${item.dataset.topic}/move`, { position: String(position) });
  }
  announce(document.querySelector("section.notes").dataset.moved || "");
});

// ---- Live meeting ------------------------------------------------------------
// What another participant changes shows here within a second, without a
// reload: the server says that the meeting's revision moved (server-sent
// events, the session's cookie, this origin only); the page fetches itself
// again and swaps its main region in. What the reader is doing is kept: a
// form holding unsaved input stays as it was (with its version, so a
// conflicting save is still detected by the server), and so do the focus,
// the caret, open panels and the scroll position. A drag in progress
// delays the swap until it ends.
function isDirty(form) {
  return [...form.elements].some((f) => {
    if (["hidden", "submit", "button", "reset"].includes(f.type)) return false;
    if (f.type === "checkbox" || f.type === "radio") return f.checked !== f.defaultChecked;
    if (f.tagName === "SELECT") return [...f.options].some((o) => o.selected !== o.defaultSelected);
    if (f.type === "file") return Boolean(f.files && f.files.length);
    return f.value !== f.defaultValue;
  });
}

// A form is known by its first field with an id (unique on the page).
function formKey(form) {
  const field = form.querySelector("[id]");
  return field ? field.id : `action:${form.getAttribute("action")}`;
}

function detailsKey(d) {
  const owner = d.parentElement ? d.parentElement.closest("[id]") : null;
  const scope = owner || document.body;
  const same = [...scope.querySelectorAll("details")].filter((x) => x.className === d.className);
  return `${owner ? owner.id : ""}|${d.className}|${same.indexOf(d)}`;
}

let liveBusy = false;
let liveAgain = false;

async function refreshMeeting() {
  if (liveBusy || dragged) {
    liveAgain = true;
    return;
  }
  liveBusy = true;
  try {
    do {
      liveAgain = false;
      const res = await fetch(window.location.pathname, { credentials: "same-origin" });
      if (!res.ok) {
        window.location.reload();
        return;
      }
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const main = document.getElementById("main");
      const incoming = doc.getElementById("main");
      if (!main || !incoming) return;
      const fresh = document.adoptNode(incoming);
      const open = new Set([...main.querySelectorAll("details[open]")].map(detailsKey));
      const active = document.activeElement;
      const focusId = active && main.contains(active) && active.id ? active.id : null;
      let caret = null;
      try {
        caret = focusId ? [active.selectionStart, active.selectionEnd] : null;
      } catch (_) {
        caret = null;
      }
      const y = window.scrollY;
      for (const form of [...main.querySelectorAll("form")]) {
        if (!isDirty(form)) continue;
        const key = formKey(form);
        const twin = [...fresh.querySelectorAll("form")].find((f) => formKey(f) === key);
        if (twin) twin.replaceWith(form);
      }
      main.replaceWith(fresh);
      for (const d of fresh.querySelectorAll("details")) {
        if (open.has(detailsKey(d))) d.open = true;
      }
      const again = focusId ? document.getElementById(focusId) : null;
      if (again) {
        again.focus({ preventScroll: true });
        if (caret && caret[0] !== null && typeof again.setSelectionRange === "function") {
          try {
            again.setSelectionRange(caret[0], caret[1]);
          } catch (_) {
            // Not a text field: the focus is enough.
          }
        }
      }
      window.scrollTo(0, y);
      const notes = fresh.querySelector("section.notes");
      if (notes) announce(notes.dataset.updated || "");
    } while (liveAgain);
  } catch (_) {
    // Offline for a moment: the next event tries again.
  } finally {
    liveBusy = false;
  }
}

document.addEventListener("dragend", () => {
  if (liveAgain && !liveBusy) setTimeout(refreshMeeting, 0);
});

document.addEventListener("DOMContentLoaded", () => {
  const notes = document.querySelector("section.notes[data-events]");
  if (!notes || !window.EventSource) return;
  let revision = Number(notes.dataset.revision || "0");
  const source = new EventSource(`${notes.dataset.events}?revision=${encodeURIComponent(String(revision))}`);
  source.onmessage = (event) => {
    const r = Number(event.data);
    if (!(r > revision)) return;
    revision = r;
    refreshMeeting();
  };
  source.addEventListener("gone", () => {
    source.close();
    window.location.reload();
  });
});

// ---- Support chat ------------------------------------------------------------
// The chat button shows how many replies wait; the chat page receives new
// messages as they are written (server-sent events, the session's cookie,
// this origin only) and sends without reloading. Text is set as text: a
// message never becomes markup.
document.addEventListener("DOMContentLoaded", async () => {
  const button = document.querySelector("a.chat-button[data-unread]");
  if (!button) return;
  try {
    const res = await fetch(button.dataset.unread, { credentials: "same-origin" });
    const n = res.ok ? (await res.json()).unread : 0;
    const badge = button.querySelector(".chat-unread");
    if (badge && n > 0) {
      badge.textContent = String(n);
      badge.hidden = false;
    }
  } catch (_) {
    // No badge: the button still works.
  }
});

function chatMessage(chat, m) {
  if (chat.querySelector(`li[data-seq="${m.seq}"]`)) return;
  const staffSide = chat.dataset.staff === "1";
  const mine = staffSide ? m.from_support : !m.from_support;
  const li = document.createElement("li");
  li.className = "chat-message " + (mine ? "from-me" : "from-support");
  li.dataset.seq = String(m.seq);
  const meta = document.createElement("span");
  meta.className = "chat-meta";
  const who = staffSide ? m.author : (m.from_support ? `${m.author} · ${chat.dataset.support}` : chat.dataset.you);
  meta.textContent = `${who} · ${m.when}`;
  li.appendChild(meta);
  if (m.body) {
    const p = document.createElement("p");
    p.textContent = m.body;
    li.appendChild(p);
  }
  if (m.image_url) {
    const img = document.createElement("img");
    img.className = "chat-image";
    img.src = m.image_url;
    img.alt = "";
    li.appendChild(img);
  }
  chat.appendChild(li);
  const empty = document.getElementById("chat-empty");
  if (empty) empty.remove();
  li.scrollIntoView({ block: "nearest" });
}

document.addEventListener("DOMContentLoaded", () => {
  const chat = document.getElementById("chat");
  if (!chat || !chat.dataset.events || !window.EventSource) return;
  const last = chat.dataset.last || "0";
  const source = new EventSource(`${chat.dataset.events}?after=${encodeURIComponent(last)}`);
  source.onmessage = (event) => {
    try {
      for (const m of JSON.parse(event.data)) chatMessage(chat, m);
    } catch (_) {
      // A malformed event is dropped; the next one carries the state.
    }
  };
  const form = document.querySelector("form.chat-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const res = await fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRF-Token": csrfToken() },
      });
      if (res.type !== "opaqueredirect" && !res.ok) {
        // Refused (a field error): send it the plain way, and the page
        // comes back with the message next to the field.
        form.submit();
        return;
      }
      // The stream brings the message back, as everyone else sees it.
      form.reset();
    } catch (_) {
      form.submit();
    }
  });
});
