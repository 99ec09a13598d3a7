package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/payments"
)

// paymentsFrom is the first month the demo requests: the month contract year 5 starts in.
var paymentsFrom = calendar.NewMonth(2025, time.June)

// The demo's payment rows, inserted in bulk (the payments package keeps its own rows private).
type (
	demoRequest struct {
		ID                  uuid.UUID
		ContractID          uuid.UUID
		RegionCode          string
		Kind                string
		Period              calendar.Date `gorm:"type:date"`
		AmountPence         int64
		InvoiceReference    string
		Status              string
		SubmittedBy         uuid.UUID
		SubmittedAt         time.Time
		ValidAt             time.Time
		DecidedBy           *uuid.UUID
		DecidedAt           *time.Time
		RejectionReason     *string
		PaidOn              *calendar.Date `gorm:"type:date"`
		RemittanceReference *string
		PaidBy              *uuid.UUID
		PaidAt              *time.Time
		ResponseDueOn       *calendar.Date `gorm:"type:date"`
		Version             int
		CreatedAt           time.Time
		UpdatedAt           time.Time
	}
	demoEvent struct {
		ID         uuid.UUID
		RequestID  uuid.UUID
		FromStatus *string
		ToStatus   string
		ActorID    *uuid.UUID
		Note       *string
		At         time.Time
	}
	demoMessage struct {
		ID        uuid.UUID
		RequestID uuid.UUID
		Kind      string
		Body      string
		AuthorID  uuid.UUID
		CreatedAt time.Time
	}
)

func (demoRequest) TableName() string { return "payment_requests" }
func (demoEvent) TableName() string   { return "payment_request_events" }
func (demoMessage) TableName() string { return "payment_request_messages" }

// path is the life a demo request is given; steps dated on or after today are left out, so the
// request stops where today finds it.
type path int

const (
	pathNone path = iota
	pathSubmitted
	pathQueried
	pathApproved
	pathPaid
	pathQueriedPaid
	pathRejectedReplaced
)

var (
	demoQueries = []string{
		"The invoice total does not match the amount requested: please confirm which is right.",
		"Please confirm the purchase order number the invoice should quote.",
		"The invoice is addressed to the wrong commissioning body: please reissue it or confirm the address.",
	}
	demoResponses = []string{
		"The amount requested is right; a corrected invoice is attached under the same reference.",
		"The purchase order number is now on the invoice.",
		"The invoice has been reissued to the correct address under the same reference.",
	}
)

// paymentSeed builds the demo's payment rows.
type paymentSeed struct {
	today    calendar.Date
	admin    uuid.UUID
	reviewer map[string]uuid.UUID // region -> commissioner (admin where the demo has none)
	primes   map[uuid.UUID]uuid.UUID
	r        *rand.Rand
	requests []demoRequest
	events   []demoEvent
	messages []demoMessage
}

// seedPayments adds payment requests for every demo contract from June 2025 (contract year 5's start)
// to last month, each for the month's whole entitlement: most paid about 20 days after submission,
// recent ones approved and unpaid, submitted or queried with a thread, and a few rejected and
// replaced. Last month is left unrequested on the demo prime's region J contracts, and on some others.
// Primes without a user get an "accounts team" sign-in to submit them. Rows go in with bulk inserts.
func seedPayments(ctx context.Context, d Deps, cat *catalogue) error {
	db := d.DB.WithContext(ctx)
	portfolio, err := contracts.LoadPortfolio(ctx, d.DB, contracts.PortfolioFilter{})
	if err != nil {
		return err
	}
	s := &paymentSeed{today: calendar.BusinessDay(time.Now()), reviewer: map[string]uuid.UUID{}, primes: map[uuid.UUID]uuid.UUID{},
		r: rand.New(rand.NewPCG(2025, 626))}
	if err := s.loadUsers(ctx, d, cat); err != nil {
		return err
	}
	last := s.today.CalendarMonth().Prev()
	rejections := 0
	for _, c := range portfolio {
		schedules, err := payments.Schedules(c)
		if err != nil {
			return err
		}
		demoJ := c.Prime.ID == cat.demoPrime.id && c.Area.RegionCode == "J"
		for m := paymentsFrom; !m.After(last); m = m.Next() {
			amount, _ := payments.MonthEntitlementOf(schedules, m)
			if amount <= 0 {
				continue
			}
			p := s.pick(last, m, demoJ)
			if p == pathPaid && (rejections < 2 && demoJ && m == paymentsFrom.AddMonths(3) || s.r.IntN(150) == 0) {
				p, rejections = pathRejectedReplaced, rejections+1
			}
			s.request(c, m, amount, p)
		}
	}
	s.assignIDs()
	if err := db.CreateInBatches(s.requests, 1000).Error; err != nil {
		return fmt.Errorf("demo payment requests: %w", err)
	}
	if err := db.CreateInBatches(s.events, 2000).Error; err != nil {
		return fmt.Errorf("demo payment request events: %w", err)
	}
	if err := db.CreateInBatches(s.messages, 1000).Error; err != nil {
		return fmt.Errorf("demo payment request messages: %w", err)
	}
	return nil
}

// loadUsers finds the demo accounts that act on payments and gives every prime without a user an
// accounts team sign-in (the demo password, hashed once).
func (s *paymentSeed) loadUsers(ctx context.Context, d Deps, cat *catalogue) error {
	var users []struct {
		ID         uuid.UUID
		Email      string
		Role       string
		SupplierID *uuid.UUID
		Regions    string
	}
	if err := d.DB.WithContext(ctx).Raw(`SELECT id, email, role, supplier_id, array_to_string(regions, ',') AS regions FROM users WHERE active ORDER BY email`).Scan(&users).Error; err != nil {
		return fmt.Errorf("demo users: %w", err)
	}
	for _, u := range users {
		switch {
		case u.Role == "admin" && s.admin == uuid.Nil:
			s.admin = u.ID
		case u.Role == "commissioner":
			for _, r := range strings.Split(u.Regions, ",") {
				if _, ok := s.reviewer[r]; !ok {
					s.reviewer[r] = u.ID
				}
			}
		case u.Role == "supplier" && u.SupplierID != nil:
			if _, ok := s.primes[*u.SupplierID]; !ok {
				s.primes[*u.SupplierID] = u.ID
			}
		}
	}
	if s.admin == uuid.Nil {
		return fmt.Errorf("demo payments: no admin account")
	}
	var hash string
	now := time.Now().UTC()
	for _, p := range cat.primes {
		if _, ok := s.primes[p.id]; ok {
			continue
		}
		if hash == "" {
			h, err := auth.HashPassword(d.Password)
			if err != nil {
				return err
			}
			hash = h
		}
		id := ids.New()
		err := d.DB.WithContext(ctx).Exec(`INSERT INTO users (id, email, display_name, password_hash, role, supplier_id, regions, active, version, created_at, updated_at)
			VALUES (?, ?, 'Accounts team', ?, 'supplier', ?, '{}', true, 1, ?, ?)`, id, "accounts@"+slug(p.name)+".example.org", hash, p.id, now, now).Error
		if err != nil {
			return fmt.Errorf("demo accounts team of %s: %w", p.name, err)
		}
		s.primes[p.id] = id
	}
	return nil
}

// pick chooses a month's path: last month is still being requested and reviewed, the month before is
// partly approved and unpaid, earlier months are paid.
func (s *paymentSeed) pick(last, m calendar.Month, demoJ bool) path {
	n := s.r.IntN(100)
	switch {
	case m == last && demoJ:
		return pathNone // left for the demo prime to request
	case m == last:
		switch {
		case n < 15:
			return pathNone
		case n < 65:
			return pathSubmitted
		case n < 75:
			return pathQueried
		default:
			return pathApproved
		}
	case m == last.Prev():
		switch {
		case demoJ:
			return pathQueried
		case n < 85:
			return pathPaid
		case n < 90:
			return pathApproved // unpaid past its terms: overdue
		case n < 95:
			return pathQueriedPaid
		default:
			return pathQueried
		}
	case n < 8:
		return pathQueriedPaid
	}
	return pathPaid
}

// at returns a moment on day d: mid-morning UTC plus a few hours for later steps of the same day.
func at(d calendar.Date, step int) time.Time {
	return d.Time().Add(time.Duration(9+step) * time.Hour)
}

// step is one dated change of a demo request.
type step struct {
	to   payments.RequestStatus
	on   calendar.Date
	note string
}

// request adds one contract month's request (two for a rejected and replaced one) along the path.
func (s *paymentSeed) request(c contracts.WithYears, m calendar.Month, amount money.Pence, p path) {
	if p == pathNone {
		return
	}
	submitted := calendar.AddWorkingDays(m.Last(), 1+s.r.IntN(4))
	invoice := fmt.Sprintf("INV-%s-%d%02d", c.Reference, m.Year(), int(m.Month()))
	if p == pathRejectedReplaced {
		rejected := calendar.AddWorkingDays(submitted, 2+s.r.IntN(3))
		s.add(c, m, amount, invoice+"-A", []step{{payments.StatusSubmitted, submitted, ""},
			{payments.StatusRejected, rejected, "The invoice quotes last month's purchase order: please submit a new request with a corrected invoice."}})
		submitted, invoice, p = calendar.AddWorkingDays(rejected, 1), invoice+"-B", pathPaid
	}
	steps := []step{{payments.StatusSubmitted, submitted, ""}}
	decisionFrom := submitted
	switch p {
	case pathQueried, pathQueriedPaid:
		queried := calendar.AddWorkingDays(submitted, 1+s.r.IntN(3))
		if recent := calendar.AddWorkingDays(s.today, -1-s.r.IntN(4)); p == pathQueried && recent.After(queried) && s.r.IntN(6) > 0 {
			queried = recent // most open queries are days old; the odd one is overdue
		}
		steps = append(steps, step{payments.StatusQueried, queried, ""})
		if p == pathQueried {
			break
		}
		answered := calendar.AddWorkingDays(queried, 1+s.r.IntN(3))
		steps = append(steps, step{payments.StatusResponded, answered, ""})
		decisionFrom = answered
		fallthrough
	case pathPaid, pathApproved:
		approved := calendar.AddWorkingDays(decisionFrom, 2+s.r.IntN(5))
		steps = append(steps, step{payments.StatusApproved, approved, ""})
		if p != pathApproved {
			paid := calendar.AddWorkingDays(submitted.AddDays(18+s.r.IntN(4)), 1)
			if !paid.After(approved) {
				paid = calendar.AddWorkingDays(approved, 1)
			}
			steps = append(steps, step{payments.StatusPaid, paid, ""})
		}
	}
	s.add(c, m, amount, invoice, steps)
}

// add records a request whose history is the steps dated before today.
func (s *paymentSeed) add(c contracts.WithYears, m calendar.Month, amount money.Pence, invoice string, steps []step) {
	for len(steps) > 0 && !steps[len(steps)-1].on.Before(s.today) {
		steps = steps[:len(steps)-1]
	}
	if len(steps) == 0 {
		return
	}
	submitter := s.primes[c.Prime.ID]
	reviewer, ok := s.reviewer[c.Area.RegionCode]
	if !ok {
		reviewer = s.admin
	}
	first := at(steps[0].on, 0)
	r := demoRequest{ID: uuid.New(), ContractID: c.ID, RegionCode: c.Area.RegionCode, Kind: string(payments.KindMonthly), Period: m.First(),
		AmountPence: int64(amount), InvoiceReference: invoice, SubmittedBy: submitter, SubmittedAt: first, ValidAt: first, CreatedAt: first}
	from := ""
	q := s.r.IntN(len(demoQueries))
	for i, st := range steps {
		when := at(st.on, i)
		actor := submitter
		switch st.to {
		case payments.StatusQueried:
			actor = reviewer
			s.messages = append(s.messages, demoMessage{ID: ids.New(), RequestID: r.ID, Kind: string(payments.MessageQuery), Body: demoQueries[q], AuthorID: reviewer, CreatedAt: when})
			due := payments.ResponseDueOn(st.on)
			r.ResponseDueOn = &due
		case payments.StatusResponded:
			s.messages = append(s.messages, demoMessage{ID: ids.New(), RequestID: r.ID, Kind: string(payments.MessageResponse), Body: demoResponses[q], AuthorID: submitter, CreatedAt: when})
			r.ValidAt, r.ResponseDueOn = when, nil
		case payments.StatusApproved, payments.StatusRejected:
			actor = reviewer
			r.DecidedBy, r.DecidedAt = &reviewer, &when
			if st.note != "" {
				note := st.note
				r.RejectionReason = &note
			}
		case payments.StatusPaid:
			actor = s.admin
			on, rem := st.on, fmt.Sprintf("BACS-%s-%04d", st.on.String(), len(s.requests)%10000)
			r.PaidOn, r.PaidAt, r.PaidBy, r.RemittanceReference = &on, &when, &actor, &rem
		}
		ev := demoEvent{ID: ids.New(), RequestID: r.ID, ToStatus: string(st.to), ActorID: &actor, At: when}
		if from != "" {
			f := from
			ev.FromStatus = &f
		}
		if st.note != "" {
			note := st.note
			ev.Note = &note
		}
		s.events = append(s.events, ev)
		from = string(st.to)
		r.Status, r.UpdatedAt, r.Version = from, when, i+1
	}
	s.requests = append(s.requests, r)
}

// assignIDs gives the requests time-ordered ids in order of submission, so that lists (newest id
// first) show the latest submissions first.
func (s *paymentSeed) assignIDs() {
	slices.SortStableFunc(s.requests, func(a, b demoRequest) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	renamed := make(map[uuid.UUID]uuid.UUID, len(s.requests))
	for i := range s.requests {
		id := ids.New()
		renamed[s.requests[i].ID], s.requests[i].ID = id, id
	}
	for i := range s.events {
		s.events[i].RequestID = renamed[s.events[i].RequestID]
	}
	for i := range s.messages {
		s.messages[i].RequestID = renamed[s.messages[i].RequestID]
	}
}
