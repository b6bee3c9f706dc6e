// Ordo: small progressive enhancements. Every page works without this file:
// forms post and the server answers with the page. With it: confirmations,
// name suggestions loaded on demand, quick-add shortcuts, drag and drop.
"use strict";

// Ask before a destructive form is sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  // A button of the page's shared form asks its own question.
  const own = event.submitter instanceof HTMLElement ? event.submitter.dataset.confirm : undefined;
  const question = own || form.dataset.confirm;
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
// The line itself says the kind ("/d " decision, "/a " action, "/t " to
// discuss, "/n " note) and, after @, an action's owners and due date; the
// server reads it, so it works without this file. Here, Alt+1..5 write the
// kind's shortcut at the start of the line (5 goes to the topic's image
// picker), and a list of the meeting's people opens after @.
const ALT_KINDS = ["d", "a", "t", "n", "image"];

function isLine(input) {
  return input instanceof HTMLInputElement && input.form && input.form.matches("form.quick-add.line");
}

document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement)) return;

  if (event.altKey && !event.ctrlKey && !event.metaKey && /^Digit[1-5]$/.test(event.code) && isLine(input)) {
    event.preventDefault();
    const kind = ALT_KINDS[Number(event.code.slice(5)) - 1];
    if (kind === "image") {
      // Images come from a file: open the topic's picture form at its picker.
      const box = input.form.parentElement.querySelector("details.add-image");
      if (box) {
        box.open = true;
        const file = box.querySelector("input[type=file]");
        if (file) file.focus();
      }
      return;
    }
    const rest = input.value.replace(/^\s*\/[datn] /, "");
    input.value = `/${kind} ${rest}`;
    input.setSelectionRange(input.value.length, input.value.length);
    const names = document.querySelector("section.notes").dataset;
    announce(names[`kind${kind.toUpperCase()}`] || "");
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

// ---- @ names: the meeting's people, offered as they are typed ---------------
// After @ in a line, a list of the participants whose name starts with what
// follows: Up/Down choose, Tab (or Enter once one was chosen) writes the name
// as one word (@Mia_Member), Escape closes. Enter without choosing sends the
// line as typed: the server finds who a short name means, or says it cannot.
function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function mentionAt(input) {
  const caret = input.selectionStart;
  if (caret === null || caret !== input.selectionEnd) return null;
  const match = /(^|\s)@([^\s@]*)$/.exec(input.value.slice(0, caret));
  return match ? { start: caret - match[2].length - 1, end: caret, typed: match[2] } : null;
}

function peopleMatching(typed) {
  const t = fold(typed).replace(/[_.-]/g, " ").trim();
  return [...document.querySelectorAll("ul.participants li[data-person]")]
    .map((li) => li.dataset.person)
    .filter((name) => ` ${fold(name).split(/\s+/).join(" ")}`.includes(` ${t}`))
    .slice(0, 8);
}

let picker = null;

function closePicker() {
  if (!picker) return;
  picker.list.remove();
  picker.input.setAttribute("aria-expanded", "false");
  picker.input.removeAttribute("aria-activedescendant");
  picker = null;
}

function showActive() {
  [...picker.list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === picker.active)));
  picker.input.setAttribute("aria-activedescendant", `mention-${picker.active}`);
}

function choosePerson(i) {
  const { input, at, names } = picker;
  const word = `@${names[i].trim().split(/\s+/).join("_")} `;
  input.value = input.value.slice(0, at.start) + word + input.value.slice(at.end).replace(/^\s+/, "");
  const caret = at.start + word.length;
  input.setSelectionRange(caret, caret);
  closePicker();
  announce(names[i]);
}

function openPicker(input, at, names) {
  if (!picker || picker.input !== input) {
    closePicker();
    const list = document.createElement("ul");
    list.id = "mention-list";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.dataset.peopleLabel || "");
    input.after(list);
    input.setAttribute("aria-controls", list.id);
    picker = { input, list, names: [], active: 0, moved: false, at };
  }
  picker.at = at;
  picker.names = names;
  picker.active = Math.min(picker.active, names.length - 1);
  picker.list.replaceChildren(
    ...names.map((name, i) => {
      const li = document.createElement("li");
      li.id = `mention-${i}`;
      li.setAttribute("role", "option");
      li.textContent = name;
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choosePerson(i);
      });
      return li;
    }),
  );
  input.setAttribute("aria-expanded", "true");
  showActive();
}

document.addEventListener("input", (event) => {
  const input = event.target;
  if (!isLine(input)) return;
  const at = mentionAt(input);
  const names = at ? peopleMatching(at.typed) : [];
  if (names.length) openPicker(input, at, names);
  else closePicker();
});

document.addEventListener("keydown", (event) => {
  if (!picker || event.target !== picker.input || event.altKey || event.ctrlKey || event.metaKey) return;
  const n = picker.names.length;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    picker.active = (picker.active + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
    picker.moved = true;
    showActive();
  } else if ((event.key === "Tab" && !event.shiftKey) || (event.key === "Enter" && picker.moved)) {
    event.preventDefault();
    choosePerson(picker.active);
  } else if (event.key === "Escape") {
    event.preventDefault();
    closePicker();
  } else if (event.key === "Enter") {
    closePicker();
  }
});

document.addEventListener("focusout", (event) => {
  if (picker && event.target === picker.input) closePicker();
});

// ---- Reply: the remark form, opened in place ---------------------------------
// An element without remarks shows a "Reply" link to its remarks page (the
// way without script); here it opens the page's one remark form under the
// element instead, ready to type. Escape on an empty one closes it.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("li.element a.reply") : null;
  const tpl = document.getElementById("remark-form");
  if (!link || !tpl || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const li = link.closest("li.element");
  let form = li ? li.querySelector(":scope > form.reply-form") : null;
  if (!form) {
    form = tpl.content.firstElementChild.cloneNode(true);
    // Where a remark on it posts: beside its remarks page.
    form.setAttribute("action", link.href.replace(/\/remarks$/, "/comments"));
    form.querySelector("input[name=body]").id = `cm-${li.id.slice(3)}`;
    link.after(form);
  }
  form.querySelector("input[name=body]").focus();
});

// "Edit" under a remark opens its text in place, in the page's one edit
// form (without script it leads to the element's remarks page). The text
// is set as a value, never as markup.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("li.comment a.edit-remark") : null;
  const tpl = document.getElementById("remark-edit-form");
  const base = meetingBase();
  if (!link || !tpl || !base || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const li = link.closest("li.comment");
  let form = li.querySelector("form.remark-edit");
  if (!form) {
    form = tpl.content.firstElementChild.cloneNode(true);
    const id = li.id.slice(2);
    form.setAttribute("action", `${base}/comments/${id}/edit`);
    const area = form.querySelector("textarea");
    area.id = `ce-${id}`;
    const text = li.querySelector("p");
    area.value = text ? text.textContent : "";
    area.defaultValue = area.value;
    link.after(form);
  }
  form.querySelector("textarea").focus();
});

document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (event.key !== "Escape" || !(input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement)) return;
  if (input.value !== input.defaultValue) return;
  const form = input.closest("form.reply-form, form.remark-edit");
  if (!form) return;
  const link = form.previousElementSibling;
  form.remove();
  if (link instanceof HTMLElement) link.focus();
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
    postMove(`${base}/elements/${item.id.slice(3)}/move`, { topic: target.dataset.topic, position: String(position) });
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

// Replace the page's main region with the one of `doc`, keeping what the
// reader is doing: forms holding unsaved input (but `sent`, whose input the
// server now holds), open panels (but those holding `sent`), the focus and
// its caret, the scroll position. `focus` (a function of the new region)
// may name where the focus goes instead.
function swapMain(doc, sent, focus) {
  const main = document.getElementById("main");
  const incoming = doc.getElementById("main");
  if (!main || !incoming) return false;
  const fresh = document.adoptNode(incoming);
  const open = new Set(
    [...main.querySelectorAll("details[open]")].filter((d) => !(sent && d.contains(sent))).map(detailsKey),
  );
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
    if (form === sent || !isDirty(form)) continue;
    if (form.dataset.sentAs && form.dataset.sentAs === snapshot(form)) continue;
    const key = formKey(form);
    const twin = [...fresh.querySelectorAll("form")].find((f) => formKey(f) === key);
    if (twin) twin.replaceWith(form);
  }
  main.replaceWith(fresh);
  for (const d of fresh.querySelectorAll("details")) {
    if (open.has(detailsKey(d))) d.open = true;
  }
  let chosen = focus ? focus(fresh) : null;
  // A control inside a closed panel cannot hold the focus: its summary does.
  const panel = chosen ? chosen.closest("details:not([open])") : null;
  if (panel && !chosen.matches("summary")) chosen = panel.querySelector("summary");
  const again = chosen || (focusId ? document.getElementById(focusId) : null);
  if (again) {
    if (again.tabIndex < 0 && !again.matches("input, select, textarea, button, a[href]")) {
      again.setAttribute("tabindex", "-1");
    }
    again.focus({ preventScroll: true });
    if (!chosen && caret && caret[0] !== null && typeof again.setSelectionRange === "function") {
      try {
        again.setSelectionRange(caret[0], caret[1]);
      } catch (_) {
        // Not a text field: the focus is enough.
      }
    }
  }
  window.scrollTo(0, y);
  if (again && typeof again.scrollIntoView === "function") again.scrollIntoView({ block: "nearest" });
  const notes = fresh.querySelector("section.notes[data-revision]");
  if (notes) seenRevision = Math.max(seenRevision, Number(notes.dataset.revision || "0"));
  return true;
}

let liveBusy = false;
let liveAgain = false;
// The newest revision of the meeting this page shows.
let seenRevision = 0;

async function refreshMeeting() {
  if (liveBusy || dragged) {
    liveAgain = true;
    return;
  }
  liveBusy = true;
  busy(1);
  try {
    do {
      liveAgain = false;
      const res = await fetch(window.location.pathname, { credentials: "same-origin" });
      if (!res.ok) {
        window.location.reload();
        return;
      }
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      if (!swapMain(doc, null, null)) return;
      const notes = document.querySelector("section.notes");
      if (notes) announce(notes.dataset.updated || "");
    } while (liveAgain);
  } catch (_) {
    // Offline for a moment: the next event tries again.
  } finally {
    liveBusy = false;
    busy(-1);
  }
}

// ---- Changes without reloading (the meeting page, my actions) ----------------
// Every form of the meeting page still posts as it would without script, but
// through fetch: the server's answer (the page after the change, or the page
// with the field's error) is read, not navigated to. On success the main
// region is swapped in and the focus goes back to the control that was used,
// on the same item (a moved element keeps the focus, so Alt+Up twice moves it
// twice; a new line is ready for the next one). On a refusal nothing is
// replaced: what was typed stays, and the server's message shows next to the
// form. A change that leads to another page (a follow-up meeting) goes there.
function sameControl(form, submitter, typed) {
  // Buttons of the page's shared form (an element's status and moves) say
  // where they post themselves.
  const own = submitter && submitter.hasAttribute("formaction") ? submitter.getAttribute("formaction") : null;
  const action = form.getAttribute("action");
  const hint = submitter && submitter.dataset.focus;
  return (fresh) => {
    const line = typed ? document.getElementById(typed) : null;
    if (line) return line;
    if (hint) {
      const there = fresh.querySelector(hint);
      if (there) return there;
    }
    if (own) {
      const same = [...fresh.querySelectorAll("button[formaction]")].filter((b) => b.getAttribute("formaction") === own);
      const found = same.find((b) => b.name === submitter.name && b.value === submitter.value) || same[0];
      if (found) return found;
    }
    const twin = own ? null : [...fresh.querySelectorAll("form")].find((f) => f.getAttribute("action") === action);
    if (twin && submitter) {
      const same = [...twin.querySelectorAll("button")].find(
        (b) => b.name === submitter.name && b.value === submitter.value,
      );
      return same || twin.querySelector("button");
    }
    if (twin) return twin.querySelector("button, input:not([type=hidden])");
    // The item is gone (deleted): its nearest surviving container.
    const from = own ? submitter : form;
    // The form is gone (a remark sent from an opened form, a deleted
    // item): the nearest container still there, at its "Reply" if it has one.
    for (let up = from.parentElement; up; up = up.parentElement) {
      const kept = up.id ? document.getElementById(up.id) : null;
      if (kept && fresh.contains(kept)) return kept.querySelector(":scope > a.reply") || kept;
    }
    return fresh.querySelector("section.notes");
  };
}

function showRefusal(form, messages, submitter) {
  // A shared-form button's message goes beside the button's item.
  const place = form.id === "acts" && submitter ? submitter.closest(".el-actions") || submitter : form;
  let box = place.nextElementSibling;
  if (!(box instanceof HTMLElement && box.classList.contains("sent-error"))) {
    box = document.createElement("div");
    box.className = "sent-error";
    box.setAttribute("role", "alert");
    place.after(box);
  }
  box.replaceChildren();
  for (const text of messages) {
    const p = document.createElement("p");
    p.className = "form-error";
    p.textContent = text;
    box.append(p);
  }
  const field = form.querySelector("input:not([type=hidden]), textarea, select");
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  } else if (submitter) {
    submitter.focus();
  }
}

// The values of a form's fields, to tell whether it changed since it was sent.
function snapshot(form) {
  return JSON.stringify([...form.elements].map((f) => (f.type === "checkbox" || f.type === "radio" ? f.checked : f.value)));
}

// One change at a time, in the order they were made: Enter pressed twice
// quickly adds two lines, in order.
let sendQueue = Promise.resolve();

// How many changes are on their way, on <html data-pending>: what waits
// for the page to settle (a test, a script) reads it.
let pending = 0;
function busy(delta) {
  pending += delta;
  if (pending > 0) document.documentElement.dataset.pending = String(pending);
  else delete document.documentElement.dataset.pending;
}

async function send(form, submitter, data, typed, cleared) {
  const multipart = form.enctype === "multipart/form-data";
  const notes = document.querySelector("section.notes");
  const failed = (notes && notes.dataset.failed) || "";
  // The page may have been refreshed meanwhile (another participant's
  // change): a refusal goes to the form as it is now on the page.
  const here = () => {
    const now = typed ? document.getElementById(typed) : null;
    return form.isConnected || !now || !now.form ? form : now.form;
  };
  const restore = () => {
    const field = typed ? here().querySelector(`[id="${CSS.escape(typed)}"]`) : null;
    if (field && cleared !== null && field.value === "") field.value = cleared;
  };
  try {
    const url = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    const res = await fetch(url, {
      method: "POST",
      body: multipart ? data : new URLSearchParams(data),
      credentials: "same-origin",
    });
    const type = res.headers.get("content-type") || "";
    if (!type.startsWith("text/html")) {
      restore();
      showRefusal(here(), [failed || res.statusText], submitter);
      return;
    }
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    if (!res.ok) {
      restore();
      const messages = [...doc.querySelectorAll("#main .form-error, #main .error-detail")].map((p) => p.textContent.trim());
      showRefusal(here(), messages.length ? messages : [doc.title], submitter);
      return;
    }
    if (new URL(res.url).pathname !== window.location.pathname) {
      window.location.assign(res.url);
      return;
    }
    const stale = form.dataset.sentAs === snapshot(form);
    swapMain(doc, stale ? form : null, sameControl(form, submitter, typed));
    const notice = document.querySelector("#main .notice");
    const now = document.querySelector("section.notes");
    announce(notice ? notice.textContent : (now && now.dataset.saved) || "");
  } catch (_) {
    restore();
    showRefusal(here(), [failed || "offline"], submitter);
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
  const main = document.getElementById("main");
  // The meeting page, and lists that say so (my actions).
  const inPlace = meetingBase() || form.dataset.inplace !== undefined;
  if (!inPlace || !main || !main.contains(form) || form.method.toLowerCase() !== "post") return;
  event.preventDefault();
  closePicker();
  const submitter = event.submitter instanceof HTMLButtonElement ? event.submitter : null;
  const data = new FormData(form, submitter);
  // Enter in a line: the focus stays in it. A quick-add line is emptied at
  // once, for the next one; it gets its text back if the server refuses it.
  const active = document.activeElement;
  const typed = active && form.contains(active) && active.id && active.matches("input[type=text], textarea") ? active.id : null;
  let cleared = null;
  if (typed && form.classList.contains("quick-add") && !form.querySelector("input[name=version]") && active.defaultValue === "") {
    cleared = active.value;
    active.value = "";
  }
  form.dataset.sentAs = snapshot(form);
  for (const old of form.querySelectorAll("[aria-invalid=true]")) old.removeAttribute("aria-invalid");
  for (const box of document.querySelectorAll(".sent-error")) box.remove();
  busy(1);
  sendQueue = sendQueue.then(() => send(form, submitter, data, typed, cleared)).finally(() => busy(-1));
});

// Alt+Up / Alt+Down move the item that holds the focus (an element, by its
// title, else its topic) as its move form would: the page's shared form
// posts it, and the focus stays on the moved item.
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
  const here = event.target instanceof Element ? event.target : null;
  // In a text field the keys keep their own meaning.
  if (!here || here.matches("input, textarea, select, [contenteditable]")) return;
  const item = here.closest("li.element, section.topic");
  const acts = document.getElementById("acts");
  const base = meetingBase();
  if (!item || !acts || !base) return;
  const dir = event.key === "ArrowUp" ? "up" : "down";
  const element = item.matches("li.element");
  const path = element ? `${base}/elements/${item.id.slice(3)}/move` : `${base}/topics/${item.dataset.topic}/move`;
  event.preventDefault();
  const button = document.createElement("button");
  button.type = "submit";
  button.hidden = true;
  button.name = "direction";
  button.value = dir;
  button.setAttribute("formaction", path);
  // Where the focus goes back to: the same control on the moved item.
  button.dataset.focus = here.id ? `#${CSS.escape(here.id)}` : element ? `#${item.id} a.el-open` : `#${item.id} button[value=${dir}]`;
  acts.append(button);
  acts.requestSubmit(button);
  button.remove();
});

document.addEventListener("dragend", () => {
  if (liveAgain && !liveBusy) setTimeout(refreshMeeting, 0);
});

document.addEventListener("DOMContentLoaded", () => {
  const notes = document.querySelector("section.notes[data-events]");
  if (!notes || !window.EventSource) return;
  seenRevision = Number(notes.dataset.revision || "0");
  const source = new EventSource(`${notes.dataset.events}?revision=${encodeURIComponent(String(seenRevision))}`);
  source.onmessage = (event) => {
    const r = Number(event.data);
    if (!(r > seenRevision)) return;
    seenRevision = r;
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
      const url = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    const res = await fetch(url, {
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

// The browser's time zone: sent with the sign-in (kept for a user who has
// none yet) and offered in an empty profile field.
document.addEventListener("DOMContentLoaded", () => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (_) {
    return;
  }
  for (const field of document.querySelectorAll("input[data-browser-zone]")) {
    if (!field.value) field.value = zone;
  }
});
