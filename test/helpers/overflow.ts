/** Elements wider than their box: the document, every card, and tables that stick out of their card. */
export const OVERFLOW_PROBE = `(() => {
  const out = [];
  const de = document.documentElement;
  if (de.scrollWidth > de.clientWidth + 1) out.push('document: ' + de.scrollWidth + ' > ' + de.clientWidth);
  const name = (el) => (el.getAttribute('data-testid') || el.querySelector('h2,h3')?.textContent || el.className || el.tagName).toString().slice(0, 60);
  for (const el of document.querySelectorAll('.panel, .panel-body, section, article')) {
    if (el.offsetParent === null) continue;
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible') out.push('card ' + name(el) + ': ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
  for (const t of document.querySelectorAll('table, .recharts-wrapper, select, input')) {
    if (t.offsetParent === null) continue;
    const card = t.closest('.panel, section, article');
    if (!card) continue;
    // Inside a horizontally scrolling box within the card, a wide table scrolls rather than overflows.
    let scrolls = false;
    for (let p = t.parentElement; p && p !== card; p = p.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) { scrolls = true; break; }
    }
    if (scrolls) continue;
    const a = t.getBoundingClientRect();
    const b = card.getBoundingClientRect();
    if (a.right > b.right + 1 || a.left < b.left - 1) out.push(t.tagName.toLowerCase() + ' in ' + name(card) + ': ' + Math.round(a.left) + '..' + Math.round(a.right) + ' outside ' + Math.round(b.left) + '..' + Math.round(b.right));
  }
  return out;
})()`;

/** Selects whose chosen option's text is wider than the box shows (the truncated Mode dropdown). */
export const CLIPPED_SELECTS = `(() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const out = [];
  for (const el of document.querySelectorAll('select')) {
    if (el.offsetParent === null || el.selectedIndex < 0) continue;
    const cs = getComputedStyle(el);
    ctx.font = cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily;
    const text = el.options[el.selectedIndex].text;
    const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 18;
    if (ctx.measureText(text).width > room + 1) out.push((el.getAttribute('data-testid') || el.getAttribute('aria-label') || 'select') + ': "' + text + '"');
  }
  return out;
})()`;
