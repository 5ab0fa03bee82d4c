// The try-it page: pick or drop a photo, post it to the API as any client would, show what comes back.
// Plain JavaScript, no framework or build step. Every value from the response is set with textContent or as an
// attribute, never parsed as HTML (a name or address is data, not markup). The key is kept in memory only.
'use strict';

(() => {
  // Relative: the page is served by the API itself, so this is the same origin (and the same base path).
  const OCR_URL = 'api/v1/ocr';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  // The API's low_confidence threshold (README, warnings): below it a confidence is shown as doubtful.
  const LOW_CONFIDENCE = 0.9;
  // Keys in the order a card prints them, with the card's own label.
  const FIELDS = [
    ['name', '姓名'],
    ['gender', '性别'],
    ['ethnicity', '民族'],
    ['dateOfBirth', '出生'],
    ['address', '住址'],
    ['idNumber', '公民身份号码'],
    ['issuingAuthority', '签发机关'],
    ['validFrom', '有效期限 (起)'],
    ['validTo', '有效期限 (止)'],
  ];
  const FRONT = FIELDS.slice(0, 6).map(([key]) => key);
  const BACK = FIELDS.slice(6).map(([key]) => key);
  const SIDE_LABEL = { front: '正面 (portrait side)', back: '背面 (national emblem side)' };
  const CROP_LABEL = { card: 'card (rectified)', portrait: 'portrait' };

  const $ = (id) => document.getElementById(id);
  let currentFile = null;
  let photoUrl = null;
  let photoReady = Promise.resolve(false);
  // Only the answer to the latest request is shown (a slow earlier one may arrive after it).
  let serial = 0;

  class ApiFailure extends Error {
    constructor(message, code, status) {
      super(message);
      this.code = code;
      this.status = status;
    }
  }

  // The seed's browser example (examples/browser.html), with the URL relative and the crop field when asked.
  async function processChineseIDCard(imageFile, apiKey, crop) {
    const formData = new FormData();
    formData.append('image', imageFile);
    formData.append('documentType', 'cn_id_card');
    if (crop) formData.append('crop', 'card,portrait');

    const response = await fetch(OCR_URL, {
      method: 'POST',
      headers: { 'Authorization': `Bearer ${apiKey}` },
      body: formData,
    });
    if (!response.ok) throw await failureOf(response);
    let body;
    try {
      body = await response.json();
    } catch (_) {
      throw new ApiFailure('The answer was not JSON.', null, response.status);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new ApiFailure('The answer was not a JSON object.', null, response.status);
    }
    return body;
  }

  // The API's {"error": {"code", "message"}}; anything else (a gateway's own page, an empty body) is described.
  async function failureOf(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      // not JSON
    }
    const detail = body && typeof body === 'object' ? body.error : null;
    if (detail && typeof detail.message === 'string') {
      return new ApiFailure(detail.message, typeof detail.code === 'string' ? detail.code : null, response.status);
    }
    const status = `${response.status} ${response.statusText || ''}`.trim();
    return new ApiFailure(`The server answered ${status} without an error message.`, null, response.status);
  }

  function keyFromFragment() {
    // #key=sk_live_...: a fragment never leaves the browser, so the key reaches neither the server nor its logs.
    return new URLSearchParams(window.location.hash.slice(1)).get('key') || '';
  }

  function applyFragmentKey() {
    const key = keyFromFragment();
    if (key) {
      $('key').value = key;
      $('key-source').textContent = 'from the link (#key=…)';
    } else if (!$('key').value) {
      $('key-source').textContent = 'paste one (cnid-ocr keys create, or the key cnid-ocr serve printed)';
    }
  }

  function setState(state) {
    document.body.dataset.state = state;
  }

  function setStatus(text) {
    $('status').textContent = text;
  }

  function showError(error) {
    // Not an ApiFailure: fetch's TypeError, no answer at all (server down, connection refused, a key a header
    // cannot carry).
    const answered = error instanceof ApiFailure;
    const failure = answered ? error : new ApiFailure(`The request failed: ${error.message}`, null, 0);
    $('error-title').textContent = failure.status ? 'The API answered:' : answered ? 'Failed:' : 'No answer:';
    $('error-message').textContent = failure.message;
    const code = [failure.status || '', failure.code || ''].filter(Boolean).join(' ');
    $('error-code').textContent = code;
    $('error').hidden = false;
  }

  function hideError() {
    $('error').hidden = true;
    $('error-message').textContent = '';
    $('error-code').textContent = '';
  }

  function el(tag, attributes = {}, text = null) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== null) node.textContent = text;
    return node;
  }

  function svg(tag, attributes = {}, text = null) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== null) node.textContent = text;
    return node;
  }

  function showPhoto(file) {
    if (photoUrl) URL.revokeObjectURL(photoUrl);
    photoUrl = URL.createObjectURL(file); // blob: stays in this page's memory; nothing is written anywhere
    const img = $('photo');
    $('outlines').replaceChildren();
    $('figure').hidden = true;
    img.src = photoUrl;
    photoReady = img.decode().then(
      () => true,
      () => false,
    );
  }

  function clearAnswer() {
    for (const id of ['summary', 'cards', 'page-warnings', 'crops', 'json']) $(id).replaceChildren();
    $('caption').textContent = '';
    $('result').hidden = true;
  }

  async function read(file) {
    const mine = ++serial;
    currentFile = file;
    $('again').disabled = false;
    hideError();
    clearAnswer();
    showPhoto(file);
    setState('busy');
    setStatus(`Reading ${file.name || 'the photo'} (${Math.max(1, Math.round(file.size / 1024))} KB)…`);
    const started = performance.now();
    let body;
    try {
      body = await processChineseIDCard(file, $('key').value.trim(), $('crop').checked);
    } catch (error) {
      if (mine !== serial) return;
      setStatus('');
      showError(error);
      setState('error');
      return;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const shown = await photoReady;
    if (mine !== serial) return;
    try {
      render(body, shown);
    } catch (error) {
      // An answer of a shape this page does not know: said, rather than left half drawn and "busy".
      clearAnswer();
      setStatus('');
      showError(new ApiFailure(`The page could not show the answer: ${error.message}`, null, 0));
      setState('error');
      return;
    }
    setStatus(`Read in ${seconds} s.`);
    setState('done');
  }

  function cardsOf(body) {
    if (Array.isArray(body.cards) && body.cards.length) return body.cards;
    // No per-card list: the top-level keys as one card without an outline.
    const fields = {};
    for (const [key] of FIELDS) if (key in body) fields[key] = body[key];
    const sides = Array.isArray(body.sides) ? body.sides : [];
    return [
      {
        side: sides.join(' + ') || 'card',
        corners: null,
        fields,
        confidence: body.confidence || {},
        warnings: body.warnings || [],
      },
    ];
  }

  function render(body, photoShown) {
    const cards = cardsOf(body);
    $('result').hidden = false;
    const sides = Array.isArray(body.sides) ? body.sides.join(', ') : '';
    $('summary').textContent = `sides: ${sides || 'none'} · ${cards.length} card${cards.length === 1 ? '' : 's'} · requestId ${body.requestId || '-'}`;
    if (photoShown) drawOutlines(cards);
    else $('summary').append(el('p', { class: 'hint' }, 'This browser cannot show the photo: no outline drawn.'));
    cards.forEach((card, index) => $('cards').append(cardSection(card, index)));
    pageWarnings(body, cards);
    // The top-level images are the first card's; shown on their own only when no card carries its own.
    if (!cards.some((card) => hasImages(card.images)) && hasImages(body.images)) {
      $('crops').append(el('h3', {}, 'Crops'), crops(body.images));
    }
    $('json').textContent = JSON.stringify(body, abbreviate, 2);
  }

  function validCorners(corners) {
    return (
      Array.isArray(corners) &&
      corners.length === 4 &&
      corners.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v)))
    );
  }

  // The corners are in the image's pixels after its EXIF orientation; so are naturalWidth/naturalHeight of an
  // <img> drawn with image-orientation: from-image. A viewBox of that size over the photo puts them in place.
  function drawOutlines(cards) {
    const img = $('photo');
    const layer = $('outlines');
    const width = img.naturalWidth;
    const height = img.naturalHeight;
    layer.setAttribute('viewBox', `0 0 ${width} ${height}`);
    layer.setAttribute('preserveAspectRatio', 'none');
    layer.replaceChildren();
    const fontSize = Math.max(14, Math.round(Math.max(width, height) / 32));
    const notes = [];
    cards.forEach((card, index) => {
      const name = `${index + 1} ${card.side}`;
      if (!validCorners(card.corners)) {
        notes.push(`card ${name}: no outline (corners: null)`);
        return;
      }
      const group = svg('g', { class: `c${index % 4}`, 'data-card': index });
      group.append(svg('polygon', { points: card.corners.map(([x, y]) => `${x},${y}`).join(' ') }));
      const [x, y] = card.corners[0];
      const above = y - fontSize * 0.35;
      group.append(svg('text', { x, y: above > fontSize ? above : y + fontSize * 1.1, 'font-size': fontSize }, name));
      layer.append(group);
    });
    $('figure').hidden = false;
    notes.unshift(`Outlines from cards[].corners, in the image's pixels (${width} × ${height}).`);
    $('caption').textContent = notes.join(' ');
  }

  function percent(value) {
    return typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '';
  }

  function cardSection(card, index) {
    const section = el('section', { class: `card c${index % 4}`, 'data-card': index, 'data-side': card.side });
    const title = el('h2', {}, `Card ${index + 1} · ${card.side}`);
    if (SIDE_LABEL[card.side]) title.append(el('span', { class: 'hint' }, SIDE_LABEL[card.side]));
    if (!validCorners(card.corners)) title.append(el('span', { class: 'hint' }, '(no outline)'));
    section.append(title);

    const fields = card.fields && typeof card.fields === 'object' ? card.fields : {};
    const known = FIELDS.map(([key]) => key);
    let keys = known.filter((key) => key in fields);
    if (!keys.length) keys = card.side === 'back' ? BACK : FRONT;
    keys = keys.concat(Object.keys(fields).filter((key) => !known.includes(key)));
    const labels = Object.fromEntries(FIELDS);
    const confidence = card.confidence || {};
    const rows = el('tbody');
    for (const key of keys) {
      const value = fields[key];
      const row = el('tr', { 'data-field': key });
      const head = el('th', {}, labels[key] ? `${labels[key]} ` : '');
      head.append(el('code', {}, key));
      row.append(head);
      const missing = value === null || value === undefined || value === '';
      row.append(el('td', { class: missing ? 'value missing' : 'value' }, missing ? '—' : String(value)));
      const c = confidence[key];
      const low = typeof c === 'number' && c < LOW_CONFIDENCE;
      row.append(el('td', { class: low ? 'conf low' : 'conf', title: 'confidence' }, percent(c)));
      rows.append(row);
    }
    const table = el('table', { class: 'fields' });
    table.append(rows);
    section.append(table);

    if (Array.isArray(card.warnings) && card.warnings.length) {
      section.append(el('h3', {}, 'Warnings'), warningList(card.warnings));
    }
    if (hasImages(card.images)) section.append(el('h3', {}, 'Crops'), crops(card.images));
    return section;
  }

  function warningList(warnings) {
    const list = el('ul', { class: 'warnings' });
    for (const warning of warnings) {
      const item = el('li', { 'data-code': warning.code || '' });
      item.append(el('code', {}, warning.code || '?'));
      if (warning.field) item.append(` (${warning.field})`);
      item.append(`: ${warning.message || ''}`);
      list.append(item);
    }
    return list;
  }

  function warningKey(warning) {
    return `${warning.code}|${warning.field}|${warning.message}`;
  }

  // Top-level warnings that no card shows already (e.g. multiple_cards, which is about the image).
  function pageWarnings(body, cards) {
    const shown = new Set();
    for (const card of cards) for (const warning of card.warnings || []) shown.add(warningKey(warning));
    const rest = (Array.isArray(body.warnings) ? body.warnings : []).filter((w) => !shown.has(warningKey(w)));
    if (rest.length) $('page-warnings').append(el('h3', {}, 'Warnings about the image'), warningList(rest));
  }

  const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

  function hasImages(images) {
    return Boolean(images) && typeof images === 'object' && Object.values(images).some((v) => typeof v === 'string' && v);
  }

  function crops(images) {
    const box = el('div', { class: 'crops' });
    const names = Object.keys(images).sort((a, b) => rank(a) - rank(b));
    for (const name of names) {
      const data = images[name];
      if (typeof data !== 'string' || !data) continue;
      const figure = el('figure', { 'data-crop': name });
      if (BASE64.test(data)) {
        figure.append(el('img', { src: `data:image/jpeg;base64,${data}`, alt: `${name} crop`, class: 'crop' }));
      } else {
        figure.append(el('span', { class: 'hint' }, 'not base64'));
      }
      figure.append(el('figcaption', {}, CROP_LABEL[name] || name));
      box.append(figure);
    }
    return box;
  }

  function rank(name) {
    const order = ['card', 'portrait'].indexOf(name);
    return order < 0 ? 99 : order;
  }

  // The raw answer, for whoever writes a client; base64 images abbreviated to their size.
  function abbreviate(key, value) {
    if (typeof value === 'string' && value.length > 120 && BASE64.test(value)) {
      return `<base64 JPEG, ${Math.round((value.length * 3) / 4 / 1024)} KB>`;
    }
    return value;
  }

  function start() {
    applyFragmentKey();
    window.addEventListener('hashchange', applyFragmentKey);
    $('key').addEventListener('input', () => {
      $('key-source').textContent = '';
    });
    $('file').addEventListener('change', (event) => {
      const file = event.target.files[0];
      if (file) read(file);
    });
    // Ticking the crop box (or a new key) asks again for the same photo.
    $('crop').addEventListener('change', () => {
      if (currentFile) read(currentFile);
    });
    $('again').addEventListener('click', () => {
      if (currentFile) read(currentFile);
    });
    const drop = $('drop');
    for (const type of ['dragenter', 'dragover']) {
      drop.addEventListener(type, (event) => {
        event.preventDefault();
        drop.classList.add('over');
      });
    }
    for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('over'));
    // A file dropped anywhere is read (instead of the browser navigating away to show it).
    window.addEventListener('dragover', (event) => event.preventDefault());
    window.addEventListener('drop', (event) => {
      event.preventDefault();
      const file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) read(file);
    });
    setState('ready');
  }

  start();
})();
