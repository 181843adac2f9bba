-- The firm registry (minimal from the foundation on: users, tokens and data scopes refer to
-- firms; the enterprise-services work extends it).

-- migration: 1 firms
CREATE TABLE firms (
  id               {{ID}},
  credit_code      TEXT NOT NULL UNIQUE,   -- 统一社会信用代码, GB 32100-2015, checked in C
  name_zh          TEXT NOT NULL,
  name_ru          TEXT,
  name_en          TEXT,
  name_fold        TEXT NOT NULL,          -- folded copy of the names, for search
  status           TEXT NOT NULL,          -- active | suspended | closed
  commissioner_id  BIGINT,                 -- users.id of the chief service commissioner
  department_id    BIGINT,                 -- the department that looks after the firm
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX firms_commissioner ON firms (commissioner_id);
CREATE INDEX firms_department ON firms (department_id);

-- migration: 2 the registry's details
-- Industry (a GB/T 4754-2017 code from the industries dictionary), the customs registration
-- code, whether the firm trades across the border, address, legal representative, contacts.
ALTER TABLE firms ADD COLUMN industry TEXT;
ALTER TABLE firms ADD COLUMN customs_code TEXT;
ALTER TABLE firms ADD COLUMN cross_border INTEGER NOT NULL DEFAULT 0;
ALTER TABLE firms ADD COLUMN address TEXT;
ALTER TABLE firms ADD COLUMN legal_rep TEXT;
ALTER TABLE firms ADD COLUMN contact_name TEXT;
ALTER TABLE firms ADD COLUMN contact_phone TEXT;
ALTER TABLE firms ADD COLUMN contact_email TEXT;

-- migration: 3 commissioners and the start-up package
-- A chief service commissioner's profile (the industries they match, a cap on their load);
-- who looked after a firm, from when and why (assignment at registration, reassignment with
-- a reason); and each new firm's start-up package checklist, one row per item of
-- data/startup_package.csv with its status and the cost the zone bears. users.id columns
-- carry no foreign key: the auth module migrates after this one.
CREATE TABLE commissioner_profiles (
  user_id     BIGINT PRIMARY KEY,
  industries  TEXT NOT NULL DEFAULT '',  -- GB/T 4754 codes (sections or classes), space separated
  max_firms   BIGINT NOT NULL DEFAULT 0, -- 0 = no cap
  active      INTEGER NOT NULL DEFAULT 1,
  updated_at  TEXT NOT NULL,
  version     BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE commissioner_assignments (
  id           {{ID}},
  firm_id      BIGINT NOT NULL REFERENCES firms (id),
  user_id      BIGINT NOT NULL,
  assigned_at  TEXT NOT NULL,
  assigned_by  BIGINT,                 -- NULL: assigned automatically at registration
  reason       TEXT NOT NULL,
  ended_at     TEXT
);
CREATE INDEX commissioner_assignments_firm ON commissioner_assignments (firm_id, id);
CREATE INDEX commissioner_assignments_user ON commissioner_assignments (user_id);

CREATE TABLE startup_items (
  firm_id     BIGINT NOT NULL REFERENCES firms (id),
  item        TEXT NOT NULL,           -- code of data/startup_package.csv
  status      TEXT NOT NULL,           -- pending | in_progress | done | not_needed
  cost_fen    BIGINT NOT NULL,         -- what the zone bears for this firm, in fen
  note        TEXT,
  done_at     TEXT,
  updated_at  TEXT NOT NULL,
  updated_by  BIGINT,
  version     BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (firm_id, item)
);
CREATE INDEX startup_items_status ON startup_items (status);

-- migration: 4 visits, salons and financing
-- Leader visits (the "six must-visits") and enterprise salons with the firms and people
-- involved (issues raised there become demands: cases.source_kind/source_id point back);
-- financing matchmaking: a firm's need, the banks' products, the matches and their outcome.
CREATE TABLE visits (
  id           {{ID}},
  firm_id      BIGINT NOT NULL REFERENCES firms (id),
  visited_on   TEXT NOT NULL,          -- Beijing date
  leader_id    BIGINT,                 -- users.id of the visiting leader
  leader_name  TEXT NOT NULL,
  participants TEXT,                   -- others present, free text
  purpose      TEXT,
  notes        TEXT,
  created_by   BIGINT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX visits_firm ON visits (firm_id);
CREATE INDEX visits_on ON visits (visited_on);

CREATE TABLE salons (
  id              {{ID}},
  title           TEXT NOT NULL,
  held_on         TEXT NOT NULL,       -- Beijing date
  place           TEXT,
  topics          TEXT,
  organiser_dept  BIGINT,              -- departments.id
  notes           TEXT,
  created_by      BIGINT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX salons_on ON salons (held_on);

CREATE TABLE salon_firms (
  salon_id  BIGINT NOT NULL REFERENCES salons (id),
  firm_id   BIGINT NOT NULL REFERENCES firms (id),
  attendees TEXT,                      -- who came for the firm
  PRIMARY KEY (salon_id, firm_id)
);
CREATE INDEX salon_firms_firm ON salon_firms (firm_id);

CREATE TABLE bank_products (
  id              {{ID}},
  bank            TEXT NOT NULL,
  name            TEXT NOT NULL,
  max_amount_fen  BIGINT NOT NULL,
  rate_bp         BIGINT,              -- annual rate in basis points (385 = 3.85 %)
  term_months     BIGINT,
  notes           TEXT,
  active          INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  version         BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE financing_needs (
  id           {{ID}},
  firm_id      BIGINT NOT NULL REFERENCES firms (id),
  amount_fen   BIGINT NOT NULL,
  purpose      TEXT NOT NULL,
  term_months  BIGINT NOT NULL,
  status       TEXT NOT NULL,          -- open | matched | granted | closed
  raised_on    TEXT NOT NULL,          -- Beijing date
  notes        TEXT,
  created_by   BIGINT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX financing_needs_firm ON financing_needs (firm_id);

CREATE TABLE financing_matches (
  id                  {{ID}},
  need_id             BIGINT NOT NULL REFERENCES financing_needs (id),
  product_id          BIGINT NOT NULL REFERENCES bank_products (id),
  status              TEXT NOT NULL,   -- proposed | applied | granted | declined
  amount_granted_fen  BIGINT,
  granted_on          TEXT,            -- Beijing date
  note                TEXT,
  created_by          BIGINT,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  version             BIGINT NOT NULL DEFAULT 1,
  UNIQUE (need_id, product_id)
);
