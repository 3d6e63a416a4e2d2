// Chat page of the LINE emulator: act as a demo user, render what the bot sent, perform tapped actions.
import { $, POLL_MS, actingUser, currentGroup, directory, el, setStatus } from './core.js';
import { actionButton, closePicker, confirmPicker } from './actions.js';
import { renderMessage } from './messages.js';
import { refreshMenu, wireMenu } from './richmenu.js';
import { onChat, refresh, send } from './transport.js';

function render(data) {
  const chat = data.chat;
  $('chat-title').textContent = chat.type === 'group' ? `${chat.name}（${chat.member_count}）` : chat.name;
  $('quota').textContent = `本月推播用量 ${data.quota.used} / ${data.quota.limit}`;
  const list = $('messages');
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  list.replaceChildren(...data.entries.map(renderEntry));
  renderQuickReply(data.entries[data.entries.length - 1]);
  if (nearBottom || lastIsUser(data.entries)) list.scrollTop = list.scrollHeight;
}

function lastIsUser(entries) {
  return entries.length > 0 && entries[entries.length - 1].sender === 'user';
}

function renderEntry(entry) {
  if (entry.sender === 'system') {
    const row = el('div', 'msg system');
    row.append(el('span', 'note', entry.message.text));
    return row;
  }
  const mine = entry.sender === 'user' && entry.user_id === actingUser();
  const role = entry.sender === 'bot' ? 'bot' : (mine ? 'user' : 'other');
  const row = el('div', `msg ${role}`);
  row.dataset.seq = entry.seq;
  row.dataset.messageType = entry.message.type || '';
  const body = el('div', 'msg-body');
  if (!mine) {
    row.append(avatar(entry));
    body.append(senderLine(entry));
  }
  const line = el('div', 'row');
  line.append(entry.unsent ? el('div', 'bubble unsent', '訊息已收回') : renderMessage(entry.message));
  line.append(el('span', 'time', formatTime(entry.at)));
  body.append(line);
  row.append(body);
  return row;
}

function avatar(entry) {
  const name = entry.sender === 'bot' ? directory.bot.display_name : (entry.display_name || '?');
  return el('div', 'avatar', name.slice(0, 1));
}

function senderLine(entry) {
  const line = el('div', 'sender');
  if (entry.sender === 'bot') {
    line.textContent = (entry.message.sender && entry.message.sender.name) || directory.bot.display_name;
  } else {
    line.textContent = entry.display_name || entry.user_id;
    if (entry.unit_label) line.append(el('span', 'unit', entry.unit_label));
  }
  return line;
}

function formatTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString('zh-TW', { hour: '2-digit', minute: '2-digit' });
}


function renderQuickReply(last) {
  const bar = $('quick-reply');
  const items = last && last.sender === 'bot' && !last.unsent && last.message.quickReply
    ? last.message.quickReply.items || [] : [];
  bar.replaceChildren(...items.map((item) => actionButton(item.action || {}, 'quick-reply-item')));
  bar.hidden = items.length === 0;
}

// ---- wiring ----

function submitText(ev) {
  ev.preventDefault();
  const input = $('message-input');
  const text = input.value;
  if (!text.trim()) return;
  input.value = '';
  send({ type: 'text', text });
}

function wire() {
  $('composer').addEventListener('submit', submitText);
  $('message-input').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) submitText(ev);
  });
  $('user-select').addEventListener('change', () => { closePicker(); refresh(true); });
  $('chat-select').addEventListener('change', () => { closePicker(); refresh(true); });
  $('picker-confirm').addEventListener('click', confirmPicker);
  $('picker-cancel').addEventListener('click', closePicker);
  $('event-follow').addEventListener('click', () => send({ type: 'follow', group_id: null }));
  $('event-join').addEventListener('click', () => withGroup((g) => send({ type: 'join', group_id: g })));
  $('event-member-joined').addEventListener('click',
    () => withGroup((g) => send({ type: 'memberJoined', group_id: g, user_ids: [actingUser()] })));
  refresh(true);
  setInterval(() => refresh(false), POLL_MS);
}

function withGroup(fn) {
  const group = currentGroup();
  if (group) fn(group);
  else setStatus('請先在「聊天室」選擇群組');
}


onChat(render);
onChat(refreshMenu);
wireMenu();
wire();
