-- Platform services shared by every module: settings, jobs, files, counters, the audit
-- trail. DDL tokens ({{ID}}, {{BLOB}}) are expanded per backend by src/db/migrate.c.

-- migration: 1 platform services
CREATE TABLE settings (
  name        TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  updated_by  BIGINT
);

CREATE TABLE counters (
  name    TEXT NOT NULL,
  period  TEXT NOT NULL,
  value   BIGINT NOT NULL,
  PRIMARY KEY (name, period)
);

CREATE TABLE jobs (
  id           {{ID}},
  kind         TEXT NOT NULL,
  period       TEXT,                       -- periodic jobs: unique per (kind, period)
  state        TEXT NOT NULL,              -- queued | running | done | failed
  payload      TEXT NOT NULL DEFAULT '{}', -- JSON
  result       TEXT,                       -- JSON
  error        TEXT,
  percent      BIGINT NOT NULL DEFAULT 0,
  attempts     BIGINT NOT NULL DEFAULT 0,
  owner        TEXT,                       -- worker that holds the lease
  lease_until  BIGINT,                     -- unix seconds
  created_by   BIGINT,
  created_at   TEXT NOT NULL,
  started_at   TEXT,
  finished_at  TEXT,
  updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX jobs_kind_period ON jobs (kind, period);
CREATE INDEX jobs_state ON jobs (state, id);

CREATE TABLE files (
  id          {{ID}},
  name        TEXT NOT NULL,
  media_type  TEXT NOT NULL,
  size        BIGINT NOT NULL,
  sha256      TEXT NOT NULL,
  content     {{BLOB}} NOT NULL,
  created_by  BIGINT,
  firm_id     BIGINT,                     -- owning firm, for firm-scoped reads
  created_at  TEXT NOT NULL
);

CREATE TABLE audit_head (
  id    BIGINT PRIMARY KEY,               -- always 1
  seq   BIGINT NOT NULL,                  -- last seq written
  hash  TEXT NOT NULL                     -- hash of that row (64 zeros before the first)
);
INSERT INTO audit_head (id, seq, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit (
  seq         BIGINT PRIMARY KEY,
  at          TEXT NOT NULL,
  actor_id    BIGINT,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  entity      TEXT NOT NULL,
  entity_id   TEXT,
  before      TEXT,
  after       TEXT,
  request_id  TEXT,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit (entity, entity_id);
CREATE INDEX audit_actor ON audit (actor_id, seq);

-- migration: 2 platform lookup indexes
-- GET /api/v1/jobs for a non-admin lists its own jobs; files are scoped by firm.
CREATE INDEX jobs_created_by ON jobs (created_by, id);
CREATE INDEX files_firm ON files (firm_id, id);
