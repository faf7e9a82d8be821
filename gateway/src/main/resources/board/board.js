// The live board: columns from GET …/board, the live panel from …/board/history, then
// every board.<workspace> message from the Vert.x event-bus bridge moves a card and
// refreshes the board. A card opens its issue (…/board/issues/{id}): history in
// words, PRs, fix attempts, suggestions, comments. Every request shows the page's token.
(function () {
  'use strict';
  var workspace = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
  var token = new URLSearchParams(location.search).get('token') || '';
  var STATUSES = ['Backlog', 'Investigating', 'Needs Review', 'In Progress', 'In Review', 'Done'];
  var api = '/api/v1/workspaces/' + encodeURIComponent(workspace);
  var columns = document.getElementById('columns');
  var state = document.getElementById('state');
  var detail = document.getElementById('detail');
  document.getElementById('workspace').textContent = workspace;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function slug(status) { return status.toLowerCase().replace(/ /g, '-'); }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : '';
  }

  function setState(text, cls) {
    state.textContent = text;
    state.className = 'state ' + cls;
  }

  // A failed answer: the API's {"error","reason","message"} kept for the page to show.
  function get(path) {
    return fetch(api + path, { headers: { 'Authorization': 'Bearer ' + token } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) {
          var e = new Error(body.message || ('the board answered ' + r.status));
          e.status = r.status;
          e.reason = body.reason;
          throw e;
        }
        return body;
      });
    });
  }

  function fixText(fix) {
    switch (fix.status) {
      case 'awaiting_deploy': return 'Fix merged, awaiting deploy';
      case 'monitoring': return 'Fix in production, monitoring until ' + when(fix.verification_deadline);
      case 'verified': return 'Fix verified';
      case 'failed': return 'Fix failed' + (fix.failure_reason ? ': ' + fix.failure_reason : '');
      default: return 'Fix ' + fix.status;
    }
  }

  function prChip(pr) {
    var a = el(pr.url ? 'a' : 'span', 'pr ' + pr.status, '#' + pr.number + ' ' + pr.status);
    if (pr.url) {
      a.href = pr.url;
      a.target = '_blank';
      a.rel = 'noopener';
      a.addEventListener('click', function (e) { e.stopPropagation(); });
    }
    a.title = (pr.repository ? pr.repository + ' ' : '') + '#' + pr.number + ' ' + (pr.title || '') + ' (' + pr.status + ')';
    return a;
  }

  function card(issue) {
    var c = el('button', 'card' + (issue.priority === 'P0' ? ' p0' : ''));
    c.type = 'button';
    c.id = 'card-' + issue.identifier;
    c.dataset.identifier = issue.identifier;
    c.appendChild(el('div', 'id', issue.identifier));
    c.appendChild(el('div', 'title', issue.title));
    c.appendChild(el('span', 'tag ' + issue.priority, issue.priority === 'P0' ? 'P0 urgent' : issue.priority));
    (issue.labels || []).forEach(function (l) {
      c.appendChild(el('span', 'tag' + (l === 'Fix Failed' ? ' fix-failed' : ''), l));
    });
    if (issue.prs && issue.prs.length) {
      var prs = el('div', 'prs');
      issue.prs.forEach(function (pr) { prs.appendChild(prChip(pr)); });
      c.appendChild(prs);
    }
    if (issue.fix) {
      c.appendChild(el('div', 'fix ' + issue.fix.status, fixText(issue.fix)));
    }
    c.addEventListener('click', function () { open(issue.identifier); });
    return c;
  }

  function counts() {
    STATUSES.forEach(function (s) {
      var col = document.getElementById('column-' + slug(s));
      if (!col) { return; }
      var n = col.querySelectorAll('.card').length;
      col.querySelector('.count').textContent = n;
      col.querySelector('.empty').hidden = n > 0;
    });
  }

  function render(board) {
    document.getElementById('workspace-name').textContent = board.name || board.workspace;
    document.title = (board.name || board.workspace) + ' · hookyard board';
    columns.innerHTML = '';
    board.columns.forEach(function (column) {
      var col = el('section', 'column');
      col.id = 'column-' + slug(column.status);
      col.dataset.status = column.status;
      var h = el('h2', null, column.status);
      h.appendChild(el('span', 'count', '0'));
      col.appendChild(h);
      col.appendChild(el('div', 'empty', 'No issues'));
      column.issues.forEach(function (i) { col.appendChild(card(i)); });
      columns.appendChild(col);
    });
    counts();
  }

  function load() {
    return get('/board').then(render);
  }

  var reloading = null;
  function reloadSoon() {
    if (reloading) { return; }
    reloading = setTimeout(function () {
      reloading = null;
      load().catch(refused);
    }, 250);
  }

  var logged = {};
  function log(m, atEnd) {
    if (m.id !== undefined && m.id !== null) {
      if (logged[m.id]) { return; }
      logged[m.id] = true;
    }
    var li = el('li');
    li.appendChild(el('time', null, new Date(m.at || Date.now()).toLocaleTimeString()));
    li.appendChild(document.createTextNode(m.text || (m.identifier + ' ' + m.type)));
    var list = document.getElementById('log');
    if (atEnd) {
      list.appendChild(li);
    } else {
      list.insertBefore(li, list.firstChild);
    }
  }

  function apply(m) {
    if (!m.identifier) { return; }
    log(m);
    var c = document.getElementById('card-' + m.identifier);
    if (m.type === 'issue.status_changed' && c && STATUSES.indexOf(m.to) >= 0) {
      var target = document.getElementById('column-' + slug(m.to));
      target.insertBefore(c, target.querySelector('.card'));
      c.classList.add('moved');
      counts();
    }
    reloadSoon();
    if (!detail.hidden && detail.dataset.identifier === m.identifier) {
      open(m.identifier);
    }
  }

  function section(body, title, items, line) {
    body.appendChild(el('h3', null, title));
    if (!items || !items.length) {
      body.appendChild(el('p', 'none', 'None'));
      return;
    }
    var ul = el('ul');
    items.forEach(function (i) { ul.appendChild(line(i)); });
    body.appendChild(ul);
  }

  function showDetail(issue) {
    var body = document.getElementById('detail-body');
    body.innerHTML = '';
    body.appendChild(el('div', 'id', issue.identifier + ' · ' + issue.status));
    body.appendChild(el('h2', null, issue.title)).id = 'detail-title';
    var tags = el('div');
    tags.appendChild(el('span', 'tag ' + issue.priority, issue.priority));
    (issue.labels || []).forEach(function (l) { tags.appendChild(el('span', 'tag', l)); });
    if (issue.error_source) {
      tags.appendChild(el('span', 'tag', issue.error_source.source + ' ' + issue.error_source.external_id));
    }
    body.appendChild(tags);
    if (issue.description) { body.appendChild(el('p', 'description', issue.description)); }
    section(body, 'Pull requests', issue.prs, function (pr) {
      var li = el('li');
      li.appendChild(prChip(pr));
      li.appendChild(document.createTextNode(' ' + (pr.title || '') + ' — ' + (pr.strength === 'closes' ? 'closes it' : 'refers to it')
        + ', ' + pr.match_layer + ' match, ' + pr.match_confidence + '% confident'));
      return li;
    });
    section(body, 'Fix attempts', issue.fix_attempts, function (a) {
      return el('li', 'fix ' + a.verification_status, 'PR #' + a.pr_number + ': ' + fixText({
        status: a.verification_status, verification_deadline: a.verification_deadline, failure_reason: a.failure_reason }));
    });
    section(body, 'Suggestions', issue.suggestions, function (s) {
      return el('li', null, 'PR #' + s.number + ' ' + (s.title || '') + ' — similarity ' + Math.round(s.similarity * 100) + '%'
        + (s.reason ? ': ' + s.reason : ''));
    });
    section(body, 'History', issue.history, function (h) {
      var li = el('li', 'history');
      li.appendChild(el('time', null, when(h.at)));
      li.appendChild(document.createTextNode(' ' + (h.text || h.type)));
      return li;
    });
    section(body, 'Comments', issue.comments, function (c) {
      return el('li', null, c.author + ' (' + when(c.created_at) + '): ' + c.body);
    });
  }

  function open(identifier) {
    detail.dataset.identifier = identifier;
    get('/board/issues/' + encodeURIComponent(identifier)).then(function (issue) {
      showDetail(issue);
      detail.hidden = false;
      document.getElementById('detail-close').focus();
    }, refused);
  }

  function close() {
    detail.hidden = true;
    delete detail.dataset.identifier;
  }
  document.getElementById('detail-close').addEventListener('click', close);
  detail.addEventListener('click', function (e) { if (e.target === detail) { close(); } });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { close(); } });

  var TITLES = {
    missing_token: 'This board needs a token',
    invalid_token: 'This token is not valid',
    other_workspace: 'This token is for another workspace'
  };

  function refused(e) {
    if (e.status !== 401 && e.status !== 404) {
      setState(e.message, 'down');
      return;
    }
    setState(e.status === 401 ? 'no access' : 'not found', 'down');
    document.getElementById('board').hidden = true;
    document.getElementById('log-panel').hidden = true;
    var panel = document.getElementById('auth-error');
    panel.hidden = false;
    document.getElementById('auth-title').textContent = e.status === 404 ? 'No such workspace' : (TITLES[e.reason] || 'No access');
    document.getElementById('auth-message').textContent = e.message;
    document.getElementById('auth-how').textContent = 'curl -s -X POST ' + location.origin + api + '/board-tokens \\\n'
      + '  -H "Authorization: Bearer $HOOKYARD_ADMIN_TOKEN"';
    document.getElementById('auth-url').textContent = location.origin + location.pathname + '?token=<token>';
  }

  function recent() {
    return get('/board/history?limit=20').then(function (messages) {
      messages.forEach(function (m) { log(m, true); });
    });
  }

  function connect() {
    var eb = new EventBus('/eventbus?token=' + encodeURIComponent(token));
    eb.enableReconnect(true);
    eb.onopen = function () {
      setState('live', 'live');
      eb.registerHandler('board.' + workspace, { token: token }, function (err, msg) {
        if (err) {
          setState('refused: ' + (err.message || err.body || 'access denied'), 'down');
          return;
        }
        apply(msg.body);
      });
    };
    eb.onreconnect = function () { load(); };
    eb.onclose = function () { setState('reconnecting…', 'connecting'); };
  }

  load().then(recent).then(connect, refused);
})();
