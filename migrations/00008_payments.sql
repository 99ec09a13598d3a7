-- Supplier payments: monthly payment requests (one live request per contract and calendar month) and
-- year-end balancing requests (one live request per ended contract year), their query threads and
-- state history, and recoveries of negative year-end balances.

-- +goose Up
CREATE TABLE payment_requests (
    id                   uuid PRIMARY KEY,
    contract_id          uuid NOT NULL REFERENCES contracts (id),
    -- The contract's region, copied for scope filters.
    region_code          text NOT NULL REFERENCES regions (code),
    kind                 text NOT NULL CHECK (kind IN ('MONTHLY', 'BALANCING')),
    -- MONTHLY: the first day of the calendar month requested. BALANCING: null.
    period               date CHECK (period IS NULL OR extract(day FROM period) = 1),
    -- BALANCING: the ended contract year. MONTHLY: null (a month may fall in two contract years).
    year_number          integer,
    amount_pence         bigint NOT NULL CHECK (amount_pence > 0),
    invoice_reference    text NOT NULL CHECK (length(invoice_reference) BETWEEN 1 AND 60),
    notes                text,
    status               text NOT NULL CHECK (status IN ('SUBMITTED', 'QUERIED', 'RESPONDED', 'APPROVED', 'PAID', 'REJECTED', 'WITHDRAWN')),
    submitted_by         uuid NOT NULL REFERENCES users (id),
    submitted_at         timestamptz NOT NULL,
    -- When the request last became valid: submission, or the supplier's answer to a query. Payment
    -- terms run from here.
    valid_at             timestamptz NOT NULL,
    decided_by           uuid REFERENCES users (id),
    decided_at           timestamptz,
    rejection_reason     text,
    paid_on              date,
    remittance_reference text,
    paid_by              uuid REFERENCES users (id),
    paid_at              timestamptz,
    -- Set by the clocks job when an approved request passes its payment terms unpaid, or a query goes
    -- unanswered for 5 working days.
    overdue_flagged_at   timestamptz,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT payment_requests_kind_shape_check CHECK (
        (kind = 'MONTHLY' AND period IS NOT NULL AND year_number IS NULL)
        OR (kind = 'BALANCING' AND period IS NULL AND year_number IS NOT NULL)),
    CONSTRAINT payment_requests_paid_check CHECK ((status = 'PAID') = (paid_on IS NOT NULL))
);
-- Exactly one live request per contract and month (concurrent submissions included).
CREATE UNIQUE INDEX payment_requests_live_month_key ON payment_requests (contract_id, period)
    WHERE kind = 'MONTHLY' AND status NOT IN ('REJECTED', 'WITHDRAWN');
-- Exactly one live balancing request per contract year.
CREATE UNIQUE INDEX payment_requests_live_balancing_key ON payment_requests (contract_id, year_number)
    WHERE kind = 'BALANCING' AND status NOT IN ('REJECTED', 'WITHDRAWN');
CREATE INDEX payment_requests_region_idx ON payment_requests (region_code, id DESC);
CREATE INDEX payment_requests_contract_idx ON payment_requests (contract_id, period);
CREATE INDEX payment_requests_status_idx ON payment_requests (status, id DESC);

CREATE TABLE payment_request_messages (
    id         uuid PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES payment_requests (id),
    kind       text NOT NULL CHECK (kind IN ('QUERY', 'RESPONSE')),
    body       text NOT NULL,
    author_id  uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL
);
CREATE INDEX payment_request_messages_request_idx ON payment_request_messages (request_id, created_at);

CREATE TABLE payment_request_events (
    id          uuid PRIMARY KEY,
    request_id  uuid NOT NULL REFERENCES payment_requests (id),
    from_status text,
    to_status   text NOT NULL,
    actor_id    uuid REFERENCES users (id),
    note        text,
    at          timestamptz NOT NULL
);
CREATE INDEX payment_request_events_request_idx ON payment_request_events (request_id, at);

CREATE TABLE recoveries (
    id                    uuid PRIMARY KEY,
    contract_id           uuid NOT NULL REFERENCES contracts (id),
    region_code           text NOT NULL REFERENCES regions (code),
    year_number           integer NOT NULL,
    -- What the supplier owes back: the year's negative balance as a positive amount.
    amount_pence          bigint NOT NULL CHECK (amount_pence > 0),
    status                text NOT NULL CHECK (status IN ('OUTSTANDING', 'SETTLED')),
    recorded_at           timestamptz NOT NULL,
    settled_at            timestamptz,
    settled_by            uuid REFERENCES users (id),
    settlement_reference  text,
    version               integer NOT NULL DEFAULT 1,
    UNIQUE (contract_id, year_number)
);

-- +goose Down
DROP TABLE recoveries;
DROP TABLE payment_request_events;
DROP TABLE payment_request_messages;
DROP TABLE payment_requests;
