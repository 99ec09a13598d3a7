package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/auth"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/referrals"
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

type rsEvent struct {
	at   time.Time
	kind uint8
	i    int
}

type rsAppt struct {
	id                     uuid.UUID
	kind                   referrals.AppointmentKind
	n                      int
	created, start         time.Time
	dur                    int
	method                 referrals.Method
	address                string
	prevStart              time.Time // zero unless rescheduled
	prevMethod             referrals.Method
	changeAt               time.Time
	changeBy               referrals.RequestedBy
	changeReason           string
	changeID               uuid.UUID
	att                    referrals.Attendance
	recorded               time.Time
	booked, changed, saved bool // applied before the cut
}

type rsPlan struct {
	id                    uuid.UUID
	submitted, approved   time.Time // approved is zero for a superseded version
	sessions              int
	activities            []byte
	subApplied, apApplied bool
}

// rsReferral is one referral's row.
type rsReferral struct {
	id, contractID, practitioner, caseworker uuid.UUID
	reference, region, status, endState, crn string
	first, last, sex, ethnicity, language    string
	interpreter                              bool
	disabilities, access, pcc, setting       string
	prison, reason, risk, further            string
	commitments                              []byte
	dob, release, deadline                   calendar.Date
	maxDays, version                         int
	counted                                  bool
	sentAt, assignedAt, planAt, approvedAt   time.Time
	reportAt, withdrawnAt, concludedAt       time.Time
	createdAt, updatedAt                     time.Time
	sentOn, assessmentDue, assessedOn        calendar.Date
	planDue, endedOn, reportDue              calendar.Date
	wReason, wComment                        string
}

type rsService struct {
	referral             uuid.UUID
	category, complexity string
	outcomes             []uuid.UUID
}

type rsReport struct {
	referral, by uuid.UUID
	outcomes     []byte
	further      string
	at           time.Time
}

type rsNote struct {
	id, referral, author uuid.UUID
	subject, body        string
	at                   time.Time
}

type rsUser struct {
	id                uuid.UUID
	email, name, role string
	supplier          *uuid.UUID
	regions           []string
}

// rsCal caches England and Wales working days by day index from base (AddWorkingDays' rules).
type rsCal struct {
	base    calendar.Date
	dates   []calendar.Date
	working []bool
}

func (c *rsCal) ensure(i int) {
	for len(c.dates) <= i {
		d := c.base.AddDays(len(c.dates))
		c.dates = append(c.dates, d)
		c.working = append(c.working, calendar.IsWorkingDay(d))
	}
}

func (c *rsCal) date(i int) calendar.Date { c.ensure(i); return c.dates[i] }

func (c *rsCal) isWorking(i int) bool { c.ensure(i); return c.working[i] }

// addWD is calendar.AddWorkingDays on day indexes.
func (c *rsCal) addWD(i, n int) int {
	for n > 0 {
		i++
		if c.isWorking(i) {
			n--
		}
	}
	return i
}

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
		expected := float64(c.estimate) * days / 365
		n := int(math.Round(expected * factor))
		n = min(max(n, int(math.Ceil(expected*0.5))), int(math.Floor(expected*1.1)))
		extra := int(math.Round(float64(n) * (0.02 + 0.02*g.r.Float64())))
		out[i] = [2]int{n, extra}
	}
	return out
}

// newID returns a UUIDv7 of instant t (as ids.New would have made at that time) whose random bits
// come from the seeded generator.
func (g *referralSeed) newID(t time.Time) uuid.UUID {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		u[i] = byte(ms >> (40 - 8*i))
	}
	a, b := g.r.Uint64(), g.r.Uint64()
	for i := 0; i < 8; i++ {
		u[6+i] = byte(a >> (8 * i))
	}
	u[14], u[15] = byte(b), byte(b>>8)
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (g *referralSeed) regionOf(c *contractPlan) string {
	if c.pcc != "" {
		a, _ := g.ref.PCCArea(c.pcc)
		return a.RegionCode
	}
	return c.region
}

// planUsers creates the practitioners of every region and the caseworkers of every prime holding a
// contract, in proportion to their volumes; they sign in with the demo password.
func (g *referralSeed) planUsers(counts [][2]int) {
	regionVolume := map[string]int{}
	primeVolume := map[*supplierPlan]int{}
	for i, c := range g.cat.contracts {
		regionVolume[g.regionOf(c)] += counts[i][0]
		primeVolume[c.prime] += counts[i][0]
	}
	created := g.now.Add(-400 * 24 * time.Hour)
	for _, reg := range g.ref.Regions {
		if regionVolume[reg.Code] == 0 {
			continue
		}
		n := 6 + regionVolume[reg.Code]/600
		for k := 1; k <= n; k++ {
			u := rsUser{id: g.newID(created), role: "practitioner", regions: []string{reg.Code},
				email: fmt.Sprintf("practitioner%d.%s@probation.example.org", k, strings.ToLower(reg.Code)),
				name:  fmt.Sprintf("Practitioner %d (%s)", k, reg.Name)}
			g.users = append(g.users, u)
			g.practitioners[reg.Code] = append(g.practitioners[reg.Code], u.id)
		}
	}
	for _, p := range g.cat.primes {
		if primeVolume[p] == 0 {
			continue
		}
		n := min(max(2+primeVolume[p]/1000, 3), 10)
		for k := 1; k <= n; k++ {
			id := p.id
			u := rsUser{id: g.newID(created), role: "supplier", supplier: &id,
				email: fmt.Sprintf("caseworker%d@%s.example.org", k, slug(p.name)),
				name:  fmt.Sprintf("Caseworker %d (%s)", k, p.name)}
			g.users = append(g.users, u)
			g.caseworkers[p] = append(g.caseworkers[p], u.id)
		}
	}
}

// at returns the instant of minute m (from midnight, London time) of day i.
func (g *referralSeed) at(i, m int) time.Time {
	d := g.cal.date(i)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, m, 0, 0, g.london).UTC()
}

// dayOf returns the day index of t's London date.
func (g *referralSeed) dayOf(t time.Time) int {
	return g.cal.base.DaysUntil(calendar.BusinessDay(t))
}

// after returns t, or a little after prev when t is not after it.
// after returns t, or a little after prev when t is not after it, in office hours.
func (g *referralSeed) after(prev, t time.Time) time.Time {
	if !t.After(prev) {
		t = prev.Add(time.Duration(10+g.r.IntN(110)) * time.Minute)
	}
	return g.office(t)
}

// office returns t to the minute when it falls in office hours (08:30 to 18:30, London, on a
// working day), or else a time early on the next working day: supplier staff and practitioners work
// referrals in office hours.
func (g *referralSeed) office(t time.Time) time.Time {
	lt := t.In(g.london)
	day := g.dayOf(t)
	switch m := lt.Hour()*60 + lt.Minute(); {
	case !g.cal.isWorking(day) || m >= 18*60+30:
		return g.at(g.cal.addWD(day, 1), 8*60+30+g.r.IntN(120))
	case m < 8*60+30:
		return g.at(day, 8*60+30+g.r.IntN(90))
	}
	return t.Truncate(time.Minute)
}

// between returns a time in office hours from lo to hi, or lo's minute when there is none.
func (g *referralSeed) between(lo, hi time.Time) time.Time {
	t := g.office(lo.Add(time.Duration(g.r.Float64() * float64(hi.Sub(lo)))))
	if !t.Before(hi) || t.Before(lo) {
		return lo.Truncate(time.Minute).Add(time.Minute)
	}
	return t
}

// weighted draws an index with the given weights.
func (g *referralSeed) weighted(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// dayWeights returns the window's cumulative weights: working days count fully, weekends and bank
// holidays lightly, and the days between Christmas and New Year at half.
func (g *referralSeed) dayWeights() []float64 {
	cum := make([]float64, g.today-g.first)
	total := 0.0
	for k := range cum {
		i := g.first + k
		d := g.cal.date(i)
		w := 1.0
		switch {
		case !g.cal.isWorking(i) && (d.Weekday() == time.Saturday || d.Weekday() == time.Sunday):
			w = 0.06
		case !g.cal.isWorking(i):
			w = 0.04
		case d.Month() == time.December && d.Day() >= 24 || d.Month() == time.January && d.Day() <= 2:
			w = 0.5
		}
		total += w
		cum[k] = total
	}
	return cum
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

func (g *referralSeed) newCRN() string {
	for {
		crn := fmt.Sprintf("%c%06d", 'A'+rune(g.r.IntN(26)), g.r.IntN(1000000))
		if !g.crns[crn] {
			g.crns[crn] = true
			return crn
		}
	}
}

func (g *referralSeed) newReference(ctype string) string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ" // referrals.NewReference's: no I or O
	for {
		ref := fmt.Sprintf("%c%c%04d%s", letters[g.r.IntN(len(letters))], letters[g.r.IntN(len(letters))], g.r.IntN(10000), ctype[:2])
		if !g.refs[ref] {
			g.refs[ref] = true
			return ref
		}
	}
}

// person fills in the person, their needs and the referral's free text, eligible for the contract on
// the day it is sent.
func (g *referralSeed) person(x *rsReferral, c *contractPlan, sentOn calendar.Date) {
	r := g.r
	female := !slices.Contains(c.sexes, contracts.SexMale) || (slices.Contains(c.sexes, contracts.SexFemale) && r.IntN(100) < 16)
	x.sex = string(contracts.SexMale)
	if female {
		x.sex = string(contracts.SexFemale)
	}
	x.first, x.last = synthFirstName(r, female), synthSurname(r)
	hi := 68
	if c.maxAge != nil {
		hi = *c.maxAge
	}
	age := c.minAge + int(float64(hi-c.minAge+1)*math.Pow(r.Float64(), 1.5))
	x.dob = sentOn.AddYears(-age).AddDays(-r.IntN(365))
	ethnicities := rsEthnicities
	if x.region == "J" {
		ethnicities = rsEthnicitiesLondon
	}
	x.ethnicity = ethnicities[g.weighted(rsWeightsOf(ethnicities)...)].text
	x.language, x.interpreter = "English", false
	switch n := r.IntN(100); {
	case x.region == "D" && n < 8:
		x.language = "Welsh"
	case n >= 91:
		x.language = pickString(r, rsLanguages)
		x.interpreter = r.IntN(10) < 7
	}
	if r.IntN(4) == 0 {
		x.disabilities = pickString(r, rsDisabilities)
	}
	if r.IntN(7) == 0 {
		x.access = pickString(r, rsAccessNeeds)
	}
	x.commitments = []byte("[]")
	if r.IntN(5) == 0 {
		x.commitments, _ = json.Marshal([]referrals.Commitment{rsCommitments[r.IntN(len(rsCommitments))]})
	}
	x.pcc = c.pcc
	if x.pcc == "" {
		areas := g.ref.PCCAreasOf(x.region)
		x.pcc = areas[r.IntN(len(areas))].Code
	}
	switch g.weighted(50, 40, 10) {
	case 0:
		x.setting, x.maxDays = string(referrals.SettingCommunity), 10+5*r.IntN(7)
	case 1:
		x.setting, x.maxDays = string(referrals.SettingLicence), 10+5*r.IntN(5)
	default:
		x.setting, x.maxDays = string(referrals.SettingPreRelease), 10+5*r.IntN(3)
		x.prison = "HMP " + strings.Fields(pickString(r, placeWords))[0]
		x.release = sentOn.AddDays(14 + r.IntN(70))
	}
	x.deadline = sentOn.AddDays(91 + r.IntN(92))
	if end := extension1[1]; x.deadline.After(end) {
		x.deadline = end
	}
	x.reason = pickString(r, rsReasons[c.ctype])
	x.risk = pickString(r, rsRisks)
	if r.IntN(3) == 0 {
		x.further = pickString(r, rsFurther)
	}
}

// services picks the referral's service categories (one, or for personal wellbeing and women's
// services sometimes two), a complexity level each and one to three desired outcomes each.
func (g *referralSeed) pickServices(x *rsReferral, c *contractPlan) (n int) {
	r := g.r
	ct, _ := g.ref.ContractType(c.ctype)
	cats := []string{ct.Categories[r.IntN(len(ct.Categories))]}
	if len(ct.Categories) > 1 && (c.ctype == "WOS" && r.IntN(2) == 0 || c.ctype != "WOS" && r.IntN(10) < 3) {
		for {
			other := ct.Categories[r.IntN(len(ct.Categories))]
			if other != cats[0] {
				cats = append(cats, other)
				break
			}
		}
	}
	for _, code := range cats {
		cat, _ := g.ref.Category(code)
		k := 1 + g.weighted(40, 40, 20)
		k = min(k, len(cat.Outcomes))
		picked := r.Perm(len(cat.Outcomes))[:k]
		slices.Sort(picked)
		s := rsService{referral: x.id, category: code, complexity: []string{"LOW", "MEDIUM", "HIGH"}[g.weighted(35, 45, 20)]}
		for _, p := range picked {
			s.outcomes = append(s.outcomes, cat.Outcomes[p].ID)
		}
		g.services = append(g.services, s)
	}
	return len(cats)
}

// caseworker chooses who works the referral: the demo supplier accounts take a good share of their
// organisations' referrals, the primes' caseworkers the rest.
func (g *referralSeed) caseworker(c *contractPlan) uuid.UUID {
	r := g.r
	if containsPlan(c.subs, g.cat.demoSub) && r.IntN(100) < 20 {
		return g.demo.sub
	}
	switch {
	case c.prime == g.cat.demoPrime && r.IntN(100) < 45:
		return g.demo.prime
	case c.prime == g.cat.otherPrime && r.IntN(100) < 30:
		return g.demo.other
	}
	pool := g.caseworkers[c.prime]
	return pool[r.IntN(len(pool))]
}

// appointment plans an appointment booked at created for day (moved later when too soon), possibly
// rescheduled once.
func (g *referralSeed) appointment(kind referrals.AppointmentKind, n int, created time.Time, day int) rsAppt {
	r := g.r
	if day <= g.dayOf(created) {
		day = g.cal.addWD(g.dayOf(created), 1)
	}
	slot := 9*60 + 30 + 30*r.IntN(14)
	a := rsAppt{kind: kind, n: n, created: created, start: g.at(day, slot)}
	if kind == referrals.KindAssessment {
		a.dur = []int{60, 90, 45}[g.weighted(60, 25, 15)]
	} else {
		a.dur = []int{60, 45, 90, 120}[g.weighted(50, 20, 20, 10)]
	}
	a.method = []referrals.Method{referrals.MethodInPerson, referrals.MethodPhone, referrals.MethodVideo}[g.weighted(55, 25, 20)]
	if r.IntN(100) < 8 {
		a.prevStart, a.prevMethod = a.start, a.method
		a.changeAt = g.between(created, a.prevStart.Add(-time.Hour))
		a.start = g.at(g.cal.addWD(day, 1+r.IntN(5)), 9*60+30+30*r.IntN(14))
		if r.IntN(10) < 3 {
			a.method = []referrals.Method{referrals.MethodInPerson, referrals.MethodPhone, referrals.MethodVideo}[r.IntN(3)]
		}
		by := g.weighted(35, 15, 50)
		a.changeBy = []referrals.RequestedBy{referrals.RequestedBySupplier, referrals.RequestedByPractitioner, referrals.RequestedByPersonOnProbation}[by]
		a.changeReason = pickString(r, rsRescheduleReasons[by])
	}
	if a.method == referrals.MethodInPerson {
		a.address = fmt.Sprintf("%d %s Road, %s", 1+r.IntN(180), strings.Fields(pickString(r, placeWords))[0], pickString(r, towns))
	}
	a.recorded = g.office(a.start.Add(time.Duration(a.dur+10+r.IntN(230)) * time.Minute))
	return a
}

func (g *referralSeed) attendance(missWeight int) referrals.Attendance {
	return []referrals.Attendance{referrals.AttendedYes, referrals.AttendedLate, referrals.AttendedNo}[g.weighted(94-missWeight, 6, missWeight)]
}

func (g *referralSeed) bookAppt(w *rsWork, a rsAppt) int {
	w.appts = append(w.appts, a)
	i := len(w.appts) - 1
	w.add(a.created, rsEvBook, i)
	if !a.changeAt.IsZero() {
		w.add(a.changeAt, rsEvChange, i)
	}
	w.add(a.recorded, rsEvRecord, i)
	return i
}

// ideal plans the referral's whole workflow as if nothing stopped it: assignment, the initial
// assessment (missed sometimes, then booked again), the action plan (sometimes a second version),
// its approval, every session until all are attended, and the end-of-service report.
func (g *referralSeed) ideal(w *rsWork, x *rsReferral, c *contractPlan, categories int) {
	r := g.r
	w.events, w.appts, w.plans, w.attendedRec, w.nextBook = w.events[:0], w.appts[:0], w.plans[:0], w.attendedRec[:0], w.nextBook[:0]
	w.firstAttended = time.Time{}
	sentDay := g.dayOf(x.sentAt)

	assignAt := g.after(x.sentAt, g.at(g.cal.addWD(sentDay, g.weighted(35, 40, 15, 10)), 9*60+r.IntN(510)))
	w.add(assignAt, rsEvAssign, 0)

	// The initial assessment: mostly inside the ten working days, some later.
	bookAt := g.office(assignAt.Add(time.Duration(10+r.IntN(230)) * time.Minute))
	if r.IntN(3) == 0 {
		bookAt = g.after(assignAt, g.at(g.cal.addWD(g.dayOf(assignAt), 1), 9*60+r.IntN(480)))
	}
	var assessed rsAppt
	for attempt := 0; ; attempt++ {
		var day int
		if attempt == 0 {
			m := 3 + r.IntN(7)
			if r.IntN(100) < 15 {
				m = 10 + r.IntN(6)
			}
			day = g.cal.addWD(sentDay, m)
		} else {
			day = g.cal.addWD(g.dayOf(bookAt), 2+r.IntN(5))
		}
		a := g.appointment(referrals.KindAssessment, 0, bookAt, day)
		a.att = g.attendance([]int{9, 5, 0}[min(attempt, 2)])
		g.bookAppt(w, a)
		if a.att.Attended() {
			assessed = a
			break
		}
		bookAt = g.after(a.recorded, g.at(g.cal.addWD(g.dayOf(a.recorded), r.IntN(2)), 9*60+r.IntN(480)))
	}

	// The action plan, due five working days after the assessment.
	assessedDay := g.dayOf(assessed.start)
	k := g.weighted(20, 65, 15)
	switch k {
	case 1:
		k = 1 + r.IntN(5)
	case 2:
		k = 6 + r.IntN(5)
	}
	sessions := rsSessionsBase[c.ctype] + r.IntN(rsSessionsSpan[c.ctype]) + categories - 1
	subAt := g.after(assessed.recorded, g.at(g.cal.addWD(assessedDay, k), 10*60+r.IntN(420)))
	w.plans = append(w.plans, rsPlan{submitted: subAt, sessions: sessions, activities: g.activities(c)})
	w.add(subAt, rsEvSubmit, 0)
	if r.IntN(10) == 0 {
		subAt = g.after(subAt, g.at(g.cal.addWD(g.dayOf(subAt), 1+r.IntN(4)), 10*60+r.IntN(420)))
		sessions = max(1, sessions+r.IntN(5)-2)
		w.plans = append(w.plans, rsPlan{submitted: subAt, sessions: sessions, activities: g.activities(c)})
		w.add(subAt, rsEvSubmit, 1)
	}
	approveAt := g.after(subAt, g.at(g.cal.addWD(g.dayOf(subAt), r.IntN(5)), 9*60+r.IntN(540)))
	w.plans[len(w.plans)-1].approved = approveAt
	w.add(approveAt, rsEvApprove, len(w.plans)-1)
	w.sessions = sessions

	// The sessions, each booked once the one before is recorded; a missed one is booked again.
	bookAt = g.after(approveAt, g.at(g.cal.addWD(g.dayOf(approveAt), r.IntN(3)), 9*60+r.IntN(480)))
	attended, misses := 0, 0
	var last rsAppt
	for attended < sessions {
		a := g.appointment(referrals.KindSession, attended+1, bookAt, g.cal.addWD(g.dayOf(bookAt), 2+r.IntN(6)))
		a.att = g.attendance([]int{14, 8, 0}[min(misses, 2)])
		g.bookAppt(w, a)
		if a.att.Attended() {
			attended, misses, last = attended+1, 0, a
			w.attendedRec = append(w.attendedRec, a.recorded)
			if w.firstAttended.IsZero() {
				w.firstAttended = a.start
			}
		} else {
			misses++
		}
		if attended == sessions {
			break
		}
		bookAt = g.after(a.recorded, a.recorded.Add(time.Duration(30+r.IntN(47*60))*time.Minute))
		if a.att.Attended() {
			w.nextBook = append(w.nextBook, bookAt)
		}
	}
	// The end-of-service report, due five working days after the last session.
	k = g.weighted(65, 15, 20)
	switch k {
	case 0:
		k = 1 + r.IntN(4)
	case 1:
		k = 5
	default:
		k = 6 + r.IntN(7)
	}
	reportAt := g.after(last.recorded, g.at(g.cal.addWD(g.dayOf(last.start), k), 10*60+r.IntN(420)))
	w.add(reportAt, rsEvReport, 0)
}

func (g *referralSeed) activities(c *contractPlan) []byte {
	pool := rsActivities[c.ctype]
	n := 1 + g.r.IntN(3)
	var out []referrals.Activity
	for _, i := range g.r.Perm(len(pool))[:n] {
		out = append(out, referrals.Activity{Description: pool[i]})
	}
	b, _ := json.Marshal(out)
	return b
}

// referral generates one referral sent on day, with its fate, and appends its rows.
func (g *referralSeed) referral(c *contractPlan, day int, fate int) {
	r := g.r
	sentOn := g.cal.date(day)
	minute := 8*60 + r.IntN(630)
	if !g.cal.isWorking(day) {
		minute = 9*60 + r.IntN(480)
	}
	sentAt := g.at(day, minute)
	created := sentAt.Add(-time.Duration(5+r.IntN(3*24*60)) * time.Minute)
	x := rsReferral{id: g.newID(created), contractID: c.id, region: g.regionOf(c), status: string(referrals.StatusSent),
		crn: g.newCRN(), reference: g.newReference(c.ctype), counted: true, sentAt: sentAt, sentOn: sentOn,
		assessmentDue: g.cal.date(g.cal.addWD(day, referrals.AssessmentWorkingDays)), createdAt: created, updatedAt: sentAt}
	x.version = 5 + r.IntN(5) // created, three to seven draft updates, sent
	pool := g.practitioners[x.region]
	x.practitioner = pool[r.IntN(len(pool))]
	if (x.region == "J" || x.region == "K") && r.IntN(100) < 6 {
		x.practitioner = g.demo.practitioner
	}
	g.person(&x, c, sentOn)
	categories := g.pickServices(&x, c)
	caseworker := g.caseworker(c)

	w := &g.work
	g.ideal(w, &x, c, categories)

	// When the referral stops: its withdrawal (if already past) or now.
	var withdraw time.Time
	switch fate {
	case rsFateCancelled:
		span := w.firstAttended.Sub(sentAt)
		withdraw = g.office(sentAt.Add(time.Hour + time.Duration(math.Pow(r.Float64(), 1.4)*float64(span-2*time.Hour))))
		if !withdraw.Before(w.firstAttended) {
			withdraw = w.firstAttended.Add(-time.Hour)
		}
		x.wReason = rsCancelReasons[g.weighted(rsWeightsOfReasons(rsCancelReasons)...)].code
	case rsFatePremature:
		if len(w.nextBook) == 0 { // a one-session plan cannot end early: it completes
			break
		}
		k := r.IntN(len(w.nextBook))
		from, to := w.attendedRec[k], w.nextBook[k]
		withdraw = g.between(from, to)
		x.wReason = rsPrematureReasons[g.weighted(rsWeightsOfReasons(rsPrematureReasons)...)].code
	case rsFateNotCounted:
		withdraw = g.office(sentAt.Add(time.Duration(30+r.IntN(10*24*60)) * time.Minute))
		if !withdraw.Before(g.now) {
			withdraw = g.between(sentAt, g.now)
		}
		if !withdraw.Before(w.firstAttended) { // found out before any session
			withdraw = w.firstAttended.Add(-time.Hour)
		}
		x.wReason = []string{"INE", "MIS"}[r.IntN(2)]
	}
	cut := g.now
	if !withdraw.IsZero() && withdraw.Before(cut) {
		cut = withdraw
	} else {
		withdraw, x.wReason = time.Time{}, ""
	}

	attended, lastDay := 0, 0
	for _, e := range w.events {
		if e.at.After(cut) {
			break
		}
		switch e.kind {
		case rsEvAssign:
			x.status, x.caseworker, x.assignedAt = string(referrals.StatusAssigned), caseworker, e.at
		case rsEvBook:
			w.appts[e.i].booked = true
			if w.appts[e.i].kind == referrals.KindAssessment {
				x.status = string(referrals.StatusAssessmentBooked)
			}
		case rsEvChange:
			w.appts[e.i].changed = true
		case rsEvRecord:
			a := &w.appts[e.i]
			a.saved = true
			switch {
			case a.kind == referrals.KindAssessment && a.att.Attended():
				x.status = string(referrals.StatusAssessed)
				x.assessedOn = calendar.BusinessDay(a.start)
				x.planDue = g.cal.date(g.cal.addWD(g.dayOf(a.start), referrals.ActionPlanWorkingDays))
			case a.kind == referrals.KindAssessment:
				x.status = string(referrals.StatusAssigned)
			default:
				x.status = string(referrals.StatusInDelivery)
				if a.att.Attended() {
					attended++
					lastDay = max(lastDay, g.dayOf(a.start))
					if attended == w.sessions {
						x.status = string(referrals.StatusAwaitingEndOfServiceReport)
						x.endedOn = g.cal.date(lastDay)
						x.reportDue = g.cal.date(g.cal.addWD(lastDay, referrals.EndOfServiceReportWorkingDays))
					}
				}
			}
		case rsEvSubmit:
			x.status = string(referrals.StatusActionPlanSubmitted)
			w.plans[e.i].subApplied = true
			if x.planAt.IsZero() {
				x.planAt = e.at
			}
		case rsEvApprove:
			x.status, x.approvedAt = string(referrals.StatusActionPlanApproved), e.at
			w.plans[e.i].apApplied = true
		case rsEvReport:
			g.report(&x, e.at, caseworker, referrals.EndStateFor(attended, w.sessions))
		}
		x.version++
		x.updatedAt = e.at
	}
	if !withdraw.IsZero() {
		x.withdrawnAt, x.wComment = withdraw, ""
		if r.IntN(10) < 6 {
			x.wComment = pickString(r, rsWithdrawalComments[x.wReason])
		}
		if x.wReason == "INE" || x.wReason == "MIS" {
			x.counted = false
		}
		wday := g.dayOf(withdraw)
		if x.endedOn.IsZero() {
			x.endedOn = g.cal.date(wday)
		}
		x.version++
		x.updatedAt = withdraw
		if attended == 0 {
			x.status, x.endState, x.concludedAt = string(referrals.StatusConcluded), string(referrals.EndCancelled), withdraw
		} else {
			x.status = string(referrals.StatusAwaitingEndOfServiceReport)
			x.reportDue = g.cal.date(g.cal.addWD(wday, referrals.EndOfServiceReportWorkingDays))
			k := []int{1 + r.IntN(4), 5, 6 + r.IntN(7)}[g.weighted(65, 15, 20)]
			at := g.after(withdraw, g.at(g.cal.addWD(wday, k), 10*60+r.IntN(420)))
			if at.Before(g.now) {
				g.report(&x, at, caseworker, referrals.EndStateFor(attended, w.sessions))
				x.version++
				x.updatedAt = at
			}
		}
	}
	g.keep(&x, w, caseworker)
	g.caseNotes(&x, caseworker)
	g.rows = append(g.rows, x)
}

// report submits the end-of-service report, rating every desired outcome, and concludes.
func (g *referralSeed) report(x *rsReferral, at time.Time, by uuid.UUID, end referrals.EndState) {
	r := g.r
	weights := []int{55, 35, 10}
	if end != referrals.EndCompleted {
		weights = []int{10, 40, 50}
	}
	// The referral's services are the last ones appended, in reference order.
	first := len(g.services)
	for first > 0 && g.services[first-1].referral == x.id {
		first--
	}
	var ratings []referrals.OutcomeRating
	for _, s := range g.services[first:] {
		for _, o := range s.outcomes {
			a := []referrals.Achievement{referrals.Achieved, referrals.PartiallyAchieved, referrals.NotAchieved}[g.weighted(weights...)]
			ratings = append(ratings, referrals.OutcomeRating{OutcomeID: o, Achievement: a, Notes: pickString(r, rsOutcomeNotes[a])})
		}
	}
	outcomes, _ := json.Marshal(ratings)
	rep := rsReport{referral: x.id, by: by, outcomes: outcomes, at: at}
	if r.IntN(3) == 0 {
		rep.further = pickString(r, rsReportFurther[end == referrals.EndCompleted])
	}
	g.reports = append(g.reports, rep)
	x.status, x.endState = string(referrals.StatusConcluded), string(end)
	x.reportAt, x.concludedAt = at, at
}

// keep appends the appointments, reschedules and action plans that happened before the cut.
func (g *referralSeed) keep(x *rsReferral, w *rsWork, caseworker uuid.UUID) {
	for _, a := range w.appts {
		if !a.booked {
			continue
		}
		a.id = g.newID(a.created)
		if !a.changeAt.IsZero() && !a.changed {
			a.start, a.method, a.changeAt = a.prevStart, a.prevMethod, time.Time{}
			if a.method == referrals.MethodInPerson && a.address == "" {
				a.address = fmt.Sprintf("%d %s Road, %s", 1+g.r.IntN(180), strings.Fields(pickString(g.r, placeWords))[0], pickString(g.r, towns))
			}
		}
		if a.method != referrals.MethodInPerson {
			a.address = ""
		}
		if !a.changeAt.IsZero() {
			a.changeID = g.newID(a.changeAt)
		}
		g.appts = append(g.appts, a)
		g.apptRef = append(g.apptRef, x.id)
		g.apptBy = append(g.apptBy, caseworker)
	}
	for _, p := range w.plans {
		if !p.subApplied {
			continue
		}
		p.id = g.newID(p.submitted)
		if !p.apApplied {
			p.approved = time.Time{}
		}
		g.plans = append(g.plans, p)
		g.planRef = append(g.planRef, x.id)
		g.planBy = append(g.planBy, caseworker)
		g.planAppr = append(g.planAppr, x.practitioner)
	}
}

// caseNotes adds a case note or two to about one referral in six, by its practitioner or caseworker.
func (g *referralSeed) caseNotes(x *rsReferral, caseworker uuid.UUID) {
	r := g.r
	if r.IntN(6) != 0 {
		return
	}
	end := g.now
	if !x.concludedAt.IsZero() {
		end = x.concludedAt
	}
	for range 1 + r.IntN(2) {
		at := g.between(x.sentAt, end)
		author, notes := x.practitioner, rsPractitionerNotes
		if !x.assignedAt.IsZero() && at.After(x.assignedAt) && r.IntN(2) == 0 {
			author, notes = caseworker, rsSupplierNotes
		}
		n := notes[r.IntN(len(notes))]
		g.notes = append(g.notes, rsNote{id: g.newID(at), referral: x.id, author: author, subject: n[0], body: n[1], at: at})
	}
}

// drafts gives the demo practitioner a few drafts in progress on London and Kent, Surrey and Sussex
// contracts.
func (g *referralSeed) drafts() {
	var mine []*contractPlan
	for _, c := range g.cat.contracts {
		if reg := g.regionOf(c); reg == "J" || reg == "K" {
			mine = append(mine, c)
		}
	}
	for k := range 4 {
		c := mine[g.r.IntN(len(mine))]
		updated := g.now.Add(-time.Duration(1+g.r.IntN(20*24)) * time.Hour)
		x := rsReferral{id: g.newID(updated.Add(-48 * time.Hour)), contractID: c.id, region: g.regionOf(c), status: string(referrals.StatusDraft),
			practitioner: g.demo.practitioner, crn: g.newCRN(), version: 1 + k, createdAt: updated.Add(-48 * time.Hour), updatedAt: updated}
		g.person(&x, c, calendar.BusinessDay(g.now))
		if k == 0 { // just started: the CRN and little else
			x = rsReferral{id: x.id, contractID: x.contractID, region: x.region, status: x.status, practitioner: x.practitioner, crn: x.crn,
				version: 1, createdAt: x.createdAt, updatedAt: x.createdAt, commitments: []byte("[]")}
		} else {
			g.pickServices(&x, c)
		}
		if k < 3 {
			x.risk, x.further = "", ""
		}
		g.rows = append(g.rows, x)
	}
}

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

type rsTable struct {
	name    string
	columns []string
	n       int
	row     func(i int) ([]any, error)
}

func nz(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nd(d calendar.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

func nt(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// nu passes an id as its 16 bytes: pgx encodes those directly, where uuid.UUID would go through its
// driver.Valuer (text, then parsed back) at several times the cost.
func nu(u uuid.UUID) any {
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
					supplier = nu(*u.supplier)
				}
				return []any{nu(u.id), u.email, u.name, g.hash, u.role, supplier, regions, true, 1, created, created}, nil
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
				return []any{nu(x.id), nz(x.reference), nu(x.contractID), x.region, nu(x.practitioner), x.status, nz(x.endState), x.crn,
					nz(x.first), nz(x.last), nd(x.dob), nz(x.sex), nz(x.ethnicity), nz(x.language),
					interpreter, nz(x.disabilities), nz(x.access), string(x.commitments), nz(x.pcc),
					nz(x.setting), nz(x.prison), nd(x.release), maxDays, nd(x.deadline), nz(x.reason),
					nz(x.risk), nz(x.further), x.counted, nt(x.sentAt), nd(x.sentOn), nu(x.caseworker), nt(x.assignedAt), nd(x.assessmentDue),
					nd(x.assessedOn), nd(x.planDue), nt(x.planAt), nt(x.approvedAt), nd(x.endedOn),
					nd(x.reportDue), nt(x.reportAt), nt(x.withdrawnAt), nz(x.wReason),
					nz(x.wComment), nt(x.concludedAt), x.version, x.createdAt, x.updatedAt}, nil
			}},
		{"referral_service_categories", []string{"referral_id", "service_category_code", "complexity_level"},
			len(g.services), func(i int) ([]any, error) {
				s := g.services[serviceOrder[i]]
				return []any{nu(s.referral), s.category, s.complexity}, nil
			}},
		{"referral_desired_outcomes", []string{"referral_id", "service_category_code", "outcome_id"},
			len(outcomes), func(i int) ([]any, error) {
				o := outcomes[outcomeOrder[i]]
				return []any{nu(o.referral), o.category, nu(o.id)}, nil
			}},
		{"action_plans", []string{"id", "referral_id", "activities", "number_of_sessions", "submitted_by", "submitted_at", "approved_by", "approved_at"},
			len(g.plans), func(i int) ([]any, error) {
				i = planOrder[i]
				p := g.plans[i]
				var by any
				if !p.approved.IsZero() {
					by = nu(g.planAppr[i])
				}
				return []any{nu(p.id), nu(g.planRef[i]), string(p.activities), p.sessions, nu(g.planBy[i]), p.submitted, by, nt(p.approved)}, nil
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
					att, summary, response, concerns, recBy, recAt = string(a.att), s, nz(p), nz(c), nu(g.apptBy[i]), a.recorded
					notify = c != "" || a.att == referrals.AttendedNo && a.kind == referrals.KindSession && a.n%3 == 0
					updated = a.recorded
				}
				return []any{nu(a.id), nu(g.apptRef[i]), string(a.kind), n, a.start, a.dur, string(a.method), nz(a.address),
					att, summary, response, concerns, notify, recBy, recAt, nu(g.apptBy[i]), a.created, updated}, nil
			}},
		{"appointment_changes", []string{"id", "appointment_id", "previous_starts_at", "new_starts_at", "previous_duration_minutes",
			"new_duration_minutes", "previous_method", "new_method", "requested_by", "reason", "changed_by", "changed_at"},
			len(changes), func(i int) ([]any, error) {
				k := changes[changeOrder[i]]
				a := &g.appts[k]
				return []any{nu(a.changeID), nu(a.id), a.prevStart, a.start, a.dur, a.dur, string(a.prevMethod), string(a.method),
					string(a.changeBy), a.changeReason, nu(g.apptBy[k]), a.changeAt}, nil
			}},
		{"end_of_service_reports", []string{"referral_id", "outcomes", "further_information", "submitted_by", "submitted_at"},
			len(g.reports), func(i int) ([]any, error) {
				r := g.reports[reportOrder[i]]
				return []any{nu(r.referral), string(r.outcomes), nz(r.further), nu(r.by), r.at}, nil
			}},
		{"case_notes", []string{"id", "referral_id", "author_id", "subject", "body", "created_at"},
			len(g.notes), func(i int) ([]any, error) {
				n := g.notes[noteOrder[i]]
				return []any{nu(n.id), nu(n.referral), nu(n.author), n.subject, n.body, n.at}, nil
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

// feedback returns an appointment's session summary, the person's response and any concerns, chosen
// from the appointment's id so that the generator's stream is not consumed while loading.
func (g *referralSeed) feedback(a *rsAppt) (string, string, string) {
	h := int(a.id[15]) | int(a.id[14])<<8
	if a.att == referrals.AttendedNo {
		return rsMissedSummaries[h%len(rsMissedSummaries)], "", ""
	}
	pool := rsSessionSummaries
	if a.kind == referrals.KindAssessment {
		pool = rsAssessmentSummaries
	}
	concerns := ""
	if h%11 == 0 {
		concerns = rsConcerns[h/11%len(rsConcerns)]
	}
	return pool[h%len(pool)], rsResponses[h/7%len(rsResponses)], concerns
}

// The free text of the demo referrals: invented, generic, and free of names.

type rsWeighted struct {
	text string
	w    int
}

func rsWeightsOf(list []rsWeighted) []int {
	out := make([]int, len(list))
	for i, x := range list {
		out[i] = x.w
	}
	return out
}

type rsReason struct {
	code string
	w    int
}

func rsWeightsOfReasons(list []rsReason) []int {
	out := make([]int, len(list))
	for i, x := range list {
		out[i] = x.w
	}
	return out
}

var (
	rsEthnicities = []rsWeighted{
		{"White: English, Welsh, Scottish, Northern Irish or British", 70}, {"White: Irish", 1}, {"White: any other White background", 6},
		{"White: Gypsy or Irish Traveller", 1}, {"Mixed: White and Black Caribbean", 3}, {"Mixed: any other mixed background", 2},
		{"Asian or Asian British: Pakistani", 3}, {"Asian or Asian British: Indian", 2}, {"Asian or Asian British: Bangladeshi", 1},
		{"Black or Black British: Caribbean", 3}, {"Black or Black British: African", 3}, {"Other ethnic group", 2}, {"Prefers not to say", 3},
	}
	rsEthnicitiesLondon = []rsWeighted{
		{"White: English, Welsh, Scottish, Northern Irish or British", 38}, {"White: Irish", 2}, {"White: any other White background", 12},
		{"Mixed: White and Black Caribbean", 6}, {"Mixed: any other mixed background", 4}, {"Asian or Asian British: Pakistani", 3},
		{"Asian or Asian British: Indian", 4}, {"Asian or Asian British: Bangladeshi", 4}, {"Black or Black British: Caribbean", 10},
		{"Black or Black British: African", 10}, {"Other ethnic group", 4}, {"Prefers not to say", 3},
	}
	rsLanguages    = []string{"Polish", "Romanian", "Urdu", "Punjabi", "Arabic", "Portuguese", "Lithuanian", "Somali", "Bengali", "Albanian", "Kurdish"}
	rsDisabilities = []string{"Dyslexia.", "Anxiety and depression, treated by the GP.", "Uses a walking stick; cannot manage long flights of stairs.",
		"ADHD diagnosed in childhood.", "Partial hearing loss in one ear.", "Mild learning disability.", "Type 1 diabetes.", "Epilepsy, well controlled.",
		"Post-traumatic stress.", "Chronic back pain."}
	rsAccessNeeds = []string{"Ground-floor rooms only.", "Written information in easy read.", "Appointments after 10am because of medication.",
		"Needs instructions repeated and written down.", "Prefers a quiet room with few people.", "Needs a hearing loop or to sit facing the speaker."}
	rsCommitments = []referrals.Commitment{
		{Description: "Part-time job in a warehouse", TimesUnavailable: "Monday to Wednesday, 7am to 3pm"},
		{Description: "Takes their children to and from school", TimesUnavailable: "Weekdays 8am to 9:30am and 2:45pm to 3:45pm"},
		{Description: "Cares for a parent", TimesUnavailable: "Tuesday and Thursday afternoons"},
		{Description: "College course", TimesUnavailable: "Mondays and Fridays, 9am to 4pm"},
		{Description: "Drug and alcohol service group", TimesUnavailable: "Wednesday mornings"},
		{Description: "Unpaid work requirement", TimesUnavailable: "Saturdays"},
		{Description: "Agency shifts at short notice", TimesUnavailable: "Varies week to week; text the day before"},
	}
	rsReasons = map[string][]string{
		"ACC": {"Sofa-surfing with friends since release and at risk of sleeping rough.",
			"Private tenancy ends in six weeks after a section 21 notice; about £1,200 in rent arrears.",
			"Living in short-term supported housing that ends next month.",
			"Has been offered a social tenancy and needs help to set it up and keep it.",
			"Staying with a relative where the relationship is breaking down; needs a move plan.",
			"Due for release with no fixed address; local authority duty to refer made.",
			"Lives in a hostel and wants help to move into independent accommodation."},
		"ETE": {"Unemployed for over a year and wants help getting back into work.",
			"Left school without qualifications and wants to improve literacy and numeracy.",
			"Has a trade background and needs help with a CV and disclosing the conviction.",
			"Wants to start a construction skills card course.",
			"Lost their job after the conviction and wants advice on retraining.",
			"Interested in volunteering as a first step towards paid work."},
		"PWB": {"Low mood and isolation since release; few positive contacts.",
			"Conflict at home with a partner; wants help with communication.",
			"Spends time with peers linked to offending and wants to change routine.",
			"Has no ID documents and struggles to access services.",
			"Anxiety is getting in the way of keeping appointments.",
			"Wants to rebuild contact with their children safely.",
			"Has lost confidence and wants structured activity during the week."},
		"WOS": {"Needs support with housing, finances and emotional wellbeing after leaving an abusive relationship.",
			"Struggling with debt and benefit sanctions; at risk of losing her tenancy.",
			"Wants support to stay in recovery and rebuild contact with her children.",
			"Isolated since release; would benefit from a women-only group setting.",
			"Needs help to find work or training that fits around childcare.",
			"Recently moved to the area and knows no local services."},
	}
	rsRisks = []string{"Low risk of serious harm; no concerns for lone working.",
		"Medium risk of harm to known adults; meet in public places or at the office.",
		"History of verbal aggression when anxious; two workers for home visits.",
		"Low risk of serious harm. Do not visit at the home address without checking with the practitioner first.",
		"Medium risk of harm to a former partner; do not share any address details.",
		"No current risk concerns recorded.",
		"Risk to children: meet without children present."}
	rsFurther = []string{"Prefers to be contacted by text message.", "Has a support worker from the local drug and alcohol service.",
		"Works some evenings; morning appointments are best.", "Phone credit is often low: please call rather than expect a call back.",
		"Has a hospital appointment in the coming weeks."}
	rsSessionsBase = map[string]int{"ACC": 2, "ETE": 2, "PWB": 3, "WOS": 3}
	rsSessionsSpan = map[string]int{"ACC": 4, "ETE": 5, "PWB": 4, "WOS": 6}
	rsActivities   = map[string][]string{
		"ACC": {"Complete a housing application with the local authority.", "Gather ID and proof of income for landlords.",
			"View private rented properties and negotiate a deposit scheme.", "Budget for rent and bills.", "Set up the new tenancy: utilities, council tax, furniture."},
		"ETE": {"Write a CV and a disclosure letter.", "Enrol on a literacy and numeracy course.", "Apply for a construction skills card.",
			"Practise interviews.", "Find a volunteering placement."},
		"PWB": {"Weekly one-to-one sessions on coping with stress.", "Register with a GP.", "Join a community sports group.",
			"Family mediation sessions.", "Apply for photo ID and a bank account.", "Plan a weekly routine."},
		"WOS": {"One-to-one key work sessions.", "Women's group sessions.", "Benefit and debt advice.", "Support to attend recovery meetings.",
			"Housing options appointment.", "Parenting support."},
	}
	rsRescheduleReasons = [][]string{
		{"The caseworker is ill.", "The room is not available.", "Staff training day."},
		{"The practitioner has a clash with a court date.", "Needs to fit around a probation appointment."},
		{"Has a job interview that day.", "Childcare fell through.", "Feeling unwell.", "Has a medical appointment.", "Transport problems."},
	}
	rsCancelReasons      = []rsReason{{"NOT", 40}, {"NEE", 16}, {"MOV", 10}, {"WOR", 10}, {"RET", 9}, {"ANO", 6}, {"SEE", 3}, {"SER", 3}, {"ACQ", 1}, {"USE", 1}}
	rsPrematureReasons   = []rsReason{{"NOT", 35}, {"MOV", 12}, {"WOR", 12}, {"RET", 12}, {"EAR", 12}, {"SEE", 6}, {"SER", 4}, {"ANO", 6}, {"USE", 1}}
	rsWithdrawalComments = map[string][]string{
		"INE": {"Lives outside the contract's area.", "Not eligible for this contract's age range.", "Already receiving the same service from another contract."},
		"MIS": {"Sent to the wrong contract.", "Duplicate of an earlier referral.", "Sent in error before the case was transferred."},
		"NOT": {"Has not responded to calls or letters.", "Did not attend three times and does not want the service.", "Declined the service."},
		"NEE": {"Housing found through the council.", "Started work; no longer needs support.", "Now supported by another local service."},
		"MOV": {"Moved to another region.", "Transferred to another probation area."},
		"WOR": {"Started full-time work.", "Caring for a family member.", "In hospital for some weeks."},
		"USE": {"Reported by the family."},
		"ACQ": {"Conviction quashed on appeal."},
		"RET": {"Recalled to custody.", "Remanded in custody on a new matter."},
		"SEE": {"The order has ended."},
		"SER": {"Order revoked by the court."},
		"EAR": {"Goals met sooner than planned.", "Needs met after fewer sessions than planned."},
		"ANO": {"Change of circumstances: see case notes.", "Now subject to a different order."},
	}
	rsOutcomeNotes = map[referrals.Achievement][]string{
		referrals.Achieved:          {"Fully met.", "Achieved and sustained at the last session.", "Met with evidence on file."},
		referrals.PartiallyAchieved: {"Good progress; some steps still to do.", "Started but not finished before the service ended.", "Partly met."},
		referrals.NotAchieved:       {"Not met.", "Did not engage with this part of the plan.", "Not possible in the time available."},
	}
	rsReportFurther = map[bool][]string{
		true:  {"Engaged well throughout.", "Would benefit from a follow-up in three months.", "Has a support plan with a local group going forward."},
		false: {"The service ended early; the person may be referred again.", "Progress was limited by attendance.", "Ended after the withdrawal; the practitioner has the details."},
	}
	rsPractitionerNotes = [][2]string{
		{"Change of phone number", "The person has a new mobile number; it is on the case record."},
		{"Court date", "The person is due in court next month; please avoid booking that day."},
		{"Update after supervision", "Supervision went well; the person is keen to carry on."},
		{"Address change", "The person has moved within the area; the new address is on the case record."},
		{"Risk update", "No change to the risk summary after review."},
	}
	rsSupplierNotes = [][2]string{
		{"Attendance", "We could not reach the person for the last appointment; we will try again this week."},
		{"Progress", "Good progress this month; the plan is on track."},
		{"Referral to another service", "We have signposted the person to the local food bank."},
		{"Appointment letter sent", "An appointment letter went out by post and by text message."},
		{"Safeguarding", "We raised a concern with the practitioner by phone today."},
	}
	rsMissedSummaries     = []string{"Did not attend; no contact beforehand.", "Did not attend; phoned later to apologise.", "Did not attend; text reminder sent the day before."}
	rsAssessmentSummaries = []string{"Initial assessment completed; needs and goals agreed.", "Talked through the referral and agreed priorities for the plan.",
		"Assessment completed; the person chose the first goals to work on.", "Initial meeting went well; consent and contact details confirmed."}
	rsSessionSummaries = []string{"Worked on the goals in the action plan.", "Reviewed progress and set tasks for next week.",
		"Completed forms together and made phone calls.", "Group session; took part well.", "Practical session in the community.",
		"Short session; agreed next steps."}
	rsResponses = []string{"Engaged well.", "Motivated and positive.", "Quiet but took part.", "A little anxious; settled as the session went on.",
		"Keen to make progress.", "Tired today; asked for a shorter session next time."}
	rsConcerns = []string{"Mentioned money worries; signposted to debt advice.", "Seemed low in mood; practitioner informed.",
		"Said their housing is at risk again.", "Raised a possible safeguarding issue; practitioner informed."}
)
