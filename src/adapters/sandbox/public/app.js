// Web sandbox of thidua-bot: pick a persona and a chat, talk to the bot, see answers live.
// Plain ES2022 module, no build step. Every label comes from /sandbox/api/i18n, and every
// string from the server is rendered as text (textContent / text nodes), never as HTML.

const API = "/sandbox/api";
const STORE_PREFIX = "thidua-sandbox:";
const LANGUAGES = ["vi", "en"];
const POLL_INTERVAL_MS = 1500;
const BACKGROUND_POLL_MS = 3000;
// Browsers keep about six connections per server: the open chat's stream and at most this
// many background streams, so that sending never waits for a free connection.
const MAX_BACKGROUND_STREAMS = 3;
const PAGE_SIZE = 500; // the server's limit on one answer of GET /messages
const LEVELS = ["CONFEDERATION", "SECTOR", "UPPER_GRASSROOTS", "GRASSROOTS", "SECTION"];
const STREAM_RETRY_MIN_MS = 3000;
const STREAM_RETRY_MAX_MS = 30000;
const BOOT_RETRY_MAX_MS = 10000;
const NARROW_SCREEN = "(max-width: 760px)";
const USER_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const COMMAND_PATTERN = /(\/[a-z]+)/g;

const state = {
  lng: "vi",
  strings: {},
  status: "connecting",
  personas: [],
  groups: [],
  customUsers: [],
  user: null,
  chat: null,
  messages: new Map(), // seq -> message of the open chat
  lastSeq: null,
  session: 0, // bumped on every (re)connect; callbacks of an older session do nothing
  stream: null,
  streamTimer: 0,
  streamRetryMs: STREAM_RETRY_MIN_MS,
  pollGeneration: 0,
  pollTimer: 0,
  switchGeneration: 0, // bumped on every persona switch; an older switch stops after its await
  pressed: new Map(), // seq of a bot message of the open chat -> id of the choice pressed here
  seen: {}, // chatId -> highest seq the current user has had on screen (kept per user)
  unread: new Map(), // chatId -> Set of seqs arrived while that chat was not open
  watchers: new Map(), // chatId -> watcher of a chat of the current user that is not open
};

const byId = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------- small helpers ----------

/** Creates an element; `text` and string children become text nodes, never HTML. */
function h(tag, { className, text, dataset, ...attributes } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  Object.assign(node.dataset, dataset);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** Runs fn and returns its result, or fallback if it throws. */
function attempt(fn, fallback = null) {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

const parseJson = (text) => attempt(() => (text === null ? null : JSON.parse(text)));

// localStorage may be disabled (private mode); the page then simply forgets preferences.
const loadPref = (key, fallback) => attempt(() => parseJson(localStorage.getItem(STORE_PREFIX + key))) ?? fallback;
const savePref = (key, value) => attempt(() => localStorage.setItem(STORE_PREFIX + key, JSON.stringify(value)));

/** Only http(s) links (absolute or relative) may become hrefs; never javascript: or data:. */
function isSafeUrl(url) {
  if (typeof url !== "string" || url === "") return false;
  const protocol = attempt(() => new URL(url, window.location.href).protocol);
  return protocol === "http:" || protocol === "https:";
}

// ---------- i18n ----------

function t(key, vars = {}) {
  const value = key.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), state.strings);
  if (typeof value !== "string") return key;
  return value.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => (name in vars ? String(vars[name]) : ""));
}

async function loadStrings(lng) {
  const strings = await requestJson(`${API}/i18n?lng=${encodeURIComponent(lng)}`);
  if (!strings || typeof strings !== "object") throw new Error("invalid locale file");
  state.strings = strings;
  state.lng = lng;
}

function applyStaticLabels() {
  document.documentElement.lang = state.lng;
  document.title = t("app.documentTitle");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  for (const button of document.querySelectorAll(".quick")) button.title = button.dataset.command;
  renderWithCommands(byId("hint-body"), t("hint.body"));
  renderWithCommands(byId("transcript-empty-text"), t("transcript.empty"));
  byId("lang-select").value = state.lng;
  setStatus(state.status);
}

/** Writes plain text into node, wrapping /commands in <code>. */
function renderWithCommands(node, text) {
  node.replaceChildren(...text.split(COMMAND_PATTERN).map((part, i) => (i % 2 ? h("code", { text: part }) : part)));
}

// ---------- HTTP and status line ----------

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function requestJson(url, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body && JSON.stringify(body), cache: "no-store" });
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new HttpError(response.status, typeof payload?.error === "string" ? payload.error : response.statusText);
  return payload;
}

async function retryUntilDone(task) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await task();
    } catch {
      setStatus("offline");
      await sleep(Math.min(1000 * 2 ** attempt, BOOT_RETRY_MAX_MS));
    }
  }
}

/** kind: "connecting" | "online" | "polling" | "offline". Before the locale loads, the HTML text stays. */
function setStatus(kind) {
  state.status = kind;
  const node = byId("status");
  node.dataset.state = kind;
  if (Object.keys(state.strings).length > 0) node.textContent = t(`status.${kind}`);
}

// ---------- personas and chats ----------

async function loadDirectory() {
  const data = await requestJson(`${API}/personas`);
  state.personas = (Array.isArray(data?.personas) ? data.personas : []).filter((p) => typeof p?.userId === "string");
  state.groups = (Array.isArray(data?.chats) ? data.chats : []).filter((c) => typeof c?.chatId === "string");
}

function loadCustomUsers() {
  const stored = loadPref("customUsers", []);
  const personaIds = new Set(state.personas.map((p) => p.userId));
  state.customUsers = (Array.isArray(stored) ? stored : []).filter(
    (u) => USER_ID_PATTERN.test(u?.userId) && typeof u.userName === "string" && !personaIds.has(u.userId),
  );
}

const allUsers = () => [...state.personas, ...state.customUsers];

const roleKey = (user) => (user.role in (state.strings.roles ?? {}) ? user.role : "guest");
const roleLabel = (user) => t(`roles.${roleKey(user)}`);
/** The level of the user's unit as the server stored it, or null for a user without a unit. */
const levelOf = (user) => (LEVELS.includes(user.unitLevel) ? user.unitLevel : null);

/** "Lê Văn Cường — cán bộ, Công đoàn … (cấp trên trực tiếp cơ sở)". */
function personaLabel(user) {
  const vars = { name: user.userName, role: t(`roleInline.${roleKey(user)}`), unit: user.unitName };
  const level = levelOf(user);
  if (!user.unitName) return t("persona.optionNoUnit", vars);
  return level ? t("persona.option", { ...vars, level: t(`levelsShort.${level}`) }) : t("persona.optionNoLevel", vars);
}

/** The user's own private chat, then the groups of the units where they hold a role. */
function chatsFor(user) {
  const own = { chatId: `dm-${user.userId}`, chatTitle: t("chats.private"), chatKind: "private" };
  const theirs = new Set(Array.isArray(user.chats) ? user.chats : []);
  const groups = state.groups
    .filter((g) => theirs.has(g.chatId))
    .map((g) => ({ chatId: g.chatId, chatTitle: g.chatTitle || g.chatId, chatKind: g.chatKind === "private" ? "private" : "group" }));
  return [own, ...groups];
}

/** Personas grouped by the level of their unit, top of the union first; then other users. */
function renderPersonaSelect() {
  const groups = [];
  for (const level of [...LEVELS, null]) {
    const people = state.personas.filter((p) => levelOf(p) === level);
    if (people.length > 0) groups.push(createOptionGroup(level ? t(`levels.${level}`) : t("persona.noUnit"), people));
  }
  if (state.customUsers.length > 0) groups.push(createOptionGroup(t("persona.custom"), state.customUsers));
  const select = byId("persona-select");
  select.replaceChildren(...groups);
  if (state.user) select.value = state.user.userId;
}

function createOptionGroup(label, users) {
  return h("optgroup", { label }, ...users.map((user) => new Option(personaLabel(user), user.userId)));
}

function renderIdentity() {
  const { user } = state;
  byId("identity").replaceChildren(
    h("span", { className: "identity-name", text: user.userName }),
    h("span", { className: "role-badge", text: roleLabel(user), dataset: { role: user.role } }),
    ...(user.unitName ? [h("span", { className: "identity-unit", text: user.unitName })] : []),
    ...(levelOf(user) ? [h("span", { className: "identity-level", text: t(`levels.${levelOf(user)}`) })] : []),
  );
}

function renderChatList() {
  const buttons = chatsFor(state.user).map((chat) => {
    const current = chat.chatId === state.chat?.chatId ? { "aria-current": "true" } : {};
    return h(
      "button",
      { className: "chat-item", type: "button", dataset: { chatId: chat.chatId, kind: chat.chatKind }, ...current },
      h("span", { className: "chat-item-title", text: chat.chatTitle }),
      h("span", { className: "chat-item-kind", text: t(chat.chatKind === "private" ? "chats.kindPrivate" : "chats.kindGroup") }),
    );
  });
  byId("chat-list").replaceChildren(...buttons);
  for (const chatId of state.unread.keys()) renderUnread(chatId);
}

/** The unread count of a chat in the list: a badge while there is any, nothing otherwise. */
function renderUnread(chatId) {
  const button = [...byId("chat-list").querySelectorAll(".chat-item")].find((b) => b.dataset.chatId === chatId);
  if (!button) return;
  const count = state.unread.get(chatId)?.size ?? 0;
  button.querySelector(".chat-item-unread")?.remove();
  if (count === 0) {
    delete button.dataset.unread;
    return;
  }
  button.dataset.unread = String(count);
  const label = t("chats.unread", { count });
  button.append(h("span", { className: "chat-item-unread", text: count > 99 ? "99+" : String(count), title: label, "aria-label": label }));
}

function renderChatHeader() {
  byId("chat-title").textContent = state.chat.chatTitle;
  byId("chat-meta").textContent = t("chat.actingAs", { name: state.user.userName, role: roleLabel(state.user) });
}

/** The persona select changed: reload who belongs where (a role may have been granted since), then switch. */
async function switchUser(userId) {
  const generation = ++state.switchGeneration;
  const reloaded = await loadDirectory().then(() => true, () => false);
  if (generation !== state.switchGeneration) return;
  if (reloaded) {
    loadCustomUsers();
    renderPersonaSelect();
  }
  selectUser(userId);
}

/**
 * Switches identity; stays in the same chat if it is one of the new user's, else opens
 * their private chat. Unread marks are per user: the previous user's watchers stop.
 */
function selectUser(userId, preferredChatId) {
  const users = allUsers();
  const user = users.find((u) => u.userId === userId) ?? users[0];
  if (!user) return;
  const wanted = preferredChatId ?? state.chat?.chatId;
  const changed = state.user?.userId !== user.userId;
  state.user = user;
  savePref("userId", user.userId);
  byId("persona-select").value = user.userId;
  renderIdentity();
  if (changed) {
    stopAllWatchers();
    state.unread.clear();
    const seen = loadPref(`seen:${user.userId}`, {});
    state.seen = seen && typeof seen === "object" && !Array.isArray(seen) ? seen : {};
  }
  const chats = chatsFor(user);
  const chat = chats.find((c) => c.chatId === wanted) ?? chats[0];
  if (changed || chat.chatId !== state.chat?.chatId) openChat(chat);
  else {
    state.chat = chat;
    syncWatchers();
    renderChatList();
    renderChatHeader();
  }
}

function openChat(chat) {
  state.chat = chat;
  savePref("chatId", chat.chatId);
  state.unread.delete(chat.chatId);
  syncWatchers();
  renderChatList();
  renderChatHeader();
  clearTranscript();
  connect();
}

function addCustomUser(event) {
  event.preventDefault();
  const userName = byId("custom-name").value.trim();
  const userId = byId("custom-id").value.trim();
  if (!userName || userName.length > 64 || !USER_ID_PATTERN.test(userId)) {
    byId("custom-error").textContent = t("persona.customInvalid");
    return;
  }
  byId("custom-error").textContent = "";
  if (!state.personas.some((p) => p.userId === userId)) {
    state.customUsers = [...state.customUsers.filter((u) => u.userId !== userId), { userId, userName, role: "guest" }];
    savePref("customUsers", state.customUsers);
    renderPersonaSelect();
  }
  selectUser(userId);
  event.target.reset();
}

// ---------- transcript ----------

function clearTranscript() {
  state.messages.clear();
  state.pressed.clear();
  state.lastSeq = null;
  byId("transcript").replaceChildren();
  updateEmptyState();
}

function updateEmptyState() {
  byId("transcript-empty").hidden = state.messages.size > 0;
}

/** Adds messages not seen yet (dedupe on seq), in seq order; follows the bottom when appropriate. */
function addMessages(messages) {
  const transcript = byId("transcript");
  const nearBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
  let ownMessage = false;
  for (const message of messages) {
    if (!Number.isFinite(message?.seq) || state.messages.has(message.seq)) continue;
    state.messages.set(message.seq, message);
    state.lastSeq = Math.max(state.lastSeq ?? message.seq, message.seq);
    insertInOrder(transcript, renderMessage(message), message.seq);
    ownMessage ||= isOwn(message);
  }
  if (state.lastSeq !== null) markSeen(state.chat.chatId, state.lastSeq);
  refreshChoices();
  updateEmptyState();
  if (nearBottom || ownMessage) transcript.scrollTop = transcript.scrollHeight;
}

function insertInOrder(transcript, node, seq) {
  let next = null;
  for (let child = transcript.lastElementChild; child && Number(child.dataset.seq) > seq; child = child.previousElementSibling) next = child;
  transcript.insertBefore(node, next);
}

function rerenderTranscript() {
  const transcript = byId("transcript");
  transcript.replaceChildren(...[...state.messages.values()].sort((a, b) => a.seq - b.seq).map(renderMessage));
  refreshChoices();
  transcript.scrollTop = transcript.scrollHeight;
}

const choiceLabel = (choice) => (typeof choice.label === "string" ? choice.label : choice.id);

/**
 * Only the newest open question can be answered: a bot message's buttons are disabled
 * (still readable) once one of them was pressed — here, or by anyone, which the transcript
 * shows as a later message saying that choice's label — or once a later bot message came
 * with buttons of its own. The pressed choice stays highlighted.
 */
function refreshChoices() {
  const saidAfter = new Set();
  let laterQuestion = false;
  for (const message of [...state.messages.values()].sort((a, b) => b.seq - a.seq)) {
    if (message.from !== "bot") {
      if (typeof message.text === "string") saidAfter.add(message.text);
      continue;
    }
    const choices = Array.isArray(message.choices) ? message.choices.filter((c) => typeof c?.id === "string") : [];
    if (choices.length === 0) continue;
    const chosenId = state.pressed.get(message.seq) ?? choices.find((c) => saidAfter.has(choiceLabel(c)))?.id;
    const answered = laterQuestion || chosenId !== undefined;
    const box = byId("transcript").querySelector(`.msg[data-seq="${message.seq}"] .msg-choices`);
    if (box) {
      box.dataset.answered = String(answered);
      for (const button of box.querySelectorAll("button.choice")) {
        button.disabled = answered;
        button.classList.toggle("is-chosen", button.dataset.choiceId === chosenId);
      }
    }
    laterQuestion = true;
  }
}

/** Remembers, per user, how far they have read a chat (so a reload does not mark it unread). */
function markSeen(chatId, seq) {
  if ((state.seen[chatId] ?? -1) >= seq) return;
  state.seen = { ...state.seen, [chatId]: seq };
  savePref(`seen:${state.user.userId}`, state.seen);
}

function isOwn(message) {
  return message.from !== "bot" && message.userName === state.user?.userName;
}

function renderMessage(message) {
  const from = message.from === "bot" ? "bot" : "user";
  const author = from === "bot" ? t("transcript.bot") : message.userName || t("transcript.user");
  const bubble = h("div", { className: "msg-bubble" }, h("p", { className: "msg-text", text: typeof message.text === "string" ? message.text : "" }));
  if (message.file && typeof message.file === "object") bubble.append(isPicture(message.file) ? renderPicture(message.file, message.text) : renderFile(message.file));
  const item = h("div", { className: isOwn(message) ? "msg msg-own" : "msg", dataset: { from, seq: String(message.seq) } });
  item.append(h("p", { className: "msg-author", text: author }), bubble);
  if (from === "bot" && Array.isArray(message.choices) && message.choices.length > 0) item.append(renderChoices(message.choices));
  return item;
}

function renderFile(file) {
  const name = typeof file.name === "string" && file.name ? file.name : t("transcript.download");
  const parts = [h("span", { className: "msg-file-name", text: name }), h("span", { className: "msg-file-action", text: t("transcript.download") })];
  if (!isSafeUrl(file.url)) return h("span", { className: "msg-file" }, ...parts);
  return h("a", { className: "msg-file", href: file.url, download: name }, ...parts);
}

/** A picture the bot sent (/tiendo's chart): a .png file served by the sandbox. */
function isPicture(file) {
  return typeof file.name === "string" && /\.png$/i.test(file.name) && isSafeUrl(file.url);
}

/** The picture inline, its words (the message's text) as alt text; a click opens it full size. */
function renderPicture(file, text) {
  const image = h("img", { className: "msg-picture-image", src: file.url, alt: typeof text === "string" ? text : "", loading: "lazy", decoding: "async" });
  return h("a", { className: "msg-picture", href: file.url, target: "_blank", rel: "noopener" }, image);
}

function renderChoices(choices) {
  const buttons = choices
    .filter((choice) => typeof choice?.id === "string")
    .map((choice) => h("button", { className: "choice", type: "button", text: typeof choice.label === "string" ? choice.label : choice.id, dataset: { choiceId: choice.id } }));
  return h("div", { className: "msg-choices" }, ...buttons);
}

// ---------- live updates: server-sent events, polling as fallback ----------

function messagesUrl(endpoint) {
  const params = new URLSearchParams({ chatId: state.chat.chatId });
  if (state.lastSeq !== null) params.set("after", String(state.lastSeq));
  return `${API}/${endpoint}?${params}`;
}

async function fetchMessages() {
  const data = await requestJson(messagesUrl("messages"));
  return Array.isArray(data?.messages) ? data.messages : [];
}

function disconnect() {
  state.session += 1;
  state.stream?.close();
  state.stream = null;
  clearTimeout(state.streamTimer);
  state.streamRetryMs = STREAM_RETRY_MIN_MS;
  stopPolling();
}

/** Loads the open chat's transcript, then follows it live. */
async function connect() {
  disconnect();
  const session = state.session;
  setStatus("connecting");
  try {
    const messages = await fetchMessages();
    if (session !== state.session) return;
    addMessages(messages);
    openStream(session);
  } catch {
    if (session !== state.session) return;
    setStatus("offline");
    startPolling(session);
    scheduleStreamRetry(session);
  }
}

function openStream(session) {
  const source = new EventSource(messagesUrl("stream"));
  state.stream = source;
  source.onopen = () => {
    if (session !== state.session) return;
    state.streamRetryMs = STREAM_RETRY_MIN_MS;
    stopPolling();
    setStatus("online");
  };
  source.onmessage = (event) => {
    if (session === state.session) addMessages([parseJson(event.data)]);
  };
  // EventSource would reconnect by itself; we take over so that polling covers the gap.
  source.onerror = () => {
    source.close();
    if (session !== state.session) return;
    state.stream = null;
    startPolling(session);
    scheduleStreamRetry(session);
  };
}

function scheduleStreamRetry(session) {
  clearTimeout(state.streamTimer);
  state.streamTimer = setTimeout(() => session === state.session && openStream(session), state.streamRetryMs);
  state.streamRetryMs = Math.min(state.streamRetryMs * 2, STREAM_RETRY_MAX_MS);
}

function startPolling(session) {
  stopPolling();
  const generation = state.pollGeneration;
  const isCurrent = () => generation === state.pollGeneration && session === state.session;
  const tick = async () => {
    try {
      const messages = await fetchMessages();
      if (!isCurrent()) return;
      addMessages(messages);
      setStatus("polling");
    } catch {
      if (!isCurrent()) return;
      setStatus("offline");
    }
    state.pollTimer = setTimeout(tick, POLL_INTERVAL_MS);
  };
  tick();
}

function stopPolling() {
  state.pollGeneration += 1;
  clearTimeout(state.pollTimer);
}

// ---------- the user's other chats: unread marks ----------

/** Every chat of the current user but the open one has a watcher; no other chat has one. */
function syncWatchers() {
  const wanted = new Set(chatsFor(state.user).map((c) => c.chatId));
  wanted.delete(state.chat?.chatId);
  for (const chatId of [...state.watchers.keys()]) if (!wanted.has(chatId)) stopWatcher(chatId);
  for (const chatId of wanted) if (!state.watchers.has(chatId)) startWatcher(chatId);
}

function stopWatcher(chatId) {
  const watcher = state.watchers.get(chatId);
  if (!watcher) return;
  watcher.closed = true;
  watcher.source?.close();
  clearTimeout(watcher.timer);
  state.watchers.delete(chatId);
}

function stopAllWatchers() {
  for (const chatId of [...state.watchers.keys()]) stopWatcher(chatId);
}

const backgroundStreams = () => [...state.watchers.values()].filter((w) => w.source).length;

async function fetchChat(chatId, after) {
  const data = await requestJson(`${API}/messages?${new URLSearchParams({ chatId, after: String(after) })}`);
  return Array.isArray(data?.messages) ? data.messages.filter((m) => Number.isFinite(m?.seq)) : [];
}

/**
 * Follows a chat that is not open: what arrived since the user last had it on screen, and
 * whatever arrives from now on, counts as unread unless the user wrote it. A chat never
 * opened by this user starts with nothing unread. Streams while connections allow, polls
 * otherwise or after the stream fails.
 */
function startWatcher(chatId) {
  const watcher = { chatId, after: 0, source: null, timer: 0, closed: false };
  state.watchers.set(chatId, watcher);
  const accept = (messages) => {
    if (watcher.closed) return;
    const unread = state.unread.get(chatId) ?? new Set();
    for (const message of messages) {
      if (!Number.isFinite(message?.seq) || message.seq <= watcher.after) continue;
      watcher.after = message.seq;
      if (!isOwn(message)) unread.add(message.seq);
    }
    if (unread.size > 0) state.unread.set(chatId, unread);
    renderUnread(chatId);
  };
  const poll = async () => {
    if (watcher.closed) return;
    accept(await fetchChat(chatId, watcher.after).catch(() => []));
    if (!watcher.closed) watcher.timer = setTimeout(poll, BACKGROUND_POLL_MS);
  };
  const follow = () => {
    if (watcher.closed) return;
    if (backgroundStreams() >= MAX_BACKGROUND_STREAMS) return void poll();
    const source = new EventSource(`${API}/stream?${new URLSearchParams({ chatId, after: String(watcher.after) })}`);
    watcher.source = source;
    source.onmessage = (event) => accept([parseJson(event.data)]);
    source.onerror = () => {
      source.close();
      watcher.source = null;
      if (!watcher.closed) watcher.timer = setTimeout(poll, BACKGROUND_POLL_MS);
    };
  };
  const begin = async () => {
    const seen = state.seen[chatId];
    try {
      if (Number.isFinite(seen)) {
        const page = await fetchChat(chatId, seen);
        if (watcher.closed) return;
        watcher.after = seen;
        accept(page);
      } else {
        // A chat this user never opened: nothing in it is unread; skip to its end.
        let page;
        do {
          page = await fetchChat(chatId, watcher.after);
          if (watcher.closed) return;
          watcher.after = Math.max(watcher.after, ...page.map((m) => m.seq));
        } while (page.length >= PAGE_SIZE);
      }
      follow();
    } catch {
      if (!watcher.closed) watcher.timer = setTimeout(begin, BACKGROUND_POLL_MS);
    }
  };
  void begin();
}

// ---------- sending ----------

/** Posts text or a choice as the current identity in the open chat; shows the error if any. */
async function postToBot(payload) {
  const { chatId, chatTitle, chatKind } = state.chat;
  const { userId, userName } = state.user;
  showComposerError("");
  try {
    await requestJson(`${API}/messages`, { method: "POST", body: { chatId, chatTitle, chatKind, userId, userName, ...payload } });
    return true;
  } catch (error) {
    showComposerError(errorText(error));
    return false;
  }
}

/** A failed POST in the page's language; the server's own (English) words are never shown. */
function errorText(error) {
  if (!(error instanceof HttpError)) return t("errors.network");
  if ([400, 413, 415, 422].includes(error.status)) return t("errors.invalid");
  if (error.status === 429 || error.status === 503) return t("errors.busy");
  if (error.status >= 500) return t("errors.server");
  return t("errors.rejected", { status: error.status });
}

function showComposerError(text) {
  byId("composer-error").textContent = text;
}

async function sendComposer(event) {
  event.preventDefault();
  const input = byId("composer-input");
  const send = byId("composer-send");
  const text = input.value.trim();
  if (!text || !state.chat || send.disabled) return;
  send.disabled = true;
  input.value = "";
  const sent = await postToBot({ text });
  if (!sent && input.value === "") input.value = text;
  send.disabled = false;
  input.focus();
}

/** Quick-command buttons: posts the command, disabling the button meanwhile. */
async function sendFromButton(button, payload) {
  if (!state.chat) return;
  button.disabled = true;
  await postToBot(payload);
  button.disabled = false;
}

/** A choice answers its message at once: its buttons are disabled unless the post fails. */
async function sendChoice(button) {
  const seq = Number(button.closest(".msg")?.dataset.seq);
  if (!state.chat || button.disabled || !Number.isFinite(seq)) return;
  state.pressed.set(seq, button.dataset.choiceId);
  refreshChoices();
  const sent = await postToBot({ choice: button.dataset.choiceId });
  if (!sent && state.pressed.get(seq) === button.dataset.choiceId) {
    state.pressed.delete(seq);
    refreshChoices();
  }
}

function handleComposerKey(event) {
  // keyCode 229: an input method (e.g. Vietnamese Telex) is still composing.
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  byId("composer").requestSubmit();
}

// ---------- language ----------

async function changeLanguage(lng) {
  const loaded = await loadStrings(lng).then(() => true, () => false);
  if (!loaded) {
    byId("lang-select").value = state.lng;
    setStatus("offline");
    return;
  }
  savePref("lng", lng);
  applyStaticLabels();
  if (!state.user) return;
  state.chat = chatsFor(state.user).find((c) => c.chatId === state.chat?.chatId) ?? state.chat;
  renderPersonaSelect();
  renderIdentity();
  renderChatList();
  renderChatHeader();
  rerenderTranscript();
}

// ---------- wiring ----------

function onClick(id, selector, handler) {
  byId(id).addEventListener("click", (event) => {
    const target = event.target.closest(selector);
    if (target) handler(target);
  });
}

function bindEvents() {
  byId("lang-select").addEventListener("change", (event) => changeLanguage(event.target.value));
  byId("persona-select").addEventListener("change", (event) => switchUser(event.target.value));
  byId("custom-user-form").addEventListener("submit", addCustomUser);
  byId("composer").addEventListener("submit", sendComposer);
  byId("composer-input").addEventListener("keydown", handleComposerKey);
  onClick("transcript", "button.choice", sendChoice);
  onClick("quick-commands", "button[data-command]", (button) => sendFromButton(button, { text: button.dataset.command }));
  onClick("chat-list", "button[data-chat-id]", (button) => {
    const chat = state.user && chatsFor(state.user).find((c) => c.chatId === button.dataset.chatId);
    if (chat) openChat(chat);
  });
}

async function start() {
  const storedLng = loadPref("lng", "vi");
  if (window.matchMedia(NARROW_SCREEN).matches) byId("hint").open = false;
  bindEvents();
  await retryUntilDone(() => loadStrings(LANGUAGES.includes(storedLng) ? storedLng : "vi"));
  applyStaticLabels();
  await retryUntilDone(loadDirectory);
  loadCustomUsers();
  renderPersonaSelect();
  selectUser(loadPref("userId", null), loadPref("chatId", undefined));
}

start();
