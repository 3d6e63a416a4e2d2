// Message objects as LINE draws them: text, textV2 mentions, images, templates and Flex.
import { FONT_SIZES, IMAGE_SIZES, SPACING, el, px, usersById } from './core.js';
import { actionButton, makeClickable } from './actions.js';

export function renderMessage(msg) {
  switch (msg.type) {
    case 'text': return textBubble(msg.text, mentionRanges(msg));
    case 'textV2': return textV2Bubble(msg);
    case 'template': return withAlt(renderTemplate(msg.template || {}), msg.altText);
    case 'flex': return withAlt(renderFlexContainer(msg.contents || {}), msg.altText);
    case 'image': return imageBubble(msg.previewImageUrl || msg.originalContentUrl);
    case 'sticker': return el('div', 'bubble placeholder', '[貼圖]');
    case 'location': return locationCard(msg);
    case 'imagemap': return imagemapCard(msg);
    default: return el('div', 'bubble placeholder', `[${msg.type || '訊息'}]`);
  }
}

function withAlt(node, altText) {
  const wrap = el('div', 'rich');
  wrap.append(node);
  if (altText) {
    const alt = el('div', 'alt-text', `通知文字：${altText}`);
    wrap.append(alt);
  }
  return wrap;
}

function mentionRanges(msg) {
  const mentionees = (msg.mention && msg.mention.mentionees) || [];
  return mentionees.map((m) => [m.index, m.index + m.length]);
}

function textBubble(text, ranges) {
  const bubble = el('div', 'bubble text');
  let pos = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start < pos) continue;
    bubble.append(document.createTextNode(text.slice(pos, start)), el('span', 'mention', text.slice(start, end)));
    pos = end;
  }
  bubble.append(document.createTextNode(text.slice(pos)));
  return bubble;
}

function textV2Bubble(msg) {
  // Resolve {key} placeholders; mentions get the same highlight as in user messages.
  const subs = msg.substitution || {};
  const ranges = [];
  let out = '';
  let last = 0;
  const pattern = /\{([A-Za-z0-9_]+)\}/g;
  for (let m = pattern.exec(msg.text || ''); m; m = pattern.exec(msg.text || '')) {
    const sub = subs[m[1]];
    if (!sub) continue;
    out += msg.text.slice(last, m.index);
    const shown = substitutionText(sub);
    if (sub.type === 'mention') ranges.push([out.length, out.length + shown.length]);
    out += shown;
    last = m.index + m[0].length;
  }
  out += (msg.text || '').slice(last);
  return textBubble(out, ranges);
}

function substitutionText(sub) {
  if (sub.type !== 'mention') return '(emoji)';
  const target = sub.mentionee || {};
  if (target.type === 'all') return '@All';
  const user = usersById[target.userId];
  return `@${user ? user.display_name : '使用者'}`;
}

function imageBubble(url) {
  const img = el('img', 'bubble-image');
  img.alt = '[圖片]';
  img.src = url || '';
  img.style.maxWidth = '240px';
  img.style.borderRadius = '12px';
  return img;
}

function locationCard(msg) {
  const card = el('div', 'card location');
  card.append(el('div', 'card-title', `📍 ${msg.title || ''}`), el('div', 'card-text', msg.address || ''));
  return card;
}

function imagemapCard(msg) {
  const card = el('div', 'card imagemap');
  card.append(el('div', 'card-text', `[圖像地圖] ${msg.altText || ''}`));
  const actions = el('div', 'card-actions');
  for (const a of msg.actions || []) {
    // Imagemap actions use linkUri/text rather than action objects; map them onto the usual ones.
    const action = a.type === 'uri' ? { type: 'uri', uri: a.linkUri, label: a.label }
      : a.type === 'message' ? { type: 'message', text: a.text, label: a.label || a.text }
        : { type: 'clipboard', clipboardText: a.clipboardText, label: a.label || '複製' };
    actions.append(actionButton(action));
  }
  if (actions.childElementCount) card.append(actions);
  return card;
}

// ---- templates ----

function renderTemplate(t) {
  switch (t.type) {
    case 'buttons': return templateCard(t, t.actions, 'template-buttons', t.thumbnailImageUrl);
    case 'confirm': return templateCard({ text: t.text }, t.actions, 'template-confirm', null, true);
    case 'carousel': return carousel((t.columns || []).map(
      (c) => templateCard(c, c.actions, 'template-column', c.thumbnailImageUrl)));
    case 'image_carousel': return carousel((t.columns || []).map(imageColumn));
    default: return el('div', 'bubble placeholder', `[template ${t.type}]`);
  }
}

function templateCard(block, actions, className, imageUrl, confirm) {
  const card = el('div', `card ${className}`);
  if (imageUrl) card.append(cardImage(imageUrl));
  if (block.title) card.append(el('div', 'card-title', block.title));
  if (block.text) card.append(el('div', 'card-text', block.text));
  const row = el('div', `card-actions${confirm ? ' confirm' : ''}`);
  (actions || []).forEach((a) => row.append(actionButton(a)));
  card.append(row);
  if (block.defaultAction) makeClickable(card.querySelector('.card-text') || card, block.defaultAction);
  return card;
}

function imageColumn(column) {
  const card = el('div', 'card image-column');
  card.append(cardImage(column.imageUrl));
  const row = el('div', 'card-actions');
  if (column.action) row.append(actionButton(column.action));
  card.append(row);
  return card;
}

function cardImage(url) {
  const img = el('img', 'card-image');
  img.alt = '';
  img.src = url;
  return img;
}

function carousel(cards) {
  const box = el('div', 'carousel');
  box.append(...cards);
  return box;
}

// ---- flex ----

function renderFlexContainer(c) {
  if (c.type === 'carousel') return carousel((c.contents || []).map(flexBubble));
  return flexBubble(c);
}

function flexBubble(b) {
  const card = el('div', `card flex-bubble${b.size ? ` size-${b.size}` : ''}`);
  const styles = b.styles || {};
  for (const name of ['header', 'hero', 'body', 'footer']) {
    if (!b[name]) continue;
    const style = styles[name] || {};
    const section = el('div', `flex-section ${name}${style.separator ? ' with-separator' : ''}`);
    if (style.backgroundColor) section.style.backgroundColor = style.backgroundColor;
    const root = flexComponent(b[name], 'vertical');
    // On LINE a block's padding belongs to its root box, so the box's background fills the block.
    if (name !== 'hero') root.classList.add('flex-root');
    section.append(root);
    card.append(section);
  }
  if (b.action) makeClickable(card, b.action);
  return card;
}

function flexComponent(c, parentLayout) {
  const render = FLEX_RENDERERS[c.type] || ((x) => el('div', 'placeholder', `[${x.type}]`));
  const node = render(c, parentLayout);
  applyFlexItem(node, c, parentLayout);
  return node;
}

function applyFlexItem(node, c, parentLayout) {
  const horizontal = parentLayout !== 'vertical';
  // LINE's default: children of horizontal boxes share the width (flex 1); vertical children take their height.
  const grow = c.flex !== undefined ? c.flex : (horizontal && c.type !== 'separator' ? 1 : 0);
  node.style.flex = `${grow} ${grow ? 1 : 0} ${grow && horizontal ? '0' : 'auto'}`;
  if (c.margin) node.style[horizontal ? 'marginLeft' : 'marginTop'] = px(c.margin, SPACING);
  if (c.gravity) node.style.alignSelf = { top: 'flex-start', bottom: 'flex-end', center: 'center' }[c.gravity];
  if (c.position === 'absolute') node.style.position = 'absolute';
  for (const side of ['Top', 'Bottom', 'Start', 'End']) {
    const value = c[`offset${side}`];
    if (value) node.style[{ Start: 'left', End: 'right' }[side] || side.toLowerCase()] = px(value, SPACING);
  }
}

const FLEX_RENDERERS = {
  box: flexBox,
  text: flexText,
  span: flexSpan,
  separator: (c) => {
    const hr = el('hr', 'flex-separator');
    if (c.color) hr.style.borderColor = c.color;
    return hr;
  },
  button: (c) => {
    const btn = actionButton(c.action || {}, `flex-button style-${c.style || 'link'}${c.height ? ` height-${c.height}` : ''}`);
    if (c.color) btn.style[c.style === 'link' || !c.style ? 'color' : 'backgroundColor'] = c.color;
    return btn;
  },
  image: flexImage,
  icon: (c) => {
    const img = el('img', 'flex-icon');
    img.alt = '';
    img.src = c.url;
    if (c.size) img.style.width = img.style.height = px(c.size, FONT_SIZES);
    return img;
  },
  filler: () => el('div', 'flex-filler'),
  video: (c) => (c.altContent ? flexComponent(c.altContent, 'vertical') : el('div', 'placeholder', '[影片]')),
};

function flexBox(c) {
  const box = el('div', `flex-box layout-${c.layout || 'vertical'}`);
  const s = box.style;
  if (c.spacing) s.gap = px(c.spacing, SPACING);
  if (c.backgroundColor) s.backgroundColor = c.backgroundColor;
  if (c.borderColor) s.borderColor = c.borderColor;
  if (c.borderWidth) { s.borderStyle = 'solid'; s.borderWidth = px(c.borderWidth, { none: 0, light: 0.5, normal: 1, medium: 2, 'semi-bold': 3, bold: 4 }); }
  if (c.cornerRadius) s.borderRadius = px(c.cornerRadius, { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 });
  for (const [key, cssKey] of [['paddingAll', 'padding'], ['paddingTop', 'paddingTop'], ['paddingBottom', 'paddingBottom'],
    ['paddingStart', 'paddingLeft'], ['paddingEnd', 'paddingRight'], ['width', 'width'], ['maxWidth', 'maxWidth'],
    ['height', 'height'], ['maxHeight', 'maxHeight']]) {
    if (c[key]) s[cssKey] = px(c[key], SPACING);
  }
  if (c.justifyContent) s.justifyContent = c.justifyContent;
  if (c.alignItems) s.alignItems = c.alignItems;
  if (c.position === 'relative' || (c.contents || []).some((x) => x.position === 'absolute')) s.position = 'relative';
  for (const child of c.contents || []) box.append(flexComponent(child, c.layout || 'vertical'));
  if (c.action) makeClickable(box, c.action);
  return box;
}

function flexText(c) {
  const node = el('div', `flex-text${c.wrap ? ' wrap' : ''}`);
  if (c.contents && c.contents.length) c.contents.forEach((span) => node.append(flexSpan(span)));
  else node.textContent = c.text || '';
  node.title = node.textContent;  // unwrapped text is cut like on LINE; hover shows it whole
  styleText(node, c);
  if (c.align) node.style.textAlign = { start: 'left', end: 'right', center: 'center' }[c.align];
  if (c.maxLines) { node.style.display = '-webkit-box'; node.style.webkitLineClamp = c.maxLines; node.style.webkitBoxOrient = 'vertical'; }
  if (c.action) makeClickable(node, c.action);
  return node;
}

function flexSpan(c) {
  const span = el('span', 'flex-span', c.text || '');
  styleText(span, c);
  return span;
}

function styleText(node, c) {
  if (c.size) node.style.fontSize = px(c.size, FONT_SIZES);
  if (c.weight === 'bold') node.style.fontWeight = 'bold';
  if (c.color) node.style.color = c.color;
  if (c.style === 'italic') node.style.fontStyle = 'italic';
  if (c.decoration && c.decoration !== 'none') node.style.textDecoration = c.decoration;
}

function flexImage(c) {
  const img = el('img', 'flex-image');
  img.alt = '[圖片]';
  img.src = c.url;
  const size = c.size || 'md';
  img.style.width = size === 'full' ? '100%' : px(size, IMAGE_SIZES);
  if (c.aspectRatio) img.style.aspectRatio = c.aspectRatio.replace(':', ' / ');
  img.style.objectFit = c.aspectMode === 'fit' ? 'contain' : 'cover';
  if (c.backgroundColor) img.style.backgroundColor = c.backgroundColor;
  if (c.align) img.style.alignSelf = { start: 'flex-start', end: 'flex-end', center: 'center' }[c.align];
  if (c.action) makeClickable(img, c.action);
  return img;
}

