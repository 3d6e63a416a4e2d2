// Shared bits of the chat page: the directory, DOM helpers, who is acting and where, LINE's size keywords.
// Plain DOM building with textContent only, so nothing the bot sends is ever parsed as HTML.

export const POLL_MS = 1000;
export const directory = JSON.parse(document.getElementById('directory').textContent);
export const usersById = Object.fromEntries(directory.users.map((u) => [u.user_id, u]));
export const $ = (id) => document.getElementById(id);
export const view = { version: null, chatKey: null, pickerAction: null, menuKey: null };

// LINE's keyword sizes, in px.
export const FONT_SIZES = { xxs: 11, xs: 13, sm: 14, md: 16, lg: 19, xl: 22, xxl: 29, '3xl': 35, '4xl': 48, '5xl': 74 };
export const SPACING = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
export const IMAGE_SIZES = { xxs: 40, xs: 60, sm: 80, md: 100, lg: 120, xl: 140, xxl: 160, '3xl': 180, '4xl': 200, '5xl': 240 };
export const PICKER_INPUT_TYPES = { date: 'date', time: 'time', datetime: 'datetime-local' };

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function actingUser() { return $('user-select').value; }
export function currentGroup() { return $('chat-select').value || null; }
export function chatKey() { return `${actingUser()}|${currentGroup() || ''}`; }

export function setStatus(text, ok) {
  const box = $('status');
  box.textContent = text || '';
  box.classList.toggle('ok', Boolean(ok));
}

export function px(value, table) {
  if (value === undefined || value === null) return null;
  if (table && value in table) return `${table[value]}px`;
  return String(value);  // already "10px" or "20%"
}
