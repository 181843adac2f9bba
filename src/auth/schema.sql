-- Users, departments, roles and permissions, sessions, API tokens, login throttling.

-- migration: 1 auth
CREATE TABLE departments (
  id          {{ID}},
  parent_id   BIGINT REFERENCES departments (id),
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  name_ru     TEXT,
  name_en     TEXT,
  path        TEXT NOT NULL,            -- "/1/4/9/": ids from the root, for subtree scopes
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX departments_path ON departments (path);

CREATE TABLE roles (
  id          {{ID}},
  name        TEXT NOT NULL UNIQUE,
  title_zh    TEXT NOT NULL,
  title_ru    TEXT NOT NULL,
  title_en    TEXT NOT NULL,
  builtin     INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  version     BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE role_permissions (
  role_id     BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission  TEXT NOT NULL,
  PRIMARY KEY (role_id, permission)
);

CREATE TABLE users (
  id             {{ID}},
  username       TEXT NOT NULL UNIQUE,
  display_name   TEXT NOT NULL,
  password_hash  TEXT NOT NULL,
  department_id  BIGINT REFERENCES departments (id),
  firm_id        BIGINT REFERENCES firms (id),
  scope          TEXT NOT NULL,          -- all | dept_tree | own_firms | own_firm
  disabled       INTEGER NOT NULL DEFAULT 0,
  lang           TEXT NOT NULL DEFAULT 'zh',
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  password_changed_at TEXT NOT NULL,
  version        BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE user_roles (
  user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id  BIGINT NOT NULL REFERENCES roles (id),
  PRIMARY KEY (user_id, role_id)
);

CREATE TABLE sessions (
  id_hash     TEXT PRIMARY KEY,          -- SHA-256 of the cookie value, hex
  user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf        TEXT NOT NULL,
  created_at  BIGINT NOT NULL,           -- unix seconds
  expires_at  BIGINT NOT NULL,           -- absolute expiry
  last_seen   BIGINT NOT NULL,           -- idle timeout counts from here
  addr        TEXT,
  user_agent  TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE tokens (
  id            {{ID}},
  user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  prefix        TEXT NOT NULL,           -- first characters of the secret, to recognise it
  hash          TEXT NOT NULL UNIQUE,    -- SHA-256 of the secret, hex
  permissions   TEXT NOT NULL,           -- JSON array, a subset of the user's
  expires_at    BIGINT,                  -- unix seconds, NULL = no expiry
  revoked_at    TEXT,
  created_at    TEXT NOT NULL,
  last_used_at  BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE login_throttle (
  key           TEXT PRIMARY KEY,        -- "u:<username>" or "a:<address>"
  window_start  BIGINT NOT NULL,
  failures      BIGINT NOT NULL
);

-- migration: 2 folded search text for users
-- The user name and display name folded in C (NFKC + case fold), so that Cyrillic and Latin
-- search alike on both backends (DESIGN.md §6); filled by every write of users.c.
ALTER TABLE users ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';
