-- Suppliers on the Dynamic Framework: the organisations, their contacts, their framework
-- qualifications (service category x region) and the history of their framework status. Supplier
-- users now belong to a supplier that exists.

-- +goose Up

CREATE TABLE suppliers (
    id                     uuid PRIMARY KEY,
    legal_name             text NOT NULL,
    trading_name           text,
    organisation_type      text NOT NULL CONSTRAINT suppliers_organisation_type_check
                               CHECK (organisation_type IN ('VCSE', 'SME', 'LARGE')),
    companies_house_number text,
    charity_number         text,
    address_line1          text NOT NULL,
    address_line2          text,
    town                   text NOT NULL,
    postcode               text NOT NULL,
    status                 text NOT NULL DEFAULT 'active' CONSTRAINT suppliers_status_check
                               CHECK (status IN ('active', 'suspended', 'removed')),
    status_reason          text,
    status_effective       date,
    version                int NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    CONSTRAINT suppliers_registration_check CHECK (companies_house_number IS NOT NULL OR charity_number IS NOT NULL)
);

COMMENT ON TABLE suppliers IS 'Organisations on the Dynamic Framework; never deleted (removal is a status).';
COMMENT ON COLUMN suppliers.organisation_type IS 'VCSE (voluntary, community or social enterprise), SME or LARGE.';
COMMENT ON COLUMN suppliers.companies_house_number IS 'Upper case, 8 characters; NULL when not a registered company.';
COMMENT ON COLUMN suppliers.charity_number IS 'England and Wales, Scottish (SC) or Northern Irish (NIC) number; NULL when not a charity.';
COMMENT ON COLUMN suppliers.status_reason IS 'Reason of the latest status change; NULL until the first change.';
COMMENT ON COLUMN suppliers.status_effective IS 'Effective date of the latest status change; NULL until the first change.';

-- The names of these three indexes are what the store translates into field errors.
CREATE UNIQUE INDEX suppliers_legal_name_key ON suppliers (lower(legal_name));
CREATE UNIQUE INDEX suppliers_companies_house_number_key ON suppliers (companies_house_number)
    WHERE companies_house_number IS NOT NULL;
CREATE UNIQUE INDEX suppliers_charity_number_key ON suppliers (charity_number)
    WHERE charity_number IS NOT NULL;
CREATE INDEX suppliers_status_idx ON suppliers (status);
-- Name search is a plain ILIKE '%text%' scan: a few hundred suppliers at most.

CREATE TABLE supplier_contacts (
    id          uuid PRIMARY KEY,
    supplier_id uuid NOT NULL REFERENCES suppliers ON DELETE CASCADE,
    name        text NOT NULL,
    email       text NOT NULL,
    phone       text,
    role        text,
    position    int NOT NULL,
    CONSTRAINT supplier_contacts_position_key UNIQUE (supplier_id, position)
);

COMMENT ON TABLE supplier_contacts IS 'People to contact at a supplier, in the order the supplier gave them (position from 1).';

CREATE TABLE supplier_qualifications (
    supplier_id           uuid REFERENCES suppliers ON DELETE CASCADE,
    service_category_code text REFERENCES service_categories,
    region_code           text REFERENCES regions,
    created_at            timestamptz NOT NULL,
    PRIMARY KEY (supplier_id, service_category_code, region_code)
);

COMMENT ON TABLE supplier_qualifications IS 'Framework qualifications: the (service category, region) pairs a supplier may bid for.';

CREATE INDEX supplier_qualifications_region_idx ON supplier_qualifications (region_code, service_category_code);

CREATE TABLE supplier_status_changes (
    id             uuid PRIMARY KEY,
    supplier_id    uuid NOT NULL REFERENCES suppliers,
    from_status    text NOT NULL,
    to_status      text NOT NULL,
    reason         text NOT NULL,
    effective_date date NOT NULL,
    changed_by     uuid,
    changed_at     timestamptz NOT NULL
);

COMMENT ON TABLE supplier_status_changes IS 'Every framework status change of a supplier, with its reason, effective date and who made it (NULL: the system).';

CREATE INDEX supplier_status_changes_supplier_idx ON supplier_status_changes (supplier_id, changed_at);

ALTER TABLE users ADD CONSTRAINT users_supplier_id_fkey FOREIGN KEY (supplier_id) REFERENCES suppliers (id);

-- +goose Down
ALTER TABLE users DROP CONSTRAINT users_supplier_id_fkey;
DROP TABLE supplier_status_changes;
DROP TABLE supplier_qualifications;
DROP TABLE supplier_contacts;
DROP TABLE suppliers;
