package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/reference"
)

// The demo referrals: every demo contract's referrals from the start of the contract year before the
// current one (so at least twelve months, and the last ended year whole) up to yesterday, in the
// states their age and chance give them, with every column, appointment, action plan, end-of-service
// report and a few case notes that their status implies, written as the referrals service writes
// them (store.go, store_workflow.go, service_*.go). Each referral's whole workflow is planned first
// (ideal), then cut at its withdrawal or at now, and the status and columns follow from the events
// before the cut, as the service's transitions would have set them. Everything is generated in Go
// from a fixed seed (dates relative to today) and loaded with COPY in one transaction (see
// rsLoadedTables), so that the whole demo seed stays within seconds. The referrals' practitioners
// are invented users of each region (and, for about 6 % of London and Kent, Surrey and Sussex
// referrals, practitioner@demo.test); their caseworkers are the demo supplier accounts for a good
// share of their organisations' referrals and otherwise invented caseworkers of each prime.
//
// The bulk rows have no audit events: the audit trail records what people did through the services,
// and these rows were not made that way. A demo referral's history endpoint answers an empty
// timeline; its detail, lists, timeliness and counting are complete.
//
// Sizing (DOMAIN, "Sizing a realistic dataset"): each contract receives, pro rata over the period,
// its estimated annual referrals times a utilisation factor from 0.5 to 1.1. The factor is drawn as
// 0.5 + 0.6 * cbrt(u), not uniformly: the demo contracts' estimates add up to about 78,600 a year,
// so uniform factors (mean 0.8) would give about 63,000, below DOMAIN's national 70,000 to 90,000; the
// skewed draw (mean 0.95) still leaves well over half the contracts under their estimate, some at
// half of it. The factor fixes the counted referrals exactly; referrals withdrawn as ineligible or by
// mistake (which do not count) come on top, about 3 %.

// rsSeed fixes the referral generator's stream, independent of the catalogue's, so that the referrals
// do not change when another part of the seed draws more or fewer numbers.
var rsSeed = [2]uint64{2021, 4409}

// The event kinds of a referral's timeline.
const (
	rsEvAssign uint8 = iota
	rsEvBook
	rsEvChange
	rsEvRecord
	rsEvSubmit
	rsEvApprove
	rsEvReport
)

// The fates a referral is drawn with before its timeline is cut at today (or at its withdrawal).
const (
	rsFateComplete   = iota // every planned session attended, then the end-of-service report
	rsFateCancelled         // withdrawn before any session was attended: concluded CANCELLED
	rsFatePremature         // withdrawn after some sessions: report, then PREMATURELY_ENDED
	rsFateNotCounted        // withdrawn soon after sending as ineligible or a mistake: counted = false
)

// referralSeed generates the demo referrals and their rows.
type referralSeed struct {
	// r is the generator in use: main, or a referral's own stream (per, from pcg), seeded from main,
	// so that what the clock changes in one referral (how far its workflow got) never shifts the
	// draws of the next ones: on a given day the dataset is the same.
	r, main, per *rand.Rand
	pcg          *rand.PCG
	ref          *reference.Data
	cat          *catalogue
	london       *time.Location
	now          time.Time
	cal          *rsCal
	today        int // day index of today
	first        int // day index of the first day of the window
	scale        float64

	demo struct{ prime, sub, other, practitioner uuid.UUID }
	// practitioners by region; caseworkers by prime supplier.
	practitioners map[string][]uuid.UUID
	caseworkers   map[*supplierPlan][]uuid.UUID
	hash          string

	crns, refs map[string]bool
	work       rsWork
	dayCum     []float64

	users    []rsUser
	rows     []rsReferral
	services []rsService
	appts    []rsAppt
	apptRef  []uuid.UUID // the referral of each appointment
	apptBy   []uuid.UUID // the caseworker who booked and recorded it
	plans    []rsPlan
	planRef  []uuid.UUID
	planBy   []uuid.UUID
	planAppr []uuid.UUID
	reports  []rsReport
	notes    []rsNote
}

// rsWork is one referral's full timeline before the cut, reused from referral to referral.
type rsWork struct {
	events        []rsEvent
	appts         []rsAppt
	plans         []rsPlan
	sessions      int
	firstAttended time.Time
	attendedRec   []time.Time // when the k-th attended session was recorded
	nextBook      []time.Time // when the appointment after the k-th attended session was booked
}

func (w *rsWork) add(at time.Time, kind uint8, i int) {
	w.events = append(w.events, rsEvent{at: at, kind: kind, i: i})
}

// seedReferrals creates the demo's practitioners, the primes' caseworkers and about twelve months of
// referrals on every contract of cat, with their workflow records, then analyses the tables.
func seedReferrals(ctx context.Context, d Deps, cat *catalogue) error {
	now := time.Now().UTC()
	if d.Now != nil {
		now = d.Now().UTC()
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return fmt.Errorf("demo referrals: %w", err)
	}
	today := calendar.BusinessDay(now)
	// Referrals start with the contract year before the current one, so that the last ended year is
	// complete (its year-end settlement then reflects the demo's volumes, not a missing half-year).
	firstDay := today.AddYears(-1)
	if years, err := contracts.Years(serviceStart, extension1[1]); err == nil {
		if y, ok := contracts.YearOn(years, firstDay); ok {
			firstDay = y.Start
		}
	}
	base := firstDay.AddDays(-30)
	pcg := rand.NewPCG(0, 0)
	g := &referralSeed{main: rand.New(rand.NewPCG(rsSeed[0], rsSeed[1])), pcg: pcg, per: rand.New(pcg), ref: d.Ref, cat: cat, london: london, now: now,
		cal: &rsCal{base: base}, practitioners: map[string][]uuid.UUID{}, caseworkers: map[*supplierPlan][]uuid.UUID{},
		crns: map[string]bool{}, refs: map[string]bool{}}
	g.r = g.main
	g.scale = d.Scale
	if g.scale <= 0 || g.scale > 1 {
		g.scale = 1
	}
	g.today = base.DaysUntil(today)
	g.first = base.DaysUntil(firstDay)
	if err := g.loadDemoUsers(ctx, d); err != nil {
		return err
	}
	if g.hash, err = auth.HashPassword(d.Password); err != nil {
		return err
	}
	counts := g.planVolumes()
	g.planUsers(counts)
	total := 0
	for _, c := range counts {
		total += c[0] + c[1]
	}
	g.rows = make([]rsReferral, 0, total+8)
	g.services = make([]rsService, 0, total*3/2)
	g.appts = make([]rsAppt, 0, total*6)
	g.apptRef, g.apptBy = make([]uuid.UUID, 0, total*6), make([]uuid.UUID, 0, total*6)
	g.plans = make([]rsPlan, 0, total)
	g.planRef, g.planBy, g.planAppr = make([]uuid.UUID, 0, total), make([]uuid.UUID, 0, total), make([]uuid.UUID, 0, total)
	g.reports = make([]rsReport, 0, total*2/3)
	for i, c := range cat.contracts {
		g.contract(c, counts[i][0], counts[i][1])
	}
	g.drafts()
	return g.load(ctx, d)
}

func (g *referralSeed) loadDemoUsers(ctx context.Context, d Deps) error {
	var users []struct {
		ID    uuid.UUID
		Email string
	}
	err := d.DB.WithContext(ctx).Raw(`SELECT id, email FROM users WHERE email IN ?`,
		[]string{"prime@demo.test", "subcontractor@demo.test", "other-supplier@demo.test", "practitioner@demo.test"}).Scan(&users).Error
	if err != nil {
		return fmt.Errorf("demo referrals: read the demo accounts: %w", err)
	}
	for _, u := range users {
		switch u.Email {
		case "prime@demo.test":
			g.demo.prime = u.ID
		case "subcontractor@demo.test":
			g.demo.sub = u.ID
		case "other-supplier@demo.test":
			g.demo.other = u.ID
		case "practitioner@demo.test":
			g.demo.practitioner = u.ID
		}
	}
	if g.demo.prime == uuid.Nil || g.demo.sub == uuid.Nil || g.demo.other == uuid.Nil || g.demo.practitioner == uuid.Nil {
		return fmt.Errorf("demo referrals: the demo accounts must exist first")
	}
	return nil
}

// planVolumes draws each contract's counted referrals over the window (its estimate times a
// utilisation factor, kept within 50 % to 110 % of the pro-rata estimate) and its uncounted ones.
func (g *referralSeed) planVolumes() [][2]int {
	days := float64(g.today - g.first)
	out := make([][2]int, len(g.cat.contracts))
	for i, c := range g.cat.contracts {
		factor := 0.5 + 0.6*math.Cbrt(g.r.Float64())
		expected := float64(c.estimate) * days / 365 * g.scale
		n := int(math.Round(expected * factor))
		n = min(max(n, int(math.Ceil(expected*0.5))), int(math.Floor(expected*1.1)))
		extra := int(math.Round(float64(n) * (0.02 + 0.02*g.r.Float64())))
		out[i] = [2]int{n, extra}
	}
	return out
}

// contract generates the counted and uncounted referrals of one contract.
func (g *referralSeed) contract(c *contractPlan, counted, extra int) {
	if g.dayCum == nil {
		g.dayCum = g.dayWeights()
	}
	cum := g.dayCum
	total := cum[len(cum)-1]
	days := make([]int, 0, counted+extra)
	for range counted + extra {
		days = append(days, g.first+sort.SearchFloat64s(cum, g.r.Float64()*total))
	}
	slices.Sort(days)
	// The uncounted ones are spread among the counted, by position.
	notCounted := map[int]bool{}
	for len(notCounted) < extra {
		notCounted[g.r.IntN(len(days))] = true
	}
	for k, day := range days {
		fate := rsFateNotCounted
		if !notCounted[k] {
			fate = []int{rsFateComplete, rsFateCancelled, rsFatePremature}[g.weighted(59, 24, 17)]
		}
		g.pcg.Seed(g.main.Uint64(), g.main.Uint64())
		g.r = g.per
		g.referral(c, day, fate)
		g.r = g.main
	}
}
