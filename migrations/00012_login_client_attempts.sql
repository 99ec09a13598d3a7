-- Sign-in throttling per client address, beside the per-account throttle of login_attempts: one
-- client trying many accounts is refused after CRS_LOGIN_MAX_FAILURES_PER_CLIENT failures, so that it
-- cannot lock every known account out (each account's own lock needs failures from somewhere).

-- +goose Up
CREATE TABLE login_client_attempts (
    client           text PRIMARY KEY,
    failures         integer NOT NULL,
    first_failure_at timestamptz NOT NULL,
    locked_until     timestamptz
);

-- +goose Down
DROP TABLE login_client_attempts;
