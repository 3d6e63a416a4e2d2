// Talking to the emulator: send an event as the acting user, poll the chat and hand it to the page.
import { actingUser, chatKey, currentGroup, setStatus, view } from './core.js';

const renderers = [];

/** Call `fn(data)` whenever the chat changed (the page, the rich menu). */
export function onChat(fn) { renderers.push(fn); }

export async function send(payload) {
  const body = { user_id: actingUser(), group_id: currentGroup(), ...payload };
  setStatus('傳送中…', true);
  try {
    const res = await fetch('/_emulator/send', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    const data = await res.json();
    if (!res.ok) setStatus(`模擬器拒絕：${data.message}`);
    else if (data.status === 0) setStatus(`無法連線到機器人：${data.error || ''}`);
    else if (data.status >= 300) setStatus(`機器人回應 HTTP ${data.status}`);
    else setStatus('');
  } catch (err) {
    setStatus(`傳送失敗：${err}`);
  }
  await refresh(true);
}

export async function refresh(force) {
  const params = new URLSearchParams({ user_id: actingUser() });
  if (currentGroup()) params.set('group_id', currentGroup());
  let data;
  try {
    const res = await fetch(`/_emulator/chat?${params}`);
    data = await res.json();
  } catch (err) {
    return;  // the emulator is restarting; the next poll will catch up
  }
  if (!force && data.version === view.version && view.chatKey === chatKey()) return;
  view.version = data.version;
  view.chatKey = chatKey();
  renderers.forEach((fn) => fn(data));
}

