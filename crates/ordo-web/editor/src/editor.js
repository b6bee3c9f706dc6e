// Ordo's rich-text editor: each `textarea[data-rich]` becomes a ProseMirror
// editor over the HTML subset the server keeps (bold, italic, highlight,
// bulleted and numbered lists, links to http, https and mailto). The
// textarea stays in its form, hidden, and holds the editor's HTML after
// every change, so the form is sent as it is without script — and the
// server sanitises whatever arrives, as it always did.

import { Schema, DOMParser as PMParser, DOMSerializer } from "prosemirror-model";
import { EditorState, TextSelection } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { baseKeymap, toggleMark, chainCommands, exitCode } from "prosemirror-commands";
import { keymap } from "prosemirror-keymap";
import { history, undo, redo } from "prosemirror-history";
import { inputRules, wrappingInputRule, InputRule } from "prosemirror-inputrules";
import { splitListItem, liftListItem, sinkListItem, wrapInList } from "prosemirror-schema-list";

// Only what `richtext::sanitize` keeps; an address outside these schemes is
// never made a link here either.
const SAFE_HREF = /^(https?:|mailto:)/i;

export const schema = new Schema({
  nodes: {
    doc: { content: "block+" },
    paragraph: { group: "block", content: "inline*", parseDOM: [{ tag: "p" }], toDOM: () => ["p", 0] },
    bullet_list: { group: "block", content: "list_item+", parseDOM: [{ tag: "ul" }], toDOM: () => ["ul", 0] },
    ordered_list: { group: "block", content: "list_item+", parseDOM: [{ tag: "ol" }], toDOM: () => ["ol", 0] },
    list_item: { content: "paragraph block*", defining: true, parseDOM: [{ tag: "li" }], toDOM: () => ["li", 0] },
    text: { group: "inline" },
    hard_break: { inline: true, group: "inline", selectable: false, parseDOM: [{ tag: "br" }], toDOM: () => ["br"] },
  },
  marks: {
    link: {
      attrs: { href: {} },
      inclusive: false,
      parseDOM: [
        {
          tag: "a[href]",
          getAttrs: (dom) => (SAFE_HREF.test(dom.getAttribute("href")) ? { href: dom.getAttribute("href") } : false),
        },
      ],
      toDOM: (m) => ["a", { href: m.attrs.href }, 0],
    },
    strong: { parseDOM: [{ tag: "b" }, { tag: "strong" }], toDOM: () => ["b", 0] },
    em: { parseDOM: [{ tag: "i" }, { tag: "em" }], toDOM: () => ["i", 0] },
    mark: { parseDOM: [{ tag: "mark" }], toDOM: () => ["mark", 0] },
  },
});

const N = schema.nodes;
const M = schema.marks;

// `**bold**`, `*italic*`, `==highlight==` as typed: the closing marker
// applies the mark to what it closes and the markers go.
function markRule(re, mark) {
  return new InputRule(re, (state, match, start, end) => {
    const text = match[1];
    const tr = state.tr.replaceWith(start, end, schema.text(text, [mark.create()]));
    return tr.removeStoredMark(mark);
  });
}

// `*italic*`, but not the first star of `**`: the character before the
// opening star is matched and kept.
const italicRule = new InputRule(/(^|[^*])\*([^*\s](?:[^*]*[^*\s])?)\*$/, (state, match, start, end) => {
  const lead = match[1].length;
  return state.tr.replaceWith(start + lead, end, schema.text(match[2], [M.em.create()])).removeStoredMark(M.em);
});

const rules = inputRules({
  rules: [
    markRule(/\*\*([^*\s](?:[^*]*[^*\s])?)\*\*$/, M.strong),
    italicRule,
    markRule(/==([^=\s](?:[^=]*[^=\s])?)==$/, M.mark),
    wrappingInputRule(/^\s*([-+*])\s$/, N.bullet_list),
    wrappingInputRule(/^(\d+)\.\s$/, N.ordered_list),
  ],
});

function markActive(state, type) {
  const { from, $from, to, empty } = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

function inList(state, type) {
  const { $from } = state.selection;
  for (let d = $from.depth; d > 0; d--) {
    if ($from.node(d).type === type) return true;
  }
  return false;
}

// A list button wraps the lines in that list, or lifts them out of it.
function toggleList(type) {
  return (state, dispatch) => (inList(state, type) ? liftListItem(N.list_item)(state, dispatch) : wrapInList(type)(state, dispatch));
}

function html(doc) {
  const box = document.createElement("div");
  box.appendChild(DOMSerializer.fromSchema(schema).serializeFragment(doc.content));
  // An editor left empty sends nothing, as an empty textarea would.
  return doc.childCount === 1 && doc.firstChild.type === N.paragraph && doc.firstChild.childCount === 0 ? "" : box.innerHTML;
}

function button(label, text, cls) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "rt-btn " + cls;
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.title = label;
  return b;
}

function mount(area) {
  const L = (k, d) => area.dataset["rt" + k] || d;
  // Parsed as a document that is never shown: nothing in it runs or loads.
  const parsed = new window.DOMParser().parseFromString(area.value, "text/html").body;
  const bar = document.createElement("div");
  bar.className = "rt-bar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", L("Toolbar", "Formatting"));
  const host = document.createElement("div");
  host.className = "rt";
  const linkBox = document.createElement("div");
  linkBox.className = "rt-link";
  linkBox.hidden = true;
  const linkInput = document.createElement("input");
  linkInput.type = "url";
  linkInput.placeholder = "https://";
  linkInput.setAttribute("aria-label", L("LinkAddress", "Link address"));
  const linkHint = document.createElement("span");
  linkHint.className = "muted";
  linkBox.append(linkInput, linkHint);

  let view;
  const run = (cmd) => () => {
    cmd(view.state, view.dispatch, view);
    view.focus();
    return true;
  };

  // Ctrl/Cmd+K: the address is typed in a field under the toolbar; Enter
  // sets it, an empty address takes the link off, Escape goes back.
  function openLink() {
    const { state } = view;
    const here = state.selection.$from.marks().find((m) => m.type === M.link);
    if (state.selection.empty && !here) return false;
    linkInput.value = here ? here.attrs.href : "";
    linkHint.textContent = L("LinkHint", "Enter to set, Escape to cancel");
    linkBox.hidden = false;
    linkInput.focus();
    return true;
  }
  linkInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      linkBox.hidden = true;
      view.focus();
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      const href = linkInput.value.trim();
      if (href && !SAFE_HREF.test(href)) {
        linkHint.textContent = L("LinkBad", "An address starts with https://, http:// or mailto:");
        return;
      }
      let { state } = view;
      let { from, to, empty } = state.selection;
      if (empty) {
        // The cursor inside a link: the whole link.
        const $p = state.selection.$from;
        const start = $p.parent.childAfter($p.parentOffset);
        if (start.node) {
          from = $p.start() + start.offset;
          to = from + start.node.nodeSize;
        }
      }
      let tr = state.tr.removeMark(from, to, M.link);
      if (href) tr = tr.addMark(from, to, M.link.create({ href }));
      view.dispatch(tr.setSelection(TextSelection.create(tr.doc, to)));
      linkBox.hidden = true;
      view.focus();
    }
  });

  const tools = [
    [button(L("Bold", "Bold"), "B", "rt-b"), run(toggleMark(M.strong)), (s) => markActive(s, M.strong)],
    [button(L("Italic", "Italic"), "I", "rt-i"), run(toggleMark(M.em)), (s) => markActive(s, M.em)],
    [button(L("Highlight", "Highlight"), "H", "rt-h"), run(toggleMark(M.mark)), (s) => markActive(s, M.mark)],
    [button(L("Bullets", "Bulleted list"), "•", "rt-ul"), run(toggleList(N.bullet_list)), (s) => inList(s, N.bullet_list)],
    [button(L("Numbers", "Numbered list"), "", "rt-ol"), run(toggleList(N.ordered_list)), (s) => inList(s, N.ordered_list)],
    [button(L("Link", "Link"), L("LinkText", "Link"), "rt-a"), () => openLink() || view.focus(), (s) => markActive(s, M.link)],
  ];
  for (const [b, act] of tools) {
    b.addEventListener("mousedown", (ev) => ev.preventDefault());
    b.addEventListener("click", act);
    bar.append(b);
  }
  // One tab stop for the toolbar, arrows move in it (the ARIA toolbar way).
  tools.forEach(([b], i) => (b.tabIndex = i === 0 ? 0 : -1));
  bar.addEventListener("keydown", (ev) => {
    if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") return;
    const bs = tools.map(([b]) => b);
    const i = bs.indexOf(document.activeElement);
    if (i < 0) return;
    ev.preventDefault();
    const next = bs[(i + (ev.key === "ArrowRight" ? 1 : bs.length - 1)) % bs.length];
    bs.forEach((b) => (b.tabIndex = b === next ? 0 : -1));
    next.focus();
  });

  const hardBreak = chainCommands(exitCode, (state, dispatch) => {
    if (dispatch) dispatch(state.tr.replaceSelectionWith(N.hard_break.create()).scrollIntoView());
    return true;
  });
  const state = EditorState.create({
    doc: PMParser.fromSchema(schema).parse(parsed),
    plugins: [
      rules,
      history(),
      keymap({
        "Mod-z": undo,
        "Mod-y": redo,
        "Shift-Mod-z": redo,
        "Mod-b": toggleMark(M.strong),
        "Mod-i": toggleMark(M.em),
        "Shift-Mod-h": toggleMark(M.mark),
        "Mod-k": () => openLink(),
        "Shift-Enter": hardBreak,
        Enter: splitListItem(N.list_item),
        "Mod-[": liftListItem(N.list_item),
        "Mod-]": sinkListItem(N.list_item),
      }),
      keymap(baseKeymap),
    ],
  });
  const label = area.id && document.querySelector(`label[for="${area.id}"]`);
  view = new EditorView(host, {
    state,
    attributes: {
      role: "textbox",
      "aria-multiline": "true",
      ...(label ? { "aria-labelledby": (label.id ||= area.id + "-label") } : {}),
      ...(area.getAttribute("aria-describedby") ? { "aria-describedby": area.getAttribute("aria-describedby") } : {}),
      class: "rt-area",
    },
    dispatchTransaction(tr) {
      view.updateState(view.state.apply(tr));
      if (tr.docChanged) {
        area.value = html(view.state.doc);
        area.dispatchEvent(new Event("input", { bubbles: true }));
      }
      for (const [b, , active] of tools) b.setAttribute("aria-pressed", String(active(view.state)));
    },
  });
  for (const [b, , active] of tools) b.setAttribute("aria-pressed", String(active(view.state)));
  // The label now names the editor: a click on it goes there.
  if (label) label.addEventListener("click", (ev) => (ev.preventDefault(), view.focus()));
  area.hidden = true;
  area.after(bar, linkBox, host);
  // The shortcuts are told only where they work.
  for (const help of document.querySelectorAll("[data-rich-help]")) help.hidden = false;
  area.dataset.richOn = "1";
  return view;
}

function start() {
  for (const area of document.querySelectorAll("textarea[data-rich]:not([data-rich-on])")) mount(area);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
