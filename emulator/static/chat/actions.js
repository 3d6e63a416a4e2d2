// What tapping a button, a quick reply or a rich menu area does, and LINE's date/time picker.
import { $, PICKER_INPUT_TYPES, el, setStatus, view } from './core.js';
import { send } from './transport.js';

export function actionButton(action, className) {
  const btn = el('button', className || '', action.label || action.text || action.type);
  btn.type = 'button';
  btn.dataset.actionType = action.type || '';
  if (action.data) btn.dataset.postbackData = action.data;
  if (!ACTIONS[action.type]) {
    btn.disabled = true;
    btn.title = `模擬器不支援此動作（${action.type}）`;
  }
  btn.addEventListener('click', (ev) => { ev.stopPropagation(); perform(action); });
  return btn;
}

export function makeClickable(node, action) {
  node.classList.add('clickable');
  node.dataset.actionType = action.type || '';
  node.addEventListener('click', (ev) => { ev.stopPropagation(); perform(action); });
}

const ACTIONS = {
  message: (a) => send({ type: 'text', text: a.text || '' }),
  postback: (a) => send({ type: 'postback', data: a.data || '', display_text: a.displayText || a.text || null }),
  datetimepicker: openPicker,
  uri: (a) => window.open(a.uri, '_blank', 'noopener'),
  clipboard: (a) => navigator.clipboard.writeText(a.clipboardText || '').then(() => setStatus('已複製', true)),
};

export function perform(action) {
  const run = ACTIONS[action.type];
  if (run) run(action);
  else setStatus(`模擬器不支援此動作：${action.type}`);
}

function openPicker(action) {
  const mode = action.mode || 'datetime';
  const input = $('picker-input');
  input.type = PICKER_INPUT_TYPES[mode] || 'datetime-local';
  input.value = action.initial || '';
  input.min = action.min || '';
  input.max = action.max || '';
  input.dataset.mode = mode;
  $('picker-label').textContent = `${action.label || '選擇'}：`;
  view.pickerAction = action;
  $('datetime-picker').hidden = false;
  input.focus();
}

export function closePicker() {
  $('datetime-picker').hidden = true;
  view.pickerAction = null;
}

export function confirmPicker() {
  const action = view.pickerAction;
  const input = $('picker-input');
  if (!action || !input.value) { setStatus('請先選擇日期或時間'); return; }
  const mode = input.dataset.mode;
  closePicker();
  send({ type: 'postback', data: action.data || '', params: { [mode]: input.value } });
}

// ---- quick reply ----
