// What the phone test measures on a page (tests/test_telefone_navegador.py): how wide it is,
// what sticks out of the screen outside a region that scrolls on its own, and which buttons
// are cut.
() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => {
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
    return name + ' “' + (el.innerText || el.value || '').trim().slice(0, 40) + '”';
  };
  // Inside a region that scrolls sideways on its own, overflowing is its job.
  const scrolls = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (['auto', 'scroll', 'hidden'].includes(style.overflowX) &&
          node.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const offenders = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1) && !scrolls(el)) offenders.push(describe(el));
  }
  const clipped = [];
  for (const el of document.querySelectorAll('button, a.br-button, input[type=submit], input[type=button]')) {
    const box = el.getBoundingClientRect();
    if (!box.width || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.scrollWidth > el.clientWidth + 1 || box.left < -1 || box.right > width + 1) clipped.push(describe(el));
  }
  return {width, page: document.documentElement.scrollWidth, offenders: offenders.slice(0, 8), clipped};
}
