-- Volume reconciliation: dated snapshots of each contract year's picture, the alerts raised (once per
-- contract, year and kind), and the Excel returns built for commercial teams (stored here so that any
-- node can serve them).

-- +goose Up
CREATE TABLE volume_snapshots (
    id               uuid PRIMARY KEY,
    contract_id      uuid NOT NULL REFERENCES contracts (id),
    year_number      integer NOT NULL,
    as_of            date NOT NULL,
    computed_at      timestamptz NOT NULL,
    counted_ytd      integer NOT NULL,
    projected        integer,
    days_elapsed     integer NOT NULL,
    indicated_band   integer,
    basis_band       integer,
    volume_cap       integer NOT NULL,
    percent_of_cap_bp integer NOT NULL,
    status           text NOT NULL CHECK (status IN ('GREEN', 'AMBER', 'RED')),
    over_cap         integer NOT NULL,
    -- [{"month": "2026-04", "referrals": 61, "by_category": {...}, "by_complexity": {...}}]
    monthly          jsonb NOT NULL,
    UNIQUE (contract_id, year_number, as_of)
);
CREATE INDEX volume_snapshots_as_of_idx ON volume_snapshots (as_of);

CREATE TABLE volume_alerts (
    id          uuid PRIMARY KEY,
    contract_id uuid NOT NULL REFERENCES contracts (id),
    year_number integer NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('AMBER', 'RED', 'NINETY_PERCENT', 'CAP_REACHED')),
    raised_at   timestamptz NOT NULL,
    as_of       date NOT NULL,
    counted_ytd integer NOT NULL,
    projected   integer,
    volume_cap  integer NOT NULL,
    message     text NOT NULL,
    UNIQUE (contract_id, year_number, kind)
);
CREATE INDEX volume_alerts_raised_idx ON volume_alerts (raised_at DESC, id DESC);

CREATE TABLE returns (
    id           uuid PRIMARY KEY,
    scope        text NOT NULL CHECK (scope IN ('national', 'region')),
    region_code  text REFERENCES regions (code),
    period       date NOT NULL CHECK (extract(day FROM period) = 1),
    status       text NOT NULL CHECK (status IN ('queued', 'running', 'ready', 'failed')),
    requested_by uuid REFERENCES users (id),
    failure      text,
    file_name    text,
    file_size    bigint,
    file_sha256  text,
    content      bytea,
    created_at   timestamptz NOT NULL,
    started_at   timestamptz,
    finished_at  timestamptz,
    CHECK ((scope = 'region') = (region_code IS NOT NULL))
);
CREATE INDEX returns_list_idx ON returns (created_at DESC, id DESC);
-- A workbook is a zip archive already: store it out of line without compressing it again.
ALTER TABLE returns ALTER COLUMN content SET STORAGE EXTERNAL;

-- +goose Down
DROP TABLE returns;
DROP TABLE volume_alerts;
DROP TABLE volume_snapshots;
