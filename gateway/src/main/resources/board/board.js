// The live board: columns from GET …/board, then every board.<workspace> message from
// the Vert.x event-bus bridge moves or refreshes cards.
(function () {
  'use strict';
  var workspace = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
  var token = new URLSearchParams(location.search).get('token') || '';
  var STATUSES = ['Backlog', 'Investigating', 'Needs Review', 'In Progress', 'In Review', 'Done'];
  var columns = document.getElementById('columns');
  var state = document.getElementById('state');
  document.getElementById('workspace').textContent = workspace;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function slug(status) { return status.toLowerCase().replace(/ /g, '-'); }

  function card(issue) {
    var c = el('div', 'card');
    c.id = 'card-' + issue.identifier;
    c.dataset.identifier = issue.identifier;
    c.appendChild(el('div', 'id', issue.identifier));
    c.appendChild(el('div', 'title', issue.title));
    c.appendChild(el('span', 'tag ' + issue.priority, issue.priority));
    (issue.labels || []).forEach(function (l) {
      c.appendChild(el('span', 'tag' + (l === 'Fix Failed' ? ' fix-failed' : ''), l));
    });
    return c;
  }

  function counts() {
    STATUSES.forEach(function (s) {
      var col = document.getElementById('column-' + slug(s));
      col.querySelector('.count').textContent = col.querySelectorAll('.card').length;
    });
  }

  function render(board) {
    columns.innerHTML = '';
    board.columns.forEach(function (column) {
      var col = el('section', 'column');
      col.id = 'column-' + slug(column.status);
      col.dataset.status = column.status;
      var h = el('h2', null, column.status);
      h.appendChild(el('span', 'count', '0'));
      col.appendChild(h);
      column.issues.forEach(function (i) { col.appendChild(card(i)); });
      columns.appendChild(col);
    });
    counts();
  }

  function load() {
    return fetch('/api/v1/workspaces/' + encodeURIComponent(workspace) + '/board', {
      headers: { 'Authorization': 'Bearer ' + token }
    }).then(function (r) {
      if (!r.ok) { throw new Error('board answered ' + r.status); }
      return r.json();
    }).then(render);
  }

  function log(m) {
    var li = el('li', null, new Date(m.at || Date.now()).toLocaleTimeString() + '  ' + m.identifier + '  ' + m.type
      + (m.from || m.to ? '  ' + (m.from || '–') + ' → ' + (m.to || '–') : '') + (m.pr_number ? '  (PR #' + m.pr_number + ')' : ''));
    var list = document.getElementById('log');
    list.insertBefore(li, list.firstChild);
  }

  function apply(m) {
    log(m);
    var c = document.getElementById('card-' + m.identifier);
    if (m.type === 'issue.status_changed' && c && STATUSES.indexOf(m.to) >= 0) {
      var target = document.getElementById('column-' + slug(m.to));
      target.insertBefore(c, target.children[1] || null);
      c.classList.add('moved');
      setTimeout(function () { c.classList.remove('moved'); }, 1500);
      counts();
    } else if (m.type !== 'issue.pr_linked' && m.type !== 'issue.suggested' && m.type !== 'issue.commented') {
      load();
    }
  }

  function connect() {
    var eb = new EventBus('/eventbus?token=' + encodeURIComponent(token));
    eb.enableReconnect(true);
    eb.onopen = function () {
      state.textContent = 'live';
      state.className = 'state live';
      eb.registerHandler('board.' + workspace, { token: token }, function (err, msg) {
        if (err) {
          state.textContent = 'refused: ' + (err.message || err.body || 'access denied');
          state.className = 'state down';
          return;
        }
        apply(msg.body);
      });
    };
    eb.onreconnect = function () { load(); };
    eb.onclose = function () {
      state.textContent = 'reconnecting…';
      state.className = 'state connecting';
    };
  }

  load().then(connect, function (e) {
    state.textContent = e.message;
    state.className = 'state down';
  });
})();
