-- Payment request clocks and list indexes. A query's answer falls due 5 working days after it is
-- raised (England and Wales bank holidays, which SQL cannot count), so the service stores the due day
-- and lists can filter overdue requests in SQL; payment terms run from valid_at and need no column.

-- +goose Up
ALTER TABLE payment_requests ADD COLUMN response_due_on date;
ALTER TABLE payment_requests ADD CONSTRAINT payment_requests_response_due_check
    CHECK (response_due_on IS NULL OR status = 'QUERIED');
-- The clocks job looks only at open clocks not yet flagged.
CREATE INDEX payment_requests_clock_idx ON payment_requests (status)
    WHERE status IN ('APPROVED', 'QUERIED') AND overdue_flagged_at IS NULL;
-- Supplier users' lists: their contracts' requests, newest first.
CREATE INDEX payment_requests_contract_list_idx ON payment_requests (contract_id, id DESC);
-- Returns read a period's thread messages by date.
CREATE INDEX payment_request_messages_created_idx ON payment_request_messages (created_at);
CREATE INDEX recoveries_region_idx ON recoveries (region_code, id DESC);

-- +goose Down
DROP INDEX recoveries_region_idx;
DROP INDEX payment_request_messages_created_idx;
DROP INDEX payment_requests_contract_list_idx;
DROP INDEX payment_requests_clock_idx;
ALTER TABLE payment_requests DROP CONSTRAINT payment_requests_response_due_check;
ALTER TABLE payment_requests DROP COLUMN response_due_on;
