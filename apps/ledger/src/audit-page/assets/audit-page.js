// The audit page: plain DOM, no framework. Every value the API returns is hostile input, so it reaches the page
// through textContent and setAttribute only, never as markup. The key lives in this tab's sessionStorage and
// travels only in the Authorization header.
'use strict';

(() => {
  const KEY_STORAGE = 'assignment-ledger.audit.key';
  const SVG = 'http://www.w3.org/2000/svg';
  const TRAIL_PAGE = 1000;
  // A unit with more history than this is shown in part, with a note, rather than hanging the tab.
  const MAX_TRAIL_PAGES = 20;

  const byId = (id) => document.getElementById(id);

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  function svgElement(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  // --- the key, kept for this tab only -------------------------------------------------------------------

  const storedKey = () => sessionStorage.getItem(KEY_STORAGE) ?? '';

  function showKeyState() {
    byId('key-state').textContent = storedKey() ? 'key set: kept for this tab only' : 'no key: kept for this tab only';
  }

  // --- the API ------------------------------------------------------------------------------------------

  class ApiError extends Error {}

  async function api(path) {
    const headers = { accept: 'application/json' };
    const key = storedKey();
    if (key) headers.authorization = `Bearer ${key}`;
    let response;
    try {
      response = await fetch(path, { headers, credentials: 'omit', cache: 'no-store' });
    } catch {
      throw new ApiError('the ledger did not answer');
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(`${response.status}: the answer was not JSON`);
    }
    if (!response.ok) {
      const message = typeof body?.error?.message === 'string' ? body.error.message : 'request failed';
      throw new ApiError(`${response.status}: ${message}`);
    }
    return body;
  }

  const segment = (text) => encodeURIComponent(text);

  function setStatus(text, kind = 'info') {
    const status = byId('status');
    status.textContent = text;
    status.className = kind;
  }

  // Only the latest lookup of each kind may draw: an older answer arriving late is dropped.
  const latest = { unit: 0, experiment: 0 };

  async function run(kind, task) {
    const ticket = ++latest[kind];
    setStatus('loading…');
    try {
      await task(() => ticket === latest[kind]);
      if (ticket === latest[kind]) setStatus('');
    } catch (error) {
      if (ticket !== latest[kind]) return;
      setStatus(error instanceof ApiError ? error.message : `unexpected: ${error?.message ?? error}`, 'error');
    }
  }

  // --- a unit's timeline --------------------------------------------------------------------------------

  async function fetchTrail(key) {
    const entries = [];
    let cursor = null;
    for (let page = 0; page < MAX_TRAIL_PAGES; page++) {
      const query = new URLSearchParams({ limit: String(TRAIL_PAGE) });
      if (cursor) query.set('cursor', cursor);
      const answer = await api(`/v1/audit/${segment(key)}?${query}`);
      entries.push(...answer.entries);
      cursor = answer.nextCursor;
      if (!cursor) return { entries, complete: true };
    }
    return { entries, complete: false };
  }

  const ERASURE_GROUP = '(erasure)';

  function groupedByExperiment(entries) {
    const groups = new Map();
    for (const entry of entries) {
      const name = entry.type === 'UnitErased' ? ERASURE_GROUP : String(entry.experiment);
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push(entry);
    }
    return groups;
  }

  function entryGroup(entry) {
    if (entry.type === 'StickyValueSaved') return entry.outcome === 'superseded' ? `${entry.groupName ?? '—'} (kept ${entry.supersededBy?.groupName ?? '—'})` : (entry.groupName ?? '—');
    if (entry.type === 'StickyValueDeleted') return entry.removed ? `${entry.removed.groupName ?? '—'} removed` : 'nothing held';
    return `${entry.erasedEntries} entries, values of ${entry.removedValues.length ? entry.removedValues.join(', ') : 'none'}`;
  }

  function entryDetail(entry) {
    if (entry.type === 'StickyValueDeleted') return `reason ${entry.deleteReason}`;
    if (entry.type === 'StickyValueSaved') return entry.evaluated ? `rule ${entry.ruleId ?? '—'}` : 'saved by an SDK';
    return '';
  }

  function timelineTable(entries) {
    const head = element('thead', {}, element('tr', {}, ...['time', 'outcome', 'group', 'version', 'detail', 'cause', 'request id'].map((label) => element('th', { scope: 'col' }, label))));
    const body = element('tbody');
    for (const entry of entries) {
      const version = entry.type === 'StickyValueSaved' && entry.experimentVersion !== null ? `v${entry.experimentVersion}` : '—';
      body.append(
        element(
          'tr',
          { 'data-event-id': entry.eventId },
          element('td', {}, element('time', { datetime: entry.at }, entry.at)),
          element('td', {}, element('span', { class: `badge ${badgeClass(entry.outcome)}` }, entry.outcome)),
          element('td', {}, entryGroup(entry)),
          element('td', {}, version),
          element('td', {}, entryDetail(entry)),
          element('td', {}, entry.cause?.source ?? '—'),
          element('td', { class: 'mono' }, entry.cause?.requestId ?? '—'),
        ),
      );
    }
    return element('table', { class: 'timeline' }, head, body);
  }

  // Badges by a fixed list: a class name is never taken from the data.
  const badgeClass = (outcome) => ({ saved: 'saved', superseded: 'superseded', deleted: 'deleted', absent: 'absent', erased: 'erased' })[outcome] ?? 'other';

  async function showUnit(key, isCurrent) {
    const { entries, complete } = await fetchTrail(key);
    const groups = groupedByExperiment(entries);
    const experiments = [...groups.keys()].filter((name) => name !== ERASURE_GROUP);
    // Every explanation at once; one failing is shown in its place and does not hide the timeline.
    const explanations = await Promise.all(experiments.map((name) => api(`/v1/audit/${segment(key)}/${segment(name)}/explain`).catch((error) => ({ failed: error }))));
    if (!isCurrent()) return;
    const explained = new Map(experiments.map((name, index) => [name, explanations[index]]));

    const result = byId('unit-result');
    result.replaceChildren();
    result.append(element('h3', {}, key));
    if (entries.length === 0) {
      result.append(element('p', { class: 'muted' }, 'No history for this unit.'));
      return;
    }
    if (!complete) result.append(element('p', { class: 'note' }, `Showing the first ${entries.length} entries only.`));
    for (const [name, experimentEntries] of groups) {
      const section = element('article', { class: 'experiment-trail', 'data-experiment': name });
      section.append(element('h4', {}, name === ERASURE_GROUP ? 'Erasure' : name));
      const explanation = explained.get(name);
      if (explanation?.failed) section.append(element('p', { class: 'error' }, explanation.failed.message));
      else if (explanation) section.append(element('p', { class: 'explanation' }, explanation.explanation));
      section.append(timelineTable(experimentEntries));
      result.append(section);
    }
  }

  // --- an experiment's distribution ---------------------------------------------------------------------

  const CHART = { width: 600, barHeight: 26, gap: 8, labelWidth: 200, countWidth: 60 };

  // A long group name would run off the chart; the bar's and label's titles carry it whole.
  const shortened = (text, length) => ([...text].length > length ? `${[...text].slice(0, length - 1).join('')}…` : text);

  function groupChart(groups) {
    const height = Math.max(1, groups.length) * (CHART.barHeight + CHART.gap);
    const svg = svgElement('svg', { class: 'group-chart', viewBox: `0 0 ${CHART.width} ${height}`, width: CHART.width, height, role: 'img', 'aria-label': 'units per group' });
    svg.append(svgElement('title', {}, 'Sticky units per group'));
    const most = Math.max(1, ...groups.map((group) => group.units));
    const barSpace = CHART.width - CHART.labelWidth - CHART.countWidth;
    groups.forEach((group, index) => {
      const y = index * (CHART.barHeight + CHART.gap);
      const width = Math.max(1, Math.round((group.units / most) * barSpace));
      const label = svgElement('text', { x: CHART.labelWidth - 8, y: y + CHART.barHeight * 0.7, 'text-anchor': 'end', class: 'label' }, shortened(group.group, 22));
      label.append(svgElement('title', {}, group.group));
      svg.append(label);
      const bar = svgElement('rect', { x: CHART.labelWidth, y, width, height: CHART.barHeight, class: `bar bar-${index % 6}`, 'data-group': group.group, 'data-units': group.units });
      bar.append(svgElement('title', {}, `${group.group}: ${group.units}`));
      svg.append(bar);
      svg.append(svgElement('text', { x: CHART.labelWidth + width + 6, y: y + CHART.barHeight * 0.7, class: 'count' }, group.units));
    });
    return svg;
  }

  function dayBars(saves, deletes, most) {
    const width = 200;
    const svg = svgElement('svg', { class: 'day-bars', viewBox: `0 0 ${width} 16`, width, height: 16, 'aria-hidden': 'true' });
    svg.append(svgElement('rect', { x: 0, y: 1, height: 6, width: Math.round((saves / most) * width), class: 'saves' }));
    svg.append(svgElement('rect', { x: 0, y: 9, height: 6, width: Math.round((deletes / most) * width), class: 'deletes' }));
    return svg;
  }

  function daysTable(days) {
    const most = Math.max(1, ...days.flatMap((day) => [day.saves, day.deletes]));
    const head = element('thead', {}, element('tr', {}, ...['day', 'saves', 'deletes', ''].map((label) => element('th', { scope: 'col' }, label))));
    const body = element('tbody');
    for (const day of days) {
      body.append(
        element(
          'tr',
          {},
          element('td', {}, day.day),
          element('td', { class: 'number' }, day.saves),
          element('td', { class: 'number' }, day.deletes),
          element('td', {}, dayBars(day.saves, day.deletes, most)),
        ),
      );
    }
    return element('table', { class: 'days' }, head, body);
  }

  async function showExperiment(name, isCurrent) {
    const answer = await api(`/v1/experiments/${segment(name)}/assignments`);
    if (!isCurrent()) return;
    const result = byId('experiment-result');
    result.replaceChildren();
    result.append(element('h3', {}, answer.experiment));
    const total = answer.groups.reduce((sum, group) => sum + group.units, 0);
    result.append(element('p', { class: 'muted' }, `${total} sticky ${total === 1 ? 'unit' : 'units'}`));
    if (answer.groups.length > 0) result.append(groupChart(answer.groups));
    result.append(element('h4', {}, 'Saves and deletes per day'));
    result.append(answer.days.length > 0 ? daysTable(answer.days) : element('p', { class: 'muted' }, 'None yet.'));
  }

  // The list needs the scope `evaluate`; a key with only `audit:read` can still type a name.
  async function loadExperimentNames() {
    const list = byId('experiment-names');
    const state = byId('experiment-list-state');
    list.replaceChildren();
    state.textContent = '';
    if (!storedKey()) return;
    try {
      let cursor = null;
      let count = 0;
      do {
        const query = new URLSearchParams({ limit: '500' });
        if (cursor) query.set('cursor', cursor);
        const page = await api(`/v1/experiments?${query}`);
        for (const experiment of page.experiments) list.append(element('option', { value: experiment.name }));
        count += page.experiments.length;
        cursor = page.nextCursor;
      } while (cursor && count < 5000);
      state.textContent = `${count} to pick from`;
    } catch (error) {
      state.textContent = `no list (${error.message})`;
    }
  }

  // --- wiring -------------------------------------------------------------------------------------------

  function onSubmit(id, handler) {
    byId(id).addEventListener('submit', (event) => {
      event.preventDefault();
      handler();
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    showKeyState();
    void loadExperimentNames();
    onSubmit('key-form', () => {
      const input = byId('api-key');
      const key = input.value.trim();
      input.value = '';
      if (key) sessionStorage.setItem(KEY_STORAGE, key);
      showKeyState();
      void loadExperimentNames();
    });
    byId('forget-key').addEventListener('click', () => {
      sessionStorage.removeItem(KEY_STORAGE);
      showKeyState();
      void loadExperimentNames();
    });
    onSubmit('unit-form', () => {
      const key = byId('unit-key').value.trim();
      if (key) void run('unit', (isCurrent) => showUnit(key, isCurrent));
    });
    onSubmit('experiment-form', () => {
      const name = byId('experiment-name').value.trim();
      if (name) void run('experiment', (isCurrent) => showExperiment(name, isCurrent));
    });
  });
})();
