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
