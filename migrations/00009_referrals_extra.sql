-- Referral lists filtered on overdue deliverables (?overdue=true): each kind of deliverable still
-- open, by due date, so that the few overdue referrals are found without reading a whole region.
-- The predicates are those of referrals.ListQuery's overdue clause, arm by arm.

-- +goose Up
CREATE INDEX referrals_assessment_open_idx ON referrals (assessment_due_on)
    WHERE assessed_on IS NULL AND ended_on IS NULL AND status NOT IN ('DRAFT', 'CONCLUDED');
CREATE INDEX referrals_action_plan_open_idx ON referrals (action_plan_due_on)
    WHERE first_action_plan_submitted_at IS NULL AND ended_on IS NULL AND status NOT IN ('DRAFT', 'CONCLUDED');
CREATE INDEX referrals_report_open_idx ON referrals (end_of_service_report_due_on)
    WHERE end_of_service_report_submitted_at IS NULL;

-- +goose Down
DROP INDEX referrals_report_open_idx;
DROP INDEX referrals_action_plan_open_idx;
DROP INDEX referrals_assessment_open_idx;
