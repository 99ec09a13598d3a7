-- Referrals and the supplier's delivery workflow: drafts, sent referrals with their service categories,
-- complexity levels and desired outcomes, appointments (the initial assessment and delivery sessions)
-- with every reschedule, action plans, end-of-service reports, amendments and case notes.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE referrals (
    id                          uuid PRIMARY KEY,
    -- Set when sent: two letters (no I or O), four digits, the contract type's first two letters.
    reference                   text UNIQUE CHECK (reference ~ '^[A-HJ-NP-Z]{2}[0-9]{4}[A-Z]{2}$'),
    contract_id                 uuid NOT NULL REFERENCES contracts (id),
    -- The contract's region, copied for scope filters and indexes.
    region_code                 text NOT NULL REFERENCES regions (code),
    practitioner_id             uuid NOT NULL REFERENCES users (id),
    status                      text NOT NULL CHECK (status IN ('DRAFT', 'SENT', 'ASSIGNED', 'ASSESSMENT_BOOKED', 'ASSESSED',
                                    'ACTION_PLAN_SUBMITTED', 'ACTION_PLAN_APPROVED', 'IN_DELIVERY',
                                    'AWAITING_END_OF_SERVICE_REPORT', 'CONCLUDED')),
    end_state                   text CHECK (end_state IN ('CANCELLED', 'PREMATURELY_ENDED', 'COMPLETED')),
    crn                         text NOT NULL CHECK (crn ~ '^[A-Z][0-9]{6}$'),
    person_first_name           text,
    person_last_name            text,
    person_date_of_birth        date,
    person_sex                  text CHECK (person_sex IN ('MALE', 'FEMALE')),
    person_ethnicity            text,
    person_preferred_language   text,
    person_interpreter_needed   boolean,
    person_disabilities         text,
    person_access_needs         text,
    -- Caring or work commitments: [{"description": "...", "times_unavailable": "..."}].
    person_commitments          jsonb NOT NULL DEFAULT '[]',
    person_pcc_area_code        text REFERENCES pcc_areas (code),
    setting                     text CHECK (setting IN ('COMMUNITY', 'LICENCE', 'PRE_RELEASE')),
    prison                      text,
    expected_release_date       date,
    max_enforceable_days        integer CHECK (max_enforceable_days >= 1),
    completion_deadline         date,
    reason_for_referral         text,
    risk_summary                text,
    further_information         text,
    duplicate_reason            text,
    -- True while the referral counts towards the contract's volume: sent, and not withdrawn for a
    -- reason that does not count. Reconciliation and intake control read only this and sent_on.
    counted                     boolean NOT NULL DEFAULT false,
    sent_at                     timestamptz,
    -- The UK calendar date of sent_at: the contract year and month it counts in.
    sent_on                     date,
    caseworker_id               uuid REFERENCES users (id),
    assigned_at                 timestamptz,
    assessment_due_on           date,
    assessed_on                 date,
    action_plan_due_on          date,
    first_action_plan_submitted_at timestamptz,
    action_plan_approved_at     timestamptz,
    ended_on                    date,
    end_of_service_report_due_on date,
    end_of_service_report_submitted_at timestamptz,
    withdrawn_at                timestamptz,
    withdrawal_reason_code      text REFERENCES withdrawal_reasons (code),
    withdrawal_comment          text,
    concluded_at                timestamptz,
    version                     integer NOT NULL DEFAULT 1,
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL,
    CONSTRAINT referrals_sent_check CHECK ((status = 'DRAFT') = (sent_at IS NULL)),
    CONSTRAINT referrals_sent_reference_check CHECK (status = 'DRAFT' OR (reference IS NOT NULL AND sent_on IS NOT NULL)),
    CONSTRAINT referrals_counted_check CHECK (NOT counted OR sent_at IS NOT NULL),
    CONSTRAINT referrals_concluded_check CHECK ((status = 'CONCLUDED') = (end_state IS NOT NULL))
);

-- Reconciliation and intake control: counted referrals of a contract by date.
CREATE INDEX referrals_counted_idx ON referrals (contract_id, sent_on) WHERE counted;
-- Lists, newest first, by scope.
CREATE INDEX referrals_region_list_idx ON referrals (region_code, sent_at DESC, id DESC) WHERE status <> 'DRAFT';
CREATE INDEX referrals_contract_list_idx ON referrals (contract_id, sent_at DESC, id DESC) WHERE status <> 'DRAFT';
CREATE INDEX referrals_sent_list_idx ON referrals (sent_at DESC, id DESC) WHERE status <> 'DRAFT';
CREATE INDEX referrals_caseworker_idx ON referrals (caseworker_id, sent_at DESC, id DESC) WHERE caseworker_id IS NOT NULL;
CREATE INDEX referrals_unassigned_idx ON referrals (contract_id, sent_at DESC, id DESC) WHERE status = 'SENT';
CREATE INDEX referrals_status_idx ON referrals (status, sent_at DESC, id DESC);
CREATE INDEX referrals_drafts_idx ON referrals (practitioner_id, updated_at) WHERE status = 'DRAFT';
-- A second live referral for the same person and contract.
CREATE INDEX referrals_live_crn_idx ON referrals (contract_id, crn) WHERE status NOT IN ('DRAFT', 'CONCLUDED');
-- Text search on the person's name.
CREATE INDEX referrals_name_trgm_idx ON referrals
    USING gin ((lower(coalesce(person_first_name, '') || ' ' || coalesce(person_last_name, ''))) gin_trgm_ops);

CREATE TABLE referral_service_categories (
    referral_id           uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    service_category_code text NOT NULL REFERENCES service_categories (code),
    complexity_level      text CHECK (complexity_level IN ('LOW', 'MEDIUM', 'HIGH')),
    PRIMARY KEY (referral_id, service_category_code)
);

CREATE TABLE referral_desired_outcomes (
    referral_id           uuid NOT NULL,
    service_category_code text NOT NULL,
    outcome_id            uuid NOT NULL REFERENCES desired_outcomes (id),
    PRIMARY KEY (referral_id, outcome_id),
    FOREIGN KEY (referral_id, service_category_code)
        REFERENCES referral_service_categories (referral_id, service_category_code) ON DELETE CASCADE
);

CREATE TABLE referral_amendments (
    id          uuid PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    field       text NOT NULL,
    old_value   jsonb,
    new_value   jsonb,
    reason      text NOT NULL,
    changed_by  uuid NOT NULL REFERENCES users (id),
    changed_at  timestamptz NOT NULL
);
CREATE INDEX referral_amendments_referral_idx ON referral_amendments (referral_id, changed_at);

CREATE TABLE appointments (
    id                  uuid PRIMARY KEY,
    referral_id         uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    kind                text NOT NULL CHECK (kind IN ('ASSESSMENT', 'SESSION')),
    session_number      integer CHECK (session_number >= 1),
    starts_at           timestamptz NOT NULL,
    duration_minutes    integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 600),
    method              text NOT NULL CHECK (method IN ('PHONE', 'VIDEO', 'IN_PERSON')),
    address             text,
    attendance          text CHECK (attendance IN ('YES', 'LATE', 'NO')),
    session_summary     text,
    person_response     text,
    concerns            text,
    notify_practitioner boolean NOT NULL DEFAULT false,
    recorded_by         uuid REFERENCES users (id),
    recorded_at         timestamptz,
    created_by          uuid NOT NULL REFERENCES users (id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK ((kind = 'SESSION') = (session_number IS NOT NULL)),
    CHECK (method <> 'IN_PERSON' OR address IS NOT NULL)
);
CREATE INDEX appointments_referral_idx ON appointments (referral_id, kind, starts_at);

CREATE TABLE appointment_changes (
    id                  uuid PRIMARY KEY,
    appointment_id      uuid NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    previous_starts_at  timestamptz NOT NULL,
    new_starts_at       timestamptz NOT NULL,
    previous_duration_minutes integer NOT NULL,
    new_duration_minutes integer NOT NULL,
    previous_method     text NOT NULL,
    new_method          text NOT NULL,
    requested_by        text NOT NULL CHECK (requested_by IN ('SUPPLIER', 'PRACTITIONER', 'PERSON_ON_PROBATION')),
    reason              text NOT NULL,
    changed_by          uuid NOT NULL REFERENCES users (id),
    changed_at          timestamptz NOT NULL
);
CREATE INDEX appointment_changes_appointment_idx ON appointment_changes (appointment_id, changed_at);

CREATE TABLE action_plans (
    id                 uuid PRIMARY KEY,
    referral_id        uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    -- [{"description": "..."}]
    activities         jsonb NOT NULL,
    number_of_sessions integer NOT NULL CHECK (number_of_sessions >= 1),
    submitted_by       uuid NOT NULL REFERENCES users (id),
    submitted_at       timestamptz NOT NULL,
    approved_by        uuid REFERENCES users (id),
    approved_at        timestamptz
);
CREATE INDEX action_plans_referral_idx ON action_plans (referral_id, submitted_at);

CREATE TABLE end_of_service_reports (
    referral_id         uuid PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
    -- [{"outcome_id": "...", "achievement": "ACHIEVED|PARTIALLY_ACHIEVED|NOT_ACHIEVED", "notes": "..."}]
    outcomes            jsonb NOT NULL,
    further_information text,
    submitted_by        uuid NOT NULL REFERENCES users (id),
    submitted_at        timestamptz NOT NULL
);

CREATE TABLE case_notes (
    id          uuid PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    author_id   uuid NOT NULL REFERENCES users (id),
    subject     text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX case_notes_referral_idx ON case_notes (referral_id, created_at);

-- +goose Down
DROP TABLE case_notes;
DROP TABLE end_of_service_reports;
DROP TABLE action_plans;
DROP TABLE appointment_changes;
DROP TABLE appointments;
DROP TABLE referral_amendments;
DROP TABLE referral_desired_outcomes;
DROP TABLE referral_service_categories;
DROP TABLE referrals;
