package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/referrals"
)

// Loading the demo referrals: COPY in one transaction, with the foreign keys and secondary indexes
// set aside and rebuilt once, then ANALYZE.

// load writes every row with COPY in one transaction, then analyses the tables.
func (g *referralSeed) load(ctx context.Context, d Deps) error {
	err := rsConn(ctx, d, func(conn *pgx.Conn) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			restore, err := rsDropForLoad(ctx, tx, rsLoadedTables)
			if err != nil {
				return err
			}
			for _, t := range g.tables() {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromSlice(t.n, t.row)); err != nil {
					return fmt.Errorf("demo referrals: copy %s: %w", t.name, err)
				}
			}
			for _, stmt := range restore {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("demo referrals: %s: %w", stmt, err)
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	// The planner needs statistics of the new rows at once; two connections share the tables.
	tables := make(chan string, len(rsLoadedTables)+1)
	for _, t := range append([]string{"appointments", "referrals", "users"}, rsLoadedTables...) {
		if t != "appointments" && t != "referrals" || len(tables) < 2 {
			tables <- t
		}
	}
	close(tables)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			errs <- rsConn(ctx, d, func(conn *pgx.Conn) error {
				for t := range tables {
					if _, err := conn.Exec(ctx, "ANALYZE "+pgx.Identifier{t}.Sanitize()); err != nil {
						return fmt.Errorf("demo referrals: analyse %s: %w", t, err)
					}
				}
				return nil
			})
		}()
	}
	return errors.Join(<-errs, <-errs)
}

// rsConn runs fn on a connection of the pool (or, without one, of the database/sql pool under DB).
func rsConn(ctx context.Context, d Deps, fn func(*pgx.Conn) error) error {
	if d.Pool != nil {
		conn, err := d.Pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("demo referrals: %w", err)
		}
		defer conn.Release()
		return fn(conn.Conn())
	}
	sqlDB, err := d.DB.DB()
	if err != nil {
		return fmt.Errorf("demo referrals: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("demo referrals: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("demo referrals: the database connection is not pgx's")
		}
		return fn(c.Conn())
	})
}

// rsLoadedTables are the tables whose foreign keys and secondary indexes are set aside while the
// demo rows are copied in (PostgreSQL's advice for populating a database: checking each row's
// references and updating a dozen indexes row by row takes several times longer than validating
// and building them once at the end).
var rsLoadedTables = []string{"referrals", "referral_service_categories", "referral_desired_outcomes", "action_plans", "appointments",
	"appointment_changes", "end_of_service_reports", "case_notes"}

// rsDropForLoad drops, in tx, the foreign keys and the indexes that back no constraint of the tables,
// and returns the statements that put them back exactly as they were (their definitions read from
// the catalogue). The primary keys and unique constraints stay, so duplicates still fail the copy.
// Everything happens in the loading transaction: a failure leaves the schema untouched.
func rsDropForLoad(ctx context.Context, tx pgx.Tx, tables []string) ([]string, error) {
	var drops, restore []string
	rows, err := tx.Query(ctx, `SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
		FROM pg_constraint c WHERE c.contype IN ('f', 'u') AND c.conrelid = ANY($1::regclass[]) ORDER BY c.contype DESC, c.conrelid, c.conname`, tables)
	if err != nil {
		return nil, fmt.Errorf("demo referrals: read foreign keys: %w", err)
	}
	for rows.Next() {
		var table, name, def string
		if err := rows.Scan(&table, &name, &def); err != nil {
			return nil, err
		}
		drops = append(drops, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", table, name))
		restore = append(restore, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table, name, def))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demo referrals: read foreign keys: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
		WHERE i.indrelid = ANY($1::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		ORDER BY i.indrelid, i.indexrelid`, tables)
	if err != nil {
		return nil, fmt.Errorf("demo referrals: read indexes: %w", err)
	}
	var indexes []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		drops = append(drops, "DROP INDEX "+name)
		indexes = append(indexes, def)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demo referrals: read indexes: %w", err)
	}
	for _, stmt := range drops {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return nil, fmt.Errorf("demo referrals: %s: %w", stmt, err)
		}
	}
	// Indexes first, so that validating the foreign keys may use them.
	return append(indexes, restore...), nil
}

func sqlText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func sqlDate(d calendar.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

func sqlTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// nu passes an id as its 16 bytes: pgx encodes those directly, where uuid.UUID would go through its
// driver.Valuer (text, then parsed back) at several times the cost.
func sqlID(u uuid.UUID) any {
	if u == uuid.Nil {
		return nil
	}
	return [16]byte(u)
}

func (g *referralSeed) tables() []rsTable {
	type outcome struct {
		referral, id uuid.UUID
		category     string
	}
	var outcomes []outcome
	for _, s := range g.services {
		for _, o := range s.outcomes {
			outcomes = append(outcomes, outcome{referral: s.referral, id: o, category: s.category})
		}
	}
	var changes []int
	for i, a := range g.appts {
		if !a.changeAt.IsZero() {
			changes = append(changes, i)
		}
	}
	// Each table goes in in the order of its primary key, so that the key's index only ever grows
	// at its right-most page.
	rowOrder := rsOrder(len(g.rows), func(i int) uuid.UUID { return g.rows[i].id })
	serviceOrder := rsOrder(len(g.services), func(i int) uuid.UUID { return g.services[i].referral })
	outcomeOrder := rsOrder(len(outcomes), func(i int) uuid.UUID { return outcomes[i].referral })
	planOrder := rsOrder(len(g.plans), func(i int) uuid.UUID { return g.plans[i].id })
	apptOrder := rsOrder(len(g.appts), func(i int) uuid.UUID { return g.appts[i].id })
	changeOrder := rsOrder(len(changes), func(i int) uuid.UUID { return g.appts[changes[i]].changeID })
	reportOrder := rsOrder(len(g.reports), func(i int) uuid.UUID { return g.reports[i].referral })
	noteOrder := rsOrder(len(g.notes), func(i int) uuid.UUID { return g.notes[i].id })
	return []rsTable{
		{"users", []string{"id", "email", "display_name", "password_hash", "role", "supplier_id", "regions", "active", "version", "created_at", "updated_at"},
			len(g.users), func(i int) ([]any, error) {
				u := g.users[i]
				regions := u.regions
				if regions == nil {
					regions = []string{}
				}
				created := g.now.Add(-400 * 24 * time.Hour)
				var supplier any
				if u.supplier != nil {
					supplier = sqlID(*u.supplier)
				}
				return []any{sqlID(u.id), u.email, u.name, g.hash, u.role, supplier, regions, true, 1, created, created}, nil
			}},
		{"referrals", []string{"id", "reference", "contract_id", "region_code", "practitioner_id", "status", "end_state", "crn",
			"person_first_name", "person_last_name", "person_date_of_birth", "person_sex", "person_ethnicity", "person_preferred_language",
			"person_interpreter_needed", "person_disabilities", "person_access_needs", "person_commitments", "person_pcc_area_code",
			"setting", "prison", "expected_release_date", "max_enforceable_days", "completion_deadline", "reason_for_referral",
			"risk_summary", "further_information", "counted", "sent_at", "sent_on", "caseworker_id", "assigned_at", "assessment_due_on",
			"assessed_on", "action_plan_due_on", "first_action_plan_submitted_at", "action_plan_approved_at", "ended_on",
			"end_of_service_report_due_on", "end_of_service_report_submitted_at", "withdrawn_at", "withdrawal_reason_code",
			"withdrawal_comment", "concluded_at", "version", "created_at", "updated_at"},
			len(g.rows), func(i int) ([]any, error) {
				x := &g.rows[rowOrder[i]]
				var interpreter, maxDays any
				if x.language != "" {
					interpreter = x.interpreter
				}
				if x.maxDays > 0 {
					maxDays = x.maxDays
				}
				return []any{sqlID(x.id), sqlText(x.reference), sqlID(x.contractID), x.region, sqlID(x.practitioner), x.status, sqlText(x.endState), x.crn,
					sqlText(x.first), sqlText(x.last), sqlDate(x.dob), sqlText(x.sex), sqlText(x.ethnicity), sqlText(x.language),
					interpreter, sqlText(x.disabilities), sqlText(x.access), string(x.commitments), sqlText(x.pcc),
					sqlText(x.setting), sqlText(x.prison), sqlDate(x.release), maxDays, sqlDate(x.deadline), sqlText(x.reason),
					sqlText(x.risk), sqlText(x.further), x.counted, sqlTime(x.sentAt), sqlDate(x.sentOn), sqlID(x.caseworker), sqlTime(x.assignedAt), sqlDate(x.assessmentDue),
					sqlDate(x.assessedOn), sqlDate(x.planDue), sqlTime(x.planAt), sqlTime(x.approvedAt), sqlDate(x.endedOn),
					sqlDate(x.reportDue), sqlTime(x.reportAt), sqlTime(x.withdrawnAt), sqlText(x.wReason),
					sqlText(x.wComment), sqlTime(x.concludedAt), x.version, x.createdAt, x.updatedAt}, nil
			}},
		{"referral_service_categories", []string{"referral_id", "service_category_code", "complexity_level"},
			len(g.services), func(i int) ([]any, error) {
				s := g.services[serviceOrder[i]]
				return []any{sqlID(s.referral), s.category, s.complexity}, nil
			}},
		{"referral_desired_outcomes", []string{"referral_id", "service_category_code", "outcome_id"},
			len(outcomes), func(i int) ([]any, error) {
				o := outcomes[outcomeOrder[i]]
				return []any{sqlID(o.referral), o.category, sqlID(o.id)}, nil
			}},
		{"action_plans", []string{"id", "referral_id", "activities", "number_of_sessions", "submitted_by", "submitted_at", "approved_by", "approved_at"},
			len(g.plans), func(i int) ([]any, error) {
				i = planOrder[i]
				p := g.plans[i]
				var by any
				if !p.approved.IsZero() {
					by = sqlID(g.planAppr[i])
				}
				return []any{sqlID(p.id), sqlID(g.planRef[i]), string(p.activities), p.sessions, sqlID(g.planBy[i]), p.submitted, by, sqlTime(p.approved)}, nil
			}},
		{"appointments", []string{"id", "referral_id", "kind", "session_number", "starts_at", "duration_minutes", "method", "address",
			"attendance", "session_summary", "person_response", "concerns", "notify_practitioner", "recorded_by", "recorded_at",
			"created_by", "created_at", "updated_at"},
			len(g.appts), func(i int) ([]any, error) {
				i = apptOrder[i]
				a := &g.appts[i]
				var n, att, summary, response, concerns, recBy, recAt any
				if a.kind == referrals.KindSession {
					n = a.n
				}
				notify := false
				updated := a.created
				if !a.changeAt.IsZero() {
					updated = a.changeAt
				}
				if a.saved {
					s, p, c := g.feedback(a)
					att, summary, response, concerns, recBy, recAt = string(a.att), s, sqlText(p), sqlText(c), sqlID(g.apptBy[i]), a.recorded
					notify = c != "" || a.att == referrals.AttendedNo && a.kind == referrals.KindSession && a.n%3 == 0
					updated = a.recorded
				}
				return []any{sqlID(a.id), sqlID(g.apptRef[i]), string(a.kind), n, a.start, a.dur, string(a.method), sqlText(a.address),
					att, summary, response, concerns, notify, recBy, recAt, sqlID(g.apptBy[i]), a.created, updated}, nil
			}},
		{"appointment_changes", []string{"id", "appointment_id", "previous_starts_at", "new_starts_at", "previous_duration_minutes",
			"new_duration_minutes", "previous_method", "new_method", "requested_by", "reason", "changed_by", "changed_at"},
			len(changes), func(i int) ([]any, error) {
				k := changes[changeOrder[i]]
				a := &g.appts[k]
				return []any{sqlID(a.changeID), sqlID(a.id), a.prevStart, a.start, a.dur, a.dur, string(a.prevMethod), string(a.method),
					string(a.changeBy), a.changeReason, sqlID(g.apptBy[k]), a.changeAt}, nil
			}},
		{"end_of_service_reports", []string{"referral_id", "outcomes", "further_information", "submitted_by", "submitted_at"},
			len(g.reports), func(i int) ([]any, error) {
				r := g.reports[reportOrder[i]]
				return []any{sqlID(r.referral), string(r.outcomes), sqlText(r.further), sqlID(r.by), r.at}, nil
			}},
		{"case_notes", []string{"id", "referral_id", "author_id", "subject", "body", "created_at"},
			len(g.notes), func(i int) ([]any, error) {
				n := g.notes[noteOrder[i]]
				return []any{sqlID(n.id), sqlID(n.referral), sqlID(n.author), n.subject, n.body, n.at}, nil
			}},
	}
}

// rsOrder returns the indexes 0..n-1 sorted by key (stably, so that rows with one key keep their
// order: a referral's categories and outcomes stay in reference order).
func rsOrder(n int, key func(i int) uuid.UUID) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ka, kb := key(a), key(b)
		return bytes.Compare(ka[:], kb[:])
	})
	return order
}
