package referrals

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/enum"
	"github.com/crsplatform/crs/internal/opt"
	"github.com/crsplatform/crs/internal/page"
)

// Sort orders the referral list.
type Sort string

// The sort orders. Drafts, which have neither a sent time nor a reference, come first newest first
// and last otherwise.
const (
	SortSentDesc  Sort = "sent_at_desc"
	SortSentAsc   Sort = "sent_at_asc"
	SortReference Sort = "reference"
)

// ParseSort parses a sort order ("" is SortSentDesc); it returns an invalid error (field "sort",
// code invalid_sort) for anything else.
func ParseSort(s string) (Sort, error) {
	return enum.ParseOr("sort", "invalid_sort", s, SortSentDesc, SortSentDesc, SortSentAsc, SortReference)
}

// ListParams filter, order and page the referral list. Zero values filter nothing.
type ListParams struct {
	// Statuses, when given, are the only statuses listed.
	Statuses   []Status
	ContractID uuid.UUID
	// AssignedToMe lists the referrals whose caseworker is the caller.
	AssignedToMe bool
	// Unassigned lists the referrals sent and not yet assigned.
	Unassigned bool
	// Concluded, when set, lists only concluded (true) or only unconcluded (false) referrals.
	Concluded *bool
	Region    string
	SentFrom  calendar.Date
	SentTo    calendar.Date
	// Q matches a reference exactly (whatever the case) or, for any other text, the person's name.
	Q string
	// Overdue, when set, lists only referrals with (true) or without (false) an overdue deliverable.
	Overdue *bool
	Sort    Sort
	Page    page.Params
}

// listKey is the keyset of the list: the sort column of the last row (nil for a draft) and its id.
type listKey struct {
	SentAt    *time.Time `json:"s,omitempty"`
	Reference *string    `json:"r,omitempty"`
	ID        uuid.UUID  `json:"i"`
}

func keyOf(r Referral, s Sort) listKey {
	k := listKey{ID: r.ID}
	if s == SortReference {
		k.Reference = opt.String(r.Reference)
	} else {
		k.SentAt = r.SentAt
	}
	return k
}

// Query is an SQL statement with the arguments of its ? placeholders, as GORM's Raw takes them.
type Query struct {
	SQL  string
	Args []any
}

// whereClause is a WHERE clause being built.
type whereClause struct {
	conds []string
	args  []any
}

func (c *whereClause) add(cond string, args ...any) {
	c.conds = append(c.conds, cond)
	c.args = append(c.args, args...)
}

// overdueSQL is true for a referral with an overdue deliverable on the day given three times; it
// says in SQL what Timeliness says in Go. Each arm implies the predicate of one partial index of
// migration 00009, so that the planner may read the open deliverables only. It is NULL, not false,
// for a referral none of whose due dates is set: negate it through COALESCE.
const overdueSQL = `((status NOT IN ('DRAFT', 'CONCLUDED') AND ended_on IS NULL AND assessed_on IS NULL AND assessment_due_on < ?)
	OR (status NOT IN ('DRAFT', 'CONCLUDED') AND ended_on IS NULL AND first_action_plan_submitted_at IS NULL AND action_plan_due_on < ?)
	OR (end_of_service_report_submitted_at IS NULL AND end_of_service_report_due_on < ?))`

// nameSQL is the expression of the trigram index on the person's name.
const nameSQL = `lower(coalesce(person_first_name, '') || ' ' || coalesce(person_last_name, ''))`

// ListQuery builds the list query the service runs for the actor: its scope in SQL (practitioners:
// sent referrals of their regions and their own drafts; supplier users: sent referrals on contracts
// where their organisation is the prime or a current subcontractor; commissioners: their regions;
// admins: every sent referral), the filters, the keyset after p.Page.Cursor and p.Page.Limit + 1 rows.
// Drafts and sent referrals are read by two branches, each on its own index, joined by UNION ALL.
// today is the day overdue is judged on. It returns an invalid error for a bad cursor.
func ListQuery(a actor.Actor, p ListParams, today calendar.Date) (Query, error) {
	var after *listKey
	var k listKey
	if has, err := page.Decode(p.Page.Cursor, &k); err != nil {
		return Query{}, err
	} else if has {
		after = &k
	}
	if p.Sort == "" {
		p.Sort = SortSentDesc
	}
	filters := listFilters(a, p, today)
	order := map[Sort]string{SortSentDesc: "sent_at DESC, id DESC", SortSentAsc: "sent_at ASC, id ASC", SortReference: "reference ASC, id ASC"}[p.Sort]
	limit := p.Page.Limit + 1

	var branches []whereClause
	wantDrafts := len(p.Statuses) == 0 || slices.Contains(p.Statuses, StatusDraft)
	wantSent := len(p.Statuses) == 0 || slices.ContainsFunc(p.Statuses, func(s Status) bool { return s != StatusDraft })
	if wantSent {
		if b, ok := sentBranch(a, p.Sort, after); ok {
			branches = append(branches, b)
		}
	}
	if wantDrafts && a.Role == actor.RolePractitioner {
		if b, ok := draftBranch(a, p.Sort, after); ok {
			branches = append(branches, b)
		}
	}
	if len(branches) == 0 {
		return Query{SQL: "SELECT * FROM referrals WHERE false"}, nil
	}
	var q Query
	parts := make([]string, len(branches))
	for i, b := range branches {
		b.conds = append(b.conds, filters.conds...)
		b.args = append(b.args, filters.args...)
		parts[i] = fmt.Sprintf("SELECT * FROM referrals WHERE %s ORDER BY %s LIMIT %d", strings.Join(b.conds, " AND "), order, limit)
		q.Args = append(q.Args, b.args...)
	}
	if len(parts) == 1 {
		q.SQL = parts[0]
		return q, nil
	}
	q.SQL = fmt.Sprintf("SELECT * FROM ((%s) UNION ALL (%s)) AS referrals ORDER BY %s LIMIT %d", parts[0], parts[1], order, limit)
	return q, nil
}

// sentScope adds to c the scope of the sent referrals an actor may read: practitioners and
// commissioners those of their regions, admins all, supplier users those of the contracts their
// organisation is prime or a current subcontractor on; with author, a practitioner may also read the
// referrals they made in another region. Single reads and locks (readScope) pass author; lists do not,
// since the OR would defeat the region's index (a practitioner's lists are their region's referrals
// and their own drafts). It returns false for a role that reads none. It is the one statement of that
// rule, so that a referral outside the caller's scope is never loaded.
func sentScope(c *whereClause, a actor.Actor, author bool) bool {
	c.add("status <> 'DRAFT'")
	regions := func() (string, any) {
		if len(a.Regions) == 1 {
			return "region_code = ?", a.Regions[0]
		}
		return "region_code = ANY(?)", pq.StringArray(a.Regions)
	}
	switch a.Role {
	case actor.RoleAdmin:
	case actor.RoleCommissioner:
		c.add(regions())
	case actor.RolePractitioner:
		if !author {
			c.add(regions())
			break
		}
		cond, arg := regions()
		c.add("("+cond+" OR practitioner_id = ?)", arg, a.UserID)
	case actor.RoleSupplier:
		c.add(`contract_id IN (SELECT id FROM contracts WHERE prime_supplier_id = ?
			UNION ALL SELECT contract_id FROM contract_subcontractors WHERE supplier_id = ? AND removed_on IS NULL)`, a.SupplierID, a.SupplierID)
	default:
		return false
	}
	return true
}

// draftScope adds to c the drafts an actor may read: a practitioner's own. It returns false for the
// other roles, which read no draft.
func draftScope(c *whereClause, a actor.Actor) bool {
	if a.Role != actor.RolePractitioner {
		return false
	}
	c.add("status = 'DRAFT' AND practitioner_id = ?", a.UserID)
	return true
}

// readScope is the SQL predicate of every referral an actor may read, drafts and sent ones, with its
// arguments; ok is false when the actor may read none.
func readScope(a actor.Actor) (cond string, args []any, ok bool) {
	var parts []string
	sent := func(c *whereClause, a actor.Actor) bool { return sentScope(c, a, true) }
	for _, scope := range []func(*whereClause, actor.Actor) bool{sent, draftScope} {
		var c whereClause
		if scope(&c, a) {
			parts = append(parts, "("+strings.Join(c.conds, " AND ")+")")
			args = append(args, c.args...)
		}
	}
	if len(parts) == 0 {
		return "", nil, false
	}
	return "(" + strings.Join(parts, " OR ") + ")", args, true
}

// sentBranch returns the scope and keyset of sent referrals; false when the cursor is past them all.
func sentBranch(a actor.Actor, s Sort, after *listKey) (whereClause, bool) {
	var c whereClause
	if !sentScope(&c, a, false) {
		return c, false
	}
	if after == nil {
		return c, true
	}
	switch s {
	case SortSentDesc:
		if after.SentAt != nil {
			c.add("(sent_at, id) < (?, ?)", *after.SentAt, after.ID)
		}
	case SortSentAsc:
		if after.SentAt == nil {
			return c, false
		}
		c.add("(sent_at, id) > (?, ?)", *after.SentAt, after.ID)
	case SortReference:
		if after.Reference == nil {
			return c, false
		}
		c.add("reference > ?", *after.Reference)
	}
	return c, true
}

// draftBranch returns the practitioner's own drafts after the cursor; false when the cursor is past
// them all.
func draftBranch(a actor.Actor, s Sort, after *listKey) (whereClause, bool) {
	var c whereClause
	if !draftScope(&c, a) {
		return c, false
	}
	if after == nil {
		return c, true
	}
	inDrafts := after.SentAt == nil && after.Reference == nil
	switch {
	case s == SortSentDesc && !inDrafts:
		return c, false // drafts come first, and the cursor is already past them
	case s == SortSentDesc:
		c.add("id < ?", after.ID)
	case inDrafts:
		c.add("id > ?", after.ID)
	}
	return c, true
}

func listFilters(a actor.Actor, p ListParams, today calendar.Date) whereClause {
	var c whereClause
	if len(p.Statuses) > 0 {
		names := make([]string, len(p.Statuses))
		for i, s := range p.Statuses {
			names[i] = string(s)
		}
		c.add("status IN ?", names)
	}
	if p.ContractID != uuid.Nil {
		c.add("contract_id = ?", p.ContractID)
	}
	if p.AssignedToMe {
		c.add("caseworker_id = ?", a.UserID)
	}
	if p.Unassigned {
		c.add("status = 'SENT'")
	}
	if p.Concluded != nil {
		if *p.Concluded {
			c.add("status = 'CONCLUDED'")
		} else {
			c.add("status <> 'CONCLUDED'")
		}
	}
	if p.Region != "" {
		c.add("region_code = ?", p.Region)
	}
	if !p.SentFrom.IsZero() {
		c.add("sent_on >= ?", p.SentFrom)
	}
	if !p.SentTo.IsZero() {
		c.add("sent_on <= ?", p.SentTo)
	}
	if q := strings.TrimSpace(p.Q); q != "" {
		if ValidReference(strings.ToUpper(q)) {
			c.add("reference = ?", strings.ToUpper(q))
		} else {
			like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
			c.add(nameSQL+" LIKE ?", like)
		}
	}
	if p.Overdue != nil {
		if *p.Overdue {
			c.add(overdueSQL, today, today, today)
		} else {
			c.add("NOT COALESCE("+overdueSQL+", false)", today, today, today)
		}
	}
	return c
}

// listReferrals runs a list query; the rows' service choices are not read.
func listReferrals(ctx context.Context, db *gorm.DB, q Query) ([]Referral, error) {
	var rows []referralRow
	if err := db.WithContext(ctx).Raw(q.SQL, q.Args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	out := make([]Referral, len(rows))
	for i, row := range rows {
		r, err := row.referral()
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}
