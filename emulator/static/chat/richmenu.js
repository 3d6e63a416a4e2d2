// The rich menu (圖文選單) of the acting user's 1:1 chat, tappable as in LINE, and the loading animation.
import { $, actingUser, currentGroup, el, view } from './core.js';
import { perform } from './actions.js';

/** Show the menu LINE would show this user here (1:1 chats only) and whether the bot is "typing". */
export async function refreshMenu() {
  const section = $('rich-menu');
  if (currentGroup()) {
    section.hidden = true;
    $('loading').hidden = true;
    view.menuKey = null;
    return;
  }
  let data;
  try {
    const res = await fetch(`/_emulator/richmenu?${new URLSearchParams({ user_id: actingUser() })}`);
    data = await res.json();
  } catch (err) {
    return;  // the emulator is restarting; the next poll catches up
  }
  $('loading').hidden = !data.loading;
  const menu = data.menu;
  const key = menu ? `${actingUser()}|${menu.richMenuId}` : null;
  if (key === view.menuKey) return;
  view.menuKey = key;
  section.hidden = !menu;
  if (!menu) {
    $('rich-menu-areas').replaceChildren();
    return;
  }
  showMenu(menu);
}

function showMenu(menu) {
  const { width, height } = menu.size;
  const image = $('rich-menu-image');
  image.src = menu.image;
  image.alt = '';  // decorative: each area below is a button named by its label
  $('rich-menu-toggle').textContent = `${menu.chatBarText || '選單'} ▾`;
  $('rich-menu-areas').replaceChildren(...menu.areas.map((area) => areaButton(area, width, height)));
}

function areaButton(area, width, height) {
  const b = area.bounds;
  const action = area.action || {};
  const btn = el('button', 'rich-menu-area');
  btn.type = 'button';
  btn.setAttribute('aria-label', action.label || action.text || action.type);
  btn.dataset.actionType = action.type || '';
  Object.assign(btn.style, {
    left: `${(100 * b.x) / width}%`, top: `${(100 * b.y) / height}%`,
    width: `${(100 * b.width) / width}%`, height: `${(100 * b.height) / height}%`,
  });
  btn.addEventListener('click', () => perform(action));
  return btn;
}

/** The chat bar's text opens and closes the menu, as in LINE. */
export function wireMenu() {
  const toggle = $('rich-menu-toggle');
  toggle.addEventListener('click', () => {
    const panel = $('rich-menu-panel');
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
  });
}
