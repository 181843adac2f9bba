-- The case engine's tables (src/case/case.h, docs/internals/case.md): one row per case of
-- every kind, its assisting departments, and its timeline.

-- migration: 1 cases
CREATE TABLE cases (
  id                {{ID}},
  kind              TEXT NOT NULL,          -- "demand", …
  code              TEXT NOT NULL UNIQUE,   -- SQ-2024-000123
  state             TEXT NOT NULL,
  outcome           TEXT,                   -- closed: resolved | out_of_scope | withdrawn
  firm_id           BIGINT NOT NULL REFERENCES firms (id),
  channel           TEXT NOT NULL,
  category          TEXT,
  topic             TEXT,
  priority          TEXT,
  title             TEXT NOT NULL,
  body              TEXT NOT NULL,
  lang              TEXT NOT NULL,          -- the language it was filed in
  text_fold         TEXT NOT NULL,          -- folded code, title and firm names, for search
  contact_name      TEXT,
  contact_phone     TEXT,
  data              TEXT,                   -- the kind's own members (JSON object)
  filed_by          BIGINT,                 -- users.id (NULL: the system)
  owner_id          BIGINT,                 -- coordinator: whoever accepted it (first contact)
  accept_dept_id    BIGINT,
  lead_dept_id      BIGINT,
  handler_id        BIGINT,                 -- who in the lead department received it
  accepted_at       TEXT NOT NULL,
  accepted_on       TEXT NOT NULL,          -- Beijing date, for periods
  assessed_at       TEXT,
  dispatched_at     TEXT,
  response_due      TEXT,                   -- UTC instant (end of the Beijing day)
  responded_at      TEXT,
  deadline_on       TEXT,                   -- Beijing date of the deadline
  deadline_at       TEXT,                   -- UTC instant: 23:59:59.999 Beijing of that date
  replied_at        TEXT,
  reply             TEXT,
  closed_at         TEXT,
  work_days         BIGINT,                 -- working days from acceptance to close
  solved            INTEGER,
  satisfaction      BIGINT,                 -- 1..5
  evaluation        TEXT,
  reason            TEXT,                   -- the last return / rejection / reopen reason
  reopen_count      BIGINT NOT NULL DEFAULT 0,
  merged_into       BIGINT,
  ext_days          BIGINT,                 -- a pending extension request
  ext_reason        TEXT,
  ext_granted       BIGINT NOT NULL DEFAULT 0,
  reminded_at       TEXT,
  escalated_at      TEXT,
  escalated_dept_id BIGINT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_kind_state ON cases (kind, state);
CREATE INDEX cases_kind_accepted ON cases (kind, accepted_on);
CREATE INDEX cases_firm ON cases (firm_id);
CREATE INDEX cases_lead ON cases (lead_dept_id);
CREATE INDEX cases_accept_dept ON cases (accept_dept_id);
CREATE INDEX cases_deadline ON cases (kind, deadline_at);

CREATE TABLE case_assists (
  case_id  BIGINT NOT NULL REFERENCES cases (id),
  dept_id  BIGINT NOT NULL,
  PRIMARY KEY (case_id, dept_id)
);
CREATE INDEX case_assists_dept ON case_assists (dept_id);

CREATE TABLE case_events (
  id          {{ID}},
  case_id     BIGINT NOT NULL REFERENCES cases (id),
  at          TEXT NOT NULL,
  actor_id    BIGINT,
  actor       TEXT NOT NULL,
  event       TEXT NOT NULL,
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  note        TEXT,
  data        TEXT                          -- the event's members (JSON object)
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- migration: 2 the new default permissions of the built-in roles
-- Built-in roles get their default permissions when first created (src/auth/perm.c); on a
-- database made before demands existed, grant the new defaults once here (an administrator's
-- later changes are theirs). On a new database the roles do not exist yet at this point and
-- nothing is inserted; auth_roles_seed creates them with these permissions.
INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.permission FROM roles r JOIN (
  SELECT 'leader' AS role, 'demand.read' AS permission
  UNION ALL SELECT 'staff', 'demand.read' UNION ALL SELECT 'staff', 'demand.file'
  UNION ALL SELECT 'staff', 'demand.handle' UNION ALL SELECT 'staff', 'demand.evaluate'
  UNION ALL SELECT 'staff', 'firm.edit'
  UNION ALL SELECT 'commissioner', 'demand.read' UNION ALL SELECT 'commissioner', 'demand.file'
  UNION ALL SELECT 'commissioner', 'demand.evaluate' UNION ALL SELECT 'commissioner', 'firm.edit'
  UNION ALL SELECT 'station', 'demand.read' UNION ALL SELECT 'station', 'demand.file'
  UNION ALL SELECT 'firm', 'demand.read' UNION ALL SELECT 'firm', 'demand.file'
  UNION ALL SELECT 'firm', 'demand.evaluate' UNION ALL SELECT 'firm', 'firm.edit'
) p ON p.role = r.name
WHERE r.builtin = 1
ON CONFLICT (role_id, permission) DO NOTHING;

-- migration: 3 the lists' default order
-- The inbox lists a kind's cases newest first: (kind, id) serves both the filter and the
-- order, so a page of 50 reads 50 index entries instead of sorting every case of the kind.
CREATE INDEX cases_kind_id ON cases (kind, id);

-- migration: 4 sources, root causes and refusal reports
-- Where a case came from (a leader visit, a salon, Open311, …: source_kind/source_id), the
-- root cause filed when it closes (the case library: the same failure fixed once), and the
-- refusal report (否定答复报告) a supervisor must approve before a case may be refused.
ALTER TABLE cases ADD COLUMN source_kind TEXT;
ALTER TABLE cases ADD COLUMN source_id BIGINT;
ALTER TABLE cases ADD COLUMN root_cause TEXT;        -- a code of the kind's root-cause set
ALTER TABLE cases ADD COLUMN root_cause_text TEXT;
ALTER TABLE cases ADD COLUMN lesson_fold TEXT;       -- folded title, root cause and reply, for the library
ALTER TABLE cases ADD COLUMN refusal_state TEXT;     -- pending | approved | rejected
ALTER TABLE cases ADD COLUMN refusal_report TEXT;
ALTER TABLE cases ADD COLUMN refusal_by BIGINT;
ALTER TABLE cases ADD COLUMN refusal_decided_by BIGINT;
ALTER TABLE cases ADD COLUMN refusal_note TEXT;
ALTER TABLE cases ADD COLUMN level_history TEXT;     -- JSON array of the ladder steps taken
CREATE INDEX cases_source ON cases (source_kind, source_id);
CREATE INDEX cases_kind_root_cause ON cases (kind, root_cause);

-- migration: 5 the built-in roles' new default permissions (the window, commissioners, the
-- start-up package, visits, salons, financing)
-- As migration 2: granted once on a database made before these existed; on a new database the
-- roles do not exist yet here and auth_roles_seed gives them the same defaults.
INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.permission FROM roles r JOIN (
  SELECT 'leader' AS role, 'window.read' AS permission
  UNION ALL SELECT 'leader', 'window.supervise' UNION ALL SELECT 'leader', 'financing.read'
  UNION ALL SELECT 'leader', 'visit.read' UNION ALL SELECT 'leader', 'visit.write'
  UNION ALL SELECT 'staff', 'window.read' UNION ALL SELECT 'staff', 'window.handle'
  UNION ALL SELECT 'staff', 'firm.package' UNION ALL SELECT 'staff', 'financing.match'
  UNION ALL SELECT 'staff', 'financing.need' UNION ALL SELECT 'staff', 'financing.read'
  UNION ALL SELECT 'staff', 'visit.read' UNION ALL SELECT 'staff', 'visit.write'
  UNION ALL SELECT 'commissioner', 'window.read' UNION ALL SELECT 'commissioner', 'window.file'
  UNION ALL SELECT 'commissioner', 'firm.package' UNION ALL SELECT 'commissioner', 'firm.workspace'
  UNION ALL SELECT 'commissioner', 'financing.match' UNION ALL SELECT 'commissioner', 'financing.need'
  UNION ALL SELECT 'commissioner', 'financing.read' UNION ALL SELECT 'commissioner', 'visit.read'
  UNION ALL SELECT 'commissioner', 'visit.write'
  UNION ALL SELECT 'dispatcher', 'window.read' UNION ALL SELECT 'dispatcher', 'window.handle'
  UNION ALL SELECT 'dispatcher', 'window.supervise' UNION ALL SELECT 'dispatcher', 'visit.read'
  UNION ALL SELECT 'firm', 'window.read' UNION ALL SELECT 'firm', 'window.file'
  UNION ALL SELECT 'firm', 'window.evaluate' UNION ALL SELECT 'firm', 'financing.need'
  UNION ALL SELECT 'firm', 'financing.read'
) p ON p.role = r.name
WHERE r.builtin = 1
ON CONFLICT (role_id, permission) DO NOTHING;
