-- Contracts called off the framework: the contract itself (type, area, prime, eligibility, dates and
-- referral window), its optional extension periods, the supply chain with its history, and per
-- contract year the volume bands, the payment basis band history, cap variations and the pricing
-- inputs the band prices were built from.
--
-- The contracts service (contracts/service.go) is the only writer. Rules that need other tables or
-- arithmetic on dates (a prime qualified for the contract type in the region, extensions contiguous,
-- the referral window inside the contract, bands contiguous with rising prices) are checked there;
-- the constraints below keep what a single row can guarantee.

-- +goose Up

-- A PCC-level contract stores its PCC area and that area's region; this key lets the composite
-- foreign key below refuse a region that is not the PCC area's own.
ALTER TABLE pcc_areas ADD CONSTRAINT pcc_areas_code_region_key UNIQUE (code, region_code);

CREATE TABLE contracts (
    id                       uuid PRIMARY KEY,
    -- Unique whatever the case: "acc-j-01" and "ACC-J-01" are the same contract to people.
    reference                text NOT NULL CHECK (length(reference) BETWEEN 1 AND 30),
    contract_type_code       text NOT NULL REFERENCES contract_types,
    -- The contract's region; for a PCC-level contract, the PCC area's region. Scope (commissioners'
    -- regions) is always decided on this column.
    region_code              text NOT NULL REFERENCES regions,
    -- Set only for PCC-level contracts.
    pcc_area_code            text REFERENCES pcc_areas,
    prime_supplier_id        uuid NOT NULL REFERENCES suppliers,
    co_commissioner_name     text CHECK (length(co_commissioner_name) BETWEEN 1 AND 200),
    -- The co-commissioner's funding share in basis points: 2500 is 25.00 %.
    co_commissioner_share_bp integer CHECK (co_commissioner_share_bp BETWEEN 0 AND 10000),
    -- Eligibility: the sexes the service is for, the age range (max_age NULL: no upper limit) and the
    -- settings it accepts referrals in.
    sexes                    text[] NOT NULL CHECK (cardinality(sexes) BETWEEN 1 AND 2 AND sexes <@ ARRAY['MALE', 'FEMALE']),
    min_age                  integer NOT NULL DEFAULT 18 CHECK (min_age >= 18),
    max_age                  integer,
    accepts_community        boolean NOT NULL,
    accepts_licence          boolean NOT NULL,
    accepts_pre_release      boolean NOT NULL,
    start_date               date NOT NULL,
    end_date                 date NOT NULL,
    -- end_date or the end of the last extension taken; kept by the service so that status filters
    -- (pending, live, ended) and the referral window check are plain comparisons.
    effective_end_date       date NOT NULL,
    referral_window_opens    date NOT NULL,
    referral_window_closes   date NOT NULL,
    referral_mailbox         text,
    description              text,
    version                  integer NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    CONSTRAINT contracts_pcc_area_region_fkey FOREIGN KEY (pcc_area_code, region_code)
        REFERENCES pcc_areas (code, region_code),
    CONSTRAINT contracts_co_commissioner_check
        CHECK (co_commissioner_share_bp IS NULL OR co_commissioner_name IS NOT NULL),
    CONSTRAINT contracts_age_check CHECK (max_age IS NULL OR max_age >= min_age),
    CONSTRAINT contracts_dates_check CHECK (end_date >= start_date AND effective_end_date >= end_date),
    CONSTRAINT contracts_window_check CHECK (
        referral_window_opens >= start_date
        AND referral_window_closes >= referral_window_opens
        AND referral_window_closes <= effective_end_date)
);

CREATE UNIQUE INDEX contracts_reference_key ON contracts (lower(reference));
-- Keyset pagination of the list orders by reference, then id.
CREATE INDEX contracts_reference_idx ON contracts (reference, id);
CREATE INDEX contracts_region_code_idx ON contracts (region_code);
CREATE INDEX contracts_pcc_area_code_idx ON contracts (pcc_area_code) WHERE pcc_area_code IS NOT NULL;
CREATE INDEX contracts_prime_supplier_id_idx ON contracts (prime_supplier_id);
CREATE INDEX contracts_contract_type_code_idx ON contracts (contract_type_code);

COMMENT ON TABLE contracts IS 'Contracts called off the framework; either region-level or PCC-level (pcc_area_code set).';

-- Optional extension periods, numbered from 1: extension 1 starts the day after end_date, each later
-- one the day after the previous one ends. Taken ones extend the contract (effective_end_date);
-- they are taken in order.
CREATE TABLE contract_extensions (
    contract_id uuid NOT NULL REFERENCES contracts,
    number      integer NOT NULL CHECK (number >= 1),
    start_date  date NOT NULL,
    end_date    date NOT NULL,
    taken       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (contract_id, number),
    CHECK (end_date >= start_date)
);

-- The supply chain with its history: a removal sets removed_on and keeps the row. The current supply
-- chain is the rows with removed_on IS NULL; a supplier is at most once in it.
CREATE TABLE contract_subcontractors (
    id             uuid PRIMARY KEY,
    contract_id    uuid NOT NULL REFERENCES contracts,
    supplier_id    uuid NOT NULL REFERENCES suppliers,
    added_on       date NOT NULL,
    added_by       uuid REFERENCES users,
    added_reason   text,
    removed_on     date,
    removed_by     uuid REFERENCES users,
    removed_reason text,
    CHECK (removed_on IS NULL OR removed_on >= added_on),
    CHECK (removed_on IS NULL OR removed_reason IS NOT NULL)
);

CREATE UNIQUE INDEX contract_subcontractors_current_key
    ON contract_subcontractors (contract_id, supplier_id) WHERE removed_on IS NULL;
-- Supplier users' scope: the contracts their organisation currently subcontracts on.
CREATE INDEX contract_subcontractors_supplier_id_idx
    ON contract_subcontractors (supplier_id, contract_id) WHERE removed_on IS NULL;
CREATE INDEX contract_subcontractors_contract_id_idx ON contract_subcontractors (contract_id, added_on);

-- The volume bands of each contract year; a year's table is replaced as a whole. Contiguity and rising
-- prices are checked by the service (contracts.ValidateBands).
CREATE TABLE contract_bands (
    contract_id        uuid NOT NULL REFERENCES contracts,
    year_number        integer NOT NULL CHECK (year_number >= 1),
    band_number        integer NOT NULL CHECK (band_number >= 1),
    low                integer NOT NULL CHECK (low >= 0),
    high               integer NOT NULL,
    annual_price_pence bigint NOT NULL CHECK (annual_price_pence > 0),
    PRIMARY KEY (contract_id, year_number, band_number),
    CHECK (high >= low)
);

-- The payment basis band of each contract year, with its history. The band in force on a date is the
-- row, not superseded, with the latest effective_from on or before that date (ties: the latest
-- changed_at). Replacing a year's band table re-baselines the year: it marks the year's rows
-- superseded and adds one from the year's start; superseded rows stay for the record.
CREATE TABLE contract_basis_bands (
    id             uuid PRIMARY KEY,
    contract_id    uuid NOT NULL REFERENCES contracts,
    year_number    integer NOT NULL CHECK (year_number >= 1),
    band_number    integer NOT NULL CHECK (band_number >= 1),
    effective_from date NOT NULL,
    reason         text NOT NULL,
    changed_by     uuid REFERENCES users,
    changed_at     timestamptz NOT NULL,
    superseded_at  timestamptz
);

CREATE INDEX contract_basis_bands_year_idx ON contract_basis_bands (contract_id, year_number, effective_from, changed_at);

-- Cap variations a commissioner records for a contract year: the latest one is the year's cap for
-- intake control.
CREATE TABLE contract_cap_variations (
    id          uuid PRIMARY KEY,
    contract_id uuid NOT NULL REFERENCES contracts,
    year_number integer NOT NULL CHECK (year_number >= 1),
    new_cap     integer NOT NULL CHECK (new_cap > 0),
    reason      text NOT NULL CHECK (length(reason) > 0),
    recorded_by uuid REFERENCES users,
    recorded_at timestamptz NOT NULL
);

CREATE INDEX contract_cap_variations_year_idx ON contract_cap_variations (contract_id, year_number, recorded_at);

-- The volume estimates and unit costs per complexity level a contract year's prices were built from.
CREATE TABLE contract_pricing_inputs (
    contract_id         uuid NOT NULL REFERENCES contracts,
    year_number         integer NOT NULL CHECK (year_number >= 1),
    level               text NOT NULL CHECK (level IN ('LOW', 'MEDIUM', 'HIGH')),
    estimated_referrals integer NOT NULL CHECK (estimated_referrals >= 0),
    unit_cost_pence     bigint NOT NULL CHECK (unit_cost_pence > 0),
    PRIMARY KEY (contract_id, year_number, level)
);

-- +goose Down
DROP TABLE contract_pricing_inputs;
DROP TABLE contract_cap_variations;
DROP TABLE contract_basis_bands;
DROP TABLE contract_bands;
DROP TABLE contract_subcontractors;
DROP TABLE contract_extensions;
DROP TABLE contracts;
ALTER TABLE pcc_areas DROP CONSTRAINT pcc_areas_code_region_key;
